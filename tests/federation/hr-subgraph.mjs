// A small HR subgraph: extends jcgraph's User by email and references Application by id.
//
//   node hr-subgraph.mjs --data employees.json [--port 4001]
//
// employees.json: {"employees": [{"email", "department", "manager", "favouriteAppId"}]}.
// Prints `ready <url>` on stdout once it listens.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    port: { type: 'string', default: '4001' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
if (!values.data) {
  console.error('hr-subgraph.mjs: --data FILE is required');
  process.exit(2);
}

const { employees } = JSON.parse(await readFile(values.data, 'utf8'));
const byEmail = new Map(employees.map((e) => [e.email, e]));
const typeDefs = parse(
  await readFile(fileURLToPath(new URL('./hr-schema.graphql', import.meta.url)), 'utf8'),
);

const resolvers = {
  Query: {
    employees: () => employees,
  },
  Employee: {
    // A reference by the key; HR's own User fields resolve from it below, because the query
    // planner fetches them in the same request as `employees` (no `_entities` round trip).
    user: (e) => ({ __typename: 'User', email: e.email }),
    favouriteApp: (e) =>
      e.favouriteAppId ? { __typename: 'Application', jumpcloudId: e.favouriteAppId } : null,
  },
  User: {
    // Someone HR does not know resolves to null, not an error.
    __resolveReference: ({ email }) => (byEmail.has(email) ? { email } : null),
    department: ({ email }) => byEmail.get(email)?.department ?? null,
    manager: ({ email }) => byEmail.get(email)?.manager ?? null,
  },
};

const server = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs, resolvers }) });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(values.port), host: values.host },
});
console.log(`ready ${url}`);
