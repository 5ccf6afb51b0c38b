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
    url: str | None = strawberry.field(description="Where the logo image is served.")
    color: str | None = strawberry.field(description="The logo's background colour.")


def _logo(record: Record) -> Logo | None:
    logo = record.get("logo")
    if not isinstance(logo, dict):
        return None
    return Logo(url=logo.get("url"), color=logo.get("color"))


@entity_type(APPLICATION, "A JumpCloud SSO application (v1 `applications`).")
class Application(Entity, Node):
    jumpcloud_id: strawberry.ID
    name: str = strawberry.field(description="JumpCloud's name of the application's connector.")
    display_name: str | None = strawberry.field(description="The name the console shows.")
    display_label: str | None = strawberry.field(
        description="The label users see on their portal; null when not set."
    )
    description: str | None = strawberry.field(description="Free text an admin wrote.")
    logo: Logo | None = derived(_logo, description="The logo; null when there is none.")
    color: str | None = strawberry.field(description="The tile's colour on the user portal.")
    sso_url: str | None = strawberry.field(description="Where users start single sign-on.")
    sso_type: str | None = source("sso.type", description="JumpCloud sso.type, e.g. saml.")
    active: bool | None = strawberry.field(description="Whether users can sign in to it now.")
    created: datetime | None = strawberry.field(description="When it was added to JumpCloud.")

    groups = related(GROUP_APPLICATIONS, APPLICATION, "User groups bound to the application.")
    users = related(
        ACCESS_APPLICATIONS,
        APPLICATION,
        "Users who can reach the application, directly or through groups, with paths.",
    )

    findings = subject_findings(APPLICATION)
