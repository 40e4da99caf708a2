"""GraphiQL without the public CDN: the page's pinned assets, served from the data dir once
`newsgraph graphiql-assets` fetched them, and the fetch itself (against a registry served
here, so the test needs no network; the browser test fetches the real ones)."""

from __future__ import annotations

import io
import re
import tarfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from newsgraph.cli import app as cli
from newsgraph.errors import AssetError
from newsgraph.graphiql_assets import fetch_assets, integrity
from newsgraph.http.graphiql import ASSETS, Asset
from tests.helpers import http_client

HTML = {"accept": "text/html"}


def _page_assets(page: str) -> list[tuple[str, str]]:
    return re.findall(r'(?:src|href)="([^"]+)" crossorigin="anonymous" integrity="([^"]+)"', page)


async def test_without_local_assets_the_page_loads_pinned_files_from_the_cdn(
    database_url: str, db_engine: AsyncEngine, tmp_path: Path
) -> None:
    async with http_client(db_engine, database_url, data_dir=tmp_path) as client:
        page = await client.get("/graphql", headers=HTML)
    assert page.status_code == 200
    assert _page_assets(page.text) == [
        (f"https://unpkg.com/{asset.path}", asset.integrity) for asset in ASSETS
    ]
    assert "GraphiQL could not load its assets" in page.text
    assert "Run `newsgraph graphiql-assets` on the server" in page.text


async def test_with_local_assets_the_server_serves_them_itself(
    database_url: str, db_engine: AsyncEngine, tmp_path: Path
) -> None:
    for asset in ASSETS:
        file = tmp_path / "graphiql" / asset.path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(f"/* {asset.path} */")
    async with http_client(db_engine, database_url, data_dir=tmp_path) as client:
        page = await client.get("/graphql", headers=HTML)
        served = await client.get(f"/graphql/static/{ASSETS[0].path}")
        unknown = await client.get("/graphql/static/react@18.2.0/umd/secret.js")
    assert [url for url, _ in _page_assets(page.text)] == [
        f"/graphql/static/{asset.path}" for asset in ASSETS
    ]
    assert served.status_code == 200
    assert served.text == f"/* {ASSETS[0].path} */"
    assert served.headers["content-type"].startswith("text/javascript")
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_missing_asset_says_how_to_fetch_it(
    database_url: str, db_engine: AsyncEngine, tmp_path: Path
) -> None:
    async with http_client(db_engine, database_url, data_dir=tmp_path) as client:
        response = await client.get(f"/graphql/static/{ASSETS[-1].path}")
    assert response.status_code == 404
    (error,) = response.json()["errors"]
    assert "run `newsgraph graphiql-assets`" in error["message"]


async def test_a_public_server_serves_neither_page_nor_assets(
    database_url: str, db_engine: AsyncEngine, tmp_path: Path
) -> None:
    async with http_client(db_engine, database_url, data_dir=tmp_path, public=True) as client:
        page = await client.get("/graphql", headers=HTML)
        asset = await client.get(f"/graphql/static/{ASSETS[0].path}")
    assert page.status_code == asset.status_code == 404


# --- fetching from a registry ------------------------------------------------------------


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


@pytest.fixture
def registry() -> Iterator[tuple[str, dict[str, bytes], list[str]]]:
    """An npm registry on a local port: its URL, its tarballs by path, the paths asked."""
    tarballs: dict[str, bytes] = {}
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            body = tarballs.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test reads `asked`."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", tarballs, asked
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


SCRIPT = b"console.log('pinned');"
STYLE = b"body { color: black }"
PINNED = [
    Asset("plain", "1.0.0", "dist/a.js", integrity(SCRIPT)),
    Asset("@scope/thing", "2.0.0", "style.css", integrity(STYLE)),
]


def test_assets_are_fetched_checked_and_kept(
    registry: tuple[str, dict[str, bytes], list[str]], tmp_path: Path
) -> None:
    url, tarballs, asked = registry
    tarballs["/plain/-/plain-1.0.0.tgz"] = _tarball({"dist/a.js": SCRIPT, "README": b"x"})
    tarballs["/@scope/thing/-/thing-2.0.0.tgz"] = _tarball({"style.css": STYLE})
    written = fetch_assets(tmp_path, registry=url, assets=PINNED)
    assert written == [
        tmp_path / "plain@1.0.0/dist/a.js",
        tmp_path / "@scope/thing@2.0.0/style.css",
    ]
    assert (tmp_path / "plain@1.0.0/dist/a.js").read_bytes() == SCRIPT
    assert not (tmp_path / "plain@1.0.0/README").exists()
    assert fetch_assets(tmp_path, registry=url, assets=PINNED) == []  # current: not fetched
    assert len(asked) == 2


def test_bytes_other_than_pinned_are_refused_and_not_written(
    registry: tuple[str, dict[str, bytes], list[str]], tmp_path: Path
) -> None:
    url, tarballs, _ = registry
    tarballs["/plain/-/plain-1.0.0.tgz"] = _tarball({"dist/a.js": b"alert('tampered')"})
    with pytest.raises(AssetError, match=r"plain@1\.0\.0/dist/a\.js from .* is sha384-"):
        fetch_assets(tmp_path, registry=url, assets=PINNED[:1])
    assert not (tmp_path / "plain@1.0.0").exists()


def test_fetch_failures_name_the_url(
    registry: tuple[str, dict[str, bytes], list[str]], tmp_path: Path
) -> None:
    url, tarballs, _ = registry
    with pytest.raises(AssetError, match=r"could not fetch .*/plain-1\.0\.0\.tgz: HTTP 404"):
        fetch_assets(tmp_path, registry=url, assets=PINNED[:1])
    tarballs["/plain/-/plain-1.0.0.tgz"] = _tarball({"other.js": SCRIPT})
    with pytest.raises(AssetError, match=r"plain-1\.0\.0\.tgz holds no dist/a\.js"):
        fetch_assets(tmp_path, registry=url, assets=PINNED[:1])
    tarballs["/plain/-/plain-1.0.0.tgz"] = b"not a tarball"
    with pytest.raises(AssetError, match="is not a readable npm tarball"):
        fetch_assets(tmp_path, registry=url, assets=PINNED[:1])


def test_the_command_reports_a_failure_in_one_line(
    registry: tuple[str, dict[str, bytes], list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, _, asked = registry
    monkeypatch.setenv("NEWSGRAPH_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(cli, ["graphiql-assets", "--registry", url])
    assert result.exit_code == 1
    assert "error: could not fetch" in result.output
    assert asked[0] == "/react/-/react-18.2.0.tgz"
    assert not (tmp_path / "graphiql" / ASSETS[0].path).exists()
