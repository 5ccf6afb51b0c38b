"""End to end, as a person would: `jcgraph serve --demo` on a socket, GraphiQL in Chromium."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.processes import free_port, healthy, running

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Chromium is missing: `apt-get install chromium` (.ci/run installs it)")
    return found


def test_graphiql_renders_offline_from_the_gateways_own_assets(tmp_path: Path) -> None:
    browser = chromium()
    port = free_port()
    serve = [sys.executable, "-m", "gateway.cli", "serve", "--demo", "--port", str(port)]
    with running(
        "jcgraph",
        serve,
        cwd=REPO_ROOT,
        logs=tmp_path,
        ready=healthy(f"http://127.0.0.1:{port}/healthz"),
    ):
        with tempfile.TemporaryDirectory() as profile:
            dom = subprocess.run(
                [
                    browser,
                    *CHROMIUM_FLAGS,
                    f"--user-data-dir={profile}",
                    "--virtual-time-budget=10000",
                    "--dump-dom",
                    f"http://127.0.0.1:{port}/graphql",
                ],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            ).stdout
        requests = (tmp_path / "jcgraph.log").read_text()
    # React rendered GraphiQL (its container and editor), with the example query in it.
    assert "graphiql-container" in dom, dom[:2000]
    assert "Loading GraphiQL" not in dom
    assert "applications" in dom
    # Every asset came from the gateway itself.
    for asset in ("react.js", "react-dom.js", "graphiql.js", "graphiql.css"):
        assert f'GET /graphiql/{asset} HTTP/1.1" 200' in requests, requests
