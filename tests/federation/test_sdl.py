"""The committed SDL (schema/schema.graphql) is what `jcgraph schema` prints and `_service` serves."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.cli import main
from gateway.simulator.store import OrgSizes, generate_org
from tests.harness import gateway

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO_ROOT / "schema" / "schema.graphql"


def test_committed_schema_is_current(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    assert main(["schema", "--check"]) == 0, "regenerate: jcgraph schema > schema/schema.graphql"


async def test_service_sdl_is_the_committed_schema() -> None:
    async with gateway(generate_org(OrgSizes(users=3), seed=1)) as gw:
        data = await gw.query("{ _service { sdl } }")
    served: str = data["_service"]["sdl"]
    assert served.rstrip("\n") == SCHEMA_FILE.read_text().rstrip("\n")
