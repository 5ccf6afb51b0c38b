"""A failed read nulls the smallest field backed by it; everything else still arrives."""

from __future__ import annotations

from typing import Any

from gateway.simulator.store import OrgSizes, generate_org
from tests.harness import gateway

QUERY = """{ users(first: 25) { edges { node { jumpcloudId email
  groups { totalCount edges { node { name } } }
  applications { edges { kind node { name }
    paths { direct viaGroupId via { name } hops { from { jumpcloudId } } } } }
  systems { edges { kind sudo { enabled } node { hostname }
    paths { direct viaGroupId viaSystemGroupId } } } } } } }"""


def check_paths(edges: list[dict[str, Any]]) -> int:
    """Every path says what it is without any read: direct, or the groups it goes through."""
    indirect = 0
    for edge in edges:
        for path in edge["paths"]:
            if not path["direct"]:
                indirect += 1
                assert path.get("viaGroupId") or path.get("viaSystemGroupId"), edge
        kinds = {p["direct"] for p in edge["paths"]}
        assert edge["kind"] == {frozenset({True}): "DIRECT", frozenset({False}): "INDIRECT"}.get(
            frozenset(kinds), "BOTH"
        )
    return indirect


async def test_half_the_upstream_failing_never_nulls_the_whole_response() -> None:
    org = generate_org(OrgSizes(users=60, groups=12, applications=8), seed=31)
    answered = failed_fields = indirect = 0
    for seed in range(12):
        async with gateway(org, breaker_threshold=10_000) as gw:
            gw.faults.error_rate = 0.5
            gw.faults._rng.seed(seed)
            payload = (await gw.post(QUERY)).json()
        assert payload["data"] is not None  # never `data: null` for a failed nested read
        users = payload["data"]["users"]
        if users is None:  # the page itself failed: that field alone is null
            assert any(e["path"] == ["users"] for e in payload["errors"])
            continue
        answered += 1
        for edge in users["edges"]:
            user = edge["node"]
            assert user["jumpcloudId"] in org.users
            for field in ("groups", "applications", "systems"):
                if user[field] is None:
                    failed_fields += 1
                    continue
                if field != "groups":
                    indirect += check_paths(user[field]["edges"])
        for error in payload.get("errors", []):
            assert error["extensions"]["code"].startswith("UPSTREAM"), error
    assert answered >= 3  # the failure pattern let the page through several times
    assert failed_fields > 0  # and some nested reads failed, alone
    assert indirect > 0
