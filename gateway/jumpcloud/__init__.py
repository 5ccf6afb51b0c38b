"""The upstream JumpCloud client: knows HTTP and JumpCloud, nothing of GraphQL or Starlette."""

from gateway.jumpcloud.accounting import CallLog, Tally
from gateway.jumpcloud.breaker import BreakerState
from gateway.jumpcloud.client import ClientConfig, JumpCloudClient, Page
from gateway.jumpcloud.deadline import deadline
from gateway.jumpcloud.edges import Edge, read_edges
from gateway.jumpcloud.errors import (
    AuthenticationError,
    BadRequestError,
    InvalidQueryError,
    JumpCloudError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    UpstreamInconsistentError,
    UpstreamMisconfiguredError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
    redact,
)
from gateway.jumpcloud.filters import Filter, Op, SortKey, render_v1, render_v2
from gateway.jumpcloud.resources import GraphType, Resource
from gateway.jumpcloud.upstream import Health

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "BreakerState",
    "CallLog",
    "ClientConfig",
    "Edge",
    "Filter",
    "GraphType",
    "Health",
    "InvalidQueryError",
    "JumpCloudClient",
    "JumpCloudError",
    "NotFoundError",
    "Op",
    "Page",
    "PermissionDeniedError",
    "RateLimitedError",
    "Resource",
    "SortKey",
    "Tally",
    "UpstreamInconsistentError",
    "UpstreamMisconfiguredError",
    "UpstreamTimeoutError",
    "UpstreamUnavailableError",
    "deadline",
    "read_edges",
    "redact",
    "render_v1",
    "render_v2",
]
