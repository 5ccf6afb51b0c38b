"""Benchmark (not a test): the gateway while JumpCloud struggles, in real time.

Two scenarios, each against the in-process simulator (`httpx.ASGITransport`) with 50 ms of
latency per upstream request, a fresh gateway per round, default settings:

- *429 storm*: 20 distinct heavy queries at once (`users(first: 5..24)` → groups →
  applications, and each user's effective applications) while JumpCloud accepts 5 requests
  a second (an ASGI middleware in front of the simulator answers the rest 429 with
  Retry-After: the seconds to the next second). Anchor, same run: the same queries with no
  rate limit.
- *warm-expired outage*: the cache holds every answer, all past their TTL (the gateway's
  clock is moved 400 s on), then every upstream request fails with 502; 20 requests in a
  row (groups, admins with their users, users by email known and unknown, a heavy query).
  Anchors, same run: the same requests with JumpCloud up and the cache fresh, and the
  outage with the circuit breaker off (threshold 10^9).
- *hung JumpCloud*: no answer at all, cold cache, `JCGRAPH_UPSTREAM_TIMEOUT=1` (so a round
  takes seconds): how long until the error, and how many attempts.

Prints markdown and writes it into bench/RESULTS.md under the section below.

    .venv/bin/python -m bench.upstream_faults [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import math
import statistics
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from starlette.types import ASGIApp, Receive, Scope, Send

from bench.results import machine, write_section
from gateway.app import create_app
from gateway.settings import Settings
from gateway.simulator.app import create_simulator_app
from gateway.simulator.faults import Faults
from gateway.simulator.log import RequestLog
from gateway.simulator.store import Org, OrgSizes, Store, generate_org

SECTION = "## Upstream faults: a 429 storm and a warm-expired outage"
API_KEY = "jca_bench_faults_key"
LATENCY = 0.05
PER_SECOND = 5
HANG_TIMEOUT = 1.0


def heavy(first: int) -> str:
    return f"""{{ users(first: {first}) {{ edges {{ node {{ email
        groups(first: 10) {{ edges {{ node {{ name
            applications(first: 10) {{ edges {{ node {{ name }} }} }} }} }} }}
        applications(first: 20) {{ edges {{ kind node {{ name }} }} }} }} }} }} }}"""


class Clock:
    """The gateway's wall clock (cache ages), moved on by hand."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


class RateLimit:
    """`per_second` requests in each second, 429 for the rest; records when each came."""

    def __init__(self, app: ASGIApp, per_second: int | None) -> None:
        self.app = app
        self.per_second = per_second
        self.seen: list[float] = []
        self.limited: list[float] = []
        self._window, self._count = -1, 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        now = time.monotonic()
        self.seen.append(now)
        if math.floor(now) != self._window:
            self._window, self._count = math.floor(now), 0
        self._count += 1
        if self.per_second is None or self._count <= self.per_second:
            await self.app(scope, receive, send)
            return
        self.limited.append(now)
        wait = str(max(1, math.ceil(self._window + 1 - now))).encode()
        headers = [(b"content-type", b"application/json"), (b"retry-after", wait)]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"message":"Too Many Requests"}'})

    def peak(self, after_first_429: bool) -> int:
        """Most requests seen in one second (whole seconds after the first 429's, or all)."""
        first = math.floor(self.limited[0]) if after_first_429 and self.limited else -1
        seconds = Counter(math.floor(t) for t in self.seen if math.floor(t) > first)
        return max(seconds.values(), default=0)


@dataclass
class Gateway:
    http: httpx.AsyncClient
    faults: Faults
    log: RequestLog
    limit: RateLimit
    clock: Clock


@contextlib.asynccontextmanager
async def gateway(
    org: Org, per_second: int | None = None, **settings: Any
) -> AsyncIterator[Gateway]:
    log, faults, clock = RequestLog(), Faults(latency=LATENCY), Clock()
    limit = RateLimit(
        create_simulator_app(Store.single(org, API_KEY), faults=faults, log=log), per_second
    )
    config = dataclasses.replace(
        Settings(api_key=API_KEY, base_url="http://jumpcloud.bench", log_level="ERROR"),
        **settings,
    )
    app = create_app(config, transport=httpx.ASGITransport(app=limit), clock=clock)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app),
            base_url="http://gateway.bench",
            timeout=120,
        ) as http,
    ):
        yield Gateway(http, faults, log, limit, clock)


async def post(gw: Gateway, query: str) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    response = await gw.http.post(
        "/graphql", json={"query": query}, headers={"x-jcgraph-cost": "1"}
    )
    return response.json(), time.perf_counter() - started


