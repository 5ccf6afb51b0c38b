"""End to end, as a person would: `jcgraph serve --demo` on a socket, GraphiQL in Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.graphiql import ASSETS
from tests.browser import browse
from tests.processes import demo_server

pytestmark = [pytest.mark.browser, pytest.mark.node]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`jcgraph serve --demo` from this checkout: its GraphiQL URL and its log."""
    logs = tmp_path_factory.mktemp("serve")
    with demo_server(logs) as base:
        yield f"{base}/graphql", logs / "jcgraph.log"


def test_graphiql_renders_offline_from_the_gateways_own_assets(demo: tuple[str, Path]) -> None:
    url, log = demo
    dom = browse(url, "--dump-dom")
    # React rendered GraphiQL (its container and editor), with the example query in it.
    assert "graphiql-container" in dom, dom[:2000]
    assert "graphiql-editor" in dom
    assert "Loading GraphiQL" not in dom
    assert "applications" in dom
    # Every asset came from the gateway itself.
    requests = log.read_text()
    for asset in ASSETS:
        assert f'GET /graphiql/{asset} HTTP/1.1" 200' in requests, requests


def test_the_explorer_plugin_is_open_beside_the_editor(
    demo: tuple[str, Path], tmp_path: Path
) -> None:
    url, _ = demo
    screenshot = tmp_path / "graphiql.png"
    browse(url, f"--screenshot={screenshot}")
    dom = browse(url, "--dump-dom")
    # The explorer's pane, filled from the schema: the example query's fields are ticked in it.
    assert "graphiql-explorer-root" in dom, dom[:2000]
    assert "graphiql-explorer-applications" in dom
    assert "No Schema Available" not in dom
    assert "graphiql-query-editor" in dom
    # The screenshot (left in pytest's temporary folder for a person to look at) was taken.
    assert screenshot.read_bytes().startswith(b"\x89PNG"), screenshot
    print(f"GraphiQL with the explorer: {screenshot}")
