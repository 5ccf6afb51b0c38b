"""Cursors belong to their list: they hold the list (field, owner, filter, order) and a
position that survives items added and removed between pages; `first: 0` never leaves a
walk without a cursor to go on from."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from gateway.simulator.store import Org, OrgSizes, generate_org
from tests import oracle
from tests.harness import Harness, gateway

USERS = """query($first: Int, $after: String, $order: UserOrder, $filter: UserFilter) {
  users(first: $first, after: $after, orderBy: $order, filter: $filter) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { jumpcloudId email } } } }"""


@pytest.fixture
def org() -> Org:
    return generate_org(OrgSizes(users=40, groups=5, applications=4), seed=11)


def add_user(org: Org, user_id: str, email: str) -> None:
    """A new user in the simulator's store, as if created in JumpCloud between two pages."""
    record = copy.deepcopy(next(iter(org.users.values())))
    record.update(_id=user_id, email=email, username=email.split("@")[0])
    org.users[user_id] = record


def bumped(user_id: str, by: int) -> str:
    """An id next to `user_id` (ObjectIds are 24 hex digits, ordered as text)."""
    return f"{int(user_id, 16) + by:024x}"


async def walk(
    gw: Harness, between: Any = None, *, first: int = 7, **variables: Any
) -> list[dict[str, Any]]:
    """Every user of the list, page by page; `between(page_number, nodes)` may change the
    store after each page."""
    seen: list[dict[str, Any]] = []
    after = None
    page = 0
    while True:
        data = await gw.query(USERS, {"first": first, "after": after, **variables})
        nodes = [e["node"] for e in data["users"]["edges"]]
        seen += nodes
        info = data["users"]["pageInfo"]
        assert info["hasPreviousPage"] is (after is not None)
        if not info["hasNextPage"]:
            return seen
        after = info["endCursor"]
        page += 1
        if between is not None:
            between(page, nodes)


async def test_a_walk_by_id_neither_skips_nor_repeats_while_users_come_and_go(org: Org) -> None:
    ids = sorted(org.users)
    removed_seen, removed_ahead = ids[1], ids[30]
    added_behind, added_ahead = bumped(ids[2], 1), bumped(ids[25], 1)

    def change(page: int, nodes: list[dict[str, Any]]) -> None:
        if page == 1:  # after ids[0..6] were returned
            del org.users[removed_seen], org.users[removed_ahead]
            add_user(org, added_behind, "behind@example.org")
            add_user(org, added_ahead, "ahead@example.org")

    async with gateway(org) as gw:
        seen = [n["jumpcloudId"] for n in await walk(gw, change)]
    assert len(seen) == len(set(seen))
    assert seen == sorted([i for i in ids if i != removed_ahead] + [added_ahead])


async def test_a_walk_by_email_neither_skips_nor_repeats_while_users_come_and_go(
    org: Org,
) -> None:
    by_email = sorted(org.users.values(), key=lambda u: (u["email"], u["_id"]))
    emails = [u["email"] for u in by_email]
    gone_seen, gone_ahead = by_email[3]["_id"], by_email[20]["_id"]

    def change(page: int, nodes: list[dict[str, Any]]) -> None:
        if page == 1:
            del org.users[gone_seen], org.users[gone_ahead]
            add_user(org, "f" * 24, "0000-first@example.org")  # before every cursor
            add_user(org, "e" * 24, "zzzz-last@example.org")  # after every cursor

    order = {"field": "EMAIL", "direction": "ASC"}
    async with gateway(org) as gw:
        seen = [n["email"] for n in await walk(gw, change, order=order)]
    gone = {by_email[20]["email"]}
    assert seen == [e for e in emails if e not in gone] + ["zzzz-last@example.org"]


async def test_a_walk_by_a_shared_value_keeps_its_place_among_equal_values(org: Org) -> None:
    # Every user in one department, ordered by creation time: many equal values, ties by id.
    stamp = "2024-01-01T00:00:00.000Z"
    for i, user in enumerate(sorted(org.users.values(), key=lambda u: u["_id"])):
        user["created"] = stamp if i < 25 else f"2024-02-{i - 24:02d}T00:00:00.000Z"
    want = sorted(org.users.values(), key=lambda u: (u["created"], u["_id"]))
    async with gateway(org) as gw:
        seen = await walk(gw, first=6, order={"field": "CREATED"})
    assert [n["jumpcloudId"] for n in seen] == [u["_id"] for u in want]


async def test_a_page_after_a_cursor_costs_one_call_and_counts_the_whole_list(org: Org) -> None:
    async with gateway(org) as gw:
        first = await gw.query(USERS, {"first": 10})
        before = gw.log.total
        second = await gw.query(
            USERS, {"first": 10, "after": first["users"]["pageInfo"]["endCursor"]}
        )
        calls = gw.log.total - before
    assert calls == 1
    assert second["users"]["totalCount"] == first["users"]["totalCount"] == len(org.users)
    assert [e["node"]["jumpcloudId"] for e in second["users"]["edges"]] == sorted(org.users)[10:20]


