"""Benchmark (not a test): memory under minutes of distinct user filters, bounded or not.

A real `jcgraph simulator` (2,000 users) and a real `jcgraph serve` reading it; for
`--seconds` (60), 16 clients list users whose email starts with a random three letters
(17,576 distinct filters, each a page entry, some with user records), so an unbounded cache
keeps growing with every new filter. The
server's RSS (VmRSS from /proc) is sampled every 5 s, beside the cache's own entries and
bytes (`jcgraph_cache_memory`) and evictions. With `--before REV`, the same load runs first
against the code at REV (a temporary git worktree, its `gateway` first on PYTHONPATH), then
against this checkout: before and after in one run.

    .venv/bin/python -m bench.cache_bound [--before d7c2d81] [--seconds 60] [--no-write]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import shutil
import string
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.results import machine, write_section
from bench.stack import ROOT, jcgraph_serve, simulator, stop_on_sigterm
from gateway.simulator.store import OrgSizes

SECTION = "## Memory: minutes of distinct user filters"
SIZES = OrgSizes(users=2_000, groups=100, applications=40)
QUERY = (
    "query($p: String!) { users(first: 20, filter: {emailStartsWith: $p}) "
    "{ totalCount edges { node { email displayName } } } }"
)
BOUND = {
    "JCGRAPH_CACHE_MAX_ENTRIES": "2000",
    "JCGRAPH_CACHE_MAX_BYTES": str(8 * 1024 * 1024),
    "JCGRAPH_RESPONSE_CACHE_MAX_BYTES": str(2 * 1024 * 1024),
}


@dataclass
class Sample:
    second: float
    rss_mb: float
    requests: int
    cache: str


def rss_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"VmRSS:\s+(\d+) kB", text)
    return int(found.group(1)) / 1024 if found else float("nan")


def cache_figures(metrics: str) -> str:
    entries = re.search(r'^jcgraph_cache_memory\{unit="entries"\} (\S+)', metrics, re.M)
    size = re.search(r'^jcgraph_cache_memory\{unit="bytes"\} (\S+)', metrics, re.M)
    evicted = re.search(r"^jcgraph_cache_evictions_total (\S+)", metrics, re.M)
    if not entries:
        return "not reported"
    return (
        f"{float(entries.group(1)):,.0f} entries, "
        f"{float(size.group(1)) / 2**20 if size else 0:.1f} MiB, "
        f"{float(evicted.group(1)) if evicted else 0:,.0f} evicted"
    )


async def load(url: str, pid: int, seconds: float) -> list[Sample]:
    rng = random.Random(7)
    done = 0
    samples: list[Sample] = []
    started = time.monotonic()

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal done
        while time.monotonic() - started < seconds:
            prefix = "".join(rng.choices(string.ascii_lowercase, k=3))
            variables = {"p": prefix}
            response = await http.post("/graphql", json={"query": QUERY, "variables": variables})
            response.raise_for_status()
            done += 1

    async def sampler(http: httpx.AsyncClient) -> None:
        while (elapsed := time.monotonic() - started) < seconds + 1:
            metrics = (await http.get("/metrics")).text
            samples.append(Sample(elapsed, rss_mb(pid), done, cache_figures(metrics)))
            await asyncio.sleep(5)

    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        await asyncio.gather(sampler(http), *(client(http) for _ in range(16)))
    return samples


@contextlib.contextmanager
def checkout(rev: str) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="bench-before-"))
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(path), rev],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    try:
        yield path
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, capture_output=True
        )
        shutil.rmtree(path, ignore_errors=True)


def run(seconds: float, upstream: str, key: str, pythonpath: str | None) -> list[Sample]:
    env = dict(BOUND)
    saved = os.environ.get("PYTHONPATH")
    if pythonpath is not None:
        os.environ["PYTHONPATH"] = pythonpath
    try:
        with jcgraph_serve(upstream, key, None, **env) as server:
            return asyncio.run(load(server.url, server.pid, seconds))
    finally:
        if pythonpath is not None:
            if saved is None:
                os.environ.pop("PYTHONPATH", None)
            else:
                os.environ["PYTHONPATH"] = saved


def table(label: str, samples: list[Sample]) -> str:
    rows = [
        f"| {label} | {s.second:.0f} | {s.requests:,} | {s.rss_mb:.0f} | {s.cache} |"
        for s in samples
    ]
    return "\n".join(rows)


def main() -> None:
    stop_on_sigterm()
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", help="a git revision to measure first, for comparison")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    runs: list[tuple[str, list[Sample]]] = []
    with simulator(SIZES, seed=2026) as (upstream, key):
        if args.before:
            with checkout(args.before) as tree:
                runs.append(
                    (f"before ({args.before})", run(args.seconds, upstream.url, key, str(tree)))
                )
        runs.append(("after", run(args.seconds, upstream.url, key, None)))
    body = "\n".join(
        [
            "| code | second | requests so far | server RSS (MB) | cache (memory level) |",
            "| --- | ---: | ---: | ---: | --- |",
            *(table(label, samples) for label, samples in runs),
        ]
    )
    print(body)
    if not args.no_write:
        write_section(
            SECTION,
            f"Command: `.venv/bin/python -m bench.cache_bound"
            f"{' --before ' + args.before if args.before else ''} --seconds {args.seconds:g}`\n\n"
            f"A real `jcgraph simulator` ({SIZES.users:,} users) and a real `jcgraph serve` "
            f"(memory cache, `JCGRAPH_CACHE_MAX_ENTRIES=2000`, `JCGRAPH_CACHE_MAX_BYTES=8 MiB`, "
            f"`JCGRAPH_RESPONSE_CACHE_MAX_BYTES=2 MiB`; the code before the bounds ignores "
            f"them). For {args.seconds:.0f} s, 16 clients send "
            f"`{QUERY}` with a random three-letter prefix each time; every 5 s "
            f"the server's "
            f"VmRSS and its cache metrics are read. Machine: {machine()}.\n\n{body}",
        )


if __name__ == "__main__":
    main()
