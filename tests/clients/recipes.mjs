// Runs the README's Apollo Client or urql graphcache recipe against a live jcgraph and prints
// what happened as JSON, for tests/test_client_recipes.py to judge:
//
//   node --conditions=development recipes.mjs apollo|urql PLAN.json [--bare]
//   node recipes.mjs describe
//
// PLAN holds the gateway's URL, the walks (a paged operation and the path to its connection:
// the first page, then every next page from endCursor until hasNextPage is false) and the
// queries to run once each, in order, through one client and one cache. `--bare` leaves the
// recipe out (a plain InMemoryCache; graphcache without schema, keys or resolvers), to show
// that the warnings the recipe prevents are seen. `describe` prints the recipes' policies.
// Everything either client writes to the console is reported, never printed.
import { readFileSync } from "node:fs";
import { format } from "node:util";

const consoleOutput = [];
for (const level of ["debug", "info", "log", "warn", "error", "trace"]) {
  console[level] = (...args) => consoleOutput.push({ level, message: format(...args) });
}
process.on("warning", (warning) =>
  consoleOutput.push({ level: "process", message: String(warning) }),
);

const [mode, planFile, ...flags] = process.argv.slice(2);
const bare = flags.includes("--bare");

// A walk that has not ended after this many pages is going round in circles.
const MAX_PAGES = 50;

function nextPage(data, walk, pages) {
  const { pageInfo } = connectionAt(data, walk.path);
  if (!pageInfo.hasNextPage) return null;
  if (pages >= MAX_PAGES) throw new Error(`${walk.name}: still a next page after ${pages}`);
  return pageInfo.endCursor;
}

function connectionAt(data, path) {
  return path.reduce((value, key) => value?.[key], data);
}

// Every response the gateway sent, with the operation and variables that asked for it.
const wire = [];
async function recordingFetch(input, init = {}) {
  const url = new URL(input.url ?? String(input));
  const request = init.body
    ? JSON.parse(init.body)
    : {
        operationName: url.searchParams.get("operationName"),
        variables: JSON.parse(url.searchParams.get("variables") || "{}"),
      };
  const response = await fetch(input, init);
  const body = await response.clone().json();
  wire.push({ operationName: request.operationName, variables: request.variables, body });
  return response;
}

function pagesOf(name) {
  return wire
    .filter((sent) => sent.operationName === name)
    .map((sent) => ({ variables: sent.variables, body: sent.body }));
}

const operationName = (document) => /\b(?:query|mutation)\s+(\w+)/.exec(document)[1];

async function introspect(url) {
  const { getIntrospectionQuery } = await import("graphql");
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: getIntrospectionQuery({ descriptions: false }) }),
  });
  const body = await response.json();
  if (!body.data) throw new Error(`introspection failed: ${JSON.stringify(body)}`);
  return body.data;
}

// An ObservableQuery's settled (not loading) results as they come; `after(n)` waits for the
// one after the first n.
function settledResults(observable) {
  const results = [];
  const waiting = [];
  const wake = (how, value) => waiting.splice(0).forEach((waiter) => waiter[how](value));
  const subscription = observable.subscribe({
    next: (result) => {
      if (result.loading) return;
      if (result.error) wake("reject", result.error);
      results.push(result);
      wake("resolve");
    },
    error: (error) => wake("reject", error),
  });
  return {
    results,
    subscription,
    async after(count) {
      while (results.length <= count) {
        await new Promise((resolve, reject) => waiting.push({ resolve, reject }));
      }
      return results.at(-1);
    },
  };
}

async function runApollo(plan) {
  const { ApolloClient, HttpLink, InMemoryCache, gql } = await import("@apollo/client");
  const { typePolicies, possibleTypes } = await import("./apollo-cache.mjs");
  const cache = new InMemoryCache(bare ? {} : { typePolicies, possibleTypes });
  const client = new ApolloClient({
    link: new HttpLink({ uri: plan.url, fetch: recordingFetch }),
    cache,
  });
  const walks = {};
  for (const walk of plan.walks) {
    const observable = client.watchQuery({ query: gql(walk.document), variables: walk.variables });
    const settled = settledResults(observable);
    let result = await settled.after(0);
    for (let pages = 1, after; (after = nextPage(result.data, walk, pages)) !== null; pages++) {
      // The merged list arrives as the observable's next settled result, after fetchMore's
      // own promise (which holds the new page alone).
      const seen = settled.results.length;
      await observable.fetchMore({ variables: { after } });
      result = await settled.after(seen);
    }
    settled.subscription.unsubscribe();
    walks[walk.name] = {
      pages: pagesOf(operationName(walk.document)),
      merged: connectionAt(result.data, walk.path),
    };
  }
  const queries = {};
  for (const step of plan.queries) {
    const { data } = await client.query({ query: gql(step.document), variables: step.variables });
    queries[step.name] = data;
  }
  return { walks, queries, cache: cache.extract() };
}

