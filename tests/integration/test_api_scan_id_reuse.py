"""Issue 16, item 7: a scan id is the idempotency key for one scan of one card. The same id with the
same payload replays the stored answer; with a payload that names another card it is refused
(409 id_reused) and changes nothing, on POST /scans and in /scans/batch alike."""
import pytest

from app.extensions import db
from app.models import AttendanceDay, ScanEvent
from tests.support.kiosk_api import cardsim, minutes, scan_body, utc_now, world  # noqa: F401  (fixtures)


def post(client, world, body):
    return client.post("/api/v1/scans", json=body, headers=world.headers())


def state():
    db.session.expire_all()
    events = sorted((e.id, e.card_number, e.direction) for e in db.session.query(ScanEvent))
    days = sorted((d.person_id, d.is_present, d.first_in, d.last_out) for d in db.session.query(AttendanceDay))
    return events, days


def payloads(world):
    kari, ola = world.workers["kari"], world.workers["ola"]
    return {"kari_qr": kari.qr, "kari_number": kari.card_number, "ola_qr": ola.qr,
            "ola_number": ola.card_number, "foreign": "https://evil.example/v/abcdefgh", "unknown": "12345678"}


@pytest.mark.parametrize("first, second", [
    ("kari_qr", "ola_qr"), ("kari_qr", "ola_number"), ("kari_number", "ola_number"),
    ("kari_number", "ola_qr"), ("kari_qr", "foreign"), ("foreign", "kari_qr"), ("unknown", "kari_number"),
])
def test_the_same_id_with_another_card_is_409_and_changes_nothing(client, world, first, second):
    body = scan_body(payloads(world)[first], at=utc_now() - minutes(1))
    stored = post(client, world, body)
    assert stored.status_code == 200
    before = state()
    reused = post(client, world, {**body, "payload": payloads(world)[second]})
    assert reused.status_code == 409, reused.json
    assert reused.json["error"] == "id_reused" and reused.json["message"]
    assert set(reused.json) == {"error", "message"}
    assert state() == before
    # The stored answer still replays for the payload it was made for.
    assert post(client, world, body).json == stored.json


@pytest.mark.parametrize("payload", ["kari_qr", "kari_number", "foreign", "unknown"])
def test_the_same_id_with_the_same_payload_replays(client, world, payload):
    body = scan_body(payloads(world)[payload])
    first = post(client, world, body)
    before = state()
    again = post(client, world, body)
    assert again.status_code == 200 and again.json == first.json and state() == before


def test_the_same_card_written_with_spaces_or_a_scanner_newline_is_the_same_payload(client, world):
    kari = world.workers["kari"]
    body = scan_body(kari.card_number)
    first = post(client, world, body)
    for same in (kari.card_number + "\r\n", f"{kari.card_number[:4]} {kari.card_number[4:]}"):
        assert post(client, world, {**body, "payload": same}).json == first.json


def test_a_batch_item_reusing_an_id_gets_its_own_error(client, world):
    kari, ola = world.workers["kari"], world.workers["ola"]
    body = scan_body(kari.qr, at=utc_now() - minutes(10))
    first = client.post("/api/v1/scans/batch", json={"scans": [body]}, headers=world.headers()).json["results"][0]
    before = state()
    other = scan_body(ola.card_number, at=utc_now() - minutes(9))
    results = client.post("/api/v1/scans/batch", headers=world.headers(),
                          json={"scans": [{**body, "payload": ola.qr}, body, other]}).json["results"]
    assert results[0] == {"id": body["id"], "error": "id_reused", "message": results[0]["message"]}
    assert results[1] == first and results[2]["decision"] == "accepted"
    assert state()[0] == sorted(before[0] + [(other["id"], ola.card_number, "in")])


def test_a_reused_id_within_the_debounce_of_the_other_card_is_still_refused(client, world):
    """A repeat read of the second card would answer without touching the database: the id is checked first."""
    kari, ola = world.workers["kari"], world.workers["ola"]
    start = utc_now() - minutes(2)
    post(client, world, scan_body(ola.qr, at=start))
    body = scan_body(kari.qr, at=start + minutes(0.1))
    post(client, world, body)
    before = state()
    reused = post(client, world, {**body, "payload": ola.qr})
    assert reused.status_code == 409 and state() == before
