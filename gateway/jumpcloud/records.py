"""Typed shapes of the upstream JSON the gateway reads (informational; nothing is validated).

Field lists follow the spec schemas named in API-NOTES §7 and §8; only fields the gateway
reads are spelled out, and JumpCloud may send more.
"""

from __future__ import annotations

from typing import Any, TypedDict


class SystemUser(TypedDict, total=False):
    """V1 systemuserreturn (v1 objects carry `_id`)."""

    _id: str
    username: str
    email: str
    firstname: str
    middlename: str
    lastname: str
    displayname: str
    state: str  # STAGED | ACTIVATED | SUSPENDED
    activated: bool
    suspended: bool
    account_locked: bool
    created: str
    organization: str
    department: str
    jobTitle: str
    employeeType: str
    manager: str
    attributes: list[dict[str, Any]]
    memberof: list[str]  # search results only (systemuserSearchReturn)


class UserGroup(TypedDict, total=False):
    """V2 UserGroup (v2 objects carry `id`)."""

    id: str
    name: str
    type: str
    description: str
    email: str
    attributes: dict[str, Any] | None
    membershipMethod: str


class Logo(TypedDict, total=False):
    color: str
    url: str


class Application(TypedDict, total=False):
    """V1 application."""

    _id: str
    name: str
    displayName: str
    displayLabel: str
    ssoUrl: str
    description: str
    active: bool
    logo: Logo
    organization: str
    sso: dict[str, Any]


class Admin(TypedDict, total=False):
    """GET /api/users (undocumented; V1 userreturn shape, API-NOTES §8)."""

    _id: str
    email: str
    firstname: str
    lastname: str
    organization: str
    role: str
    roleName: str
    roles: list[str]
    roleNames: list[str]
    suspended: bool
    enableMultiFactor: bool
    totpEnrolled: bool
    created: str


class Role(TypedDict, total=False):
    """V2 Role."""

    id: str
    name: str
    scopes: list[str]
    description: str
    isCustom: bool
    providerId: str
    organizationIds: list[str]


class LdapServer(TypedDict, total=False):
    """V2 ldap-server."""

    id: str
    name: str
    userLockoutAction: str
    userPasswordExpirationAction: str


class RadiusServer(TypedDict, total=False):
    """V1 radiusserver (`sharedSecret` exists upstream; the gateway never reads it)."""

    _id: str
    name: str
    networkSourceIp: str
    organization: str
    authIdp: str
    mfa: str
    tags: list[str]


class GraphEndpoint(TypedDict, total=False):
    id: str
    type: str
    attributes: dict[str, Any] | None


# V2 GraphConnection: one edge. `from` may be left out when the context makes it clear
# (API-NOTES §7); it is a Python keyword, hence the functional form.
GraphConnection = TypedDict(
    "GraphConnection",
    {"attributes": dict[str, Any] | None, "from": GraphEndpoint, "to": GraphEndpoint},
    total=False,
)


class GraphObjectWithPaths(TypedDict, total=False):
    """V2 GraphObjectWithPaths: a traversal result and every route to it."""

    id: str
    type: str
    compiledAttributes: dict[str, Any] | None
    paths: list[list[GraphConnection]]
