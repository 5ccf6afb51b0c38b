"""The simulated organization's data model: sizes, records and change-tracked edge sets."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Set
from dataclasses import dataclass, field
from typing import Any, Self, TypeVar

T = TypeVar("T")
_VERSIONS = itertools.count(1)

Membership = tuple[str, str]
"""(user_id, group_id)"""
SystemMembership = tuple[str, str]
"""(system_id, system_group_id)"""
Binding = tuple[str, str, str, str]
"""(source_type, source_id, target_type, target_id).

The user side is the source: ``("user" | "user_group", id, target_type, target_id)`` with
target_type ``application``, ``ldap_server``, ``radius_server``, ``system`` or
``system_group``; a RADIUS server's system group is ``("radius_server", r, "system_group", sg)``.
"""


@dataclass(frozen=True)
class OrgSizes:
    """How big a generated organization is."""

    users: int = 200
    groups: int = 25
    applications: int = 15
    groups_per_user: float = 2.5
    """Mean memberships per user; group sizes are skewed (a few big groups, many small)."""
    groups_per_application: tuple[int, int] = (1, 3)
    direct_app_bindings: int = 10
    ldap_servers: int = 1
    radius_servers: int = 2
    ldap_group_bindings: int = 3
    ldap_user_bindings: int = 2
    radius_group_bindings: int = 3
    radius_user_bindings: int = 2
    admins: int = 6
    custom_roles: int = 2
    systems: int = 40
    """Devices: a mix of macOS, Windows and Linux laptops, servers and build agents."""
    system_groups: int = 6
    """Named device groups; each one's members follow a rule (all laptops, Linux servers, ...)."""
    direct_system_bindings: int = 12
    """user -> system; half of them a laptop's primary user onto that laptop."""
    user_system_group_bindings: int = 4
    """user -> system_group"""
    group_system_bindings: int = 6
    """user_group -> system"""
    group_system_group_bindings: int = 8
    """user_group -> system_group"""
    radius_system_group_bindings: int = 1
    """radius_server -> system_group"""
    sudo_share: float = 0.3
    """Share of the bindings to systems and system groups that grant sudo (a third of those
    without a password); the rest carry ``sudo`` disabled or no attributes at all."""


class TrackedSet(set[T]):
    """A set whose ``version`` changes on every mutation, so indexes know when to rebuild.

    Versions come from one process-wide counter, so a replaced set never repeats the
    version of the set it replaced.
    """

    def __init__(self, iterable: Iterable[T] = ()) -> None:
        super().__init__(iterable)
        self.version = next(_VERSIONS)

    def _bump(self) -> None:
        self.version = next(_VERSIONS)

    def add(self, element: T) -> None:
        super().add(element)
        self._bump()

    def discard(self, element: object) -> None:
        super().discard(element)
        self._bump()

    def remove(self, element: T) -> None:
        super().remove(element)
        self._bump()

    def pop(self) -> T:
        element = super().pop()
        self._bump()
        return element

    def clear(self) -> None:
        super().clear()
        self._bump()

    def update(self, *others: Iterable[T]) -> None:
        super().update(*others)
        self._bump()

    def difference_update(self, *others: Iterable[Any]) -> None:
        super().difference_update(*others)
        self._bump()

    def intersection_update(self, *others: Iterable[Any]) -> None:
        super().intersection_update(*others)
        self._bump()

    def symmetric_difference_update(self, other: Iterable[T]) -> None:
        super().symmetric_difference_update(other)
        self._bump()

    def __ior__(self, other: Set[T]) -> Self:  # type: ignore[override,misc]  # as typeshed
        self.update(other)
        return self

    def __iand__(self, other: Set[object]) -> Self:
        self.intersection_update(other)
        return self

    def __isub__(self, other: Set[object]) -> Self:
        self.difference_update(other)
        return self

    def __ixor__(self, other: Set[T]) -> Self:  # type: ignore[override,misc]  # as typeshed
        self.symmetric_difference_update(other)
        return self


_EDGE_FIELDS = ("memberships", "bindings", "system_memberships")


@dataclass
class Org:
    """One JumpCloud organization: records keyed by id (in id order) plus the edge sets.

    Edit ``memberships``, ``system_memberships`` and ``bindings`` in place or replace them:
    either way the simulator's graph index notices (they are kept as ``TrackedSet``).
    ``binding_attributes`` is read on every request, so edits to it show at once.
    """

    id: str
    name: str
    users: dict[str, dict[str, Any]]
    groups: dict[str, dict[str, Any]]
    applications: dict[str, dict[str, Any]]
    ldap_servers: dict[str, dict[str, Any]]
    radius_servers: dict[str, dict[str, Any]]
    admins: dict[str, dict[str, Any]]
    roles: dict[str, dict[str, Any]]
    memberships: set[Membership]
    bindings: set[Binding]
    systems: dict[str, dict[str, Any]] = field(default_factory=dict)
    """v1 ``system`` records keyed by ``_id``."""
    system_groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    """v2 ``SystemGroup`` records keyed by ``id``."""
    system_memberships: set[SystemMembership] = field(default_factory=set)
    binding_attributes: dict[Binding, dict[str, Any]] = field(default_factory=dict)
    """The association's ``attributes`` (V2 ``GraphAttributes``), e.g.
    ``{"sudo": {"enabled": True, "withoutPassword": False}}``; a binding absent here has
    ``attributes: null``."""
    graph_cache: Any = field(default=None, init=False, repr=False, compare=False)
    """Owned by ``gateway.simulator.graph``; rebuilt whenever the edge sets change."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _EDGE_FIELDS and not isinstance(value, TrackedSet):
            value = TrackedSet(value)
        object.__setattr__(self, name, value)

    def edge_version(self) -> tuple[int, ...]:
        """Changes whenever an edge set is replaced or mutated."""
        return tuple(getattr(getattr(self, name), "version", 0) for name in _EDGE_FIELDS)
