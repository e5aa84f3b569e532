"""The § 15 list as documents: gather a site's day (or period) from the database, render it with
reports/, archive checked versions, and recognise an archived PDF.

Every download function returns a Download (content, filename, mimetype), ready for send_file.
An employer's view passes `company_id`, and then only that employer's people are included.
"""
import hashlib
from collections import defaultdict
from datetime import date, datetime
from typing import Callable, NamedTuple

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload, undefer

from app.clock import site_zone
from app.domain import oversiktsliste
from app.domain.days import can_check_day
from app.domain.localtime import local_date as to_local_date
from app.domain.localtime import to_local
from app.extensions import db
from app.models import AttendanceDay, Card, DailyList, Person, Site
from app.services import connectors, day_list, expected, list_versions, presence, visitors
from app.services import unit_of_work
from app.services.audit import audit
from app.services.day_list import DayRow, Employer, HiredBy, company_value
from app.services.list_versions import ListVersion, as_version
from reports import data as report_data
from reports.daily import render_daily_list
from reports.exports import daily_csv as render_daily_csv
from reports.exports import daily_xlsx as render_daily_xlsx
from reports.exports import ExportRefused, elrapp_items, elrapp_json  # noqa: F401 (ExportRefused: for callers)
from reports.exports import period_csv as render_period_csv
from reports.exports import period_xlsx as render_period_xlsx
from reports.muster import render_muster_list
from reports.period import render_period_report

PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON = "application/json"


class UnknownSite(LookupError):
    """No site with that id: the caller answers 404 (web) or a clear message (CLI)."""


class BadPeriod(ValueError):
    """A period that ends before it starts, or is longer than MAX_PERIOD_DAYS."""


class DayNotBegun(ValueError):
    """A check of a day after the site's today (app/domain/days.can_check_day)."""


MAX_PERIOD_DAYS = 366


class Download(NamedTuple):
    content: bytes
    filename: str
    mimetype: str


# ---- the day's list -------------------------------------------------------------------------

def build_day(site_id: int, day: date, company_id: int | None = None) -> oversiktsliste.Oversiktsliste:
    """The day's list (domain object): live rows only, in list order (the order of day_list.live_rows)."""
    site = _site(site_id)
    header = oversiktsliste.Header(site.id, site.name, site.address, site.builder.name, day, prints_times(site))
    rows = day_list.list_rows(site_id, day, company_id)
    return oversiktsliste.build_oversiktsliste(header, [_entry(row) for row in rows])


def _company(company) -> oversiktsliste.Company | None:
    return oversiktsliste.Company(company.name, company.identifier) if company is not None else None


def _entry(row: DayRow) -> oversiktsliste.Entry:
    """A row of the list as the domain builds it; its flags are already the list's (day_list.list_rows)."""
    return oversiktsliste.Entry(
        first_name=row.person.first_name, last_name=row.person.last_name, birth_date=row.person.birth_date,
        employer=row.employer, hired_by=row.hired_by,
        card_number=row.card.number if row.card else None,
        card_valid_to=row.card.valid_to if row.card else None,
        first_in=row.first_in, last_out=row.last_out, flags=tuple(row.flags))


def day_report(site_id: int, day: date, now: datetime, company_id: int | None = None) -> report_data.DailyListReport:
    """The live list as a report: "checked" only if the newest archived version has the same data."""
    liste = build_day(site_id, day, company_id)
    full_hash = oversiktsliste.data_sha256(liste if company_id is None else build_day(site_id, day))
    latest = list_versions.newest(site_id, day)
    control = _control(latest) if latest and latest.data_sha256 == full_hash else report_data.ControlStatus()
    return _report(liste, _site(site_id), now, control)


def _report(liste: oversiktsliste.Oversiktsliste, site: Site, now: datetime,
            control: report_data.ControlStatus) -> report_data.DailyListReport:
    tz = site_zone()
    groups = tuple(
        report_data.EmployerGroup(_info(group.employer), tuple(_row(entry, tz) for entry in group.entries))
        for group in liste.groups)
    return report_data.DailyListReport(site=_site_info(site), day=liste.header.local_date, groups=groups,
                                       data_sha256=oversiktsliste.data_sha256(liste), generated_at=to_local(now, tz),
                                       show_times=prints_times(site), control=control)


