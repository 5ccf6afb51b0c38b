"""System and SystemGroup types: devices, their groups, and who can log into them."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.model import (
    ACCESS_SYSTEMS,
    GROUP_SYSTEM_GROUPS,
    GROUP_SYSTEMS,
    SYSTEM,
    SYSTEM_GROUP,
    SYSTEM_MEMBERSHIP,
    Record,
)
from gateway.types.common import Attribute, flag
from gateway.types.entity import Entity, derived, entity_type, source
from gateway.types.fields import related
from gateway.types.findings import subject_findings
from gateway.types.group import GroupFields
from gateway.types.relay import Node


@strawberry.type(description="Full-disk encryption status (JumpCloud `fde`).")
class DiskEncryption:
    active: bool | None
    key_present: bool | None = strawberry.field(
        description="Whether JumpCloud holds the recovery key."
    )


@strawberry.type(description="SSH server settings the JumpCloud agent enforces.")
class SshSettings:
    root_login: bool | None = strawberry.field(description="`allowSshRootLogin`.")
    password_authentication: bool | None = strawberry.field(
        description="`allowSshPasswordAuthentication`."
    )
    public_key_authentication: bool | None = strawberry.field(
        description="`allowPublicKeyAuthentication`."
    )


def _fde(record: Record) -> DiskEncryption | None:
    fde = record.get("fde")
    if not isinstance(fde, dict):
        return None
    return DiskEncryption(active=flag(fde.get("active")), key_present=flag(fde.get("keyPresent")))


def _ssh(record: Record) -> SshSettings:
    return SshSettings(
        root_login=flag(record.get("allowSshRootLogin")),
        password_authentication=flag(record.get("allowSshPasswordAuthentication")),
        public_key_authentication=flag(record.get("allowPublicKeyAuthentication")),
    )


@entity_type(SYSTEM, "A device managed by JumpCloud's agent (v1 `systems`).")
class System(Entity, Node):
    jumpcloud_id: strawberry.ID
    display_name: str | None
    hostname: str | None
    os: str | None = strawberry.field(description='e.g. "Mac OS X", "Windows", "Ubuntu".')
    os_family: str | None = strawberry.field(description='e.g. "darwin", "windows", "linux".')
    version: str | None = strawberry.field(description="The operating system's version.")
    arch: str | None
    agent_version: str | None
    active: bool | None = strawberry.field(description="Whether the agent is connected now.")
    created: datetime | None
    last_contact: datetime | None = strawberry.field(
        description="When the agent last reached JumpCloud; null if never."
    )
    remote_ip: str | None = source("remoteIP", name="remoteIP")
    serial_number: str | None
    hw_vendor: str | None
    description: str | None
    tags: list[str]
    fde: DiskEncryption | None = derived(_fde)
    ssh: SshSettings = derived(_ssh)
    mfa_enabled: bool | None = source(
        "allowMultiFactorAuthentication",
        description="Login MFA on the device (`allowMultiFactorAuthentication`).",
    )
    attributes: list[Attribute]

    users = related(
        ACCESS_SYSTEMS,
        SYSTEM,
        "Users who can log into the system, directly or through user and system groups, "
        "with paths and sudo.",
    )
    system_groups = related(SYSTEM_MEMBERSHIP, SYSTEM, "System groups the system is in.")
    groups = related(GROUP_SYSTEMS, SYSTEM, "User groups bound to the system directly.")

    findings = subject_findings(SYSTEM)


@entity_type(SYSTEM_GROUP, "A JumpCloud system group (v2).")
class SystemGroup(GroupFields, Entity, Node):
    jumpcloud_id: strawberry.ID

    systems = related(SYSTEM_MEMBERSHIP, SYSTEM_GROUP, "Systems that are members of the group.")
    groups = related(GROUP_SYSTEM_GROUPS, SYSTEM_GROUP, "User groups bound to the system group.")
