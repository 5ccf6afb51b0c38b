"""`jcgraph doctor`: check the configuration against JumpCloud, say what is wrong and the fix.

The same checks run when `jcgraph serve` starts. Policy (`blocking`): a check JumpCloud
*answered* (the key rejected, no list at the base URL, the organisation unknown) or a
setting that does not parse refuses the start, since every request would fail the same way
and stale data is never served on such an answer (`gateway.app.STALE_ON`). JumpCloud not
answering, Redis down and GraphiQL assets missing only warn: a replica can still serve
cached data, read through without Redis, and answer queries without GraphiQL.

The API key is never printed: every line goes through `redact`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

import httpx

from gateway.cache_levels import open_cache
from gateway.graphiql import ASSETS, DEFAULT_ROOT
from gateway.jumpcloud import errors
from gateway.jumpcloud.client import ClientConfig, JumpCloudClient, Resource
from gateway.jumpcloud.deadline import deadline, single_attempt
from gateway.observability import redact_url
from gateway.settings import Settings, SettingsError

# Console hosts by region (API-NOTES §1: V1/V2 `servers`).
CONSOLE_HOSTS = {
    "console.jumpcloud.com": "US",
    "console.eu.jumpcloud.com": "EU",
    "console.in.jumpcloud.com": "IN",
}
# Directory Insights hosts (API-NOTES §1): a different API, a common wrong base URL.
INSIGHTS_HOSTS = {"api.jumpcloud.com", "api.eu.jumpcloud.com", "api.in.jumpcloud.com"}
REGIONS = "https://console.jumpcloud.com, https://console.eu.jumpcloud.com or https://console.in.jumpcloud.com"


class Level(enum.Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Finding:
    """One check's outcome: what was found and, unless it passed, how to fix it."""

    check: str
    level: Level
    message: str
    fix: str = ""


# Checks whose failure refuses `jcgraph serve` (see the module docstring).
BLOCKING = frozenset({"settings", "api key", "base url", "organization"})


def blocking(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.level is Level.FAIL and f.check in BLOCKING]


async def probe(client: JumpCloudClient, seconds: float) -> errors.JumpCloudError | None:
    """One attempt at the smallest list the gateway reads (one user), bounded by `seconds`:
    None when JumpCloud answered it, else the typed error."""
    with deadline(seconds), single_attempt():
        try:
            await client.page(Resource.USERS, limit=1)
        except errors.JumpCloudError as exc:
            return exc
    return None


async def diagnose(
    settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
) -> list[Finding]:
    """Every check for valid `settings`; the demo serves an embedded org, nothing upstream."""

    async def check(where: str, single: Settings) -> list[Finding]:
        checked = check_region(single)
        if not any(f.level is Level.FAIL for f in checked):
            checked += await check_upstream(single, transport)
        return [dataclasses.replace(f, message=f"{where}{f.message}") for f in checked]

    # Every organisation at once: a gateway of many tenants starts in one probe's time.
    checks = await asyncio.gather(*(check(w, s) for w, s in _organisations(settings)))
    found = [finding for checked in checks for finding in checked]
    found.append(await check_cache(settings))
    found.append(check_graphiql(settings))
    return found


def _organisations(settings: Settings) -> list[tuple[str, Settings]]:
    """What to check upstream, each as the single-organisation settings it is read with:
    nothing for the demo; each organisation of JCGRAPH_TENANTS, named in its findings."""
    if settings.demo:
        return []
    if settings.tenants is None:
        return [("", settings)]
    return [
        (
            f"tenant {tenant.name}, organisation {org_id}: ",
            dataclasses.replace(
                settings,
                tenants=None,
                api_key=tenant.api_key,
                org_id=org_id,
                base_url=tenant.base_url or settings.base_url,
            ),
        )
        for tenant in settings.tenants.tenants
        for org_id in tenant.org_ids
    ]


def check_region(settings: Settings) -> list[Finding]:
    host = urlsplit(settings.base_url).hostname or ""
    if host in INSIGHTS_HOSTS:
        return [
            Finding(
                "base url",
                Level.FAIL,
                f"JUMPCLOUD_BASE_URL points at {host}, the Directory Insights API "
                "(API-NOTES §1), not the console API",
                f"set JUMPCLOUD_BASE_URL to the console host of your region: {REGIONS}",
            )
        ]
    region = CONSOLE_HOSTS.get(host)
    if region is None:
        return [
            Finding(
                "region",
                Level.OK,
                f"{host} is not a JumpCloud console host (a proxy or a simulator); "
                "no region to check",
            )
        ]
    return [Finding("region", Level.OK, f"{host}: the {region} region's console")]


