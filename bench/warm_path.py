"""Benchmark (not a test): the warm path and the planner, each beside its anchor, same run.

Seven rows, every one measured with its anchor in the same round, rounds interleaved
(within a round the sides take turns going first), medians with min-max:

1. a small warm query (`user(email) { displayName groups { totalCount } }`) on a
   10,000/500/200 org over HTTP, `wrk -c32 -t2 -d10s`: a real `jcgraph serve` over a real
   `jcgraph simulator` (req/s), beside a graphql-core anchor (bench/anchor.py) on the same
   uvicorn over the same records in memory;
2. the same on a 50/10/8 org;
3. a warm walk of 10,000 users x 8 scalar fields, 100 a page: the gateway's CPU time in
   its own process (ASGI, 0 upstream calls, checked), beside graphql-core `execute_sync`
   over the same dicts walking the same pages in another;
4. the same for 2,000 users with their groups' names;
5. a cold crawl of every user's effective applications (10,000/500/200), each in a child
   process reading a simulator process over HTTP: upstream calls per plan beside the
   cheapest side computed from the org's shape, and the gateway's peak RSS;
6. the same crawl at 20 ms upstream latency: wall time, `auto` beside forced `index`;
7. cold `users(first: 50)` -> groups -> applications on the 50/10/8 shaped org at 50 ms
   RTT: wall time beside (waves) x RTT, the waves counted from request start times.

With `--before REV` every jcgraph measurement is taken twice in each round, once for the
gateway at REV (a temporary `git worktree add --detach`, removed at the end) and once for
the working tree, beside the same anchor: each version runs in processes of its own
(`bench.stack.Code`), the bench's modules from this checkout in both. Rows 1-4 also measure
the working tree with its response cache off, where the code has that setting.

Prints markdown and writes it into bench/RESULTS.md under the section below (not with
`--quick`, a smoke run on small orgs, or `--no-write`).

    .venv/bin/python -m bench.warm_path [--before REV] [--rounds 5] [--quick] [--no-write]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import math
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import orjson

from bench.crawl import users_digest
from bench.harness import Started
from bench.results import machine, write_section
from bench.stack import (
    REPLY,
    ROOT,
    Code,
    Server,
    Worker,
    anchor_serve,
    jcgraph_serve,
    run_to_end,
    simulator,
    status_mb,
    stop_on_sigterm,
    worker,
)
from bench.worker import GROUPS_QUERY, SCALARS_QUERY, WAVES_QUERY
from bench.wrk import Load, graphql_body, requests_per_second
from gateway.simulator.store import Org, OrgSizes, generate_org

SECTION = "## Warm path and planner, beside graphql-core"
SEED = 2026
PLANS = ("auto", "index", "per-key")
CRAWL_LATENCY = 0.02
RTT = 0.05
WARM_TTL = 86400  # the served gateway's cache outlives the whole run: every round is warm
RSS_TARGET_MB = 300
VARIANTS: dict[str, dict[str, Any]] = {"": {}, "rc-off": {"response_cache": False}}
"""Settings over a code's defaults for rows 1-4: as shipped, and the response cache off
(measured only for a code whose Settings has `response_cache`)."""

SMALL_QUERY = "query($email: String!) { user(email: $email) { displayName groups { totalCount } } }"

T = TypeVar("T")


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

    def has(self, name: str) -> bool:
        return bool(self.values.get(name))

    def text(self, name: str, digits: int = 0) -> str:
        got = self.values[name]
        low, mid, high = min(got), statistics.median(got), max(got)
        return f"{mid:,.{digits}f} ({low:,.{digits}f}-{high:,.{digits}f})"


def sizes_text(sizes: OrgSizes) -> str:
    return f"{sizes.users:,}/{sizes.groups}/{sizes.applications}"


def rotated(round_: int, items: list[T]) -> list[T]:
    """`items` starting at round_ % len: each side goes first in turn, round by round."""
    shift = round_ % len(items)
    return items[shift:] + items[:shift]


def ordered(round_: int, sides: dict[str, Callable[[], T]]) -> dict[str, T]:
    """Run every side, in the round's turn; results by name."""
    return {name: sides[name]() for name in rotated(round_, list(sides))}


# The versions measured.


@dataclass(frozen=True)
class Facts:
    """What a code offers the bench: its Settings defaults, `jcgraph serve`'s flags."""

    gateway: str
    settings: dict[str, Any]
    serve_flags: list[str]


@dataclass(frozen=True)
class Side:
    """One jcgraph configuration: a code, and settings over its defaults (a variant)."""

    code: Code
    variant: str = ""

    @property
    def key(self) -> str:
        return f"{self.code.name}:{self.variant}" if self.variant else self.code.name

    @property
    def settings(self) -> dict[str, Any]:
        return VARIANTS[self.variant]


