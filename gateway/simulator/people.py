"""Builders for system users and console administrators."""

from __future__ import annotations

import itertools
from typing import Any

from gateway.simulator import names
from gateway.simulator.ids import iso
from gateway.simulator.records import Context, Records

_DEPARTMENT_NAMES = [d[0] for d in names.DEPARTMENTS]
_DEPARTMENT_WEIGHTS = [d[1] for d in names.DEPARTMENTS]
_TITLES = {d[0]: d[2] for d in names.DEPARTMENTS}
# Admin role plan after the owner and the multi-role admin (role names from JumpCloud's
# PowerShell module).
_ADMIN_ROLES = ("Administrator", "Manager", "Help Desk", "Read Only", "Command Runner")


def _status(enrolled: bool) -> str:
    return "ENROLLED" if enrolled else "NOT_ENROLLED"


def users(ctx: Context, count: int, stamps: list[int]) -> Records:
    """System users: mostly ACTIVATED, a few SUSPENDED/STAGED/locked; unique usernames."""
    rng = ctx.rng
    departments = rng.choices(_DEPARTMENT_NAMES, _DEPARTMENT_WEIGHTS, k=count)
    seen: dict[str, int] = {}
    result: Records = {}
    for index, (stamp, department) in enumerate(zip(stamps, departments, strict=True)):
        first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
        base = f"{first}.{last}".lower()
        seen[base] = seen.get(base, 0) + 1
        username = base if seen[base] == 1 else f"{base}{seen[base]}"
        roll = rng.random()
        state = "SUSPENDED" if roll < 0.05 else "STAGED" if roll < 0.09 else "ACTIVATED"
        locked = state == "ACTIVATED" and rng.random() < 0.02
        mfa = state != "STAGED" and rng.random() < 0.75
        totp = mfa and rng.random() < 0.8
        push = mfa and not totp
        created = iso(stamp, rng)
        user_id = ctx.ids.make(stamp)
        attributes = [{"name": "badgeId", "value": f"B-{rng.randrange(10000, 99999)}"}]
        if department == "Engineering":
            attributes.append({"name": "shell", "value": rng.choice(("/bin/zsh", "/bin/bash"))})
        result[user_id] = {
            "_id": user_id,
            "username": username,
            "email": f"{username}@{ctx.domain}",
            "firstname": first,
            "middlename": "",
            "lastname": last,
            "displayname": f"{first} {last}",
            "state": state,
            "activated": state != "STAGED",
            "suspended": state == "SUSPENDED",
            "account_locked": locked,
            "account_locked_date": created if locked else None,
            "created": created,
            "organization": ctx.org_id,
            "attributes": attributes,
            "mfa": {"configured": mfa, "exclusion": False},
            "mfaEnrollment": {
                "overallStatus": _status(mfa),
                "totpStatus": _status(totp),
                "pushStatus": _status(push),
                "webAuthnStatus": "NOT_ENROLLED",
                "smsStatus": "NOT_ENROLLED",
                "jcGoStatus": "NOT_ENROLLED",
            },
            "totp_enabled": totp,
            "enable_user_portal_multifactor": mfa,
            "department": department,
            "jobTitle": rng.choice(_TITLES[department]),
            "employeeIdentifier": f"E{index + 1:05d}",
            "employeeType": "Contractor" if rng.random() < 0.08 else "Full Time",
            "company": "",
            "costCenter": f"CC-{100 + _DEPARTMENT_NAMES.index(department)}",
            "location": rng.choice(names.LOCATIONS),
            "description": "",
            "admin": None,
            "addresses": [],
            "phoneNumbers": [],
            "relationships": [],
            "restrictedFields": [],
            "ssh_keys": [],
            "tags": [],
            "sudo": False,
            "passwordless_sudo": False,
            "password_expired": False,
            "password_never_expires": False,
            "allow_public_key": True,
            "enable_managed_uid": False,
            "unix_uid": 5000 + index,
            "unix_guid": 5000 + index,
            "ldap_binding_user": False,
            "samba_service_user": False,
            "externally_managed": False,
            "external_source_type": "",
            "badLoginAttempts": 0,
            "disableDeviceMaxLoginAttempts": False,
            "creationSource": "jumpcloud:manual",
            "delegatedAuthority": None,
            "managedAppleId": "",
        }
    return result


def admins(ctx: Context, count: int, stamps: list[int], roles: Records, users: Records) -> Records:
    """Console admins: an owner, a "Multi Role" admin, then a spread of roles.

    About half share the email of a system user (the gateway joins admin and user by
    email); that user's ``admin`` field then points back at the admin.
    """
    rng = ctx.rng
    by_name = {role["name"]: role for role in roles.values()}
    custom = [role["name"] for role in roles.values() if role["isCustom"]]
    plan = itertools.chain(
        [("Administrator With Billing",), ("Administrator", "Help Desk")],
        itertools.cycle([(name,) for name in (*_ADMIN_ROLES, *custom)]),
    )
    linked = iter(rng.sample(list(users), min(len(users), (count + 1) // 2)))
    result: Records = {}
    for index, (stamp, role_names) in enumerate(zip(stamps, plan, strict=False)):
        admin_id = ctx.ids.make(stamp)
        user = users.get(next(linked, ""), None) if index % 2 == 0 else None
        if user is not None:
            email, first, last = user["email"], user["firstname"], user["lastname"]
        else:
            first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
            email = f"it-{first.lower()}.{last.lower()}@{ctx.domain}"
        role_ids = [by_name[name]["id"] for name in role_names]
        role_name = role_names[0] if len(role_names) == 1 else "Multi Role"
        mfa = rng.random() < 0.85
        created = iso(stamp, rng)
        record: dict[str, Any] = {
            "_id": admin_id,
            "email": email,
            "firstname": first,
            "lastname": last,
            "organization": ctx.org_id,
            "role": role_ids[0],
            "roleName": role_name,
            "roles": role_ids,
            "roleNames": list(role_names),
            "enableMultiFactor": mfa,
            "totpEnrolled": mfa,
            "suspended": index == count - 1 and count >= 5,
            "created": created,
            "passwordUpdatedAt": created,
            "apiKeyAllowed": index < 2,
            "apiKeySet": index < 2,
        }
        if mfa:
            record["totpUpdatedAt"] = created
        result[admin_id] = record
        if user is not None:
            user["admin"] = {"id": admin_id, "roleName": role_name, "roleNames": list(role_names)}
    return result
