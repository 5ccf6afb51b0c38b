"""The findings about console administrators: no MFA, or a system user with broad access."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.findings_facts import display_name
from gateway.findings_kinds import FindingKind, Found, K, Severity, evidence_of
from gateway.loaders import Loaders
from gateway.model import (
    ACCESS_APPLICATIONS,
    ADMIN,
    APPLICATION,
    USER,
    Record,
    ordered_routes,
    record_id,
)


async def admin_findings(
    loaders: Loaders, admins: Sequence[Record], broad: int, wanted: set[FindingKind]
) -> list[Found]:
    """The findings of `wanted` kinds about `admins` (the suspended raise none); `broad`:
    how many applications an administrator's system user may reach before it is one."""
    active = [a for a in admins if not a.get("suspended")]
    out: list[Found] = []
    if K.ADMIN_WITHOUT_MFA in wanted:
        out += [
            Found(
                K.ADMIN_WITHOUT_MFA,
                Severity.CRITICAL,
                ADMIN,
                record_id(a),
                f"Console administrator {display_name(ADMIN, a, record_id(a))} has neither MFA "
                "(enableMultiFactor) nor TOTP enrolled.",
            )
            for a in active
            if not a.get("enableMultiFactor") and not a.get("totpEnrolled")
        ]
    if K.ADMIN_ALSO_USER_WITH_BROAD_ACCESS not in wanted:
        return out
    # The user with the same email, found as `Admin.user` finds it.
    emailed = [a for a in active if a.get("email")]
    user_ids = await loaders.lookup(USER, "email").load_many([str(a["email"]) for a in emailed])
    matched = [(a, u) for a, u in zip(emailed, user_ids, strict=True) if u is not None]
    reached = await loaders.edges(ACCESS_APPLICATIONS, USER).load_many([u for _, u in matched])
    broad_users = [(a, u, r) for (a, u), r in zip(matched, reached, strict=True) if len(r) > broad]
    users = await loaders.record(USER).load_many([u for _, u, _ in broad_users])
    for (admin, user_id, applications), user in zip(broad_users, users, strict=True):
        admin_id = record_id(admin)
        out.append(
            Found(
                K.ADMIN_ALSO_USER_WITH_BROAD_ACCESS,
                Severity.MEDIUM,
                ADMIN,
                admin_id,
                f"Console administrator {display_name(ADMIN, admin, admin_id)} is also user "
                f"{display_name(USER, user, user_id)}, who reaches {len(applications)} "
                f"applications (more than {broad}).",
                USER,
                user_id,
                tuple(
                    e
                    for n in applications
                    for e in evidence_of(user_id, APPLICATION, n.id, ordered_routes(n.routes))
                ),
            )
        )
    return out
