"""Start real processes (gunicorn, the card-service emulator, the scanner) on free ports for tests."""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask_command(database_url: str, instance: Path, *args: str) -> subprocess.CompletedProcess:
    """`flask --app wsgi ARGS` against this database, as a fresh process (its start-up checks included)."""
    env = {**os.environ, "DATABASE_URL": database_url, "PORTVAKT_INSTANCE": str(instance)}
    env.pop("PORTVAKT_STARTUP_CHECKED", None)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} answered")
        try:
            requests.get(url, timeout=0.5)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


class Service:
    """A child process that answers HTTP; stopped (and reaped) by stop()."""

    def __init__(self, args: list[str], port: int, env: dict | None = None, ready_path: str = "/"):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = open(ROOT / "test-artifacts" / f"service-{port}.log", "wb") if _artifacts() else subprocess.DEVNULL
        self.process = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **(env or {})},
                                        stdout=self.log, stderr=subprocess.STDOUT)
        wait_until_up(self.url + ready_path, self.process)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _artifacts() -> bool:
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    return True


def start_gunicorn(database_url: str, env: dict | None = None, workers: int = 2) -> Service:
    port = free_port()
    args = [str(VENV_BIN / "gunicorn"), "--workers", str(workers), "--threads", "4",
            "--bind", f"127.0.0.1:{port}", "wsgi:app"]
    return Service(args, port, env={"DATABASE_URL": database_url, **(env or {})}, ready_path="/healthz")


def start_cardsim(data_file: str, token: str = "dev-token") -> Service:
    port = free_port()
    args = [sys.executable, "-m", "cardsim", "--host", "127.0.0.1", "--port", str(port),
            "--data", data_file, f"--token={token}", "--test-controls"]  # = : a token may begin with "-"
    return Service(args, port, ready_path="/_sim/calls")