def git(*args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def tree_label() -> str:
    head = git("rev-parse", "--short", "HEAD")
    changed = git("status", "--porcelain", "--", "gateway").splitlines()
    edits = f" + {len(changed)} uncommitted change(s) under gateway/" if changed else ""
    return f"working tree (HEAD {head}{edits})"


@contextlib.contextmanager
def codes(before: str | None) -> Iterator[list[Code]]:
    """The working tree's gateway/ (copied as the run starts, so that edits during the run
    cannot mix versions), and with `before`, REV in a temporary detached git worktree; both
    removed at the end, however the run ends."""
    with contextlib.ExitStack() as cleanup:
        base = Path(tempfile.mkdtemp(prefix="bench-warm-path-"))
        cleanup.callback(shutil.rmtree, base, ignore_errors=True)
        path = base / "path"
        path.mkdir()
        (path / "bench").symlink_to(ROOT / "bench", target_is_directory=True)
        after_root = base / "after"
        label = tree_label()
        shutil.copytree(
            ROOT / "gateway",
            after_root / "gateway",
            ignore=shutil.ignore_patterns("__pycache__", "node_modules"),
        )
        after = Code("after", label, after_root, path)
        if before is None:
            yield [after]
            return
        commit = git("rev-parse", "--verify", f"{before}^{{commit}}")
        tree = base / "before"
        git("worktree", "add", "--detach", str(tree), commit)

        def remove() -> None:
            with contextlib.suppress(RuntimeError):
                git("worktree", "remove", "--force", str(tree))
            git("worktree", "prune")

        cleanup.callback(remove)
        subject = git("log", "-1", "--format=%s", commit)[:80]
        code = Code("before", f"{commit[:7]} ({subject}…)", tree, path)
        yield [code, after]


def facts_of(code: Code) -> Facts:
    out = run_to_end(
        f"facts {code.name}",
        code.module("bench.worker", "facts"),
        timeout=120,
        env=code.env(),
        cwd=code.path,
    )
    line = next(line for line in out.splitlines() if line.startswith(REPLY))
    got = json.loads(line[len(REPLY) :])
    assert got["gateway"].startswith(str(code.root)), (code, got["gateway"])
    help_text = run_to_end(
        f"serve --help {code.name}",
        code.jcgraph("serve", "--help"),
        timeout=120,
        env=code.env(),
        cwd=code.path,
    )
    flags = sorted(set(re.findall(r"--[a-z][a-z-]*", help_text)) - {"--help"})
    if "--port" not in flags:
        raise RuntimeError(f"{code.label}: `jcgraph serve` has no --port: {flags}")
    return Facts(got["gateway"], got["settings"], flags)


@dataclass
class Versions:
    codes: list[Code]
    facts: dict[str, Facts]
    notes: list[str] = field(default_factory=list)
    """What was not passed to a code because it lacks the setting or flag."""

    def has(self, code: Code, settings: dict[str, Any]) -> bool:
        return all(name in self.facts[code.name].settings for name in settings)

    def supported(self, code: Code, settings: dict[str, Any], why: str) -> dict[str, Any]:
        """The `settings` the code has; a note for each it does not."""
        kept = {k: v for k, v in settings.items() if k in self.facts[code.name].settings}
        for name in sorted(set(settings) - set(kept)):
            note = f"{code.label} has no Settings field `{name}`: not set for {why}"
            if note not in self.notes:
                self.notes.append(note)
        return kept

    def warm_sides(self) -> list[Side]:
        """Rows 1-4: each code as shipped, then each variant the code has a setting for."""
        sides = [Side(code) for code in self.codes]
        for variant, settings in VARIANTS.items():
            if variant:
                sides += [Side(c, variant) for c in self.codes if self.has(c, settings)]
        return sides

    @property
    def after(self) -> Code:
        return self.codes[-1]


def env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# Rows 1-2: over HTTP, real processes.


@dataclass
class Served:
    row: str
    jcgraph: dict[str, Server]
    anchor: Server
    body: bytes

    def upstream_calls(self, server: Server) -> int:
        text = httpx.get(f"{server.url}/metrics", timeout=10).text
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
def served(
    row: str, org: Org, sizes: OrgSizes, versions: Versions, sides: list[Side]
) -> Iterator[Served]:
    with contextlib.ExitStack() as stack:
        upstream, key = stack.enter_context(simulator(sizes, SEED, versions.after))
        jcgraph: dict[str, Server] = {}
        for side in sides:
            settings = {"cache_ttl": WARM_TTL, **side.settings}
            kept = versions.supported(side.code, settings, "`jcgraph serve`")
            env = {f"JCGRAPH_{k.upper()}": env_value(v) for k, v in kept.items()}
            jcgraph[side.key] = stack.enter_context(
                jcgraph_serve(upstream.url, key, side.code, **env)
            )
        anchor = stack.enter_context(anchor_serve(sizes, SEED, versions.after))
        pair = Served(row, jcgraph, anchor, graphql_body(SMALL_QUERY, {"email": a_member(org)}))
        expected = pair.answer(anchor)
        for name, server in jcgraph.items():
            for _ in range(2):  # warms the cache, then the response cache where there is one
                got = pair.answer(server)
                assert got == expected, (row, name, got, expected)
        yield pair


def http_round(samples: Samples, pair: Served, load: Load, round_: int) -> None:
    servers = {**pair.jcgraph, "anchor": pair.anchor}
    calls = {name: pair.upstream_calls(s) for name, s in pair.jcgraph.items()}

    def load_on(server: Server) -> Callable[[], float]:
        return lambda: requests_per_second(f"{server.url}/graphql", pair.body, load)

    got = ordered(round_, {name: load_on(server) for name, server in servers.items()})
    for name, server in pair.jcgraph.items():
        assert pair.upstream_calls(server) == calls[name], f"{name}: the warm query went up"
    anchor = got.pop("anchor")
    samples.add(f"{pair.row}.anchor", anchor)
    for name, rate in got.items():
        samples.add(f"{pair.row}.{name}", rate)
        samples.add(f"{pair.row}.{name}.ratio", anchor / rate)
        if "before" in got and not name.startswith("before"):
            samples.add(f"{pair.row}.{name}.gain", rate / got["before"])


# Rows 3-4: warm walks, each side in a process of its own, CPU time.


@dataclass
class Walk:
    row: str
    workers: dict[str, Worker]
    """jcgraph sides by key, and "anchor"."""


@contextlib.contextmanager
def walk(
    row: str, query: str, sizes: OrgSizes, versions: Versions, sides: list[Side]
) -> Iterator[Walk]:
    org_args = [
        f"--users={sizes.users}",
        f"--groups={sizes.groups}",
        f"--applications={sizes.applications}",
        f"--seed={SEED}",
    ]
    with contextlib.ExitStack() as stack:
        workers: dict[str, Worker] = {}
        digests: dict[str, str] = {}
        runs = [(side.key, side.code, "gateway", side.settings) for side in sides]
        runs.append(("anchor", versions.after, "anchor", {}))
        for name, code, kind, settings in runs:
            kept = versions.supported(code, settings, f"row {row}")
            args = [f"--side={kind}", f"--query={query}", *org_args]
            args += [f"--set={k}={env_value(v)}" for k, v in kept.items()]
            running, ready = stack.enter_context(
                worker(
                    f"walk-{row}-{name}",
                    code.module("bench.worker", "walk", *args),
                    env=code.env(),
                    cwd=code.path,
                )
            )
            assert ready["gateway"].startswith(str(code.root)), (name, ready["gateway"])
            workers[name], digests[name] = running, ready["digest"]
        assert len(set(digests.values())) == 1, f"row {row}: the sides answered differently"
        yield Walk(row, workers)


def walk_round(samples: Samples, walk: Walk, round_: int) -> None:
    def cpu(name: str) -> Callable[[], float]:
        def run() -> float:
            got = walk.workers[name].call("walk")
            assert got["calls"] == 0, f"row {walk.row}: {name}'s warm walk went up"
            return float(got["cpu"])

        return run

    got = ordered(round_, {name: cpu(name) for name in walk.workers})
    anchor = got.pop("anchor")
    samples.add(f"{walk.row}.anchor", anchor)
    for name, spent in got.items():
        samples.add(f"{walk.row}.{name}", spent)
        samples.add(f"{walk.row}.{name}.ratio", spent / anchor)
        if "before" in got and not name.startswith("before"):
            samples.add(f"{walk.row}.{name}.gain", got["before"] / spent)


# Rows 5-6: cold crawls, each in a child process, over HTTP.


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


@dataclass
class Crawls:
    """The crawls' upstream: a `bench.upstream` simulator process (the working tree's)."""

    upstream: Server
    api_key: str
    versions: Versions
    users: str
    """The digest of the org's user ids: every crawl must cover exactly these."""
    digests: set[str] = field(default_factory=set)

    def crawl(self, code: Code, plan: str, latency: float) -> dict[str, Any]:
        self.versions.supported(code, {"access_plan": plan}, "the crawls")
        args = code.module(
            "bench.crawl",
            f"--upstream={self.upstream.url}",
            f"--api-key={self.api_key}",
            f"--plan={plan}",
            f"--latency={latency}",
        )
        out = run_to_end(
            f"crawl {code.name} {plan}", args, timeout=900, env=code.env(), cwd=code.path
        )
        result: dict[str, Any] = json.loads(out.splitlines()[-1])
        assert result["gateway"].startswith(str(code.root)), (code, result["gateway"])
        assert result["users_digest"] == self.users, f"{code.name} {plan}: users differ"
        assert not result["dropped_settings"], result["dropped_settings"]
        self.digests.add(result["digest"])
        return result


def crawl_round(
    samples: Samples, crawls: Crawls, minimum: int, round_: int
) -> dict[str, dict[str, Any]]:
    """Row 5 (every plan, every code, at 0 ms) and row 6; the last results by code.plan."""
    results: dict[str, dict[str, Any]] = {}
    sides = [(code, plan) for plan in PLANS for code in crawls.versions.codes]
    for code, plan in rotated(round_, sides):
        results[f"{code.name}.{plan}"] = got = crawls.crawl(code, plan, 0.0)
        name = f"5.{plan}.{code.name}"
        samples.add(f"{name}.calls", got["calls"])
        samples.add(f"{name}.ratio", got["calls"] / minimum)
        samples.add(f"{name}.wall", got["wall_s"])
        samples.add(f"{name}.before", got["rss_before_mb"])
        samples.add(f"{name}.peak", got["rss_peak_mb"])
        samples.add(f"{name}.growth", got["rss_peak_mb"] - got["rss_before_mb"])
    paired = "before" in (c.name for c in crawls.versions.codes)
    for plan in PLANS:
        if paired:
            samples.add(
                f"5.{plan}.after.gain",
                results[f"before.{plan}"]["calls"] / results[f"after.{plan}"]["calls"],
            )

    def slow(code: Code, plan: str) -> Callable[[], float]:
        return lambda: float(crawls.crawl(code, plan, CRAWL_LATENCY)["wall_s"])

    got = ordered(
        round_,
        {
            f"{code.name}.{plan}": slow(code, plan)
            for code in crawls.versions.codes
            for plan in ("auto", "index")
        },
    )
    for code in crawls.versions.codes:
        auto, index = got[f"{code.name}.auto"], got[f"{code.name}.index"]
        samples.add(f"6.{code.name}", auto)
        samples.add(f"6.{code.name}.index", index)
        samples.add(f"6.{code.name}.ratio", auto / index)
    if "before.auto" in got:
        samples.add("6.after.gain", got["before.auto"] / got["after.auto"])
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


def rtt_round(samples: Samples, workers: dict[str, Worker], round_: int) -> dict[str, str]:
    """Row 7 for every code; each code's wave composition."""

    def once(running: Worker) -> Callable[[], dict[str, Any]]:
        return lambda: running.call("rtt")

    got = ordered(round_, {name: once(running) for name, running in workers.items()})
    compositions = {}
    for name, answer in got.items():
        starts = [Started(at, method, path) for at, method, path in answer["starts"]]
        grouped = waves(starts, RTT / 2)
        wall, floor = answer["wall"], len(grouped) * RTT
        samples.add(f"7.{name}", wall * 1000)
        samples.add(f"7.{name}.floor", floor * 1000)
        samples.add(f"7.{name}.ratio", wall / floor)
        samples.add(f"7.{name}.waves", len(grouped))
        samples.add(f"7.{name}.calls", len(starts))
        compositions[name] = wave_text(grouped)
    if "before" in got:
        samples.add("7.after.gain", got["before"]["wall"] / got["after"]["wall"])
    return compositions


# The run.


@dataclass
class Report:
    versions: Versions
    samples: Samples
    crawls: dict[str, dict[str, Any]]
    compositions: dict[str, list[str]]
    minimum: tuple[int, int]
    grants: int
    rss: dict[str, float]
    """RSS of other processes (MB): the crawls' simulator, the served gateways."""


def run(scale: Scale, rounds: int, versions: Versions) -> Report:
    samples = Samples()
    compositions: dict[str, list[str]] = defaultdict(list)
    crawled: dict[str, dict[str, Any]] = {}
    rss: dict[str, float] = {}
    big = generate_org(scale.big, seed=SEED)
    minimum = crawl_minimum(big)
    small = generate_org(scale.small, seed=SEED)
    sides = versions.warm_sides()
    after = versions.after
    with contextlib.ExitStack() as processes:
        print("starting servers and workers", file=sys.stderr, flush=True)
        http = [
            processes.enter_context(served("1", big, scale.big, versions, sides)),
            processes.enter_context(served("2", small, scale.small, versions, sides)),
        ]
        walks = [
            processes.enter_context(walk("3", "scalars", scale.big, versions, sides)),
            processes.enter_context(walk("4", "groups", scale.groups, versions, sides)),
        ]
        rtt: dict[str, Worker] = {}
        for code in versions.codes:
            running, ready = processes.enter_context(
                worker(
                    f"rtt-{code.name}",
                    code.module("bench.worker", "rtt", f"--latency={RTT}"),
                    env=code.env(),
                    cwd=code.path,
                )
            )
            assert ready["gateway"].startswith(str(code.root)), (code, ready["gateway"])
            rtt[code.name] = running
        upstream, key = processes.enter_context(
            simulator(scale.big, SEED, after, module="bench.upstream")
        )
        crawls = Crawls(upstream, key, versions, users_digest(list(big.users)))
        rss["simulator.idle"] = status_mb(upstream.pid, "VmRSS")
        for round_ in range(rounds):
            print(f"round {round_ + 1}/{rounds}", file=sys.stderr, flush=True)
            for pair in http:
                http_round(samples, pair, scale.load, round_)
            for one in walks:
                walk_round(samples, one, round_)
            crawled = crawl_round(samples, crawls, min(minimum), round_)
            for name, text in rtt_round(samples, rtt, round_).items():
                compositions[name].append(text)
        rss["simulator.peak"] = status_mb(upstream.pid, "VmHWM")
        for pair in http:
            for name, server in pair.jcgraph.items():
                rss[f"{pair.row}.{name}"] = status_mb(server.pid, "VmRSS")
    assert len(crawls.digests) == 1, "the crawls answered differently (plans or versions)"
    grants = crawled[f"{after.name}.auto"]["grants"]
    return Report(versions, samples, crawled, compositions, minimum, grants, rss)


def server_stack() -> str:
    """What uvicorn's `auto` picks in this environment, for jcgraph and the anchor alike."""
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"uvicorn `auto`: {loop} loop, {http}"


def wrk_version() -> str:
    done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).split(" [")[0].strip()


