"""Reading request bodies: the size, the content type, the JSON, then the fields, in that order,
each with its own status (413, 415, 400, 422), so a kiosk can tell its bug from a bad scan. The
fields are checked by the contract's models (schemas.py), the same ones the OpenAPI document shows."""
import json
from datetime import datetime

from flask import request
from pydantic import ValidationError

from app.api import schemas
from app.api.errors import MAX_BODY, ApiError, too_large
from app.domain import attendance as rules
from app.services.scans import ScanInput


class FieldError(ApiError):
    def __init__(self, message: str, code: str = "invalid_field"):
        super().__init__(422, code, message)


def json_object(limit: int = MAX_BODY) -> dict:
    """The request's body as a JSON object, or the error that says what is wrong with it."""
    return parsed_json(request_bytes(limit))


def request_bytes(limit: int) -> bytes:
    """The body, once its size (413) and its content type (415) are right."""
    if request.content_length is not None and request.content_length > limit:
        raise too_large(limit)
    if request.mimetype != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
    # A chunked body has no Content-Length: read at most one byte past the limit to know.
    request.max_content_length = limit + 1
    data = request.get_data(cache=False)
    if len(data) > limit:
        raise too_large(limit)
    return data


def parsed_as(model: type[schemas.Body], data: bytes) -> schemas.Body:
    try:
        # One compiled step parses and checks a good body, in less time than json.loads alone:
        # the scan is the hot path. (The model's own validator: model_validate_json adds a wrapper.)
        return model.__pydantic_validator__.validate_json(data)
    except ValidationError:
        pass
    # Something is wrong. The stdlib parser has always decided what is JSON here (it reads NaN and a
    # byte-order mark, for one), so read it again that way: a kiosk gets the answer it always got.
    return checked(model, parsed_json(data))


def parsed_json(data: bytes) -> dict:
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):
        raise ApiError(400, "malformed_json", "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise FieldError("The body must be a JSON object.")
    return body


def checked(model: type[schemas.Body], body: dict) -> schemas.Body:
    """The body as the model, or the refusal of its first bad field in the words kiosks know."""
    try:
        return model.__pydantic_validator__.validate_python(body)
    except ValidationError as exc:
        raise refusal(model, exc.errors(include_url=False)) from None


def refusal(model: type[schemas.Body], errors: list) -> FieldError:
    fields = list(model.refusals)
    error = min(errors, key=lambda e: fields.index(e["loc"][0]))
    field = error["loc"][0]
    chosen = model.refusals.get(f"{field}/{error['type']}") or model.refusals[field]
    cause = error.get("ctx", {}).get("error")
    if chosen.clock_words and isinstance(cause, rules.ClockError):
        return FieldError(str(cause), chosen.code)
    return FieldError(chosen.message, chosen.code)


def scan(now: datetime) -> ScanInput:
    """The request's one scan (POST /scans), with the clock rules applied."""
    return with_clock(parsed_as(schemas.Scan, request_bytes(MAX_BODY)), now, queued=False)


def scan_input(item, now: datetime, queued: bool) -> ScanInput:
    """One scan as the kiosk sent it, checked field by field, with the clock rules applied."""
    if not isinstance(item, dict):
        raise FieldError("Each scan must be a JSON object.")
    return with_clock(checked(schemas.Scan, item), now, queued)


def with_clock(scan: schemas.Scan, now: datetime, queued: bool) -> ScanInput:
    try:
        late = rules.check_clock(scan.scanned_at, now, queued)
    except rules.ClockError as exc:
        raise FieldError(str(exc), code="invalid_scanned_at") from None
    return ScanInput(id=scan.id, payload=scan.payload, scanned_at=scan.scanned_at, direction=scan.direction,
                     late=late)


def batch_items(body: dict) -> list:
    return checked(schemas.Batch, body).scans


def item_id(item) -> str | None:
    """The id to put on an item's error: the kiosk's own text when it is a short string."""
    value = item.get("id") if isinstance(item, dict) else None
    return value if isinstance(value, str) and len(value) <= 64 else None


def enrollment_code(body: dict) -> str:
    return checked(schemas.Enrollment, body).code


def heartbeat(body: dict) -> dict:
    """The kiosk's report about itself: the fields it sent, null ones left out."""
    beat = checked(schemas.Heartbeat, body)
    report = beat.model_dump(exclude_none=True)
    if beat.last_sync_at is not None:
        report["last_sync_at"] = beat.last_sync_at.isoformat()
    return report
