"""The User type: a JumpCloud system user, its groups, effective access and admin account."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import strawberry

from gateway.context import Info
from gateway.model import (
    ACCESS_APPLICATIONS,
    ACCESS_LDAP,
    ACCESS_RADIUS,
    ACCESS_SYSTEMS,
    ADMIN,
    MEMBERSHIP,
    USER,
    Record,
    record_id,
)
from gateway.types.common import Attribute
from gateway.types.entity import Entity, derived, entity_type, fetch, reference, source
from gateway.types.fields import related
from gateway.types.findings import subject_findings
from gateway.types.relay import Node


@strawberry.enum(description="A system user's account state (JumpCloud `state`).")
class UserState(enum.Enum):
    ACTIVATED = strawberry.enum_value("ACTIVATED", description="Active: the user can log in.")
    SUSPENDED = strawberry.enum_value(
        "SUSPENDED", description="Suspended: logins are refused until an admin restores it."
    )
    STAGED = strawberry.enum_value(
        "STAGED", description="Created but not activated yet: no login until activation."
    )


@strawberry.type(description="Multi-factor authentication status of a user.")
class MfaStatus:
    configured: bool = strawberry.field(
        description="JumpCloud `mfa.configured`: whether MFA is set up for the user."
    )
    overall_status: str | None = strawberry.field(
        description="JumpCloud mfaEnrollment.overallStatus, e.g. ENROLLED or NOT_ENROLLED."
    )
    totp_status: str | None = strawberry.field(
        description="JumpCloud mfaEnrollment.totpStatus: the TOTP authenticator's status."
    )
    push_status: str | None = strawberry.field(
        description="JumpCloud mfaEnrollment.pushStatus: JumpCloud Protect push's status."
    )
    webauthn_status: str | None = strawberry.field(
        description="JumpCloud mfaEnrollment.webAuthnStatus: security keys' status."
    )


def _mfa(record: Record) -> MfaStatus:
    mfa: dict[str, Any] = record.get("mfa") or {}
    enrollment: dict[str, Any] = record.get("mfaEnrollment") or {}
    return MfaStatus(
        configured=bool(mfa.get("configured")),
        overall_status=enrollment.get("overallStatus"),
        totp_status=enrollment.get("totpStatus"),
        push_status=enrollment.get("pushStatus"),
        webauthn_status=enrollment.get("webAuthnStatus"),
    )


def _display_name(record: Record) -> str | None:
    names = " ".join(str(p) for p in (record.get("firstname"), record.get("lastname")) if p)
    return record.get("displayname") or names or None


def _state(record: Record) -> UserState:
    try:
        return UserState(record.get("state") or "ACTIVATED")
    except ValueError:
        return UserState.SUSPENDED if record.get("suspended") else UserState.ACTIVATED


async def _admin_id(user: User, info: Info) -> str | None:
    record = await info.context.loaders.admins_by_email.load(user.email)
    return None if record is None else record_id(record)


@entity_type(USER, "A JumpCloud system user (v1 `systemusers`).")
class User(Entity, Node):
    jumpcloud_id: strawberry.ID
    username: str = strawberry.field(description="The login name on systems and LDAP.")
    email: str = strawberry.field(description="The user's email address, as JumpCloud holds it.")
    firstname: str | None = strawberry.field(description="First name; null when not set.")
    lastname: str | None = strawberry.field(description="Last name; null when not set.")
    display_name: str | None = derived(
        _display_name, description="`displayname`, else first and last name."
    )
    state: UserState = derived(
        _state, description="The account state (`state`; SUSPENDED for a legacy `suspended`)."
    )
    suspended: bool = strawberry.field(description="JumpCloud `suspended`: login is refused.")
    locked: bool = source("account_locked", description="Locked out after failed logins.")
    mfa: MfaStatus = derived(_mfa, description="Multi-factor authentication set-up.")
    created: datetime | None = strawberry.field(description="When the account was created.")
    department: str | None = strawberry.field(description="Department, as HR data gives it.")
    job_title: str | None = strawberry.field(description="Job title (`jobTitle`).")
    employee_identifier: str | None = strawberry.field(
        description="The employee number or HR id (`employeeIdentifier`)."
    )
    attributes: list[Attribute] = strawberry.field(
        description="Custom attributes set on the user; empty when none."
    )

    @classmethod
    async def resolve_reference(  # a second key: email
        cls, info: Info, jumpcloudId: strawberry.ID | None = None, email: str | None = None
    ) -> User | None:
        if jumpcloudId is None and email is not None:
            user_id = await info.context.loaders.lookup(USER, "email").load(email)
        else:
            user_id = jumpcloudId
        return await fetch(info, cls, user_id)

    groups = related(MEMBERSHIP, USER, "Groups the user is a member of.")
    applications = related(
        ACCESS_APPLICATIONS,
        USER,
        "Applications the user can reach, directly or through groups, with paths.",
    )
    ldap_servers = related(ACCESS_LDAP, USER, "LDAP servers the user can bind to, with paths.")
    radius_servers = related(
        ACCESS_RADIUS, USER, "RADIUS servers the user can authenticate to, with paths."
    )
    systems = related(
        ACCESS_SYSTEMS,
        USER,
        "Systems the user can log into, directly or through user and system groups, with "
        "paths and sudo.",
    )

    admin = reference(ADMIN, "The console administrator with the same email, if any.", _admin_id)

    findings = subject_findings(USER)
