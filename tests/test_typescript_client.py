"""The TypeScript client example type-checks against the committed schema and operations:
`npm ci`, graphql-codegen, then `tsc --noEmit`, as its README says."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.node

CLIENT = Path(__file__).resolve().parent.parent / "clients" / "typescript"


def npm(*args: str) -> None:
    found = shutil.which("npm")
    if found is None:
        pytest.fail("npm is missing: `apt-get install nodejs npm` (.ci/run installs them)")
    done = subprocess.run(
        [found, *args], cwd=CLIENT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"npm {' '.join(args)}:\n{done.stdout}\n{done.stderr}"


def test_the_typescript_client_type_checks_against_the_schema() -> None:
    npm("ci", "--no-audit", "--no-fund")
    npm("run", "codegen")
    generated = (CLIENT / "src" / "gql" / "graphql.ts").read_text()
    # One typed document per example operation.
    for operation in (CLIENT.parent.parent / "schema" / "operations").glob("*.graphql"):
        assert f"export const {operation.stem}Document" in generated, operation.name
    npm("run", "typecheck")
