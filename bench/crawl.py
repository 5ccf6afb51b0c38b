"""One cold crawl of every user's effective applications, alone in a process, as JSON.

Run by bench.warm_path as a child process so that each crawl's memory is its own:

    python -m bench.crawl --upstream http://127.0.0.1:PORT --api-key KEY --plan auto \
        --latency 0.02

crawls a simulator process started by `bench.upstream` (the gateway alone in this process:
its RSS is the gateway's); without `--upstream`, `--users --groups --applications --seed`
build the org and the simulator in this process (`bench.harness.gateway`). Prints one JSON
object: upstream calls (the simulator's request log) by endpoint, wall time, the process's
RSS just before the crawl (interpreter, gateway idle after one `{ __typename }`, and the org
and simulator too when in process) and its peak RSS during the crawl (VmHWM, reset as the
crawl starts), a digest of the answer so that plans and versions can be compared, a digest
of the users it covers, and which `gateway` it ran.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import resource
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

import gateway as gateway_package
from bench.access_plans import Access, everyone
from bench.harness import Client, gateway, http_gateway, supported
from gateway.simulator.store import OrgSizes, generate_org

STATUS = Path("/proc/self/status")

Counts = Callable[[], Awaitable[tuple[int, dict[str, int]]]]
"""Upstream calls since the crawl began: (total, by endpoint)."""


def status_mb(field: str) -> float:
    for line in STATUS.read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in {STATUS}")


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where that is not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def users_digest(ids: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


@contextlib.asynccontextmanager
async def in_process(
    sizes: OrgSizes, seed: int, latency: float, settings: dict[str, Any]
) -> AsyncIterator[tuple[Client, Counts]]:
    org = generate_org(sizes, seed=seed)
    async with gateway(org, **settings) as gw:
        await gw.query("{ __typename }")  # first-use costs of the GraphQL stack, no upstream
        assert gw.log.total == 0, gw.log.counts()
        gw.faults.latency = latency

        async def calls() -> tuple[int, dict[str, int]]:
            return gw.log.total, dict(gw.log.counts())

        yield gw, calls


@contextlib.asynccontextmanager
async def over_http(
    upstream: str, api_key: str, latency: float, settings: dict[str, Any]
) -> AsyncIterator[tuple[Client, Counts]]:
    async with (
        http_gateway(upstream, api_key, **settings) as gw,
        httpx.AsyncClient(base_url=upstream, timeout=30) as control,
    ):
        await gw.query("{ __typename }")  # first-use costs of the GraphQL stack, no upstream
        reset = await control.post("/_bench/reset", params={"latency": latency})
        reset.raise_for_status()

        async def calls() -> tuple[int, dict[str, int]]:
            got = await control.get("/_bench/log")
            got.raise_for_status()
            log = got.json()
            return int(log["total"]), dict(log["by_endpoint"])

        yield gw, calls


async def crawl(args: argparse.Namespace) -> dict[str, Any]:
    settings, dropped = supported({"access_plan": args.plan})
    if args.upstream:
        where = over_http(args.upstream, args.api_key, args.latency, settings)
    else:
        sizes = OrgSizes(users=args.users, groups=args.groups, applications=args.applications)
        where = in_process(sizes, args.seed, args.latency, settings)
    async with where as (gw, calls):
        before = status_mb("VmRSS")
        peak_reset = reset_peak()
        started = time.perf_counter()
        access: Access = await everyone(gw)
        wall = time.perf_counter() - started
        peak = (
            status_mb("VmHWM")
            if peak_reset
            else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        )
        total, by_endpoint = await calls()
        answer = json.dumps(access, sort_keys=True).encode()
        return {
            "calls": total,
            "by_endpoint": by_endpoint,
            "wall_s": wall,
            "rss_before_mb": before,
            "rss_peak_mb": peak,
            "peak_since_crawl": peak_reset,
            "grants": sum(len(apps) for apps in access.values()),
            "digest": hashlib.sha256(answer).hexdigest(),
            "users": len(access),
            "users_digest": users_digest(list(access)),
            "gateway": gateway_package.__file__,
            "dropped_settings": dropped,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", help="a bench.upstream simulator's URL")
    parser.add_argument("--api-key", help="the key that simulator printed")
    parser.add_argument("--users", type=int)
    parser.add_argument("--groups", type=int)
    parser.add_argument("--applications", type=int)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--plan", required=True)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per upstream call")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(crawl(args))))


if __name__ == "__main__":
    main()
