"""Every refusal of the kiosk API's request bodies, word for word: the status, the error code and the
message a kiosk (and the person reading its log) gets, and which field is named first when several
are wrong. Kiosks in the field parse these answers, so they must not change with the implementation."""
import uuid

import pytest

from app.extensions import db
from app.models import Kiosk, ScanEvent
from tests.support.kiosk_api import cardsim, minutes, scan_body, utc_now, world  # noqa: F401  (fixtures)

PAYLOAD = "payload must be a string of 1 to 4096 characters."
DIRECTION = "direction must be one of in, out, auto."
ID = "id must be a UUID made by the kiosk."
NOT_ISO = "scanned_at must be an ISO 8601 timestamp with a UTC offset"
NO_OFFSET = "scanned_at must include a UTC offset, e.g. +01:00 or Z"
NOT_A_TIME = "scanned_at is not a valid ISO 8601 timestamp"
FUTURE = "scanned_at is more than 5 minutes in the future; check the kiosk's clock"
TOO_OLD = "scanned_at is more than 7 days old"
QUEUE_DEPTH = "queue_depth must be a whole number ≥ 0."
LAST_SYNC = "last_sync_at must be an ISO 8601 timestamp with a UTC offset, or null."
VERSION = "version must be a string of at most 64 characters."
CODE = "code must be the enrollment code shown in the web app."
NOT_OBJECT = "The body must be a JSON object."


def refusal(response) -> tuple:
    assert response.is_json and set(response.json) == {"error", "message"}, response.data[:300]
    return response.status_code, response.json["error"], response.json["message"]


def a_scan(**change) -> dict:
    body = scan_body("https://evil.example/v/abcdefgh")  # refused without a card lookup
    for name, value in change.items():
        if value is KeyError:
            del body[name]
        else:
            body[name] = value
    return body


def iso(delta) -> str:
    return (utc_now() + delta).isoformat()


SCAN_REFUSALS = [
    # (change to a good scan, error code, message)
    ({"payload": KeyError}, "invalid_field", PAYLOAD),
    ({"payload": ""}, "invalid_field", PAYLOAD),
    ({"payload": None}, "invalid_field", PAYLOAD),
    ({"payload": 12345678}, "invalid_field", PAYLOAD),
    ({"payload": True}, "invalid_field", PAYLOAD),
    ({"payload": ["40000000"]}, "invalid_field", PAYLOAD),
    ({"payload": "x" * 4097}, "invalid_field", PAYLOAD),
    ({"direction": "sideways"}, "invalid_field", DIRECTION),
    ({"direction": None}, "invalid_field", DIRECTION),
    ({"direction": "IN"}, "invalid_field", DIRECTION),
    ({"direction": 1}, "invalid_field", DIRECTION),
    ({"id": KeyError}, "invalid_field", ID),
    ({"id": None}, "invalid_field", ID),
    ({"id": 7}, "invalid_field", ID),
    ({"id": "not-a-uuid"}, "invalid_field", ID),
    ({"id": str(uuid.uuid4()) + "-" * 10}, "invalid_field", ID),  # 46 characters
    ({"id": ""}, "invalid_field", ID),
    ({"scanned_at": KeyError}, "invalid_scanned_at", NOT_ISO),
    ({"scanned_at": None}, "invalid_scanned_at", NOT_ISO),
    ({"scanned_at": 1764054000}, "invalid_scanned_at", NOT_ISO),
    ({"scanned_at": "2026-11"}, "invalid_scanned_at", NOT_ISO),
    ({"scanned_at": "2026-11-25T07:00:00.000000+01:00" + " " * 9}, "invalid_scanned_at", NOT_ISO),  # 41
    ({"scanned_at": "not a time"}, "invalid_scanned_at", NOT_A_TIME),
    ({"scanned_at": "25.11.2026 07:00"}, "invalid_scanned_at", NOT_A_TIME),
    ({"scanned_at": "2026-11-25T07:00:00"}, "invalid_scanned_at", NO_OFFSET),
    ({"scanned_at": "2026-11-25"}, "invalid_scanned_at", NO_OFFSET),
    # Several fields wrong: the first in the order direction, payload, id, scanned_at is named.
    ({"direction": "x", "payload": "", "id": 7, "scanned_at": None}, "invalid_field", DIRECTION),
    ({"payload": "", "id": 7, "scanned_at": None}, "invalid_field", PAYLOAD),
    ({"id": 7, "scanned_at": None}, "invalid_field", ID),
    # A payload of exactly 4096 characters passes; the next field is the one refused.
    ({"payload": "x" * 4096, "id": "no"}, "invalid_field", ID),
]


