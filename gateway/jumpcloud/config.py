"""Client configuration: where JumpCloud is, which key, and how hard to push it."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_LIMIT = 100  # JumpCloud's largest page: `limit` is "Limited to 100" in v1 and v2


@dataclass(frozen=True)
class ClientConfig:
    api_key: str = field(repr=False)
    # Other regions serve the same paths: console.eu.jumpcloud.com, console.in.jumpcloud.com.
    base_url: str = "https://console.jumpcloud.com"
    org_id: str | None = None  # sent as x-org-id: multi-tenant admins need it
    # Requests in flight; never held while backing off. JumpCloud publishes no rate or
    # concurrency limit, so the default is sized for the gateway's own reads:
    # a wave of per-key reads (one per group or application of a page) stays whole, and a
    # 429 pauses and paces every request of the client (gateway.jumpcloud.throttle).
    max_concurrency: int = 20
    timeout: float = 10.0  # per request, seconds
    retry_attempts: int = 5
    retry_timeout: float = 30.0  # total seconds across attempts
    retry_after_cap: float = 30.0  # cap for Retry-After (seconds or HTTP-date)
    retry_wait_initial: float = 0.1
    retry_wait_max: float = 5.0
    retry_wait_jitter: float = 1.0
    page_size: int = 100  # JumpCloud's maximum
    user_id_batch: int = 100  # ids per filter=_id:$in:... call
    # Bound of one `deadline()` scope (a GraphQL request): every call, retry and wait in it.
    request_deadline: float | None = None  # None: twice `timeout`
    breaker_threshold: int = 5  # reads failed for good in a row (5xx, transport, timeout)
    breaker_cool_down: float = 30.0  # seconds open before one probe is let through
    # The organisation's request budget (budget.py): requests a second (0: none, only the
    # learned 429 pace) and how many may leave at once. The client alone sets none; the
    # gateway's defaults and their reasons are in gateway.settings (JCGRAPH_UPSTREAM_RATE).
    upstream_rate: float = 0.0
    upstream_burst: int = 1

    def __post_init__(self) -> None:
        if not self.api_key:
            raise ValueError("api_key is empty: set the JumpCloud API key")
        if not 1 <= self.page_size <= MAX_LIMIT or not 1 <= self.user_id_batch <= MAX_LIMIT:
            raise ValueError(f"page_size and user_id_batch must be within 1..{MAX_LIMIT}")
        if self.max_concurrency < 1 or self.retry_attempts < 1 or self.breaker_threshold < 1:
            raise ValueError(
                "max_concurrency, retry_attempts and breaker_threshold must be at least 1"
            )
        if self.upstream_rate < 0 or self.upstream_burst < 1:
            raise ValueError("upstream_rate must be >= 0 and upstream_burst >= 1")
        if self.request_deadline is not None and self.request_deadline <= 0:
            raise ValueError("request_deadline must be positive (or None for twice the timeout)")

    @property
    def deadline_seconds(self) -> float:
        """The request deadline in force: twice the per-attempt timeout unless set, so a
        hung upstream costs one timeout and its one retry, never more."""
        return self.request_deadline if self.request_deadline is not None else 2 * self.timeout
