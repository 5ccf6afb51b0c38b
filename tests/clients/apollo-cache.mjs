import { relayStylePagination } from "@apollo/client/utilities";

// Connections without arguments besides first/after: one list per parent object.
const paged = (...fields) =>
  Object.fromEntries(fields.map((field) => [field, relayStylePagination()]));

export const typePolicies = {
  Query: {
    fields: {
      // A filter, an order, a scope or a severity makes another list.
      users: relayStylePagination(["filter", "orderBy"]),
      systems: relayStylePagination(["filter", "orderBy"]),
      groups: relayStylePagination(["filter"]),
      systemGroups: relayStylePagination(["filter"]),
      applications: relayStylePagination(["filter"]),
      adminsWithScope: relayStylePagination(["scope"]),
      findings: relayStylePagination(["kinds", "severity"]),
      ...paged("admins", "roles", "ldapServers", "radiusServers"),
    },
  },
  User: {
    fields: paged("groups", "applications", "ldapServers", "radiusServers", "systems", "findings"),
  },
  Group: {
    fields: paged(
      "members", "applications", "ldapServers", "radiusServers", "systems", "systemGroups",
      "findings",
    ),
  },
  Application: { fields: paged("groups", "users", "findings") },
  System: { fields: paged("users", "systemGroups", "groups", "findings") },
  SystemGroup: { fields: paged("systems", "groups") },
  LdapServer: { fields: paged("groups", "users") },
  RadiusServer: { fields: paged("groups", "users") },
  Role: { fields: paged("admins") },
  Admin: { fields: paged("findings") },
  // Value types have no id. One an object (or Query) holds merges field by field, so queries
  // that select different fields of it keep them all...
  AccessDecision: { merge: true },
  DiskEncryption: { merge: true },
  Logo: { merge: true },
  MfaStatus: { merge: true },
  SshSettings: { merge: true },
  // ...and the others, inside lists, are replaced with their list.
  AccessHop: { keyFields: false },
  AccessPath: { keyFields: false },
  Attribute: { keyFields: false },
  Finding: { keyFields: false },
  GraphObjectRef: { keyFields: false },
  Sudo: { keyFields: false },
};

// The members of each interface and union, so fragments on one type match only its objects.
export const possibleTypes = {
  Node: [
    "Admin", "Application", "Group", "LdapServer", "RadiusServer", "Role", "System",
    "SystemGroup", "User",
  ],
  FindingSubject: ["User", "Admin", "Application", "System", "Group"],
  FindingTarget: ["User", "Application", "LdapServer", "RadiusServer", "System"],
};
