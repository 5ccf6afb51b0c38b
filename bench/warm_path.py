"""Benchmark (not a test): the warm path and the planner, each beside its anchor, same run.

Seven rows, every one measured with its anchor in the same round, rounds interleaved
(within a round the two sides alternate which goes first), medians with min-max:

1. a small warm query (`user(email) { displayName groups { totalCount } }`) on a
   10,000/500/200 org over HTTP, `wrk -c32 -t2 -d10s`: a real `jcgraph serve` over a real
   `jcgraph simulator` (req/s), beside a graphql-core anchor (bench/anchor.py) on the same
   uvicorn over the same records in memory;
2. the same on a 50/10/8 org;
3. a warm walk of 10,000 users x 8 scalar fields, 100 a page: the gateway's CPU time in
   process (ASGI, 0 upstream calls, checked), beside graphql-core `execute_sync` over the
   same dicts walking the same pages;
4. the same for 2,000 users with their groups' names;
5. a cold crawl of every user's effective applications (10,000/500/200), each in a child
   process: upstream calls per plan beside the cheapest side computed from the org's shape,
   and peak RSS;
6. the same crawl at 20 ms upstream latency: wall time, `auto` beside forced `index`;
7. cold `users(first: 50)` -> groups -> applications on the 50/10/8 shaped org at 50 ms
   RTT: wall time beside (waves) x RTT, the waves counted from request start times.

Prints markdown and writes it into bench/RESULTS.md under the section below (not with
`--quick`, a smoke run on small orgs, or `--no-write`).

    .venv/bin/python -m bench.warm_path [--rounds 5] [--quick] [--no-write]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import math
import re
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from bench.anchor import Anchor
from bench.harness import Harness, Started, gateway
from bench.orgs import shaped_org
from bench.results import machine, write_section
from bench.stack import (
    Server,
    anchor_serve,
    jcgraph_serve,
    run_to_end,
    simulator,
    stop_on_sigterm,
)
from bench.wrk import Load, graphql_body, requests_per_second
from gateway.simulator.store import Org, OrgSizes, generate_org

SECTION = "## Warm path and planner, beside graphql-core"
SEED = 2026
PLANS = ("auto", "index", "per-key")
CRAWL_LATENCY = 0.02
RTT = 0.05
WARM_TTL = "86400"  # the served gateway's cache outlives the whole run: every round is warm

SMALL_QUERY = "query($email: String!) { user(email: $email) { displayName groups { totalCount } } }"
SCALARS_QUERY = """query($after: String) { users(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } edges { node { jumpcloudId username email firstname
  lastname displayName state department } } } }"""
GROUPS_QUERY = """query($after: String) { users(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } edges { node { jumpcloudId
  groups(first: 100) { edges { node { name } } } } } } }"""
WAVES_QUERY = """{ users(first: 50) { edges { node { groups { edges { node {
  applications { edges { node { name } } } } } } } } } }"""


@dataclass(frozen=True)
class Scale:
    big: OrgSizes
    small: OrgSizes
    groups: OrgSizes
    load: Load


FULL = Scale(
    big=OrgSizes(users=10_000, groups=500, applications=200),
    small=OrgSizes(users=50, groups=10, applications=8),
    groups=OrgSizes(users=2_000, groups=100, applications=40),
    load=Load(connections=32, threads=2, seconds=10),
)
QUICK = Scale(
    big=OrgSizes(users=500, groups=50, applications=20),
    small=OrgSizes(users=50, groups=10, applications=8),
    groups=OrgSizes(users=200, groups=20, applications=8),
    load=Load(connections=32, threads=2, seconds=2),
)


@dataclass
class Samples:
    """Every measurement by name, one value per round."""

    values: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def add(self, name: str, value: float) -> None:
        self.values[name].append(value)

    def pair(self, row: str, jcgraph: float, anchor: float, ratio: float) -> None:
        self.add(f"{row}.jcgraph", jcgraph)
        self.add(f"{row}.anchor", anchor)
        self.add(f"{row}.ratio", ratio)

    def text(self, name: str, digits: int = 0) -> str:
        got = self.values[name]
        low, mid, high = min(got), statistics.median(got), max(got)
        return f"{mid:,.{digits}f} ({low:,.{digits}f}-{high:,.{digits}f})"


def sizes_text(sizes: OrgSizes) -> str:
    return f"{sizes.users:,}/{sizes.groups}/{sizes.applications}"


def ordered(round_: int, *sides: Callable[[], float]) -> list[float]:
    """Run the sides in turn, reversed every other round; results in the given order."""
    order = list(range(len(sides)))
    if round_ % 2:
        order.reverse()
    results = [0.0] * len(sides)
    for i in order:
        results[i] = sides[i]()
    return results


# Rows 1-2: over HTTP, real processes.


@dataclass
class Served:
    row: str
    jcgraph: Server
    anchor: Server
    body: bytes

    def upstream_calls(self) -> int:
        text = httpx.get(f"{self.jcgraph.url}/metrics", timeout=10).text
        found = re.findall(r"^jcgraph_upstream_requests_total\{.*\} ([\d.e+]+)$", text, re.M)
        return int(sum(float(n) for n in found))

    def answer(self, server: Server) -> Any:
        response = httpx.post(
            f"{server.url}/graphql",
            content=self.body,
            headers={"content-type": "application/json"},
            timeout=30,
        )
        response.raise_for_status()
        payload = orjson.loads(response.content)
        assert "errors" not in payload, payload
        return payload["data"]


def a_member(org: Org) -> str:
    """The email of the first user (by id) who is in a group."""
    members = {user for user, _ in org.memberships}
    return next(str(u["email"]) for i, u in sorted(org.users.items()) if i in members)


@contextlib.contextmanager
def served(row: str, org: Org, sizes: OrgSizes) -> Iterator[Served]:
    with (
        simulator(sizes, SEED) as (upstream, key),
        jcgraph_serve(upstream.url, key, JCGRAPH_CACHE_TTL=WARM_TTL) as jc,
        anchor_serve(sizes, SEED) as anchor,
    ):
        pair = Served(row, jc, anchor, graphql_body(SMALL_QUERY, {"email": a_member(org)}))
        expected = pair.answer(jc)  # also warms the gateway's cache
        assert pair.answer(anchor) == expected, (pair.answer(anchor), expected)
        yield pair


def http_round(samples: Samples, pair: Served, load: Load, round_: int) -> None:
    before = pair.upstream_calls()
    jc, anchor = ordered(
        round_,
        lambda: requests_per_second(f"{pair.jcgraph.url}/graphql", pair.body, load),
        lambda: requests_per_second(f"{pair.anchor.url}/graphql", pair.body, load),
    )
    assert pair.upstream_calls() == before, "the warm query reached JumpCloud"
    samples.pair(pair.row, jc, anchor, anchor / jc)


# Rows 3-4: warm walks in process, CPU time.


@dataclass
class Walk:
    row: str
    gw: Harness
    anchor: Anchor
    query: str

    async def gateway_pages(self) -> list[Any]:
        pages, after = [], None
        while True:
            body = orjson.dumps({"query": self.query, "variables": {"after": after}})
            response = await self.gw.http.post(
                "/graphql", content=body, headers={"content-type": "application/json"}
            )
            payload = orjson.loads(response.content)
            assert response.status_code == 200, response.text
            assert "errors" not in payload, payload
            pages.append(payload["data"])
            info = payload["data"]["users"]["pageInfo"]
            if not info["hasNextPage"]:
                return pages
            after = info["endCursor"]

    def anchor_pages(self) -> list[Any]:
        pages, after = [], None
        while True:
            body = orjson.dumps({"query": self.query, "variables": {"after": after}})
            payload = orjson.loads(self.anchor.respond(body))
            assert "errors" not in payload, payload
            pages.append(payload["data"])
            info = payload["data"]["users"]["pageInfo"]
            if not info["hasNextPage"]:
                return pages
            after = info["endCursor"]

    async def warm(self) -> None:
        """One warming pass, and the two answers compared page by page."""
        jc = await self.gateway_pages()
        assert jc == self.anchor_pages(), f"row {self.row}: the anchor answered differently"

    async def gateway_cpu(self) -> float:
        calls = self.gw.log.total
        started = time.process_time()
        await self.gateway_pages()
        spent = time.process_time() - started
        assert self.gw.log.total == calls, "the warm walk reached the simulator"
        return spent

    def anchor_cpu(self) -> float:
        started = time.process_time()
        self.anchor_pages()
        return time.process_time() - started


async def walk_round(samples: Samples, walk: Walk, round_: int) -> None:
    if round_ % 2:
        anchor = walk.anchor_cpu()
        jc = await walk.gateway_cpu()
    else:
        jc = await walk.gateway_cpu()
        anchor = walk.anchor_cpu()
    samples.pair(walk.row, jc, anchor, jc / anchor)


# Rows 5-6: cold crawls, each in a child process.


def crawl_minimum(org: Org) -> tuple[int, int]:
    """(per-user side, application side) in upstream calls, from the org's shape: one
    traversal per user plus the user pages; or the application pages, every page of each
    application's users (direct and through groups), plus the user pages."""

    def pages(count: int) -> int:
        return max(1, math.ceil(count / 100))

    members: dict[str, set[str]] = defaultdict(set)
    for user, group in org.memberships:
        members[group].add(user)
    reach: dict[str, set[str]] = {app: set() for app in org.applications}
    for source_type, source, target_type, target in org.bindings:
        if target_type == "application":
            reach[target] |= {source} if source_type == "user" else members[source]
    user_pages = pages(len(org.users))
    per_user = len(org.users) + user_pages
    index = pages(len(org.applications)) + sum(pages(len(u)) for u in reach.values())
    return per_user, index + user_pages


