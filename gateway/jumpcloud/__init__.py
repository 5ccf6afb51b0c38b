"""The upstream JumpCloud client: knows HTTP and JumpCloud, nothing of GraphQL or Starlette."""

from gateway.jumpcloud.accounting import CallLog, Tally, current_tally
from gateway.jumpcloud.breaker import BreakerState
from gateway.jumpcloud.client import ClientConfig, JumpCloudClient, Page
from gateway.jumpcloud.deadline import deadline
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
    "current_tally",
    "deadline",
    "redact",
    "render_v1",
    "render_v2",
]
