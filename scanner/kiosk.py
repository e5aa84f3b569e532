"""The kiosk's loop: capture → decode → debounce → outbox → server → screen, without one step waiting on another.

Three threads, each with one job. The capture loop (main thread, as highgui wants) reads frames and
hands the newest to the decoder: at most one decode is in flight and a frame that arrives while the
decoder is busy replaces the waiting one (a live camera) or waits its turn (files). The decoder
thread turns frames into payloads. The decision thread stores each new scan, asks the server and
puts the answer on screen (displays are thread-safe). The uploader thread sends whatever is still queued.
"""
import logging
import queue
import threading
import time
import uuid
from datetime import datetime

from scanner import display as screens
from scanner import i18n
from scanner.client import NotAuthorised, Refused, ServerUnavailable
from scanner.debounce import Debouncer
from scanner.outbox import OutboxError, QueuedScan

log = logging.getLogger("scanner.kiosk")

HEALTH_SAVE_S = 2.0


class FrameSlot:
    """A one-frame mailbox between capture and decoder: the newest frame wins on a live source."""

    def __init__(self):
        self._frame = None
        self._busy = False
        self._closed = False
        self._cond = threading.Condition()

    def put(self, frame, live: bool) -> bool:
        """Offer a frame; return False if it replaced a frame the decoder had not taken (dropped)."""
        with self._cond:
            if not live:
                self._cond.wait_for(lambda: self._frame is None and not self._busy)
            dropped = self._frame is not None
            self._frame = frame
            self._cond.notify_all()
            return not dropped

    def take(self):
        """The next frame for the decoder, or None once the slot is closed and empty."""
        with self._cond:
            self._cond.wait_for(lambda: self._frame is not None or self._closed)
            frame, self._frame = self._frame, None
            self._busy = frame is not None
            return frame

    def done(self) -> None:
        with self._cond:
            self._busy = False
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def wait_idle(self) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self._frame is None and not self._busy)


def local_now_iso() -> str:
    """The scan time with the kiosk's UTC offset, as the API wants it."""
    return datetime.now().astimezone().isoformat(timespec="milliseconds")


