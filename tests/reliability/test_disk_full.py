"""The kiosk's disk fills up: its queue cannot store a scan, and the screen must say so.

The running scanner process gets a file-size limit of zero (RLIMIT_FSIZE via prlimit, no root
mounts needed): from then on every write it makes to a regular file fails with EFBIG, exactly as
its SQLite queue would meet a full disk (Python ignores SIGXFSZ, so the write just fails). The
scan is then refused on screen ("NOT registered"), nothing reaches the server, and once the limit
is lifted the kiosk registers scans again without a restart.
"""
import queue
import resource
import threading
import time
import uuid

import pytest

from app.extensions import db
from app.models import ScanEvent
from scanner.outbox import OutboxError, QueuedScan
from tests.e2e.test_scanner_e2e import gunicorn_on, outbox_ids, scanner, scanner_env
from tests.reliability.torture import record
from tests.support.kiosk_api import cardsim, world  # noqa: F401  (fixtures)
from tests.support.processes import free_port
from tests.unit.test_scanner_kiosk import make_kiosk, parts  # noqa: F401  (fixture)


@pytest.fixture(scope="module")
def live(_app, database_url, cardsim):  # noqa: F811
    server = gunicorn_on(free_port(), database_url, cardsim)
    yield server
    server.stop()


class Screen:
    """The scanner's decision lines (--display none), read as they come."""

    def __init__(self, process):
        self.process, self.lines = process, queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)

    def next_decision(self, timeout: float = 30) -> str:
        while True:
            line = self.lines.get(timeout=timeout)
            if "scanner.display: decision" in line:
                return line

    def scan(self, text: str) -> str:
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()
        return self.next_decision()


def stored_numbers() -> set[str]:
    db.session.expire_all()
    return {e.card_number for e in db.session.query(ScanEvent)}


def test_a_full_disk_is_said_on_screen_and_nothing_is_pretended(live, world, tmp_path):  # noqa: F811
    kari, ola, ruta, lukasz = (world.workers[name] for name in ("kari", "ola", "ruta", "lukasz"))
    process = scanner(live.url, "hid", scanner_env(tmp_path, world.tokens["gate"]), stdin="")
    screen = Screen(process)
    assert "kind=accepted" in screen.scan(kari.card_number)
    while outbox_ids(tmp_path / "outbox.sqlite3"):  # the answered scan leaves the queue after the screen
        time.sleep(0.05)

    unlimited = resource.prlimit(process.pid, resource.RLIMIT_FSIZE)
    resource.prlimit(process.pid, resource.RLIMIT_FSIZE, (0, unlimited[1]))
    refused = [screen.scan(ola.card_number), screen.scan(ruta.card_number)]
    assert all("kind=error" in line and "reason=outbox_failed" in line for line in refused), refused
    assert stored_numbers() == {kari.card_number}  # nothing registered behind the screen's back

    resource.prlimit(process.pid, resource.RLIMIT_FSIZE, unlimited)
    again = screen.scan(lukasz.card_number)
    # Stored again: answered by the server, or queued if the server was slow (both true; sent below).
    assert "kind=accepted" in again or "kind=queued" in again, again
    process.stdin.close()
    process.wait(timeout=60)
    assert process.returncode == 0
    assert stored_numbers() == {kari.card_number, lukasz.card_number}
    record("kiosk disk full", scans_refused_on_screen=len(refused), registered_anyway=0)


def test_the_refusal_is_in_words_in_every_language():
    from scanner import i18n

    assert "IKKE registrert" in i18n.ui("nb", "outbox_failed") and "NOT registered" in i18n.ui("en", "outbox_failed")
    assert all(i18n.ui(language, "outbox_failed") != "outbox_failed" for language in ("pl", "lt"))


# Found by the test above (one run in a few): the screen said "accepted", then the bookkeeping
# write that removes the answered scan from the outbox met the full disk, and the kiosk showed
# "NOT registered" for a scan the server had registered, inviting a second (out) scan.
def test_a_full_disk_after_the_answer_does_not_take_the_answer_back(parts, monkeypatch):  # noqa: F811
    outbox, server = parts[1], parts[2]

    def disk_full(scan_ids):
        raise OutboxError("database or disk is full")  # what Outbox.acknowledge raises then
    monkeypatch.setattr(outbox, "acknowledge", disk_full)
    kiosk = make_kiosk(parts)
    kiosk.decisions.put("https://hmskort.no/v/abc")
    kiosk.decisions.put(None)
    kiosk._decision_loop()  # the kiosk's decision thread, run here until the None
    assert [screen.kind for screen in kiosk.display.screens] == ["accepted"]
    assert len(server.stored) == 1 and outbox.depth() == 1  # kept: sent again later, the server de-duplicates


def test_the_uploader_outlives_a_full_disk(parts):  # noqa: F811
    """A failed write in the sync loop used to end the upload thread: queued scans then waited
    for a restart. Now it backs off and tries again."""
    config, outbox, server, health, uploader = parts
    for payload in ("40000001", "40000002"):
        outbox.add(QueuedScan(str(uuid.uuid4()), payload, "2026-11-25T07:00:00+01:00", "auto"))
    real_acknowledge, failures = outbox.acknowledge, []

    def full_once(scan_ids):
        if not failures:
            failures.append(scan_ids)
            raise OutboxError("database or disk is full")
        real_acknowledge(scan_ids)
    outbox.acknowledge = full_once
    stop = threading.Event()
    thread = threading.Thread(target=uploader.run, args=(stop, time.monotonic), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while outbox.depth() and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    uploader.wake.set()
    thread.join(5)
    assert failures and outbox.depth() == 0 and len(server.stored) == 2


def test_an_outbox_that_cannot_be_written_says_so_on_acknowledge_too(parts):  # noqa: F811
    outbox = parts[1]
    scan = QueuedScan(str(uuid.uuid4()), "40000001", "2026-11-25T07:00:00+01:00", "auto")
    outbox.add(scan)
    outbox._db.execute("PRAGMA query_only = ON")  # every write now fails, as on a full disk
    with pytest.raises(OutboxError):
        outbox.acknowledge([scan.id])
    outbox._db.execute("PRAGMA query_only = OFF")
    assert outbox.depth() == 1  # still queued