def prints_times(site: Site) -> bool:
    """In/out times go on the list only when the site records them and chose to print them."""
    return bool(site.records_times and site.prints_times)


def _row(entry: oversiktsliste.Entry, tz: str) -> report_data.ListRow:
    return report_data.ListRow(
        first_name=entry.first_name, last_name=entry.last_name, birth_date=entry.birth_date,
        employer=_info(entry.employer), hired_by=_info(entry.hired_by) if entry.hired_by else None,
        card_number=entry.card_number, card_valid_to=entry.card_valid_to,
        first_in=to_local(entry.first_in, tz) if entry.first_in else None,
        last_out=to_local(entry.last_out, tz) if entry.last_out else None, flags=entry.flags)


def _info(company: oversiktsliste.Company) -> report_data.CompanyInfo:
    return report_data.CompanyInfo(company.name, company.identifier)


def _site_info(site: Site) -> report_data.SiteInfo:
    return report_data.SiteInfo(site.name, site.address, site.builder.name, site.contract_id)


def _control(version: DailyList) -> report_data.ControlStatus:
    checked_by = version.checked_by.name if version.checked_by else "–"
    return report_data.ControlStatus(version.version, checked_by, to_local(version.checked_at, site_zone()))


def daily_pdf(site_id: int, day: date, now: datetime, company_id: int | None = None) -> Download:
    """The live § 15 list for a day as PDF (not archived; see check_day for that)."""
    report = day_report(site_id, day, now, company_id)
    return Download(render_daily_list(report), _filename("oversiktsliste", site_id, day, "pdf"), PDF)


def daily_csv(site_id: int, day: date, now: datetime, company_id: int | None = None) -> Download:
    """The day's list as CSV (UTF-8 with BOM, semicolons: opens right in a Norwegian Excel)."""
    report = day_report(site_id, day, now, company_id)
    return Download(render_daily_csv(report), _filename("oversiktsliste", site_id, day, "csv"), CSV)


def daily_xlsx(site_id: int, day: date, now: datetime, company_id: int | None = None) -> Download:
    report = day_report(site_id, day, now, company_id)
    return Download(render_daily_xlsx(report), _filename("oversiktsliste", site_id, day, "xlsx"), XLSX)


def daily_elrapp(site_id: int, day: date, now: datetime, company_id: int | None = None) -> Download:
    """The day in the JSON shape of Statens vegvesen's ELRAPP oversiktsliste API (KontraktId from the
    site); ExportRefused when the site has no integer contract id."""
    report = day_report(site_id, day, now, company_id)
    return Download(elrapp_json(report), _filename("elrapp", site_id, day, "json"), JSON)


def elrapp_left_out(site_id: int, day: date, now: datetime, company_id: int | None = None) -> dict[str, int]:
    """How many of the day's rows the ELRAPP export leaves out, by reason (no_card_number,
    no_org_number, no_card_expiry): ELRAPP requires each of them."""
    return elrapp_items(day_report(site_id, day, now, company_id))[1]


# ---- daily control and the archive ------------------------------------------------------------

def check_day(site_id: int, day: date, user, now: datetime) -> DailyList:
    """Mark the day checked: archive a new version with its PDF, the PDF's sha256 and the data hash.

    Checking again while the data is unchanged returns the newest version instead of adding one;
    any change since (a manual registration, a correction) makes the next version.
    """
    try:
        with unit_of_work():
            return _check_day(site_id, day, user, now)
    except _VersionTaken:
        # Someone checked the same day at the same moment and took this version number: theirs stands.
        return list_versions.newest(site_id, day)


class _VersionTaken(Exception):
    """Another check of the same day stored this version number first."""


