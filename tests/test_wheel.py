"""The wheel as a newcomer gets it: built from this checkout, installed alone in a fresh venv,
serving the demo and GraphiQL with everything it needs inside it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.graphiql import (
    ASSETS,
    CHECKOUT_REMEDY,
    SETTING_REMEDY,
    WHEEL_REMEDY,
    graphiql_html,
    remedy,
)
from tests.browser import browse
from tests.processes import REPO_ROOT, free_port, healthy, running

# Building the wheel runs `npm ci --prefix gateway/static` for GraphiQL's assets.
pytestmark = pytest.mark.node


def run(args: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=400, check=False
    )
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Fail, rather than build a wheel without GraphiQL, if npm cannot provide its assets.
    env = {**os.environ, "JCGRAPH_REQUIRE_GRAPHIQL": "1"}
    run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), "."],
        cwd=REPO_ROOT,
        env=env,
    )
    (built,) = out.glob("jcgraph-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the wheel and its dependencies, from the machine's package index."""
    where = tmp_path_factory.mktemp("venv")
    run([sys.executable, "-m", "venv", str(where)], cwd=where)
    run([str(where / "bin" / "pip"), "install", "-q", str(wheel)], cwd=where)
    return where


@pytest.fixture(scope="module")
def served(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`jcgraph serve --demo` from the fresh venv, away from this checkout: its base URL."""
    away = tmp_path_factory.mktemp("away")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = [str(venv / "bin" / "jcgraph"), "serve", "--demo", "--port", str(port)]
    with running("jcgraph", serve, cwd=away, logs=away, ready=healthy(f"{base}/healthz")):
        yield base


def test_the_wheel_carries_graphiqls_assets_and_no_npm_folder(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for rel in ASSETS.values():
        assert f"gateway/static/dist/{rel}" in names, sorted(names)
    assert "gateway/static/dist/graphiql/LICENSE" in names
    assert not [name for name in names if "node_modules" in name]


def test_the_fresh_venv_imports_jcgraph_and_redis_from_itself(venv: Path) -> None:
    found = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import gateway, redis; print(gateway.__file__)"],
        cwd=venv,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert Path(found.strip()).is_relative_to(venv), found


def test_the_installed_demo_serves_graphiql_and_its_assets(served: str) -> None:
    page = httpx.get(f"{served}/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "GraphiQLPluginExplorer.explorerPlugin" in page.text
    for name in ASSETS:
        assert f"/graphiql/{name}" in page.text
        asset = httpx.get(f"{served}/graphiql/{name}")
        assert asset.status_code == 200, name
        assert len(asset.content) > 1000, name
    answer = httpx.post(f"{served}/graphql", json={"query": "{ groups { totalCount } }"})
    assert answer.json()["data"]["groups"]["totalCount"] > 0


def test_the_installed_demo_serves_the_explorer_with_every_document(served: str) -> None:
    page = httpx.get(f"{served}/explore")
    assert page.status_code == 200
    assert "not installed" not in page.text
    for path in sorted((REPO_ROOT / "gateway" / "explorer_operations").glob("*.graphql")):
        assert f"query {path.stem}" in page.text, path.name  # the wheel carries every one
    assert httpx.get(f"{served}/explore/cytoscape.js").status_code == 200


@pytest.mark.browser
def test_the_installed_demo_renders_graphiql_and_the_explorer_offline(
    served: str, tmp_path: Path
) -> None:
    """In Chromium, from the wheel's own files: the editor and the explorer, filled from the
    schema (the screenshot is left in pytest's temporary folder for a person to look at)."""
    screenshot = tmp_path / "wheel-graphiql.png"
    browse(f"{served}/graphql", f"--screenshot={screenshot}")
    dom = browse(f"{served}/graphql", "--dump-dom")
    assert "graphiql-query-editor" in dom, dom[:2000]
    assert "graphiql-explorer-root" in dom
    assert "graphiql-explorer-applications" in dom
    assert "No Schema Available" not in dom
    assert screenshot.read_bytes().startswith(b"\x89PNG"), screenshot


def test_without_assets_each_install_says_how_to_get_them(venv: Path, tmp_path: Path) -> None:
    said = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "from gateway import graphiql; print(graphiql.remedy())",
        ],
        cwd=venv,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert said.strip() == WHEEL_REMEDY.strip()
    assert remedy() == CHECKOUT_REMEDY
    page = graphiql_html(tmp_path)
    assert "GraphiQL's assets are not installed" in page
    assert "<code>graphiql/graphiql.min.js</code>" in page
    assert SETTING_REMEDY in page
