"""The sync loop: send queued scans in batches until the server has them all, backing off when it is away.

It runs in its own thread and is the only place that retries. A scan leaves the outbox only after
the server's answer for its id; an answer lost on the way (kill -9, a dropped connection) just means
the scan is sent again and the server returns the result it stored the first time.
"""
import logging
import random
import sqlite3
import threading
from datetime import datetime, timezone

from scanner.client import NotAuthorised, Refused, ServerUnavailable
from scanner.outbox import OutboxError

log = logging.getLogger("scanner.uploader")

TRANSIENT_ITEM_ERRORS = {"busy", "server_unavailable", "unavailable"}
CONFIG_REFRESH_S = 300.0


def backoff_delays(minimum: float, maximum: float, rng=random.random):
    """1, 2, 4 … seconds up to the maximum, each with up to 20 % jitter so kiosks don't retry in step."""
    delay = minimum
    while True:
        yield min(maximum, delay) * (1 + 0.2 * rng())
        delay = min(maximum, delay * 2)


def utc_now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class Uploader:
    """Sends the outbox's pending scans; reports health with every contact."""

    def __init__(self, outbox, client, health, config, version: str, in_flight=None, on_config=None):
        self.outbox, self.client, self.health, self.config = outbox, client, health, config
        self.version = version
        self.in_flight = in_flight if in_flight is not None else set()  # scans the live path is sending
        self.on_config = on_config or (lambda kiosk: None)
        self.batch_size = config.batch_size
        self.wake = threading.Event()
        self._config_fetched_at = None

    def sync_once(self, now: float) -> int:
        """Send one batch; return how many scans the server acknowledged. Raises on no contact."""
        self._refresh_config(now)
        batch = [scan for scan in self.outbox.pending(self.batch_size) if scan.id not in self.in_flight]
        if not batch:
            return 0
        try:
            results = self.client.send_batch([scan.as_request() for scan in batch])
        except Refused as error:
            if error.status == 413 and self.batch_size > 1:
                self.batch_size = max(1, self.batch_size // 2)  # body too large: smaller batches
                return 0
            raise
        return self._apply_results(batch, results)

    def _apply_results(self, batch, results) -> int:
        done = []
        for scan, result in zip(batch, results):
            error = result.get("error")
            if error is None:
                done.append(scan.id)
            elif error in TRANSIENT_ITEM_ERRORS:
                self.outbox.record_attempt([scan.id], error)
            else:
                log.warning("server refused queued scan %s: %s", scan.id, error)
                self.outbox.refuse(scan.id, f"{error}: {result.get('message', '')}")
        self.outbox.acknowledge(done)
        return len(done)

    def _refresh_config(self, now: float) -> None:
        if self._config_fetched_at is not None and now - self._config_fetched_at < CONFIG_REFRESH_S:
            return
        kiosk = self.client.kiosk_config()
        self._config_fetched_at = now
        self.outbox.put_meta("kiosk", kiosk)
        self.on_config(kiosk)

    def heartbeat(self) -> None:
        self.client.heartbeat({"queue_depth": self.outbox.depth(), "fps": round(self.health.fps(), 2),
                               "decode_rate": round(self.health.decode_rate(), 2),
                               "last_sync_at": self.health.last_sync_at, "version": self.version})

    def run(self, stop: threading.Event, clock) -> None:
        """Loop until stop is set: drain the queue, heartbeat, wait; back off while the server is away."""
        delays = None
        while not stop.is_set():
            try:
                sent = self.sync_once(clock())
                self._contact_ok()
                if sent:
                    continue  # more may be waiting
                self.heartbeat()
                delays, wait = None, self.config.sync_interval_s
            except ServerUnavailable as error:
                self._contact_failed(str(error))
                delays = delays or backoff_delays(self.config.backoff_min_s, self.config.backoff_max_s)
                wait = next(delays)
            except NotAuthorised as error:
                log.error("the server refused this kiosk's token: %s", error)
                self.health.authorised = False
                wait = self.config.backoff_max_s
            except Refused as error:
                log.error("the server refused a batch: %s", error)
                wait = self.config.backoff_max_s
            except (OutboxError, sqlite3.Error) as error:  # e.g. disk full: keep the loop alive, try again
                log.error("the outbox could not be written: %s", error)
                wait = self.config.backoff_max_s
            self.wake.wait(wait)
            self.wake.clear()

    def _contact_ok(self) -> None:
        self.health.online, self.health.authorised = True, True
        self.health.last_sync_at = utc_now_iso()
        self.outbox.put_meta("last_sync_at", self.health.last_sync_at)

    def _contact_failed(self, reason: str) -> None:
        if self.health.online is not False:
            log.warning("server unavailable (%s); scans stay queued", reason)
        self.health.online = False
