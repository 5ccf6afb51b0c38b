"""The access-graph explorer's GraphQL documents, by operation name, as its page sends them.

They are the same as schema/operations/Explore*.graphql (tests/test_explorer_browser.py holds
them equal): the wheel carries the gateway package only, not schema/.
"""

from __future__ import annotations

EXPLORE_USER = """\
# The access-graph explorer (/explore): one user's groups and effective targets, with paths.
query ExploreUser($email: String!) {
  user(email: $email) {
    id
    jumpcloudId
    email
    displayName
    state
    findings(first: 50) { totalCount edges { node { kind severity summary } } }
    groups(first: 100) { edges { node { id jumpcloudId name } } }
    applications(first: 100) {
      edges { kind node { id jumpcloudId name } paths { direct via { id jumpcloudId name } } }
    }
    ldapServers(first: 100) {
      edges { kind node { id jumpcloudId name } paths { direct via { id jumpcloudId name } } }
    }
    radiusServers(first: 100) {
      edges { kind node { id jumpcloudId name } paths { direct via { id jumpcloudId name } } }
    }
    systems(first: 100) {
      edges {
        kind
        sudo { enabled withoutPassword }
        node { id jumpcloudId hostname }
        paths { direct via { id jumpcloudId name } viaSystemGroup { id jumpcloudId name } }
      }
    }
  }
}
"""

EXPLORE_APPLICATION = """\
# The access-graph explorer (/explore): an application (by name), its groups and its users.
query ExploreApplication($name: String!) {
  applications(first: 1, filter: {name: $name}) {
    edges {
      node {
        id
        jumpcloudId
        name
        findings(first: 50) { totalCount edges { node { kind severity summary } } }
        groups(first: 100) { edges { node { id jumpcloudId name } } }
        users(first: 100) {
          totalCount
          edges { kind node { id jumpcloudId email } paths { direct via { id jumpcloudId name } } }
        }
      }
    }
  }
}
"""

EXPLORE_GROUP = """\
# The access-graph explorer (/explore): a group (by id or name), its members and what it is
# bound to.
query ExploreGroup($jumpcloudId: ID, $name: String) {
  group(jumpcloudId: $jumpcloudId, name: $name) {
    id
    jumpcloudId
    name
    findings(first: 50) { totalCount edges { node { kind severity summary } } }
    members(first: 100) { totalCount edges { node { id jumpcloudId email } } }
    applications(first: 100) { edges { node { id jumpcloudId name } } }
    ldapServers(first: 100) { edges { node { id jumpcloudId name } } }
    radiusServers(first: 100) { edges { node { id jumpcloudId name } } }
    systems(first: 100) { edges { node { id jumpcloudId hostname } } }
    systemGroups(first: 100) { edges { node { id jumpcloudId name } } }
  }
}
"""

EXPLORE_SYSTEM = """\
# The access-graph explorer (/explore): a system (by id or hostname), who can log into it with
# sudo, the user groups bound to it, the system groups it is in, and its findings.
query ExploreSystem($jumpcloudId: ID, $hostname: String) {
  system(jumpcloudId: $jumpcloudId, hostname: $hostname) {
    id
    jumpcloudId
    hostname
    findings(first: 50) { totalCount edges { node { kind severity summary } } }
    groups(first: 100) { edges { node { id jumpcloudId name } } }
    systemGroups(first: 100) { edges { node { id jumpcloudId name } } }
    users(first: 100) {
      totalCount
      edges {
        kind
        sudo { enabled withoutPassword }
        node { id jumpcloudId email }
        paths { direct via { id jumpcloudId name } viaSystemGroup { id jumpcloudId name } }
      }
    }
  }
}
"""


_SERVER = """\
# The access-graph explorer (/explore): <kind> server (by id), the groups bound to it and the
# users who can <verb>. <Type> has no findings field.
query <operation>($jumpcloudId: ID!) {
  <field>(jumpcloudId: $jumpcloudId) {
    id
    jumpcloudId
    name
    groups(first: 100) { edges { node { id jumpcloudId name } } }
    users(first: 100) {
      totalCount
      edges { kind node { id jumpcloudId email } paths { direct via { id jumpcloudId name } } }
    }
  }
}
"""


def _server(operation: str, field: str, kind: str, verb: str) -> str:
    """The document of one kind of server: its bound groups, and the users who can reach it."""
    named = {"operation": operation, "field": field, "kind": kind, "verb": verb}
    named["Type"] = field[0].upper() + field[1:]
    document = _SERVER
    for marker, value in named.items():
        document = document.replace(f"<{marker}>", value)
    return document


EXPLORE_LDAP_SERVER = _server("ExploreLdapServer", "ldapServer", "an LDAP", "bind")
EXPLORE_RADIUS_SERVER = _server("ExploreRadiusServer", "radiusServer", "a RADIUS", "authenticate")

EXPLORE_SERVER_NAMES = """\
# The access-graph explorer (/explore): the names of LDAP and RADIUS servers, a page of each.
# Neither list takes a name filter, so the page finds a server by name itself: it pages through
# one list (`ldapAfter` or `radiusAfter`) for the exact name, asking `first: 0` of the other.
query ExploreServerNames(
  $ldapFirst: Int = 100
  $ldapAfter: String
  $radiusFirst: Int = 100
  $radiusAfter: String
) {
  ldapServers(first: $ldapFirst, after: $ldapAfter) {
    pageInfo { hasNextPage endCursor }
    edges { node { id jumpcloudId name } }
  }
  radiusServers(first: $radiusFirst, after: $radiusAfter) {
    pageInfo { hasNextPage endCursor }
    edges { node { id jumpcloudId name } }
  }
}
"""

DOCUMENTS = {
    "ExploreUser": EXPLORE_USER,
    "ExploreApplication": EXPLORE_APPLICATION,
    "ExploreGroup": EXPLORE_GROUP,
    "ExploreSystem": EXPLORE_SYSTEM,
    "ExploreLdapServer": EXPLORE_LDAP_SERVER,
    "ExploreRadiusServer": EXPLORE_RADIUS_SERVER,
    "ExploreServerNames": EXPLORE_SERVER_NAMES,
}
