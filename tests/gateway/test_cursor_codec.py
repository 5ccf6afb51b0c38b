"""The cursor codec on its own: every cursor form round-trips, a cursor is refused by any list
but its own, and what was not made here is BAD_USER_INPUT; no server."""

from __future__ import annotations

import base64
import re
from typing import Any

import orjson
import pytest

from gateway.errors import BadUserInput
from gateway.jumpcloud.filters import Filter, Op, SortKey
from gateway.types.common import PagedRead
from gateway.types.relay import (
    START,
    Edge,
    ListScope,
    Position,
    Slice,
    Window,
    decode_cursor,
    encode_cursor,
    from_global_id,
    to_global_id,
)

USERS = ListScope.of("Query.users", None, ("email", False))
ID_ASC, ID_DESC = [SortKey("_id")], [SortKey("_id", descending=True)]
BY_LASTNAME = [SortKey("lastname"), SortKey("_id")]
ID = "5f1a2b3c4d5e6f7a8b9c0d1e"


def round_trip(position: Position, scope: ListScope = USERS) -> Position:
    return decode_cursor(encode_cursor(scope, position), scope)


def refused(cursor: str, scope: ListScope = USERS) -> BadUserInput:
    with pytest.raises(BadUserInput) as info:
        decode_cursor(cursor, scope)
    assert info.value.code == "BAD_USER_INPUT"
    return info.value


def forged(*fields: Any) -> str:
    """A cursor encoded as the codec encodes, holding whatever `fields` say."""
    return base64.urlsafe_b64encode(orjson.dumps(list(fields))).decode().rstrip("=")


def test_a_keyset_cursor_by_id_reads_the_ids_past_it_ascending_and_descending() -> None:
    after = round_trip(Position((ID,), seen=40))
    assert after == Position((ID,), 40)
    assert PagedRead.of(after, ID_ASC) == PagedRead(0, (Filter("_id", Op.GT, ID),), 40)
    assert PagedRead.of(after, ID_DESC) == PagedRead(0, (Filter("_id", Op.LT, ID),), 40)


def test_a_keyset_cursor_by_a_field_reads_from_its_value_less_the_ties_returned() -> None:
    # A page sorted by lastname ended on the second of the "Young"s.
    read = PagedRead(0, (), 0)
    positions = read.positions(None, BY_LASTNAME, ["Xu", "Young", "Young"])
    assert positions == [
        Position(("Xu",), 1, 1),
        Position(("Young",), 2, 1),
        Position(("Young",), 3, 2),
    ]
    after = round_trip(positions[-1])
    assert after == Position(("Young",), 3, 2)
    next_read = PagedRead.of(after, BY_LASTNAME)
    assert next_read == PagedRead(2, (Filter("lastname", Op.GTE, "Young"),), 3)
    # The next page skips the two "Young"s returned; a third one continues their run.
    assert next_read.positions(after, BY_LASTNAME, ["Young", "Zane"]) == [
        Position(("Young",), 4, 3),
        Position(("Zane",), 5, 1),
    ]


def test_an_offset_cursor_reads_by_skipping_what_came_before() -> None:
    after = round_trip(Position(None, seen=25))
    assert after == Position(None, 25)
    assert PagedRead.of(after, [SortKey("lastname", descending=True)]) == PagedRead(25, (), 25)


def test_no_cursor_reads_from_the_start() -> None:
    assert PagedRead.of(None, BY_LASTNAME) == PagedRead(0, (), 0)
    assert round_trip(START) == START


@pytest.mark.parametrize(
    ("sort", "values"),
    [
        ([SortKey("lastname", descending=True)], ["Zane", "Young"]),  # no `$lte` keyset
        (BY_LASTNAME, [None, 7]),  # no value to filter on
    ],
)
def test_positions_without_a_keyset_value_are_offsets(
    sort: list[SortKey], values: list[Any]
) -> None:
    read = PagedRead(10, (), 10)
    assert read.positions(None, sort, values) == [Position(None, 11), Position(None, 12)]


def test_a_compound_key_round_trips_as_a_tuple() -> None:
    position = Position(("user", ID), seen=3)
    assert round_trip(position) == position
    window = Window.of(2, encode_cursor(USERS, position), 100, USERS)
    assert window.after == position


def test_a_cursor_is_url_safe_unpadded_and_holds_only_a_digest_of_the_list() -> None:
    scope = ListScope.of("Query.users", "filter: ada@example.com")
    cursor = encode_cursor(scope, Position(("Lovelace",), seen=1000, ties=3))
    assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor)
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    assert b"ada@example.com" not in raw
    assert scope.digest.encode() in raw
    assert ListScope.of("Query.users", "filter: ada@example.com") == scope


