"""System and SystemGroup types: devices, their groups, and who can log into them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
from gateway.types.common import Attribute, attributes, flag, strings, text, timestamp
from gateway.types.entity import Entity, entity_type
from gateway.types.fields import related
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
    raw = record.get("fde")
    if not isinstance(raw, dict):
        return None
    return DiskEncryption(active=flag(raw, "active"), key_present=flag(raw, "keyPresent"))


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
    remote_ip: str | None = strawberry.field(name="remoteIP")
    serial_number: str | None
    hw_vendor: str | None
    description: str | None
    tags: list[str]
    fde: DiskEncryption | None
    ssh: SshSettings
    mfa_enabled: bool | None = strawberry.field(
        description="Login MFA on the device (`allowMultiFactorAuthentication`)."
    )
    attributes: list[Attribute]

    @classmethod
    def scalars(cls, record: Record) -> dict[str, Any]:
        return {
            "display_name": text(record, "displayName"),
            "hostname": text(record, "hostname"),
            "os": text(record, "os"),
            "os_family": text(record, "osFamily"),
            "version": text(record, "version"),
            "arch": text(record, "arch"),
            "agent_version": text(record, "agentVersion"),
            "active": flag(record, "active"),
            "created": timestamp(record, "created"),
            "last_contact": timestamp(record, "lastContact"),
            "remote_ip": text(record, "remoteIP"),
            "serial_number": text(record, "serialNumber"),
            "hw_vendor": text(record, "hwVendor"),
            "description": text(record, "description"),
            "tags": strings(record.get("tags")),
            "fde": _fde(record),
            "ssh": SshSettings(
                root_login=flag(record, "allowSshRootLogin"),
                password_authentication=flag(record, "allowSshPasswordAuthentication"),
                public_key_authentication=flag(record, "allowPublicKeyAuthentication"),
            ),
            "mfa_enabled": flag(record, "allowMultiFactorAuthentication"),
            "attributes": attributes(record.get("attributes")),
        }

    users = related(
        ACCESS_SYSTEMS,
        SYSTEM,
        "Users who can log into the system, directly or through user and system groups, "
        "with paths and sudo.",
    )
    system_groups = related(SYSTEM_MEMBERSHIP, SYSTEM, "System groups the system is in.")
    groups = related(GROUP_SYSTEMS, SYSTEM, "User groups bound to the system directly.")


@entity_type(SYSTEM_GROUP, "A JumpCloud system group (v2).")
class SystemGroup(GroupFields, Entity, Node):
    jumpcloud_id: strawberry.ID

    systems = related(SYSTEM_MEMBERSHIP, SYSTEM_GROUP, "Systems that are members of the group.")
    groups = related(GROUP_SYSTEM_GROUPS, SYSTEM_GROUP, "User groups bound to the system group.")
