"""Replicas on one Redis, as real processes on loopback: one load per key, one upstream
budget, one 429 pause, and what happens when Redis or a replica dies.

Each test starts its own redis-server and simulator (tests/simulator_server.py: `jcgraph
simulator` with its request log over HTTP) on free ports, and `jcgraph serve` replicas.
Upstream calls are counted, and timed, from the simulator's request log.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.cache import TTLCache
from gateway.cache_levels import open_cache
from gateway.cache_store import credential_namespace
from gateway.jumpcloud.shared import SharedLink
from gateway.lease import Leases
from gateway.simulator.model import OrgSizes
from gateway.simulator.store import Org, generate_org
from tests import oracle
from tests.processes import REPO_ROOT, clean_env, free_port, stop
from tests.rates import busiest_second

# Needs redis-server (deselect with -m "not redis"): missing, the tests fail, never skip.
pytestmark = pytest.mark.redis

API_KEY = "jca_replicas_test_key_5e4d3c2b1a"
USERS = 40
START = 30.0  # seconds a process may take to start

COLD = """
query Cold {
  groups(first: 100) { totalCount edges { node { jumpcloudId name } } }
  users(first: 20) {
    edges { node {
      jumpcloudId
      groups(first: 100) { edges { node { jumpcloudId } } }
      applications(first: 100) { edges { kind node { jumpcloudId } } }
    } }
  }
}
"""

ONE_USER = """
query OneUser($id: ID!) {
  user(jumpcloudId: $id) {
    jumpcloudId
    groups(first: 100) { edges { node { jumpcloudId } } }
    applications(first: 100) { edges { kind node { jumpcloudId } } }
  }
}
"""

GROUPS = "query Groups { groups(first: 100) { totalCount edges { node { jumpcloudId } } } }"


def wait_for(what: str, done: Callable[[], bool], timeout: float) -> None:
    """Poll `done` (real processes) until it holds, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout} s")
        time.sleep(0.05)


def answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2) as s:
        s.sendall(b"PING\r\n")
        return s.recv(16).startswith(b"+PONG")
    return False


@dataclass
class Redis:
    port: int
    logs: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with (self.logs / f"redis-{self.port}.log").open("ab") as sink:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no"],
                stdout=sink, stderr=sink, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        wait_for("redis-server answers", lambda: answers(self.port), 10)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=5)

    def command(self, *args: str) -> bytes:
        """One command's reply, as Redis sends it (RESP)."""
        with socket.create_connection(("127.0.0.1", self.port), 2) as s:
            parts = [f"${len(a)}\r\n{a}\r\n" for a in args]
            s.sendall(f"*{len(args)}\r\n{''.join(parts)}".encode())
            return s.recv(256)


