"""What the emulator holds: what it accepted, in order, and the fault mode; plus the two APIs' validation.

The validation follows the public documentation (https://www.hmsreg.com/api,
https://elrapp-api.atlas.vegvesen.no/docs/dok/Oversiktsliste.html) and is strict where it says
nothing: a field neither API documents is refused, so a client that sends more than it should fails here.
"""
import random
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime

FAULT_MODES = ("ok", "down", "error", "garbage", "hang", "flaky")
HMSREG_FIELDS = ("Kortnr", "Retning", "Tidspunkt", "Navn", "Orgnr", "HmsRegnr", "Kilde", "Korttype",
                 "Fødselsdato", "ExternalRef")
HMSREG_REQUIRED = ("Kortnr", "Retning", "Tidspunkt", "HmsRegnr", "ExternalRef")
ELRAPP_REQUIRED = ("Kortnummer", "KontraktId", "Fornavn", "Etternavn", "Orgnummer", "Fdato", "HmsUtlopsdato")
ELRAPP_DATES = ("DatoInn", "DatoUt", "Dato", "Timer")
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")


class Invalid(ValueError):
    """A request the API refuses with 400; the message is the API's own words."""


@dataclass(frozen=True)
class Credentials:
    hmsreg_user: str = "portvakt"
    hmsreg_password: str = "dev-password"
    elrapp_key: str = "dev-key"


@dataclass(frozen=True)
class Faults:
    mode: str = "ok"
    latency_ms: int = 0
    error_rate: float = 0.0


def validate_faults(body) -> Faults:
    if not isinstance(body, dict) or body.get("mode", "ok") not in FAULT_MODES:
        raise Invalid(f"mode must be one of {', '.join(FAULT_MODES)}")
    try:
        latency, rate = int(body.get("latency_ms", 0)), float(body.get("error_rate", 0.0))
    except (TypeError, ValueError):
        raise Invalid("latency_ms must be a whole number and error_rate a number") from None
    if not 0 <= latency <= 120_000 or not 0.0 <= rate <= 1.0:
        raise Invalid("latency_ms must be 0..120000 and error_rate 0..1")
    return Faults(body.get("mode", "ok"), latency, rate)


def validate_registration(body) -> dict:
    """One HMSREG registration; raises Invalid with HMSREG's message ("Missing required field Kortnr")."""
    if not isinstance(body, dict):
        raise Invalid("Expected one registration (a JSON object)")
    for name in HMSREG_REQUIRED:
        if body.get(name) in (None, ""):
            raise Invalid(f"Missing required field {name}")
    unknown = sorted(set(body) - set(HMSREG_FIELDS))
    if unknown:
        raise Invalid(f"Unknown field {unknown[0]}")
    if not isinstance(body["Kortnr"], str) or len(body["Kortnr"]) > 8:
        raise Invalid("Kortnr must be a string of at most 8 characters")
    if body["Retning"] not in ("Ankomst", "Avreise"):
        raise Invalid("Retning must be Ankomst or Avreise")
    if not isinstance(body["Tidspunkt"], str) or not LOCAL_TIME.match(body["Tidspunkt"]):
        raise Invalid("Tidspunkt must be a local ISO time")
    if not isinstance(body["ExternalRef"], str) or not GUID.match(body["ExternalRef"]):
        raise Invalid("ExternalRef must be a GUID")
    if body.get("Korttype") not in (None, "HMS"):
        raise Invalid("Korttype must be HMS")
    return body


def validate_day_list(contract_id: str, body) -> list:
    """An ELRAPP oversiktsliste: a list of records for the contract in the path."""
    if not isinstance(body, list) or not body:
        raise Invalid("Expected a non-empty list of records")
    for index, item in enumerate(body):
        _validate_item(contract_id, index, item)
    return body


def _validate_item(contract_id: str, index: int, item) -> None:
    where = f"record {index}"
    if not isinstance(item, dict):
        raise Invalid(f"{where}: expected an object")
    missing = [name for name in ELRAPP_REQUIRED if item.get(name) in (None, "")]
    unknown = sorted(set(item) - set(ELRAPP_REQUIRED) - set(ELRAPP_DATES))
    if missing or unknown:
        raise Invalid(f"{where}: " + (f"{missing[0]} is required" if missing else f"unknown property {unknown[0]}"))
    if not isinstance(item["Kortnummer"], int) or not isinstance(item["KontraktId"], int):
        raise Invalid(f"{where}: Kortnummer and KontraktId are integers")
    if str(item["KontraktId"]) != contract_id:
        raise Invalid(f"{where}: KontraktId differs from the contract in the path")
    if not re.fullmatch(r"\d{9}", str(item["Orgnummer"])):
        raise Invalid(f"{where}: Orgnummer is nine digits")
    for name in ("Fdato", "HmsUtlopsdato"):
        _iso_date(item[name], f"{where}: {name}")
    given = tuple(name for name in ELRAPP_DATES if item.get(name) is not None)
    if given not in (("DatoInn", "DatoUt"), ("Dato", "Timer"), ("Dato",)):
        raise Invalid(f"{where}: send DatoInn and DatoUt, Dato and Timer, or Dato alone")
    for name in ("DatoInn", "DatoUt", "Dato"):
        if item.get(name) is not None and not (isinstance(item[name], str) and LOCAL_TIME.match(item[name])):
            raise Invalid(f"{where}: {name} is a date and time")


def _iso_date(value, what: str) -> None:
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        raise Invalid(f"{what} is a date (YYYY-MM-DD)") from None


class RegisterStore:
    """Thread-safe: the HTTP server answers every request on its own thread."""

    def __init__(self, seed: int | None = None):
        self._lock = threading.Lock()
        self._received: list[dict] = []
        self._refs: set[str] = set()
        self._repeats = 0  # registrations sent again with an ExternalRef already taken
        self._random = random.Random(seed)
        self.faults = Faults()

    def accept_registration(self, body: dict) -> bool:
        """HMSREG is idempotent on ExternalRef: a repeat is answered as queued, never counted twice."""
        with self._lock:
            if body["ExternalRef"] in self._refs:
                self._repeats += 1
                return False
            self._refs.add(body["ExternalRef"])
            self._received.append({"api": "hmsreg", "path": "/api/registreringer", "body": body,
                                   "at": datetime.now().isoformat(timespec="milliseconds")})
            return True

    def accept_day_list(self, path: str, body: list) -> None:
        with self._lock:
            self._received.append({"api": "elrapp", "path": path, "body": body,
                                   "at": datetime.now().isoformat(timespec="milliseconds")})

    def received(self) -> list[dict]:
        with self._lock:
            return list(self._received)

    def repeats(self) -> int:
        with self._lock:
            return self._repeats

    def clear(self) -> None:
        with self._lock:
            self._received.clear()
            self._refs.clear()
            self._repeats = 0

    def roll_failure(self) -> bool:
        with self._lock:
            return self._random.random() < self.faults.error_rate
