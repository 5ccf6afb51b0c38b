"""`jcgraph doctor` against the simulator: each misconfiguration is named with its fix and
exits 1; a correct setup exits 0; the API key never appears in the report."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from gateway import doctor
from gateway.doctor_findings import Finding, Level, blocking
from gateway.simulator.app import create_simulator_app
from gateway.simulator.faults import Faults
from gateway.simulator.generate import generate_org
from gateway.simulator.model import Org, OrgSizes
from gateway.simulator.store import Store
from tests.harness import API_KEY
from tests.processes import free_port, running

REPO = Path(__file__).resolve().parents[2]
BASE = "http://jumpcloud.test"
ABSENT_ORG = "0123456789abcdef01234567"


def small(seed: int) -> Org:
    return generate_org(OrgSizes(users=5, groups=2, applications=2), seed=seed)


def transport(store: Store, faults: Faults | None = None) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=create_simulator_app(store, faults=faults))


def env(**overrides: str) -> dict[str, str]:
    return {"JUMPCLOUD_API_KEY": API_KEY, "JUMPCLOUD_BASE_URL": BASE, **overrides}


async def report(
    variables: dict[str, str], store: Store | None = None, faults: Faults | None = None
) -> tuple[int, str]:
    out = io.StringIO()
    store = store or Store.single(small(1), API_KEY)
    code = await doctor.doctor(variables, out, transport=transport(store, faults))
    text = out.getvalue()
    assert API_KEY not in text
    return code, text


def failed(text: str) -> list[str]:
    """The checks reported as failed, by name."""
    return [line[6:19].strip() for line in text.splitlines() if line.startswith("FAIL")]


async def test_a_correct_setup_passes_every_check() -> None:
    code, text = await report(env(JCGRAPH_GRAPHIQL="false"))
    assert code == 0
    assert failed(text) == []
    assert "JumpCloud accepted JUMPCLOUD_API_KEY" in text
    assert text.endswith("every check passed\n")


async def test_a_rejected_key_is_named_with_what_to_check() -> None:
    code, text = await report(env(JUMPCLOUD_API_KEY="jca_not_this_one"))
    assert code == 1
    assert failed(text) == ["api key"]
    assert "JumpCloud rejected JUMPCLOUD_API_KEY" in text
    assert "fix: check JUMPCLOUD_API_KEY" in text
    assert "jca_not_this_one" not in text


async def test_a_key_not_shaped_like_a_jumpcloud_key_gets_that_hint() -> None:
    code, text = await report(env(JUMPCLOUD_API_KEY="not-a-jumpcloud-key"))
    assert code == 1
    assert "JumpCloud keys begin with 'jca_' and this one does not" in text
    assert "not-a-jumpcloud-key" not in text


async def test_a_missing_key_is_a_settings_failure_naming_the_variable() -> None:
    code, text = await report({"JUMPCLOUD_BASE_URL": BASE})
    assert code == 1
    assert failed(text) == ["settings"]
    assert "JUMPCLOUD_API_KEY is not set" in text


async def test_a_base_url_ending_in_api_answers_404_and_the_fix_drops_the_suffix() -> None:
    code, text = await report(env(JUMPCLOUD_BASE_URL=f"{BASE}/api"))
    assert code == 1
    assert failed(text) == ["base url"]
    assert "answered 404 at JUMPCLOUD_BASE_URL=http://jumpcloud.test/api" in text
    assert f"fix: set JUMPCLOUD_BASE_URL={BASE} (without /api)" in text


async def test_a_base_url_that_is_not_a_url_is_refused() -> None:
    code, text = await report(env(JUMPCLOUD_BASE_URL="notaurl"))
    assert code == 1
    assert failed(text) == ["settings"]
    assert "JUMPCLOUD_BASE_URL must be an http:// or https:// URL" in text


async def test_the_directory_insights_host_is_named_as_the_wrong_api() -> None:
    code, text = await report(env(JUMPCLOUD_BASE_URL="https://api.eu.jumpcloud.com"))
    assert code == 1
    assert failed(text) == ["base url"]
    assert "the Directory Insights API" in text
    assert "https://console.eu.jumpcloud.com" in text


async def test_a_multi_tenant_key_without_an_org_id_asks_for_jumpcloud_org_id() -> None:
    store = Store.multi([small(1), small(2)], API_KEY)
    code, text = await report(env(), store)
    assert code == 1
    assert failed(text) == ["organization"]
    assert "JUMPCLOUD_ORG_ID is not set" in text
    assert "fix: set JUMPCLOUD_ORG_ID" in text


async def test_a_multi_tenant_key_with_its_org_id_passes() -> None:
    first, second = small(1), small(2)
    store = Store.multi([first, second], API_KEY)
    code, text = await report(env(JUMPCLOUD_ORG_ID=second.id, JCGRAPH_GRAPHIQL="false"), store)
    assert code == 0, text
    assert f"JUMPCLOUD_ORG_ID={second.id}: JumpCloud picked the organisation" in text


async def test_an_org_id_the_key_does_not_manage_is_named_not_the_base_url() -> None:
    store = Store.multi([small(1), small(2)], API_KEY)
    code, text = await report(env(JUMPCLOUD_ORG_ID=ABSENT_ORG), store)
    assert code == 1
    assert failed(text) == ["organization"]
    assert f"JumpCloud knows no organisation JUMPCLOUD_ORG_ID={ABSENT_ORG}" in text
    assert "ok    base url" in text


async def test_a_malformed_org_id_is_refused_naming_jumpcloud_org_id() -> None:
    code, text = await report(env(JUMPCLOUD_ORG_ID="acme-corp"))
    assert code == 1
    assert failed(text) == ["settings"]
    assert "JUMPCLOUD_ORG_ID must be an organisation id, 24 hexadecimal characters" in text


async def test_jumpcloud_failing_is_reported_as_unreachable_not_as_a_bad_key() -> None:
    faults = Faults()
    faults.burst(10, status=503)
    code, text = await report(env(), faults=faults)
    assert code == 1
    assert failed(text) == ["jumpcloud"]
    assert "JumpCloud at http://jumpcloud.test did not answer" in text
    assert "api key" not in text


async def test_a_region_console_host_is_recognised() -> None:
    console = env(JUMPCLOUD_BASE_URL="https://console.in.jumpcloud.com", JCGRAPH_GRAPHIQL="false")
    code, text = await report(console)  # the simulator stands in for the host
    assert code == 0
    assert "console.in.jumpcloud.com: the IN region's console" in text


async def test_a_rejected_key_on_a_region_console_suggests_the_other_regions() -> None:
    code, text = await report(
        env(JUMPCLOUD_BASE_URL="https://console.jumpcloud.com", JUMPCLOUD_API_KEY="jca_other")
    )
    assert code == 1
    assert "https://console.eu.jumpcloud.com, https://console.in.jumpcloud.com" in text


async def test_an_unreachable_redis_fails_the_cache_check() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    code, text = await report(env(JCGRAPH_CACHE_URL=url))
    assert code == 1
    assert failed(text) == ["cache"]
    assert f"Redis at {url} does not answer" in text


async def test_missing_graphiql_assets_only_warn(tmp_path: Path) -> None:
    code, text = await report(env(JCGRAPH_GRAPHIQL_ASSETS=str(tmp_path)))
    assert code == 0
    assert f"warn  graphiql      GraphiQL assets missing under {tmp_path}" in text
    assert "set JCGRAPH_GRAPHIQL=false" in text


@pytest.mark.parametrize(
    ("findings", "refused"),
    [
        ([Finding("api key", Level.FAIL, "")], True),
        ([Finding("base url", Level.FAIL, "")], True),
        ([Finding("organization", Level.FAIL, "")], True),
        ([Finding("jumpcloud", Level.FAIL, "")], False),
        ([Finding("cache", Level.FAIL, "")], False),
        ([Finding("graphiql", Level.WARN, "")], False),
    ],
)
def test_only_answers_that_the_configuration_is_wrong_refuse_a_start(
    findings: list[Finding], refused: bool
) -> None:
    assert bool(blocking(findings)) is refused


def test_jcgraph_doctor_runs_against_a_simulator_on_a_socket(tmp_path: Path) -> None:
    port = free_port()
    simulator = [
        sys.executable, "-m", "gateway.cli", "simulator", "--port", str(port),
        "--api-key", API_KEY, "--users", "5",
    ]  # fmt: skip
    listening = f"listening on http://127.0.0.1:{port}"
    with running(
        "simulator",
        simulator,
        cwd=REPO,
        logs=tmp_path,
        ready=lambda log: listening in log.read_text(),
    ):
        base = {"PATH": "/usr/bin:/bin", "JUMPCLOUD_BASE_URL": f"http://127.0.0.1:{port}"}
        good = subprocess.run(
            [sys.executable, "-m", "gateway.cli", "doctor"],
            env={**base, "JUMPCLOUD_API_KEY": API_KEY, "JCGRAPH_GRAPHIQL": "false"},
            cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        bad = subprocess.run(
            [sys.executable, "-m", "gateway.cli", "doctor"],
            env={**base, "JUMPCLOUD_API_KEY": "jca_wrong_key_41"},
            cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert good.returncode == 0, good.stdout + good.stderr
    assert "every check passed" in good.stdout
    assert API_KEY not in good.stdout + good.stderr
    assert bad.returncode == 1
    assert "JumpCloud rejected JUMPCLOUD_API_KEY" in bad.stdout
    assert "jca_wrong_key_41" not in bad.stdout + bad.stderr