# The write-up.


def short(code: Code) -> str:
    return code.label.split(" (")[0] if code.name == "before" else "working tree"


@dataclass
class Table:
    report: Report
    rows: list[str] = field(default_factory=list)

    @property
    def s(self) -> Samples:
        return self.report.samples

    @property
    def codes(self) -> list[Code]:
        return self.report.versions.codes

    @property
    def paired(self) -> bool:
        return len(self.codes) > 1

    def header(self) -> None:
        names = [f"{c.name} ({short(c)})" for c in self.codes]
        ratios = [f"{c.name} vs anchor" for c in reversed(self.codes)]
        gain = ["after vs before (same round)"] if self.paired else []
        cells = ["row", "measure", *names, "anchor", *ratios, *gain]
        self.rows.append("| " + " | ".join(cells) + " |")
        self.rows.append("| --- | --- | " + " | ".join(["---:"] * (len(cells) - 2)) + " |")

    def cell(self, name: str, digits: int) -> str:
        return self.s.text(name, digits) if self.s.has(name) else "—"

    def add(
        self,
        row: str,
        measure: str,
        values: list[str],
        anchor: str,
        ratios: list[str],
        gain: str,
    ) -> None:
        cells = [row, measure, *values, anchor, *reversed(ratios)]
        if self.paired:
            cells.append(gain)
        self.rows.append("| " + " | ".join(cells) + " |")

    def warm(self, row: str, measure: str, digits: int, rate: bool) -> None:
        """A warm row as shipped, then one per variant measured."""
        ratio_label = "anchor / {}" if rate else "{} / anchor"
        gain_label = "after / before" if rate else "before / after"
        for variant, settings in VARIANTS.items():
            keys = [f"{c.name}:{variant}" if variant else c.name for c in self.codes]
            if not any(self.s.has(f"{row}.{k}") for k in keys):
                continue
            label = measure
            if variant:
                pairs = ", ".join(f"`{k}={env_value(v)}`" for k, v in settings.items())
                label = f"{measure}, {pairs}"
            values, ratios = [], []
            for code, key in zip(self.codes, keys, strict=True):
                name = f"{row}.{key}"
                if self.s.has(name):
                    values.append(self.s.text(name, digits))
                    ratios.append(
                        f"{ratio_label.format(code.name)} {self.s.text(f'{name}.ratio', 2)}"
                    )
                else:
                    values.append(f"n/a (no `{'`, `'.join(settings)}` setting)")
                    ratios.append("—")
            gain = f"{row}.{keys[-1]}.gain"
            self.add(
                row,
                label,
                values,
                self.s.text(f"{row}.anchor", digits),
                ratios,
                f"{gain_label} {self.s.text(gain, 2)}" if self.s.has(gain) else "—",
            )


