"""A card's new answer from the card service is written with the scan (issue 20, the morning rush):
a card we know, whose answer changes only the card's own fields, costs no statements before the
scan's read; an answer that changes the holder or the employer is recorded first, as before.
Through POST /api/v1/scans, against the real emulator, on both databases."""
from datetime import timedelta

from sqlalchemy import event

from app.domain.secrets import hash_token
from app.extensions import db
from app.models import AttendanceDay, Card, FollowUp
from tests.support.kiosk_api import (  # noqa: F401  (fixtures)
    cardsim, fresh_card_service, scan_body, utc_now, world,
)


def post_scan(client, world, payload, kiosk="gate", at=None):
    response = client.post("/api/v1/scans", json=scan_body(payload, at=at), headers=world.headers(kiosk))
    assert response.status_code == 200, response.json
    return response.json


def card_row(world, worker) -> Card:
    db.session.expire_all()
    return db.session.scalars(db.select(Card).filter_by(number=world.workers[worker].card_number)).one()


class Statements:
    """The SQL one request sends, as text."""

    def __init__(self):
        self.sent = []

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self._remember)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self._remember)

    def _remember(self, conn, cursor, statement, *rest):
        self.sent.append(" ".join(statement.split()))


def test_a_known_cards_new_answer_is_written_with_the_scan(app, client, world):
    kari, start = world.workers["kari"], utc_now() - timedelta(minutes=10)
    post_scan(client, world, kari.card_number, at=start)  # today's first scan (and the kiosk's last-seen time)
    fresh_card_service(app, world.cardsim)  # the adapter's cache forgets the card: the next scan asks
    with Statements() as statements:
        answer = post_scan(client, world, kari.qr, at=start + timedelta(minutes=5))
    assert answer["decision"] == "accepted" and answer["direction"] == "out"
    # The gate's read only: the kiosk was active moments ago, so its token is not checked twice
    # (test_kiosk_token_before_lookup.py); nothing looks up the holder or the employer, nothing
    # writes the card before the read.
    reads = [s for s in statements.sent if not any(word in s for word in ("INSERT", "UPDATE", "DELETE"))]
    assert len(reads) == 1, statements.sent
    assert not any(s.startswith(("INSERT INTO person", "INSERT INTO company", "UPDATE person", "UPDATE company"))
                   for s in statements.sent)
    card = card_row(world, "kari")
    assert (card.last_status, card.valid_to.isoformat(), card.qr_token_hash) == (
        "valid", "2027-06-30", hash_token(kari.qr_token))
    assert card.last_checked_at is not None and card.last_valid_at == card.last_checked_at


def test_a_card_turned_not_valid_keeps_its_last_valid_time_and_opens_the_follow_up(app, client, world):
    kari, start = world.workers["kari"], utc_now() - timedelta(minutes=10)
    post_scan(client, world, kari.card_number, at=start)
    valid_at = card_row(world, "kari").last_valid_at
    world.put_card(kari.card_number, status="not_valid", qr_token=kari.qr_token)
    fresh_card_service(app, world.cardsim)  # the adapter's cache forgets the card: the next scan asks
    answer = post_scan(client, world, kari.card_number, at=start + timedelta(minutes=5))
    assert answer["decision"] == "rejected"
    card = card_row(world, "kari")
    assert card.last_status == "not_valid" and card.last_valid_at == valid_at and card.last_checked_at > valid_at
    assert db.session.scalars(db.select(FollowUp.kind).filter_by(card_number=kari.card_number)).all() == ["not_valid"]


def test_an_answer_that_renames_the_holder_is_recorded_first(app, client, world):
    kari = world.workers["kari"]
    world.put_card(kari.card_number, last="Nordmann-Hansen", qr_token=kari.qr_token)
    answer = post_scan(client, world, kari.qr)
    assert answer["person"]["name"] == "Kari Nordmann-Hansen"
    card = card_row(world, "kari")
    assert card.person.last_name == "Nordmann-Hansen" and card.last_status == "valid"


def test_an_answer_naming_another_employer_moves_the_card(app, client, world):
    from tests.support.kiosk_api import org_number

    kari = world.workers["kari"]
    world.put_card(kari.card_number, employer=("Bemanning Nord AS", org_number(99988870)), qr_token=kari.qr_token)
    answer = post_scan(client, world, kari.qr)
    assert answer["person"]["employer"] == "Bemanning Nord AS"
    assert card_row(world, "kari").employer.name == "Bemanning Nord AS"


def test_an_answer_that_renames_the_employer_renames_the_company(app, client, world):
    from tests.support.kiosk_api import org_number

    kari = world.workers["kari"]
    world.put_card(kari.card_number, employer=("Elektro Øst Vest AS", org_number(98765430)), qr_token=kari.qr_token)
    assert post_scan(client, world, kari.qr)["person"]["employer"] == "Elektro Øst Vest AS"
    assert card_row(world, "kari").employer.name == "Elektro Øst Vest AS"


def test_a_repeat_read_still_keeps_the_new_answer(app, client, world):
    kari, start = world.workers["kari"], utc_now() - timedelta(minutes=2)
    first = post_scan(client, world, kari.card_number, at=start)
    checked_before = card_row(world, "kari").last_checked_at
    fresh_card_service(app, world.cardsim)
    again = post_scan(client, world, kari.card_number, at=start + timedelta(seconds=5))  # the same passage
    assert again["decision"] == first["decision"] and again["direction"] == first["direction"]
    assert card_row(world, "kari").last_checked_at > checked_before


def test_a_days_first_scan_reads_the_engagements_with_the_card(app, client, world):
    """The hired-in worker's employer and hirer come from the engagement read in the gate's one read."""
    with Statements() as statements:
        answer = post_scan(client, world, world.workers["ruta"].qr)
    assert answer["decision"] == "accepted" and answer["direction"] == "in"
    assert not any(s.startswith("SELECT engagement.") for s in statements.sent), statements.sent
    day = db.session.scalars(db.select(AttendanceDay).filter_by(person_id=world.workers["ruta"].person_id)).one()
    assert (day.employer.name, day.hired_by.name) == (world.agency, world.main_contractor)


def test_the_same_full_name_split_otherwise_is_recorded(app, client, world):
    """Kari / Nordmann Hansen on record and Kari Nordmann / Hansen from the service read the same
    joined; the record must still follow the service's split."""
    kari = world.workers["kari"]
    person = card_row(world, "kari").person
    person.last_name = "Nordmann Hansen"
    db.session.commit()
    world.put_card(kari.card_number, first="Kari Nordmann", last="Hansen", qr_token=kari.qr_token)
    post_scan(client, world, kari.qr)
    person = card_row(world, "kari").person
    assert (person.first_name, person.last_name) == ("Kari Nordmann", "Hansen")
