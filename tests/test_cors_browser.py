"""End to end in Chromium: a page from another origin calls the gateway with `fetch` (CORS,
preflights included) through Apollo's automatic persisted queries."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import browse
from tests.processes import REPO_ROOT, free_port, healthy, running

pytestmark = pytest.mark.browser

QUERY = "query FirstGroups { groups(first: 3) { totalCount edges { node { name } } } }"

# The protocol as a browser client speaks it: the hash alone (a JSON POST, so preflighted),
# the hash and the document, then the hash alone as a GET. Every answer goes into the DOM.
PAGE = """<!doctype html>
<html><body><pre id="result">pending</pre>
<script>
const url = "GATEWAY/graphql";
const query = QUERY;
const show = (value) => { document.getElementById("result").textContent = JSON.stringify(value); };
async function sha256(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
async function post(body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "apollo-require-preflight": "true" },
    body: JSON.stringify(body),
  });
  return { status: response.status, encoding: response.headers.get("content-encoding"),
           body: await response.json() };
}
(async () => {
  const extensions = { persistedQuery: { version: 1, sha256Hash: await sha256(query) } };
  const unknown = await post({ extensions });
  const registered = await post({ query, extensions });
  const get = await fetch(`${url}?extensions=${encodeURIComponent(JSON.stringify(extensions))}`);
  const hit = { status: get.status, body: await get.json() };
  show({ unknown, registered, hit });
})().catch((error) => show({ failed: String(error) }));
</script></body></html>
"""


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """The demo gateway allowing one origin, and a static server for the page: the page's
    port and the gateway's log."""
    logs = tmp_path_factory.mktemp("cors")
    site = tmp_path_factory.mktemp("site")
    gateway_port, page_port = free_port(), free_port()
    page = PAGE.replace("GATEWAY", f"http://127.0.0.1:{gateway_port}")
    (site / "index.html").write_text(page.replace("QUERY", json.dumps(QUERY)))
    serve = [
        "env",
        f"JCGRAPH_CORS_ORIGINS=http://127.0.0.1:{page_port}",
        sys.executable,
        "-m",
        "gateway.cli",
        "serve",
        "--demo",
        "--port",
        str(gateway_port),
    ]
    static = [sys.executable, "-m", "http.server", str(page_port), "--bind", "127.0.0.1"]
    with (
        running(
            "jcgraph",
            serve,
            cwd=REPO_ROOT,
            logs=logs,
            ready=healthy(f"http://127.0.0.1:{gateway_port}/healthz"),
        ),
        running(
            "site", static, cwd=site, logs=logs, ready=healthy(f"http://127.0.0.1:{page_port}/")
        ),
    ):
        yield page_port, logs / "jcgraph.log"


def result(dom: str) -> Any:
    found = re.search(r'<pre id="result">(.*?)</pre>', dom, re.S)
    assert found is not None, dom[:2000]
    text = found.group(1).replace("&quot;", '"').replace("&amp;", "&")
    assert text != "pending", "the page's script did not finish"
    return json.loads(text)


def test_a_page_from_an_allowed_origin_runs_a_persisted_query(servers: tuple[int, Path]) -> None:
    page_port, log = servers
    steps = result(browse(f"http://127.0.0.1:{page_port}/index.html", "--dump-dom"))
    assert "failed" not in steps, steps
    unknown, registered, hit = steps["unknown"], steps["registered"], steps["hit"]
    assert unknown["status"] == 200
    assert unknown["body"]["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert registered["status"] == hit["status"] == 200
    assert "errors" not in registered["body"]
    assert hit["body"] == registered["body"]
    assert len(registered["body"]["data"]["groups"]["edges"]) == 3
    assert '"OPTIONS /graphql HTTP/1.1" 200' in log.read_text()  # the JSON POST's preflight


def test_a_page_from_another_origin_cannot_read_the_answer(servers: tuple[int, Path]) -> None:
    # Same server, another origin: "localhost" is not the allowed "127.0.0.1".
    page_port, log = servers
    steps = result(browse(f"http://localhost:{page_port}/index.html", "--dump-dom"))
    assert steps == {"failed": "TypeError: Failed to fetch"}
    assert '"OPTIONS /graphql HTTP/1.1" 400' in log.read_text()  # the preflight was refused
