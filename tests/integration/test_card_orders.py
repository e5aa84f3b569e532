"""Workers whose HMS card is on order: recording the order, registering them by hand, the § 15 list
(web, PDF, CSV, Excel) and the audit log. Linking at the gate is in test_card_order_linking.py."""
import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from app.clock import utcnow
from app.domain.localtime import local_date
from app.domain.oversiktsliste import CARD_ORDERED
from app.extensions import db
from app.models import AttendanceDay, AuditLog, CardOrder, Engagement, Person, ScanEvent
from app.services import card_orders, lists, scans
from tests.support.pdftext import pdf_pages
from tests.support.web import make_company, make_site, make_user

TINY_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BORN = date(1991, 6, 5)


@pytest.fixture
def site(db_session):
    return make_site("Kaia Øst")


@pytest.fixture
def chain(site):
    """Employer (a staffing agency) and the main contractor that hired the worker in."""
    agency = make_company("Bemanning Nord AS", "999888774", site=site, role="staffing_agency")
    main = make_company("Nordbygg Entreprenør AS", "912345670", site=site, role="main_contractor")
    db.session.commit()
    return agency, main


@pytest.fixture
def rep(site):
    return make_user("builder_rep", site)


def today() -> date:
    return local_date(utcnow(), "Europe/Oslo")


def new_order(chain, **fields) -> card_orders.NewCardOrder:
    agency, main = chain
    values = dict(first_name="Jūratė", last_name="Kazlauskienė", birth_date=BORN, employer_id=agency.id,
                  hired_by_id=main.id, order_reference="HMS-2026-0042", receipt=None, receipt_filename=None,
                  approved_by="Per Prosjektleder", valid_until=today() + timedelta(days=14))
    return card_orders.NewCardOrder(**(values | fields))


def record(site, chain, rep, **fields) -> CardOrder:
    return card_orders.record_order(site.id, new_order(chain, **fields), rep, utcnow())


def test_recording_an_order_makes_the_person_engages_them_and_audits_ids_only(site, chain, rep):
    order = record(site, chain, rep)
    assert order.person.name == "Jūratė Kazlauskienė" and order.person.birth_date == BORN
    assert order.card_id is None and order.receipt is None
    engagement = db.session.scalars(db.select(Engagement).filter_by(person_id=order.person_id)).one()
    assert (engagement.site_id, engagement.employer_id, engagement.hired_by_id) == (site.id, *[c.id for c in chain])
    entry = db.session.scalars(db.select(AuditLog).filter_by(action="card_order.create")).one()
    assert entry.target_id == str(order.id) and entry.details["person_id"] == order.person_id
    assert "Kazlauskien" not in str(entry.details) and "1991" not in str(entry.details)
    assert "HMS-2026" not in str(entry.details)


def test_a_second_order_for_the_same_worker_on_the_site_reuses_the_person(site, chain, rep):
    first = record(site, chain, rep)
    second = record(site, chain, rep, first_name="JURATE", last_name="kazlauskiene")
    assert second.person_id == first.person_id
    assert db.session.query(Person).count() == 1


def test_a_namesake_on_another_site_is_not_reused(site, chain, rep):
    other = make_site("Fjordbyen")
    stranger = Person(first_name="Jūratė", last_name="Kazlauskienė", birth_date=BORN)
    db.session.add(stranger)
    db.session.flush()
    db.session.add(Engagement(person_id=stranger.id, site_id=other.id, employer_id=chain[0].id))
    db.session.commit()
    assert record(site, chain, rep).person_id != stranger.id


@pytest.mark.parametrize("fields, field, code", [
    ({"order_reference": "  ", "receipt": None}, "order_reference", "reference_or_receipt"),
    ({"valid_until": date(2000, 1, 1)}, "valid_until", "in_past"),
    ({"first_name": "   "}, "first_name", "name"),
    ({"last_name": "x" * 201}, "last_name", "name"),
    ({"approved_by": " "}, "approved_by", "approved_by"),
    ({"birth_date": date(1850, 1, 1)}, "birth_date", "birth_date"),
    ({"receipt": b"<html><script>alert(1)</script></html>", "receipt_filename": "k.pdf"}, "receipt", "receipt_type"),
    ({"receipt": b"%PDF-1.7" + b"0" * (5 * 1024 * 1024)}, "receipt", "receipt_too_large"),
])
def test_bad_orders_are_refused_with_the_field_to_fix(site, chain, rep, fields, field, code):
    with pytest.raises(card_orders.CardOrderRefused) as refused:
        record(site, chain, rep, **fields)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert db.session.query(CardOrder).count() == 0


