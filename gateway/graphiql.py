"""GraphiQL at GET /graphql, from assets the gateway serves itself (no CDN: works offline)."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

# npm packages pinned in gateway/static/package.json, installed by `npm ci --prefix gateway/static`.
ASSETS = {
    "react.js": "react/umd/react.production.min.js",
    "react-dom.js": "react-dom/umd/react-dom.production.min.js",
    "graphiql.js": "graphiql/graphiql.min.js",
    "graphiql.css": "graphiql/graphiql.min.css",
}
DEFAULT_ROOT = Path(__file__).resolve().parent / "static" / "node_modules"
MEDIA = {".js": "text/javascript", ".css": "text/css"}

EXAMPLE = """# Who can reach what, and why. Press the play button.
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

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>jcgraph · GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.css">
<style>body {{ margin: 0; height: 100vh; }} #graphiql {{ height: 100vh; }}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="/graphiql/react.js"></script>
<script src="/graphiql/react-dom.js"></script>
<script src="/graphiql/graphiql.js"></script>
<script>
  const fetcher = GraphiQL.createFetcher({{ url: "/graphql" }});
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {{ fetcher, defaultQuery: {query} }})
  );
</script>
</body>
</html>
"""

MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>jcgraph</title></head>
<body style="font-family: sans-serif; max-width: 44em; margin: 3em auto">
<h1>GraphiQL's assets are not installed</h1>
<p>The gateway serves GraphiQL itself rather than from a CDN. Install its assets with
<code>npm ci --prefix gateway/static</code> (the Docker image has them), then reload.</p>
<p>Meanwhile the API answers POSTs:</p>
<pre>curl -s localhost:8000/graphql -H 'content-type: application/json' \\
  -d '{{"query": "{{ users(first: 3) {{ edges {{ node {{ email }} }} }} }}"}}'</pre>
</body></html>
"""


def assets_present(root: Path = DEFAULT_ROOT) -> bool:
    return all((root / rel).is_file() for rel in ASSETS.values())


def graphiql_html(root: Path = DEFAULT_ROOT) -> str:
    if not assets_present(root):
        return MISSING.format()
    return PAGE.format(query=json.dumps(EXAMPLE))


def asset_routes(root: Path = DEFAULT_ROOT) -> list[Route]:
    async def asset(request: Request) -> Response:
        rel = ASSETS.get(request.path_params["name"])
        if rel is None or not (root / rel).is_file():
            return PlainTextResponse("not found", status_code=404)
        path = root / rel
        return FileResponse(
            path,
            media_type=MEDIA[path.suffix],
            headers={"cache-control": "public, max-age=86400"},
        )

    return [Route("/graphiql/{name}", asset)]
