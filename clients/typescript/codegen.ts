// Operation types for the client, generated from the gateway's committed schema and its
// example operations (run `npm run codegen`; the output in src/gql/ is not committed).
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../../schema/schema.graphql",
  documents: ["../../schema/operations/*.graphql"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      config: {
        // Each document is a TypedDocumentString: the query text itself, typed with its
        // result and variables, so a plain fetch client needs no GraphQL runtime.
        documentMode: "string",
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { DateTime: "string" },
      },
      presetConfig: { fragmentMasking: false },
    },
  },
};

export default config;
