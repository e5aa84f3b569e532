"""When the ordered HMS card arrives and is scanned at the gate (POST /api/v1/scans, a real card-service
emulator), the order links to it and the worker stays one person on the list."""
from datetime import date, timedelta

from app.clock import utcnow
from app.domain.localtime import local_date
from app.domain.oversiktsliste import CARD_ORDERED
from app.extensions import db
from app.models import AttendanceDay, AuditLog, Card, CardOrder, Company, Engagement, Person, Site
from app.services import card_orders, scans
from tests.support.kiosk_api import (  # noqa: F401  (fixtures)
    cardsim, fresh_card_service, scan_body, utc_now, world,
)
from tests.support.web import make_user

BORN = date(1984, 5, 17)  # the emulator's holders in this world are all born that day


def order_for(world, first: str, last: str) -> int:
    site = db.session.get(Site, world.site_id)
    employer = db.session.scalar(db.select(Company.id).where(Company.name == world.agency))
    hirer = db.session.scalar(db.select(Company.id).where(Company.name == world.main_contractor))
    today = local_date(utcnow(), "Europe/Oslo")
    new = card_orders.NewCardOrder(first, last, BORN, employer, hirer, "BEST-77", None, None, "Per Prosjektleder",
                                   today + timedelta(days=10))
    rep = make_user("builder_rep", site)
    order = card_orders.record_order(site.id, new, rep, utcnow())
    scans.register_card_ordered(site, order.id, rep, "Kortet er bestilt", utcnow(), at=utcnow() - timedelta(minutes=5))
    return order.id


def scan(client, world, number: str):
    response = client.post("/api/v1/scans", json=scan_body(number), headers=world.headers())
    assert response.status_code == 200, response.json
    return response.json


def test_the_scanned_card_links_the_order_and_the_worker_stays_one_person(client, world):
    order_id = order_for(world, "Jose", "Garcia-Lopez")
    world.put_card("41234567", first="José", last="García López", employer=("Bemanning Nord AS", "999888701"))
    assert scan(client, world, "41234567")["decision"] == "accepted"
    db.session.expire_all()
    order, card = db.session.get(CardOrder, order_id), db.session.scalar(db.select(Card).filter_by(number="41234567"))
    assert order.card_id == card.id and order.linked_at is not None
    assert card.person_id == order.person_id
    assert db.session.query(Person).filter(Person.last_name.like("Garc%")).count() == 1
    row = db.session.scalars(db.select(AttendanceDay).filter_by(person_id=order.person_id)).one()
    assert row.card_id == card.id and CARD_ORDERED in row.flags  # the morning on order stays documented
    assert row.hired_by.name == world.main_contractor  # the order's engagement carries the innleie
    linked = db.session.scalars(db.select(AuditLog).filter_by(action="card_order.linked")).one()
    assert linked.details["card_id"] == card.id and "Garc" not in str(linked.details)
    assert "41234567" not in str(linked.details)


def test_a_card_holder_known_from_another_site_absorbs_the_orders_person(client, world):
    order_id = order_for(world, "Ingrid", "Sæther")
    holder = Person(first_name="INGRID", last_name="Saether", birth_date=BORN)
    other_employer = db.session.scalar(db.select(Company).where(Company.name == world.agency))
    db.session.add_all([holder, Card(number="42345678", person=holder, employer=other_employer),
                        Engagement(person=holder, site_id=world.other_site_id, employer=other_employer)])
    db.session.commit()
    holder_id, ordered_person = holder.id, db.session.get(CardOrder, order_id).person_id
    world.put_card("42345678", first="INGRID", last="Saether", employer=("Bemanning Nord AS", "999888701"))
    scan(client, world, "42345678")
    db.session.expire_all()
    order = db.session.get(CardOrder, order_id)
    assert order.person_id == holder_id and order.card.number == "42345678"
    assert db.session.get(Person, ordered_person) is None
    rows = db.session.scalars(db.select(AttendanceDay).filter_by(site_id=world.site_id, person_id=holder_id)).all()
    assert len(rows) == 1 and CARD_ORDERED in rows[0].flags


def test_someone_else_with_the_same_birthday_is_not_linked(client, world):
    order_id = order_for(world, "Jose", "Garcia")
    scan(client, world, world.workers["kari"].card_number)
    db.session.expire_all()
    assert db.session.get(CardOrder, order_id).card_id is None
