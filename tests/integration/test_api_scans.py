"""POST /api/v1/scans and /scans/batch over the Flask test client, against a real card-service emulator."""
import uuid

import pytest

from app.extensions import db
from app.models import AttendanceDay, FollowUp, ScanEvent
from tests.support.kiosk_api import (  # noqa: F401  (fixtures)
    cardsim, fresh_card_service, local_morning, minutes, scan_body, set_faults, utc_now, world,
)


def post_scan(client, world, payload, kiosk="gate", **kwargs):
    return client.post("/api/v1/scans", json=scan_body(payload, **kwargs), headers=world.headers(kiosk))


def day_of(world, worker) -> AttendanceDay:
    db.session.expire_all()
    return db.session.scalars(db.select(AttendanceDay).filter_by(person_id=world.workers[worker].person_id)).one()


def test_an_accepted_qr_scan_puts_the_person_on_the_list(client, world):
    kari = world.workers["kari"]
    response = post_scan(client, world, kari.qr)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["decision"] == "accepted" and body["direction"] == "in" and body["reason"] == "ok"
    assert body["person"] == {"name": "Kari Nordmann", "employer": "Elektro Øst AS"}
    assert body["card"] == {"number": kari.card_number, "valid_to": "2027-06-30"}
    assert body["verified"] is True and body["warnings"] == []
    assert body["message"]["nb"] and body["message"]["en"]
    day = day_of(world, "kari")
    assert day.is_present and day.first_in is not None and day.last_out is None
    event = db.session.get(ScanEvent, body["id"])
    assert event.card_number == kari.card_number and kari.qr_token not in str(vars(event))


def test_auto_direction_toggles_in_and_out(client, world):
    kari, start = world.workers["kari"], utc_now() - minutes(4)
    directions = [post_scan(client, world, kari.card_number, at=start + minutes(i)).json["direction"]
                  for i in range(4)]
    assert directions == ["in", "out", "in", "out"]
    day = day_of(world, "kari")
    assert not day.is_present and day.first_in == start and day.last_out == start + minutes(3)


def test_kiosk_mode_fixes_the_direction(client, world):
    kari, start = world.workers["kari"], utc_now() - minutes(3)
    assert post_scan(client, world, kari.card_number, kiosk="in", at=start, direction="out").json["direction"] == "in"
    assert post_scan(client, world, kari.card_number, kiosk="in", at=start + minutes(1)).json["direction"] == "in"
    assert post_scan(client, world, kari.card_number, kiosk="out", at=start + minutes(2)).json["direction"] == "out"
    assert not day_of(world, "kari").is_present


def test_hired_in_worker_gets_agency_and_hirer_on_the_day(client, world):
    assert post_scan(client, world, world.workers["ruta"].qr).json["decision"] == "accepted"
    day = day_of(world, "ruta")
    assert day.employer.name == world.agency and day.hired_by.name == world.main_contractor


def test_same_id_replays_the_stored_result_and_changes_nothing(client, world):
    kari = world.workers["kari"]
    body = scan_body(kari.qr)
    first = client.post("/api/v1/scans", json=body, headers=world.headers())
    again = client.post("/api/v1/scans", json=body, headers=world.headers())
    assert again.status_code == 200 and again.json == first.json
    assert db.session.query(ScanEvent).count() == 1 and day_of(world, "kari").is_present


def test_same_id_from_another_kiosk_is_refused(client, world):
    body = scan_body(world.workers["kari"].qr)
    client.post("/api/v1/scans", json=body, headers=world.headers())
    other = client.post("/api/v1/scans", json=body, headers=world.headers("gate2"))
    assert other.status_code == 422 and other.json["error"] == "id_conflict"


def test_a_repeat_read_returns_the_previous_decision_without_registering(client, world):
    kari, start = world.workers["kari"], utc_now() - minutes(1)
    first = post_scan(client, world, kari.qr, at=start)
    repeat = post_scan(client, world, kari.card_number, at=start + minutes(0.4))
    assert repeat.status_code == 200
    assert {k: v for k, v in repeat.json.items() if k != "id"} == {k: v for k, v in first.json.items() if k != "id"}
    assert db.session.query(ScanEvent).count() == 1 and day_of(world, "kari").is_present
    # Past the debounce the next read is a new passage: out.
    assert post_scan(client, world, kari.qr, at=start + minutes(0.6)).json["direction"] == "out"


