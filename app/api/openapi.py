"""The OpenAPI 3.1 description of the kiosk API, served at /api/v1/openapi.json.

Kept beside the routes and tested against them (tests/integration/test_api_openapi.py runs
schemathesis over it), so the document and the implementation cannot drift apart quietly.
"""
from app.api.validation import MAX_BATCH, MAX_PAYLOAD_CHARS
from app.domain.attendance import REQUESTED_DIRECTIONS
from app.domain.cards import ACCEPT_REASONS, REJECT_REASONS, WARNINGS

JSON = "application/json"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _error(description: str) -> dict:
    return _json(_ref("Error"), description)


BODY_ERRORS = {
    "400": _error("The body is not valid JSON."),
    "413": _error("The body is larger than 64 KiB (a batch: 256 KiB)."),
    "415": _error("The body is not application/json."),
    "422": _error("A field is missing or invalid; `message` says which."),
}
AUTH_ERRORS = {"401": _error("Missing, unknown or revoked kiosk token.")}

MESSAGE = {"type": "object", "required": ["nb", "en"],
           "properties": {"nb": {"type": "string"}, "en": {"type": "string"}}}
TIMESTAMP = {"type": "string", "format": "date-time"}

SCHEMAS = {
    "Error": {
        "type": "object", "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
    },
    "Scan": {
        "type": "object", "required": ["id", "payload", "scanned_at"],
        "properties": {
            "id": {"type": "string", "format": "uuid", "description": "Made by the kiosk; the idempotency key."},
            "payload": {"type": "string", "minLength": 1, "maxLength": MAX_PAYLOAD_CHARS,
                        "description": "The raw QR text or a typed card number. Never stored."},
            "scanned_at": {**TIMESTAMP, "description": "ISO 8601 with a UTC offset. At most 5 minutes ahead "
                                                      "of the server; at most 7 days old."},
            "direction": {"type": "string", "enum": list(REQUESTED_DIRECTIONS), "default": "auto"},
        },
    },
    "ScanResult": {
        "type": "object",
        "required": ["id", "decision", "direction", "reason", "message", "person", "card", "verified", "warnings"],
        "properties": {
            "id": {"type": "string"},
            "decision": {"type": "string", "enum": ["accepted", "rejected"]},
            "direction": {"type": "string", "enum": ["in", "out"]},
            "reason": {"type": "string", "enum": [*ACCEPT_REASONS, *REJECT_REASONS]},
            "message": MESSAGE,
            "person": {"type": ["object", "null"], "required": ["name", "employer"],
                       "properties": {"name": {"type": "string"}, "employer": {"type": ["string", "null"]}}},
            "card": {"type": ["object", "null"], "required": ["number", "valid_to"],
                     "properties": {"number": {"type": "string"},
                                    "valid_to": {"type": ["string", "null"], "format": "date"}}},
            "verified": {"type": "boolean"},
            "induction_url": {"type": "string", "format": "uri", "description": (
                "Only with reason induction_missing: the worker's own link (valid 7 days) to the site's "
                "safety induction; the kiosk shows it as a QR code for the worker's phone.")},
            # Open-ended: later checks add their own (e.g. the card re-check's "invalid_on_reverify").
            "warnings": {"type": "array", "items": {"type": "string"},
                         "description": "Known values: " + ", ".join(WARNINGS) + "."},
        },
    },
    "ScanItemError": {
        "type": "object", "required": ["id", "error", "message"],
        "properties": {"id": {"type": ["string", "null"]}, "error": {"type": "string"},
                       "message": {"type": "string"}},
    },
    "Batch": {
        "type": "object", "required": ["scans"],
        # Items are checked one by one: a bad item gets a ScanItemError in its place and the
        # rest still count, so the batch itself accepts any item.
        "properties": {"scans": {"type": "array", "maxItems": MAX_BATCH, "items": {
            "description": "A Scan (see Scan); an item that is not one is answered with a ScanItemError."}}},
    },
    "BatchResult": {
        "type": "object", "required": ["results"],
        "properties": {"results": {"type": "array", "items": {
            "oneOf": [_ref("ScanResult"), _ref("ScanItemError")]}}},
    },
    "Enrollment": {
        "type": "object", "required": ["code"],
        "properties": {"code": {"type": "string", "minLength": 1, "maxLength": 64}},
    },
    "Enrolled": {
        "type": "object", "required": ["token", "kiosk"],
        "properties": {"token": {"type": "string"}, "kiosk": {
            "type": "object", "required": ["id", "name", "site_id", "mode"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "site_id": {"type": "integer"},
                           "mode": {"type": "string", "enum": list(REQUESTED_DIRECTIONS)}}}},
    },
    "KioskConfig": {
        "type": "object",
        "required": ["id", "name", "site", "mode", "languages", "debounce_s", "outage_policy", "privacy_notice"],
        "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"},
            "site": {"type": "object", "required": ["id", "name"],
                     "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
            "mode": {"type": "string", "enum": list(REQUESTED_DIRECTIONS)},
            "languages": {"type": "array", "items": {"type": "string"}},
            "debounce_s": {"type": "integer"},
            "outage_policy": {"type": "string", "enum": ["strict", "lenient"]},
            "privacy_notice": MESSAGE,
        },
    },
    "Heartbeat": {
        "type": "object",
        "properties": {
            "queue_depth": {"type": "integer", "minimum": 0, "maximum": 10_000_000},
            "fps": {"type": "number", "minimum": 0, "maximum": 1_000_000},
            "decode_rate": {"type": "number", "minimum": 0, "maximum": 1_000_000},
            "last_sync_at": {"type": ["string", "null"], "format": "date-time"},
            "version": {"type": "string", "maxLength": 64},
        },
    },
    "Presence": {
        "type": "object", "required": ["site_id", "at", "people"],
        "properties": {
            "site_id": {"type": "integer"}, "at": TIMESTAMP,
            "people": {"type": "array", "items": {
                "type": "object", "required": ["name", "employer", "since"],
                "properties": {"name": {"type": "string"}, "employer": {"type": "string"},
                               "since": {"type": ["string", "null"], "format": "date-time"}}}},
        },
    },
}


