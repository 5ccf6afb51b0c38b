import { relayPagination } from "@urql/exchange-graphcache/extras";

// Every argument besides first/after/last/before (filter, orderBy, ...) makes another list.
const paged = (...fields) => Object.fromEntries(fields.map((field) => [field, relayPagination()]));
// Value types have no id: kept inside the object that holds them.
const embedded = () => null;

export const keys = {
  AccessDecision: embedded,
  AccessHop: embedded,
  AccessPath: embedded,
  Attribute: embedded,
  DiskEncryption: embedded,
  Finding: embedded,
  GraphObjectRef: embedded,
  Logo: embedded,
  MfaStatus: embedded,
  SshSettings: embedded,
  Sudo: embedded,
};

export const resolvers = {
  Query: paged(
    "users", "systems", "groups", "systemGroups", "applications", "adminsWithScope", "findings",
    "admins", "roles", "ldapServers", "radiusServers",
  ),
  User: paged("groups", "applications", "ldapServers", "radiusServers", "systems", "findings"),
  Group: paged(
    "members", "applications", "ldapServers", "radiusServers", "systems", "systemGroups",
    "findings",
  ),
  Application: paged("groups", "users", "findings"),
  System: paged("users", "systemGroups", "groups", "findings"),
  SystemGroup: paged("systems", "groups"),
  LdapServer: paged("groups", "users"),
  RadiusServer: paged("groups", "users"),
  Role: paged("admins"),
  Admin: paged("findings"),
};
