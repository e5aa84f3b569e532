"""Manual registrations, corrections and the end of the day: the services the web app calls."""
import json
from datetime import time, timedelta

import pytest

from app.clock import utcnow
from app.extensions import db
from app.models import AttendanceDay, AuditLog, Card, ScanEvent, Site, User
from app.services import scans
from tests.support.kiosk_api import cardsim, local_morning, minutes, scan_body, world  # noqa: F401  (fixtures)


@pytest.fixture
def rep(world):
    user = User(email="rep@example.no", name="Bjørn Byggleder", password_hash="x")
    db.session.add(user)
    db.session.commit()
    return user


def site(world) -> Site:
    return db.session.get(Site, world.site_id)


def the_day(world, worker) -> AttendanceDay:
    db.session.expire_all()
    return db.session.scalars(db.select(AttendanceDay).filter_by(person_id=world.workers[worker].person_id)).one()


def test_manual_registration_goes_through_the_card_check_and_is_audited(world, rep):
    ola = world.workers["ola"]
    at = utcnow() - minutes(90)
    result = scans.register_manual(site(world), f" {ola.card_number} ", rep, "Glemte kortet i bilen", utcnow(), at=at)
    assert result.decision == "accepted" and result.direction == "in"
    event = db.session.get(ScanEvent, result.id)
    assert event.source == "manual" and event.kiosk_id is None and event.note == "Glemte kortet i bilen"
    day = the_day(world, "ola")
    assert day.is_present and day.first_in == at and day.source == "manual"
    audit = db.session.query(AuditLog).filter_by(action="attendance.manual_registration").one()
    assert audit.user_id == rep.id and audit.target_id == result.id
    assert ola.card_number not in json.dumps(audit.details) and "Ødegård" not in json.dumps(audit.details)


def test_manual_registration_of_a_bad_card_is_a_rejected_event(world, rep):
    world.put_card("48888888", status="expired", first="Mantas", last="Kazlauskas")
    result = scans.register_manual(site(world), "48888888", rep, "Sjekk ved porten", utcnow())
    assert result.decision == "rejected" and result.reason == "card_expired"
    assert db.session.query(AttendanceDay).count() == 0


@pytest.mark.parametrize("reason, direction", [("", "in"), ("   ", "in"), ("ok", "sideways")])
def test_manual_registration_needs_a_reason_and_a_direction(world, rep, reason, direction):
    with pytest.raises(ValueError):
        scans.register_manual(site(world), world.workers["ola"].card_number, rep, reason, utcnow(), direction=direction)


def test_removing_a_registration_keeps_the_row_and_who_why(client, world, rep):
    client.post("/api/v1/scans", json=scan_body(world.workers["kari"].qr), headers=world.headers())
    day = the_day(world, "kari")
    scans.remove_registration(day.id, rep, "Feilregistrert", utcnow())
    day = the_day(world, "kari")
    assert day.removed_at is not None and day.removed_by_id == rep.id and day.removed_reason == "Feilregistrert"
    assert not day.is_present
    assert client.get(f"/api/v1/sites/{world.site_id}/presence", headers=world.headers()).json["people"] == []
    assert db.session.query(AuditLog).filter_by(action="attendance.remove", target_id=str(day.id)).count() == 1
    with pytest.raises(LookupError):
        scans.remove_registration(99999, rep, "x", utcnow())
    with pytest.raises(ValueError):
        scans.remove_registration(day.id, rep, " ", utcnow())


def test_voiding_a_scan_rebuilds_the_day_from_the_rest(client, world, rep):
    kari, start = world.workers["kari"], utcnow() - minutes(20)
    ids = [client.post("/api/v1/scans", json=scan_body(kari.qr, at=start + minutes(i * 5)),
                       headers=world.headers()).json["id"] for i in range(3)]  # in, out, in
    assert the_day(world, "kari").is_present
    scans.void_scan(ids[2], rep, "Dobbeltskann", utcnow())
    day = the_day(world, "kari")
    assert not day.is_present and day.first_in == start and day.last_out == start + minutes(5)
    event = db.session.get(ScanEvent, ids[2])
    assert event.voided_by_id == rep.id and event.void_reason == "Dobbeltskann"


def test_close_day_flags_people_still_in_and_leaves_the_rest(client, world, runner):
    kari, ola = world.workers["kari"], world.workers["ola"]
    morning = local_morning(days_ago=1)
    batch = [scan_body(kari.qr, at=morning), scan_body(ola.qr, at=morning),
             scan_body(ola.qr, at=morning + timedelta(hours=8))]
    client.post("/api/v1/scans/batch", json={"scans": batch}, headers=world.headers())
    today = client.post("/api/v1/scans", json=scan_body(world.workers["lukasz"].qr), headers=world.headers())
    assert today.json["decision"] == "accepted"
    result = runner.invoke(args=["attendance", "close-day"])
    assert result.exit_code == 0 and "1" in result.output
    assert the_day(world, "kari").flags == ["no_exit_recorded"] and not the_day(world, "kari").is_present
    assert the_day(world, "ola").flags == [] and the_day(world, "lukasz").is_present  # today is not over
    assert runner.invoke(args=["attendance", "close-day"]).output.strip().endswith("0")  # idempotent


def test_close_days_respects_the_sites_closing_time(world):
    s = site(world)
    s.closing_time = time(0, 0)  # closes at midnight: today is already due
    db.session.commit()
    kari = world.workers["kari"]
    employer_id = db.session.scalars(db.select(Card.employer_id).filter_by(number=kari.card_number)).one()
    db.session.add(AttendanceDay(site_id=s.id, person_id=kari.person_id, local_date=local_morning(0).date(),
                                 employer_id=employer_id, first_in=local_morning(0), last_scan_at=local_morning(0),
                                 is_present=True))
    db.session.commit()
    assert scans.close_days(utcnow(), site_id=s.id) == 1
