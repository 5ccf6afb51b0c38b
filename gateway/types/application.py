"""The Application type: an SSO application, its bound groups and its effective users."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from gateway.model import ACCESS_APPLICATIONS, APPLICATION, GROUP_APPLICATIONS, Record
from gateway.types.common import flag, text, timestamp
from gateway.types.entity import Entity, entity_type
from gateway.types.fields import related
from gateway.types.relay import Node


@strawberry.type(description="An application's logo.")
class Logo:
    url: str | None
    color: str | None


@entity_type(APPLICATION, "A JumpCloud SSO application (v1 `applications`).")
class Application(Entity, Node):
    jumpcloud_id: strawberry.ID
    name: str
    display_name: str | None
    display_label: str | None
    description: str | None
    logo: Logo | None
    color: str | None
    sso_url: str | None
    sso_type: str | None = strawberry.field(description="JumpCloud sso.type, e.g. saml.")
    active: bool | None
    created: datetime | None

    @classmethod
    def scalars(cls, record: Record) -> dict[str, Any]:
        logo: dict[str, Any] | None = record.get("logo")
        sso: dict[str, Any] = record.get("sso") or {}
        return {
            "name": str(record.get("name") or ""),
            "display_name": text(record, "displayName"),
            "display_label": text(record, "displayLabel"),
            "description": text(record, "description"),
            "logo": Logo(url=logo.get("url"), color=logo.get("color")) if logo else None,
            "color": text(record, "color"),
            "sso_url": text(record, "ssoUrl"),
            "sso_type": None if sso.get("type") is None else str(sso["type"]),
            "active": flag(record, "active"),
            "created": timestamp(record, "created"),
        }

    groups = related(GROUP_APPLICATIONS, APPLICATION, "User groups bound to the application.")
    users = related(
        ACCESS_APPLICATIONS,
        APPLICATION,
        "Users who can reach the application, directly or through groups, with paths.",
    )