def crawl(sizes: OrgSizes, plan: str, latency: float) -> dict[str, Any]:
    args = [
        sys.executable,
        "-m",
        "bench.crawl",
        f"--users={sizes.users}",
        f"--groups={sizes.groups}",
        f"--applications={sizes.applications}",
        f"--seed={SEED}",
        f"--plan={plan}",
        f"--latency={latency}",
    ]
    result: dict[str, Any] = json.loads(
        run_to_end(f"crawl {plan}", args, timeout=900).splitlines()[-1]
    )
    return result


def crawl_round(
    samples: Samples, sizes: OrgSizes, minimum: int, digests: set[str], round_: int
) -> dict[str, dict[str, Any]]:
    shift = round_ % len(PLANS)
    results: dict[str, dict[str, Any]] = {}
    for plan in PLANS[shift:] + PLANS[:shift]:
        results[plan] = got = crawl(sizes, plan, 0.0)
        digests.add(got["digest"])
        samples.add(f"5.{plan}.calls", got["calls"])
        samples.add(f"5.{plan}.ratio", got["calls"] / minimum)
        samples.add(f"5.{plan}.wall", got["wall_s"])
        samples.add(f"5.{plan}.before", got["rss_before_mb"])
        samples.add(f"5.{plan}.peak", got["rss_peak_mb"])
        samples.add(f"5.{plan}.growth", got["rss_peak_mb"] - got["rss_before_mb"])

    def slow(plan: str) -> float:
        got = crawl(sizes, plan, CRAWL_LATENCY)
        digests.add(got["digest"])
        return float(got["wall_s"])

    auto, index = ordered(round_, lambda: slow("auto"), lambda: slow("index"))
    samples.pair("6", auto, index, auto / index)
    return results


