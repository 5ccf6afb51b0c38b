"""The Node side of the Apollo proof: composition, and the processes behind the supergraph."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
NPM_CI = "npm ci --prefix tests/federation"

EXPECTED_HINTS = {
    # HR takes `User.department` over from jcgraph with @override, on purpose (HR is the source
    # of truth for departments); composition suggests dropping the now-unused jcgraph field.
    "OVERRIDDEN_FIELD_CAN_BE_REMOVED",
}
"""Hint codes reviewed and accepted; any other hint fails the proof until it is reviewed."""


def require_node() -> str:
    """The `node` executable, with the pinned packages installed; fail (never skip) otherwise."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH; the Apollo federation proof needs Node.js >= 20")
    if not (HERE / "node_modules" / "@apollo" / "gateway").is_dir():
        pytest.fail(f"tests/federation/node_modules is missing: run `{NPM_CI}` first")
    return node


@dataclass(frozen=True)
class Composition:
    errors: list[dict[str, str]]
    hints: list[dict[str, str]]
    supergraph: str | None

    def check(self) -> str:
        """The supergraph SDL; fails on any error and on any hint not in EXPECTED_HINTS."""
        if self.errors:
            pytest.fail("composition failed:\n" + json.dumps(self.errors, indent=2))
        unreviewed = [h for h in self.hints if h["code"] not in EXPECTED_HINTS]
        if unreviewed:
            pytest.fail("composition hints to review:\n" + json.dumps(unreviewed, indent=2))
        assert self.supergraph is not None
        return self.supergraph


def compose(
    jcgraph: str, out: Path, *, jcgraph_url: str | None = None, hr_url: str | None = None
) -> Composition:
    """Run compose.mjs on the jcgraph SDL (a file, or a URL read through `_service`)."""
    args = [require_node(), "compose.mjs", "--jcgraph", jcgraph, "--out", str(out)]
    if jcgraph_url is not None:
        args += ["--jcgraph-url", jcgraph_url]
    if hr_url is not None:
        args += ["--hr-url", hr_url]
    done = subprocess.run(args, cwd=HERE, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode not in (0, 1):
        pytest.fail(f"compose.mjs exited {done.returncode}:\n{done.stderr}{done.stdout}")
    report: dict[str, Any] = json.loads(done.stdout)
    return Composition(
        errors=report["errors"],
        hints=report["hints"],
        supergraph=out.read_text() if done.returncode == 0 else None,
    )


def printed_ready(log: Path) -> bool:
    """The Node servers print `ready <url>` once they listen."""
    return "ready http" in log.read_text(errors="replace")
