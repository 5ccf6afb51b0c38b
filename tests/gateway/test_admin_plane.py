"""The admin plane joined to the user plane: roles, scopes, who can administer what."""

from __future__ import annotations

from gateway.simulator.store import demo_org
from tests.harness import gateway

ORG = demo_org()


def role_ids(admin: dict[str, object]) -> set[str]:
    roles = admin.get("roles") or [admin.get("role")]
    assert isinstance(roles, list)
    return {str(r) for r in roles if r}


async def test_user_admin_and_admin_user_join_on_email() -> None:
    users_by_email = {u["email"]: u["_id"] for u in ORG.users.values()}
    joined = [a for a in ORG.admins.values() if a["email"] in users_by_email]
    assert joined, "the demo org has admins who are also users"
    query = """query($email: String!) { user(email: $email) { jumpcloudId
      admin { jumpcloudId email user { jumpcloudId } } } }"""
    async with gateway(ORG) as gw:
        for admin in joined:
            user = (await gw.query(query, {"email": admin["email"]}))["user"]
            assert user["admin"]["jumpcloudId"] == admin["_id"]
            assert user["admin"]["user"]["jumpcloudId"] == users_by_email[admin["email"]]
        plain = next(
            u for u in ORG.users.values() if u["email"] not in {a["email"] for a in joined}
        )
        alone = (await gw.query(query, {"email": plain["email"]}))["user"]
    assert alone["admin"] is None


async def test_role_admins_and_scopes_equal_the_store() -> None:
    query = """{ roles { totalCount edges { node { jumpcloudId name scopes isCustom
      admins { edges { node { jumpcloudId } } } } } } }"""
    async with gateway(ORG) as gw:
        roles = (await gw.query(query))["roles"]
    assert roles["totalCount"] == len(ORG.roles)
    for edge in roles["edges"]:
        role = edge["node"]
        record = ORG.roles[role["jumpcloudId"]]
        assert role["scopes"] == record["scopes"]
        assert role["isCustom"] is bool(record.get("isCustom"))
        holders = {a["_id"] for a in ORG.admins.values() if role["jumpcloudId"] in role_ids(a)}
        assert {e["node"]["jumpcloudId"] for e in role["admins"]["edges"]} == holders


async def test_who_can_administer_applications_follows_role_scopes() -> None:
    def grants(scopes: list[str], wanted: str) -> bool:
        return wanted in scopes or (
            wanted.endswith(".readonly") and wanted.removesuffix(".readonly") in scopes
        )

    query = (
        """query($s: String!) { adminsWithScope(scope: $s) { edges { node { jumpcloudId } } } }"""
    )
    async with gateway(ORG) as gw:
        for scope in ("applications", "applications.readonly", "administrators", "billing"):
            got = {
                e["node"]["jumpcloudId"]
                for e in (await gw.query(query, {"s": scope}))["adminsWithScope"]["edges"]
            }
            want = {
                a["_id"]
                for a in ORG.admins.values()
                if any(grants(ORG.roles[r]["scopes"], scope) for r in role_ids(a) if r in ORG.roles)
            }
            assert got == want, scope


async def test_an_index_build_reports_its_cost_in_metrics() -> None:
    query = """{ users(first: 100) { edges { node { applications { totalCount } } } } }"""
    async with gateway(ORG) as gw:
        await gw.query(query)
        traversals = gw.log.count(operation="graph_applicationTraverseUser")
        metrics = (await gw.http.get("/metrics")).text
    assert traversals >= len(ORG.applications)  # one per application, plus extra pages
    assert 'jcgraph_index_builds_total{relation="access-applications"} 1.0' in metrics
    assert (
        f'jcgraph_index_build_upstream_calls_total{{relation="access-applications"}} {traversals}.0'
        in metrics
    )