# Row 7: dependent waves at 50 ms RTT.


def waves(starts: list[Started], window: float) -> list[list[Started]]:
    """Requests grouped by start time: a wave is every request that starts within `window`
    of the wave's first (a request that waits for another's answer starts >= RTT later)."""
    grouped: list[list[Started]] = []
    for start in sorted(starts, key=lambda s: s.at):
        if grouped and start.at - grouped[-1][0].at <= window:
            grouped[-1].append(start)
        else:
            grouped.append([start])
    return grouped


def wave_text(grouped: list[list[Started]]) -> str:
    def label(s: Started) -> str:
        return f"{s.method} " + re.sub(r"[0-9a-f]{24}", "{id}", s.path)

    return "; ".join(
        f"{n}: " + ", ".join(f"{p} x{c}" for p, c in sorted(Counter(map(label, w)).items()))
        for n, w in enumerate(grouped, 1)
    )


async def rtt_once() -> tuple[float, list[list[Started]]]:
    async with gateway(shaped_org()) as gw:
        await gw.query("{ __typename }")
        gw.faults.latency = RTT
        started = time.perf_counter()
        await gw.query(WAVES_QUERY)
        return time.perf_counter() - started, waves(gw.starts, RTT / 2)


async def rtt_round(samples: Samples) -> str:
    wall, grouped = await rtt_once()
    floor = len(grouped) * RTT
    samples.pair("7", wall * 1000, floor * 1000, wall / floor)
    samples.add("7.waves", len(grouped))
    samples.add("7.calls", sum(len(w) for w in grouped))
    return wave_text(grouped)