@pytest.mark.parametrize("change, code, message", SCAN_REFUSALS)
def test_a_scan_refused_names_its_field(client, world, change, code, message):
    response = client.post("/api/v1/scans", json=a_scan(**change), headers=world.headers())
    assert refusal(response) == (422, code, message)
    assert db.session.query(ScanEvent).count() == 0


@pytest.mark.parametrize("delta, message", [(minutes(6), FUTURE), (minutes(-60 * 24 * 7 - 1), TOO_OLD)])
def test_a_scan_outside_the_clock_window_is_refused(client, world, delta, message):
    response = client.post("/api/v1/scans", json=a_scan(scanned_at=iso(delta)), headers=world.headers())
    assert refusal(response) == (422, "invalid_scanned_at", message)


@pytest.mark.parametrize("change", [
    {"extra": {"anything": [1, 2]}},  # unknown fields are ignored
    {"direction": KeyError},  # auto
    {"scanned_at": iso(minutes(4)).replace("+00:00", "Z")},
    {"scanned_at": (utc_now() - minutes(3)).astimezone().isoformat()},
])
def test_a_good_scan_with_these_spellings_is_answered(client, world, change):
    response = client.post("/api/v1/scans", json=a_scan(**change), headers=world.headers())
    assert response.status_code == 200 and response.json["reason"] == "foreign_qr"


@pytest.mark.parametrize("spell", [str.upper, lambda u: "{" + u + "}", lambda u: "urn:uuid:" + u,
                                   lambda u: u.replace("-", "")])
def test_every_uuid_spelling_python_reads_is_the_same_id(client, world, spell):
    scan_id = str(uuid.uuid4())
    response = client.post("/api/v1/scans", json=a_scan(id=spell(scan_id)), headers=world.headers())
    assert response.status_code == 200 and response.json["id"] == scan_id


@pytest.mark.parametrize("data, content_type, expected", [
    ("{", "application/json", (400, "malformed_json", "The body is not valid JSON.")),
    ("", "application/json", (400, "malformed_json", "The body is not valid JSON.")),
    ('{"a": 1} x', "application/json", (400, "malformed_json", "The body is not valid JSON.")),
    ("[1, 2]", "application/json", (422, "invalid_field", NOT_OBJECT)),
    ("null", "application/json", (422, "invalid_field", NOT_OBJECT)),
    ('"scan"', "application/json", (422, "invalid_field", NOT_OBJECT)),
    ("{}", "text/plain", (415, "unsupported_media_type", "Send the body as application/json.")),
    ("{}", "application/merge-patch+json", (415, "unsupported_media_type", "Send the body as application/json.")),
    ("{}", "application/json; charset=utf-8", (422, "invalid_field", PAYLOAD)),
    ('{"payload": "' + "x" * 70_000 + '"}', "text/plain",
     (413, "payload_too_large", "The request body is larger than 64 KiB.")),
])
def test_the_body_itself_refused(client, world, data, content_type, expected):
    response = client.post("/api/v1/scans", data=data, content_type=content_type, headers=world.headers())
    assert refusal(response) == expected