def table(report: Report, scale: Scale) -> str:
    t, s, (per_user, index) = Table(report), report.samples, report.minimum
    codes = report.versions.codes
    big, pages = sizes_text(scale.big), math.ceil(scale.big.users / 100)
    t.header()
    t.warm("1", f"small warm query, {big} org, HTTP, req/s", 0, rate=True)
    t.warm("2", f"small warm query, {sizes_text(scale.small)} org, HTTP, req/s", 0, rate=True)
    scalars = f"warm walk, {scale.big.users:,} users x 8 scalar fields ({pages} pages), CPU s"
    t.warm("3", scalars, 3, rate=False)
    groups = f"warm walk, {scale.groups.users:,} users with their groups' names, CPU s"
    t.warm("4", groups, 3, rate=False)
    cheapest = min(per_user, index)
    for plan in PLANS:
        names = [f"5.{plan}.{c.name}" for c in codes]
        t.add(
            "5",
            f"cold crawl of effective applications, {big}, `{plan}`, upstream calls",
            [s.text(f"{n}.calls") for n in names],
            f"cheapest side {cheapest:,}",
            [
                f"{c.name} / minimum {s.text(f'{n}.ratio', 2)}"
                for c, n in zip(codes, names, strict=True)
            ],
            f"before / after {s.text(f'5.{plan}.after.gain', 2)}"
            if s.has(f"5.{plan}.after.gain")
            else "—",
        )
    t.add(
        "6",
        f"the same crawl at {CRAWL_LATENCY * 1000:.0f} ms latency, `auto`, wall s",
        [s.text(f"6.{c.name}", 2) for c in codes],
        "forced `index`: " + "; ".join(f"{c.name} {s.text(f'6.{c.name}.index', 2)}" for c in codes),
        [f"{c.name} auto / index {s.text(f'6.{c.name}.ratio', 2)}" for c in codes],
        f"before / after {s.text('6.after.gain', 2)}" if s.has("6.after.gain") else "—",
    )
    t.add(
        "7",
        f"cold users(first: 50) → groups → applications, 50/10/8 shaped, "
        f"{RTT * 1000:.0f} ms RTT, wall ms",
        [s.text(f"7.{c.name}") for c in codes],
        "waves x RTT: " + "; ".join(f"{c.name} {s.text(f'7.{c.name}.floor')}" for c in codes),
        [f"{c.name} / floor {s.text(f'7.{c.name}.ratio', 2)}" for c in codes],
        f"before / after {s.text('7.after.gain', 2)}" if s.has("7.after.gain") else "—",
    )
    return "\n".join(t.rows) + "\n\n" + details(report, scale)


