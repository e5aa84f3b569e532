"""Retention with frozen time: the § 15 list kept six months after completion, in/out times for
passage_retention_days, other sites untouched, counts (not names) in the audit log."""
import json
from datetime import date, datetime, time, timedelta, timezone

import pytest

from app.domain.sites import add_months
from app.extensions import db
from app.models import (
    AccessLink, AttendanceDay, AuditLog, Card, DailyList, Engagement, FollowUp, Person, ScanEvent, Site,
)
from app.services import lists, retention
from app.services.retention import keep_list_until
from tests.support.builders import (
    archived_list, attend, follow_up, make_company, make_person, make_site, scan, share_link,
)

COMPLETED = date(2026, 5, 31)
LIMIT = date(2026, 11, 30)  # 31 May + 6 months = 30 November: the last day the list is kept
WORKED = date(2026, 5, 20)


def at_noon(day: date) -> datetime:
    return datetime.combine(day, time(11, 0), timezone.utc)  # 12:00 or 13:00 in Oslo, same date


@pytest.mark.parametrize("start, months, expected", [
    (date(2026, 5, 31), 6, date(2026, 11, 30)),
    (date(2025, 8, 31), 6, date(2026, 2, 28)),
    (date(2027, 8, 31), 6, date(2028, 2, 29)),
    (date(2026, 1, 15), 12, date(2027, 1, 15)),
    (date(2026, 12, 1), 1, date(2027, 1, 1)),
])
def test_add_months_clamps_to_the_month_end(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize("months, expected", [(6, LIMIT), (3, LIMIT), (0, LIMIT), (12, date(2027, 5, 31))])
def test_the_list_is_kept_at_least_six_months(months, expected):
    assert keep_list_until(Site(completion_date=COMPLETED, retention_months=months)) == expected
    assert keep_list_until(Site(completion_date=None, retention_months=months)) is None


@pytest.fixture
def world(db_session):
    """A completed site with a full set of personal data, and a live site sharing one worker."""
    done = make_site(name="Ferdig skole", completion_date=COMPLETED, status="completed")
    live = make_site(name="Kvartal Løkkeveien")
    main = make_company("Nordbygg Entreprenør AS")
    only_done = make_person("Rūta", "Jankauskienė", main)
    shared = make_person("Ærlend", "Ødegård-Åsheim", main)
    only_live = make_person("Łukasz", "Brzęczyszczykiewicz", main)
    for person in (only_done, shared):
        attend(done, person, WORKED, main)
        follow_up(done, person, scan(done, person, WORKED))
    archived_list(done, WORKED)
    share_link(done, expires_at=at_noon(LIMIT) + timedelta(days=30))
    recent = LIMIT - timedelta(days=10)
    for person in (shared, only_live):
        attend(live, person, recent, main)
        scan(live, person, recent)
    db.session.commit()
    return {"done": done.id, "live": live.id, "only_done": only_done.id, "shared": shared.id,
            "only_live": only_live.id, "recent": recent}


def counts(site_id: int) -> dict:
    return {model.__name__: db.session.query(model).filter(model.site_id == site_id).count()
            for model in (AttendanceDay, ScanEvent, FollowUp, DailyList, AccessLink, Engagement)}


def test_nothing_of_the_list_is_deleted_a_day_before_the_limit(world):
    before = counts(world["done"])
    summary = retention.purge(at_noon(LIMIT - timedelta(days=1)))
    assert summary.sites == {} and summary.people == 0
    assert counts(world["done"]) == {**before, "ScanEvent": 0}  # only the old scans went (passage rule)
    assert db.session.get(Person, world["only_done"]) is not None


def test_the_limit_day_itself_is_still_kept(world):
    assert retention.purge(at_noon(LIMIT)).sites == {}
    assert counts(world["done"])["AttendanceDay"] == 2


def test_everything_personal_is_gone_a_day_after_and_other_sites_are_untouched(world):
    live_before = counts(world["live"])
    summary = retention.purge(at_noon(LIMIT + timedelta(days=1)))
    assert set(counts(world["done"]).values()) == {0}
    assert summary.sites[world["done"]]["attendance_days"] == 2
    assert summary.sites[world["done"]]["daily_lists"] == 1
    assert db.session.get(Person, world["only_done"]) is None
    assert db.session.query(Card).filter_by(person_id=world["only_done"]).count() == 0
    assert summary.people == 1 and summary.cards == 1
    # The shared worker is on the live site's list: kept, with the card.
    assert db.session.get(Person, world["shared"]) is not None
    assert db.session.query(Card).filter_by(person_id=world["shared"]).count() == 1
    assert counts(world["live"]) == live_before
    assert db.session.get(Site, world["done"]) is not None  # the site itself stays


def test_a_second_run_finds_nothing_more_to_delete(world):
    retention.purge(at_noon(LIMIT + timedelta(days=1)))
    again = retention.purge(at_noon(LIMIT + timedelta(days=2)))
    assert all(n == 0 for n in again.sites[world["done"]].values()) and again.people == 0


def test_dry_run_counts_but_deletes_nothing(world):
    before = counts(world["done"])
    summary = retention.purge(at_noon(LIMIT + timedelta(days=1)), dry_run=True)
    assert summary.dry_run and summary.sites[world["done"]]["attendance_days"] == 2 and summary.people == 1
    assert counts(world["done"]) == before
    assert db.session.get(Person, world["only_done"]) is not None
    assert db.session.query(AuditLog).count() == 0


def test_the_audit_log_gets_counts_not_names(world):
    retention.purge(at_noon(LIMIT + timedelta(days=1)), actor="cli")
    row = db.session.query(AuditLog).filter_by(action="retention.purge").one()
    details = json.dumps(row.details, ensure_ascii=False)
    assert row.details["people"] == 1 and row.details["sites"][str(world["done"])]["scan_events"] == 2
    for name in ("Jankauskienė", "Ødegård", "Rūta"):
        assert name not in details


def test_in_out_times_expire_after_the_passage_retention(db_session):
    site = make_site(passage_retention_days=90)
    main = make_company("Nordbygg Entreprenør AS")
    person = make_person("Åse", "Bakkeløkken", main)
    today = date(2026, 11, 25)
    old_day, kept_day = today - timedelta(days=91), today - timedelta(days=90)
    old = attend(site, person, old_day, main)
    kept = attend(site, person, kept_day, main)
    old_scan, kept_scan = scan(site, person, old_day), scan(site, person, kept_day)
    unconfirmed = scan(site, person, old_day, hour=12, verified=False)
    notice = follow_up(site, person, old_scan)
    db.session.commit()
    ids = (old.id, kept.id, old_scan.id, kept_scan.id, notice.id, unconfirmed.id)
    hash_before = lists.day_report(site.id, old_day, at_noon(today)).data_sha256

    summary = retention.purge(at_noon(today))

    old, kept = db.session.get(AttendanceDay, ids[0]), db.session.get(AttendanceDay, ids[1])
    assert old is not None and old.first_in is None and old.last_out is None  # the date-level row stays
    assert kept.first_in is not None and kept.last_out is not None
    assert db.session.get(ScanEvent, ids[2]) is None and db.session.get(ScanEvent, ids[3]) is not None
    notice = db.session.get(FollowUp, ids[4])
    assert notice is not None and notice.scan_event_id is None  # the § 8 notice outlives its scan
    assert summary.times_cleared == 1 and summary.scan_events_expired == 2
    assert db.session.get(ScanEvent, ids[5]) is None
    # The list of that day still says "not verified", and its data hash (so its check) is unchanged.
    assert "unverified" in lists.build_day(site.id, old_day).entries[0].flags
    assert lists.day_report(site.id, old_day, at_noon(today)).data_sha256 == hash_before


def test_sites_without_a_completion_date_are_listed_for_the_dashboard(world):
    missing = retention.sites_without_completion_date()
    assert [s.site_id for s in missing] == [world["live"]]


def test_cli_purge_dry_run_and_status(runner, db_session):
    make_site(name="Gammel bru", completion_date=date(2020, 1, 31))
    make_site(name="Uten ferdigdato")
    db.session.commit()
    result = runner.invoke(args=["retention", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run, nothing deleted" in result.output and "list expired" in result.output
    result = runner.invoke(args=["retention", "status"])
    assert result.exit_code == 0 and "2020-07-31" in result.output
    assert "WARNING: 1" in result.output
    result = runner.invoke(args=["retention", "purge"])
    assert result.exit_code == 0 and db.session.query(AuditLog).filter_by(action="retention.purge").count() == 1