def test_a_cursor_of_another_connection_is_refused() -> None:
    cursor = encode_cursor(ListScope.of("Group.members", "g1"), Position((ID,), 3))
    error = refused(cursor, ListScope.of("Query.users", "g1"))
    assert "`Group.members`" in str(error)
    assert "`Query.users`" in str(error)


@pytest.mark.parametrize(
    "other",
    [
        ListScope.of("Group.members", "g2"),  # another owner
        ListScope.of("Group.members", "g1", "filter"),  # another filter
        ListScope.of("Group.members", "g1", ("email", True)),  # another order
    ],
)
def test_a_cursor_of_the_same_connection_with_other_arguments_is_refused(
    other: ListScope,
) -> None:
    cursor = encode_cursor(ListScope.of("Group.members", "g1"), Position((ID,), 3))
    error = refused(cursor, other)
    assert "another owner, filter or order" in str(error)


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "not a cursor!",
        "%%%",
        base64.urlsafe_b64encode(b"\xff\xfe not json").decode(),
        forged("c1", "Query.users", USERS.digest, [ID]),  # a field short
        forged("c0", "Query.users", USERS.digest, [ID], 1, 0),  # another version
        forged("c1", "Query.users", USERS.digest, ID, 1, 0),  # key not a list
        forged("c1", "Query.users", USERS.digest, [ID], -1, 0),  # negative seen
        forged("c1", "Query.users", USERS.digest, [ID], 1, -1),  # negative ties
        forged("c1", "Query.users", USERS.digest, [ID], "1", 0),  # seen not a number
        forged("c1", 7, USERS.digest, [ID], 1, 0),  # name not a string
        to_global_id("User", ID),  # an id, not a cursor
    ],
)
def test_what_the_codec_did_not_make_is_refused(garbage: str) -> None:
    assert "is not a cursor returned by this API" in str(refused(garbage))


def test_a_window_decodes_its_cursor_and_bounds_first() -> None:
    cursor = encode_cursor(USERS, Position((ID,), 5))
    assert Window.of(None, cursor, 100, USERS) == Window(USERS, 100, Position((ID,), 5))
    assert Window.of(0, None, 100, USERS).after is None
    with pytest.raises(BadUserInput, match="must not be negative"):
        Window.of(-1, None, 100, USERS)
    with pytest.raises(BadUserInput) as info:
        Window.of(101, None, 100, USERS)
    assert info.value.extensions == {"cap": 100}
    with pytest.raises(BadUserInput):
        Window.of(10, cursor, 100, ListScope.of("Query.systems"))


def test_a_window_cursor_is_the_codecs() -> None:
    window = Window(USERS, 10, None)
    assert decode_cursor(window.cursor(("Young",), 3, 2), USERS) == Position(("Young",), 3, 2)


@pytest.mark.parametrize(
    ("after", "start"),
    [
        (None, 0),
        (Position(("b",), 2), 2),  # right after its item
        (Position(("bb",), 2), 2),  # its item gone since: the first after where it was
        (Position(None, 3), 3),  # an offset
        (Position(None, 9), 4),  # an offset past the end
    ],
)
def test_a_list_held_whole_starts_after_the_cursors_place(
    after: Position | None, start: int
) -> None:
    assert Window(USERS, 10, after).start(["a", "b", "c", "d"]) == start


def test_a_page_of_a_list_held_whole_round_trips_its_cursors() -> None:
    keys = ["a", "b", "c", "d", "e"]
    first = Slice.of(Window(USERS, 2, None), keys)
    info = first.page_info()
    assert (info.has_next_page, info.has_previous_page) == (True, False)
    assert info.end_cursor is not None
    second = Slice.of(Window.of(2, info.end_cursor, 100, USERS), keys)
    assert (second.start, [p.key for p in second.positions]) == (2, [("c",), ("d",)])
    assert second.page_info().has_previous_page
    assert Edge.at(second.window, second.positions[0], "node").cursor == second.cursor(0)


def test_an_empty_page_ends_where_it_was_asked_to_start() -> None:
    after = Position(("e",), 5)
    window = Window(USERS, 2, after)
    info = Slice.of(window, ["a", "b", "c", "d", "e"]).page_info()
    assert (info.start_cursor, info.has_next_page) == (None, False)
    assert info.end_cursor is not None
    assert decode_cursor(info.end_cursor, USERS) == after
    zero = Slice.of(Window(USERS, 0, None), ["a"]).page_info()
    assert zero.end_cursor is not None
    assert decode_cursor(zero.end_cursor, USERS) == START


def test_a_global_id_round_trips_and_anything_else_is_refused() -> None:
    assert from_global_id(to_global_id("User", ID)) == ("User", ID)
    for garbage in ("not base64!", base64.b64encode(b"no separator").decode(), ""):
        with pytest.raises(BadUserInput, match="not a global id"):
            from_global_id(garbage)
