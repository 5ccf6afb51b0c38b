// Compose the jcgraph subgraph with the HR subgraph through @apollo/composition.
//
//   node compose.mjs --jcgraph FILE_OR_URL [--hr FILE] [--hr-url URL] [--jcgraph-url URL]
//                    [--out SUPERGRAPH_FILE]
//
// Prints one JSON object on stdout: {"ok", "errors": [{code, message}], "hints": [{code,
// message}]} and writes the supergraph SDL to --out. Exits 1 when composition fails, 2 on
// bad arguments or an unreadable SDL. A URL for --jcgraph is read through `{ _service { sdl } }`.
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));

async function readSdl(source) {
  if (!/^https?:\/\//.test(source)) return readFile(source, 'utf8');
  const response = await fetch(source, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.json();
  if (!response.ok || body.errors) {
    throw new Error(`${source} answered ${response.status}: ${JSON.stringify(body.errors ?? body)}`);
  }
  return body.data._service.sdl;
}

const describe = (e) => ({
  code: e.extensions?.code ?? e.definition?.code ?? 'UNKNOWN',
  message: e.message,
});

async function main() {
  const { values } = parseArgs({
    options: {
      jcgraph: { type: 'string' },
      'jcgraph-url': { type: 'string', default: 'http://127.0.0.1:8000/graphql' },
      hr: { type: 'string', default: here('./hr-schema.graphql') },
      'hr-url': { type: 'string', default: 'http://127.0.0.1:4001/graphql' },
      out: { type: 'string' },
    },
  });
  if (!values.jcgraph) {
    console.error('compose.mjs: --jcgraph FILE_OR_URL is required');
    return 2;
  }
  const services = [
    { name: 'jcgraph', url: values['jcgraph-url'], typeDefs: parse(await readSdl(values.jcgraph)) },
    { name: 'hr', url: values['hr-url'], typeDefs: parse(await readFile(values.hr, 'utf8')) },
  ];
  const result = composeServices(services);
  const hints = (result.hints ?? []).map((h) => ({ code: h.definition.code, message: h.message }));
  const errors = (result.errors ?? []).map(describe);
  console.log(JSON.stringify({ ok: errors.length === 0, errors, hints }, null, 2));
  if (errors.length > 0) return 1;
  if (values.out) await writeFile(values.out, result.supergraphSdl);
  return 0;
}

process.exitCode = await main().catch((error) => {
  console.error(`compose.mjs: ${error.stack ?? error}`);
  return 2;
});