def test_the_same_card_at_another_kiosk_is_not_debounced(client, world):
    kari, start = world.workers["kari"], utc_now() - minutes(1)
    post_scan(client, world, kari.qr, at=start)
    assert post_scan(client, world, kari.qr, kiosk="gate2", at=start + minutes(0.2)).json["direction"] == "out"


def test_rejected_cards_are_events_only_with_their_reason(client, world):
    world.put_card("49999999", status="lost", first="Piotr", last="Wiśniewski")
    response = post_scan(client, world, "49999999")
    assert response.json["decision"] == "rejected" and response.json["reason"] == "card_lost"
    assert response.json["message"]["nb"] == "Kortet er meldt tapt – gå til byggeplasskontoret for ID-kontroll"
    assert db.session.query(AttendanceDay).count() == 0
    event = db.session.get(ScanEvent, response.json["id"])
    assert event.decision == "rejected" and event.reason == "card_lost"
    assert db.session.query(FollowUp).count() == 0  # an ID check at the office, not a § 8 notice
    world.put_card("49999998", status="not_valid", first="Jan", last="Kowalski")
    event_id = post_scan(client, world, "49999998").json["id"]
    followup = db.session.query(FollowUp).one()
    assert followup.scan_event_id == event_id  # the § 8 follow-up points at the scan that opened it


@pytest.mark.parametrize("payload, reason", [
    ("https://evil.example/v/abc", "foreign_qr"),
    ("12345678", "unknown_card"),
])
def test_foreign_and_unknown_cards_are_rejected(client, world, payload, reason):
    body = post_scan(client, world, payload).json
    assert body["decision"] == "rejected" and body["reason"] == reason and body["person"] is None


def test_card_service_down_follows_the_strict_policy(app, client, world):
    kari, ola = world.workers["kari"], world.workers["ola"]
    post_scan(client, world, kari.qr, at=utc_now() - minutes(3))  # confirms Kari valid now
    fresh_card_service(app, world.cardsim)  # nothing cached: the next lookups must ask the service
    set_faults(world.cardsim, "down")
    assert post_scan(client, world, ola.card_number).json["reason"] == "card_service_unavailable"
    body = post_scan(client, world, kari.card_number).json
    assert body["decision"] == "accepted" and body["reason"] == "ok_unverified" and body["verified"] is False
    assert db.session.get(ScanEvent, body["id"]).verified is False


def test_copied_card_warning_for_two_sites_within_two_hours(client, world):
    kari = world.workers["kari"]
    post_scan(client, world, kari.qr, at=utc_now() - minutes(40))
    elsewhere = post_scan(client, world, kari.qr, kiosk="tromso")
    assert elsewhere.json["decision"] == "accepted"
    assert elsewhere.json["warnings"] == ["possible_copied_card"]
    assert "possible_copied_card" in db.session.get(ScanEvent, elsewhere.json["id"]).warnings


def test_copied_card_warning_for_in_twice_at_two_gates(client, world):
    kari = world.workers["kari"]
    post_scan(client, world, kari.qr, kiosk="in", at=utc_now() - minutes(4))
    second = post_scan(client, world, kari.qr, kiosk="gate", direction="in")
    assert second.json["warnings"] == ["possible_copied_card"]
    assert "possible_copied_card" in day_of(world, "kari").flags


@pytest.mark.parametrize("scanned_at, code", [
    ("2026-11-25T07:00:00", "invalid_scanned_at"),
    ("not a time", "invalid_scanned_at"),
    (None, "invalid_scanned_at"),
])
def test_malformed_scanned_at_is_422(client, world, scanned_at, code):
    body = {**scan_body(world.workers["kari"].qr), "scanned_at": scanned_at}
    response = client.post("/api/v1/scans", json=body, headers=world.headers())
    assert response.status_code == 422 and response.json["error"] == code and response.json["message"]


def test_a_scan_from_the_future_is_422_and_stores_nothing(client, world):
    response = post_scan(client, world, world.workers["kari"].qr, at=utc_now() + minutes(6))
    assert response.status_code == 422 and "future" in response.json["message"]
    assert db.session.query(ScanEvent).count() == 0


