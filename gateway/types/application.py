"""The Application type: an SSO application, its bound groups and its effective users."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.model import ACCESS_APPLICATIONS, APPLICATION, GROUP_APPLICATIONS, Record
from gateway.types.entity import Entity, derived, entity_type, source
from gateway.types.fields import related
from gateway.types.findings import subject_findings
from gateway.types.relay import Node


@strawberry.type(description="An application's logo.")
class Logo:
    url: str | None
    color: str | None


def _logo(record: Record) -> Logo | None:
    logo = record.get("logo")
    if not isinstance(logo, dict):
        return None
    return Logo(url=logo.get("url"), color=logo.get("color"))


@entity_type(APPLICATION, "A JumpCloud SSO application (v1 `applications`).")
class Application(Entity, Node):
    jumpcloud_id: strawberry.ID
    name: str
    display_name: str | None
    display_label: str | None
    description: str | None
    logo: Logo | None = derived(_logo)
    color: str | None
    sso_url: str | None
    sso_type: str | None = source("sso.type", description="JumpCloud sso.type, e.g. saml.")
    active: bool | None
    created: datetime | None

    groups = related(GROUP_APPLICATIONS, APPLICATION, "User groups bound to the application.")
    users = related(
        ACCESS_APPLICATIONS,
        APPLICATION,
        "Users who can reach the application, directly or through groups, with paths.",
    )

    findings = subject_findings(APPLICATION)