# The run.


@dataclass
class Report:
    samples: Samples
    crawls: dict[str, dict[str, Any]]
    compositions: list[str]
    minimum: tuple[int, int]
    grants: int


async def run(scale: Scale, rounds: int) -> Report:
    samples, digests, compositions = Samples(), set[str](), list[str]()
    crawls: dict[str, dict[str, Any]] = {}
    big = generate_org(scale.big, seed=SEED)
    minimum = crawl_minimum(big)
    small = generate_org(scale.small, seed=SEED)
    await rtt_once()  # warm-up: imports and first-use costs in this process
    with contextlib.ExitStack() as processes:
        http = [
            processes.enter_context(served("1", big, scale.big)),
            processes.enter_context(served("2", small, scale.small)),
        ]
        async with contextlib.AsyncExitStack() as gateways:
            groups_org = generate_org(scale.groups, seed=SEED)
            scalars_gw = await gateways.enter_async_context(gateway(big))
            groups_gw = await gateways.enter_async_context(gateway(groups_org))
            walks = [
                Walk("3", scalars_gw, Anchor(big), SCALARS_QUERY),
                Walk("4", groups_gw, Anchor(groups_org), GROUPS_QUERY),
            ]
            for walk in walks:
                await walk.warm()
            for round_ in range(rounds):
                print(f"round {round_ + 1}/{rounds}", file=sys.stderr, flush=True)
                for pair in http:
                    http_round(samples, pair, scale.load, round_)
                for walk in walks:
                    await walk_round(samples, walk, round_)
                crawls = crawl_round(samples, scale.big, min(minimum), digests, round_)
                compositions.append(await rtt_round(samples))
    assert len(digests) == 1, "the plans' crawls answered differently"
    return Report(samples, crawls, compositions, minimum, crawls["auto"]["grants"])


def server_stack() -> str:
    """What uvicorn's `auto` picks in this environment, for jcgraph and the anchor alike."""
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"uvicorn `auto`: {loop} loop, {http}"


def wrk_version() -> str:
    done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).split(" [")[0].strip()


