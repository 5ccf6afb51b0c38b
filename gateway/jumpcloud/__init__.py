"""The upstream JumpCloud client's public surface: HTTP and JumpCloud, nothing of GraphQL.

The rest of the gateway imports from here only (a test checks it); the modules below are
the package's own. Its error tree is drawn in errors.py.
"""

from gateway.jumpcloud.accounting import CallLog, Tally
from gateway.jumpcloud.breaker import BreakerState
from gateway.jumpcloud.budget import Budget
from gateway.jumpcloud.client import JumpCloudClient, Page
from gateway.jumpcloud.config import ClientConfig
from gateway.jumpcloud.deadline import deadline, single_attempt
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
from gateway.jumpcloud.filters import (
    ApiVersion,
    Filter,
    Op,
    SortKey,
    render_v1,
    render_v2,
    validate,
)
from gateway.jumpcloud.read_checks import is_jumpcloud_id
from gateway.jumpcloud.resources import GraphType, Resource
from gateway.jumpcloud.responses import Record
from gateway.jumpcloud.shared import SharedLink
from gateway.jumpcloud.spans import UpstreamSpan, UpstreamTracer, current_upstream_tracer
from gateway.jumpcloud.upstream import Health

__all__ = [
    "ApiVersion",
    "AuthenticationError",
    "BadRequestError",
    "BreakerState",
    "Budget",
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
    "Record",
    "Resource",
    "SharedLink",
    "SortKey",
    "Tally",
    "UpstreamInconsistentError",
    "UpstreamMisconfiguredError",
    "UpstreamSpan",
    "UpstreamTimeoutError",
    "UpstreamTracer",
    "UpstreamUnavailableError",
    "current_upstream_tracer",
    "deadline",
    "is_jumpcloud_id",
    "read_edges",
    "redact",
    "render_v1",
    "render_v2",
    "single_attempt",
    "validate",
]