@dataclass
class Stack:
    org: Org
    simulator: str
    redis: Redis
    gateways: list[str] = field(default_factory=list)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    upstream: str = ""
    """What the gateways call: the simulator, or the stamping proxy in front of it."""
    stamps: Path | None = None
    """With the proxy: the time each upstream request arrived, one a line."""
    helpers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def arrivals(self) -> list[float]:
        assert self.stamps is not None
        return [float(line.split()[0]) for line in self.stamps.read_text().splitlines()]

    def log(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = httpx.get(f"{self.simulator}/_test/log", timeout=10).json()
        return rows

    def upstream_calls(self) -> int:
        return len(self.log())

    def fault(self, name: str, **params: str) -> None:
        httpx.post(f"{self.simulator}/_test/{name}", params=params, timeout=10)


def query(
    url: str, document: str, variables: dict[str, Any] | None = None, timeout: float = 60
) -> dict[str, Any]:
    """A query that must succeed: 200, no errors; its data."""
    body: dict[str, Any] = {"query": document, "variables": variables or {}}
    response = httpx.post(f"{url}/graphql", json=body, timeout=timeout)
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()
    assert "errors" not in payload, payload["errors"]
    return payload["data"]


def metric(url: str, name: str, **labels: str) -> float:
    """The sum of `name`'s samples on `url`'s /metrics whose labels include `labels`."""
    total = 0.0
    for line in httpx.get(f"{url}/metrics", timeout=10).text.splitlines():
        sample, _, value = line.rpartition(" ")
        if sample.split("{")[0] == name and all(f'{k}="{v}"' in sample for k, v in labels.items()):
            total += float(value)
    return total


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def check_user(org: Org, node: dict[str, Any]) -> None:
    """A user's groups and effective applications (with kinds), as the org's edges say."""
    uid = node["jumpcloudId"]
    assert {e["node"]["jumpcloudId"] for e in node["groups"]["edges"]} == oracle.groups_of(org, uid)
    expected = {a: oracle.kind(v) for a, v in oracle.effective(org, uid, "application").items()}
    got = {e["node"]["jumpcloudId"]: e["kind"] for e in node["applications"]["edges"]}
    assert got == expected


def check_cold(org: Org, data: dict[str, Any]) -> None:
    assert data["groups"]["totalCount"] == len(org.groups)
    assert len(data["users"]["edges"]) == 20
    for edge in data["users"]["edges"]:
        check_user(org, edge["node"])


def start_gateway(
    stack: Stack, logs: Path, name: str, env: dict[str, str]
) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    settings = {
        "JUMPCLOUD_API_KEY": API_KEY,
        "JUMPCLOUD_BASE_URL": stack.upstream or stack.simulator,
        "JCGRAPH_CACHE_URL": f"redis://127.0.0.1:{stack.redis.port}/0",
        "JCGRAPH_GRAPHIQL": "false",
        "JCGRAPH_LOG_LEVEL": "WARNING",
        **env,
    }
    with (logs / f"{name}.log").open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
            cwd=REPO_ROOT, env={**clean_env(), **settings},
            stdin=subprocess.DEVNULL, stdout=sink, stderr=sink,
        )  # fmt: skip
    return f"http://127.0.0.1:{port}", process


def healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=0.5).status_code == 200
    except httpx.TransportError:
        return False


@contextlib.contextmanager
def replicas(
    tmp_path: Path, count: int = 3, users: int = USERS, stamped: bool = False, **env: str
) -> Iterator[Stack]:
    """A redis-server, the simulator (an org of `users` users) and `count` gateways on it;
    `stamped`: the gateways call it through tests/stamping_proxy.py (`Stack.arrivals`)."""
    redis = Redis(free_port(), tmp_path)
    redis.start()
    port = free_port()
    sim_log = tmp_path / "simulator.log"
    with sim_log.open("wb") as sink:
        simulator = subprocess.Popen(
            [sys.executable, "-m", "tests.simulator_server", "--port", str(port),
             "--api-key", API_KEY, "--users", str(users)],
            cwd=REPO_ROOT, env=clean_env(), stdin=subprocess.DEVNULL, stdout=sink, stderr=sink,
        )  # fmt: skip
    org = generate_org(OrgSizes(users=users), seed=0)
    org_id = org.id
    stack = Stack(
        org=org,
        simulator=f"http://127.0.0.1:{port}",
        redis=redis,
        processes=[simulator],
    )
    try:
        # It prints its org's id once it listens: the org this test checks answers against.
        wait_for(
            "the simulator serves the test's org", lambda: org_id in sim_log.read_text(), START
        )
        if stamped:
            proxy_port, stack.stamps = free_port(), tmp_path / "arrivals.txt"
            proxy_log = tmp_path / "proxy.log"
            with proxy_log.open("wb") as sink:
                stack.helpers.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "tests.stamping_proxy",
                            "--port",
                            str(proxy_port),
                            "--to",
                            f"127.0.0.1:{port}",
                            "--stamps",
                            str(stack.stamps),
                        ],
                        cwd=REPO_ROOT,
                        env=clean_env(),
                        stdin=subprocess.DEVNULL,
                        stdout=sink,
                        stderr=sink,
                    )
                )
            wait_for("the proxy listens", lambda: "listening" in proxy_log.read_text(), START)
            stack.upstream = f"http://127.0.0.1:{proxy_port}"
        for i in range(count):
            url, process = start_gateway(stack, tmp_path, f"gateway-{i}", env)
            stack.gateways.append(url)
            stack.processes.append(process)
        for url, process in zip(stack.gateways, stack.processes[1:], strict=True):
            wait_for(
                f"{url} healthy",
                lambda u=url, p=process: p.poll() is None and healthy(u),
                START,
            )
        yield stack
    finally:
        for process in [*stack.processes, *stack.helpers]:
            if process.poll() is None:
                stop(process)
        if redis.process is not None and redis.process.poll() is None:
            stop(redis.process)


