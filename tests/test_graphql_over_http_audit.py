"""`jcgraph serve --demo` against the GraphQL-over-HTTP spec's own audit suite (graphql-http's
`auditServer`, pinned in tests/http-audit): every audit passes, the spec's SHOULDs and MAYs
as well as its MUSTs."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.processes import REPO_ROOT, demo_server

pytestmark = pytest.mark.node

AUDIT = REPO_ROOT / "tests" / "http-audit"
NPM_CI = "npm ci --prefix tests/http-audit"
# The audits of application/graphql-response+json, the ones application/json alone fails.
GRAPHQL_RESPONSE_AUDITS = {"22EB", "865D", "556A", "D586", "51FE", "74FF", "5E5B", "86EE"}


def test_every_graphql_over_http_audit_passes(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH; the GraphQL-over-HTTP audit needs Node.js >= 20")
    if not (AUDIT / "node_modules" / "graphql-http").is_dir():
        pytest.fail(f"tests/http-audit/node_modules is missing: run `{NPM_CI}` first")
    with demo_server(tmp_path) as base:
        done = subprocess.run(
            [node, str(AUDIT / "audit.mjs"), f"{base}/graphql"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert {r["id"] for r in results} >= GRAPHQL_RESPONSE_AUDITS
    failed = [r for r in results if r["status"] != "ok"]
    assert not failed, json.dumps(failed, indent=2)
