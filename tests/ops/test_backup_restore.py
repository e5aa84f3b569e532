"""Issue 19: a backup taken while kiosks write restores into a fresh database with every scan
committed before it started, and with a checked § 15 list that `flask list verify` accepts."""
import os
import subprocess
import threading
import time
import uuid
from datetime import datetime, timezone

import requests
from sqlalchemy import create_engine, text

from app.domain.localtime import local_date
from app.extensions import db
from app.models import Site
from app.services import lists
from tests.support.kiosk_api import cardsim, live, scan_body, world  # noqa: F401
from tests.support.processes import ROOT, VENV_BIN
from tests.support.workflow_data import make_user


def flask(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


class KioskWriter(threading.Thread):
    """Posts scans of cards the card service does not know (stored as rejected events, each a new
    card so the debounce never swallows one) and notes when each was answered, i.e. committed."""

    def __init__(self, live_url: str, headers: dict):
        super().__init__(daemon=True)
        self.url, self.headers = f"{live_url}/api/v1/scans", headers
        self.answered: list[tuple[float, str]] = []
        self.stop = threading.Event()
        self.error = None

    def run(self):
        number = 70000000
        with requests.Session() as http:
            while not self.stop.is_set():
                number += 7
                body = scan_body(str(number), scan_id=str(uuid.uuid4()))
                try:
                    response = http.post(self.url, json=body, headers=self.headers, timeout=10)
                    response.raise_for_status()
                except requests.RequestException as error:  # the test fails on it below
                    self.error = error
                    return
                self.answered.append((time.monotonic(), body["id"]))


def checked_list(app, world, live, tmp_path):
    """Two accepted scans today, and the day checked: its archived PDF written to a file."""
    for worker in ("kari", "ruta"):
        requests.post(f"{live.url}/api/v1/scans", json=scan_body(world.workers[worker].qr),
                      headers=world.headers("gate"), timeout=10).raise_for_status()
    site_id = world.site_id
    today = datetime.now(timezone.utc)
    user = make_user("builder_rep", db.session.get(Site, site_id))
    version = lists.check_day(site_id, local_date(today, "Europe/Oslo"), user, today)
    pdf = tmp_path / "checked.pdf"
    pdf.write_bytes(version.pdf)
    return pdf


def test_backup_while_kiosks_write_restores_every_committed_scan(app, world, live, database_url,
                                                                 scratch_database, tmp_path):
    pdf = checked_list(app, world, live, tmp_path)
    writer = KioskWriter(live.url, world.headers("gate2"))
    writer.start()
    while len(writer.answered) < 5 and writer.is_alive():
        time.sleep(0.02)
    started = time.monotonic()
    made = flask(database_url, "backup", "create", "--out", str(tmp_path / "portvakt.backup"))
    finished = time.monotonic()
    time.sleep(0.2)
    writer.stop.set()
    writer.join(timeout=15)
    assert writer.error is None and made.returncode == 0, (writer.error, made.stderr)
    assert oct((tmp_path / "portvakt.backup").stat().st_mode & 0o777) == "0o600"
    before = {scan_id for at, scan_id in writer.answered if at < started}
    during = [scan_id for at, scan_id in writer.answered if started <= at <= finished]
    assert during, "no kiosk wrote while the backup ran"

    restored = flask(scratch_database, "backup", "restore", str(tmp_path / "portvakt.backup"))
    assert restored.returncode == 0, restored.stderr
    assert "retention purge" in restored.stdout
    engine = create_engine(scratch_database)
    with engine.connect() as conn:
        stored = set(conn.execute(text("SELECT id FROM scan_event")).scalars())
    engine.dispose()
    assert before <= {str(scan_id) for scan_id in stored}
    verified = flask(scratch_database, "list", "verify", str(pdf))
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(app, database_url, scratch_database, tmp_path):
    backup_file = tmp_path / "portvakt.backup"
    assert flask(database_url, "backup", "create", "--out", str(backup_file)).returncode == 0
    assert flask(scratch_database, "backup", "restore", str(backup_file)).returncode == 0
    again = flask(scratch_database, "backup", "restore", str(backup_file))
    assert again.returncode != 0 and "--force" in again.stderr
    assert flask(scratch_database, "backup", "restore", "--force", str(backup_file)).returncode == 0
