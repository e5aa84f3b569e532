"""People and cards that only rejected scans created go with those scans (issue 15, item 11)."""
from datetime import date, datetime, time, timedelta, timezone

from app.extensions import db
from app.models import Card, Person
from app.services import retention
from tests.support.builders import attend, make_company, make_person, make_site, scan

SCANNED = date(2026, 3, 2)


def test_a_person_seen_only_in_rejected_scans_is_purged_with_the_scans(db_session):
    site = make_site(passage_retention_days=90)
    frakt = make_company("Frakt Øst AS")
    refused = make_person("Piotr", "Wiśniewski", frakt)  # the card service's answer made them
    scan(site, refused, SCANNED, decision="rejected")
    worker = make_person("Kari", "Nordmann", frakt)
    scan(site, worker, SCANNED, decision="rejected")
    attend(site, worker, SCANNED + timedelta(days=1), frakt)  # on a list: stays
    db.session.commit()
    ids = refused.id, worker.id

    day_before = SCANNED + timedelta(days=90)
    retention.purge(datetime.combine(day_before, time(11), timezone.utc))
    assert db.session.get(Person, ids[0]) is not None  # the scan is still kept, so is its person

    summary = retention.purge(datetime.combine(day_before + timedelta(days=1), time(11), timezone.utc))
    db.session.expire_all()
    assert summary.scan_events_expired == 2 and summary.people == 1 and summary.cards == 1
    assert db.session.get(Person, ids[0]) is None
    assert db.session.query(Card).filter_by(person_id=ids[0]).count() == 0
    assert db.session.get(Person, ids[1]) is not None
