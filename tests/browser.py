"""Headless Chromium for the end-to-end tests: a page's DOM or a screenshot in one run
(tests/cdp.py drives it interactively)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile

import pytest

HEADLESS_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Every headless run here: no sandbox (containers), no GPU, nothing phoning home."""

CHROMIUM_FLAGS = [*HEADLESS_FLAGS, "--window-size=1400,900", "--virtual-time-budget=10000"]
"""`browse`'s one-shot runs: a fixed window, and virtual time so the page's scripts settle
before Chromium dumps the DOM or takes the screenshot."""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Chromium is missing: `apt-get install chromium` (.ci/run installs it)")
    return found


def browse(url: str, *args: str) -> str:
    """Run headless Chromium on `url` with `args` in a throwaway profile; its stdout."""
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, url],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        ).stdout
