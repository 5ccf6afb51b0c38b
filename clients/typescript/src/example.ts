// Usage: who can reach an application, and why (types come from the generated documents).
import { createClient } from "./client.js";
import { WhoCanReachApplicationDocument } from "./gql/graphql.js";

export async function whoCanReach(application: string): Promise<string[]> {
  const client = createClient({ url: "http://127.0.0.1:8000/graphql" });
  const data = await client.request(WhoCanReachApplicationDocument, { application });
  return (data.application?.users?.edges ?? []).map(
    (edge) => `${edge.node.email} (${edge.kind}${edge.paths.map((p) => p.via?.name ?? "direct").join(", ")})`,
  );
}
