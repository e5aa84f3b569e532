"""Tools for calling a slow or failing outside service: a circuit breaker, a TTL cache, single-flight.

Thread-safe (gunicorn runs several threads per worker); time comes from an injected monotonic
clock so the tests can move it instead of waiting.
"""
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]


class CircuitBreaker:
    """After `failures` failures in a row, refuse calls for `open_s` seconds, then allow one trial."""

    def __init__(self, failures: int, open_s: float, clock: Clock):
        self.threshold, self.open_s, self.clock = failures, open_s, clock
        self._lock = threading.Lock()
        self._failures = 0
        self._open_until: float | None = None
        self._trial_running = False

    def allow(self) -> bool:
        with self._lock:
            if self._open_until is None:
                return True
            if self.clock() < self._open_until or self._trial_running:
                return False
            self._trial_running = True  # half-open: this caller's call decides
            return True

    def cancel_trial(self) -> None:
        """An allowed call was not made after all (no slot free): a half-open trial passes to the
        next caller instead of leaving the breaker waiting for a result that never comes."""
        with self._lock:
            self._trial_running = False

    def record_success(self) -> None:
        with self._lock:
            self._failures, self._open_until, self._trial_running = 0, None, False

    def record_failure(self) -> bool:
        """Count a failure; True when this one opened (or re-opened) the breaker."""
        with self._lock:
            self._failures += 1
            opens = self._failures >= self.threshold or self._trial_running
            if opens:
                self._open_until = self.clock() + self.open_s
            self._trial_running = False
            return opens

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._open_until is not None

    @property
    def state(self) -> str:
        """closed, open or half_open (a trial call is running), for /metrics."""
        with self._lock:
            if self._open_until is None:
                return "closed"
            return "half_open" if self._trial_running else "open"

    @property
    def failing(self) -> bool:
        """The last call recorded failed (open or not): true until a call succeeds."""
        with self._lock:
            return self._failures > 0


class TTLCache:
    """A dict whose entries expire; not locked itself (the caller holds its own lock)."""

    PURGE_ABOVE = 10_000  # random card numbers typed in a loop must not grow memory forever

    def __init__(self, clock: Clock):
        self.clock = clock
        self._entries: dict = {}

    def get(self, key):
        entry = self._entries.get(key)
        if entry is None:
            return None
        value, expires_at = entry
        if self.clock() >= expires_at:
            del self._entries[key]
            return None
        return value

    def put(self, key, value, ttl_s: float) -> None:
        if ttl_s <= 0:
            return
        if len(self._entries) > self.PURGE_ABOVE:
            now = self.clock()
            self._entries = {k: e for k, e in self._entries.items() if e[1] > now}
        self._entries[key] = (value, self.clock() + ttl_s)

    def clear(self) -> None:
        self._entries.clear()


@dataclass
class Flight:
    """One call in progress; callers that arrive meanwhile wait for its result."""

    done: threading.Event = field(default_factory=threading.Event)
    result: object = None