def _post(summary: str, body: str, responses: dict, secured: bool = True) -> dict:
    operation = {
        "summary": summary,
        "requestBody": {"required": True, "content": {JSON: {"schema": _ref(body)}}},
        "responses": {**responses, **BODY_ERRORS, **(AUTH_ERRORS if secured else {})},
    }
    if not secured:
        operation["security"] = []
    return operation


PATHS = {
    "/kiosks/enroll": {"post": _post(
        "Trade a one-time enrollment code (valid 15 minutes) for the kiosk's token.", "Enrollment",
        {"200": _json(_ref("Enrolled"), "The token, shown once."),
         "401": _error("Unknown, used or expired code."),
         "429": _error("`too_many_requests`: too many attempts from this address or in all; wait and try again.")},
        secured=False)},
    "/kiosk": {"get": {
        "summary": "The kiosk's own configuration and the privacy notice it shows.",
        "responses": {"200": _json(_ref("KioskConfig"), "The configuration."), **AUTH_ERRORS}}},
    "/kiosk/heartbeat": {"post": _post(
        "Report the kiosk's health; the web app shows kiosks that go quiet.", "Heartbeat",
        {"204": {"description": "Stored."}})},
    "/scans": {"post": _post(
        "Record one scan. Idempotent by id; a repeat read within the debounce returns the previous "
        "decision without a new registration.", "Scan",
        {"200": _json(_ref("ScanResult"), "The gate decision; for an id already stored with the same payload, "
                                          "the stored decision."),
         "409": _error("`id_reused`: the id is already stored for a payload that names another card; "
                       "nothing was changed. A new scan needs a new UUID."),
         "503": _error("Busy; send the same scan again.")})},
    "/scans/batch": {"post": {**_post(
        "Upload scans queued while offline (up to 7 days old), answered item by item, in order.", "Batch",
        {"200": _json(_ref("BatchResult"), "One result or one error per scan, in order.")}),
        "description": "At most 500 scans and 256 KiB per batch (every other body: 64 KiB). An item "
                       "whose id is already stored for another card gets a ScanItemError `id_reused` "
                       "(as POST /scans answers 409)."}},
    "/sites/{site_id}/presence": {"get": {
        "summary": "Who is on the kiosk's own site now.",
        "parameters": [{"name": "site_id", "in": "path", "required": True,
                        "schema": {"type": "integer", "minimum": 0}}],
        "responses": {"200": _json(_ref("Presence"), "The people on site."),
                      "403": _error("Not the kiosk's own site."),
                      "404": _error("site_id is not a whole number."), **AUTH_ERRORS}}},
    "/openapi.json": {"get": {
        "summary": "This document.", "security": [],
        "responses": {"200": {"description": "OpenAPI 3.1", "content": {JSON: {"schema": {"type": "object"}}}}}}},
}


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Portvakt kiosk API", "version": "1.0.0",
                 "description": "Gate kiosks: enrollment, configuration, scans, offline batches, presence. "
                                "Every error is JSON {\"error\", \"message\"}."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"kioskToken": []}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"kioskToken": {"type": "http", "scheme": "bearer"}},
        },
    }