HEARTBEAT_REFUSALS = [
    ({"queue_depth": -1}, QUEUE_DEPTH),
    ({"queue_depth": 10_000_001}, QUEUE_DEPTH),
    ({"queue_depth": 3.0}, QUEUE_DEPTH),
    ({"queue_depth": "3"}, QUEUE_DEPTH),
    ({"queue_depth": True}, QUEUE_DEPTH),
    ({"fps": "fast"}, "fps must be a number ≥ 0."),
    ({"fps": -0.5}, "fps must be a number ≥ 0."),
    ({"fps": 1_000_001}, "fps must be a number ≥ 0."),
    ({"fps": False}, "fps must be a number ≥ 0."),
    ({"fps": "12.5"}, "fps must be a number ≥ 0."),
    ({"decode_rate": [0.9]}, "decode_rate must be a number ≥ 0."),
    ({"fps": 10**400}, "fps must be a number ≥ 0."),  # was a 500: too large to compare as a float
    ({"last_sync_at": "yesterday"}, LAST_SYNC),
    ({"last_sync_at": "2026-11-25T07:00:00"}, LAST_SYNC),
    ({"last_sync_at": 1764054000}, LAST_SYNC),
    ({"version": 1}, VERSION),
    ({"version": "v" * 65}, VERSION),
    # Several wrong: the first in the order queue_depth, fps, decode_rate, last_sync_at, version.
    ({"version": 1, "last_sync_at": "x", "decode_rate": "x", "fps": "x", "queue_depth": "x"}, QUEUE_DEPTH),
    ({"version": 1, "last_sync_at": "x", "decode_rate": "x", "fps": "x"}, "fps must be a number ≥ 0."),
    ({"version": 1, "last_sync_at": "x", "decode_rate": "x"}, "decode_rate must be a number ≥ 0."),
    ({"version": 1, "last_sync_at": "x"}, LAST_SYNC),
]


@pytest.mark.parametrize("body, message", HEARTBEAT_REFUSALS)
def test_a_heartbeat_refused_names_its_field(client, world, body, message):
    response = client.post("/api/v1/kiosk/heartbeat", json=body, headers=world.headers())
    assert refusal(response) == (422, "invalid_field", message)


@pytest.mark.parametrize("data", ['{"fps": NaN}', '{"decode_rate": Infinity}', '{"fps": -Infinity}'])
def test_a_heartbeat_number_that_is_not_finite_is_refused(client, world, data):
    response = client.post("/api/v1/kiosk/heartbeat", data=data, content_type="application/json",
                           headers=world.headers())
    assert refusal(response)[:2] == (422, "invalid_field") and "≥ 0" in response.json["message"]


def test_a_heartbeat_keeps_what_is_given_and_ignores_nulls_and_unknown_fields(client, world):
    body = {"queue_depth": 0, "fps": 30, "decode_rate": None, "last_sync_at": "2026-11-25T06:00:00Z",
            "version": "", "temperature": 71}
    assert client.post("/api/v1/kiosk/heartbeat", json=body, headers=world.headers()).status_code == 204
    kiosk = db.session.get(Kiosk, world.kiosk_ids["gate"])
    health = {k: v for k, v in kiosk.health.items() if k != "reported_at"}
    assert kiosk.queue_depth == 0
    assert health == {"fps": 30, "decode_rate": None, "last_sync_at": "2026-11-25T06:00:00+00:00", "version": ""}
    assert client.post("/api/v1/kiosk/heartbeat", json={}, headers=world.headers()).status_code == 204
    assert client.post("/api/v1/kiosk/heartbeat", json={"queue_depth": None, "last_sync_at": None},
                       headers=world.headers()).status_code == 204
    edges = {"queue_depth": 10_000_000, "fps": 1_000_000, "decode_rate": 0.0, "version": "v" * 64}
    assert client.post("/api/v1/kiosk/heartbeat", json=edges, headers=world.headers()).status_code == 204


