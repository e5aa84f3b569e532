"""One card held in front of the camera is one scan, not one per frame.

A payload counts again only when it differs from the last one, or when it has been out of sight
for longer than `gap_s` (the card was taken away and shown again). The server applies its own,
longer debounce per card; this one only stops a single presentation turning into a burst.
"""


class Debouncer:
    """Pure: the caller passes the time (monotonic seconds)."""

    def __init__(self, gap_s: float = 2.0):
        self.gap_s = gap_s
        self._last: str | None = None
        self._last_seen = float("-inf")

    def is_new(self, payload: str, now: float) -> bool:
        """True if this sighting is a new scan; every sighting extends the current presentation."""
        new = payload != self._last or now - self._last_seen > self.gap_s
        self._last, self._last_seen = payload, now
        return new
