// Schema lint for schema/schema.graphql: @graphql-eslint's recommended and Relay schema rules,
// as a frontend's tooling runs them. Every departure from those presets is written here with
// its reason; `node lint.mjs` (run by tests/gateway/test_schema_lint.py) must report nothing.
import { fileURLToPath } from 'node:url';
import graphql from '@graphql-eslint/eslint-plugin';

const SCHEMA = fileURLToPath(new URL('../../schema/schema.graphql', import.meta.url));

// Apollo Federation's own names, defined by its specification and printed verbatim into the
// subgraph SDL: `_entities`, `_service`, `_Any`, `_Entity`, `_Service`, and the imported
// definitions `link__Import`, `link__Purpose`, `federation__FieldSet`. Clients never select
// them; only a federation router does.
const FEDERATION = /^(_entities|_service|_Any|_Entity|_Service|sdl|link__Import|link__Purpose|federation__FieldSet)$/u;

const recommendedNaming =
  graphql.configs['flat/schema-recommended'].rules['@graphql-eslint/naming-convention'][1];

export default [
  {
    files: ['schema/schema.graphql'],
    languageOptions: {
      parser: graphql.parser,
      parserOptions: { graphQLConfig: { schema: SCHEMA } },
    },
    plugins: { '@graphql-eslint': graphql },
    rules: {
      ...graphql.configs['flat/schema-recommended'].rules,
      ...graphql.configs['flat/schema-relay'].rules,
      // Every type, field, argument, enum value and directive says what it means.
      '@graphql-eslint/require-description': [
        'error',
        {
          types: true,
          rootField: true,
          FieldDefinition: true,
          InputValueDefinition: true,
          EnumValueDefinition: true,
          DirectiveDefinition: true,
        },
      ],
      // Forward-only pagination: every list pages with `first` and `after`. `last`/`before`
      // are not offered, because JumpCloud lists page forwards only (by `limit` and `skip`).
      '@graphql-eslint/relay-arguments': ['error', { includeBoth: false }],
      '@graphql-eslint/naming-convention': [
        'error',
        {
          ...recommendedNaming,
          // Federation's names (see FEDERATION) break the conventions by specification.
          types: undefined,
          allowLeadingUnderscore: true,
          'ObjectTypeDefinition,InterfaceTypeDefinition,UnionTypeDefinition,InputObjectTypeDefinition':
            'PascalCase',
          'ScalarTypeDefinition,EnumTypeDefinition': {
            style: 'PascalCase',
            ignorePattern: FEDERATION.source,
          },
        },
      ],
      // Lists of values (an access's paths, a path's hops, tags, an admin's roles) are
      // plain lists, short by nature; only lists that can grow with the directory are
      // connections. A finding is computed, not stored, so it has no global id and is no
      // Node: FindingEdge's node is a Finding.
      '@graphql-eslint/relay-edge-types': [
        'error',
        { withEdgeSuffix: true, shouldImplementNode: false, listTypeCanWrapOnlyEdgeType: false },
      ],
      // `User.username` and `System.systemGroups` are JumpCloud's own words for them (its
      // `username` field, its system groups); renaming them would break every client.
      '@graphql-eslint/no-typename-prefix': 'off',
      // Objects with a global id implement Node (`id: ID!`). Connections, edges and page
      // info are Relay's plumbing; the rest are values inside an object (a path, a hop, an
      // MFA status, a finding, an access decision...), never refetched on their own, so
      // they carry no id of their own (as Relay's spec allows for non-Node types).
      '@graphql-eslint/strict-id-in-types': [
        'error',
        {
          acceptedIdNames: ['id'],
          acceptedIdTypes: ['ID'],
          exceptions: {
            suffixes: ['Connection', 'Edge'],
            types: [
              'AccessDecision',
              'AccessHop',
              'AccessPath',
              'Attribute',
              'DiskEncryption',
              'Finding',
              'GraphObjectRef',
              'Logo',
              'MfaStatus',
              'PageInfo',
              'SshSettings',
              'Sudo',
              '_Service',
            ],
          },
        },
      ],
    },
  },
];