def org() -> Org:
    return generate_org(OrgSizes(users=200, groups=10, applications=8), seed=7)


@dataclass
class Storm:
    calls: int
    limited: int
    peak: int
    peak_after: int
    answered: int
    last_answer: float
    p50: float
    codes: Counter[str]


async def storm(per_second: int | None) -> Storm:
    async with gateway(org(), per_second) as gw:
        started = time.perf_counter()

        async def one(i: int) -> tuple[dict[str, Any], float]:
            payload, _ = await post(gw, heavy(5 + i))
            return payload, time.perf_counter() - started

        results = await asyncio.gather(*(one(i) for i in range(20)))
    codes = Counter(e["extensions"]["code"] for p, _ in results for e in p.get("errors", []))
    return Storm(
        calls=len(gw.limit.seen),
        limited=len(gw.limit.limited),
        peak=gw.limit.peak(after_first_429=False),
        peak_after=gw.limit.peak(after_first_429=True),
        answered=sum(1 for p, _ in results if "errors" not in p),
        last_answer=max(t for _, t in results),
        p50=statistics.median(t for _, t in results),
        codes=codes,
    )


def outage_queries(o: Org) -> list[str]:
    users = list(o.users.values())
    known = [f'{{ user(email: "{u["email"]}") {{ jumpcloudId }} }}' for u in users[:4]]
    unknown = [
        f'{{ user(email: "nobody{i}@example.invalid") {{ jumpcloudId }} }}' for i in range(4)
    ]
    kinds = [
        "{ groups { totalCount edges { node { name } } } }",
        "{ admins { edges { node { email user { jumpcloudId } } } } }",
        heavy(10),
        "{ applications { totalCount edges { node { name } } } }",
    ]
    mixed = [*kinds, *known, *unknown]
    return (mixed * 2)[:20]


@dataclass
class Outage:
    times: list[float]
    calls: int
    answered: int
    stale: int


async def outage(*, up: bool, breaker: bool, requests: int = 20) -> Outage:
    o = org()
    queries = outage_queries(o)[:requests]
    settings: dict[str, Any] = {} if breaker else {"breaker_threshold": 10**9}
    async with gateway(o, **settings) as gw:
        for query in dict.fromkeys(queries):  # warm every answer, "not found"s included
            payload, _ = await post(gw, query)
            assert "errors" not in payload, payload
        if not up:
            gw.clock.offset += 400  # past the TTL (300 s), well within the stale window
            gw.faults.burst(10**9, status=502)
        before = gw.log.total
        results = [await post(gw, q) for q in queries]
    return Outage(
        times=[t for _, t in results],
        calls=gw.log.total - before,
        answered=sum(1 for p, _ in results if "errors" not in p),
        stale=sum(1 for p, _ in results if p.get("extensions", {}).get("cost", {}).get("stale")),
    )


@dataclass
class Hang:
    seconds: float
    calls: int
    codes: list[str]


async def hang(upstream_timeout: float) -> Hang:
    async with gateway(org(), upstream_timeout=upstream_timeout) as gw:
        gw.faults.hang(10**9)
        payload, seconds = await post(gw, "{ groups { totalCount } }")
        gw.faults.clear()
    return Hang(seconds, gw.log.total, [e["extensions"]["code"] for e in payload["errors"]])


def spread(values: Sequence[float], scale: float = 1.0, digits: int = 1) -> str:
    """median (min-max)."""
    med, low, high = statistics.median(values), min(values), max(values)
    return f"{med * scale:.{digits}f} ({low * scale:.{digits}f}-{high * scale:.{digits}f})"


def ints(values: Sequence[int]) -> str:
    med = statistics.median(values)
    med_text = f"{med:.0f}" if med == int(med) else f"{med:.1f}"
    return f"{med_text} ({min(values)}-{max(values)})"


def storm_table(rounds: list[Storm], anchors: list[Storm]) -> str:
    def row(name: str, got: list[Storm]) -> str:
        after = ints([s.peak_after for s in got]) if got[0].limited else "—"
        limited = got[0].limited > 0
        floor = f"{statistics.median(s.calls for s in got) / PER_SECOND:.1f}" if limited else "—"
        codes = Counter[str]()
        for s in got:
            codes.update(s.codes)
        return (
            f"| {name} | {ints([s.calls for s in got])} | {ints([s.limited for s in got])} "
            f"| {ints([s.peak for s in got])} | {after} "
            f"| {ints([s.answered for s in got])} of 20 | {floor} "
            f"| {spread([s.p50 for s in got])} | {spread([s.last_answer for s in got])} "
            f"| {', '.join(f'{c} {n}' for c, n in sorted(codes.items())) or '—'} |"
        )

    return "\n".join(
        [
            "| JumpCloud | upstream requests | 429s | peak req/s | peak req/s after the first 429 "
            "| answered | budget floor (s) | p50 answer (s) | last answer (s) "
            "| error codes (all rounds) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
            row(f"{PER_SECOND} req/s limit", rounds),
            row("no limit (anchor)", anchors),
        ]
    )


