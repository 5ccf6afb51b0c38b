"""Configuration from the environment, validated once into an immutable Settings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from gateway import settings_checks
from gateway.env import EnvReader
from gateway.model import AccessPlan
from gateway.tenancy import Tenants

DEFAULT_BASE_URL = "https://console.jumpcloud.com"


class SettingsError(ValueError):
    """One or more configuration values are missing or malformed; each problem names its
    variable and says what to set instead. `problems` holds them one by one."""

    def __init__(self, *problems: str) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Settings:
    """Everything the gateway reads from its environment.

    Build it with `Settings.from_env()`; tests build it directly.
    """

    api_key: str | None = field(default=None, repr=False)
    org_id: str | None = None
    base_url: str = DEFAULT_BASE_URL
    demo: bool = False
    cache_url: str = "memory://"
    cache_ttl: float = 300.0
    cache_stale_ttl: float = 3600.0
    max_page_size: int = 100
    max_depth: int = 12
    max_aliases: int = 100
    max_cost: int = 50_000
    # Request bounds: refused before parsing (body) or while lexing (tokens); entities are
    # `_entities` representations per request.
    max_body_bytes: int = 262_144
    max_tokens: int = 1_000
    max_entities: int = 100
    upstream_concurrency: int = 20
    upstream_timeout: float = 10.0
    retry_attempts: int = 5
    retry_timeout: float = 30.0
    # Sparing JumpCloud when it struggles. JumpCloud publishes no rate limits: 429s are
    # learned at run time, these bound the rest.
    request_deadline: float | None = None  # JCGRAPH_REQUEST_DEADLINE; None: 2 x upstream_timeout
    breaker_threshold: int = 5
    breaker_cool_down: float = 30.0
    negative_ttl: float = 60.0
    cache_max_entries: int = 50_000
    cache_max_bytes: int = 268_435_456
    graphiql: bool = True
    response_cache: bool = True
    response_cache_max_bytes: int = 16_777_216
    graphiql_assets: str | None = None
    auth_tokens: tuple[str, ...] = field(default=(), repr=False)
    log_level: str = "INFO"
    log_format: str = "text"  # JCGRAPH_LOG_FORMAT: text, or json (one object a line)
    otel: bool = False  # JCGRAPH_OTEL: OpenTelemetry spans (the `otel` extra)
    access_plan: AccessPlan = AccessPlan.AUTO
    # Browser frontends: origins allowed by CORS (none: no CORS headers), the trusted
    # documents' manifest (None: any document, and automatic persisted queries), and the
    # smallest response compressed with gzip (0: none).
    cors_origins: tuple[str, ...] = ()
    trusted_documents: str | None = None
    gzip_min_bytes: int = 1024
    # Findings: an admin whose user account reaches more applications than this is flagged.
    broad_access_applications: int = 10
    # Fresh data on demand (gateway.freshness): who may send Cache-Control, how often.
    fresh_read_tokens: tuple[str, ...] = field(default=(), repr=False)
    fresh_reads_per_minute: int = 6
    # Replicas. One upstream budget per organisation, across every replica sharing
    # JCGRAPH_CACHE_URL's Redis (in process without it). JumpCloud publishes no rate limit
    # (no numbers, no Retry-After contract, no X-RateLimit-* headers), so there is no
    # number to default to: the budget is off (0) unless set, and JumpCloud's own answers
    # rule, as in one process: a 429 pauses every replica (the pause is shared through
    # Redis even with the budget off) and requests are then paced at the rate it accepted.
    # A deployment that knows its room sets JCGRAPH_UPSTREAM_RATE (and _BURST).
    upstream_rate: float = 0.0
    upstream_burst: int = 20
    # How long a replica's lease on a cache key outlives the replica if it dies mid-load
    # (renewed while the load runs); others then load it themselves.
    cache_lease_ttl: float = 5.0
    # Several organisations behind one gateway (gateway/tenancy.py): JCGRAPH_TENANTS replaces
    # JUMPCLOUD_API_KEY, JUMPCLOUD_ORG_ID and JCGRAPH_AUTH_TOKENS.
    tenants: Tenants | None = field(default=None, repr=False)

    @property
    def bearer_tokens(self) -> tuple[str, ...]:
        """Every token a caller may send: the tenants' tokens, or JCGRAPH_AUTH_TOKENS."""
        return self.tenants.tokens if self.tenants is not None else self.auth_tokens

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, demo: bool = False) -> Settings:
        """Read and validate every variable documented in the README; a SettingsError
        lists every problem found, not only the first."""
        env = os.environ if env is None else env
        read = EnvReader(env)
        settings = cls(
            api_key=env.get("JUMPCLOUD_API_KEY") or None,
            org_id=env.get("JUMPCLOUD_ORG_ID") or None,
            base_url=env.get("JUMPCLOUD_BASE_URL", DEFAULT_BASE_URL).strip().rstrip("/"),
            demo=demo,
            cache_url=env.get("JCGRAPH_CACHE_URL", "memory://"),
            cache_ttl=read.number("JCGRAPH_CACHE_TTL", 300.0, minimum=0.0),
            cache_stale_ttl=read.number("JCGRAPH_CACHE_STALE_TTL", 3600.0, minimum=0.0),
            max_page_size=read.integer("JCGRAPH_MAX_PAGE_SIZE", 100, minimum=1),
            max_depth=read.integer("JCGRAPH_MAX_DEPTH", 12, minimum=1),
            max_aliases=read.integer("JCGRAPH_MAX_ALIASES", 100, minimum=1),
            max_cost=read.integer("JCGRAPH_MAX_COST", 50_000, minimum=1),
            max_body_bytes=read.integer("JCGRAPH_MAX_BODY_BYTES", 262_144, minimum=1024),
            max_tokens=read.integer("JCGRAPH_MAX_TOKENS", 1_000, minimum=100),
            max_entities=read.integer("JCGRAPH_MAX_ENTITIES", 100, minimum=1),
            upstream_concurrency=read.integer("JCGRAPH_UPSTREAM_CONCURRENCY", 20, minimum=1),
            upstream_timeout=read.number("JCGRAPH_UPSTREAM_TIMEOUT", 10.0, minimum=0.1),
            retry_attempts=read.integer("JCGRAPH_RETRY_ATTEMPTS", 5, minimum=1),
            retry_timeout=read.number("JCGRAPH_RETRY_TIMEOUT", 30.0, minimum=0.0),
            request_deadline=(
                read.number("JCGRAPH_REQUEST_DEADLINE", 0.0, minimum=0.1)
                if env.get("JCGRAPH_REQUEST_DEADLINE", "").strip()
                else None
            ),
            breaker_threshold=read.integer("JCGRAPH_BREAKER_THRESHOLD", 5, minimum=1),
            breaker_cool_down=read.number("JCGRAPH_BREAKER_COOL_DOWN", 30.0, minimum=0.0),
            negative_ttl=read.number("JCGRAPH_NEGATIVE_TTL", 60.0, minimum=0.0),
            cache_max_entries=read.integer("JCGRAPH_CACHE_MAX_ENTRIES", 50_000, minimum=1),
            cache_max_bytes=read.integer("JCGRAPH_CACHE_MAX_BYTES", 268_435_456, minimum=1),
            graphiql=read.flag("JCGRAPH_GRAPHIQL", True),
            response_cache=read.flag("JCGRAPH_RESPONSE_CACHE", True),
            response_cache_max_bytes=read.integer(
                "JCGRAPH_RESPONSE_CACHE_MAX_BYTES", 16_777_216, minimum=1
            ),
            graphiql_assets=env.get("JCGRAPH_GRAPHIQL_ASSETS") or None,
            auth_tokens=read.tokens("JCGRAPH_AUTH_TOKENS", keep_empty=True),
            log_level=env.get("JCGRAPH_LOG_LEVEL", "INFO").strip().upper() or "INFO",
            log_format=env.get("JCGRAPH_LOG_FORMAT", "text").strip().lower() or "text",
            otel=read.flag("JCGRAPH_OTEL", False),
            access_plan=read.choice("JCGRAPH_ACCESS_PLAN", AccessPlan.AUTO),
            cors_origins=tuple(
                o.strip().lower()
                for o in env.get("JCGRAPH_CORS_ORIGINS", "").split(",")
                if o.strip()
            ),
            trusted_documents=env.get("JCGRAPH_TRUSTED_DOCUMENTS", "").strip() or None,
            gzip_min_bytes=read.integer("JCGRAPH_GZIP_MIN_BYTES", 1024, minimum=0),
            broad_access_applications=read.integer(
                "JCGRAPH_BROAD_ACCESS_APPLICATIONS", 10, minimum=0
            ),
            fresh_read_tokens=read.tokens("JCGRAPH_FRESH_READ_TOKENS"),
            fresh_reads_per_minute=read.integer("JCGRAPH_FRESH_READS_PER_MINUTE", 6, minimum=1),
            upstream_rate=read.number("JCGRAPH_UPSTREAM_RATE", 0.0, minimum=0.0),
            upstream_burst=read.integer("JCGRAPH_UPSTREAM_BURST", 20, minimum=1),
            cache_lease_ttl=read.number("JCGRAPH_CACHE_LEASE_TTL", 5.0, minimum=0.1),
            tenants=read.tenants("JCGRAPH_TENANTS"),
        )
        # JCGRAPH_TENANTS given but unreadable: its problem is listed, and the missing
        # JUMPCLOUD_API_KEY, which a tenants set-up does not need, is not.
        tenants_unread = settings.tenants is None and bool(env.get("JCGRAPH_TENANTS", "").strip())
        problems = [
            *read.problems,
            *settings_checks.problems(settings, tenants_unread=tenants_unread),
        ]
        if problems:
            raise SettingsError(*problems)
        return settings

    def validate(self) -> None:
        """Raise a SettingsError listing every problem (see `problems`)."""
        problems = self.problems()
        if problems:
            raise SettingsError(*problems)

    def problems(self) -> list[str]:
        """What is wrong with these values, one message a problem, each naming its variable.
        The API key and the bearer tokens are never quoted."""
        return settings_checks.problems(self)


def secrets_of(settings: Settings) -> tuple[str, ...]:
    """Values no log line may show: the API key, the gateway's bearer tokens (fresh-read
    ones included), and the password of a cache URL."""
    cache_password = urlsplit(settings.cache_url).password
    tokens = (*settings.bearer_tokens, *settings.fresh_read_tokens)
    keys = [t.api_key for t in settings.tenants.tenants] if settings.tenants else []
    return tuple(s for s in (settings.api_key, *keys, *tokens, cache_password) if s)
