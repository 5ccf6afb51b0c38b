"""Benchmark (not a test): the access-review export of a 10,000-user org over HTTP.

A real `jcgraph simulator --users=10000 --groups=500 --applications=200 --seed=2026` and a
real `jcgraph serve` reading it; a cold `GET /export/access.csv` (no compression asked),
read as it streams, then the same export again (warm): rows, time to the first byte and to
the first row, total time, the server's peak RSS (VmHWM of /proc/<pid>/status, reset with
`clear_refs` just before each export, beside VmRSS then) and its upstream calls (its
/metrics, before and after). The row count is checked against paths counted here from the
same seeded org's records and edge sets (`generate_org` in this process, no gateway code),
per target type.

    python -m bench.export [--no-write]

Writes its section of bench/RESULTS.md (`bench.results.write_section`) unless --no-write.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.results import machine, write_section
from bench.stack import jcgraph_serve, simulator, status_mb, stop_on_sigterm
from gateway.simulator.store import Org, OrgSizes, generate_org

SIZES = OrgSizes(users=10_000, groups=500, applications=200)
SEED = 2026
SECTION = "## Access-review export (bench/export.py)"
TYPES = ("application", "ldap_server", "radius_server", "system")


def expected_paths(org: Org) -> Counter[str]:
    """Access paths per target type, from the store's records and edge sets: direct
    bindings and bindings of the user's groups to applications and servers; for systems,
    the distinct routes through a user group and/or a system group holding the system."""
    groups: dict[str, set[str]] = {}
    for user_id, group_id in org.memberships:
        groups.setdefault(user_id, set()).add(group_id)
    holding: dict[str, set[str]] = {}
    for system_id, system_group_id in org.system_memberships:
        holding.setdefault(system_group_id, set()).add(system_id)
    by_source: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for source, source_id, target_type, target_id in org.bindings:
        by_source.setdefault((source, source_id), []).append((target_type, target_id))
    counts: Counter[str] = Counter()
    for user_id in org.users:
        routes: set[tuple[str, str, tuple[str, ...]]] = set()
        sources = [(("user", user_id), ())] + [
            (("user_group", g), (g,)) for g in groups.get(user_id, ())
        ]
        for source, via in sources:
            for target_type, target_id in by_source.get(source, ()):
                if target_type in ("application", "ldap_server", "radius_server", "system"):
                    routes.add((target_type, target_id, via))
                elif target_type == "system_group":
                    for system_id in holding.get(target_id, ()):
                        routes.add(("system", system_id, (*via, target_id)))
        counts.update(t for t, _, _ in routes)
    return counts


def metrics(url: str) -> tuple[int, int]:
    """(upstream requests, cache evictions) so far, from the gateway's /metrics."""
    calls = evictions = 0.0
    for line in httpx.get(f"{url}/metrics", timeout=10).text.splitlines():
        value = line.rsplit(" ", 1)[-1]
        if line.startswith("jcgraph_upstream_requests_total{"):  # label values hold braces
            calls += float(value)
        elif line.startswith("jcgraph_cache_evictions_total"):
            evictions += float(value)
    return int(calls), int(evictions)


@dataclass
class Run:
    rows: Counter[str]
    first_byte: float
    first_row: float
    total: float
    rss_before: float
    peak: float
    calls: int
    evictions: int
    bytes: int


def settle(url: str, pid: int) -> tuple[int, int, float]:
    """Before an export: (upstream calls, cache evictions, RSS in MB) so far, with the
    server's peak RSS reset to its RSS now."""
    httpx.get(f"{url}/healthz", timeout=10)
    calls, evictions = metrics(url)
    rss = status_mb(pid, "VmRSS")
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS now
    return calls, evictions, rss


def export_once(url: str, pid: int) -> Run:
    calls_before, evictions_before, rss_before = settle(url, pid)
    rows: Counter[str] = Counter()
    first_byte = first_row = 0.0
    size = 0
    started = time.perf_counter()
    headers = {"accept-encoding": "identity"}
    with httpx.stream("GET", f"{url}/export/access.csv", headers=headers, timeout=None) as r:
        r.raise_for_status()
        pending = b""
        header: list[str] | None = None
        for chunk in r.iter_bytes():
            if not first_byte:
                first_byte = time.perf_counter() - started
            size += len(chunk)
            pending += chunk
            complete, _, pending = pending.rpartition(b"\r\n")
            if not complete:
                continue
            for row in csv.reader(complete.decode().split("\r\n")):
                if header is None:
                    header = row
                    continue
                if not first_row:
                    first_row = time.perf_counter() - started
                rows[row[header.index("target_type")]] += 1
        assert not pending, "the export did not end with a whole line"
    total = time.perf_counter() - started
    peak = status_mb(pid, "VmHWM")
    calls, evictions = metrics(url)
    return Run(
        rows,
        first_byte,
        first_row,
        total,
        rss_before,
        peak,
        calls - calls_before,
        evictions - evictions_before,
        size,
    )


@dataclass
class FindingsRun:
    kinds: Counter[str]
    first_byte: float
    total: float
    rss_before: float
    peak: float
    calls: int


