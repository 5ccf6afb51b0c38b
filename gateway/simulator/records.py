"""Builders for one collection of realistic JumpCloud records each, with the spec's field names."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from gateway.simulator import names
from gateway.simulator.ids import ObjectIds, builtin_role_id, iso

Records = dict[str, dict[str, Any]]
_MFA_STATUSES = ("NOT_ENROLLED", "ENROLLED")


@dataclass(frozen=True)
class Context:
    """What every record builder needs: the RNG, the id maker, and the org."""

    rng: random.Random
    ids: ObjectIds
    org_id: str
    domain: str


def _iso(ctx: Context, timestamp: int) -> str:
    return iso(timestamp, ctx.rng)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-").replace("--", "-")


def roles(ctx: Context, custom: int, stamps: list[int]) -> Records:
    """Built-in roles (fixed ids, ``isCustom`` false) then the org's custom roles."""
    result: Records = {}
    for index, (name, description, scopes) in enumerate(names.BUILTIN_ROLES):
        role_id = builtin_role_id(index)
        result[role_id] = {
            "id": role_id,
            "name": name,
            "description": description,
            "scopes": list(scopes),
            "isCustom": False,
            "organizationIds": [],
        }
    for index, stamp in enumerate(stamps):
        name, description, scopes = names.CUSTOM_ROLES[index % len(names.CUSTOM_ROLES)]
        if index >= len(names.CUSTOM_ROLES):
            name = f"{name} {index // len(names.CUSTOM_ROLES) + 1}"
        role_id = ctx.ids.make(stamp)
        result[role_id] = {
            "id": role_id,
            "name": name,
            "description": description,
            "scopes": list(scopes),
            "isCustom": True,
            "organizationIds": [ctx.org_id],
        }
    return result


def groups(ctx: Context, count: int, stamps: list[int]) -> Records:
    result: Records = {}
    for index, stamp in enumerate(stamps):
        if index < len(names.GROUP_NAMES):
            name, description = names.GROUP_NAMES[index]
        else:
            name, description = f"Project Team {index + 1}", "Project workspace access"
        slug = _slug(name)
        dynamic = index > 0 and ctx.rng.random() < 0.15
        group_id = ctx.ids.make(stamp)
        result[group_id] = {
            "id": group_id,
            "name": name,
            "description": description,
            "email": f"{slug}@{ctx.domain}",
            "type": "user_group",
            "membershipMethod": "DYNAMIC_AUTOMATED" if dynamic else "STATIC",
            "memberQuery": (
                {
                    "queryType": "FilterQuery",
                    "filters": [{"field": "department", "operator": "eq", "value": name}],
                }
                if dynamic
                else None
            ),
            "memberQueryExemptions": [],
            "memberQueryErrorFlags": [],
            "memberSuggestionsNotify": False,
            "suggestionCounts": {"add": 0, "remove": 0, "total": 0},
            "organizationObjectId": ctx.org_id,
            "attributes": {
                "sudo": {"enabled": name == "IT Admins", "withoutPassword": False},
                "ldapGroups": [{"name": slug}],
                "posixGroups": [{"id": 5000 + index, "name": slug}],
            },
        }
    return result


def _form_field(label: str, position: int, value: str) -> dict[str, Any]:
    return {
        "label": label,
        "position": position,
        "readOnly": False,
        "required": True,
        "tooltip": None,
        "type": "text",
        "value": value,
        "visible": True,
    }


def applications(ctx: Context, count: int, stamps: list[int]) -> Records:
    result: Records = {}
    catalog = names.APPLICATIONS
    for index, stamp in enumerate(stamps):
        name, label, sso_type, color = catalog[index % len(catalog)]
        if index >= len(catalog):
            name, label = (
                f"{name}-{index // len(catalog) + 1}",
                f"{label} {index // len(catalog) + 1}",
            )
        app_id = ctx.ids.make(stamp)
        slug = _slug(name)
        config: dict[str, Any]
        if sso_type == "bookmark":
            sso_url, config = f"https://intranet.{ctx.domain}/", {}
        elif sso_type == "oidc":
            sso_url, config = f"https://sso.jumpcloud.com/oidc/{slug}", {}
        else:
            sso_url = f"https://sso.jumpcloud.com/saml2/{slug}"
            config = {
                "idpEntityId": _form_field("IdP Entity ID", 1, f"JumpCloud-{ctx.org_id}"),
                "spEntityId": _form_field("SP Entity ID", 2, f"https://{slug}.example/saml"),
                "acsUrl": _form_field("ACS URL", 3, f"https://{slug}.example/saml/acs"),
            }
        result[app_id] = {
            "_id": app_id,
            "name": name,
            "displayName": label,
            "displayLabel": label,
            "description": f"{label} single sign-on",
            "ssoUrl": sso_url,
            "active": ctx.rng.random() > 0.1,
            "beta": False,
            "color": color,
            "logo": {
                "url": f"https://console.jumpcloud.com/img/application-logos/{slug}.png",
                "color": color,
            },
            "learnMore": "",
            "created": _iso(ctx, stamp),
            "organization": ctx.org_id,
            "databaseAttributes": [],
            "sso": {"type": sso_type, "beta": False, "jit": False, "hidden": False},
            "config": config,
        }
    return result


def ldap_servers(ctx: Context, count: int, stamps: list[int]) -> Records:
    result: Records = {}
    for index, stamp in enumerate(stamps):
        base = names.LDAP_SERVER_NAMES[index % len(names.LDAP_SERVER_NAMES)]
        server_id = ctx.ids.make(stamp)
        result[server_id] = {
            "id": server_id,
            "name": base if index < len(names.LDAP_SERVER_NAMES) else f"{base} {index + 1}",
            "userLockoutAction": "disable",
            "userPasswordExpirationAction": "disable" if index % 2 == 0 else "remove",
        }
    return result


def radius_servers(ctx: Context, count: int, stamps: list[int]) -> Records:
    result: Records = {}
    for index, stamp in enumerate(stamps):
        base = names.RADIUS_SERVER_NAMES[index % len(names.RADIUS_SERVER_NAMES)]
        server_id = ctx.ids.make(stamp)
        result[server_id] = {
            "_id": server_id,
            "name": base if index < len(names.RADIUS_SERVER_NAMES) else f"{base} {index + 1}",
            "networkSourceIp": f"203.0.113.{(10 + index) % 250}",
            "sharedSecret": f"simulated-{ctx.rng.getrandbits(48):012x}",
            "organization": ctx.org_id,
            "authIdp": "JUMPCLOUD",
            "mfa": ctx.rng.choice(("DISABLED", "ENABLED", "REQUIRED")),
            "userLockoutAction": "disable",
            "userPasswordExpirationAction": "disable",
            "userPasswordEnabled": True,
            "userCertEnabled": False,
            "deviceCertEnabled": False,
            "caSource": "NONE",
            "requireTlsAuth": False,
            "radsecEnabled": False,
            "requireRadsec": False,
            "tags": [],
            "tagNames": [],
        }
    return result
