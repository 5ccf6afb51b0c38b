"""Reading graph answers: the objects one object reaches, each with its routes and sudo."""

from __future__ import annotations

from typing import Any

from gateway.jumpcloud import Edge, GraphType, read_edges

USER = ("user", "u1")
USER_GROUP = ("user_group", "g1")
SYSTEM_GROUP = ("system_group", "sg1")
SYSTEM = ("system", "s1")


def end(step: tuple[str, str]) -> dict[str, Any]:
    return {"type": step[0], "id": step[1]}


def link(a: tuple[str, str], b: tuple[str, str]) -> dict[str, Any]:
    """One GraphConnection of a path."""
    return {"from": end(a), "to": end(b), "attributes": None}


def traversal(*paths: list[dict[str, Any]], compiled: Any = None) -> dict[str, Any]:
    """The system s1 as a GraphObjectWithPaths read from the user u1."""
    return {"id": "s1", "type": "system", "compiledAttributes": compiled, "paths": list(paths)}


def systems_of_u1(*records: dict[str, Any], attributes: bool = False) -> list[Edge]:
    return read_edges(records, "u1", GraphType.SYSTEM, attributes=attributes)


def test_a_connection_is_read_from_its_far_end_whichever_end_the_source_is() -> None:
    to_group = {"from": end(USER), "to": end(USER_GROUP)}
    from_group = {"from": end(USER_GROUP), "to": end(USER)}
    for record in (to_group, from_group):
        found = read_edges([record], "u1", GraphType.USER_GROUP, attributes=True)
        assert found == [Edge("g1", frozenset({()}), None)]


def test_a_connection_without_from_is_its_to_end() -> None:
    found = read_edges([{"to": end(USER)}], "g1", GraphType.USER, attributes=False)
    assert found == [Edge("u1", frozenset({()}), None)]


def test_connections_to_another_type_are_skipped() -> None:
    records = [{"to": end(SYSTEM_GROUP)}, {"to": end(USER_GROUP)}]
    found = read_edges(records, "u1", GraphType.USER_GROUP, attributes=False)
    assert [e.id for e in found] == ["g1"]


def test_a_connection_whose_end_has_no_id_is_skipped() -> None:
    records = [{"to": {"type": "user_group"}}, {"to": {"type": "user_group", "id": ""}}, {}]
    assert read_edges(records, "u1", GraphType.USER_GROUP, attributes=False) == []


def test_traversals_to_another_type_are_skipped() -> None:
    other = {**traversal([link(USER, SYSTEM)]), "type": "application"}
    assert systems_of_u1(other) == []


def test_a_one_edge_path_is_direct() -> None:
    (found,) = systems_of_u1(traversal([link(USER, SYSTEM)]))
    assert found == Edge("s1", frozenset({()}), None)


def test_a_path_through_a_user_group() -> None:
    (found,) = systems_of_u1(traversal([link(USER, USER_GROUP), link(USER_GROUP, SYSTEM)]))
    assert found.routes == frozenset({(USER_GROUP,)})


def test_a_path_through_a_system_group() -> None:
    (found,) = systems_of_u1(traversal([link(USER, SYSTEM_GROUP), link(SYSTEM_GROUP, SYSTEM)]))
    assert found.routes == frozenset({(SYSTEM_GROUP,)})


def test_a_path_through_both_groups_keeps_their_order() -> None:
    path = [link(USER, USER_GROUP), link(USER_GROUP, SYSTEM_GROUP), link(SYSTEM_GROUP, SYSTEM)]
    (found,) = systems_of_u1(traversal(path))
    assert found.routes == frozenset({(USER_GROUP, SYSTEM_GROUP)})


def test_every_path_is_one_route() -> None:
    (found,) = systems_of_u1(
        traversal(
            [link(USER, SYSTEM)],
            [link(USER, USER_GROUP), link(USER_GROUP, SYSTEM)],
            [link(USER, SYSTEM_GROUP), link(SYSTEM_GROUP, SYSTEM)],
        )
    )
    assert found.routes == frozenset({(), (USER_GROUP,), (SYSTEM_GROUP,)})


def test_an_empty_paths_list_is_direct() -> None:
    (found,) = systems_of_u1(traversal())
    assert found.routes == frozenset({()})


def test_null_paths_are_direct() -> None:
    (found,) = systems_of_u1({**traversal(), "paths": None})
    assert found.routes == frozenset({()})


def test_duplicate_paths_are_one_route() -> None:
    via_group = [link(USER, USER_GROUP), link(USER_GROUP, SYSTEM)]
    (found,) = systems_of_u1(traversal(via_group, via_group), traversal(via_group))
    assert found.routes == frozenset({(USER_GROUP,)})


def test_edges_come_sorted_by_id() -> None:
    records = [{"to": {"type": "user", "id": i}} for i in ("u3", "u1", "u2")]
    found = read_edges(records, "g1", GraphType.USER, attributes=False)
    assert [e.id for e in found] == ["u1", "u2", "u3"]


def test_sudo_is_kept_only_when_asked_for() -> None:
    compiled = {"sudo": {"enabled": True, "withoutPassword": False}, "ldapGroups": [{"name": "x"}]}
    record = traversal([link(USER, SYSTEM)], compiled=compiled)
    (kept,) = systems_of_u1(record, attributes=True)
    (dropped,) = systems_of_u1(record, attributes=False)
    assert kept.attributes == {"sudo": {"enabled": True, "withoutPassword": False}}
    assert dropped.attributes is None


def test_sudo_is_reduced_to_two_booleans() -> None:
    compiled = {"sudo": {"enabled": 1, "extra": "x"}}
    (found,) = systems_of_u1(traversal([link(USER, SYSTEM)], compiled=compiled), attributes=True)
    assert found.attributes == {"sudo": {"enabled": True, "withoutPassword": False}}


def test_a_sudo_that_is_not_a_mapping_is_ignored() -> None:
    odd: list[Any] = [{"sudo": True}, {"sudo": ["enabled"]}, {"ldapGroups": []}, [], None]
    for compiled in odd:
        record = traversal([link(USER, SYSTEM)], compiled=compiled)
        (found,) = systems_of_u1(record, attributes=True)
        assert found.attributes is None