TTL = 3.0


def test_a_cold_query_sent_to_three_replicas_at_once_costs_what_one_replica_pays(
    tmp_path: Path,
) -> None:
    with replicas(tmp_path, JCGRAPH_CACHE_TTL=str(TTL), JCGRAPH_UPSTREAM_RATE="0") as stack:
        one, *_ = stack.gateways
        before = stack.upstream_calls()
        check_cold(stack.org, query(one, COLD))
        alone = stack.upstream_calls() - before

        time.sleep(TTL + 0.5)  # every replica's first level has expired
        stack.redis.command("FLUSHALL")
        before = stack.upstream_calls()
        for data in at_once([lambda u=u: query(u, COLD) for u in stack.gateways]):
            check_cold(stack.org, data)
        cold = stack.upstream_calls() - before

        time.sleep(TTL + 0.5)  # expired, still in Redis's stale window
        before = stack.upstream_calls()
        for data in at_once([lambda u=u: query(u, COLD) for u in stack.gateways]):
            check_cold(stack.org, data)
        expired = stack.upstream_calls() - before
        waited = sum(
            metric(u, "jcgraph_cache_leases_total", outcome="waited") for u in stack.gateways
        )

    print(f"one replica cold: {alone} calls; three at once: cold {cold}, after expiry {expired}")
    assert alone > 0
    assert cold <= 1.1 * alone
    assert expired <= 1.1 * alone
    assert waited > 0  # replicas that found a key leased waited, as the metric shows


RATE, BURST = 20, 5
CRAWL_USERS = 10_000
PAGES = """
query Pages($after: String) {
  users(first: 100, after: $after) { pageInfo { hasNextPage endCursor } }
}
"""
CRAWL = """
query Crawl($after: String) {
  users(first: 100, after: $after) {
    edges { node {
      jumpcloudId
      groups(first: 100) { edges { node { jumpcloudId } } }
      applications(first: 100) { edges { kind node { jumpcloudId } } }
    } }
  }
}
"""


def test_a_ten_thousand_user_crawl_split_across_replicas_stays_within_one_shared_budget(
    tmp_path: Path,
) -> None:
    env = {
        "JCGRAPH_UPSTREAM_RATE": str(RATE),
        "JCGRAPH_UPSTREAM_BURST": str(BURST),
        # A crawl's requests wait their turn in the budget rather than give up at the
        # default deadline (twice the upstream timeout) with UPSTREAM_RATE_LIMITED.
        "JCGRAPH_REQUEST_DEADLINE": "600",
    }
    with replicas(tmp_path, users=CRAWL_USERS, stamped=True, **env) as stack:
        before = len(stack.arrivals())
        urls = stack.gateways
        starts: list[str | None] = [None]
        while True:  # where each page starts, paged on one replica
            info = query(urls[0], PAGES, {"after": starts[-1]})["users"]["pageInfo"]
            if not info["hasNextPage"]:
                break
            starts.append(info["endCursor"])

        def crawl(i: int) -> list[dict[str, Any]]:  # page i on replica i mod 3
            data = query(urls[i % len(urls)], CRAWL, {"after": starts[i]}, timeout=600)
            return [edge["node"] for edge in data["users"]["edges"]]

        with ThreadPoolExecutor(6) as pool:
            found = [user for page in pool.map(crawl, range(len(starts))) for user in page]
        arrived = stack.arrivals()[before:]
        waited = sum(metric(u, "jcgraph_upstream_budget_wait_seconds_total") for u in urls)
    expected = oracle.Indexed(stack.org)
    assert sorted(node["jumpcloudId"] for node in found) == sorted(stack.org.users)
    for node in found:  # every grant, as the org's edges say
        uid = node["jumpcloudId"]
        assert {e["node"]["jumpcloudId"] for e in node["groups"]["edges"]} == expected.groups_of(
            uid
        )
        grants = {a: oracle.kind(v) for a, v in expected.effective(uid, "application").items()}
        assert {
            e["node"]["jumpcloudId"]: e["kind"] for e in node["applications"]["edges"]
        } == grants
    busiest = busiest_second(arrived)
    span = max(arrived) - min(arrived)
    print(f"{len(arrived)} upstream calls in {span:.1f} s; busiest second: {busiest}")
    assert waited > 0  # turns were waited for, as the metric shows
    assert len(arrived) > 2 * (RATE + BURST)  # enough calls for the budget to matter
    assert busiest <= RATE + BURST


