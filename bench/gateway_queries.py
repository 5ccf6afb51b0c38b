"""Benchmark (not a test): 50 users → groups → applications through the gateway.

The query of tests/gateway/test_batching.py on `shaped_org()` (50 users, 10 groups, each
user in 3, 8 applications each bound to 2 groups), for each access plan (`auto`, `index`,
`per-key`), at 0 ms and 50 ms simulated latency per upstream request:

- *cold*: a fresh gateway (empty cache) runs the query once;
- *warm*: the same gateway runs it again, within the cache TTL.

Upstream calls come from the simulator's request log; wall times are medians over `--runs`
runs, the plans interleaved within each run so that they share the machine's noise. Prints
a markdown table and writes it into bench/RESULTS.md under
"## Gateway: 50 users → groups → applications" (only that section is replaced).

    .venv/bin/python -m bench.gateway_queries
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from bench.harness import gateway, shaped_org
from bench.results import machine, write_section

SECTION = "## Gateway: 50 users → groups → applications"
PLANS = ("auto", "index", "per-key")
QUERY = """
{ users(first: 50) { edges { node { email groups { edges { node { name
    applications { edges { node { name displayLabel } } } } } } } } } }
"""


@dataclass
class Sample:
    cold_calls: int
    cold_s: float
    warm_calls: int
    warm_s: float
    by_endpoint: Counter[str]
    data: dict[str, Any]


async def measure(plan: str, latency: float) -> Sample:
    async with gateway(shaped_org(), access_plan=plan) as gw:
        gw.faults.latency = latency
        started = time.perf_counter()
        data = await gw.query(QUERY)
        cold_s = time.perf_counter() - started
        cold_calls = gw.log.total
        by_endpoint = gw.log.counts()
        started = time.perf_counter()
        warm = await gw.query(QUERY)
        warm_s = time.perf_counter() - started
        warm_calls = gw.log.total - cold_calls
    assert warm == data
    return Sample(cold_calls, cold_s, warm_calls, warm_s, by_endpoint, data)


def naive_calls() -> tuple[int, int]:
    """The N+1 reference, computed from the org shape (not measured): one users page, one
    memberof call per user, one group → applications call per (user, group) membership;
    and the same with each group's call de-duplicated. Application record reads (the
    association endpoints return ids only) are not counted."""
    org = shaped_org()
    users = set(list(org.users)[:50])
    memberships = [(u, g) for u, g in org.memberships if u in users]
    groups = {g for _, g in memberships}
    return 1 + len(users) + len(memberships), 1 + len(users) + len(groups)


def median(values: list[float]) -> float:
    return statistics.median(values)


def calls_text(by_endpoint: Counter[str]) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(by_endpoint.items()))


async def run(latencies: list[float], runs: int) -> str:
    await measure("auto", 0.0)  # warm-up: imports, schema build, first-use caches
    rows = [
        "| latency | plan | cold calls | cold wall (ms) | cold wall / auto | warm calls "
        "| warm wall (ms) | cold calls by endpoint |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for latency in latencies:
        samples: dict[str, list[Sample]] = {plan: [] for plan in PLANS}
        for _ in range(runs):
            for plan in PLANS:  # interleaved: the plans share each run's noise
                samples[plan].append(await measure(plan, latency))
        reference = samples["auto"][0].data
        cold_auto = median([s.cold_s for s in samples["auto"]])
        for plan in PLANS:
            got = samples[plan]
            assert all(s.data == reference for s in got), f"{plan} answered differently"
            calls = {s.cold_calls for s in got}
            warm_calls = {s.warm_calls for s in got}
            cold = median([s.cold_s for s in got])
            warm = median([s.warm_s for s in got])
            rows.append(
                f"| {latency * 1000:.0f} ms | `{plan}` | {'/'.join(map(str, sorted(calls)))} "
                f"| {cold * 1000:.1f} | {cold / cold_auto:.2f} "
                f"| {'/'.join(map(str, sorted(warm_calls)))} | {warm * 1000:.1f} "
                f"| {calls_text(got[0].by_endpoint)} |"
            )
    return "\n".join(rows)


def describe(command: str, runs: int, table: str) -> str:
    n_plus_one, deduplicated = naive_calls()
    return (
        f"Command: `{command}`\n\n"
        f"The query of `tests/gateway/test_batching.py` (`users(first: 50)` → `groups` → "
        f"`applications {{ name displayLabel }}`) on `shaped_org()`: 50 users, 10 groups, each "
        f"user in 3, 8 applications each bound to 2 groups, no direct bindings. Gateway and "
        f"simulator in one process (`bench.harness.gateway`, `httpx.ASGITransport`), "
        f"upstream concurrency 8, `Faults.latency` per upstream request. *cold*: a fresh "
        f"gateway (empty cache) runs the query once; *warm*: the same gateway runs it again "
        f"within the cache TTL. Calls are counted by the simulator's request log (identical "
        f"in every run); wall times are medians of {runs} runs, the three plans interleaved "
        f"within each run, so *cold wall / auto* compares runs made side by side. "
        f"`index` and `per-key` force the access plan (`access_plan`); every plan's answer "
        f"was checked equal to `auto`'s. Machine: {machine()}.\n\n"
        f"For reference, not measured: the N+1 plan of a GraphQL-over-OpenAPI peer, counted "
        f"from this org's shape, is 1 users page + 50 `memberof` calls + 150 group → "
        f"applications calls (one per user-group membership) = {n_plus_one} calls, or "
        f"{deduplicated} with each group's call de-duplicated (application record reads "
        f"not counted). `per-key` is the gateway's own per-object plan: 50 `memberof` calls "
        f"plus one associations call per distinct group, and the group and application "
        f"records from one list call each.\n\n{table}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latencies", type=float, nargs="+", default=[0.0, 0.05])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    table = asyncio.run(run(args.latencies, args.runs))
    print(table)
    if not args.no_write:
        command = " ".join([".venv/bin/python -m bench.gateway_queries", *sys.argv[1:]])
        write_section(SECTION, describe(command, args.runs, table))


if __name__ == "__main__":
    main()