def _check_day(site_id: int, day: date, user, now: datetime) -> DailyList:
    if not can_check_day(day, to_local_date(now, site_zone())):
        raise DayNotBegun(day.isoformat())
    site = _site(site_id)
    liste = build_day(site_id, day)
    data_hash = oversiktsliste.data_sha256(liste)
    latest = list_versions.newest(site_id, day)
    if latest is not None and latest.data_sha256 == data_hash:
        return latest
    number = (latest.version if latest else 0) + 1
    control = report_data.ControlStatus(number, user.name, to_local(now, site_zone()))
    pdf = render_daily_list(_report(liste, site, now, control))
    version = DailyList(site_id=site_id, local_date=day, version=number, checked_by_id=user.id, checked_at=now,
                        data_sha256=data_hash, pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest())
    db.session.add(version)
    try:
        db.session.flush()
    except IntegrityError:
        raise _VersionTaken from None
    audit("list.checked", user, site_id=site_id, target_type="daily_list", target_id=version.id, at=now,
          date=day.isoformat(), version=number, people=liste.total, data_sha256=data_hash,
          times_printed=liste.header.times_printed)  # retention takes printed times off later (list_redaction)
    connectors.day_checked(site, day, now)  # ELRAPP, in this transaction
    return version


def archived_pdf(site_id: int, day: date, version: int) -> Download | None:
    """An archived version's PDF exactly as it was stored, or None."""
    row = db.session.scalars(select(DailyList).where(
        DailyList.site_id == site_id, DailyList.local_date == day, DailyList.version == version)
        .options(undefer(DailyList.pdf))).first()
    if row is None:
        return None
    return Download(row.pdf, _filename("oversiktsliste", site_id, day, "pdf", f"-v{version}"), PDF)


def verify_pdf(content: bytes) -> ListVersion | None:
    """The archived version whose PDF is byte for byte this one (by sha256), or None; also the PDF a
    version had before retention took its in/out times off (list_redaction.redaction_of says when)."""
    from app.services import list_redaction

    digest = hashlib.sha256(content).hexdigest()
    row = db.session.scalars(select(DailyList).where(DailyList.pdf_sha256 == digest)
                             .options(joinedload(DailyList.checked_by)).order_by(DailyList.id)).first()
    row = row or list_redaction.original_of(digest)
    return as_version(row) if row else None


def versions_with_data_hash(data_sha256: str) -> list[ListVersion]:
    """Archived versions with this data hash (as printed on a paper copy), oldest first."""
    rows = db.session.scalars(select(DailyList).where(DailyList.data_sha256 == data_sha256.strip().lower())
                              .options(joinedload(DailyList.checked_by)).order_by(DailyList.id))
    return [as_version(row) for row in rows]


# ---- muster list ------------------------------------------------------------------------------

def muster_report(site_id: int, now: datetime, company_id: int | None = None) -> report_data.MusterReport:
    """Who is on site now (by employer), who has left today and who is expected but not seen, in list order."""
    site = _site(site_id)
    tz = site_zone()
    today = to_local_date(now, tz)
    rows = day_list.live_rows(site_id, today, company_id)
    phones = presence.worker_phones(site_id, company_id)
    groups = defaultdict(list)
    for row in rows:
        if row.is_present:
            groups[row.employer].append(_muster_person(row.person, row.employer, row.card, row.first_in, tz,
                                                       phones.get((row.person_id, row.employer_id))))
    present_groups = tuple(report_data.MusterGroup(_info(employer), tuple(people))
                           for employer, people in groups.items())
    seen = {row.person_id for row in rows}
    return report_data.MusterReport(
        _site_info(site), to_local(now, tz), present_groups,
        left_today=tuple(_muster_person(r.person, r.employer, r.card, r.first_in, tz,
                                        phones.get((r.person_id, r.employer_id)))
                         for r in rows if not r.is_present),
        expected=tuple(_muster_person(e.person, _company(e.employer), None, None, tz, e.phone)
                       for e in expected.expected_not_arrived(site_id, today, seen, company_id)),
        # Visitors are on the evacuation list only, never on the § 15 list (build_day reads attendance).
        visitors=tuple(report_data.MusterVisitor(v.name, v.company, v.host, v.phone, to_local(v.arrived_at, tz))
                       for v in (visitors.on_site(site_id) if company_id is None else ())))


