"""Daily control: which days have people, which are checked, which nobody checked."""
from datetime import timedelta

from app.extensions import db
from app.models import DailyList
from app.services import daily_control, list_versions
from tests.support.workflow_data import NOW, TODAY, make_attendance, make_person, make_site, make_user


def control(site_id, day) -> daily_control.DayControl:
    """The day's control state as the day page shows it (its versions, then control_of)."""
    return daily_control.control_of(site_id, day, list_versions.versions_of_day(site_id, day))


def archive(site, day, version, user):
    db.session.add(DailyList(site_id=site.id, local_date=day, version=version, checked_by_id=user.id,
                             checked_at=NOW, data_sha256="d" * 64, pdf=b"%PDF-1.4", pdf_sha256=str(version) * 64))
    db.session.flush()


def test_unchecked_days_are_past_days_with_people_and_no_version(db_session):
    site = make_site()
    person = make_person(site)
    rep = make_user("builder_rep", site)
    for back in (0, 1, 2, 3):
        make_attendance(site, person, TODAY - timedelta(days=back))
    archive(site, TODAY - timedelta(days=2), 1, rep)
    # Today is never flagged: the day is not over.
    assert daily_control.unchecked_days(site.id, TODAY) == [TODAY - timedelta(days=1), TODAY - timedelta(days=3)]


def test_removed_rows_do_not_count_and_other_sites_do_not_leak(db_session):
    site = make_site()
    other = make_site(name="Nye Tromsø brannstasjon", org_prefix=98765430)
    row = make_attendance(site, make_person(site), TODAY - timedelta(days=1))
    row.removed_at = NOW
    make_attendance(other, make_person(other, number="40015838"), TODAY - timedelta(days=1))
    assert daily_control.unchecked_days(site.id, TODAY) == []
    assert daily_control.unchecked_days(other.id, TODAY) == [TODAY - timedelta(days=1)]


def test_day_statuses_show_latest_version_and_versions_stay_listed(db_session):
    site = make_site()
    rep = make_user("builder_rep", site)
    make_attendance(site, make_person(site), TODAY - timedelta(days=1))
    archive(site, TODAY - timedelta(days=1), 1, rep)
    archive(site, TODAY - timedelta(days=1), 2, rep)
    statuses = daily_control.day_statuses(site.id, TODAY)
    assert [(s.local_date, s.people, s.version) for s in statuses] == [
        (TODAY, 0, None), (TODAY - timedelta(days=1), 1, 2)]
    assert statuses[1].checked and statuses[1].checked_by == "Bjørn Byggleder"
    assert [v.version for v in list_versions.versions_of_day(site.id, TODAY - timedelta(days=1))] == [2, 1]


def test_a_correction_after_the_check_makes_the_day_changed_until_checked_again(db_session):
    from app.services import lists, scans

    site = make_site()
    rep = make_user("builder_rep", site)
    keep = make_attendance(site, make_person(site), TODAY - timedelta(days=1))
    wrong = make_attendance(site, make_person(site, first="Rūta", last="Petrauskaitė", number="40015838"),
                            TODAY - timedelta(days=1))
    db.session.commit()
    assert control(site.id, keep.local_date).needs_check
    lists.check_day(site.id, keep.local_date, rep, NOW)
    assert not control(site.id, keep.local_date).needs_check
    scans.remove_registration(wrong.id, rep, "Registrert på feil byggeplass", NOW + timedelta(minutes=5))
    changed = control(site.id, keep.local_date)
    assert changed.changed and changed.latest.version == 1
    compared = {s.local_date: s for s in daily_control.day_statuses(site.id, TODAY, compare_lists=True)}
    assert compared[keep.local_date].changed and compared[keep.local_date].version == 1
    not_compared = {s.local_date: s for s in daily_control.day_statuses(site.id, TODAY)}
    assert not not_compared[keep.local_date].changed  # only when asked: /metrics does not ask
    lists.check_day(site.id, keep.local_date, rep, NOW + timedelta(minutes=6))
    again = control(site.id, keep.local_date)
    assert not again.changed and again.latest.version == 2
