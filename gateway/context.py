"""The per-request context: the bound organisation's loaders, limits, and what the request cost."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import strawberry

from gateway.loaders import Loaders
from gateway.model import Kind
from gateway.request_cost import RequestCost
from gateway.tenancy import unbound_error

Organizations = Callable[[], Awaitable[list[dict[str, Any]]]]


async def _no_organizations() -> list[dict[str, Any]]:
    return []


@dataclass
class Context:
    bound: Loaders | None
    """The loaders of the organisation the request is bound to; None when its token may
    read several organisations and it named none (gateway/tenancy.py)."""
    max_page_size: int
    report_cost: bool = False
    cost: RequestCost = field(default_factory=RequestCost)
    """What the request cost: the loaders' client and cache are charged with it."""
    broad_access_applications: int = 10
    """ADMIN_ALSO_USER_WITH_BROAD_ACCESS: more applications than this is broad access
    (`JCGRAPH_BROAD_ACCESS_APPLICATIONS`)."""
    readable: tuple[str, ...] = ()
    """The organisations the caller may read (empty: one unnamed organisation)."""
    organizations: Organizations = _no_organizations
    """Reads the records (`_id`, `displayName`) of the organisations the caller may read."""

    @property
    def loaders(self) -> Loaders:
        """The bound organisation's loaders; BAD_USER_INPUT when the request named none."""
        if self.bound is None:
            raise unbound_error(self.readable)
        return self.bound

    def prefetch(self, kind: Kind) -> None:
        """Start reading a whole collection of the bound organisation (none: nothing)."""
        if self.bound is not None:
            self.bound.prefetch(kind)


Info = strawberry.Info[Context, None]
