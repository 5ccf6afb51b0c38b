"""GraphiQL at GET /graphql, from assets the gateway serves itself (no CDN: works offline)."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

# Served name -> file inside an npm `node_modules` folder, from the packages pinned in
# gateway/static/package.json. The build step (setup.py) runs `npm ci --prefix gateway/static`
# and copies exactly these files, at these relative paths, into gateway/static/dist: the
# package data of the wheel, and of an editable install.
ASSETS = {
    "react.js": "react/umd/react.production.min.js",
    "react-dom.js": "react-dom/umd/react-dom.production.min.js",
    "graphiql.js": "graphiql/graphiql.min.js",
    "graphiql.css": "graphiql/graphiql.min.css",
    "explorer.js": "@graphiql/plugin-explorer/dist/index.umd.js",
    "explorer.css": "@graphiql/plugin-explorer/dist/style.css",
}
PACKAGE = Path(__file__).resolve().parent
DEFAULT_ROOT = PACKAGE / "static" / "dist"
MEDIA = {".js": "text/javascript", ".css": "text/css"}

EXAMPLE = """# Who can reach what, and why?
# Press play, or tick fields in the explorer.
{
  applications(first: 3) {
    edges {
      node {
        name
        users(first: 5) {
          totalCount
          edges { kind node { email } paths { via { name } } }
        }
      }
    }
  }
}
"""

# Shown in the headers editor when the gateway asks for a bearer token (JCGRAPH_AUTH_TOKENS).
AUTH_HEADERS = '{\n  "Authorization": "Bearer <token>"\n}\n'

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>jcgraph · GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.css">
<link rel="stylesheet" href="/graphiql/explorer.css">
<style>body {{ margin: 0; height: 100vh; }} #graphiql {{ height: 100vh; }}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="/graphiql/react.js"></script>
<script src="/graphiql/react-dom.js"></script>
<script src="/graphiql/graphiql.js"></script>
<script src="/graphiql/explorer.js"></script>
<script>
  const fetcher = GraphiQL.createFetcher({{ url: "/graphql" }});
  const explorer = GraphiQLPluginExplorer.explorerPlugin();
  // Without a token the gateway answers 401 when JCGRAPH_AUTH_TOKENS is set: then open the
  // headers editor with the header it wants, for the caller to paste a token into.
  fetch("/graphql", {{
    method: "POST",
    headers: {{ "content-type": "application/json" }},
    body: JSON.stringify({{ query: "{{ __typename }}" }}),
  }})
    .then((response) => response.status === 401, () => false)
    .then((needsToken) => {{
      ReactDOM.createRoot(document.getElementById("graphiql")).render(
        React.createElement(GraphiQL, {{
          fetcher,
          defaultQuery: {query},
          plugins: [explorer],
          visiblePlugin: explorer,
          defaultHeaders: needsToken ? {headers} : undefined,
          defaultEditorToolsVisibility: needsToken ? "headers" : false,
        }})
      );
    }});
</script>
</body>
</html>
"""

MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>jcgraph</title></head>
<body style="font-family: sans-serif; max-width: 46em; margin: 3em auto">
<h1>GraphiQL's assets are not installed</h1>
<p>The gateway serves GraphiQL itself rather than from a CDN, and did not find
{missing} in <code>{root}</code>.</p>
{remedy}
<p>Meanwhile the API answers POSTs:</p>
<pre>curl -s localhost:8000/graphql -H 'content-type: application/json' \\
  -d '{{"query": "{{ users(first: 3) {{ edges {{ node {{ email }} }} }} }}"}}'</pre>
</body></html>
"""

# A source checkout (and its editable install): the build step fetches the assets from npm.
CHECKOUT_REMEDY = """<p>This is a source checkout. Install Node.js and npm (Debian:
<code>apt-get install nodejs npm</code>), then run the install again, whose build step runs
<code>npm ci --prefix gateway/static</code> and copies the files into
<code>gateway/static/dist</code>:</p>
<pre>.venv/bin/pip install -e .</pre>
<p>and restart <code>jcgraph serve</code>.</p>"""

# An installed wheel built where npm was missing.
WHEEL_REMEDY = """<p>This installation's wheel was built without them (npm was missing where
it was built). Install a wheel built with Node.js and npm on the PATH (in a checkout,
<code>JCGRAPH_REQUIRE_GRAPHIQL=1 python -m build</code> fails rather than leave them out), or
point <code>JCGRAPH_GRAPHIQL_ASSETS</code> at a <code>node_modules</code> folder made by
<code>npm ci --prefix gateway/static</code> in a checkout, then restart
<code>jcgraph serve</code>.</p>"""

# JCGRAPH_GRAPHIQL_ASSETS names a folder without them.
SETTING_REMEDY = """<p><code>JCGRAPH_GRAPHIQL_ASSETS</code> names this folder: point it at the
<code>node_modules</code> folder made by <code>npm ci --prefix gateway/static</code> in a
checkout (or unset it to use the assets installed with jcgraph), then restart
<code>jcgraph serve</code>.</p>"""


def is_source_checkout() -> bool:
    """Whether the gateway runs from a checkout (as an editable install does), not a wheel."""
    return (PACKAGE.parent / "pyproject.toml").is_file()


def missing_assets(root: Path = DEFAULT_ROOT, assets: Mapping[str, str] = ASSETS) -> list[str]:
    return [rel for rel in assets.values() if not (root / rel).is_file()]


def assets_present(root: Path = DEFAULT_ROOT) -> bool:
    return not missing_assets(root)


def remedy(root: Path = DEFAULT_ROOT) -> str:
    """How to get the assets into `root`, for where this gateway was installed from."""
    if root != DEFAULT_ROOT:
        return SETTING_REMEDY
    return CHECKOUT_REMEDY if is_source_checkout() else WHEEL_REMEDY


def graphiql_html(root: Path = DEFAULT_ROOT) -> str:
    missing = missing_assets(root)
    if not missing:
        return PAGE.format(query=json.dumps(EXAMPLE), headers=json.dumps(AUTH_HEADERS))
    files = ", ".join(f"<code>{html.escape(rel)}</code>" for rel in missing)
    return MISSING.format(missing=files, root=html.escape(str(root)), remedy=remedy(root))


def asset_routes(
    root: Path = DEFAULT_ROOT, assets: Mapping[str, str] = ASSETS, prefix: str = "/graphiql"
) -> list[Route]:
    """`GET {prefix}/{name}` for each served name of `assets` (gateway/explorer.py has its own)."""

    async def asset(request: Request) -> Response:
        rel = assets.get(request.path_params["name"])
        if rel is None or not (root / rel).is_file():
            return PlainTextResponse("not found", status_code=404)
        path = root / rel
        return FileResponse(
            path,
            media_type=MEDIA[path.suffix],
            headers={"cache-control": "public, max-age=86400"},
        )

    return [Route(prefix + "/{name}", asset)]