@pytest.mark.parametrize("path, body, message", [
    ("/api/v1/scans", a_scan(payload="4000\ud8007919"), PAYLOAD),
    ("/api/v1/kiosk/heartbeat", {"version": "1.0\udc80"}, VERSION),
    ("/api/v1/kiosks/enroll", {"code": "\ud800BCDEFGH"}, CODE),
])
def test_a_lone_surrogate_is_not_text(client, world, path, body, message):
    """JSON can escape half a UTF-16 pair; no kiosk sends one (its decoder falls back to Latin-1). The
    contract's strings are Unicode text, so such a string is refused as the field's bad value."""
    response = client.post(path, json=body, headers=world.headers())
    assert refusal(response) == (422, "invalid_field", message)


@pytest.mark.parametrize("body", [{}, {"code": None}, {"code": 12345678}, {"code": ""}, {"code": "A" * 65},
                                  {"code": ["ABCDEFGH"]}])
def test_an_enrollment_code_that_is_not_one_is_refused(client, body):
    response = client.post("/api/v1/kiosks/enroll", json=body)
    assert refusal(response) == (422, "invalid_field", CODE)


def test_an_enrollment_code_of_64_characters_is_looked_up(client):
    response = client.post("/api/v1/kiosks/enroll", json={"code": "A" * 64})
    assert refusal(response)[:2] == (401, "enrollment_refused")


@pytest.mark.parametrize("body, message", [
    ({}, "scans must be a list."),
    ({"scans": None}, "scans must be a list."),
    ({"scans": {}}, "scans must be a list."),
    ({"scans": "x"}, "scans must be a list."),
    ({"scans": ["x"] * 501}, "Send at most 500 scans per batch."),
])
def test_a_batch_that_is_not_one_is_refused(client, world, body, message):
    response = client.post("/api/v1/scans/batch", json=body, headers=world.headers())
    assert refusal(response) == (422, "invalid_field", message)


def test_a_batch_body_may_be_256_kib(client, world):
    body = '{"scans": [], "padding": "' + "x" * (200 * 1024) + '"}'
    ok = client.post("/api/v1/scans/batch", data=body, content_type="application/json", headers=world.headers())
    assert ok.status_code == 200 and ok.json == {"results": []}
    larger = '{"scans": [], "padding": "' + "x" * (257 * 1024) + '"}'
    response = client.post("/api/v1/scans/batch", data=larger, content_type="application/json",
                           headers=world.headers())
    assert refusal(response) == (413, "payload_too_large", "The request body is larger than 256 KiB.")


def test_every_bad_batch_item_gets_the_refusal_a_single_scan_gets(client, world):
    cases = [(change, code, message) for change, code, message in SCAN_REFUSALS]
    items = [a_scan(**change) for change, _, _ in cases]
    items += ["not an object", None, [1], a_scan(scanned_at=iso(minutes(6))),
              a_scan(scanned_at=iso(minutes(-60 * 24 * 8))), a_scan(id="k" * 64, payload=""),
              a_scan(id="k" * 65, payload="")]
    response = client.post("/api/v1/scans/batch", json={"scans": items}, headers=world.headers())
    assert response.status_code == 200
    expected = [{"id": item["id"] if isinstance(item.get("id"), str) else None, "error": code, "message": message}
                for item, (_, code, message) in zip(items, cases)]
    expected += [{"id": None, "error": "invalid_field", "message": "Each scan must be a JSON object."}] * 3
    expected += [{"id": items[-4]["id"], "error": "invalid_scanned_at", "message": FUTURE},
                 {"id": items[-3]["id"], "error": "invalid_scanned_at", "message": TOO_OLD},
                 {"id": "k" * 64, "error": "invalid_field", "message": PAYLOAD},
                 {"id": None, "error": "invalid_field", "message": PAYLOAD}]
    assert response.json["results"] == expected
    assert db.session.query(ScanEvent).count() == 0
