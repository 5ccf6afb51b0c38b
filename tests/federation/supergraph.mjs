// @apollo/gateway over a static supergraph SDL (from compose.mjs), served by Apollo Server.
//
//   node supergraph.mjs --supergraph supergraph.graphql [--port 4000]
//
// The subgraph URLs are the ones in the supergraph (compose.mjs --jcgraph-url/--hr-url).
// Prints `ready <url>` on stdout once it listens.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const { values } = parseArgs({
  options: {
    supergraph: { type: 'string' },
    port: { type: 'string', default: '4000' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
if (!values.supergraph) {
  console.error('supergraph.mjs: --supergraph FILE is required');
  process.exit(2);
}

const gateway = new ApolloGateway({ supergraphSdl: await readFile(values.supergraph, 'utf8') });
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(values.port), host: values.host },
});
console.log(`ready ${url}`);