def details(report: Report, scale: Scale) -> str:
    s, (per_user, index), codes = report.samples, report.minimum, report.versions.codes
    detail = [
        "| plan | code | upstream calls | calls / cheapest | wall at 0 ms (s) "
        "| gateway RSS before (MB) | gateway peak RSS during crawl (MB) | growth (MB) "
        "| calls by endpoint (last round) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    peaks: dict[str, float] = {}
    for plan in PLANS:
        for code in codes:
            name = f"5.{plan}.{code.name}"
            by = report.crawls[f"{code.name}.{plan}"]["by_endpoint"]
            peaks[f"{code.name} `{plan}`"] = max(s.values[f"{name}.peak"])
            detail.append(
                f"| `{plan}` | {code.name} | {s.text(f'{name}.calls')} "
                f"| {s.text(f'{name}.ratio', 2)} | {s.text(f'{name}.wall', 2)} "
                f"| {s.text(f'{name}.before')} | {s.text(f'{name}.peak')} "
                f"| {s.text(f'{name}.growth')} "
                f"| {', '.join(f'{k} {v}' for k, v in sorted(by.items()))} |"
            )
    over = [f"{k} ({v:,.0f} MB)" for k, v in peaks.items() if v > RSS_TARGET_MB]
    target = (
        f"over {RSS_TARGET_MB} MB in some round: {', '.join(over)}"
        if over
        else f"every plan of every code stayed at or under {RSS_TARGET_MB} MB in every round"
    )
    rss = report.rss
    served = ", ".join(
        f"row {k.split('.')[0]} {k.split('.', 1)[1]} {v:,.0f} MB"
        for k, v in rss.items()
        if not k.startswith("simulator")
    )
    rounds = len(next(iter(report.compositions.values())))
    waves_seen = []
    for code in codes:
        found = Counter(report.compositions[code.name]).most_common()
        waves_seen.append(
            f"- {code.name}: {s.text(f'7.{code.name}.waves')} waves, "
            f"{s.text(f'7.{code.name}.calls')} upstream requests"
        )
        waves_seen += [f"  - {n} of {rounds} rounds: {c}" for c, n in found]
    return (
        f"**Row 5 in detail** (every plan's answer identical, in every version: "
        f"{report.grants:,} user-application grants; cheapest side from the org's shape: "
        f"per-user {per_user:,}, from applications {index:,}). The gateway's peak RSS "
        f"(target ≤ {RSS_TARGET_MB} MB): {target}. The crawls' simulator process "
        f"(`bench.upstream`, the {sizes_text(scale.big)} org): {rss['simulator.idle']:,.0f} MB "
        f"idle, {rss['simulator.peak']:,.0f} MB peak over the run; not in the figures below.\n\n"
        + "\n".join(detail)
        + f"\n\nServed gateways' RSS after the run (VmRSS): {served}.\n\n"
        + "**Row 7 waves** (wave: requests by start):\n\n"
        + "\n".join(waves_seen)
        + "\n"
    )


def describe(command: str, rounds: int, scale: Scale, report: Report, tables: str) -> str:
    big, load = scale.big, scale.load
    versions, codes = report.versions, report.versions.codes
    sizes = f"--users={big.users} --groups={big.groups} --applications={big.applications}"
    labels = "; ".join(f"**{c.name}**: {c.label}" for c in codes)
    defaults = settings_differences(versions)
    notes = "; ".join(versions.notes) if versions.notes else "none"
    variant_sides = [s.key for s in versions.warm_sides() if s.variant]
    rc_text = (
        f" Rows 1-4 also run {', '.join(f'`{k}`' for k in variant_sides)}: the same code "
        "with `response_cache=False` (`JCGRAPH_RESPONSE_CACHE=false` when served): as "
        "shipped, a warm query repeated verbatim is replayed from the response cache once "
        "it has been computed from fresh entries, so the as-shipped figures of rows 1-4 "
        "measure the replay and these measure the warm path itself."
        if variant_sides
        else ""
    )
    return (
        unwrap(f"""Command: `{command}`

Machine: {machine()}; {server_stack()}; {wrk_version()}. Rounds: {rounds}; in each round
every row runs all its sides (each jcgraph version and configuration, and the anchor), the
side that goes first rotating round by round; cells are medians (min-max) over the rounds,
ratios are computed within each round. Orgs: `generate_org(OrgSizes(users, groups,
applications), seed={SEED})` written as users/groups/applications (other sizes the
OrgSizes defaults: 2.5 groups per user, each application bound to 1-3 groups, no direct
application bindings); row 7 on the shaped org of `bench.gateway_queries` (each user in 3
groups, each application bound to 2).

Versions: {labels}. Each runs in processes of its own that import only it:
`PYTHONPATH=<dir with a link to this checkout's bench/>:<dir holding that version's
gateway/>`, working directory the first (`bench.stack.Code`); *before* is a temporary `git
worktree add --detach`, removed at the end; *after* is a copy of this checkout's gateway/
taken as the run starts (without `static/node_modules`, GraphiQL's assets, which no row
uses). The bench's own modules are this checkout's in both and use only the public API
(`create_app`, `Settings`, the simulator's factories, the `jcgraph` CLI). Each version
runs with its own defaults (differences: {defaults}).{rc_text} Settings or flags the bench
uses that a version lacks, so not passed to it: {notes}.

- **Rows 1-2** (HTTP, real processes, one uvicorn worker each): the working tree's
  `jcgraph simulator --port=0 {sizes} --seed={SEED}` (the 50/10/8 org likewise), then
  for each version `JUMPCLOUD_BASE_URL=<simulator> JUMPCLOUD_API_KEY=<key it printed>
  JCGRAPH_CACHE_TTL={WARM_TTL} python -c "import sys; from gateway.cli import main;
  sys.exit(main())" serve --port=<free port>` (what the `jcgraph` script runs; other
  settings default, its access log included; the long TTL keeps every round warm), warmed
  with two requests; the anchor `python -m bench.anchor {sizes} --seed={SEED}
  --port=<free port>`: graphql-core over the same generated records held as dicts (SDL
  subset, sync resolvers, parsed and validated document cached, orjson), on uvicorn with
  the arguments `jcgraph serve` uses. Load: `wrk {" ".join(load.flags())} -s post.lua
  http://127.0.0.1:<port>/graphql` (post.lua sets method POST, `Content-Type:
  application/json` and the body `{{"query": "{SMALL_QUERY}", "variables": {{"email": <a
  user in a group>}}}}`). Every answer was checked equal to the anchor's; no gateway's
  `jcgraph_upstream_requests_total` moved during any load run.
- **Rows 3-4** (`python -m bench.worker walk`, one process per side): the gateway app from
  `create_app` over the simulator app (`bench.harness.gateway`), each POST handed straight
  to the app as ASGI (`bench.worker.asgi_post`: a scope, the body, the response collected;
  no HTTP client, no compression asked, as the anchor answers uncompressed), two warming
  passes, then `time.process_time()` around the whole walk in that process (`first: 100`,
  `after:` the last `endCursor`, POST bodies and answers through orjson): the server's
  work, Starlette and the view included; 0 upstream calls checked on every walk. Anchor:
  `bench.anchor.Anchor.respond` (orjson in, `execute_sync`, orjson out) over the same
  records walking the same pages, in its own process; every side's pages checked equal
  (digest). Row 3 query: `{" ".join(SCALARS_QUERY.split())}`; row 4: `{
            " ".join(GROUPS_QUERY.split())
        }` on a
  {sizes_text(scale.groups)} org.
- **Rows 5-6**: the working tree's simulator in a process of its own (`python -m
  bench.upstream {sizes} --seed={SEED}`: `jcgraph simulator` plus routes that reset its
  request log and set `Faults.latency`), and per crawl a fresh child process `python -m
  bench.crawl --upstream=<it> --plan=<plan> --latency=<s>` of the version measured: the
  gateway alone (`bench.harness.http_gateway`: `create_app` reading the simulator over
  HTTP, each version's default upstream concurrency), the query of `bench.access_plans`
  (`users(first: 100, after:)` → `applications(first: 100) {{ edges {{ kind node {{
  jumpcloudId }} paths {{ via {{ jumpcloudId }} }} }} }}`) paged to the end on an empty
  cache. Calls from the simulator's request log. *Cheapest side*, from the org's shape:
  min(per-user traversals = users + user pages; from applications = application pages + Σ
  over applications of the pages of its users, direct or through groups, + user pages),
  100 a page. RSS is the gateway process's alone, from /proc/self/status: *before* is VmRSS
  once the gateway is built and a `{{ __typename }}` query has run; *peak* is VmHWM after
  the crawl, reset (`clear_refs`) as the crawl starts; *growth* = peak - before. Row 6 is
  the crawl at {CRAWL_LATENCY * 1000:.0f} ms per upstream request, `auto` beside forced
  `index`, for each version.
- **Row 7** (`python -m bench.worker rtt`, one process per version, one unmeasured run
  first): a fresh gateway per round over the shaped org, {RTT * 1000:.0f} ms
  `Faults.latency` per upstream request, `{" ".join(WAVES_QUERY.split())}` once, cold.
  Waves are counted by `bench.harness.RecordingTransport`, which records when each upstream
  request is handed to the transport (after the client's concurrency semaphore): requests
  are sorted by start and a wave is every request starting within {RTT * 500:.0f} ms of the
  wave's first (a request that needs another's answer starts at least one RTT later). The
  floor is waves x RTT: the first wave plus each dependent wave, one RTT each. A wave the
  concurrency cap splits shows as two.
- **after vs before**: the ratio within each round, > 1 when after is better (req/s
  after / before; CPU, wall time and calls before / after).
""")
        + f"\n\n{tables}"
    )


def settings_differences(versions: Versions) -> str:
    if len(versions.codes) < 2:
        return "one version only"
    before, after = (versions.facts[c.name].settings for c in versions.codes)
    found = []
    for name in sorted(set(before) | set(after)):
        if name in ("log_level",) or before.get(name) == after.get(name):
            continue
        found.append(
            f"`{name}` {before.get(name, 'absent')} → {after.get(name, 'absent')}"
            if name in before and name in after
            else f"`{name}` only in {'before' if name in before else 'after'}"
            f" (default {before.get(name, after.get(name))})"
        )
    return ", ".join(found) or "none"


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
    parser.add_argument(
        "--before",
        metavar="REV",
        help="also measure the gateway at this git revision, beside the working tree",
    )
    args = parser.parse_args()
    scale = QUICK if args.quick else FULL
    rounds = args.rounds or (1 if args.quick else 5)
    stop_on_sigterm()
    with codes(args.before) as found:
        versions = Versions(found, {code.name: facts_of(code) for code in found})
        report = run(scale, rounds, versions)
    command = " ".join([".venv/bin/python -m bench.warm_path", *sys.argv[1:]])
    section = describe(command, rounds, scale, report, table(report, scale))
    print(section)
    if not (args.quick or args.no_write):
        write_section(SECTION, section)


if __name__ == "__main__":
    main()