class Kiosk:
    """Wires the parts together; run() returns when the source ends (or on Ctrl-C)."""

    def __init__(self, config, source, decoder, outbox, client, uploader, display, health, clock=time.monotonic):
        self.config, self.source, self.decoder = config, source, decoder
        self.outbox, self.client, self.uploader = outbox, client, uploader
        self.display, self.health, self.clock = display, health, clock
        self.debouncer = Debouncer(config.debounce_gap_s)
        self.slot = FrameSlot()
        self.decisions: queue.Queue = queue.Queue()
        self.stop = threading.Event()
        self.kiosk = outbox.get_meta("kiosk", {}) or {}
        uploader.on_config = self.use_kiosk_config

    # --- configuration from the server ---------------------------------------------------------
    def use_kiosk_config(self, kiosk: dict) -> None:
        self.kiosk = kiosk or {}

    def languages(self) -> tuple[str, ...]:
        return i18n.kiosk_languages(tuple(self.kiosk.get("languages") or ()) + self.config.language_list())

    def idle_screen(self) -> screens.Screen:
        return self._screen("idle")

    # --- threads -------------------------------------------------------------------------------
    def run(self) -> int:
        threads = [threading.Thread(target=self._decode_loop, name="decode", daemon=True),
                   threading.Thread(target=self._decision_loop, name="decide", daemon=True),
                   threading.Thread(target=self.uploader.run, args=(self.stop, self.clock), name="upload", daemon=True)]
        for thread in threads:
            thread.start()
        self.display.show(self.idle_screen())
        self.outbox.purge_refused(self.config.refused_keep_days * 86400, time.time())
        try:
            self._capture_loop()
            self._finish()
        except KeyboardInterrupt:
            log.info("interrupted")
        finally:
            self.stop.set()
            self.uploader.wake.set()
            self.slot.close()
            self.decisions.put(None)
            for thread in threads:
                thread.join(timeout=self.config.request_timeout_s + 2)
            self._save_health()
            self.display.close()
        log.info("stopped: frames=%d decodes=%d decode_errors=%d dropped=%d scans=%d queued=%d",
                 self.health.frames_total, self.health.decodes_total, self.health.decode_errors,
                 self.health.frames_dropped, self.health.scans_total, self.outbox.depth())
        return 0

    def _capture_loop(self) -> None:
        items = self._lines_in_background() if self.source.kind == "lines" else iter(self.source)
        saved_at, online = self.clock(), self.health.online
        for item in items:
            if item is not None:  # None: no frame, just time to refresh the screen (hid)
                self.health.frame()
                if not self.slot.put(item, live=self.source.live):
                    self.health.dropped()
            self.display.frame(item)
            if online != self.health.online:  # the offline badge follows the server's reachability
                online = self.health.online
                self.display.show(self.idle_screen())
            if self.clock() - saved_at > HEALTH_SAVE_S:
                self._save_health()
                saved_at = self.clock()

    def _lines_in_background(self, tick_s: float = 0.05):
        """A handheld scanner's lines are read on their own thread (stdin blocks); meanwhile this
        yields None every tick so the window keeps drawing and the badge keeps up to date."""
        finished = threading.Event()

        def read_lines():
            try:
                for line in self.source:
                    self._offer(line)
            finally:
                finished.set()

        threading.Thread(target=read_lines, name="hid", daemon=True).start()
        while not finished.wait(tick_s):
            yield None

    def _finish(self) -> None:
        """The source has ended: let every frame and decision finish; drain the queue if asked to."""
        self.slot.wait_idle()
        self.decisions.join()
        if not self.config.exit_when_done:
            log.info("source ended; still sending queued scans (Ctrl-C stops)")
            while not self.stop.wait(HEALTH_SAVE_S):
                self._save_health()
            return
        self.uploader.wake.set()
        deadline = self.clock() + self.config.drain_timeout_s
        while self.outbox.depth() and self.clock() < deadline:
            time.sleep(0.1)
        if self.outbox.depth():
            log.warning("%d scans still queued; they are sent on the next start", self.outbox.depth())

    def _decode_loop(self) -> None:
        while True:
            frame = self.slot.take()
            if frame is None:
                return
            try:
                result = self.decoder.decode(frame)
                self.health.decoded()
                for payload in result.payloads:
                    self._offer(payload)
            except Exception:  # a decoder bug must not stop the gate: count it and go on
                self.health.decode_failed()
                log.exception("decoder failed on a frame")
            finally:
                self.slot.done()

    def _offer(self, payload: str) -> None:
        if self.debouncer.is_new(payload, self.clock()):
            self.decisions.put(payload)

    def _decision_loop(self) -> None:
        while True:
            payload = self.decisions.get()
            try:
                if payload is None:
                    return
                screen, answered = self.decide(payload)
                self.display.show(screen)  # straight to the screen: no wait for the next frame
                self.settle(answered)
            except Exception:
                log.exception("deciding a scan failed")
                self.display.show(self._screen("error", error="outbox_failed"))
            finally:
                self.decisions.task_done()

    # --- one scan ------------------------------------------------------------------------------
    def register(self, payload: str) -> screens.Screen:
        """Store the scan, ask the server, settle the outbox; the screen says only what is true."""
        screen, answered = self.decide(payload)
        self.settle(answered)
        return screen

    def decide(self, payload: str) -> tuple[screens.Screen, str | None]:
        """The screen for a new scan, and the id the server answered for (None if it did not).

        The scan is durable before anything else happens. Removing an answered scan from the
        outbox (settle) is left to the caller, after the screen: that costs a disk sync the
        worker need not wait for, and a crash in between only means one harmless resend.
        """
        scan = QueuedScan(id=str(uuid.uuid4()), payload=payload, scanned_at=local_now_iso(), direction="auto")
        in_flight = self.uploader.in_flight
        in_flight.add(scan.id)  # before it is stored: the uploader must not send it at the same time
        try:
            self.outbox.add(scan)
        except OutboxError as error:
            in_flight.discard(scan.id)
            log.error("outbox write failed, scan NOT registered: %s", error)
            return self._screen("error", error="outbox_failed"), None
        self.health.scans_total += 1
        if self.health.online is False:
            in_flight.discard(scan.id)
            return self._screen("queued"), None  # the uploader is retrying; don't make the worker wait
        try:
            result = self.client.send_scan(scan.as_request())
        except ServerUnavailable:
            in_flight.discard(scan.id)
            self.health.online = False
            return self._screen("queued"), None
        except NotAuthorised:
            in_flight.discard(scan.id)
            self.health.authorised = False
            return self._screen("error", error="kiosk_not_authorised"), None
        except Refused as error:
            in_flight.discard(scan.id)
            self.outbox.refuse(scan.id, str(error))
            return self._screen("error", error="server_refused"), None
        self.health.online = True
        return self.screen_for(result), scan.id

    def settle(self, answered: str | None) -> None:
        """The server has this scan: it leaves the outbox (and the uploader may see it again).

        The answer on the screen is true whatever happens here: if the outbox cannot be written
        (disk full), the scan just stays queued and is sent again later, harmlessly."""
        if answered is None:
            return
        try:
            self.outbox.acknowledge([answered])
        except OutboxError as error:
            log.error("an answered scan stays queued (outbox write failed, it is sent again): %s", error)
        finally:
            self.uploader.in_flight.discard(answered)

    def screen_for(self, result: dict) -> screens.Screen:
        person = result.get("person") or {}
        return self._screen(
            "accepted" if result.get("decision") == "accepted" else "rejected",
            name=person.get("name", ""), employer=person.get("employer", ""),
            direction=result.get("direction"), reason=result.get("reason", ""),
            warnings=tuple(result.get("warnings") or ()), server_message=result.get("message") or {},
            link=result.get("induction_url") or "")

    def _screen(self, kind: str, **values) -> screens.Screen:
        site = self.kiosk.get("site") or {}
        return screens.Screen(kind=kind, languages=self.languages(), offline=self.health.online is False,
                              privacy_notice=self.kiosk.get("privacy_notice") or {},
                              site_name=site.get("name", ""),
                              handheld=getattr(self.source, "kind", "frames") == "lines", **values)

    def _save_health(self) -> None:
        try:
            self.outbox.put_meta("health", {**self.health.snapshot(), "saved_at": time.time()})
        except Exception:  # health is informative; never let it stop the gate
            log.exception("could not save health figures")
