"""The kiosk's own logic with a fake server behind our client interface (the real server is in
tests/e2e/test_scanner_e2e.py): debounce, the decision path, the uploader, frame hand-over, HID."""
import io
import threading
import time

import numpy as np
import pytest

from scanner.client import NotAuthorised, Refused, ServerUnavailable
from scanner.config import Config
from scanner.debounce import Debouncer
from scanner.health import Health
from scanner.kiosk import FrameSlot, Kiosk
from scanner.outbox import Outbox
from scanner.sources import HidSource, ImagesSource, SourceError, open_source
from scanner.uploader import Uploader, backoff_delays

ACCEPTED = {"decision": "accepted", "direction": "in", "reason": "ok", "message": {"nb": "OK", "en": "OK"},
            "person": {"name": "Kari Nordmann", "employer": "Nordbygg AS"}, "card": None, "verified": True,
            "warnings": []}


class FakeServer:
    """Implements KioskClient's methods; `down` makes every call fail like a dead network."""

    def __init__(self):
        self.down, self.refuse_token = False, False
        self.stored: dict = {}
        self.batches: list = []
        self.heartbeats: list = []

    def _check(self):
        if self.down:
            raise ServerUnavailable("ConnectionError")
        if self.refuse_token:
            raise NotAuthorised("bad token")

    def send_scan(self, scan):
        self._check()
        return self.stored.setdefault(scan["id"], {**ACCEPTED, "id": scan["id"]})

    def send_batch(self, scans):
        self._check()
        self.batches.append([s["id"] for s in scans])
        return [self.send_scan(s) if s["payload"] != "bad" else {"id": s["id"], "error": "invalid_field", "message": "no"}
                for s in scans]

    def kiosk_config(self):
        self._check()
        return {"name": "Hovedport", "languages": ["nb", "en", "pl"], "site": {"name": "Kvartal"},
                "privacy_notice": {"nb": "P", "en": "P"}}

    def heartbeat(self, health):
        self._check()
        self.heartbeats.append(health)


class Recorder:
    def __init__(self):
        self.screens = []

    def show(self, screen):
        self.screens.append(screen)

    def frame(self, frame):
        pass

    def close(self):
        pass


@pytest.fixture
def parts(tmp_path):
    config = Config(outbox=str(tmp_path / "o.sqlite3"), backoff_min_s=0.01, backoff_max_s=0.05,
                    sync_interval_s=0.05, exit_when_done=True, drain_timeout_s=5)
    outbox, server, health = Outbox(config.outbox), FakeServer(), Health()
    uploader = Uploader(outbox, server, health, config, version="test")
    yield config, outbox, server, health, uploader
    outbox.close()


def make_kiosk(parts, source=None, decoder=None):
    config, outbox, server, health, uploader = parts
    return Kiosk(config, source or [], decoder, outbox, server, uploader, Recorder(), health)


def test_debounce_one_presentation_is_one_scan():
    debouncer = Debouncer(gap_s=2.0)
    seen = [debouncer.is_new(p, t) for p, t in [("A", 0), ("A", 0.5), ("A", 1.9), ("A", 3.5), ("B", 3.6),
                                                   ("A", 3.7), ("A", 10.0)]]
    assert seen == [True, False, False, False, True, True, True]


def test_online_scan_is_shown_and_leaves_the_queue(parts):
    kiosk = make_kiosk(parts)
    screen = kiosk.register("https://hmskort.no/v/abc")
    assert (screen.kind, screen.name, screen.direction, screen.offline) == ("accepted", "Kari Nordmann", "in", False)
    assert parts[1].depth() == 0


def test_offline_scan_is_queued_and_says_so_without_a_decision(parts):
    parts[2].down = True
    kiosk = make_kiosk(parts)
    screen = kiosk.register("https://hmskort.no/v/abc")
    assert screen.kind == "queued" and screen.offline and screen.reason == ""
    assert parts[1].depth() == 1


def test_outbox_failure_is_shown_and_nothing_is_sent(parts):
    outbox, server = parts[1], parts[2]
    outbox._db.execute("PRAGMA max_page_count = %d" % outbox._db.execute("PRAGMA page_count").fetchone()[0])
    kiosk = make_kiosk(parts)
    screen = kiosk.register("https://hmskort.no/v/" + "x" * 20000)
    assert (screen.kind, screen.error) == ("error", "outbox_failed")
    assert server.stored == {}


def test_bad_token_keeps_the_scan_and_says_so(parts):
    parts[2].refuse_token = True
    screen = make_kiosk(parts).register("https://hmskort.no/v/abc")
    assert (screen.kind, screen.error) == ("error", "kiosk_not_authorised") and parts[1].depth() == 1


def test_refused_scan_is_not_retried(parts):
    class Refusing(FakeServer):
        def send_scan(self, scan):
            raise Refused(422, "invalid_field", "payload")

    config, outbox, _, health, uploader = parts
    kiosk = Kiosk(config, [], None, outbox, Refusing(), uploader, Recorder(), health)
    assert kiosk.register("x").error == "server_refused"
    assert outbox.depth() == 0 and outbox.refused_count() == 1


