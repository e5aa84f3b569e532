"""The OpenAPI 3.1 description of the kiosk API, served at /api/v1/openapi.json.

The paths, security and error answers are written here; every schema is generated from the
contract's models (schemas.py), the same ones that check the request bodies, so the document
cannot promise what the checks refuse. tests/e2e/test_api_schema.py runs schemathesis over it
against a live server, which also checks the answers against their schemas.
"""
from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema

from app.api import schemas

JSON = "application/json"
REF = "#/components/schemas/{model}"


def _ref(name: str) -> dict:
    return {"$ref": REF.format(model=name)}


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


class _Plain(GenerateJsonSchema):
    """Schemas as a reader wants them: no title on every field ("Scanned At" for scanned_at)."""

    def field_title_should_be_set(self, schema) -> bool:
        return False


def _schemas() -> dict:
    """components/schemas: the contract's models, requests as they are checked, answers as sent."""
    inputs = [(shape.__name__, "validation", TypeAdapter(shape)) for shape in schemas.REQUESTS]
    inputs += [(shape.__name__, "serialization", TypeAdapter(shape)) for shape in schemas.ANSWERS]
    _, generated = TypeAdapter.json_schemas(inputs, ref_template=REF, schema_generator=_Plain)
    return generated["$defs"]


SCHEMAS = _schemas()  # once, at import: the document never changes while the app runs


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
        "description": f"At most {schemas.MAX_BATCH} scans and 256 KiB per batch (every other body: 64 KiB). An item "
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
