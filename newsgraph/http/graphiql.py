"""GraphiQL for browsers, with its assets pinned, and servable by the server itself.

Strawberry's page loads React, GraphiQL and the explorer plugin from a public CDN: behind
a firewall, or offline, it stays blank. This page names the same files, each pinned by
version and by its subresource integrity hash. Once `newsgraph graphiql-assets` has
fetched them from the npm registry into `NEWSGRAPH_DATA_DIR/graphiql`
(`newsgraph.graphiql_assets`), the server serves them under `/graphql/static/` and the
page loads them from there; until then it loads them from unpkg.com. Either way a
browser refuses a file that does not match its hash, and when one cannot load the page
says which, and how to serve them locally, instead of staying blank.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.types import Receive, Scope, Send

from newsgraph.errors import NotFoundError, RequestError
from newsgraph.http.answers import problem
from newsgraph.settings import Settings

__all__ = ["ASSETS", "CDN", "Asset", "GraphiQL", "StaticAssets", "assets_dir"]

CDN = "https://unpkg.com/"
# The versions are in every path: a file never changes, so browsers may keep it.
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Asset:
    """One file of an npm package, pinned by version and integrity."""

    package: str
    version: str
    file: str  # inside the package
    integrity: str  # subresource integrity (sha384)

    @property
    def path(self) -> str:
        """Where it is served, under the CDN or `/graphql/static/`, and kept on disk."""
        return f"{self.package}@{self.version}/{self.file}"

    @property
    def media_type(self) -> str:
        return "text/css" if self.file.endswith(".css") else "text/javascript"


ASSETS = (
    Asset(
        "react",
        "18.2.0",
        "umd/react.production.min.js",
        "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    ),
    Asset(
        "react-dom",
        "18.2.0",
        "umd/react-dom.production.min.js",
        "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
    ),
    Asset(
        "graphiql",
        "3.8.3",
        "graphiql.min.css",
        "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    ),
    Asset(
        "graphiql",
        "3.8.3",
        "graphiql.min.js",
        "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    ),
    Asset(
        "@graphiql/plugin-explorer",
        "1.0.2",
        "dist/style.css",
        "sha384-5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
    ),
    Asset(
        "@graphiql/plugin-explorer",
        "1.0.2",
        "dist/index.umd.js",
        "sha384-2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
    ),
)
_BY_PATH = {asset.path: asset for asset in ASSETS}


def assets_dir(settings: Settings) -> Path:
    """Where `newsgraph graphiql-assets` puts the files and the server finds them."""
    return settings.data_dir / "graphiql"


class GraphiQL:
    """The page, for browsers asking `/graphql` for HTML."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.directory = assets_dir(settings)

    def page(self, request: Request) -> Response:
        """GraphiQL for a browser; anything else asked for a query and sent none."""
        if "text/html" not in request.headers.get("accept", ""):
            raise RequestError(
                "no GraphQL query: send `?query=...` with a GET, or a JSON body with a POST"
            )
        if self.settings.public:
            raise NotFoundError("GraphiQL is off on a public server (NEWSGRAPH_PUBLIC)")
        local = all((self.directory / asset.path).is_file() for asset in ASSETS)
        base = request.url.path.rstrip("/") + "/static/" if local else CDN
        return HTMLResponse(_render(base, local=local))


class StaticAssets:
    """`/graphql/static/<package>@<version>/<file>`: the pinned files, from the data dir."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.directory = assets_dir(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = self._answer(Request(scope, receive))
        await response(scope, receive, send)

    def _answer(self, request: Request) -> Response:
        if self.settings.public:
            return problem(NotFoundError("GraphiQL is off on a public server (NEWSGRAPH_PUBLIC)"))
        asset = _BY_PATH.get(request.path_params["path"])
        if asset is None:
            return problem(NotFoundError("no such GraphiQL asset: the page names the ones served"))
        file = self.directory / asset.path
        if not file.is_file():
            return problem(
                NotFoundError(
                    f"{asset.path} is not in {self.directory}: run `newsgraph graphiql-assets` "
                    "to fetch GraphiQL's assets"
                )
            )
        return FileResponse(file, media_type=asset.media_type, headers={"Cache-Control": IMMUTABLE})


def _render(base: str, *, local: bool) -> str:
    where = "this server" if local else "unpkg.com"
    remedy = (
        "The files in the data directory do not match their pinned hashes: run "
        "`newsgraph graphiql-assets` again."
        if local
        else "Run `newsgraph graphiql-assets` on the server to serve them from it."
    )
    tags = []
    for asset in ASSETS:
        url = html.escape(base + asset.path)
        common = (
            f'crossorigin="anonymous" integrity="{asset.integrity}" onerror="assetFailed(this)"'
        )
        if asset.file.endswith(".css"):
            tags.append(f'<link rel="stylesheet" href="{url}" {common}>')
        else:
            tags.append(f'<script src="{url}" {common}></script>')
    return _PAGE.format(
        where=html.escape(where), remedy=html.escape(remedy), assets="\n    ".join(tags)
    )


_PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>newsgraph GraphiQL</title>
    <style>
      body {{ height: 100%; margin: 0; width: 100%; overflow: hidden; }}
      #graphiql {{ height: 100vh; display: flex; }}
      #assets-failed {{ display: none; margin: 2em; font: 16px/1.5 system-ui, sans-serif; }}
      #assets-failed code {{ background: #f3f3f3; padding: 0 .2em; }}
    </style>
    <script>
      // A file that does not load, or does not match its integrity hash, says so here.
      function assetFailed(element) {{
        var box = document.getElementById("assets-failed");
        var show = function () {{
          document.getElementById("failed-file").textContent =
            element.src || element.href;
          document.getElementById("graphiql").style.display = "none";
          document.getElementById("assets-failed").style.display = "block";
        }};
        window.graphiqlAssetsFailed = true;
        if (box) show(); else document.addEventListener("DOMContentLoaded", show);
      }}
    </script>
    {assets}
  </head>
  <body>
    <div id="assets-failed" role="alert">
      <h1>GraphiQL could not load its assets</h1>
      <p>The browser could not load <code id="failed-file"></code> from {where}.</p>
      <p>{remedy}</p>
      <p>The API itself works: send queries to this URL with any GraphQL client.</p>
    </div>
    <div id="graphiql">Loading GraphiQL…</div>
    <script>
      if (!window.graphiqlAssetsFailed) {{
        var url = window.location.href.split("?")[0];
        var fetcher = GraphiQL.createFetcher({{ url: url }});
        var explorer = GraphiQLPluginExplorer.explorerPlugin();
        ReactDOM.createRoot(document.getElementById("graphiql")).render(
          React.createElement(GraphiQL, {{
            fetcher: fetcher,
            plugins: [explorer],
            defaultEditorToolsVisibility: true,
            isHeadersEditorEnabled: true,
            shouldPersistHeaders: true,
          }}),
        );
      }}
    </script>
  </body>
</html>
"""
