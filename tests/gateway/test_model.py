"""The graph model: every kind an entity, every relation a field on both sides, routes."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.access_pieces import invert, parse_neighbours
from gateway.model import (
    ACCESS_APPLICATIONS,
    ACCESS_BY_TARGET,
    ACCESS_SYSTEMS,
    ADMIN,
    KINDS,
    MEMBERSHIP,
    RELATIONS,
    SYSTEM,
    USER,
    GraphType,
    Neighbour,
)
from gateway.schema import build_schema
from gateway.types.entity import entity_class


def test_every_relation_is_a_field_on_both_of_its_sides() -> None:
    schema = build_schema()
    exposed: set[tuple[Any, Any]] = set()
    for kind in KINDS:
        definition = schema.get_type_by_name(kind.name)
        assert definition is not None, kind.name
        for field in definition.fields:  # type: ignore[union-attr]
            if field.metadata and "relation" in field.metadata:
                exposed.add((field.metadata["relation"], field.metadata["side"]))
    assert exposed == {(r, side) for r in RELATIONS for side in (r.left, r.right)}


def test_every_kind_is_a_node_and_a_federation_entity_with_its_keys() -> None:
    sdl = build_schema().as_str()
    for kind in KINDS:
        cls = entity_class(kind)
        assert cls.kind is kind
        keys = " ".join(f'@key(fields: "{k}")' for k in kind.keys)
        assert f"type {kind.name} implements Node {keys} {{" in sdl, kind.name


def test_every_access_target_has_its_effective_relation() -> None:
    targets = {r.right for r in RELATIONS if r.effective}
    assert set(ACCESS_BY_TARGET) == targets
    assert all(r.left is USER for r in RELATIONS if r.effective)
    assert ACCESS_SYSTEMS.attributes
    assert not ACCESS_APPLICATIONS.attributes


def test_a_relation_refuses_a_kind_that_is_not_one_of_its_sides() -> None:
    with pytest.raises(ValueError, match="Admin is not a side of membership"):
        MEMBERSHIP.read(ADMIN)
    with pytest.raises(ValueError, match="not a side"):
        MEMBERSHIP.other(SYSTEM)


def _edge(a: tuple[str, str], b: tuple[str, str], sudo: bool = False) -> dict[str, Any]:
    attributes = {"sudo": {"enabled": True, "withoutPassword": False}} if sudo else None
    return {
        "from": {"type": a[0], "id": a[1]},
        "to": {"type": b[0], "id": b[1]},
        "attributes": attributes,
    }


U, G, SG, S = ("user", "u1"), ("user_group", "g1"), ("system_group", "sg1"), ("system", "s1")


def test_three_hop_paths_read_from_either_side_give_the_same_routes_and_sudo() -> None:
    compiled = {"sudo": {"enabled": True, "withoutPassword": True}, "ldapGroups": [{"name": "x"}]}
    from_user = [
        {
            "id": "s1",
            "type": "system",
            "compiledAttributes": compiled,
            "paths": [
                [_edge(U, S)],
                [_edge(U, G), _edge(G, SG, sudo=True), _edge(SG, S)],
                [_edge(U, SG), _edge(SG, S)],
            ],
        }
    ]
    from_system = [
        {
            "id": "u1",
            "type": "user",
            "compiledAttributes": compiled,
            "paths": [
                [_edge(S, U)],
                [_edge(S, SG), _edge(SG, G), _edge(G, U)],
                [_edge(S, SG), _edge(SG, U)],
            ],
        }
    ]
    per_user = parse_neighbours(from_user, "u1", GraphType.SYSTEM, attributes=True)
    per_system = parse_neighbours(from_system, "s1", GraphType.USER, attributes=True)
    assert per_user == [
        Neighbour(
            "s1",
            ((), (SG,), (G, SG)),
            {"sudo": {"enabled": True, "withoutPassword": True}},
        )
    ]
    assert invert({"s1": per_system}) == {"u1": per_user}
    assert invert({"u1": per_user}) == {"s1": per_system}


def test_attributes_are_kept_only_for_relations_that_carry_them() -> None:
    records = [
        {
            "id": "a1",
            "type": "application",
            "compiledAttributes": {"sudo": {"enabled": True}},
            "paths": [[_edge(U, ("application", "a1"))]],
        }
    ]
    (found,) = parse_neighbours(records, "u1", GraphType.APPLICATION, attributes=False)
    assert found.attributes is None
    assert found.routes == ((),)


def test_neighbours_survive_their_cached_form() -> None:
    n = Neighbour("s1", ((), (G,), (G, SG)), {"sudo": {"enabled": True, "withoutPassword": False}})
    assert Neighbour.from_json(n.to_json()) == n
    assert n.reversed("u1").reversed("s1") == n


def test_every_type_reads_every_field_even_from_an_empty_record() -> None:
    for kind in KINDS:
        obj: Any = entity_class(kind).from_record({"_id": "5c3536e9e0a6840001872782"})
        assert obj.jumpcloud_id == "5c3536e9e0a6840001872782", kind.name


def test_fields_read_their_jumpcloud_keys_and_convert_by_type() -> None:
    from gateway.model import APPLICATION

    user: Any = entity_class(USER).from_record(
        {
            "_id": "u1",
            "username": "ada",
            "account_locked": True,
            "jobTitle": "Engineer",
            "created": "2013-10-16T19:30:55.611Z",
            "displayname": "",
            "firstname": "Ada",
            "lastname": "Lovelace",
            "attributes": [{"name": "floor", "value": 3}, {"value": "no name"}],
        }
    )
    assert (user.locked, user.job_title, user.display_name) == (True, "Engineer", "Ada Lovelace")
    assert user.created.isoformat() == "2013-10-16T19:30:55.611000+00:00"
    assert [(a.name, a.value) for a in user.attributes] == [("floor", "3")]
    assert user.email == ""  # a required string is never null
    app: Any = entity_class(APPLICATION).from_record(
        {"_id": "a1", "sso": {"type": "saml"}, "active": False, "created": "not a date"}
    )
    assert (app.sso_type, app.active, app.created) == ("saml", False, None)
    system: Any = entity_class(SYSTEM).from_record(
        {"_id": "s1", "remoteIP": "203.0.113.9", "lastContact": None, "fde": {"active": True}}
    )
    assert (system.remote_ip, system.last_contact) == ("203.0.113.9", None)
    assert (system.fde.active, system.fde.key_present) == (True, None)