def test_uploader_sends_queued_scans_once_the_server_is_back(parts):
    config, outbox, server, health, uploader = parts
    server.down = True
    kiosk = make_kiosk(parts)
    ids = [kiosk.register(f"https://hmskort.no/v/{n}") and None for n in range(3)]
    assert outbox.depth() == 3 and len(ids) == 3
    with pytest.raises(ServerUnavailable):
        uploader.sync_once(0.0)
    server.down = False
    assert uploader.sync_once(1.0) == 3
    assert outbox.depth() == 0 and len(server.stored) == 3


def test_uploader_refuses_items_the_server_refuses_and_keeps_going(parts):
    config, outbox, server, health, uploader = parts
    server.down = True
    kiosk = make_kiosk(parts)
    kiosk.register("bad")
    kiosk.register("good")
    server.down = False
    assert uploader.sync_once(0.0) == 1
    assert outbox.depth() == 0 and outbox.refused_count() == 1


def wait_until(condition, timeout: float = 5.0) -> bool:
    """True as soon as the condition holds (another thread makes it so), False after the timeout."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_uploader_loop_backs_off_then_delivers_and_heartbeats(parts):
    config, outbox, server, health, uploader = parts
    server.down = True
    make_kiosk(parts).register("https://hmskort.no/v/1")
    stop = threading.Event()
    thread = threading.Thread(target=uploader.run, args=(stop, time.monotonic))
    thread.start()
    try:
        assert wait_until(lambda: health.online is False)  # it tried, failed and backs off
        assert outbox.depth() == 1
        server.down = False
        wait_until(lambda: not outbox.depth() and server.heartbeats)
    finally:
        stop.set()
        uploader.wake.set()
        thread.join(5)
    assert outbox.depth() == 0 and health.online is True
    assert server.heartbeats[-1]["queue_depth"] == 0 and server.heartbeats[-1]["version"] == "test"
    assert outbox.get_meta("kiosk")["name"] == "Hovedport"


def test_backoff_doubles_up_to_the_maximum():
    delays = backoff_delays(1, 8, rng=lambda: 0.0)
    assert [next(delays) for _ in range(6)] == [1, 2, 4, 8, 8, 8]


def test_kiosk_languages_follow_the_server_config(parts):
    kiosk = make_kiosk(parts)
    kiosk.use_kiosk_config({"languages": ["nb", "lt"]})
    assert kiosk.languages() == ("nb", "en", "lt")


def test_frame_slot_drops_stale_frames_on_a_live_source():
    slot = FrameSlot()
    assert slot.put("frame1", live=True) is True
    assert slot.put("frame2", live=True) is False  # frame1 was never decoded: dropped
    assert slot.take() == "frame2"


def test_frame_slot_makes_file_sources_wait_their_turn():
    slot, taken = FrameSlot(), []

    def decoder():
        while (frame := slot.take()) is not None:
            time.sleep(0.01)
            taken.append(frame)
            slot.done()

    thread = threading.Thread(target=decoder)
    thread.start()
    for n in range(5):
        assert slot.put(n, live=False)
    slot.wait_idle()
    slot.close()
    thread.join(5)
    assert taken == [0, 1, 2, 3, 4]


def test_decoder_exceptions_are_counted_not_fatal(parts):
    class Flaky:
        calls = 0

        def decode(self, frame):
            Flaky.calls += 1
            if Flaky.calls % 2:
                raise RuntimeError("boom")
            from scanner.decode import DecodeResult
            return DecodeResult(payloads=(f"https://hmskort.no/v/{Flaky.calls}",))

    class Frames:
        live, kind = False, "frames"

        def __iter__(self):
            return iter([np.zeros((4, 4), np.uint8)] * 6)

    kiosk = make_kiosk(parts, Frames(), Flaky())
    assert kiosk.run() == 0
    assert kiosk.health.decode_errors == 3 and kiosk.health.scans_total == 3
    assert [s.kind for s in kiosk.display.screens if s.kind != "idle"] == ["accepted"] * 3


def test_hid_lines_are_scans_and_blank_lines_are_ignored(parts):
    source = HidSource(io.StringIO("40000000\r\n\n   \nhttps://hmskort.no/v/abc\n40000000\n"))
    assert list(source) == ["40000000", "https://hmskort.no/v/abc", "40000000"]
    kiosk = make_kiosk(parts, HidSource(io.StringIO("40000000\nhttps://hmskort.no/v/abc\n")))
    assert kiosk.run() == 0
    assert len(parts[2].stored) == 2
    assert [s.kind for s in kiosk.display.screens if s.kind != "idle"] == ["accepted", "accepted"]


def test_source_specs_are_checked(tmp_path):
    assert isinstance(open_source(f"images:{tmp_path}"), ImagesSource)
    for bad in ("camera:x", "images:/no/such/dir", "video:/no/such.mp4", "webcam"):
        with pytest.raises(SourceError):
            open_source(bad)
