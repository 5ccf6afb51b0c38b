"""LDAP and RADIUS server types: their bound groups and the users who can reach them."""

from __future__ import annotations

import strawberry

from gateway.model import (
    ACCESS_LDAP,
    ACCESS_RADIUS,
    GROUP_LDAP,
    GROUP_RADIUS,
    LDAP_SERVER,
    RADIUS_SERVER,
)
from gateway.types.entity import Entity, entity_type, source
from gateway.types.fields import related
from gateway.types.relay import Node


@entity_type(LDAP_SERVER, "A JumpCloud LDAP server (v2).")
class LdapServer(Entity, Node):
    jumpcloud_id: strawberry.ID
    name: str = strawberry.field(description="The server's name in JumpCloud.")
    user_lockout_action: str | None = strawberry.field(
        description="What the server does to a user locked out in JumpCloud (e.g. DISABLE)."
    )
    user_password_expiration_action: str | None = strawberry.field(
        description="What the server does when a user's password expires (e.g. DISABLE)."
    )

    groups = related(GROUP_LDAP, LDAP_SERVER, "User groups bound to the server.")
    users = related(
        ACCESS_LDAP, LDAP_SERVER, "Users who can bind, directly or through groups, with paths."
    )


@entity_type(RADIUS_SERVER, "A JumpCloud RADIUS server (v1).")
class RadiusServer(Entity, Node):
    jumpcloud_id: strawberry.ID
    name: str = strawberry.field(description="The server's name in JumpCloud.")
    network_source_ip: str | None = strawberry.field(
        description="The IP address JumpCloud accepts this server's requests from."
    )
    mfa: str | None = strawberry.field(description="DISABLED, ENABLED, REQUIRED or ALWAYS.")
    auth_idp: str | None = strawberry.field(
        description="Who checks passwords: JUMPCLOUD or AZURE (Entra ID)."
    )
    tags: list[str] = source("tagNames", description="The names of the server's tags.")

    groups = related(GROUP_RADIUS, RADIUS_SERVER, "User groups bound to the server.")
    users = related(
        ACCESS_RADIUS,
        RADIUS_SERVER,
        "Users who can authenticate, directly or through groups, with paths.",
    )