def outage_table(rows: list[tuple[str, list[Outage]]]) -> str:
    lines = [
        "| case | requests | p50 answer (ms) | slowest answer (ms) | upstream requests "
        "| answered | stale answers |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, got in rows:
        n = len(got[0].times)
        lines.append(
            f"| {name} | {n} | {spread([statistics.median(o.times) for o in got], 1000)} "
            f"| {spread([max(o.times) for o in got], 1000)} | {ints([o.calls for o in got])} "
            f"| {ints([o.answered for o in got])} of {n} | {ints([o.stale for o in got])} |"
        )
    return "\n".join(lines)


async def run(rounds: int) -> str:
    await outage(up=True, breaker=True, requests=4)  # warm-up: imports, schema, first use
    storms, anchors = [], []
    fresh, down, unbroken, hung = [], [], [], []
    for i in range(rounds):
        print(f"round {i + 1} of {rounds}", file=sys.stderr)
        storms.append(await storm(PER_SECOND))
        anchors.append(await storm(None))
        fresh.append(await outage(up=True, breaker=True))
        down.append(await outage(up=False, breaker=True))
        unbroken.append(await outage(up=False, breaker=False, requests=8))
        hung.append(await hang(HANG_TIMEOUT))
    codes = sorted({c for h in hung for c in h.codes})
    return (
        f"**429 storm.** 20 distinct heavy queries at once, 200 users, 10 groups, 8 apps; "
        f"JumpCloud (simulated) accepts {PER_SECOND} requests a second. Medians of {rounds} "
        f"rounds (min-max); *peak req/s* counts the requests JumpCloud saw in each whole "
        f"second; *budget floor* is the upstream requests at {PER_SECOND} a second, the least "
        f"time JumpCloud's limit allows.\n\n{storm_table(storms, anchors)}\n\n"
        f"**Warm-expired outage.** Every answer cached, then the clock moved past the TTL and "
        f"JumpCloud down (every request 502); requests one after another. *breaker off*: the "
        f"same outage with `JCGRAPH_BREAKER_THRESHOLD` at 10^9 (8 requests, to keep the bench "
        f"short). Medians of {rounds} rounds of each request set's p50 and slowest answer "
        f"(min-max).\n\n"
        + outage_table(
            [
                ("JumpCloud up, cache fresh (anchor)", fresh),
                ("JumpCloud down, cache expired", down),
                ("JumpCloud down, cache expired, breaker off (anchor)", unbroken),
            ]
        )
        + f"\n\n**Hung JumpCloud.** No answer at all, cold cache, `JCGRAPH_UPSTREAM_TIMEOUT` "
        f"{HANG_TIMEOUT:g} s (the request deadline defaults to twice that): the error "
        f"({', '.join(codes)}) after {spread([h.seconds for h in hung], digits=2)} s, "
        f"{ints([h.calls for h in hung])} upstream attempts; medians of {rounds} rounds "
        f"(min-max).\n"
    )


def describe(command: str, body: str) -> str:
    return (
        f"Command: `{command}`\n\n"
        f"Gateway and simulator in one process (`httpx.ASGITransport`), 50 ms simulated "
        f"latency per upstream request, default settings (upstream concurrency 8, timeout "
        f"10 s, request deadline 20 s, breaker 5 failed reads / 30 s, negative TTL 60 s), "
        f"stamina's real backoff, real time. Machine: {machine()}.\n\n"
        f"Before this change (measured on main, not in this run): in the same storm the "
        f"gateway sent up to 426 requests a second against the 5/s limit, 902 calls in all, "
        f"and answered 0 of 20 heavy queries; in the outage each miss spent all 5 retries "
        f"before its stale entry was served (10-22 s an answer), and lookups of admins "
        f"without a user account failed.\n\n{body}\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # every retry and stale answer logs one; not measured
    body = asyncio.run(run(args.rounds))
    text = describe(".venv/bin/python -m bench.upstream_faults", body)
    print(text)
    if not args.no_write:
        write_section(SECTION, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
