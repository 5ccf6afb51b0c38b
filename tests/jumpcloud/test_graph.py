"""Graph reads: the right path and targets, every page, checked against x-total-count."""

from __future__ import annotations

import httpx
import pytest

from gateway.jumpcloud import Filter, GraphType, InvalidQueryError, Op, UpstreamInconsistentError

from .fakes import FakeJumpCloud, object_id

GROUP = object_id(7)


def members(n: int) -> list[dict[str, object]]:
    return [{"to": {"id": object_id(i), "type": "user"}, "attributes": None} for i in range(n)]


async def test_members_of_a_group_are_read_in_pages_of_100() -> None:
    fake = FakeJumpCloud(edges=members(250))
    async with fake.client() as client:
        edges = await client.graph(GraphType.USER_GROUP, GROUP, "members")
    assert edges == fake.edges
    assert {r.url.path for r in fake.requests} == {f"/api/v2/usergroups/{GROUP}/members"}
    assert client.calls.counts() == {("GET /api/v2/usergroups/{id}/members", 200): 3}


async def test_associations_send_targets() -> None:
    fake = FakeJumpCloud(edges=[{"to": {"id": object_id(1), "type": "application"}}])
    async with fake.client() as client:
        await client.graph(
            GraphType.USER_GROUP, GROUP, "associations", targets=GraphType.APPLICATION
        )
    assert fake.requests[0].url.params["targets"] == "application"


async def test_traversals_take_v2_filters() -> None:
    fake = FakeJumpCloud(edges=[{"id": object_id(1), "type": "user_group", "paths": []}])
    async with fake.client() as client:
        await client.graph(
            GraphType.USER,
            object_id(1),
            "memberof",
            filters=[Filter("type", Op.V2_EQ, "user_group")],
        )
    assert fake.requests[0].url.params["filter"] == "type:eq:user_group"
    assert fake.requests[0].url.path == f"/api/v2/users/{object_id(1)}/memberof"


@pytest.mark.parametrize(
    ("source", "relation", "targets", "filters"),
    [
        (GraphType.USER, "members", None, ()),  # users have no members
        (GraphType.USER_GROUP, "associations", None, ()),  # targets required
        (GraphType.APPLICATION, "associations", GraphType.LDAP_SERVER, ()),  # not a target
        (GraphType.USER_GROUP, "members", GraphType.USER, ()),  # targets on a non-association
        (GraphType.USER_GROUP, "members", None, (Filter("type", Op.V2_EQ, "user"),)),
        (GraphType.USER, "memberof", None, (Filter("type", Op.EQ, "user_group"),)),  # v1 op
        (GraphType.USER, "../admin", None, ()),
    ],
)
async def test_impossible_graph_reads_are_refused_before_any_call(
    source: GraphType,
    relation: str,
    targets: GraphType | None,
    filters: tuple[Filter, ...],
) -> None:
    fake = FakeJumpCloud()
    async with fake.client() as client:
        with pytest.raises(InvalidQueryError):
            await client.graph(source, object_id(1), relation, targets=targets, filters=filters)
    assert fake.requests == []


async def test_a_graph_short_of_its_total_raises() -> None:
    fake = FakeJumpCloud()
    fake.answer = lambda request: httpx.Response(  # type: ignore[method-assign]
        200, json=members(3), headers={"x-total-count": "4"}
    )
    async with fake.client() as client:
        with pytest.raises(UpstreamInconsistentError):
            await client.graph(GraphType.USER, object_id(1), "applications")


def test_graph_types_know_their_path_segment() -> None:
    assert [t.plural for t in GraphType] == [
        "users",
        "usergroups",
        "applications",
        "ldapservers",
        "radiusservers",
        "systems",
        "systemgroups",
    ]
