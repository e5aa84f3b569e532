"""An imported crew is "expected but not arrived" on the muster list (page and PDF) until it is on the
day's list; a worker scanned before the crew was registered gets its "Innleid av" on today's list."""
from datetime import date, datetime, timedelta, timezone

from app.clock import utcnow
from app.domain.localtime import local_date
from app.extensions import db
from app.models import AttendanceDay, Company, Person
from app.services import companies, crews, lists, presence
from tests.support.builders import attend, make_person, make_site
from tests.support.pdftext import pdf_pages

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
MAIN, AGENCY = "912345602", "999888712"


def test_an_imported_crew_is_expected_until_it_arrives(db_session, app):
    site = make_site()
    db.session.commit()
    top = companies.add_to_site(site.id, companies.NewCompany("Nordbygg AS", MAIN, None, "NO", "main_contractor",
                                                              None), "test")
    companies.add_to_site(site.id, companies.NewCompany("Bemanning Nord AS", AGENCY, None, "NO", "staffing_agency",
                                                        top.id), "test")
    parsed = crews.parse_rows([
        ["name", "birth_date", "card_number", "employer_org", "hired_by_org", "active_from", "active_to"],
        ["Rūta Jankauskienė", "03.02.1980", "40031676", AGENCY, MAIN, "", ""],
        ["Ærlend Ødegård", "1975-06-01", "40039595", MAIN, "", "", "2026-11-24"],  # ended yesterday
    ], TODAY)
    assert crews.import_crew(site.id, parsed, "test").ok

    expected = presence.muster(site.id, TODAY).expected
    assert [e.person.last_name for e in expected] == ["Jankauskienė"]
    assert expected[0].hired_by.org_number == MAIN
    text = " ".join(pdf_pages(lists.muster_pdf(site.id, NOW).content))
    assert "Jankauskienė" in text and "Ødegård" not in text

    ruta = db.session.scalar(db.select(Person).where(Person.last_name == "Jankauskienė"))
    agency = expected[0].employer
    attend(site, ruta, TODAY, agency, hired_by=expected[0].hired_by)
    db.session.commit()
    assert presence.muster(site.id, TODAY).expected == []


def test_registering_the_crew_after_the_first_scan_puts_innleid_av_on_todays_list_only(db_session, app):
    """Scanned at 07:00 before anyone registered the crew; the import at 09:00 names who hired the worker
    in: today's list says so at once, yesterday's stays as it was recorded."""
    today = local_date(utcnow(), app.config["PORTVAKT_TZ"])
    site = make_site()
    db.session.commit()
    top = companies.add_to_site(site.id, companies.NewCompany("Nordbygg AS", MAIN, None, "NO", "main_contractor",
                                                              None), "test")
    companies.add_to_site(site.id, companies.NewCompany("Bemanning Nord AS", AGENCY, None, "NO", "staffing_agency",
                                                        top.id), "test")
    agency = db.session.scalar(db.select(Company).where(Company.org_number == AGENCY))
    ruta = make_person("Rūta", "Jankauskienė", agency, birth_date=date(1980, 2, 3), card_number="40031676")
    attend(site, ruta, today, agency, engage=False)
    attend(site, ruta, today - timedelta(days=1), agency, engage=False)
    db.session.commit()

    parsed = crews.parse_rows([
        ["name", "birth_date", "card_number", "employer_org", "hired_by_org", "active_from", "active_to"],
        ["Rūta Jankauskienė", "03.02.1980", "40031676", AGENCY, MAIN, "", ""]], today)
    assert crews.import_crew(site.id, parsed, "test").ok

    rows = {row.local_date: row for row in db.session.scalars(db.select(AttendanceDay))}
    assert rows[today].hired_by.org_number == MAIN
    assert rows[today - timedelta(days=1)].hired_by_id is None
    [entry] = lists.build_day(site.id, today).entries
    assert entry.hired_by.identifier == MAIN