def _config(settings: Settings, *, org: bool = True) -> ClientConfig:
    return ClientConfig(
        api_key=settings.api_key or "",
        base_url=settings.base_url,
        org_id=settings.org_id if org else None,
        timeout=settings.upstream_timeout,
        retry_attempts=1,
    )


async def _probe(
    settings: Settings, transport: httpx.AsyncBaseTransport | None, *, org: bool = True
) -> errors.JumpCloudError | None:
    async with JumpCloudClient(_config(settings, org=org), transport=transport) as client:
        return await probe(client, settings.upstream_timeout)


async def check_upstream(
    settings: Settings, transport: httpx.AsyncBaseTransport | None
) -> list[Finding]:
    base = redact_url(settings.base_url)
    error = await _probe(settings, transport)
    if error is None:
        org = f"JUMPCLOUD_ORG_ID={settings.org_id}" if settings.org_id else "no JUMPCLOUD_ORG_ID"
        return [
            Finding("base url", Level.OK, f"{base} answers the list endpoints"),
            Finding("api key", Level.OK, "JumpCloud accepted JUMPCLOUD_API_KEY"),
            Finding("organization", Level.OK, f"{org}: JumpCloud picked the organisation"),
        ]
    if isinstance(error, errors.UpstreamMisconfiguredError) and settings.org_id:
        # 404 is both "no such path" and "organization id not found" (API-NOTES §2): the
        # same list without x-org-id tells them apart.
        bare = await _probe(settings, transport, org=False)
        if not isinstance(bare, errors.UpstreamMisconfiguredError):
            return [
                Finding("base url", Level.OK, f"{base} answers the list endpoints"),
                Finding(
                    "organization",
                    Level.FAIL,
                    f"JumpCloud knows no organisation JUMPCLOUD_ORG_ID={settings.org_id} for "
                    f"this key ({error.endpoint} answered 404 with it, not without it)",
                    "set JUMPCLOUD_ORG_ID to the id of an organisation this administrator "
                    "manages (GET /api/organizations lists them, API-NOTES §2)",
                ),
            ]
    return [_failure(error, settings)]


def _failure(error: errors.JumpCloudError, settings: Settings) -> Finding:
    base = redact_url(settings.base_url)
    parts = urlsplit(settings.base_url)
    if isinstance(error, errors.UpstreamMisconfiguredError):
        if parts.path.strip("/"):
            fix = (
                f"set JUMPCLOUD_BASE_URL={parts.scheme}://{parts.netloc} (without "
                f"{parts.path}): the gateway adds /api and /api/v2 itself"
            )
        else:
            fix = f"set JUMPCLOUD_BASE_URL to the console host of your region: {REGIONS}"
        if settings.org_id:
            fix += "; if it is right, check JUMPCLOUD_ORG_ID"
        return Finding(
            "base url",
            Level.FAIL,
            f"{error.endpoint} answered 404 at JUMPCLOUD_BASE_URL={base}: "
            "JumpCloud's list endpoints are not there",
            fix,
        )
    if isinstance(error, errors.AuthenticationError):
        return _rejected(error, settings)
    if isinstance(error, errors.PermissionDeniedError):
        return Finding(
            "api key",
            Level.WARN,
            f"JumpCloud accepted JUMPCLOUD_API_KEY but its administrator may not list users "
            f"({error.endpoint} answered 403)",
            "give the administrator a role with the users.readonly scope (x-scopes, "
            "API-NOTES §9); reads of users will fail until then",
        )
    if isinstance(error, errors.BadRequestError) and settings.org_id:
        return Finding(
            "organization",
            Level.FAIL,
            f"JumpCloud refused JUMPCLOUD_ORG_ID={settings.org_id} ({error.endpoint} answered "
            "400, which it sends for a malformed x-org-id, API-NOTES §2)",
            "set JUMPCLOUD_ORG_ID to the organisation's id as the console shows it",
        )
    if isinstance(error, errors.RateLimitedError):
        return Finding(
            "jumpcloud",
            Level.FAIL,
            f"JumpCloud is rate limiting this key ({error.endpoint}); the key was not checked",
            "wait and run `jcgraph doctor` again; other clients of this key share its budget",
        )
    return Finding(
        "jumpcloud",
        Level.FAIL,
        f"JumpCloud at {base} did not answer: {error.message}",
        "check DNS, proxy and firewall on the way to that host; if JumpCloud is only "
        "briefly down, the gateway serves cached data meanwhile",
    )