def test_a_429_pauses_every_replica(tmp_path: Path) -> None:
    retry_after = 2
    pause_key = credential_namespace(None, API_KEY) + "upstream:pause"
    with replicas(tmp_path, JCGRAPH_UPSTREAM_RATE="0") as stack:
        ids = sorted(stack.org.users)
        first, *others = stack.gateways
        stack.fault("rate_limit", count="1", retry_after=str(retry_after))
        with ThreadPoolExecutor(3) as pool:
            limited = pool.submit(query, first, ONE_USER, {"id": ids[0]})
            wait_for(
                "the pause shared",
                lambda: stack.redis.command("EXISTS", pause_key) == b":1\r\n",
                10,
            )
            rest = [
                pool.submit(query, url, ONE_USER, {"id": ids[i + 1]})
                for i, url in enumerate(others)
            ]
            found = [limited.result(), *(f.result() for f in rest)]
        log = stack.log()
    for data in found:
        check_user(stack.org, data["user"])
    refused = next(r["t"] for r in log if r["status"] == 429)
    # Requests answered within 50 ms of the 429 were on their way before it.
    during = [r for r in log if refused + 0.05 < r["t"] < refused + retry_after - 0.01]
    after = [r["t"] - refused for r in log if r["t"] >= refused + retry_after - 0.01]
    print(f"{len(after)} calls after the pause, the first {min(after):.2f} s after the 429")
    assert not during, during
    assert len(after) >= 3  # every replica read what it needed once the pause was over


def test_redis_killed_and_restarted_mid_load_costs_no_error_and_leases_resume(
    tmp_path: Path,
) -> None:
    env = {"JCGRAPH_CACHE_TTL": str(TTL), "JCGRAPH_UPSTREAM_RATE": "50"}
    with replicas(tmp_path, **env) as stack:
        ids = sorted(stack.org.users)
        urls = stack.gateways
        before = stack.upstream_calls()
        check_cold(stack.org, query(urls[0], COLD))
        alone = stack.upstream_calls() - before

        def crawl(i: int) -> dict[str, Any]:
            return query(urls[i % len(urls)], ONE_USER, {"id": ids[i % len(ids)]})

        with ThreadPoolExecutor(6) as pool:
            crawled = [pool.submit(crawl, i) for i in range(3 * len(ids))]
            wait_for("a third crawled", lambda: sum(f.done() for f in crawled) > len(ids), 60)
            stack.redis.kill()
            time.sleep(0.5)  # requests meet a dead Redis
            stack.redis.start()
            found = [f.result() for f in crawled]
        for data in found:
            check_user(stack.org, data["user"])

        time.sleep(TTL + 0.5)  # every first level expired; Redis came back empty
        before = stack.upstream_calls()
        for data in at_once([lambda u=u: query(u, COLD) for u in urls]):
            check_cold(stack.org, data)
        cold = stack.upstream_calls() - before
        outages = sum(metric(u, "jcgraph_shared_redis_outages_total") for u in urls)
    logs = "".join((tmp_path / f"gateway-{i}.log").read_text() for i in range(3))
    print(f"after Redis came back, three at once: {cold} calls (one replica: {alone})")
    assert "Redis does not answer" in logs
    assert outages >= 1
    assert cold <= 1.1 * alone


