"""What is wrong with a Settings' values: one message a problem, each naming its variable.

The API key and the bearer tokens are never quoted in a message.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from gateway import tracing
from gateway.model import AccessPlan
from gateway.persisted import ManifestError, read_manifest

if TYPE_CHECKING:
    from gateway.settings import Settings

# Organisation ids are ObjectIds, 24 hexadecimal characters; JumpCloud answers a malformed
# x-org-id with 400, so it is refused here, before any request.
_ORG_ID = re.compile(r"[0-9A-Fa-f]{24}")
# Nothing a header value may not hold, and no whitespace a copied key may have picked up.
_KEY_CHARS = re.compile(r"[!-~]+")


def problems(settings: Settings, *, tenants_unread: bool = False) -> list[str]:
    """What is wrong with `settings`, one message a problem, each naming its variable.

    `tenants_unread`: JCGRAPH_TENANTS was given but could not be read (its own problem is
    listed elsewhere), so a missing JUMPCLOUD_API_KEY, which it replaces, is no problem."""
    found: list[str] = []
    if settings.tenants is not None:
        found += _tenancy_problems(settings)
    elif not settings.demo and not settings.api_key and not tenants_unread:
        found.append(
            "JUMPCLOUD_API_KEY is not set. Set it to an administrator's API key "
            "(JumpCloud console > API Settings), or run `jcgraph serve --demo` to serve "
            "the embedded demo organisation."
        )
    elif settings.api_key and not _KEY_CHARS.fullmatch(settings.api_key):
        found.append(
            "JUMPCLOUD_API_KEY holds whitespace or control characters; set the key alone, "
            "without quotes, spaces or a trailing newline"
        )
    found += _url_problems(settings.base_url, "JUMPCLOUD_BASE_URL")
    if settings.org_id is not None and not _ORG_ID.fullmatch(settings.org_id):
        found.append(
            f"JUMPCLOUD_ORG_ID must be an organisation id, 24 hexadecimal characters "
            f"(got {settings.org_id!r:.40}); find it in the JumpCloud console's organisation "
            "settings, or unset it for a single-organisation administrator's key"
        )
    found += _cache_url_problems(settings.cache_url)
    tokens = settings.bearer_tokens
    if tokens and not set(settings.fresh_read_tokens) <= set(tokens):
        where = "JCGRAPH_TENANTS" if settings.tenants is not None else "JCGRAPH_AUTH_TOKENS"
        found.append(
            f"JCGRAPH_FRESH_READ_TOKENS lists a token that is not in {where}: "
            "a caller must pass auth before it may ask for fresh reads; list each there too"
        )
    if any(not token.strip() for token in settings.auth_tokens):
        found.append("JCGRAPH_AUTH_TOKENS holds an empty token; remove the stray comma")
    if settings.log_level not in ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"):
        found.append("JCGRAPH_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
    if settings.access_plan not in set(AccessPlan):
        plans = ", ".join(AccessPlan)
        found.append(f"JCGRAPH_ACCESS_PLAN must be one of {plans}")
    if settings.max_page_size > 1000:
        found.append("JCGRAPH_MAX_PAGE_SIZE must be at most 1000")
    found += _cors_problems(settings.cors_origins)
    if settings.log_format not in ("text", "json"):
        found.append(
            f"JCGRAPH_LOG_FORMAT must be text or json, got {settings.log_format!r:.40}; json "
            "writes one JSON object a line"
        )
    if not (math.isfinite(settings.upstream_rate) and settings.upstream_rate >= 0):
        found.append(
            "JCGRAPH_UPSTREAM_RATE must be a number of requests a second, 0 or more (0: no budget)"
        )
    if settings.upstream_burst < 1:
        found.append("JCGRAPH_UPSTREAM_BURST must be at least 1 (requests at once)")
    if not (math.isfinite(settings.cache_lease_ttl) and settings.cache_lease_ttl > 0):
        found.append("JCGRAPH_CACHE_LEASE_TTL must be a positive number of seconds")
    if settings.otel and not tracing.installed():
        found.append(tracing.MISSING_EXTRA)
    if settings.trusted_documents is not None:
        try:
            read_manifest(settings.trusted_documents)
        except ManifestError as exc:
            found.append(
                f"JCGRAPH_TRUSTED_DOCUMENTS ({settings.trusted_documents!r:.200}) {exc}; point "
                "it at a JSON manifest {sha256: document} (`jcgraph manifest > trusted.json`)"
            )
    return found


def _tenancy_problems(settings: Settings) -> list[str]:
    found = []
    if settings.demo:
        found.append(
            "JCGRAPH_TENANTS cannot be combined with --demo, which serves the one embedded "
            "demo organisation; unset JCGRAPH_TENANTS or drop --demo"
        )
    given = [
        name
        for name, value in (
            ("JUMPCLOUD_API_KEY", settings.api_key),
            ("JUMPCLOUD_ORG_ID", settings.org_id),
            ("JCGRAPH_AUTH_TOKENS", settings.auth_tokens),
        )
        if value
    ]
    if given:
        found.append(
            f"JCGRAPH_TENANTS replaces {', '.join(given)}: each tenant names its API key, "
            "organisations and tokens; unset them"
        )
    for tenant in settings.tenants.tenants if settings.tenants else ():
        if tenant.base_url is not None:
            where = f"JCGRAPH_TENANTS: tenant {tenant.name!r}'s `base_url`"
            found += _url_problems(tenant.base_url, where)
    return found


def _cors_problems(origins: tuple[str, ...]) -> list[str]:
    if "*" in origins:
        if any(origin != "*" for origin in origins):
            return ["JCGRAPH_CORS_ORIGINS holds `*` and other origins; set `*` alone, or list them"]
        if len(origins) > 1:
            times = "twice" if len(origins) == 2 else f"{len(origins)} times"
            return [f"JCGRAPH_CORS_ORIGINS gives `*` {times}; set `*` once, alone"]
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


def _url_problems(url: str, subject: str) -> list[str]:
    """What is wrong with a JumpCloud base URL; `subject` names where it was set."""
    hint = "e.g. https://console.jumpcloud.com (or the console of your region)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return [f"{subject} is not a valid URL; set it to {hint}"]
    if parts.scheme not in ("http", "https") or not parts.hostname:
        # Not quoted: a URL may hold credentials.
        return [f"{subject} must be an http:// or https:// URL with a host; set it to {hint}"]
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