def _muster_person(person, employer, card, first_in, tz, phone=None) -> report_data.MusterPerson:
    return report_data.MusterPerson(person.first_name, person.last_name, _info(employer),
                                    card.number if card else None, to_local(first_in, tz) if first_in else None, phone)


def muster_pdf(site_id: int, now: datetime, company_id: int | None = None) -> Download:
    """The muster (evacuation) list as a printable PDF: large type, a tick box per person."""
    report = muster_report(site_id, now, company_id)
    stamp = to_local(now, site_zone()).strftime("%Y-%m-%d-%H%M")
    return Download(render_muster_list(report), f"monstringsliste-{site_id}-{stamp}.pdf", PDF)


# ---- period report ----------------------------------------------------------------------------

def period_report(site_id: int, date_from: date, date_to: date, now: datetime,
                  company_id: int | None = None) -> report_data.PeriodReport:
    """Person-days per employer and per person, and each person's days, for date_from..date_to."""
    if date_to < date_from or (date_to - date_from).days >= MAX_PERIOD_DAYS:
        raise BadPeriod(f"Ugyldig periode / invalid period: {date_from}–{date_to} (max {MAX_PERIOD_DAYS} days)")
    site = _site(site_id)
    groups = _people_by_employer(site_id, date_from, date_to, company_id).values()
    employers = tuple(
        report_data.EmployerDays(people[0].employer, tuple(sorted(people, key=oversiktsliste.name_key)))
        for people in sorted(groups, key=lambda people: oversiktsliste.collation_key(people[0].employer.name)))
    return report_data.PeriodReport(_site_info(site), date_from, date_to, employers, to_local(now, site_zone()))


def _people_by_employer(site_id: int, date_from: date, date_to: date,
                        company_id: int | None) -> dict[int, list[report_data.PersonDays]]:
    """Per employer id, one PersonDays per person: their days, and the card and innleie of their latest day.

    Two plain-column queries instead of one row per person and day with everything joined: a month
    of a big site is some 44,000 rows, and decoding names and companies on each of them took most
    of the report's time (as ORM objects, seconds; bench/README.md, "Big-site history").
    """
    days = _days_in_period(site_id, date_from, date_to, company_id)
    latest = db.session.connection().execute(_latest_days_query(site_id, date_from, date_to, company_id)).all()
    companies, by_employer = {}, defaultdict(list)
    for employer_id, person_id, *details in latest:
        person_days = tuple(sorted(days[employer_id, person_id]))
        by_employer[employer_id].append(_person_days(employer_id, details, person_days, companies))
    return by_employer


def _in_period(site_id: int, date_from: date, date_to: date, company_id: int | None) -> list:
    conditions = [AttendanceDay.site_id == site_id, AttendanceDay.removed_at.is_(None),
                  AttendanceDay.local_date.between(date_from, date_to)]
    if company_id is not None:
        conditions.append(AttendanceDay.employer_id == company_id)
    return conditions


def _days_in_period(site_id: int, date_from: date, date_to: date,
                    company_id: int | None) -> dict[tuple[int, int], list[date]]:
    """The dates of each (employer id, person id) in the period, unsorted."""
    query = select(AttendanceDay.employer_id, AttendanceDay.person_id, AttendanceDay.local_date).where(
        *_in_period(site_id, date_from, date_to, company_id))
    days = defaultdict(list)
    for employer_id, person_id, local_date in db.session.connection().execute(query).all():
        days[employer_id, person_id].append(local_date)
    return days


