"""The example app (examples/web) in a real browser, against real newsgraph servers.

The app is built here (`npm ci` when its lock changed, then `npm run build`: codegen,
typecheck, esbuild) and served from a second origin; headless Chromium, driven by
playwright-core (examples/web/tests/browser.mjs), reads the feed, pages, opens an actor,
watches the live list while articles are stored through the API (and its socket is
dropped), and reports what it saw and every API request and WebSocket frame; this test
asserts on the report. Skipped only where no Chromium is installed (`.ci/run` installs
Debian's).
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from newsgraph.server import create_app
from newsgraph.settings import Settings
from tests.helpers import corpus_documents, create_key, import_raw, small_document
from tests.live import serving

pytestmark = pytest.mark.browser

WEB = Path(__file__).parent.parent / "examples" / "web"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PAGE_SIZE = 3  # the corpus has six articles: two pages
TOKENWATCH_ARTICLE = "Rare earths and chips: what the London framework leaves open"
TOKENWATCH = "Trading crypto assets involves significant risk. Nothing here is financial advice."
NPM_TIMEOUT_S = 600
LIVE_SOURCE = "Livewire"
LIVE_TITLES = ["Port of Rotterdam reopens after overnight strike", "Chip export talks resume"]
LIVE_DISCLAIMER = "Livewire reports are unconfirmed when first published."


def _run(*command: str) -> None:
    done = subprocess.run(command, cwd=WEB, capture_output=True, text=True, timeout=NPM_TIMEOUT_S)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="session")
def built_app() -> Path:
    """examples/web/dist, built from the current sources (one build at a time, as other
    test sessions may share the work tree)."""
    if shutil.which("npm") is None:
        pytest.fail("npm is needed to build examples/web (Node.js >= 18)")
    with (WEB / ".build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        wanted = hashlib.sha256((WEB / "package-lock.json").read_bytes()).hexdigest()
        stamp = WEB / "node_modules" / ".newsgraph-installed"
        if not stamp.is_file() or stamp.read_text() != wanted:
            _run("npm", "ci", "--no-audit", "--no-fund")
            stamp.write_text(wanted)
        _run("npm", "run", "build")
    return WEB / "dist"


@pytest.fixture
def report(built_app: Path, database_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """What the browser saw: the API servers and the app's origin up, the driver run."""
    if CHROMIUM is None:
        pytest.skip("Chromium not found: install Debian's chromium (apt-get install chromium)")
    asyncio.run(import_raw(database_url, corpus_documents()))
    write_key = asyncio.run(create_key(database_url, "browser-test", "write"))
    live_documents = [
        small_document(n, source=LIVE_SOURCE, disclaimer=LIVE_DISCLAIMER) | {"title": title}
        for n, title in enumerate(LIVE_TITLES)
    ]
    static = Starlette(routes=[Mount("/", StaticFiles(directory=built_app, html=True))])
    with ExitStack() as stack:
        app_url = stack.enter_context(serving(static, ready_path="/"))
        blocked_origin = app_url.replace("127.0.0.1", "localhost")  # another origin, same app
        common = Settings(database_url=database_url, rate_limit=0, cors_origins=[app_url])
        api = stack.enter_context(
            serving(create_app(common.model_copy(update={"cache_max_age": 30})))
        )
        manifest = built_app / "persisted-documents.json"
        trusted = common.model_copy(update={"public": True, "trusted_documents": manifest})
        trusted_api = stack.enter_context(serving(create_app(trusted)))
        screenshot = Path(os.environ.get("NEWSGRAPH_SCREENSHOT") or tmp_path / "app.png")
        arguments = {
            "chromium": CHROMIUM,
            "userDataDir": str(tmp_path / "chromium-profile"),
            "appOrigin": app_url,
            "blockedOrigin": blocked_origin,
            "api": f"{api}/graphql",
            "trustedApi": f"{trusted_api}/graphql",
            "pageSize": PAGE_SIZE,
            "screenshot": str(screenshot),
            "writeKey": write_key,
            "liveDocuments": live_documents,
        }
        done = subprocess.run(
            ["node", "tests/browser.mjs", json.dumps(arguments)],
            cwd=WEB,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        seen: dict[str, Any] = json.loads(done.stdout)
        seen["screenshot"] = screenshot
        seen["manifest"] = json.loads(manifest.read_text())
        yield seen


def test_the_example_app_in_chromium(report: dict[str, Any]) -> None:
    assert report["consoleErrors"] == []

    # the feed, each article beside its disclaimer (the article's own, else its source's)
    first = report["firstPage"]
    titles = [article["title"] for article in first["articles"]]
    assert len(titles) == PAGE_SIZE
    assert first["count"] == f"{PAGE_SIZE} of 6"
    beside = {a["title"]: a["disclaimer"] for a in first["articles"]}
    assert beside[TOKENWATCH_ARTICLE] == TOKENWATCH
    assert beside["European Parliament votes to study retaliatory tariffs"] is None  # EuroDesk
    assert first["hasMore"]

    # paging merges: the second page follows the first, nothing repeated, and the
    # response-level disclaimers gather every publisher reached that has one
    merged = report["merged"]
    merged_titles = [article["title"] for article in merged["articles"]]
    assert merged_titles[:PAGE_SIZE] == titles
    assert len(merged_titles) == len(set(merged_titles)) == 6
    assert merged["count"] == "6 of 6"
    assert not merged["hasMore"]
    assert merged["sources"] == ["(Crypto Daily)", "(TokenWatch)", "(Law Journal)"]
    assert report["screenshot"].stat().st_size > 10_000

    # an actor's page from a link in the feed, with the disclaimers of what it shows
    assert report["actor"]["name"] == merged["articles"][0]["actors"][0]
    assert report["actor"]["sources"] == 3

    # APQ: each document's hash alone first, PersistedQueryNotFound, then the document
    # with its hash (registered); after a reload, hashes alone, answered at once
    first_requests = report["apqRequests"]
    misses = [r for r in first_requests if r["code"] == "PERSISTED_QUERY_NOT_FOUND"]
    assert len(misses) == 2  # the feed's document and the actor's, once each
    assert all(r["hashOnly"] and r["method"] == "GET" and r["status"] == 200 for r in misses)
    registrations = [r for r in first_requests if not r["hashOnly"]]
    assert {r["hash"] for r in registrations} == {r["hash"] for r in misses}
    assert all(r["status"] == 200 and r["code"] is None for r in registrations)
    later = report["afterRegistration"]
    assert later, "the reloaded feed sent no request"
    assert all(r["hashOnly"] and r["method"] == "GET" for r in later)
    assert all(r["status"] == 200 and r["code"] is None for r in later)
    assert all(r["cacheControl"] == "public, max-age=30" for r in later)  # a CDN may keep it
    assert report["reloaded"]["articles"][0]["title"] == titles[0]

    # CORS with tracing and client headers: every request carried them and got through;
    # browser code reads the request id the server exposes
    every = first_requests + later
    assert all(r["traceparent"] and r["clientName"] == "newsgraph-example-web" for r in every)
    assert report["exposed"]["status"] == 200
    assert len(report["exposed"]["requestId"]) == 16

    # trusted documents: the app's documents are known by hash at once; others refused
    trusted = report["trustedRequests"]
    assert trusted
    assert all(r["hashOnly"] and r["code"] is None for r in trusted)
    assert len(report["trustedFeed"]["articles"]) == PAGE_SIZE
    assert report["unlisted"]["status"] == 403
    assert report["unlisted"]["body"]["errors"][0]["extensions"]["code"] == (
        "PERSISTED_QUERY_NOT_IN_LIST"
    )

    # the same app from an origin the API does not allow: the browser blocks it, and the
    # server refuses the WebSocket handshake (browsers apply no CORS to WebSockets)
    assert report["blockedApp"].startswith("The API could not be reached")
    assert report["blockedFetch"]["blocked"] is True
    assert report["blockedSocket"]["opened"] is False
    assert report["blockedSocket"]["closeCode"] == 1006

    # the live list (one browser run for both: it is the slow part)
    check_live_list(report)


def subscribed(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The payloads of the `subscribe` messages among `frames`."""
    return [frame["payload"] for frame in frames if frame["type"] == "subscribe"]


def check_live_list(report: dict[str, Any]) -> None:
    """What the browser saw of the live list (`articleAdded` over graphql-transport-ws)."""
    # from the app's origin, the live list's socket is taken (the origin is allowed)
    assert report["liveOnFeed"]["status"] == "connected"
    assert report["liveOnFeed"]["error"] is None

    # on the public server with the app's manifest: an article stored through the API
    # while the app is open appears, with its source and the source's disclaimer
    live = report["live"]
    assert live["error"] is None
    assert live["articles"] == [
        {
            "title": LIVE_TITLES[0],
            "meta": f"{LIVE_SOURCE} · 2025-06-06",
            "disclaimer": LIVE_DISCLAIMER,
        }
    ]

    # the socket dropped, then back: the article stored meanwhile comes first, once each
    resumed = report["resumed"]
    assert resumed["error"] is None
    assert [article["title"] for article in resumed["articles"]] == LIVE_TITLES[::-1]
    assert all(article["disclaimer"] == LIVE_DISCLAIMER for article in resumed["articles"])

    # what went over the socket: the listed document in full each time, the second
    # subscription after the cursor of the last message the first one delivered
    frames = report["liveFrames"]
    assert frames["connections"] == 2
    first, second = subscribed(frames["sent"])
    assert first["query"] == second["query"]
    assert first["query"] in report["manifest"].values()
    cursors = [
        message["payload"]["data"]["articleAdded"]["cursor"]
        for message in frames["received"]
        if message["type"] == "next"
    ]
    assert len(cursors) == 2
    assert first["variables"]["after"] is None
    assert second["variables"]["after"] == cursors[0]
    delivered = next(message for message in frames["received"] if message["type"] == "next")
    assert delivered["payload"]["extensions"]["disclaimers"][0]["text"] == LIVE_DISCLAIMER

    # an anonymous subscription the manifest does not list is refused on that server
    unlisted = report["unlistedSubscription"]
    assert unlisted["acked"] is True
    assert unlisted["message"]["type"] == "error"
    assert unlisted["message"]["payload"][0]["extensions"]["code"] == (
        "PERSISTED_QUERY_NOT_IN_LIST"
    )
