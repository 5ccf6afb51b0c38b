"""Access-graph pieces: one object's neighbours read from JumpCloud, cached, and inverted.

A *piece* is one object's neighbours across a relation; an *index* is every piece of one
side, inverted so that it answers for the other side. Both are cached as JSON
(`Neighbour.to_json`) and decoded here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from gateway.jumpcloud import read_edges
from gateway.model import GraphType, Neighbour, ordered_routes

Pieces = list[Neighbour] | BaseException
"""One object's neighbours, or why they could not be read."""


def parse_neighbours(
    records: Iterable[Mapping[str, Any]], source_id: str, want: GraphType, *, attributes: bool
) -> list[Neighbour]:
    """Neighbours of `source_id` of type `want` from GraphConnection or GraphObjectWithPaths."""
    found = read_edges(records, source_id, want, attributes=attributes)
    return [Neighbour(e.id, ordered_routes(e.routes), e.attributes) for e in found]


def decode_neighbours(raw: Any) -> list[Neighbour]:
    """A cached piece: one object's neighbours."""
    return [Neighbour.from_json(n) for n in raw]


def decode_index(raw: Any) -> dict[str, list[Neighbour]]:
    """A cached index: every object's neighbours."""
    return {i: decode_neighbours(n) for i, n in raw.items()}


def invert(pieces: Mapping[str, Sequence[Neighbour]]) -> dict[str, list[Neighbour]]:
    """Pieces of one side seen from the other: each neighbour's owners, by the reversed
    routes, sorted by id."""
    out: dict[str, list[Neighbour]] = {}
    for owner, neighbours in pieces.items():
        for n in neighbours:
            out.setdefault(n.id, []).append(n.reversed(owner))
    for items in out.values():
        items.sort(key=lambda n: n.id)
    return out
