"""The committed SDL builds with graphql-js on its own and passes the schema lint a frontend runs
(tests/schema-lint: @graphql-eslint's recommended and Relay rules, every exception explained
in its eslint.config.mjs)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.node

LINT_DIR = Path(__file__).resolve().parents[1] / "schema-lint"
NPM_CI = "npm ci --prefix tests/schema-lint"


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    """What `node lint.mjs` says of schema/schema.graphql; fail (never skip) without Node."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH; the schema lint needs Node.js >= 20")
    if not (LINT_DIR / "node_modules" / "@graphql-eslint" / "eslint-plugin").is_dir():
        pytest.fail(f"tests/schema-lint/node_modules is missing: run `{NPM_CI}` first")
    done = subprocess.run(
        [node, "lint.mjs"], cwd=LINT_DIR, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode not in (0, 1):
        pytest.fail(f"lint.mjs exited {done.returncode}:\n{done.stderr}{done.stdout}")
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def test_committed_schema_builds_with_graphql_js_as_it_is(report: dict[str, Any]) -> None:
    assert report["built"], report["buildError"]


def test_committed_schema_has_no_lint_finding(report: dict[str, Any]) -> None:
    findings = [f"line {f['line']}: {f['message']} ({f['rule']})" for f in report["findings"]]
    assert findings == [], "\n".join(findings)
