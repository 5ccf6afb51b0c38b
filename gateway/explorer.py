"""The access-graph explorer at GET /explore: its page, and Cytoscape.js served by the gateway.

The page (gateway/explorer.html, package data) draws who reaches what over the public GraphQL
API only, with the documents in gateway/explorer_operations/ (package data, one file per
operation, each sent exactly as its file holds it) and Cytoscape.js served by the gateway
itself (no CDN).
"""

from __future__ import annotations

import functools
import html
import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from gateway.graphiql import DEFAULT_ROOT, asset_routes, missing_assets, remedy

# Served name (under /explore/) -> file inside `node_modules`, pinned in
# gateway/static/package.json; setup.py's build step copies these into gateway/static/dist
# along with gateway/graphiql.py's ASSETS.
ASSETS = {
    "cytoscape.js": "cytoscape/dist/cytoscape.min.js",
}

OPERATIONS = Path(__file__).with_name("explorer_operations")
"""The page's GraphQL documents, `<operation name>.graphql` each."""


def documents() -> dict[str, str]:
    """The explorer's documents by operation name, each exactly as its file holds it (what
    a trusted-documents manifest must hold for the page to work: `jcgraph manifest`)."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(OPERATIONS.glob("*.graphql"))}


@functools.cache
def _page() -> str:
    """The page, its script given the documents as a JSON object (at `__DOCUMENTS__`)."""
    page = Path(__file__).with_name("explorer.html").read_text(encoding="utf-8")
    return page.replace("__DOCUMENTS__", json.dumps(documents()).replace("</", "<\\/"))


MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>jcgraph · explorer</title></head>
<body style="font-family: sans-serif; max-width: 46em; margin: 3em auto">
<h1>The explorer's assets are not installed</h1>
<p>The access-graph explorer draws with Cytoscape.js, which the gateway serves itself rather
than from a CDN, and did not find {missing} in <code>{root}</code>.</p>
{remedy}
<p>Meanwhile the API answers POSTs at <code>/graphql</code>.</p>
</body></html>
"""


def explorer_html(root: Path = DEFAULT_ROOT) -> str:
    missing = missing_assets(root, ASSETS)
    if not missing:
        return _page()
    files = ", ".join(f"<code>{html.escape(rel)}</code>" for rel in missing)
    return MISSING.format(missing=files, root=html.escape(str(root)), remedy=remedy(root))


def explorer_routes(root: Path = DEFAULT_ROOT) -> list[Route]:
    """GET /explore (the page, or what is missing for it) and GET /explore/{asset}."""

    async def page(request: Request) -> Response:
        return HTMLResponse(explorer_html(root), headers={"cache-control": "no-cache"})

    return [Route("/explore", page), *asset_routes(root, ASSETS, "/explore")]
