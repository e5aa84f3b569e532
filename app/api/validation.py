"""Reading request bodies: the size, the content type, the JSON, then each field, in that order,
each with its own status (413, 415, 400, 422), so a kiosk can tell its bug from a bad scan."""
import json
import math
import uuid
from datetime import datetime

from flask import request

from app.api.errors import MAX_BODY, ApiError, too_large
from app.domain import attendance as rules
from app.services.scans import ScanInput

MAX_PAYLOAD_CHARS = 4096  # far more than any QR code; the card check refuses > 512 bytes anyway
MAX_BATCH = 500


class FieldError(ApiError):
    def __init__(self, message: str, code: str = "invalid_field"):
        super().__init__(422, code, message)


def json_object(limit: int = MAX_BODY) -> dict:
    """The body as a JSON object, or the error that says what is wrong with it."""
    if request.content_length is not None and request.content_length > limit:
        raise too_large(limit)
    if request.mimetype != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
    # A chunked body has no Content-Length: read at most one byte past the limit to know.
    request.max_content_length = limit + 1
    data = request.get_data(cache=False)
    if len(data) > limit:
        raise too_large(limit)
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):
        raise ApiError(400, "malformed_json", "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise FieldError("The body must be a JSON object.")
    return body


def scan_input(item, now: datetime, queued: bool) -> ScanInput:
    """One scan as the kiosk sent it, checked field by field, with the clock rules applied."""
    if not isinstance(item, dict):
        raise FieldError("Each scan must be a JSON object.")
    direction = item.get("direction", "auto")
    if direction not in rules.REQUESTED_DIRECTIONS:
        raise FieldError("direction must be one of in, out, auto.")
    payload = item.get("payload")
    if not isinstance(payload, str) or not 1 <= len(payload) <= MAX_PAYLOAD_CHARS:
        raise FieldError(f"payload must be a string of 1 to {MAX_PAYLOAD_CHARS} characters.")
    scan_id = scan_uuid(item.get("id"))
    try:
        scanned_at = rules.parse_scanned_at(item.get("scanned_at"))
        late = rules.check_clock(scanned_at, now, queued)
    except rules.ClockError as exc:
        raise FieldError(str(exc), code="invalid_scanned_at") from None
    return ScanInput(id=scan_id, payload=payload, scanned_at=scanned_at, direction=direction, late=late)


def scan_uuid(value) -> str:
    if not isinstance(value, str) or len(value) > 45:
        raise FieldError("id must be a UUID made by the kiosk.")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise FieldError("id must be a UUID made by the kiosk.") from None


def batch_items(body: dict) -> list:
    scans = body.get("scans")
    if not isinstance(scans, list):
        raise FieldError("scans must be a list.")
    if len(scans) > MAX_BATCH:
        raise FieldError(f"Send at most {MAX_BATCH} scans per batch.")
    return scans


def item_id(item) -> str | None:
    """The id to put on an item's error: the kiosk's own text when it is a short string."""
    value = item.get("id") if isinstance(item, dict) else None
    return value if isinstance(value, str) and len(value) <= 64 else None


def enrollment_code(body: dict) -> str:
    code = body.get("code")
    if not isinstance(code, str) or not 1 <= len(code) <= 64:
        raise FieldError("code must be the enrollment code shown in the web app.")
    return code


def heartbeat(body: dict) -> dict:
    """The kiosk's report about itself; every field optional, each checked when present."""
    report = {}
    depth = body.get("queue_depth")
    if depth is not None:
        if not _is_int(depth) or not 0 <= depth <= 10_000_000:
            raise FieldError("queue_depth must be a whole number ≥ 0.")
        report["queue_depth"] = depth
    for name in ("fps", "decode_rate"):
        value = body.get(name)
        if value is not None:
            if not _is_number(value) or not 0 <= value <= 1_000_000:
                raise FieldError(f"{name} must be a number ≥ 0.")
            report[name] = value
    synced = body.get("last_sync_at")
    if synced is not None:
        try:
            report["last_sync_at"] = rules.parse_scanned_at(synced).isoformat()
        except rules.ClockError:
            raise FieldError("last_sync_at must be an ISO 8601 timestamp with a UTC offset, or null.") from None
    version = body.get("version")
    if version is not None:
        if not isinstance(version, str) or len(version) > 64:
            raise FieldError("version must be a string of at most 64 characters.")
        report["version"] = version
    return report


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)