def findings_once(url: str, pid: int) -> FindingsRun:
    """`GET /export/findings.jsonl` after the access exports (the org's reads in the cache):
    its rows by kind, timings, peak RSS and upstream calls."""
    calls_before, _, rss_before = settle(url, pid)
    kinds: Counter[str] = Counter()
    first_byte = 0.0
    started = time.perf_counter()
    headers = {"accept-encoding": "identity"}
    with httpx.stream("GET", f"{url}/export/findings.jsonl", headers=headers, timeout=None) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            if not first_byte:
                first_byte = time.perf_counter() - started
            if line:
                kinds[json.loads(line)["kind"]] += 1
    total = time.perf_counter() - started
    calls, _ = metrics(url)
    return FindingsRun(
        kinds, first_byte, total, rss_before, status_mb(pid, "VmHWM"), calls - calls_before
    )


def findings_report(run: FindingsRun) -> str:
    kinds = ", ".join(f"{k} {n:,}" for k, n in sorted(run.kinds.items()))
    return f"""
Then `GET /export/findings.jsonl` on the same server (the org's reads already cached):

| measure | findings export |
| --- | --- |
| rows (findings) | {sum(run.kinds.values()):,} |
| time to first row | {run.first_byte:.2f} s |
| total time | {run.total:.2f} s |
| server RSS before | {run.rss_before:.0f} MB |
| server peak RSS (VmHWM) | {run.peak:.0f} MB |
| peak minus before | +{run.peak - run.rss_before:.0f} MB |
| upstream calls | {run.calls:,} |

- By kind: {kinds}.
- Findings are computed for the whole organisation before the first row (some kinds, such
  as REDUNDANT_PATH and EMPTY_GROUP_WITH_BINDINGS, need every path), so unlike the access
  export its memory grows with the organisation's findings, not with a page of users; the
  rows then stream.
"""


def report(cold: Run, warm: Run, want: Counter[str]) -> str:
    runs = (cold, warm)

    def row(name: str, cell: Callable[[Run], str]) -> str:
        return f"| {name} | {' | '.join(cell(r) for r in runs)} |"

    def verdict(run: Run) -> str:
        return "equal" if run.rows == want else f"DIFFERENT: {dict(run.rows)}"

    lines = [
        "| measure | cold (first export) | warm (second, within the TTL) |",
        "| --- | --- | --- |",
        row("rows (access paths)", lambda r: f"{sum(r.rows.values()):,}"),
        row(f"checked against the store ({sum(want.values()):,} paths)", verdict),
        row("bytes", lambda r: f"{r.bytes / 1e6:.1f} MB"),
        row("time to first byte (the CSV header)", lambda r: f"{r.first_byte * 1000:.0f} ms"),
        row("time to first row", lambda r: f"{r.first_row:.2f} s"),
        row("total time", lambda r: f"{r.total:.2f} s"),
        row("rows a second", lambda r: f"{sum(r.rows.values()) / r.total:,.0f}"),
        row("server RSS before", lambda r: f"{r.rss_before:.0f} MB"),
        row("server peak RSS (VmHWM)", lambda r: f"{r.peak:.0f} MB"),
        row("peak minus before", lambda r: f"+{r.peak - r.rss_before:.0f} MB"),
        row("upstream calls", lambda r: f"{r.calls:,}"),
        row("cache evictions (LRU bound)", lambda r: f"{r.evictions:,}"),
    ]
    by_type = ", ".join(f"{t} {want[t]:,}" for t in TYPES)
    table = "\n".join(lines)
    return f"""\
{machine()}. `python -m bench.export`, one run: two exports one after the other from a fresh
`jcgraph serve`.

{table}

- Org: `jcgraph simulator --users=10000 --groups=500 --applications=200 --seed=2026` on a
  socket; paths by target type: {by_type}. Gateway: `jcgraph serve`, memory cache,
  20 upstream requests in flight, `JCGRAPH_UPSTREAM_RATE=0` (no request budget: this measures
  the export, not a budget; with one, the cold export takes at least calls / rate seconds).
  `GET /export/access.csv` with `Accept-Encoding: identity`, read with httpx as it streams.
- Time to first byte is the CSV header, sent before any read; the cold export's first row
  waits for the first page of users and the access indexes the planner builds for the whole
  list (every application's, server's and system's users), the rest follows page by page.
- Peak RSS: VmHWM of the server process, reset (`/proc/<pid>/clear_refs` = 5) just before
  each export (after a `/healthz`). The cold export's growth is the shared cache it fills
  (every user record, each user's access per relation, the indexes, kept for the TTL); the
  warm export's is the export's own: rows a page of users at a time.
- Upstream calls of the warm export: what the cache no longer held. A 10,000-user export
  writes more entries than `JCGRAPH_CACHE_MAX_ENTRIES` (50,000 by default: 10,000 user
  records, 4 x 10,000 per-user access entries, pages, collections, indexes), so the least
  recently used (the pages of users, first) are evicted and read again; the indexes stay.
- Checked: rows per target type equal the paths counted in the bench from
  `generate_org(SIZES, seed=2026)`'s records and edge sets (`expected_paths`).
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print, do not write RESULTS.md")
    args = parser.parse_args()
    stop_on_sigterm()
    want = expected_paths(generate_org(SIZES, seed=SEED))
    with (
        simulator(SIZES, SEED) as (upstream, key),
        jcgraph_serve(upstream.url, key, JCGRAPH_UPSTREAM_RATE="0") as server,
    ):
        cold = export_once(server.url, server.pid)
        warm = export_once(server.url, server.pid)
        findings = findings_once(server.url, server.pid)
    text = report(cold, warm, want) + "\n" + findings_report(findings)
    print(text)
    if not args.no_write:
        write_section(SECTION, text)
    if cold.rows != want or warm.rows != want:
        raise SystemExit("the export's rows differ from the store's paths")


if __name__ == "__main__":
    main()
