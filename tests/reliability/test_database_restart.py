"""PostgreSQL crashes and comes back while eight kiosks keep posting scans.

The test runs its own PostgreSQL (scripts/pg-test.sh, never the one the suite's PostgreSQL pass
uses), so it runs in the SQLite pass of `make test` too. Requests during the outage must fail
cleanly (JSON 503, nothing else), the kiosks send the same scan again until it is taken, every scan
is stored exactly once with its day row in step, and the same gunicorn processes serve again
afterwards: no restart needed.
"""
import subprocess
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from app.extensions import db
from app.models import ScanEvent
from tests.reliability.consistency import days_that_disagree_with_their_scans
from tests.reliability.torture import record
from tests.support.kiosk_api import CARDSIM_TOKEN, build_world, cardsim, scan_body, utc_now  # noqa: F401
from tests.support.processes import ROOT, free_port, start_gunicorn

SENDERS = ["gate", "gate", "gate2", "gate2", "in", "in", "out", "out"]  # eight kiosk loops on four kiosks
OUTAGE_S = 2
GIVE_UP_S = 90


@pytest.fixture(scope="module")
def private_pg():
    parent = Path(tempfile.mkdtemp(prefix="portvakt-pg-restart-"))
    parent.chmod(0o755)  # the postgres user must reach its data directory
    folder, port = parent / "pg", free_port()
    started = subprocess.run([str(ROOT / "scripts/pg-test.sh"), "start", str(folder), str(port)], capture_output=True)
    if started.returncode != 0:
        pytest.fail(f"could not start a private PostgreSQL: {started.stderr.decode()}")
    yield folder, port, f"postgresql+psycopg://portvakt@127.0.0.1:{port}/portvakt_test"
    subprocess.run([str(ROOT / "scripts/pg-test.sh"), "stop", str(folder)])


@pytest.fixture
def pg_world(private_pg, cardsim):  # noqa: F811
    """The kiosk API's test world, in the private PostgreSQL, with the app context pushed on it."""
    from flask_migrate import upgrade

    from app import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": private_pg[2]})
    with app.app_context():
        upgrade()
        yield build_world(app, cardsim)
        db.session.remove()
        db.engine.dispose()


class Kiosk(threading.Thread):
    """Posts scans one after another; each one again (same id) until the server takes it."""

    def __init__(self, url, token, payloads, clock, stop):
        super().__init__(daemon=True)
        self.url, self.token, self.payloads, self.clock, self.stop = url, token, payloads, clock, stop
        self.taken: list[str] = []
        self.refusals: Counter = Counter()  # (status, error code) of every answer that was not 200
        self.unclean: list[str] = []  # anything else: a 500, HTML, a broken connection

    def run(self):
        session = requests.Session()
        index, give_up_at = 0, time.monotonic() + GIVE_UP_S
        while not self.stop.is_set():
            body = scan_body(self.payloads[index % len(self.payloads)], at=self.clock())
            while not self._sent(session, body):
                if time.monotonic() > give_up_at:  # fail the test with a reason rather than hang it
                    self.unclean.append(f"scan {body['id']} still not taken after {GIVE_UP_S} s")
                    return
                time.sleep(0.05)
            self.taken.append(body["id"])
            index += 1

    def _sent(self, session, body) -> bool:
        try:
            response = session.post(f"{self.url}/api/v1/scans", json=body, timeout=30,
                                    headers={"Authorization": f"Bearer {self.token}"})
        except requests.RequestException as error:
            self.unclean.append(type(error).__name__)
            return False
        if response.status_code == 200:
            return True
        if response.status_code == 503 and response.headers["Content-Type"].startswith("application/json"):
            self.refusals[(503, response.json()["error"])] += 1
        else:
            self.unclean.append(f"{response.status_code} {response.text[:200]}")
        return False


def distinct_times():
    """Scan times 40 s apart, in the past: no two scans of a card are one repeated read.

    Starting six days back leaves room for ~13,000 scans before the times reach the present (a fast
    machine posts thousands in this test; three hours ran out and met the 5-minute future rule).
    """
    lock, counter, start = threading.Lock(), [0], utc_now() - timedelta(days=6)

    def clock():
        with lock:
            counter[0] += 1
            return start + timedelta(seconds=40 * counter[0])
    return clock


def test_postgres_restart_while_kiosks_post(private_pg, pg_world, cardsim):  # noqa: F811
    folder, port, url = private_pg
    server = start_gunicorn(url, env={"CARD_SERVICE_URL": cardsim.url, "CARD_SERVICE_TOKEN": CARDSIM_TOKEN})
    try:
        stop, clock = threading.Event(), distinct_times()
        payloads = [w.qr for w in pg_world.workers.values()] + [f"{80000000 + n:08d}" for n in range(4)]
        kiosks = [Kiosk(server.url, pg_world.tokens[name], payloads, clock, stop) for name in SENDERS]
        for kiosk in kiosks:
            kiosk.start()
        time.sleep(1)
        subprocess.run([str(ROOT / "scripts/pg-test.sh"), "restart", str(folder), str(port), str(OUTAGE_S)],
                       check=True)
        time.sleep(2)
        stop.set()
        for kiosk in kiosks:
            kiosk.join(timeout=GIVE_UP_S + 40)
        after = requests.post(f"{server.url}/api/v1/scans", json=scan_body(payloads[0], at=clock()),
                              headers=pg_world.headers("gate"), timeout=30)
        # The same gunicorn master serves on. (A worker that happens to boot while the database is
        # down exits with code 2 from app/boot.py and the master starts another: that is fine.)
        master_alive = server.process.poll() is None
    finally:
        server.stop()

    refusals = sum((k.refusals for k in kiosks), Counter())
    assert [u for k in kiosks for u in k.unclean] == []
    assert refusals and set(refusals) <= {(503, "database_unavailable"), (503, "busy")}, refusals
    assert not any(k.is_alive() for k in kiosks)
    assert after.status_code == 200 and master_alive  # recovered without a restart
    taken = [scan_id for k in kiosks for scan_id in k.taken] + [after.json()["id"]]
    db.session.expire_all()
    stored = [e.id for e in db.session.query(ScanEvent)]
    assert sorted(stored) == sorted(taken) and len(set(taken)) == len(taken)
    assert days_that_disagree_with_their_scans() == []
    record("postgres restart", scans=len(taken), refused_503=sum(refusals.values()), lost=0, doubled=0)

