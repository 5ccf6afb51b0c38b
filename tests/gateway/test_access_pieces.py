"""Access pieces: inverting one side's neighbours, and their cached form."""

from __future__ import annotations

import json

from gateway.access_pieces import decode_index, decode_neighbours, invert
from gateway.model import Neighbour

G = ("user_group", "g1")
SG = ("system_group", "sg1")
SUDO = {"sudo": {"enabled": True, "withoutPassword": False}}


def test_inverting_reverses_each_route() -> None:
    pieces = {"u1": [Neighbour("s1", ((), (G,), (G, SG)), SUDO)]}
    assert invert(pieces) == {"s1": [Neighbour("u1", ((), (G,), (SG, G)), SUDO)]}


def test_inverting_groups_by_neighbour_and_sorts_by_id() -> None:
    pieces = {
        "u2": [Neighbour("g1"), Neighbour("g2")],
        "u3": [Neighbour("g1")],
        "u1": [Neighbour("g2"), Neighbour("g1")],
    }
    assert invert(pieces) == {
        "g1": [Neighbour("u1"), Neighbour("u2"), Neighbour("u3")],
        "g2": [Neighbour("u1"), Neighbour("u2")],
    }


def test_an_owner_with_no_neighbours_contributes_nothing() -> None:
    assert invert({"u1": []}) == {}
    assert invert({"u1": [], "u2": [Neighbour("g1")]}) == {"g1": [Neighbour("u2")]}


def test_a_neighbour_reached_from_two_owners_lists_both() -> None:
    pieces = {"u1": [Neighbour("s1", ((G,),))], "u2": [Neighbour("s1", ((),))]}
    assert invert(pieces) == {"s1": [Neighbour("u1", ((G,),)), Neighbour("u2", ((),))]}


def test_inverting_twice_gives_the_pieces_back() -> None:
    pieces = {"u1": [Neighbour("s1", ((), (G, SG)), SUDO)], "u2": [Neighbour("s1", ((SG,),))]}
    assert invert(invert(pieces)) == pieces


def test_a_piece_survives_its_cached_form() -> None:
    piece = [Neighbour("g1"), Neighbour("s1", ((), (G,), (G, SG)), SUDO)]
    cached = json.loads(json.dumps([n.to_json() for n in piece]))
    assert decode_neighbours(cached) == piece
    assert decode_neighbours([]) == []


def test_an_index_survives_its_cached_form() -> None:
    index = {"s1": [Neighbour("u1", ((SG, G),), SUDO)], "s2": []}
    cached = json.loads(json.dumps({i: [n.to_json() for n in v] for i, v in index.items()}))
    assert decode_index(cached) == index
