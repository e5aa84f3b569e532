"""GDPR art. 15: the self-service record holds the person's own data and nobody else's."""
from datetime import date, timedelta

from app.extensions import db
from app.models import ScanEvent
from app.services.person_record import person_record, record_json
from tests.support.workflow_data import NOW, TODAY, make_attendance, make_person, make_site


def scan(site, person, uid, minutes):
    card = person.cards[0]
    db.session.add(ScanEvent(id=uid, site_id=site.id, card_id=card.id, card_number=card.number,
                             person_id=person.id, scanned_at=NOW + timedelta(minutes=minutes), local_date=TODAY,
                             decision="accepted", reason="ok", direction="in"))


def test_record_has_person_cards_days_and_scans_of_that_person_only(db_session):
    site = make_site()
    me = make_person(site)
    colleague = make_person(site, first="Jankauskienė", last="Aušra", number="40015838")
    make_attendance(site, me)
    make_attendance(site, colleague)
    scan(site, me, "00000000-0000-4000-8000-000000000001", 0)
    scan(site, colleague, "00000000-0000-4000-8000-000000000002", 1)
    db.session.commit()
    record = person_record(me.id, site.id)
    assert record["person"] == {"first_name": "Łukasz", "last_name": "Żółkowski", "birth_date": date(1984, 5, 17)}
    assert [c["number"] for c in record["cards"]] == ["40007919"]
    assert len(record["attendance_days"]) == 1 and record["attendance_days"][0]["site"] == "Kvartal Løkkeveien"
    assert len(record["scan_events"]) == 1 and record["engagements"][0]["employer"]["name"] == "Elektro Øst AS"
    text = record_json(record)
    assert '"birth_date": "1984-05-17"' in text
    assert "Jankauskienė" not in text and "40015838" not in text


def test_record_includes_the_persons_card_orders_on_that_site(db_session):
    from app.models import CardOrder

    site, other = make_site(), make_site("Nye Tromsø brannstasjon", org_prefix=98765430)
    me = make_person(site)
    employer = me.cards[0].employer
    for where, reference in ((site, "BEST-1"), (other, "BEST-2")):
        db.session.add(CardOrder(site_id=where.id, person_id=me.id, employer_id=employer.id, order_reference=reference,
                                 approved_by="Anne Byggleder", valid_until=TODAY + timedelta(days=20)))
    db.session.commit()
    orders = person_record(me.id, site.id)["card_orders"]
    assert [o["order_reference"] for o in orders] == ["BEST-1"]  # not the other site's
    assert '"valid_until"' in record_json(person_record(me.id, site.id))
