"""The kiosk API's contract, declared once: these pydantic models check the request bodies
(validation.py) and are the schemas of the OpenAPI document (openapi.py), so what the API refuses
and what it documents cannot drift apart, as two hand-written copies did. The answers' shapes are
here too; the schemathesis run (tests/e2e/test_api_schema.py) checks real answers against them.

A class's docstring and its fields' descriptions are the document's text, written for kiosk makers.
"""
import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal, NamedTuple

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainValidator
from typing_extensions import NotRequired, TypedDict

from app.domain.attendance import REQUESTED_DIRECTIONS, parse_scanned_at
from app.domain.cards import ACCEPT_REASONS, REJECT_REASONS, WARNINGS

MAX_PAYLOAD_CHARS = 4096  # far more than any QR code; the card check refuses > 512 bytes anyway
MAX_BATCH = 500
MAX_SCAN_ID = 45  # the longest spelling of a UUID Python reads: "urn:uuid:" and 36 characters
CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

Direction = Literal[REQUESTED_DIRECTIONS]
# The domain's parser decides what a timestamp is (an offset is required); the document says date-time.
Timestamp = Annotated[datetime, PlainValidator(parse_scanned_at, json_schema_input_type=str),
                      Field(json_schema_extra={"format": "date-time"})]


def canonical_uuid(value: str) -> str:
    """Every spelling of a UUID that Python reads (braces, urn:uuid:, any case) is one id."""
    # Kiosks send the canonical spelling: recognised without building a UUID (the scan's hot path).
    return value if CANONICAL_UUID.fullmatch(value) else str(uuid.UUID(value))


class Refusal(NamedTuple):
    """What a kiosk is told when a field is refused: the answer's `error` and `message`."""

    message: str
    code: str = "invalid_field"
    clock_words: bool = False  # a time the clock rules refused is told why, in their words


class Body(BaseModel):
    """A request body: strict JSON types (3 is not "3", true is not 1); unknown fields are ignored."""

    model_config = ConfigDict(strict=True)
    # Field -> its refusal, in the order the fields are checked: a kiosk is told about the first.
    # "field/error type" (pydantic's) holds a refusal that depends on what is wrong with the field.
    refusals: ClassVar[dict[str, Refusal]] = {}


class Scan(Body):
    """One scan as the kiosk read it."""

    id: Annotated[str, Field(max_length=MAX_SCAN_ID, json_schema_extra={"format": "uuid"},
                             description="Made by the kiosk; the idempotency key."), AfterValidator(canonical_uuid)]
    payload: Annotated[str, Field(min_length=1, max_length=MAX_PAYLOAD_CHARS,
                                  description="The raw QR text or a typed card number. Never stored.")]
    scanned_at: Annotated[Timestamp, Field(description="ISO 8601 with a UTC offset. At most 5 minutes ahead "
                                                       "of the server; at most 7 days old.")]
    direction: Direction = "auto"

    refusals: ClassVar = {
        "direction": Refusal("direction must be one of in, out, auto."),
        "payload": Refusal(f"payload must be a string of 1 to {MAX_PAYLOAD_CHARS} characters."),
        "id": Refusal("id must be a UUID made by the kiosk."),
        "scanned_at": Refusal("scanned_at must be an ISO 8601 timestamp with a UTC offset", "invalid_scanned_at",
                              clock_words=True),
    }


class Batch(Body):
    """Scans queued while the kiosk was offline, in the order they were read."""

    # Items are checked one by one: a bad item gets a ScanItemError in its place and the rest still
    # count, so the batch itself takes any item.
    scans: Annotated[list[Any], Field(max_length=MAX_BATCH, description=(
        "Each a Scan; an item that is not one is answered with a ScanItemError in its place."))]

    refusals: ClassVar = {"scans": Refusal("scans must be a list."),
                          "scans/too_long": Refusal(f"Send at most {MAX_BATCH} scans per batch.")}


class Enrollment(Body):
    """The one-time code shown in the web app (or its QR text)."""

    code: Annotated[str, Field(min_length=1, max_length=64)]

    refusals: ClassVar = {"code": Refusal("code must be the enrollment code shown in the web app.")}


class Heartbeat(Body):
    """The kiosk's report about itself; every field may be left out or null."""

    queue_depth: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    fps: Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)] | None = None
    decode_rate: Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)] | None = None
    last_sync_at: Timestamp | None = None
    version: Annotated[str, Field(max_length=64)] | None = None

    refusals: ClassVar = {
        "queue_depth": Refusal("queue_depth must be a whole number ≥ 0."),
        "fps": Refusal("fps must be a number ≥ 0."),
        "decode_rate": Refusal("decode_rate must be a number ≥ 0."),
        "last_sync_at": Refusal("last_sync_at must be an ISO 8601 timestamp with a UTC offset, or null."),
        "version": Refusal("version must be a string of at most 64 characters."),
    }


# --- answers: the routes answer plain dicts, so their shapes are TypedDicts -------------------


class Error(TypedDict):
    """Every error: a code a program tests and a sentence a person reads."""

    error: str
    message: str


class Message(TypedDict):
    """The same text in Norwegian (bokmål) and English."""

    nb: str
    en: str


class Person(TypedDict):
    name: str
    employer: str | None


class Card(TypedDict):
    number: str
    valid_to: date | None


class ScanResult(TypedDict):
    """The gate decision the kiosk shows."""

    id: str
    decision: Literal["accepted", "rejected"]
    direction: Literal["in", "out"]
    reason: Literal[(*ACCEPT_REASONS, *REJECT_REASONS)]
    message: Message
    person: Person | None
    card: Card | None
    verified: bool
    induction_url: NotRequired[Annotated[str, Field(json_schema_extra={"format": "uri"}, description=(
        "Only with reason induction_missing: the worker's own link (valid 7 days) to the site's "
        "safety induction; the kiosk shows it as a QR code for the worker's phone."))]]
    # Open-ended: later checks add their own (e.g. the card re-check's "invalid_on_reverify").
    warnings: Annotated[list[str], Field(description="Known values: " + ", ".join(WARNINGS) + ".")]


class ScanItemError(TypedDict):
    """A batch item that was refused; `id` is the item's own when it sent a short string."""

    id: str | None
    error: str
    message: str


class BatchResult(TypedDict):
    """One result or one error per scan, in the order sent."""

    results: list[ScanResult | ScanItemError]


class EnrolledKiosk(TypedDict):
    id: int
    name: str
    site_id: int
    mode: Direction


class Enrolled(TypedDict):
    """The kiosk's token, shown once."""

    token: str
    kiosk: EnrolledKiosk


class KioskSite(TypedDict):
    id: int
    name: str


class KioskConfig(TypedDict):
    """The kiosk's own configuration and the privacy notice it shows."""

    id: int
    name: str
    site: KioskSite
    mode: Direction
    languages: list[str]
    debounce_s: int
    outage_policy: Literal["strict", "lenient"]
    privacy_notice: Message


class PresentPerson(TypedDict):
    name: str
    employer: str
    since: datetime | None


class Presence(TypedDict):
    """Who is on the kiosk's own site now."""

    site_id: int
    at: datetime
    people: list[PresentPerson]


REQUESTS = (Scan, Batch, Enrollment, Heartbeat)
ANSWERS = (Error, ScanResult, ScanItemError, BatchResult, Enrolled, KioskConfig, Presence)
