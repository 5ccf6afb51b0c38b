"""The Group type: a JumpCloud user group, its members and what it is bound to."""

from __future__ import annotations

import strawberry

from gateway.model import (
    GROUP,
    GROUP_APPLICATIONS,
    GROUP_LDAP,
    GROUP_RADIUS,
    GROUP_SYSTEM_GROUPS,
    GROUP_SYSTEMS,
    MEMBERSHIP,
)
from gateway.types.entity import Entity, entity_type
from gateway.types.fields import related
from gateway.types.findings import subject_findings
from gateway.types.relay import Node


@strawberry.type(description="The fields user groups and system groups share (V2 groups).")
class GroupFields:
    name: str = strawberry.field(description="The group's name, unique among its kind.")
    description: str | None = strawberry.field(description="Free text an admin wrote.")
    email: str | None = strawberry.field(description="The group's email address, if any.")
    membership_method: str | None = strawberry.field(
        description="STATIC, DYNAMIC_REVIEW_REQUIRED, DYNAMIC_AUTOMATED or NOTSET."
    )


@entity_type(GROUP, "A JumpCloud user group (v2).")
class Group(GroupFields, Entity, Node):
    jumpcloud_id: strawberry.ID

    members = related(MEMBERSHIP, GROUP, "Users who are direct members of the group.")
    applications = related(GROUP_APPLICATIONS, GROUP, "Applications bound to the group.")
    ldap_servers = related(GROUP_LDAP, GROUP, "LDAP servers bound to the group.")
    radius_servers = related(GROUP_RADIUS, GROUP, "RADIUS servers bound to the group.")
    systems = related(GROUP_SYSTEMS, GROUP, "Systems bound to the group directly.")
    system_groups = related(GROUP_SYSTEM_GROUPS, GROUP, "System groups bound to the group.")

    findings = subject_findings(GROUP)