@pytest.mark.parametrize(
    "elsewhere",
    [
        '{ groups(after: "CURSOR") { totalCount } }',
        '{ systems(after: "CURSOR") { totalCount } }',
        '{ users(after: "CURSOR", filter: {state: ACTIVATED}) { totalCount } }',
        '{ users(after: "CURSOR", orderBy: {field: EMAIL}) { totalCount } }',
        '{ users(after: "CURSOR", orderBy: {field: JUMPCLOUD_ID, direction: DESC}) { totalCount } }',
        '{ findings(after: "CURSOR") { totalCount } }',
    ],
)
async def test_a_users_cursor_is_refused_by_any_other_list(org: Org, elsewhere: str) -> None:
    async with gateway(org) as gw:
        cursor = (await gw.query(USERS, {"first": 3}))["users"]["pageInfo"]["endCursor"]
        payload = (await gw.post(elsewhere.replace("CURSOR", cursor))).json()
    assert [e["extensions"]["code"] for e in payload["errors"]] == ["BAD_USER_INPUT"]
    assert "belongs to `Query.users`" in payload["errors"][0]["message"]


async def test_one_groups_member_cursor_is_refused_by_another_groups_members(org: Org) -> None:
    first, second = sorted(org.groups)[:2]
    query = """query($g: ID!, $after: String) { group(jumpcloudId: $g) {
      members(first: 1, after: $after) { pageInfo { endCursor } } } }"""
    async with gateway(org) as gw:
        data = await gw.query(query, {"g": first})
        cursor = data["group"]["members"]["pageInfo"]["endCursor"]
        assert cursor is not None
        payload = (await gw.post(query, {"g": second, "after": cursor})).json()
        own = await gw.query(query, {"g": first, "after": cursor})
    assert payload["data"]["group"]["members"] is None
    assert [e["extensions"]["code"] for e in payload["errors"]] == ["BAD_USER_INPUT"]
    assert own["group"]["members"] is not None


@pytest.mark.parametrize("garbage", ["bm9wZQ==", "cursor:3", "", "!!!", "WyJjMSJd"])
async def test_a_cursor_not_made_here_is_bad_user_input(org: Org, garbage: str) -> None:
    async with gateway(org) as gw:
        payload = (await gw.post(USERS, {"first": 2, "after": garbage})).json()
    assert [e["extensions"]["code"] for e in payload["errors"]] == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    ("field", "query"),
    [
        ("users", "query($after: String) { users(first: 0, after: $after) { PAGE } }"),
        ("groups", "query($after: String) { groups(first: 0, after: $after) { PAGE } }"),
        ("findings", "query($after: String) { findings(first: 0, after: $after) { PAGE } }"),
    ],
)
async def test_first_zero_answers_a_cursor_to_go_on_from(org: Org, field: str, query: str) -> None:
    query = query.replace("PAGE", "totalCount edges { cursor } pageInfo { hasNextPage endCursor }")
    next_page = query.replace("first: 0", "first: 2")
    async with gateway(org) as gw:
        empty = (await gw.query(query, {"after": None}))[field]
        assert empty["edges"] == []
        assert empty["pageInfo"]["hasNextPage"] is (empty["totalCount"] > 0)
        assert empty["pageInfo"]["endCursor"] is not None
        # Going on from it is the first page; from a later cursor, it echoes that cursor.
        start = (await gw.query(next_page, {"after": None}))[field]
        went_on = (await gw.query(next_page, {"after": empty["pageInfo"]["endCursor"]}))[field]
        assert went_on == start
        later = start["pageInfo"]["endCursor"]
        echoed = (await gw.query(query, {"after": later}))[field]["pageInfo"]["endCursor"]
    assert echoed == later


async def test_cursors_keep_their_positions_when_a_listed_user_has_gone() -> None:
    org = generate_org(OrgSizes(users=260, groups=6, applications=4), seed=9)
    group = max(org.groups, key=lambda g: len(oracle.members_of(org, g)))
    members = sorted(oracle.members_of(org, group))
    query = """query($g: ID!, $after: String) { group(jumpcloudId: $g) {
      members(first: 3, after: $after) { totalCount pageInfo { hasNextPage endCursor }
        edges { cursor node { jumpcloudId } } } } }"""
    async with gateway(org) as gw:
        await gw.query(query, {"g": group})  # the member list is cached now
        del org.users[members[4]]  # deleted upstream since
        seen: list[str] = []
        after = None
        while True:
            conn = (await gw.query(query, {"g": group, "after": after}))["group"]["members"]
            seen += [e["node"]["jumpcloudId"] for e in conn["edges"]]
            if not conn["pageInfo"]["hasNextPage"]:
                break
            after = conn["pageInfo"]["endCursor"]
    assert seen == [m for m in members if m != members[4]]
