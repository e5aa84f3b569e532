"""Shared benchmark plumbing: real processes on free ports, a printed table, bench/results.json.

Every benchmark measures the product as it runs in production: a private PostgreSQL server
(scripts/pg-test.sh, durable commits as shipped), the card-service emulator over HTTP and the app
under gunicorn with PORTVAKT_ENV=production. Logs and scratch files go to bench/out/ (not committed).
"""
import fcntl
import json
import math
import os
import platform
import runpy
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
OUT = BENCH / "out"
RESULTS = BENCH / "results.json"
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
CARD_TOKEN = "bench-card-token"

# The production settings the benchmarks run gunicorn with: gunicorn.conf.py's, unless overridden.
_GUNICORN_CONF = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
GUNICORN_WORKERS = int(os.environ.get("BENCH_WORKERS", _GUNICORN_CONF["workers"]))
GUNICORN_THREADS = int(os.environ.get("BENCH_THREADS", _GUNICORN_CONF["threads"]))


# --- machine and results ---------------------------------------------------------------------

def machine() -> dict:
    """What the figures were measured on; the load average says how busy the box was."""
    return {
        "nproc": os.cpu_count(),
        "cpu": _cpu_model(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def record(benchmark: str, figures: dict) -> None:
    """Merge one benchmark's figures into bench/results.json, keyed by benchmark name.

    Locked, so that two benchmarks finishing at once do not drop each other's figures."""
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "results.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        results[benchmark] = {"machine": machine(), **figures}
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


def print_table(title: str, rows: list[dict]) -> None:
    """A plain text table: one dict per row, the keys of the first row as columns."""
    if not rows:
        return
    columns = list(rows[0])
    cells = [[_cell(row.get(col)) for col in columns] for row in rows]
    widths = [max(len(col), *(len(r[i]) for r in cells)) for i, col in enumerate(columns)]
    print(f"\n{title}")
    print("  ".join(col.ljust(w) for col, w in zip(columns, widths)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(value.rjust(w) if _numeric(value) else value.ljust(w)
                        for value, w in zip(row, widths)))
    m = machine()
    print(f"({m['nproc']} × {m['cpu']}, load {m['loadavg']})")


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.2f}"
    return "" if value is None else str(value)


def _numeric(text: str) -> bool:
    return text.replace(",", "").replace(".", "").replace("-", "").replace("%", "").isdigit()


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


# --- processes --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Service:
    """A child process answering HTTP on a port; its output goes to bench/out/<name>.log."""

    def __init__(self, name: str, args: list[str], port: int, env: dict, ready_path: str):
        OUT.mkdir(parents=True, exist_ok=True)
        self.name, self.port, self.url = name, port, f"http://127.0.0.1:{port}"
        self.log_path = OUT / f"{name}.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env},
                                        stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_until_up(ready_path)

    def _wait_until_up(self, path: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.process.returncode}); see {self.log_path}")
            try:
                requests.get(self.url + path, timeout=0.5)
                return
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {timeout} s; see {self.log_path}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def worker_pids(self) -> list[int]:
        """gunicorn's worker processes: the direct children of the master."""
        return _children(self.process.pid)


class ServerCpu:
    """CPU seconds spent by gunicorn (master and workers) and, on PostgreSQL, by the database
    server, in total and apart (`app_seconds`, `db_seconds`)."""

    def __init__(self, server: Service, database_url: str):
        self.app_pid = server.process.pid
        self.db_pid = postmaster_pid(database_url) if database_url.startswith("postgresql") else None

    def _now(self) -> tuple[float, float]:
        return cpu_seconds(self.app_pid), cpu_seconds(self.db_pid) if self.db_pid else 0.0

    def __enter__(self):
        self.start = self._now()
        return self

    def __exit__(self, *exc):
        end = self._now()
        self.app_seconds, self.db_seconds = end[0] - self.start[0], end[1] - self.start[1]
        self.seconds = self.app_seconds + self.db_seconds


def rss_mb(pid: int) -> float:
    """Resident set size of one process in MB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its current children, in seconds.

    Throughput on a shared 2-core box moves with the neighbours' load; CPU per request does not,
    so the benchmarks report both."""
    total = 0.0
    for one in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return total


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def postmaster_pid(database_url: str) -> int:
    """The PostgreSQL server process behind a URL (its backends are its children)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        datadir = conn.execute(text("SHOW data_directory")).scalar()
    engine.dispose()
    return int((Path(datadir) / "postmaster.pid").read_text().split()[0])


@contextmanager
def postgres(keep: bool = False):
    """A private PostgreSQL server (durable commits: fsync and synchronous_commit as shipped).

    keep=True leaves it running afterwards, to look at the data by hand; it says how to stop it."""
    parent = Path(tempfile.mkdtemp(prefix="portvakt-bench-pg-"))
    parent.chmod(0o755)  # the postgres user must reach its data directory when we run as root
    datadir, port = parent / "pg", free_port()
    subprocess.run([str(ROOT / "scripts" / "pg-test.sh"), "start", str(datadir), str(port)], check=True)
    url = f"postgresql+psycopg://portvakt@127.0.0.1:{port}/portvakt_test"
    try:
        yield url
    finally:
        if keep:
            print(f"PostgreSQL left running: {url}\n  stop it with: scripts/pg-test.sh stop {datadir}")
        else:
            subprocess.run([str(ROOT / "scripts" / "pg-test.sh"), "stop", str(datadir)], check=False)
            shutil.rmtree(parent, ignore_errors=True)


def sqlite_url(instance: Path) -> str:
    return f"sqlite:///{instance / 'bench.db'}"


def instance_dir(name: str) -> Path:
    """A fresh instance folder under bench/out/ for one run."""
    path = OUT / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def app_env(database_url: str, instance: Path, card_service_url: str = "") -> dict:
    """The environment gunicorn and the flask CLI get: production mode with its secrets."""
    env = {
        "PORTVAKT_ENV": "production",
        "SECRET_KEY": "bench-secret-key-not-for-production-use-0123456789",
        "CARD_SERVICE_TOKEN": CARD_TOKEN,
        "DATABASE_URL": database_url,
        "PORTVAKT_INSTANCE": str(instance),
        "FLASK_APP": "wsgi",
    }
    if card_service_url:
        env["CARD_SERVICE_URL"] = card_service_url
    return env


def migrate(env: dict) -> None:
    """Apply the migrations, exactly as a deployment does (`flask db upgrade`)."""
    subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT,
                   env={**os.environ, **env}, check=True, capture_output=True)


def start_cardsim(data_file: Path) -> Service:
    port = free_port()
    args = [PYTHON, "-m", "cardsim", "--host", "127.0.0.1", "--port", str(port),
            "--data", str(data_file), f"--token={CARD_TOKEN}", "--test-controls"]
    return Service("cardsim", args, port, {}, ready_path="/_sim/calls")


def start_gunicorn(env: dict, workers: int = GUNICORN_WORKERS, threads: int = GUNICORN_THREADS,
                   app: str = "wsgi:app") -> Service:
    """gunicorn as in production: no access log (it would cost more than some requests)."""
    port = free_port()
    args = [str(VENV_BIN / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
            "--bind", f"127.0.0.1:{port}", app]
    return Service("gunicorn", args, port, env, ready_path="/healthz")


def sim_calls(cardsim: Service) -> int:
    """Lookups the emulator has served so far (proves whether the app's card cache was used)."""
    body = requests.get(cardsim.url + "/_sim/calls", timeout=5).json()
    return int(body.get("calls", body.get("total", 0))) if isinstance(body, dict) else int(body)


def set_sim_faults(cardsim: Service, **faults) -> None:
    requests.put(cardsim.url + "/_sim/faults", json=faults, timeout=5).raise_for_status()


# --- wrk ----------------------------------------------------------------------------------------

def ensure_wrk() -> str:
    """Debian's wrk, installed on first use through scripts/system-deps.sh."""
    if not shutil.which("wrk"):
        subprocess.run([str(ROOT / "scripts" / "system-deps.sh"), "wrk"], check=True)
    return shutil.which("wrk")


def run_scan_wrk(url: str, *, script: Path, plan_file: Path, folder: Path, counter_start: int,
                 duration_s: int, connections: int, threads: int) -> dict:
    """One wrk run of unique kiosk scans (bench/scans.lua, bench/rush.lua): its summary, its run tag
    (the prefix of every scan id it made) and the ids the server answered 200 to ("acked"), which
    the caller counts back in the database. The counter carries on from `counter_start`."""
    tag = secrets.token_hex(4)
    env = {"BENCH_PLAN": str(plan_file), "BENCH_RUN_TAG": tag, "BENCH_ACKED": str(folder / f"acked-{tag}"),
           "BENCH_COUNTER_START": str(counter_start)}
    result = run_wrk(url, duration_s=duration_s, connections=connections, threads=threads, script=script, env=env)
    ids = set()
    for part in folder.glob(f"acked-{tag}.*"):  # one file per wrk thread
        ids.update(part.read_text().split())
        part.unlink()
    return {**result, "tag": tag, "acked": ids}


def run_wrk(url: str, *, duration_s: int, connections: int, threads: int = 2,
            script: Path | None = None, env: dict | None = None) -> dict:
    """Run wrk; with bench/wrk_report.lua (or a script that includes it) it returns its JSON summary."""
    summary = OUT / f"wrk-{os.getpid()}-{time.monotonic_ns()}.json"
    args = [ensure_wrk(), "-t", str(threads), "-c", str(connections), "-d", f"{duration_s}s",
            "--timeout", "10s", "-s", str(script or BENCH / "wrk_report.lua"), url]
    completed = subprocess.run(args, cwd=BENCH, env={**os.environ, **(env or {}), "BENCH_SUMMARY": str(summary),
                                    "BENCH_THREADS": str(threads)},
                               capture_output=True, text=True)
    if completed.returncode != 0 or not summary.exists():
        raise RuntimeError(f"wrk failed: {completed.stderr or completed.stdout}")
    result = json.loads(summary.read_text())
    summary.unlink()
    return result
