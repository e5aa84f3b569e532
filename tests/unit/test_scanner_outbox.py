"""The outbox: durable, ordered, leaves only when acknowledged; a full disk is an error, not a shrug."""
import sqlite3
import time
import uuid

import pytest

from scanner.outbox import Outbox, OutboxError, QueuedScan


def scan(n: int = 0) -> QueuedScan:
    return QueuedScan(id=str(uuid.uuid4()), payload=f"https://hmskort.no/v/token{n}",
                      scanned_at="2026-11-25T07:00:00.000+01:00", direction="auto")


@pytest.fixture
def outbox(tmp_path):
    box = Outbox(tmp_path / "outbox.sqlite3")
    yield box
    box.close()


def test_settings_are_wal_and_synchronous_full(outbox):
    assert outbox._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert outbox._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_scans_leave_only_when_acknowledged_and_in_order(outbox):
    scans = [scan(n) for n in range(5)]
    for item in scans:
        outbox.add(item)
    assert [s.id for s in outbox.pending()] == [s.id for s in scans]
    outbox.acknowledge([scans[1].id, scans[3].id])
    assert [s.id for s in outbox.pending()] == [scans[0].id, scans[2].id, scans[4].id]
    assert outbox.depth() == 3


def test_a_committed_scan_survives_reopening(tmp_path):
    path = tmp_path / "outbox.sqlite3"
    item = scan()
    Outbox(path).add(item)  # never closed, like a process killed after add()
    assert Outbox(path).pending() == [item]


def test_adding_the_same_id_twice_keeps_one(outbox):
    item = scan()
    outbox.add(item)
    outbox.add(item)
    assert outbox.depth() == 1


def test_refused_scans_stop_being_sent_but_are_kept(outbox):
    item = scan()
    outbox.add(item)
    outbox.refuse(item.id, "invalid_scanned_at: too old")
    assert outbox.pending() == [] and outbox.refused_count() == 1


def test_refused_scans_are_forgotten_after_the_keep_time(outbox):
    old, new, pending = scan(1), scan(2), scan(3)
    for item in (old, new, pending):
        outbox.add(item)
    outbox.refuse(old.id, "invalid_field")
    outbox.refuse(new.id, "invalid_field")
    outbox._db.execute("UPDATE scans SET queued_at = queued_at - 30 * 86400 WHERE id IN (?, ?)", (old.id, pending.id))
    assert outbox.purge_refused(14 * 86400, time.time()) == 1
    assert outbox.refused_count() == 1 and [s.id for s in outbox.pending()] == [pending.id]


def test_full_disk_raises_outbox_error(outbox):
    outbox._db.execute("PRAGMA max_page_count = %d" % outbox._db.execute("PRAGMA page_count").fetchone()[0])
    big = QueuedScan(id=str(uuid.uuid4()), payload="x" * 20000, scanned_at="2026-11-25T07:00:00+01:00",
                     direction="auto")
    with pytest.raises(OutboxError):
        outbox.add(big)
    assert big.id not in {s.id for s in outbox.pending()}


def test_meta_round_trips_json(outbox):
    outbox.put_meta("kiosk", {"name": "Hovedport", "languages": ["nb", "pl"]})
    outbox.put_meta("kiosk", {"name": "Port nord"})
    assert outbox.get_meta("kiosk") == {"name": "Port nord"}
    assert outbox.get_meta("missing", 7) == 7


def test_as_request_is_the_api_shape():
    item = scan()
    assert set(item.as_request()) == {"id", "payload", "scanned_at", "direction"}


def test_status_reads_a_live_outbox(outbox):
    from scanner.status import read_status, render_status

    outbox.add(scan())
    outbox.put_meta("health", {"fps": 29.5, "decode_rate": 28.0, "decode_errors": 0, "frames_dropped": 3,
                               "online": False, "saved_at": 0})
    status = read_status(str(outbox.path))
    assert status["queue_depth"] == 1 and status["fps"] == 29.5 and status["online"] is False
    assert "queue depth" in render_status(status)


def test_sqlite_error_is_not_swallowed_elsewhere(outbox):
    outbox.close()
    with pytest.raises((OutboxError, sqlite3.ProgrammingError)):
        outbox.add(scan())
