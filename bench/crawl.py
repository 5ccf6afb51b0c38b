"""One cold crawl of every user's effective applications, alone in a process, as JSON.

Run by bench.warm_path as a child process so that each crawl's memory is its own:

    python -m bench.crawl --users 10000 --groups 500 --applications 200 --seed 2026 \
        --plan auto --latency 0.02

prints one JSON object: upstream calls (the simulator's request log) by endpoint, wall
time, the process's RSS just before the crawl (interpreter, org, simulator, idle gateway)
and its peak RSS during the crawl (VmHWM, reset as the crawl starts), and a digest of the
answer so that plans can be compared.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import resource
import time
from pathlib import Path
from typing import Any

from bench.access_plans import everyone
from bench.harness import gateway
from gateway.simulator.store import OrgSizes, generate_org

STATUS = Path("/proc/self/status")


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


async def crawl(sizes: OrgSizes, seed: int, plan: str, latency: float) -> dict[str, Any]:
    org = generate_org(sizes, seed=seed)
    async with gateway(org, access_plan=plan) as gw:
        await gw.query("{ __typename }")  # first-use costs of the GraphQL stack, no upstream
        assert gw.log.total == 0, gw.log.counts()
        gw.faults.latency = latency
        before = status_mb("VmRSS")
        peak_reset = reset_peak()
        started = time.perf_counter()
        access = await everyone(gw)
        wall = time.perf_counter() - started
        peak = (
            status_mb("VmHWM")
            if peak_reset
            else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        )
        assert set(access) == set(org.users)
        answer = json.dumps(access, sort_keys=True).encode()
        return {
            "calls": gw.log.total,
            "by_endpoint": dict(gw.log.counts()),
            "wall_s": wall,
            "rss_before_mb": before,
            "rss_peak_mb": peak,
            "peak_since_crawl": peak_reset,
            "grants": sum(len(apps) for apps in access.values()),
            "digest": hashlib.sha256(answer).hexdigest(),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--groups", type=int, required=True)
    parser.add_argument("--applications", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--plan", required=True)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per upstream call")
    args = parser.parse_args()
    sizes = OrgSizes(users=args.users, groups=args.groups, applications=args.applications)
    print(json.dumps(asyncio.run(crawl(sizes, args.seed, args.plan, args.latency))))


if __name__ == "__main__":
    main()