LEASE_TTL = 2.0


def test_a_replica_killed_holding_a_lease_delays_the_others_one_lease_at_most(
    tmp_path: Path,
) -> None:
    env = {"JCGRAPH_CACHE_LEASE_TTL": str(LEASE_TTL), "JCGRAPH_UPSTREAM_RATE": "0"}
    with replicas(tmp_path, count=2, **env) as stack:
        doomed, survivor = stack.gateways
        stack.fault("hang", count="1", route="groups_user_list")  # the groups' collection
        with ThreadPoolExecutor(1) as pool:
            pool.submit(query_quietly, doomed, GROUPS)
            wait_for("the load hangs", lambda: hanging(stack) == 1, 10)
            killed = time.monotonic()
            stack.processes[1].send_signal(signal.SIGKILL)
            stack.processes[1].wait(timeout=5)
            stack.fault("clear")
            data = query(survivor, GROUPS)
            took = time.monotonic() - killed
    assert data["groups"]["totalCount"] == len(stack.org.groups)
    print(f"the survivor answered {took:.2f} s after the kill (lease TTL {LEASE_TTL} s)")
    # It waited for the lease (renewed every third of its TTL until the kill) to lapse, then
    # made the load itself: one call.
    assert LEASE_TTL / 2 <= took <= LEASE_TTL + 1.0


def query_quietly(url: str, document: str) -> None:
    with contextlib.suppress(httpx.HTTPError):
        httpx.post(f"{url}/graphql", json={"query": document}, timeout=30)


def hanging(stack: Stack) -> int:
    count: int = httpx.get(f"{stack.simulator}/_test/hanging", timeout=5).json()["hanging"]
    return count


def replica_cache(namespace: str) -> tuple[TTLCache, SharedLink]:
    """One replica's cache on the suite's Redis (127.0.0.1:6379), with leases."""
    link = SharedLink.from_url(SUITE_REDIS)
    assert link is not None
    cache = open_cache(
        SUITE_REDIS,
        namespace=namespace,
        ttl=60,
        stale_ttl=60,
        leases=Leases(link, namespace=namespace, ttl=2.0, max_wait=5.0),
    )
    return cache, link


SUITE_REDIS = "redis://127.0.0.1:6379/0"


async def test_two_replicas_caches_load_a_cold_key_once_and_a_shared_hit_takes_no_lease() -> None:
    namespace = f"jcgraph-test:{secrets.token_hex(6)}:"
    replicas_ = [replica_cache(namespace) for _ in range(3)]
    (first, _), (second, _), (third, _) = replicas_
    calls: list[list[str]] = []
    release = asyncio.Event()

    async def fetch(keys: list[str]) -> dict[str, object]:
        calls.append(keys)
        await release.wait()
        return {k: k.upper() for k in keys}

    try:
        loads = [asyncio.create_task(c.load_many(["a", "b"], fetch)) for c in (first, second)]
        for _ in range(500):  # until one of them waits on the other's lease (Redis answers)
            if sum(c._leases.waits for c in (first, second) if c._leases) == 1:
                break
            await asyncio.sleep(0.01)
        release.set()
        assert await asyncio.gather(*loads) == [{"a": "A", "b": "B"}] * 2
        assert calls == [["a", "b"]]
        assert third._leases is not None
        claims = third._leases.claims
        assert await third.load_many(["a", "b"], fetch) == {"a": "A", "b": "B"}
        assert third._leases.claims == claims  # served by the shared level: no lease
        assert calls == [["a", "b"]]
    finally:
        _, link = replicas_[0]
        stored = await link.client.keys(namespace + "*")
        if stored:
            await link.client.delete(*stored)
        for cache, link in replicas_:
            await cache.close()
            await link.aclose()
