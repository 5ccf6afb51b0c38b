"""`jcgraph doctor`: check the configuration against JumpCloud, say what is wrong and the fix.

The same checks run when `jcgraph serve` starts; which failures refuse the start is
`gateway.doctor_findings.blocking`. The checks against JumpCloud are in
`gateway.doctor_upstream`; Redis and the GraphiQL assets are checked here.

The API key is never printed: every line goes through `redact`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

import httpx

from gateway.cache_levels import open_cache
from gateway.doctor_findings import Finding, Level, render
from gateway.doctor_upstream import check_region, check_upstream
from gateway.graphiql import ASSETS, DEFAULT_ROOT
from gateway.redaction import redact_url
from gateway.settings import Settings, SettingsError


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
