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
    active: bool | None = strawberry.field(description="Whether the disk is encrypted.")
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
    display_name: str | None = strawberry.field(description="The name the console shows.")
    hostname: str | None = strawberry.field(description="The host name the agent reports.")
    os: str | None = strawberry.field(description='e.g. "Mac OS X", "Windows", "Ubuntu".')
    os_family: str | None = strawberry.field(description='e.g. "darwin", "windows", "linux".')
    version: str | None = strawberry.field(description="The operating system's version.")
    arch: str | None = strawberry.field(description='The CPU architecture, e.g. "x86_64".')
    agent_version: str | None = strawberry.field(description="The JumpCloud agent's version.")
    active: bool | None = strawberry.field(description="Whether the agent is connected now.")
    created: datetime | None = strawberry.field(description="When the agent enrolled it.")
    last_contact: datetime | None = strawberry.field(
        description="When the agent last reached JumpCloud; null if never."
    )
    remote_ip: str | None = source(
        "remoteIP", name="remoteIP", description="The address the agent last connected from."
    )
    serial_number: str | None = strawberry.field(description="The hardware serial number.")
    hw_vendor: str | None = strawberry.field(description="The hardware's maker.")
    description: str | None = strawberry.field(description="Free text an admin wrote.")
    tags: list[str] = strawberry.field(description="The names of the system's tags.")
    fde: DiskEncryption | None = derived(
        _fde, description="Full-disk encryption; null when the agent reports none."
    )
    ssh: SshSettings = derived(_ssh, description="SSH server settings the agent enforces.")
    mfa_enabled: bool | None = source(
        "allowMultiFactorAuthentication",
        description="Login MFA on the device (`allowMultiFactorAuthentication`).",
    )
    attributes: list[Attribute] = strawberry.field(
        description="Custom attributes set on the system; empty when none."
    )

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
