"""The emulator's state: card records, the fault mode the tests set, and a count of lookups."""
import json
import random
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

# The statuses and card types the service is known to use. The emulator serves any other word too
# (e.g. "card_type": "transport"), so that the app's handling of what it does not know is tested end to end.
STATUSES = ("valid", "not_valid", "expired", "blocked", "lost", "stolen", "confiscated", "destroyed")
CARD_TYPES = ("construction", "cleaning")
FAULT_MODES = ("ok", "down", "error", "garbage", "hang", "flaky", "drip")


class InvalidRecord(ValueError):
    """A card record or fault setting the emulator refuses (answered with 400)."""


@dataclass(frozen=True)
class Faults:
    mode: str = "ok"
    latency_ms: int = 0
    error_rate: float = 0.0
    byte_delay_ms: int = 0  # `drip`: the pause before each byte of the answer


def validate_card(record: dict) -> dict:
    """Check a card record's shape so the emulator only ever serves well-formed answers."""
    if not isinstance(record, dict):
        raise InvalidRecord("a card record must be a JSON object")
    number = record.get("card_number")
    if not isinstance(number, str) or not number.isalnum() or len(number) > 32:
        raise InvalidRecord("card_number must be letters and digits")
    if not _word(record.get("status")):
        raise InvalidRecord(f"status must be a word, such as {', '.join(STATUSES)}")
    if not _word(record.get("card_type", "construction")):
        raise InvalidRecord(f"card_type must be a word, such as {', '.join(CARD_TYPES)}")
    _iso_date(record.get("issued_on"), "issued_on")
    if record.get("valid_to") is not None:  # a card without an expiry date: two years from issue (§ 8)
        _iso_date(record["valid_to"], "valid_to")
    holder, employer = record.get("holder"), record.get("employer")
    if not isinstance(holder, dict) or not all(isinstance(holder.get(k), str) for k in ("first_name", "last_name")):
        raise InvalidRecord("holder needs first_name and last_name")
    _iso_date(holder.get("birth_date"), "holder.birth_date")
    if not isinstance(employer, dict) or not all(isinstance(employer.get(k), str) for k in ("name", "org_number")):
        raise InvalidRecord("employer needs name and org_number")
    token = record.get("qr_token")
    if token is not None and not isinstance(token, str):
        raise InvalidRecord("qr_token must be a string")
    return {"card_type": "construction", "status_reason": "", **record}


def _word(value) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 40 and value.strip() == value


def _iso_date(value, field: str) -> None:
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidRecord(f"{field} must be an ISO date (YYYY-MM-DD)") from None


def validate_faults(body) -> Faults:
    if not isinstance(body, dict) or body.get("mode", "ok") not in FAULT_MODES:
        raise InvalidRecord(f"mode must be one of {', '.join(FAULT_MODES)}")
    try:
        latency = int(body.get("latency_ms", 0))
        rate = float(body.get("error_rate", 0.0))
        byte_delay = int(body.get("byte_delay_ms", 20 if body.get("mode") == "drip" else 0))
    except (TypeError, ValueError):
        raise InvalidRecord("latency_ms and byte_delay_ms must be whole numbers and error_rate a number") from None
    if not 0 <= latency <= 120_000 or not 0.0 <= rate <= 1.0 or not 0 <= byte_delay <= 60_000:
        raise InvalidRecord("latency_ms must be 0..120000, error_rate 0..1 and byte_delay_ms 0..60000")
    return Faults(body.get("mode", "ok"), latency, rate, byte_delay)


class CardStore:
    """Thread-safe: the HTTP server answers every request on its own thread."""

    def __init__(self, cards: list[dict] | None = None, seed: int | None = None):
        self._lock = threading.Lock()
        self._cards: dict[str, dict] = {}
        self._by_qr: dict[str, str] = {}  # QR token -> card number: a lookup must not walk the register
        self._calls = 0
        self._random = random.Random(seed)
        self.faults = Faults()
        for record in cards or []:
            self.put(validate_card(record))

    @classmethod
    def from_file(cls, path: str) -> "CardStore":
        """Load {"cards": [...]} as `flask demo seed` writes it; a missing file is an empty register."""
        file = Path(path)
        if not file.exists():
            return cls()
        data = json.loads(file.read_text(encoding="utf-8"))
        return cls(data.get("cards", []) if isinstance(data, dict) else [])

    def put(self, record: dict) -> None:
        with self._lock:
            number = record["card_number"]
            self._forget_token(number)
            self._cards[number] = record
            if record.get("qr_token"):
                self._by_qr.setdefault(record["qr_token"], number)

    def delete(self, card_number: str) -> bool:
        with self._lock:
            self._forget_token(card_number)
            return self._cards.pop(card_number, None) is not None

    def _forget_token(self, card_number: str) -> None:
        token = (self._cards.get(card_number) or {}).get("qr_token")
        if token and self._by_qr.get(token) == card_number:
            del self._by_qr[token]

    def by_number(self, card_number: str) -> dict | None:
        with self._lock:
            return self._cards.get(card_number)

    def by_qr_token(self, token: str) -> dict | None:
        with self._lock:
            number = self._by_qr.get(token)
            return self._cards[number] if number is not None else None

    def count_call(self) -> None:
        with self._lock:
            self._calls += 1

    def calls(self) -> int:
        with self._lock:
            return self._calls

    def reset_calls(self) -> None:
        with self._lock:
            self._calls = 0

    def roll_failure(self) -> bool:
        """For `flaky`: does this call fail?"""
        with self._lock:
            return self._random.random() < self.faults.error_rate
