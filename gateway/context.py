"""The per-request context: fresh loaders, limits, and what the request cost."""

from __future__ import annotations

from dataclasses import dataclass, field

import strawberry

from gateway.cache import CacheTally
from gateway.jumpcloud.accounting import Tally
from gateway.loaders import Loaders


@dataclass
class Context:
    loaders: Loaders
    max_page_size: int
    report_cost: bool = False
    upstream: Tally = field(default_factory=Tally)
    cache: CacheTally = field(default_factory=CacheTally)
    broad_access_applications: int = 10
    """ADMIN_ALSO_USER_WITH_BROAD_ACCESS: more applications than this is broad access
    (`JCGRAPH_BROAD_ACCESS_APPLICATIONS`)."""


Info = strawberry.Info[Context, None]
