"""``jcgraph simulator`` serves on a real socket; port 0 picks one and prints it."""

from __future__ import annotations

import re
import selectors
import subprocess
import sys
import time

import httpx

from gateway.cli import build_parser
from gateway.simulator.cli import build_orgs
from tests.processes import stop


def _read_until(proc: subprocess.Popen[str], pattern: str, timeout: float) -> re.Match[str]:
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        if not selector.select(timeout=deadline - time.monotonic()):
            break
        line = proc.stdout.readline()
        if not line:
            break
        seen += line
        found = re.search(pattern, seen)
        if found:
            selector.close()
            return found
    selector.close()
    raise AssertionError(f"no {pattern!r} in simulator output: {seen!r}")


def test_simulator_command_serves_the_v1_envelope_on_a_free_port() -> None:
    command = [sys.executable, "-u", "-m", "gateway.cli", "simulator", "--port", "0"]
    with subprocess.Popen(
        [*command, "--api-key", "jca_test"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as proc:
        try:
            port = _read_until(proc, r"http://127\.0\.0\.1:(\d+)", timeout=20).group(1)
            url = f"http://127.0.0.1:{port}/api/systemusers?limit=100&skip=100&sort=_id"
            response = httpx.get(url, headers={"x-api-key": "jca_test"}, timeout=10)
            refused = httpx.get(url, timeout=10)
        finally:
            stop(proc, grace=10)
    assert response.status_code == 200
    body = response.json()
    assert body["totalCount"] == 200
    assert len(body["results"]) == 100
    assert refused.status_code == 401


def test_sizes_and_orgs_flags_build_seeded_orgs() -> None:
    args = build_parser().parse_args(
        ["simulator", "--users", "12", "--groups", "3", "--orgs", "2", "--seed", "4"]
    )
    orgs = build_orgs(args)
    assert [len(o.users) for o in orgs] == [12, 12]
    assert len({o.id for o in orgs}) == 2
    demo = build_orgs(build_parser().parse_args(["simulator"]))
    assert [o.name for o in demo] == ["Northwind Analytics"]