def table(report: Report, scale: Scale) -> str:
    s, (per_user, index) = report.samples, report.minimum
    big, pages = sizes_text(scale.big), math.ceil(scale.big.users / 100)
    rows = [
        "| row | measure | jcgraph | anchor | ratio |",
        "| --- | --- | ---: | ---: | ---: |",
        f"| 1 | small warm query, {big} org, HTTP, req/s | {s.text('1.jcgraph')} "
        f"| {s.text('1.anchor')} | anchor / jcgraph {s.text('1.ratio', 2)} |",
        f"| 2 | small warm query, {sizes_text(scale.small)} org, HTTP, req/s "
        f"| {s.text('2.jcgraph')} | {s.text('2.anchor')} | anchor / jcgraph "
        f"{s.text('2.ratio', 2)} |",
        f"| 3 | warm walk, {scale.big.users:,} users x 8 scalar fields ({pages} pages), CPU s "
        f"| {s.text('3.jcgraph', 3)} | {s.text('3.anchor', 3)} | jcgraph / anchor "
        f"{s.text('3.ratio', 2)} |",
        f"| 4 | warm walk, {scale.groups.users:,} users with their groups' names, CPU s "
        f"| {s.text('4.jcgraph', 3)} | {s.text('4.anchor', 3)} | jcgraph / anchor "
        f"{s.text('4.ratio', 2)} |",
    ]
    for plan in PLANS:
        rows.append(
            f"| 5 | cold crawl of effective applications, {big}, `{plan}`, upstream calls "
            f"| {s.text(f'5.{plan}.calls')} | cheapest side {min(per_user, index):,} "
            f"| jcgraph / minimum {s.text(f'5.{plan}.ratio', 2)} |"
        )
    rows += [
        f"| 6 | the same crawl at {CRAWL_LATENCY * 1000:.0f} ms latency, wall s "
        f"| `auto` {s.text('6.jcgraph', 2)} | forced `index` {s.text('6.anchor', 2)} "
        f"| auto / index {s.text('6.ratio', 2)} |",
        f"| 7 | cold users(first: 50) → groups → applications, 50/10/8 shaped, "
        f"{RTT * 1000:.0f} ms RTT, wall ms | {s.text('7.jcgraph')} "
        f"| waves x RTT {s.text('7.anchor')} | jcgraph / floor {s.text('7.ratio', 2)} |",
    ]
    detail = [
        "| plan | upstream calls | calls / cheapest | wall at 0 ms (s) | RSS before (MB) "
        "| peak RSS during crawl (MB) | growth (MB) | calls by endpoint (last round) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for plan in PLANS:
        by = report.crawls[plan]["by_endpoint"]
        detail.append(
            f"| `{plan}` | {s.text(f'5.{plan}.calls')} | {s.text(f'5.{plan}.ratio', 2)} "
            f"| {s.text(f'5.{plan}.wall', 2)} | {s.text(f'5.{plan}.before')} "
            f"| {s.text(f'5.{plan}.peak')} | {s.text(f'5.{plan}.growth')} "
            f"| {', '.join(f'{k} {v}' for k, v in sorted(by.items()))} |"
        )
    compositions = Counter(report.compositions).most_common()
    rounds = len(report.compositions)
    waves_seen = "\n".join(f"- {n} of {rounds} rounds: {c}" for c, n in compositions)
    return (
        "\n".join(rows) + f"\n\n**Row 5 in detail** (every plan's answer identical: "
        f"{report.grants:,} user-application grants; cheapest side from the org's shape: "
        f"per-user {per_user:,}, from applications {index:,}):\n\n"
        + "\n".join(detail)
        + f"\n\n**Row 7 waves** ({s.text('7.waves')} waves, {s.text('7.calls')} upstream "
        f"requests; wave: requests by start):\n\n{waves_seen}\n"
    )


def describe(command: str, rounds: int, scale: Scale, tables: str) -> str:
    big, load = scale.big, scale.load
    sizes = f"--users={big.users} --groups={big.groups} --applications={big.applications}"
    return (
        unwrap(f"""Command: `{command}`

Machine: {machine()}; {server_stack()}; {wrk_version()}. Rounds: {rounds}; in each round
every row runs both its sides, the side that goes first alternating round by round; cells
are medians (min-max) over the rounds, ratios are computed within each round. Orgs:
`generate_org(OrgSizes(users, groups, applications), seed={SEED})` written as
users/groups/applications (other sizes the OrgSizes defaults: 2.5 groups per user, each
application bound to 1-3 groups, no direct application bindings); row 7 on the shaped org
of `bench.gateway_queries` (each user in 3 groups, each application bound to 2).

- **Rows 1-2** (HTTP, real processes, one uvicorn worker each): `jcgraph simulator
  --port=0 {sizes} --seed={SEED}` (the 50/10/8 org likewise), then
  `JUMPCLOUD_BASE_URL=<simulator> JUMPCLOUD_API_KEY=<key it printed>
  JCGRAPH_CACHE_TTL={WARM_TTL} jcgraph serve --port=<free port>` (other settings default,
  its INFO access log included; the long TTL keeps every round warm), warmed with one
  request; the anchor `python -m bench.anchor {sizes} --seed={SEED} --port=<free port>`:
  graphql-core over the same generated records held as dicts (SDL subset, sync resolvers,
  parsed and validated document cached, orjson), on uvicorn with the arguments `jcgraph
  serve` uses. Load: `wrk {" ".join(load.flags())} -s post.lua http://127.0.0.1:<port>/graphql`
  (post.lua sets method POST, `Content-Type: application/json` and the body
  `{{"query": "{SMALL_QUERY}", "variables": {{"email": <a user in a group>}}}}`). The two
  answers were checked equal; the gateway's `jcgraph_upstream_requests_total` did not move
  during any load run.
- **Rows 3-4** (in this process): the gateway app from `create_app` over the simulator app
  (`bench.harness.gateway`, `httpx.ASGITransport` both ways), one warming pass, then
  `time.process_time()` around the whole walk (`first: 100`, `after:` the last
  `endCursor`, POST bodies and answers through orjson); 0 upstream calls checked on every
  walk. Anchor: `bench.anchor.Anchor.respond` (orjson in, `execute_sync`, orjson out) over
  the same records walking the same pages; every page of both answers checked equal once.
  Row 3 query: `{" ".join(SCALARS_QUERY.split())}`; row 4: `{" ".join(GROUPS_QUERY.split())}`
  on a {sizes_text(scale.groups)} org.
- **Rows 5-6**: `python -m bench.crawl {sizes} --seed={SEED} --plan=<plan>
  --latency=<s>`, a fresh child process per crawl: the gateway and the simulator in that
  process (`bench.harness.gateway`, upstream concurrency 8, `Faults.latency`), the query of
  `bench.access_plans` (`users(first: 100, after:)` → `applications(first: 100) {{ edges
  {{ kind node {{ jumpcloudId }} paths {{ via {{ jumpcloudId }} }} }} }}`) paged to the end
  on an empty cache. Calls from the simulator's request log. *Cheapest side*, from the
  org's shape: min(per-user traversals = users + user pages; from applications =
  application pages + Σ over applications of the pages of its users, direct or through
  groups, + user pages), 100 a page. RSS from /proc/self/status: *before* is VmRSS once
  the org, simulator and gateway are built and a `{{ __typename }}` query has run (so it
  includes the simulator's org, which shares the process); *peak* is VmHWM after the crawl,
  reset (`clear_refs`) as the crawl starts; *growth* = peak - before. Row 6 is the crawl
  at {CRAWL_LATENCY * 1000:.0f} ms per upstream request, `auto` beside forced `index`.
- **Row 7** (in this process): a fresh gateway per round over the shaped org, {RTT * 1000:.0f}
  ms `Faults.latency` per upstream request, `{" ".join(WAVES_QUERY.split())}` once, cold.
  Waves are counted by `bench.harness.RecordingTransport`, which records when each upstream
  request is handed to the transport (after the client's concurrency semaphore): requests
  are sorted by start and a wave is every request starting within {RTT * 500:.0f} ms of the
  wave's first (a request that needs another's answer starts at least one RTT later). The
  floor is waves x RTT: the first wave plus each dependent wave, one RTT each. A wave the
  concurrency cap splits shows as two.
""")
        + f"\n\n{tables}"
    )


def unwrap(prose: str) -> str:
    """One line per paragraph or list item, as the other sections of RESULTS.md are."""
    blocks = []
    for block in prose.strip().split("\n\n"):
        lines: list[str] = []
        for line in block.splitlines():
            if lines and not line.startswith("- "):
                lines[-1] += " " + line.strip()
            else:
                lines.append(line)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=None, help="default 5 (1 with --quick)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: small orgs, 2 s loads; writes nothing"
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    scale = QUICK if args.quick else FULL
    rounds = args.rounds or (1 if args.quick else 5)
    stop_on_sigterm()
    report = asyncio.run(run(scale, rounds))
    command = " ".join([".venv/bin/python -m bench.warm_path", *sys.argv[1:]])
    section = describe(command, rounds, scale, table(report, scale))
    print(section)
    if not (args.quick or args.no_write):
        write_section(SECTION, section)


if __name__ == "__main__":
    main()