// graphcache keeps its records to itself; a storage adapter (graphcache's hook for offline
// persistence, not part of the recipe) is handed every field it writes, as
// `entityKey.fieldKey` (dots in the key escaped) -> JSON, or ":" + JSON for a link.
function recordingStorage() {
  const entities = {};
  return {
    entities,
    readData: async () => ({}),
    writeData: async (delta) => {
      for (const [key, value] of Object.entries(delta)) {
        const dot = key.indexOf(".");
        const entity = key.slice(0, dot).replaceAll("%2e", ".");
        const field = key.slice(dot + 1);
        const fields = (entities[entity] ??= {});
        if (value === undefined) delete fields[field];
        else if (value.startsWith(":")) fields[field] = { link: JSON.parse(value.slice(1)) };
        else fields[field] = { value: JSON.parse(value) };
      }
    },
    readMetadata: async () => [],
    writeMetadata: () => {},
    onOnline: () => {},
  };
}

async function runUrql(plan) {
  const { Client, fetchExchange, gql } = await import("@urql/core");
  const { cacheExchange } = await import("@urql/exchange-graphcache");
  const { keys, resolvers } = await import("./urql-cache.mjs");
  const schema = await introspect(plan.url);
  const storage = recordingStorage();
  const recipe = bare ? {} : { schema, keys, resolvers };
  const client = new Client({
    url: plan.url,
    fetch: recordingFetch,
    exchanges: [cacheExchange({ ...recipe, storage }), fetchExchange],
  });
  const walks = {};
  for (const walk of plan.walks) {
    const query = gql(walk.document);
    let result = await client.query(query, walk.variables).toPromise();
    if (result.error) throw result.error;
    for (let pages = 1, after; (after = nextPage(result.data, walk, pages)) !== null; pages++) {
      result = await client.query(query, { ...walk.variables, after }).toPromise();
      if (result.error) throw result.error;
    }
    walks[walk.name] = {
      pages: pagesOf(operationName(walk.document)),
      merged: connectionAt(result.data, walk.path),
    };
  }
  const queries = {};
  for (const step of plan.queries) {
    const result = await client.query(gql(step.document), step.variables).toPromise();
    if (result.error) throw result.error;
    queries[step.name] = result.data;
  }
  return { walks, queries, cache: storage.entities };
}

async function describe() {
  const { typePolicies, possibleTypes } = await import("./apollo-cache.mjs");
  const { keys, resolvers } = await import("./urql-cache.mjs");
  const apollo = {};
  for (const [type, policy] of Object.entries(typePolicies)) {
    const fields = Object.fromEntries(
      Object.entries(policy.fields ?? {}).map(([field, p]) => [field, { keyArgs: p.keyArgs }]),
    );
    apollo[type] = { merge: policy.merge ?? null, keyFields: policy.keyFields ?? null, fields };
  }
  const urql = {
    keys: Object.fromEntries(Object.entries(keys).map(([type, key]) => [type, key({})])),
    resolvers: Object.fromEntries(
      Object.entries(resolvers).map(([type, fields]) => [type, Object.keys(fields)]),
    ),
  };
  return { apollo, possibleTypes, urql };
}

const runners = { apollo: runApollo, urql: runUrql, describe };
if (!(mode in runners)) {
  throw new Error("usage: recipes.mjs apollo|urql PLAN.json [--bare] | describe");
}
const plan = mode === "describe" ? null : JSON.parse(readFileSync(planFile, "utf8"));
let report;
try {
  report = await runners[mode](plan);
} catch (error) {
  // Still report what the clients wrote before it went wrong.
  report = { failure: error.stack ?? String(error) };
  process.exitCode = 1;
}
process.stdout.write(JSON.stringify({ console: consoleOutput, ...report }));
