"""Configuration from the environment, validated once into an immutable Settings."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from gateway import tracing
from gateway.model import AccessPlan
from gateway.persisted import ManifestError, read_manifest
from gateway.tenancy import Tenants, TenantsError, read_tenants

DEFAULT_BASE_URL = "https://console.jumpcloud.com"


# Organisation ids are 24-hex-character ObjectIds (API-NOTES §10); JumpCloud answers a
# malformed x-org-id with 400 (§2), so it is refused here, before any request.
_ORG_ID = re.compile(r"[0-9A-Fa-f]{24}")
# Nothing a header value may not hold, and no whitespace a copied key may have picked up.
_KEY_CHARS = re.compile(r"[!-~]+")


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
    # Sparing JumpCloud when it struggles (DESIGN §5.11). JumpCloud publishes no rate limits
    # (API-NOTES §6): 429s are learned at run time, these bound the rest.
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
    # Replicas (DESIGN §5.10). One upstream budget per organisation, across every replica
    # sharing JCGRAPH_CACHE_URL's Redis (in process without it). JumpCloud publishes no rate
    # limit (API-NOTES §6: no numbers, no Retry-After contract, no X-RateLimit-* headers), so
    # there is no number to default to: the budget is off (0) unless set, and JumpCloud's own
    # answers rule, as in one process: a 429 pauses every replica (the pause is shared through
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
        read = _Reader(env)
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
            auth_tokens=read.tokens("JCGRAPH_AUTH_TOKENS"),
            log_level=env.get("JCGRAPH_LOG_LEVEL", "INFO").upper(),
            log_format=env.get("JCGRAPH_LOG_FORMAT", "text").strip().lower() or "text",
            otel=read.flag("JCGRAPH_OTEL", False),
            access_plan=env.get("JCGRAPH_ACCESS_PLAN", AccessPlan.AUTO),  # type: ignore[arg-type]
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
        problems = [*read.problems, *settings.problems()]
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
        found: list[str] = []
        if self.tenants is not None:
            found += self._tenancy_problems()
        elif not self.demo and not self.api_key:
            found.append(
                "JUMPCLOUD_API_KEY is not set. Set it to an administrator's API key "
                "(JumpCloud console > API Settings), or run `jcgraph serve --demo` to serve "
                "the embedded demo organisation."
            )
        elif self.api_key and not _KEY_CHARS.fullmatch(self.api_key):
            found.append(
                "JUMPCLOUD_API_KEY holds whitespace or control characters; set the key alone, "
                "without quotes, spaces or a trailing newline"
            )
        found += _url_problems(self.base_url)
        if self.org_id is not None and not _ORG_ID.fullmatch(self.org_id):
            found.append(
                f"JUMPCLOUD_ORG_ID must be an organisation id, 24 hexadecimal characters "
                f"(got {self.org_id!r:.40}); find it in the JumpCloud console's organisation "
                "settings, or unset it for a single-organisation administrator's key"
            )
        found += _cache_url_problems(self.cache_url)
        tokens = self.bearer_tokens
        if tokens and not set(self.fresh_read_tokens) <= set(tokens):
            where = "JCGRAPH_TENANTS" if self.tenants is not None else "JCGRAPH_AUTH_TOKENS"
            found.append(
                f"JCGRAPH_FRESH_READ_TOKENS lists a token that is not in {where}: "
                "a caller must pass auth before it may ask for fresh reads; list each there too"
            )
        if any(not token.strip() for token in self.auth_tokens):
            found.append("JCGRAPH_AUTH_TOKENS holds an empty token; remove the stray comma")
        if self.log_level not in ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"):
            found.append("JCGRAPH_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        if self.access_plan not in set(AccessPlan):
            plans = ", ".join(AccessPlan)
            found.append(f"JCGRAPH_ACCESS_PLAN must be one of {plans}")
        if self.max_page_size > 1000:
            found.append("JCGRAPH_MAX_PAGE_SIZE must be at most 1000")
        found += _cors_problems(self.cors_origins)
        if self.log_format not in ("text", "json"):
            found.append(
                f"JCGRAPH_LOG_FORMAT must be text or json, got {self.log_format!r:.40}; json "
                "writes one JSON object a line"
            )
        if not (math.isfinite(self.upstream_rate) and self.upstream_rate >= 0):
            found.append(
                "JCGRAPH_UPSTREAM_RATE must be a number of requests a second, 0 or more "
                "(0: no budget)"
            )
        if self.upstream_burst < 1:
            found.append("JCGRAPH_UPSTREAM_BURST must be at least 1 (requests at once)")
        if not (math.isfinite(self.cache_lease_ttl) and self.cache_lease_ttl > 0):
            found.append("JCGRAPH_CACHE_LEASE_TTL must be a positive number of seconds")
        if self.otel and not tracing.installed():
            found.append(tracing.MISSING_EXTRA)
        if self.trusted_documents is not None:
            try:
                read_manifest(self.trusted_documents)
            except ManifestError as exc:
                found.append(
                    f"JCGRAPH_TRUSTED_DOCUMENTS ({self.trusted_documents!r:.200}) {exc}; point it "
                    "at a JSON manifest {sha256: document} (`jcgraph manifest > trusted.json`)"
                )
        return found

    def _tenancy_problems(self) -> list[str]:
        found = []
        if self.demo:
            found.append(
                "JCGRAPH_TENANTS cannot be combined with --demo, which serves the one embedded "
                "demo organisation; unset JCGRAPH_TENANTS or drop --demo"
            )
        given = [
            name
            for name, value in (
                ("JUMPCLOUD_API_KEY", self.api_key),
                ("JUMPCLOUD_ORG_ID", self.org_id),
                ("JCGRAPH_AUTH_TOKENS", self.auth_tokens),
            )
            if value
        ]
        if given:
            found.append(
                f"JCGRAPH_TENANTS replaces {', '.join(given)}: each tenant names its API key, "
                "organisations and tokens; unset them"
            )
        return found


def _cors_problems(origins: tuple[str, ...]) -> list[str]:
    if "*" in origins:
        if len(origins) > 1:
            return ["JCGRAPH_CORS_ORIGINS holds `*` and other origins; set `*` alone, or list them"]
        return []
    found: list[str] = []
    for origin in origins:
        try:
            parts = urlsplit(origin)
            parts.port  # noqa: B018 - raises on a malformed port
        except ValueError:
            parts = None
        if (
            parts is None
            or parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.username is not None
            or origin != f"{parts.scheme}://{parts.netloc}"
        ):
            found.append(
                f"JCGRAPH_CORS_ORIGINS holds {origin!r:.80}, not an origin; list origins as a "
                "browser sends them, scheme://host[:port] with no path or trailing slash "
                "(e.g. https://app.example.com,http://localhost:5173), or `*` alone"
            )
    return found


def _url_problems(url: str) -> list[str]:
    hint = "e.g. https://console.jumpcloud.com (or the console of your region)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return [f"JUMPCLOUD_BASE_URL is not a valid URL; set it to {hint}"]
    if parts.scheme not in ("http", "https") or not parts.hostname:
        # Not quoted: a URL may hold credentials.
        return [
            f"JUMPCLOUD_BASE_URL must be an http:// or https:// URL with a host; set it to {hint}"
        ]
    return []


def _cache_url_problems(url: str) -> list[str]:
    if url.startswith("memory://"):
        return []
    if not url.startswith(("redis://", "rediss://")):
        return ["JCGRAPH_CACHE_URL must start with memory://, redis:// or rediss://"]
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return ["JCGRAPH_CACHE_URL has a malformed port; use redis://host:6379/0"]
    db = parts.path.lstrip("/")
    if db and not db.isdigit():
        return [f"JCGRAPH_CACHE_URL's database must be a number (redis://host:6379/0), got {db!r}"]
    return []


class _Reader:
    """Parses variables, collecting every problem instead of stopping at the first."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.problems: list[str] = []

    def number(self, name: str, default: float, *, minimum: float) -> float:
        raw = self.env.get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):  # nan and inf parse as floats and pass every comparison
            self.problems.append(f"{name} must be a finite number, got {raw!r:.40}")
            return default
        if value < minimum:
            self.problems.append(f"{name} must be at least {minimum:g}, got {raw!r:.40}")
            return default
        return value

    def integer(self, name: str, default: int, *, minimum: int) -> int:
        value = self.number(name, default, minimum=minimum)
        if value != int(value):
            self.problems.append(f"{name} must be a whole number, got {self.env[name]!r:.40}")
            return default
        return int(value)

    def flag(self, name: str, default: bool) -> bool:
        raw = self.env.get(name)
        if raw is None or raw.strip() == "":
            return default
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        self.problems.append(f"{name} must be true or false, got {raw!r:.40}")
        return default

    def tenants(self, name: str) -> Tenants | None:
        raw = self.env.get(name, "")
        if not raw.strip():
            return None
        try:
            return read_tenants(raw, self.env)
        except TenantsError as exc:
            self.problems.append(str(exc))
            return None

    def tokens(self, name: str) -> tuple[str, ...]:
        """Comma-separated tokens; unset or blank means none. A value holding only commas
        and spaces is refused: it reads as "auth on" but would turn auth off."""
        raw = self.env.get(name, "")
        tokens = tuple(t.strip() for t in raw.split(",") if t.strip())
        if raw.strip() and not tokens:
            self.problems.append(
                f"{name} holds no token (only commas or spaces); list the bearer tokens "
                "callers must send, or unset it to serve without authentication"
            )
        return tokens
