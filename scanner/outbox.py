"""The kiosk's durable queue: every scan is on disk before it is sent, and leaves only when acknowledged.

SQLite in WAL mode with synchronous=FULL: a committed add() survives kill -9 and power loss. The
server de-duplicates by the scan's UUID, so sending an event twice (a crash between "sent" and
"acknowledged") is harmless, while losing one is not. The same file keeps the kiosk's last known
configuration and its health figures, so `python -m scanner status` can read them from outside.
"""
import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS scans (
    id TEXT PRIMARY KEY,
    payload TEXT NOT NULL,
    scanned_at TEXT NOT NULL,
    direction TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',   -- pending | refused (the server said 422: never retried)
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    queued_at REAL NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS REAL))  -- unix seconds
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class OutboxError(Exception):
    """The queue could not store a scan (disk full, read-only, corrupt): nothing was registered."""


@dataclass(frozen=True)
class QueuedScan:
    id: str
    payload: str
    scanned_at: str
    direction: str

    def as_request(self) -> dict:
        return {"id": self.id, "payload": self.payload, "scanned_at": self.scanned_at,
                "direction": self.direction}


class Outbox:
    """Thread-safe: the decision path and the uploader share one connection behind a lock."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None,
                                   timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)

    def add(self, scan: QueuedScan) -> None:
        """Store a scan durably; raises OutboxError if it could not be stored."""
        try:
            with self._lock, self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute("INSERT OR IGNORE INTO scans (id, payload, scanned_at, direction) VALUES (?, ?, ?, ?)",
                                 (scan.id, scan.payload, scan.scanned_at, scan.direction))
        except sqlite3.Error as error:
            raise OutboxError(str(error)) from error

    def pending(self, limit: int = 500) -> list[QueuedScan]:
        """The oldest unacknowledged scans, in the order they were made."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, payload, scanned_at, direction FROM scans WHERE state = 'pending' "
                "ORDER BY rowid LIMIT ?", (limit,)).fetchall()
        return [QueuedScan(*row) for row in rows]

    def acknowledge(self, scan_ids) -> None:
        """The server has the scans: they leave the queue. OutboxError if that cannot be written
        (they then stay queued and are sent again; the server de-duplicates)."""
        try:
            with self._lock, self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.executemany("DELETE FROM scans WHERE id = ?", [(i,) for i in scan_ids])
        except sqlite3.Error as error:
            raise OutboxError(str(error)) from error

    def refuse(self, scan_id: str, reason: str) -> None:
        """The server will never accept this scan (invalid field): keep it for support, stop sending."""
        with self._lock, self._db:
            self._db.execute("UPDATE scans SET state = 'refused', last_error = ? WHERE id = ?", (reason, scan_id))

    def purge_refused(self, older_than_s: float, now: float) -> int:
        """Forget refused scans after a while: they hold raw QR text, and nobody will send them."""
        with self._lock, self._db:
            return self._db.execute("DELETE FROM scans WHERE state = 'refused' AND queued_at < ?",
                                    (now - older_than_s,)).rowcount

    def record_attempt(self, scan_ids, error: str) -> None:
        with self._lock, self._db:
            self._db.executemany("UPDATE scans SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                                 [(error, i) for i in scan_ids])

    def depth(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM scans WHERE state = 'pending'").fetchone()[0]

    def refused_count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM scans WHERE state = 'refused'").fetchone()[0]

    def put_meta(self, key: str, value) -> None:
        with self._lock, self._db:
            self._db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                             "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, json.dumps(value)))

    def get_meta(self, key: str, default=None):
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def close(self) -> None:
        with self._lock:
            self._db.close()
