// A tiny fetch-based jcgraph client speaking Apollo's automatic persisted queries.
//
// Each operation is sent first as its SHA-256 alone; when the gateway answers
// PERSISTED_QUERY_NOT_FOUND, it is sent again with its document, which the gateway stores
// for every later caller. Hashes are computed with Web Crypto (browsers on https:// or
// localhost, Node.js 20+), once per document.
import type { TypedDocumentString } from "./gql/graphql.js";

export interface GraphQLError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GraphQLResponse<TResult> {
  data?: TResult | null;
  errors?: GraphQLError[];
  extensions?: Record<string, unknown>;
}

export interface ClientOptions {
  /** The gateway's GraphQL endpoint, e.g. "https://jcgraph.example.com/graphql". */
  url: string;
  /** A token from the gateway's JCGRAPH_AUTH_TOKENS, when it requires one. */
  token?: string;
  /** Send hash-only requests as GET (cacheable by browsers and CDNs); default POST. */
  getForHashedQueries?: boolean;
  fetch?: typeof fetch;
}

/** Raised when the gateway answers with errors and no data at all. */
export class GatewayError extends Error {
  constructor(
    readonly errors: GraphQLError[],
    readonly status: number,
  ) {
    super(errors.map((e) => `${e.extensions?.code ?? "ERROR"}: ${e.message}`).join("; "));
    this.name = "GatewayError";
  }
}

const hashes = new Map<string, Promise<string>>();

export function sha256Hex(text: string): Promise<string> {
  let hash = hashes.get(text);
  if (hash === undefined) {
    hash = crypto.subtle
      .digest("SHA-256", new TextEncoder().encode(text))
      .then((digest) =>
        Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join(""),
      );
    hashes.set(text, hash);
  }
  return hash;
}

export function createClient(options: ClientOptions) {
  const send = options.fetch ?? fetch;
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;

  async function post<TResult>(body: object): Promise<[number, GraphQLResponse<TResult>]> {
    const response = await send(options.url, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return [response.status, (await response.json()) as GraphQLResponse<TResult>];
  }

  async function get<TResult>(params: Record<string, string>): Promise<[number, GraphQLResponse<TResult>]> {
    const url = `${options.url}?${new URLSearchParams(params).toString()}`;
    const response = await send(url, { method: "GET", headers });
    return [response.status, (await response.json()) as GraphQLResponse<TResult>];
  }

  /** Run `document` with `variables`; its result is typed by the generated document. */
  async function request<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    ...[variables]: TVariables extends Record<string, never> ? [] : [TVariables]
  ): Promise<TResult> {
    const query = document.toString();
    const persistedQuery = { version: 1, sha256Hash: await sha256Hex(query) };
    const extensions = { persistedQuery };
    let [status, result] = options.getForHashedQueries
      ? await get<TResult>({
          ...(variables === undefined ? {} : { variables: JSON.stringify(variables) }),
          extensions: JSON.stringify(extensions),
        })
      : await post<TResult>({ variables, extensions });
    if (result.errors?.some((e) => e.extensions?.code === "PERSISTED_QUERY_NOT_FOUND")) {
      [status, result] = await post<TResult>({ query, variables, extensions });
    }
    if (result.data == null) {
      throw new GatewayError(result.errors ?? [{ message: `HTTP ${status}` }], status);
    }
    return result.data;
  }

  return { request };
}