def test_valid_until_more_than_thirty_days_ahead_is_refused(site, chain, rep):
    with pytest.raises(card_orders.CardOrderRefused) as refused:
        record(site, chain, rep, valid_until=today() + timedelta(days=31))
    assert refused.value.code == "too_far"
    assert record(site, chain, rep, valid_until=today() + timedelta(days=30)).id


def test_employer_and_hirer_must_be_on_the_sites_chain(site, chain, rep):
    outsider = make_company("Ukjent AS", "974760673")
    with pytest.raises(card_orders.CardOrderRefused) as refused:
        record(site, chain, rep, employer_id=outsider.id)
    assert refused.value.field == "employer_id"
    with pytest.raises(card_orders.CardOrderRefused) as refused:
        record(site, chain, rep, hired_by_id=outsider.id)
    assert refused.value.field == "hired_by_id"


def test_a_receipt_is_kept_with_its_sniffed_type(site, chain, rep):
    order = record(site, chain, rep, order_reference="", receipt=TINY_PNG, receipt_filename="../kvittering.pdf")
    kept = card_orders.receipt_of(site.id, order.id)
    assert kept == (TINY_PNG, "kvittering.png", "image/png")
    assert card_orders.receipt_of(site.id + 1000, order.id) is None


def test_orders_are_listed_open_then_expired_then_linked(site, chain, rep):
    opened = record(site, chain, rep)
    expired = record(site, chain, rep, first_name="Ola", last_name="Hansen")
    db.session.execute(db.update(CardOrder).where(CardOrder.id == expired.id).values(
        valid_until=today() - timedelta(days=1)))
    db.session.commit()
    rows = card_orders.orders_of_site(site.id, utcnow())
    assert [(row.order.id, row.status) for row in rows] == [(opened.id, "open"), (expired.id, "expired")]


# ---- registering by hand ---------------------------------------------------------------------------

def register(site, order, rep, direction="in", at=None):
    return scans.register_card_ordered(site, order.id, rep, "Kortet er bestilt, kvittering vist", utcnow(),
                                       direction=direction, at=at)


def the_day(order) -> AttendanceDay:
    db.session.expire_all()
    return db.session.scalars(db.select(AttendanceDay).filter_by(person_id=order.person_id)).one()


def test_registering_puts_the_worker_on_the_list_without_a_card(site, chain, rep):
    order = record(site, chain, rep)
    done = register(site, order, rep)
    row = the_day(order)
    assert done.direction == "in" and row.is_present and row.first_in is not None
    assert row.card_id is None and row.source == "manual" and CARD_ORDERED in row.flags
    assert (row.employer_id, row.hired_by_id) == (chain[0].id, chain[1].id)
    event = db.session.get(ScanEvent, done.scan_id)
    assert event.card_id is None and event.source == "manual" and event.decision == "accepted"
    entry = db.session.scalars(db.select(AuditLog).filter_by(action="card_order.manual_registration")).one()
    assert entry.details == {"card_order_id": order.id, "direction": "in"} and entry.target_id == done.scan_id


def test_in_and_out_follow_the_scan_rules(site, chain, rep):
    order = record(site, chain, rep)
    start = utcnow() - timedelta(minutes=3)
    register(site, order, rep, direction="in", at=start)
    assert register(site, order, rep, direction="auto", at=start + timedelta(minutes=1)).direction == "out"
    row = the_day(order)
    assert not row.is_present and row.last_out is not None and CARD_ORDERED in row.flags


def test_voiding_a_registration_keeps_the_flag_on_the_rebuilt_day(site, chain, rep):
    order = record(site, chain, rep)
    start = utcnow() - timedelta(minutes=3)
    register(site, order, rep, at=start)
    out = register(site, order, rep, direction="out", at=start + timedelta(minutes=1))
    scans.void_scan(out.scan_id, rep, "Feil registrering", utcnow())
    row = the_day(order)
    assert row.last_out is None and CARD_ORDERED in row.flags