def test_a_slightly_fast_clock_is_fine_and_an_old_live_scan_is_late(client, world):
    assert post_scan(client, world, world.workers["kari"].qr, at=utc_now() + minutes(4)).status_code == 200
    old = post_scan(client, world, world.workers["ola"].qr, at=utc_now() - minutes(30))
    assert old.json["warnings"] == ["late"] and db.session.get(ScanEvent, old.json["id"]).late


@pytest.mark.parametrize("change", [
    {"id": "not-a-uuid"}, {"id": 7}, {"payload": ""}, {"payload": 12345678}, {"direction": "sideways"},
    {"payload": "x" * 5000},
])
def test_invalid_fields_are_422(client, world, change):
    body = {**scan_body(world.workers["kari"].qr), **change}
    response = client.post("/api/v1/scans", json=body, headers=world.headers())
    assert response.status_code == 422 and response.json["error"] == "invalid_field"


def test_batch_catches_up_in_order_with_late_flags_and_item_errors(client, world):
    kari, ola = world.workers["kari"], world.workers["ola"]
    start = local_morning(days_ago=3)  # three days offline
    good = [scan_body(kari.qr, at=start), scan_body(ola.card_number, at=start + minutes(2)),
            scan_body(kari.card_number, at=start + minutes(480))]
    bad = [{"id": "x", "payload": "1", "scanned_at": "nonsense"}, "not an object",
           scan_body(kari.qr, at=utc_now() - minutes(60 * 24 * 8))]
    items = [good[0], bad[0], good[1], bad[1], good[2], bad[2]]
    response = client.post("/api/v1/scans/batch", json={"scans": items}, headers=world.headers())
    assert response.status_code == 200
    results = response.json["results"]
    assert [r.get("decision") for r in results] == ["accepted", None, "accepted", None, "accepted", None]
    assert [r["id"] for r in results] == [good[0]["id"], "x", good[1]["id"], None, good[2]["id"], bad[2]["id"]]
    assert [r["error"] for r in results if "error" in r] == ["invalid_field", "invalid_field", "invalid_scanned_at"]
    assert all(r["warnings"] == ["late"] for r in results if "decision" in r)
    assert [results[0]["direction"], results[4]["direction"]] == ["in", "out"]
    day = day_of(world, "kari")
    assert day.first_in == start and day.last_out == start + minutes(480) and not day.is_present
    assert all(e.late for e in db.session.query(ScanEvent))
    # The whole batch again (the kiosk never got the answer): same answers, nothing new.
    again = client.post("/api/v1/scans/batch", json={"scans": items}, headers=world.headers())
    assert again.json == response.json and db.session.query(ScanEvent).count() == 3


def test_a_late_exit_from_an_offline_gate_does_not_undo_a_later_entry(client, world):
    kari, start = world.workers["kari"], utc_now() - minutes(120)
    post_scan(client, world, kari.qr, kiosk="in", at=start)
    post_scan(client, world, kari.qr, kiosk="in", at=start + minutes(100))
    late_exit = scan_body(kari.qr, at=start + minutes(60))
    client.post("/api/v1/scans/batch", json={"scans": [late_exit]}, headers=world.headers("out"))
    day = day_of(world, "kari")
    assert day.is_present and day.last_out == start + minutes(60)


def test_batch_limits(client, world):
    too_many = {"scans": [scan_body("40000000") for _ in range(501)]}
    assert client.post("/api/v1/scans/batch", json=too_many, headers=world.headers()).status_code == 422
    assert client.post("/api/v1/scans/batch", json={"scans": {}}, headers=world.headers()).status_code == 422
    empty = client.post("/api/v1/scans/batch", json={"scans": []}, headers=world.headers())
    assert empty.status_code == 200 and empty.json == {"results": []}


def test_uuid_spellings_are_one_id(client, world):
    scan_id = uuid.uuid4()
    first = client.post("/api/v1/scans", json=scan_body(world.workers["kari"].qr, scan_id=str(scan_id)),
                        headers=world.headers())
    upper = client.post("/api/v1/scans", json=scan_body(world.workers["kari"].qr, scan_id=str(scan_id).upper()),
                        headers=world.headers())
    assert upper.json == first.json and db.session.query(ScanEvent).count() == 1
