"""Configuration from the environment, validated once into an immutable Settings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from gateway.model import AccessPlan

DEFAULT_BASE_URL = "https://console.jumpcloud.com"


class SettingsError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


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
    access_plan: AccessPlan = AccessPlan.AUTO

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, demo: bool = False) -> Settings:
        """Read and validate every variable documented in the README."""
        env = os.environ if env is None else env
        settings = cls(
            api_key=env.get("JUMPCLOUD_API_KEY") or None,
            org_id=env.get("JUMPCLOUD_ORG_ID") or None,
            base_url=env.get("JUMPCLOUD_BASE_URL", DEFAULT_BASE_URL).rstrip("/"),
            demo=demo,
            cache_url=env.get("JCGRAPH_CACHE_URL", "memory://"),
            cache_ttl=_number(env, "JCGRAPH_CACHE_TTL", 300.0, minimum=0.0),
            cache_stale_ttl=_number(env, "JCGRAPH_CACHE_STALE_TTL", 3600.0, minimum=0.0),
            max_page_size=int(_number(env, "JCGRAPH_MAX_PAGE_SIZE", 100, minimum=1)),
            max_depth=int(_number(env, "JCGRAPH_MAX_DEPTH", 12, minimum=1)),
            max_aliases=int(_number(env, "JCGRAPH_MAX_ALIASES", 100, minimum=1)),
            max_cost=int(_number(env, "JCGRAPH_MAX_COST", 50_000, minimum=1)),
            max_body_bytes=int(_number(env, "JCGRAPH_MAX_BODY_BYTES", 262_144, minimum=1024)),
            max_tokens=int(_number(env, "JCGRAPH_MAX_TOKENS", 1_000, minimum=100)),
            max_entities=int(_number(env, "JCGRAPH_MAX_ENTITIES", 100, minimum=1)),
            upstream_concurrency=int(_number(env, "JCGRAPH_UPSTREAM_CONCURRENCY", 20, minimum=1)),
            upstream_timeout=_number(env, "JCGRAPH_UPSTREAM_TIMEOUT", 10.0, minimum=0.1),
            retry_attempts=int(_number(env, "JCGRAPH_RETRY_ATTEMPTS", 5, minimum=1)),
            retry_timeout=_number(env, "JCGRAPH_RETRY_TIMEOUT", 30.0, minimum=0.0),
            request_deadline=(
                _number(env, "JCGRAPH_REQUEST_DEADLINE", 0.0, minimum=0.1)
                if env.get("JCGRAPH_REQUEST_DEADLINE", "").strip()
                else None
            ),
            breaker_threshold=int(_number(env, "JCGRAPH_BREAKER_THRESHOLD", 5, minimum=1)),
            breaker_cool_down=_number(env, "JCGRAPH_BREAKER_COOL_DOWN", 30.0, minimum=0.0),
            negative_ttl=_number(env, "JCGRAPH_NEGATIVE_TTL", 60.0, minimum=0.0),
            cache_max_entries=int(_number(env, "JCGRAPH_CACHE_MAX_ENTRIES", 50_000, minimum=1)),
            cache_max_bytes=int(_number(env, "JCGRAPH_CACHE_MAX_BYTES", 268_435_456, minimum=1)),
            graphiql=_flag(env, "JCGRAPH_GRAPHIQL", True),
            response_cache=_flag(env, "JCGRAPH_RESPONSE_CACHE", True),
            response_cache_max_bytes=int(
                _number(env, "JCGRAPH_RESPONSE_CACHE_MAX_BYTES", 16_777_216, minimum=1)
            ),
            graphiql_assets=env.get("JCGRAPH_GRAPHIQL_ASSETS") or None,
            auth_tokens=tuple(
                t.strip() for t in env.get("JCGRAPH_AUTH_TOKENS", "").split(",") if t.strip()
            ),
            log_level=env.get("JCGRAPH_LOG_LEVEL", "INFO").upper(),
            access_plan=env.get("JCGRAPH_ACCESS_PLAN", AccessPlan.AUTO),  # type: ignore[arg-type]
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        if not self.demo and not self.api_key:
            raise SettingsError(
                "JUMPCLOUD_API_KEY is not set. Set it to an administrator's API key "
                "(JumpCloud console > API Settings), or run `jcgraph serve --demo` to serve "
                "the embedded demo organisation."
            )
        if not self.cache_url.startswith(("memory://", "redis://", "rediss://")):
            raise SettingsError(
                "JCGRAPH_CACHE_URL must start with memory://, redis:// or rediss://"
            )
        if self.log_level not in ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"):
            raise SettingsError("JCGRAPH_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        if self.access_plan not in set(AccessPlan):
            plans = ", ".join(AccessPlan)
            raise SettingsError(f"JCGRAPH_ACCESS_PLAN must be one of {plans}")
        if self.max_page_size > 1000:
            raise SettingsError("JCGRAPH_MAX_PAGE_SIZE must be at most 1000")


def _number(env: Mapping[str, str], name: str, default: float, *, minimum: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum:g}, got {raw!r}")
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")