@pytest.mark.parametrize("at_offset, error", [
    (timedelta(minutes=2), scans.rules.ClockError),  # in the future
    (timedelta(days=-8), scans.rules.ClockError),  # older than a week
])
def test_a_time_in_the_future_or_long_ago_is_refused(site, chain, rep, at_offset, error):
    order = record(site, chain, rep)
    with pytest.raises(error):
        register(site, order, rep, at=utcnow() + at_offset)
    assert db.session.query(AttendanceDay).count() == 0


def test_an_expired_or_linked_order_registers_nobody(site, chain, rep):
    order = record(site, chain, rep)
    db.session.execute(db.update(CardOrder).where(CardOrder.id == order.id).values(
        valid_until=today() - timedelta(days=1)))
    db.session.commit()
    with pytest.raises(scans.CardOrderNotUsable):
        register(site, order, rep)
    with pytest.raises(LookupError):
        scans.register_card_ordered(site, order.id + 99, rep, "Grunn her", utcnow())
    assert db.session.query(AttendanceDay).count() == 0


def test_a_reason_is_required(site, chain, rep):
    order = record(site, chain, rep)
    with pytest.raises(ValueError):
        scans.register_card_ordered(site, order.id, rep, "  ", utcnow())


# ---- the list ------------------------------------------------------------------------------------

def flat(content: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(pdf_pages(content)))


def test_the_pdf_csv_and_excel_say_hms_card_on_order_with_no_card_number(site, chain, rep):
    order = record(site, chain, rep)
    register(site, order, rep)
    day, now = today(), utcnow()
    text = flat(lists.daily_pdf(site.id, day, now).content)
    assert "HMS-kort bestilt / HMS card on order" in text and "Kazlauskienė" in text
    csv_lines = lists.daily_csv(site.id, day, now).content.decode("utf-8-sig").splitlines()
    header = next(l for l in csv_lines if l.startswith("Etternavn / Last name")).split(";")  # after the § 15 facts
    line = next(l for l in csv_lines if "Kazlauskien" in l).split(";")
    assert "HMS-kort bestilt / HMS card on order" in line[header.index("Merknader / Flags")]
    assert line[header.index("HMS-kortnr. / HMS card no.")] == ""
    sheet = load_workbook(io.BytesIO(lists.daily_xlsx(site.id, day, now).content)).active
    cells = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value]
    assert any("HMS-kort bestilt" in cell for cell in cells)


def test_the_days_web_page_shows_the_flag(site, chain, rep, client):
    from tests.support.web import login_as

    order = record(site, chain, rep)
    register(site, order, rep)
    login_as(client, rep)
    page = client.get(f"/sites/{site.id}/lists/{today().isoformat()}", headers={"Cookie": "portvakt_lang=nb"})
    assert page.status_code == 200 and "HMS-kort bestilt" in page.get_data(as_text=True)


# ---- retention -------------------------------------------------------------------------------------

def test_card_orders_and_receipts_go_with_the_sites_data(site, chain, rep):
    from datetime import datetime, time, timezone

    from app.services import retention

    order = record(site, chain, rep, receipt=TINY_PNG, receipt_filename="k.png")
    register(site, order, rep)
    other = make_site("Fjordbyen")
    kept_person = Person(first_name="Kari", last_name="Nordmann", birth_date=BORN)
    db.session.add(kept_person)
    db.session.flush()
    kept = CardOrder(site_id=other.id, person_id=kept_person.id, employer_id=chain[0].id, order_reference="X-1",
                     approved_by="Per", valid_until=today())
    db.session.add(kept)
    site.completion_date = today() - timedelta(days=400)
    db.session.commit()
    ids = (site.id, order.id, order.person_id, kept.id, kept_person.id)
    summary = retention.purge(datetime.combine(today(), time(11), timezone.utc))
    site_id, order_id, person_id, kept_id, kept_person_id = ids
    assert summary.sites[site_id]["card_orders"] == 1
    assert db.session.get(CardOrder, order_id) is None and db.session.get(Person, person_id) is None
    assert db.session.get(CardOrder, kept_id) is not None and db.session.get(Person, kept_person_id) is not None
