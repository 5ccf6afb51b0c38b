"""Access findings: every kind on the seeded org, equal to the store, cheap, filterable, bounded."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from typing import Any

import pytest

from gateway.model import AccessPlan
from gateway.settings import Settings, SettingsError
from gateway.simulator.generate import findings_org
from gateway.simulator.store import Org
from tests import oracle
from tests.harness import Harness, gateway

ORG = findings_org()
EMAIL = re.compile(r"[^\s@]+@[^\s@]+")

FINDING = """kind severity summary
  subject { __typename ... on User { jumpcloudId } ... on Admin { jumpcloudId }
    ... on Application { jumpcloudId } ... on System { jumpcloudId } ... on Group { jumpcloudId } }
  target { __typename ... on User { jumpcloudId } ... on Application { jumpcloudId }
    ... on LdapServer { jumpcloudId } ... on RadiusServer { jumpcloudId }
    ... on System { jumpcloudId } }
  evidence { hops { from { type jumpcloudId } to { type jumpcloudId } } }"""

ROOT = """query($kinds: [FindingKind!], $severity: FindingSeverity, $after: String) {
  findings(kinds: $kinds, severity: $severity, first: 100, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { FINDING } } } }""".replace(
    "FINDING", FINDING
)

PER_OBJECT = """{
  users(first: 100) { edges { node { findings(first: 100) { totalCount edges { node { F } } } } } }
  admins { edges { node { findings { totalCount edges { node { F } } } } } }
  groups { edges { node { findings { totalCount edges { node { F } } } } } }
  applications { edges { node { findings { totalCount edges { node { F } } } } } }
  systems(first: 100) { edges { node { findings { totalCount edges { node { F } } } } } }
}""".replace("F", FINDING)


def proof(path: dict[str, Any]) -> oracle.Proof:
    """(user, target, route) of one evidence path, checked to chain hop by hop."""
    hops = path["hops"]
    assert hops[0]["from"]["type"] == "USER"
    for before, after in itertools.pairwise(hops):
        assert before["to"] == after["from"]
    route = tuple((h["to"]["type"].lower(), h["to"]["jumpcloudId"]) for h in hops[:-1])
    return hops[0]["from"]["jumpcloudId"], hops[-1]["to"]["jumpcloudId"], route


def as_tuple(node: dict[str, Any]) -> oracle.Finding:
    target = node["target"] or {}
    return (
        node["kind"],
        node["severity"],
        node["subject"]["__typename"],
        node["subject"]["jumpcloudId"],
        target.get("__typename"),
        target.get("jumpcloudId"),
        tuple(proof(p) for p in node["evidence"]),
    )


async def every_finding(gw: Harness, **variables: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await gw.query(ROOT, {**variables, "after": after}))["findings"]
        out += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            assert page["totalCount"] == len(out)
            return out
        after = page["pageInfo"]["endCursor"]


# ---- what is found ----------------------------------------------------------------------


def test_the_seeded_org_holds_every_kind_of_finding() -> None:
    assert {f[0] for f in oracle.findings(ORG)} == set(oracle.FINDING_KINDS)


def test_the_seeded_org_is_the_same_for_the_same_seed() -> None:
    assert findings_org() == ORG
    assert oracle.findings(findings_org(seed=1)) != oracle.findings(ORG)


@pytest.mark.parametrize("plan", [AccessPlan.AUTO, AccessPlan.PER_KEY])
async def test_findings_equal_the_store_in_their_stable_order(plan: AccessPlan) -> None:
    async with gateway(ORG, access_plan=plan) as gw:
        found = await every_finding(gw)
    assert [as_tuple(n) for n in found] == oracle.findings(ORG)
    assert {n["kind"] for n in found} == set(oracle.FINDING_KINDS)


async def test_summaries_are_one_plain_line_naming_objects_without_emails() -> None:
    async with gateway(ORG) as gw:
        found = await every_finding(gw)
    for node in found:
        summary = node["summary"]
        assert summary.endswith("."), summary
        assert "\n" not in summary, summary
        assert not EMAIL.search(summary), summary
    by_kind = {n["kind"]: n["summary"] for n in found}
    admin = next(a for a in ORG.admins.values() if not a["enableMultiFactor"])
    assert admin["firstname"] in by_kind["ADMIN_WITHOUT_MFA"]
    unreached = next(f for f in oracle.findings(ORG) if f[0] == "APPLICATION_WITHOUT_ACCESS")
    assert ORG.applications[unreached[3]]["displayLabel"] in by_kind["APPLICATION_WITHOUT_ACCESS"]


# ---- what it costs ----------------------------------------------------------------------


def _whole_org_reads(org: Org) -> int:
    """The reads the whole org's findings need: a page of users; the admins, groups,
    applications, LDAP and RADIUS servers and system groups whole; the system ids, then
    the reached systems' records; every application's, server's and system's users (the
    planner reads access from the targets' side for a whole list of users); one email
    lookup for the admins; the members of the groups on nobody's path, and the five kinds of
    binding of those that are empty."""
    on_paths = {
        i
        for u in org.users
        for routes, _ in oracle.reach(org, u).values()
        for r in routes
        for t, i in r
        if t == "user_group"
    }
    unseen = [g for g in org.groups if g not in on_paths]
    empty = [g for g in unseen if not oracle.members_of(org, g)]
    targets = len(org.applications) + len(org.ldap_servers) + len(org.radius_servers)
    return 1 + 6 + 2 + targets + len(org.systems) + 1 + len(unseen) + 5 * len(empty)


async def test_the_whole_orgs_findings_cost_45_upstream_calls_then_none() -> None:
    assert _whole_org_reads(ORG) == 45
    async with gateway(ORG) as gw:
        cold = await gw.calls(ROOT)
        counts = gw.log.counts()
        warm = await gw.calls(ROOT, {"severity": "LOW"})
    assert cold == 45
    assert counts["graph_applicationTraverseUser"] == len(ORG.applications)
    assert counts["graph_systemTraverseUser"] == len(ORG.systems)
    assert counts["systemusers_list"] == 2  # the users' page, the admins' email lookup
    assert "graph_userTraverseApplication" not in counts  # never per user
    assert warm == 0


async def test_one_objects_findings_read_only_what_it_needs() -> None:
    found = oracle.findings(ORG)
    flagged = next(f[3] for f in found if f[0] == "SUSPENDED_USER_WITH_ACCESS")
    quiet = next(u for u in sorted(ORG.users) if all(u not in (f[3], f[5]) for f in found))
    query = """query($id: ID!) { user(jumpcloudId: $id) { findings { totalCount } } }"""
    async with gateway(ORG) as gw:
        quiet_calls = await gw.calls(query, {"id": quiet})
    async with gateway(ORG) as gw:
        flagged_calls = await gw.calls(query, {"id": flagged})
        counts = gw.log.counts()
    # The user; its four kinds of access, each read per key once the planner has weighed
    # an index by the applications, servers and system ids; then, for a user with findings,
    # its systems' names.
    assert quiet_calls == 1 + 4 + 4
    assert flagged_calls == quiet_calls + 1
    assert counts["graph_userTraverseApplication"] == 1


async def test_a_findings_page_inside_a_users_page_is_bounded_by_the_cost_limit() -> None:
    # 100 users x 100 findings x 10 applications each: 100,000 objects, over the 50,000.
    query = """{ users(first: 100) { edges { node { findings(first: 100) { edges { node {
      subject { ... on User { applications(first: 10) { totalCount } } } } } } } } } }"""
    async with gateway(ORG) as gw:
        response = await gw.post(query)
        calls = gw.log.total
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert calls == 0


# ---- per object, and filtered -------------------------------------------------------------


async def test_each_objects_findings_are_the_root_list_filtered_by_subject() -> None:
    async with gateway(ORG, max_cost=10_000_000) as gw:
        root = await every_finding(gw)
        data = await gw.query(PER_OBJECT)
    seen = 0
    for field in ("users", "admins", "groups", "applications", "systems"):
        for edge in data[field]["edges"]:
            listed = edge["node"]["findings"]
            mine = [n["node"] for n in listed["edges"]]
            assert listed["totalCount"] == len(mine)
            subject = mine[0]["subject"] if mine else None
            if subject is None:
                continue
            want = [n for n in root if n["subject"] == subject]
            assert mine == want
            seen += len(mine)
    assert seen == len(root)  # every finding's subject lists it


async def test_findings_filter_by_kinds_and_by_minimum_severity() -> None:
    want = oracle.findings(ORG)
    async with gateway(ORG) as gw:
        kinds = ["DIRECT_BINDING", "ADMIN_WITHOUT_MFA"]
        by_kind = await every_finding(gw, kinds=kinds)
        severe = await every_finding(gw, severity="HIGH")
        calls = gw.log.total
        admins_only = await gw.calls(ROOT, {"kinds": ["ADMIN_WITHOUT_MFA"]})
    assert [as_tuple(n) for n in by_kind] == [f for f in want if f[0] in kinds]
    assert [as_tuple(n) for n in severe] == [f for f in want if f[1] in ("HIGH", "CRITICAL")]
    assert Counter(n["severity"] for n in severe).keys() == {"HIGH", "CRITICAL"}
    assert calls > 0
    assert admins_only == 0  # served from what the first request read


async def test_admin_kinds_alone_read_no_users() -> None:
    async with gateway(ORG) as gw:
        found = await every_finding(gw, kinds=["ADMIN_WITHOUT_MFA"])
        counts = gw.log.counts()
    assert [as_tuple(n) for n in found] == [
        f for f in oracle.findings(ORG) if f[0] == "ADMIN_WITHOUT_MFA"
    ]
    assert counts == Counter({"admins_list": 1})


# ---- configuration ----------------------------------------------------------------------


def test_broad_access_threshold_is_read_and_validated() -> None:
    assert Settings.from_env({}, demo=True).broad_access_applications == 10
    env = {"JCGRAPH_BROAD_ACCESS_APPLICATIONS": "3"}
    assert Settings.from_env(env, demo=True).broad_access_applications == 3
    with pytest.raises(SettingsError, match="JCGRAPH_BROAD_ACCESS_APPLICATIONS"):
        Settings.from_env({"JCGRAPH_BROAD_ACCESS_APPLICATIONS": "-1"}, demo=True)


async def test_the_broad_access_threshold_comes_from_the_setting() -> None:
    kind = "ADMIN_ALSO_USER_WITH_BROAD_ACCESS"
    async with gateway(ORG, broad_access_applications=0) as gw:
        found = await every_finding(gw, kinds=[kind])
    want = [f for f in oracle.findings(ORG, broad=0) if f[0] == kind]
    assert [as_tuple(n) for n in found] == want
    assert len(want) > len([f for f in oracle.findings(ORG) if f[0] == kind])
