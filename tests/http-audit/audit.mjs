// graphql-http's GraphQL-over-HTTP server audits against the URL given as the only argument:
// prints one JSON array, an object per audit ({id, name, status} and, unless it is "ok", the
// reason and the response's status, content type and body when the audit left it unread).
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql url>');
  process.exit(2);
}

const describe = async (result) => {
  if (result.status === 'ok') {
    return { id: result.id, name: result.name, status: result.status };
  }
  const { response } = result;
  return {
    id: result.id,
    name: result.name,
    status: result.status,
    reason: result.reason,
    response: {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: response.bodyUsed ? null : await response.text(),
    },
  };
};

const results = await auditServer({ url });
process.stdout.write(`${JSON.stringify(await Promise.all(results.map(describe)), null, 2)}\n`);