def _latest_days_query(site_id: int, date_from: date, date_to: date, company_id: int | None):
    """Per person and employer, the latest day of the period with what the report shows of it."""
    latest = (select(AttendanceDay.employer_id, AttendanceDay.person_id,
                     func.max(AttendanceDay.local_date).label("local_date"))
              .where(*_in_period(site_id, date_from, date_to, company_id))
              .group_by(AttendanceDay.employer_id, AttendanceDay.person_id).subquery("latest"))
    day = aliased(AttendanceDay, name="day")
    return (select(latest.c.employer_id, latest.c.person_id, Person.first_name, Person.last_name, Person.birth_date,
                   Employer.name, Employer.org_number, Employer.country, Employer.foreign_id,
                   day.hired_by_id, HiredBy.name, HiredBy.org_number, HiredBy.country, HiredBy.foreign_id,
                   Card.number)
            .join(day, and_(day.site_id == site_id, day.person_id == latest.c.person_id,
                            day.local_date == latest.c.local_date))
            .join(Person, Person.id == latest.c.person_id)
            .join(Employer, Employer.id == latest.c.employer_id)
            .outerjoin(HiredBy, HiredBy.id == day.hired_by_id)
            .outerjoin(Card, Card.id == day.card_id))


def _person_days(employer_id: int, details: list, days: tuple[date, ...], companies: dict) -> report_data.PersonDays:
    (first_name, last_name, birth_date, employer_name, employer_org_number, employer_country, employer_foreign_id,
     hired_by_id, hired_by_name, hired_by_org_number, hired_by_country, hired_by_foreign_id, card_number) = details
    employer = company_value(companies, employer_id, employer_name, employer_org_number, employer_country,
                             employer_foreign_id)
    hired_by = company_value(companies, hired_by_id, hired_by_name, hired_by_org_number, hired_by_country,
                             hired_by_foreign_id)
    return report_data.PersonDays(first_name, last_name, birth_date, _info(employer),
                                  _info(hired_by) if hired_by else None, card_number, days)


def period_pdf(site_id: int, date_from: date, date_to: date, now: datetime, company_id: int | None = None) -> Download:
    report = period_report(site_id, date_from, date_to, now, company_id)
    return Download(render_period_report(report), _period_filename(site_id, date_from, date_to, "pdf"), PDF)


def period_csv(site_id: int, date_from: date, date_to: date, now: datetime, company_id: int | None = None) -> Download:
    report = period_report(site_id, date_from, date_to, now, company_id)
    return Download(render_period_csv(report), _period_filename(site_id, date_from, date_to, "csv"), CSV)


def period_xlsx(site_id: int, date_from: date, date_to: date, now: datetime, company_id: int | None = None) -> Download:
    report = period_report(site_id, date_from, date_to, now, company_id)
    return Download(render_period_xlsx(report), _period_filename(site_id, date_from, date_to, "xlsx"), XLSX)


class Format(NamedTuple):
    label: str  # what the download button says
    make: Callable[..., Download]


# The formats a list comes in, for the web (site pages and share links) and the CLI alike.
DAILY_FORMATS = {
    "pdf": Format("PDF", daily_pdf),
    "csv": Format("CSV", daily_csv),
    "xlsx": Format("Excel", daily_xlsx),
    "elrapp": Format("ELRAPP JSON", daily_elrapp),
}
# The period report (person-days per employer and per person) over a date range.
PERIOD_FORMATS = {
    "pdf": Format("PDF", period_pdf),
    "csv": Format("CSV", period_csv),
    "xlsx": Format("Excel", period_xlsx),
}


# ---- helpers ----------------------------------------------------------------------------------

def _site(site_id: int) -> Site:
    site = db.session.get(Site, site_id, options=[joinedload(Site.builder)])
    if site is None:
        raise UnknownSite(f"Ukjent byggeplass / unknown site: {site_id}")
    return site


def _filename(kind: str, site_id: int, day: date, extension: str, suffix: str = "") -> str:
    return f"{kind}-{site_id}-{day.isoformat()}{suffix}.{extension}"


def _period_filename(site_id: int, date_from: date, date_to: date, extension: str) -> str:
    return f"perioderapport-{site_id}-{date_from.isoformat()}-{date_to.isoformat()}.{extension}"
