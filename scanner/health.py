"""How well the kiosk is doing, for `scanner status`, the heartbeat and the web UI's "kiosk down" view."""
import threading
import time
from collections import deque

WINDOW_S = 10.0  # rates are over the last ten seconds


class Health:
    """Counters shared by the capture, decode and upload threads (all updates under one lock)."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._frames: deque = deque()
        self._decodes: deque = deque()
        self.frames_total = 0
        self.decodes_total = 0
        self.decode_errors = 0
        self.frames_dropped = 0
        self.scans_total = 0
        self.last_sync_at: str | None = None
        self.online: bool | None = None  # unknown until the first contact
        self.authorised = True

    def frame(self) -> None:
        with self._lock:
            self.frames_total += 1
            self._push(self._frames)

    def decoded(self) -> None:
        with self._lock:
            self.decodes_total += 1
            self._push(self._decodes)

    def decode_failed(self) -> None:
        with self._lock:
            self.decode_errors += 1

    def dropped(self) -> None:
        with self._lock:
            self.frames_dropped += 1

    def fps(self) -> float:
        with self._lock:
            return self._rate(self._frames)

    def decode_rate(self) -> float:
        """Frames decoded per second (at most fps: stale frames are skipped, not queued)."""
        with self._lock:
            return self._rate(self._decodes)

    def snapshot(self) -> dict:
        return {"fps": round(self.fps(), 1), "decode_rate": round(self.decode_rate(), 1),
                "frames": self.frames_total, "frames_dropped": self.frames_dropped,
                "decodes": self.decodes_total, "decode_errors": self.decode_errors,
                "scans": self.scans_total, "last_sync_at": self.last_sync_at, "online": self.online,
                "authorised": self.authorised}

    def _push(self, times: deque) -> None:
        now = self._clock()
        times.append(now)
        while times and now - times[0] > WINDOW_S:
            times.popleft()

    def _rate(self, times: deque) -> float:
        now = self._clock()
        while times and now - times[0] > WINDOW_S:
            times.popleft()
        if len(times) < 2:
            return 0.0
        return (len(times) - 1) / max(now - times[0], 1e-6)
