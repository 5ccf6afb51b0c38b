"""``jcgraph simulator`` serves on a real socket; port 0 picks one and prints it."""

from __future__ import annotations

import re
import selectors
import subprocess
import sys
import time
from collections import Counter

import httpx
import pytest

from gateway.cli import build_parser
from gateway.simulator.cli import build_orgs, print_summary
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


def test_device_flags_size_the_fleet_and_its_bindings() -> None:
    args = build_parser().parse_args(
        [
            "simulator",
            "--users",
            "30",
            "--systems",
            "25",
            "--system-groups",
            "4",
            "--direct-system-bindings",
            "7",
            "--user-system-group-bindings",
            "3",
            "--group-system-bindings",
            "2",
            "--group-system-group-bindings",
            "5",
            "--radius-system-group-bindings",
            "2",
            "--sudo-share",
            "1",
        ]
    )
    (org,) = build_orgs(args)
    assert (len(org.systems), len(org.system_groups)) == (25, 4)
    kinds = Counter((b[0], b[2]) for b in org.bindings)
    assert kinds[("user", "system")] == 7
    assert kinds[("user", "system_group")] == 3
    assert kinds[("user_group", "system")] == 2
    assert kinds[("user_group", "system_group")] == 5
    assert kinds[("radius_server", "system_group")] == 2
    assert all(a["sudo"]["enabled"] for a in org.binding_attributes.values())
    assert len(org.binding_attributes) == 7 + 3 + 2 + 5


def test_the_summary_names_the_systems(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(["simulator", "--systems", "3", "--port", "0"])
    (org,) = build_orgs(args)
    print_summary([org])
    out = capsys.readouterr().out
    assert f"org: {org.id} {org.name} (200 users, 3 systems in 6 system groups)" in out
