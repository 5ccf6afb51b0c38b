"""Reading JumpCloud graph answers: the objects of a type one object reaches, and by which ways.

A graph read answers either GraphConnection records (`{attributes?, from?, to}`: direct
associations and members, `from` left out when the context makes it clear) or
GraphObjectWithPaths records (`{id, type, compiledAttributes, paths}`: traversals, every
object bound directly or through groups). Each entry of `paths` is one way from the source
to the object, as a list of edges; its *route* is the objects it passes between its two
ends, in order: `()` for a direct binding, `(("user_group", g),)` through a user group.
`compiledAttributes` merges the graph attributes over all those paths; of it only `sudo`
(`{enabled, withoutPassword}`) matters for access.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gateway.jumpcloud.resources import GraphType

__all__ = ["Edge", "read_edges"]


@dataclass(frozen=True)
class Edge:
    """One object the source reaches: its id, every route to it, and (when kept) the
    compiled attributes that matter for access."""

    id: str
    routes: frozenset[tuple[tuple[str, str], ...]]
    """Each a path's objects between its two ends, as (graph type, id); `()` when direct."""
    attributes: Mapping[str, Any] | None = None


def read_edges(
    records: Iterable[Mapping[str, Any]], source_id: str, want: GraphType, *, attributes: bool
) -> list[Edge]:
    """The objects of type `want` that `source_id` reaches, by id, from GraphConnection or
    GraphObjectWithPaths records; with `attributes`, their compiled `sudo` too."""
    found: dict[str, set[tuple[tuple[str, str], ...]]] = {}
    compiled: dict[str, Mapping[str, Any]] = {}
    for record in records:
        if "paths" in record:  # GraphObjectWithPaths
            if record.get("type") != want.value:
                continue
            target = str(record["id"])
            routes = found.setdefault(target, set())
            for path in record.get("paths") or [[]]:
                routes.add(_route(path, source_id, target))
            kept = _access_attributes(record.get("compiledAttributes")) if attributes else None
            if kept:
                compiled[target] = kept
        else:  # GraphConnection: the end that is not the source
            end = record.get("to") or {}
            if end.get("id") == source_id and record.get("from"):
                end = record["from"]
            if end.get("type") != want.value or not end.get("id"):
                continue
            found.setdefault(str(end["id"]), set()).add(())
    return [Edge(i, frozenset(r), compiled.get(i)) for i, r in sorted(found.items())]


def _route(
    path: Iterable[Mapping[str, Any]], source_id: str, target_id: str
) -> tuple[tuple[str, str], ...]:
    """The objects a path passes, in path order, without its two ends."""
    steps: list[tuple[str, str]] = []
    for edge in path:
        for end in (edge.get("from"), edge.get("to")):
            if not end or end.get("id") in (source_id, target_id, None):
                continue
            step = (str(end.get("type")), str(end["id"]))
            if step not in steps:
                steps.append(step)
    return tuple(steps)


def _access_attributes(raw: Any) -> Mapping[str, Any] | None:
    """The compiled attributes that matter for access: `sudo {enabled, withoutPassword}`."""
    sudo = raw.get("sudo") if isinstance(raw, Mapping) else None
    if not isinstance(sudo, Mapping):
        return None
    return {
        "sudo": {
            "enabled": bool(sudo.get("enabled")),
            "withoutPassword": bool(sudo.get("withoutPassword")),
        }
    }
