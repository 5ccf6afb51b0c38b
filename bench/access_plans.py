"""Benchmark (not a test): all users with their effective applications, per plan.

Pages through `users(first: 100)` with `applications(first: 100) { edges { kind node
{ jumpcloudId } paths { via { jumpcloudId } } } }` (the query of
tests/gateway/test_access.py) on generated orgs of 500 and 5,000 users, with the access
plan forced to `per-key` (one traversal call per user), `index` (one traversal per
application, inverted) and left to `auto`, at 0 ms and 50 ms simulated latency:

- *cold*: a fresh gateway (empty cache) pages through every user once;
- *warm*: the same gateway does it again within the cache TTL (no upstream calls: the
  gateway's own GraphQL cost).

Upstream calls come from the simulator's request log; wall times are medians over the runs,
the plans interleaved within each run; *per-key / index* is computed per run (same run,
side by side) and its median reported. Prints a markdown table and writes it into
bench/RESULTS.md under "## Access: all users with their effective applications".

    .venv/bin/python -m bench.access_plans
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass

from bench.gateway_queries import calls_text
from bench.harness import Client, gateway
from bench.results import machine, write_section
from gateway.simulator.store import Org, OrgSizes, generate_org

SECTION = "## Access: all users with their effective applications"
PLANS = ("auto", "index", "per-key")
SEED = 2026
QUERY = """query($after: String) { users(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor }
  edges { node { jumpcloudId applications(first: 100) { edges { kind node { jumpcloudId }
    paths { via { jumpcloudId } } } } } } } }"""

Access = dict[str, dict[str, tuple[str, tuple[str | None, ...]]]]
"""user id -> application id -> (kind, sorted vias)"""


def sizes(users: int) -> OrgSizes:
    """50 groups and 30 applications up to 500 users; 150 and 60 above (a 5,000-person
    company has more teams and more SaaS than a 500-person one). One direct application
    binding per 10 users; other OrgSizes defaults (2.5 groups per user, skewed group sizes,
    each application bound to 1-3 groups)."""
    groups, applications = (50, 30) if users <= 500 else (150, 60)
    return OrgSizes(
        users=users,
        groups=groups,
        applications=applications,
        direct_app_bindings=users // 10,
    )


@dataclass
class Sample:
    cold_calls: int
    cold_s: float
    warm_calls: int
    warm_s: float
    by_endpoint: Counter[str]
    access: Access


async def everyone(gw: Client) -> Access:
    out: Access = {}
    after = None
    while True:
        data = (await gw.query(QUERY, {"after": after}))["users"]
        for edge in data["edges"]:
            user = edge["node"]
            out[user["jumpcloudId"]] = {
                e["node"]["jumpcloudId"]: (
                    e["kind"],
                    tuple(
                        sorted(
                            (p["via"]["jumpcloudId"] if p["via"] else None for p in e["paths"]),
                            key=lambda v: (v is not None, v or ""),
                        )
                    ),
                )
                for e in user["applications"]["edges"]
            }
        if not data["pageInfo"]["hasNextPage"]:
            return out
        after = data["pageInfo"]["endCursor"]


async def measure(org: Org, plan: str, latency: float) -> Sample:
    async with gateway(org, access_plan=plan) as gw:
        gw.faults.latency = latency
        started = time.perf_counter()
        access = await everyone(gw)
        cold_s = time.perf_counter() - started
        cold_calls = gw.log.total
        by_endpoint = gw.log.counts()
        started = time.perf_counter()
        warm = await everyone(gw)
        warm_s = time.perf_counter() - started
        warm_calls = gw.log.total - cold_calls
    assert warm == access
    assert set(access) == set(org.users)
    return Sample(cold_calls, cold_s, warm_calls, warm_s, by_endpoint, access)


def runs_for(users: int, runs: int, slow_runs: int) -> int:
    """Fewer repetitions above 500 users (a 5,000-user per-key pass at 50 ms is ~30 s)."""
    return slow_runs if users > 500 else runs


async def run(populations: list[int], latencies: list[float], runs: int, slow_runs: int) -> str:
    await measure(generate_org(sizes(50), seed=SEED), "auto", 0.0)  # warm-up
    rows = [
        "| users | groups / apps | grants | latency | runs | plan | cold calls | cold wall (s) "
        "| per-key / index (same run) | warm calls | warm wall (s) | cold calls by endpoint |",
        "| ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for users in populations:
        org = generate_org(sizes(users), seed=SEED)
        for latency in latencies:
            count = runs_for(users, runs, slow_runs)
            samples: dict[str, list[Sample]] = {plan: [] for plan in PLANS}
            for _ in range(count):
                for plan in PLANS:  # interleaved: the plans share each run's noise
                    samples[plan].append(await measure(org, plan, latency))
            reference = samples["auto"][0].access
            grants = sum(len(apps) for apps in reference.values())
            ratio = statistics.median(
                p.cold_s / i.cold_s
                for p, i in zip(samples["per-key"], samples["index"], strict=True)
            )
            for plan in PLANS:
                got = samples[plan]
                assert all(s.access == reference for s in got), f"{plan} answered differently"
                calls = "/".join(map(str, sorted({s.cold_calls for s in got})))
                warm_calls = "/".join(map(str, sorted({s.warm_calls for s in got})))
                rows.append(
                    f"| {users:,} | {len(org.groups)} / {len(org.applications)} | {grants:,} "
                    f"| {latency * 1000:.0f} ms | {count} | `{plan}` | {calls} "
                    f"| {statistics.median(s.cold_s for s in got):.3f} "
                    f"| {f'{ratio:.2f}' if plan == 'per-key' else ''} | {warm_calls} "
                    f"| {statistics.median(s.warm_s for s in got):.3f} "
                    f"| {calls_text(got[0].by_endpoint)} |"
                )
                print(rows[-1], flush=True)
    return "\n".join(rows)


def describe(command: str, runs: int, slow_runs: int, table: str) -> str:
    return (
        f"Command: `{command}`\n\n"
        f"Every user with their effective applications: `users(first: 100, after: $after)` "
        f"paged to the end, each user with `applications(first: 100) {{ edges {{ kind node "
        f"{{ jumpcloudId }} paths {{ via {{ jumpcloudId }} }} }} }}`. Orgs from "
        f"`generate_org(OrgSizes(users=N, groups=G, applications=A, "
        f"direct_app_bindings=N // 10), seed={SEED})`: G / A = 50 / 30 for 500 users and "
        f"150 / 60 for 5,000 (a bigger company has more teams and apps); other sizes are "
        f"the OrgSizes defaults (2.5 groups per user, each application bound to 1-3 "
        f"groups). *grants*: user-application pairs in the answer. Plans forced with "
        f"`access_plan`: `per-key` reads `/users/{{id}}/applications` once per user, "
        f"`index` reads `/applications/{{id}}/users` (all pages) once per application and "
        f"inverts it, `auto` chooses per batch. Gateway and simulator in one process "
        f"(`bench.harness.gateway`), upstream concurrency 8, `Faults.latency` per upstream "
        f"request. *cold*: a fresh gateway pages through all users; *warm*: the same "
        f"gateway again within the TTL (0 calls: the gateway's own GraphQL cost, a floor "
        f"under every cold figure). Every plan's answer (kinds and paths) was checked "
        f"equal to `auto`'s. Wall times are medians of {runs} runs for 500 users and "
        f"{slow_runs} for 5,000 (reduced to keep the bench under ~5 minutes: a 5,000-user "
        f"`per-key` pass at 50 ms makes ~5,000 calls, ~30 s); the plans are interleaved "
        f"within each run and *per-key / index* is the median of per-run ratios of cold "
        f"wall times. Machine: {machine()}.\n\n{table}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[500, 5_000])
    parser.add_argument("--latencies", type=float, nargs="+", default=[0.0, 0.05])
    parser.add_argument("--runs", type=int, default=3, help="runs per case up to 500 users")
    parser.add_argument("--slow-runs", type=int, default=2, help="runs per larger case")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    table = asyncio.run(run(args.users, args.latencies, args.runs, args.slow_runs))
    if not args.no_write:
        command = " ".join([".venv/bin/python -m bench.access_plans", *sys.argv[1:]])
        write_section(SECTION, describe(command, args.runs, args.slow_runs, table))


if __name__ == "__main__":
    main()