def _rejected(error: errors.JumpCloudError, settings: Settings) -> Finding:
    if "organization" in error.message.lower() and not settings.org_id:
        # "no organization selected" is the body reported for a key that needs x-org-id
        # (API-NOTES §5); 401 is the documented status for it (§2).
        return Finding(
            "organization",
            Level.FAIL,
            f"the key is a multi-tenant administrator's and JUMPCLOUD_ORG_ID is not set "
            f"({error.endpoint} answered 401: no organization selected)",
            "set JUMPCLOUD_ORG_ID to the id of the organisation to serve (24 hex characters; "
            "GET /api/organizations with this key lists them, API-NOTES §2)",
        )
    hints = [
        "check JUMPCLOUD_API_KEY: API access is off by default for an administrator and keys "
        "can expire (API-NOTES §2)"
    ]
    if settings.api_key and not settings.api_key.startswith("jca_"):
        hints.append("JumpCloud keys begin with 'jca_' and this one does not")
    if not settings.org_id:
        hints.append("a multi-tenant administrator's key also needs JUMPCLOUD_ORG_ID")
    host = urlsplit(settings.base_url).hostname or ""
    if host in CONSOLE_HOSTS:
        # The reference names the regional consoles (§1) but not what a key from another
        # region is answered there; a 401 is our inference, so this is only a hint.
        others = ", ".join(f"https://{h}" for h in CONSOLE_HOSTS if h != host)
        hints.append(
            f"an organisation in another region is served by its own console ({others}): "
            "set JUMPCLOUD_BASE_URL to it"
        )
    return Finding(
        "api key",
        Level.FAIL,
        f"JumpCloud rejected JUMPCLOUD_API_KEY ({error.endpoint} answered 401)",
        "; ".join(hints),
    )


async def check_cache(settings: Settings) -> Finding:
    url = settings.cache_url
    if not url.startswith(("redis://", "rediss://")):
        return Finding("cache", Level.OK, "memory://: this process's own memory")
    shown = redact_url(url)
    cache = open_cache(url, namespace="jcgraph:doctor:", ttl=1.0, stale_ttl=0.0)
    try:
        async with asyncio.timeout(settings.upstream_timeout):
            await cache.ping()
    except Exception as exc:  # any failure to answer is the finding
        return Finding(
            "cache",
            Level.FAIL,
            f"Redis at {shown} does not answer ({type(exc).__name__})",
            "start Redis or correct JCGRAPH_CACHE_URL; meanwhile each replica reads through "
            "to JumpCloud and caches in its own memory, and replicas no longer share entries",
        )
    finally:
        await cache.close()
    return Finding("cache", Level.OK, f"Redis at {shown} answers")


def check_graphiql(settings: Settings) -> Finding:
    if not settings.graphiql:
        return Finding("graphiql", Level.OK, "disabled (JCGRAPH_GRAPHIQL=false)")
    root = Path(settings.graphiql_assets) if settings.graphiql_assets else DEFAULT_ROOT
    missing = sorted(name for name, path in ASSETS.items() if not (root / path).is_file())
    if missing:
        return Finding(
            "graphiql",
            Level.WARN,
            f"GraphiQL assets missing under {root} ({', '.join(missing)}): a browser on "
            "/graphql would show only 'Loading...'",
            "in a checkout, run `pip install -e .` again with Node.js and npm on the PATH (its "
            "build step fetches them); for an installed wheel, install one built with npm; or "
            "point JCGRAPH_GRAPHIQL_ASSETS at a node_modules folder made by "
            "`npm ci --prefix gateway/static`, or set JCGRAPH_GRAPHIQL=false",
        )
    return Finding("graphiql", Level.OK, f"assets present under {root}")


def render(findings: Sequence[Finding], secrets: Sequence[str] = ()) -> str:
    """The report: one line a check, the fix indented under it; secrets removed."""
    lines = []
    for f in findings:
        lines.append(f"{f.level.value:<5} {f.check:<13} {f.message}")
        if f.fix and f.level is not Level.OK:
            lines.append(f"{'':<20}fix: {f.fix}")
    failed = sum(f.level is Level.FAIL for f in findings)
    lines.append(
        f"{failed} check(s) failed; fix them and run `jcgraph doctor` again"
        if failed
        else "every check passed"
    )
    return errors.redact("\n".join(lines) + "\n", secrets)


async def doctor(
    env: Mapping[str, str],
    out: TextIO,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    """Check the configuration in `env`; write the report to `out`. 0 when every check
    passes (warnings allowed), 1 otherwise."""
    secrets = [env.get("JUMPCLOUD_API_KEY", "")]
    try:
        settings = Settings.from_env(env)
    except SettingsError as exc:
        findings = [Finding("settings", Level.FAIL, problem) for problem in exc.problems]
    else:
        findings = [
            Finding("settings", Level.OK, "every variable parses"),
            *await diagnose(settings, transport=transport),
        ]
    out.write(render(findings, secrets))
    return 1 if any(f.level is Level.FAIL for f in findings) else 0


def run(env: Mapping[str, str], out: TextIO = sys.stdout) -> int:
    return asyncio.run(doctor(env, out))
