"""Who is on a site's § 15 list for a day: the one read model behind the control page, the PDF and its
exports, the share view, presence, the muster list, the dashboard and the kiosks' "on site now".

Rows come back in the list's order (app/domain/oversiktsliste.list_order: employer, then name, in
Norwegian order), so row N on a screen is row N of the printed and archived list.

A day's rows are DayRow values built from plain columns, not AttendanceDay objects: on a big site
(2,000 people a day) building ORM objects with four related objects each was most of the time of the
site page, the muster list and the daily list (bench/README.md, "Big-site history").
"""
import json
from datetime import date, datetime
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import aliased

from app.domain import oversiktsliste
from app.domain.countries import company_identifier
from app.extensions import db
from app.models import AttendanceDay, Card, Company, Person, ScanEvent


class RowPerson(NamedTuple):
    id: int
    first_name: str
    last_name: str
    birth_date: date

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class RowCard(NamedTuple):
    number: str
    valid_to: date | None


class DayRow(NamedTuple):
    """One row of a site's day, with what the pages and the lists show of it.

    The attribute names are AttendanceDay's (row.person.name, row.employer.name, row.card.number),
    so templates read either. Employers are the list's Company values (name, identifier). Named
    tuples rather than frozen dataclasses: a big site's day is thousands of rows, and named tuples
    are made in under half the time.
    """

    id: int
    person_id: int
    person: RowPerson
    employer_id: int
    employer: oversiktsliste.Company
    hired_by_id: int | None
    hired_by: oversiktsliste.Company | None
    card: RowCard | None
    first_in: datetime | None
    last_out: datetime | None
    last_scan_at: datetime | None
    is_present: bool
    source: str
    flags: list
    removed_at: datetime | None = None
    removed_reason: str | None = None


Employer, HiredBy = aliased(Company, name="employer"), aliased(Company, name="hired_by")


# The columns a day's row is read from, in the order _day_row unpacks them. The flags come as
# JSON text: see _flags.
_COLUMNS = (
    AttendanceDay.id, AttendanceDay.person_id, Person.first_name, Person.last_name, Person.birth_date,
    AttendanceDay.employer_id, Employer.name, Employer.org_number, Employer.country, Employer.foreign_id,
    AttendanceDay.hired_by_id, HiredBy.name, HiredBy.org_number, HiredBy.country, HiredBy.foreign_id,
    Card.number, Card.valid_to, AttendanceDay.first_in, AttendanceDay.last_out, AttendanceDay.last_scan_at,
    AttendanceDay.is_present, AttendanceDay.source, cast(AttendanceDay.flags, Text))


class PresentPerson(NamedTuple):
    """Someone still on site, as the kiosks' presence list shows them."""

    name: str
    employer: str
    since: datetime | None  # the last scan


# What present_names reads of a day's row: the list order's columns, and what the kiosks show.
_PRESENT_COLUMNS = (AttendanceDay.id, Person.first_name, Person.last_name, Person.birth_date, AttendanceDay.employer_id,
                    Employer.name, Employer.org_number, Employer.country, Employer.foreign_id, Card.number,
                    AttendanceDay.last_scan_at, AttendanceDay.is_present)


def _day_rows_query(site_id: int, day: date, company_id: int | None, removed: bool = False,
                    columns=_COLUMNS):
    """A day's live rows (or only its removed ones) as plain columns: person, employers and card joined.

    is_present is deliberately not a condition here (present_now filters in Python): PostgreSQL
    cannot know that every present row is today's, estimates a handful of rows and picks nested
    loops, several times slower than the whole day's rows (bench/README.md, the plans).
    """
    columns = list(columns)
    if removed:
        columns += [AttendanceDay.removed_at, AttendanceDay.removed_reason]
    query = (select(*columns)
             .join(Person, Person.id == AttendanceDay.person_id)
             .join(Employer, Employer.id == AttendanceDay.employer_id)
             .outerjoin(HiredBy, HiredBy.id == AttendanceDay.hired_by_id)
             .outerjoin(Card, Card.id == AttendanceDay.card_id)
             .where(AttendanceDay.site_id == site_id, AttendanceDay.local_date == day,
                    AttendanceDay.removed_at.is_not(None) if removed else AttendanceDay.removed_at.is_(None)))
    if company_id is not None:
        query = query.where(AttendanceDay.employer_id == company_id)
    return query


def live_rows(site_id: int, day: date, company_id: int | None = None, present_only: bool = False) -> list[DayRow]:
    """The day's live rows in list order (present or gone, or only those still present)."""
    companies: dict[int, oversiktsliste.Company] = {}
    # Core on the session's connection, fetched at once: the ORM's result layer and row-by-row
    # fetching add a third to plain columns.
    rows = db.session.connection().execute(_day_rows_query(site_id, day, company_id)).all()
    return in_list_order([_day_row(row, companies) for row in rows if row.is_present or not present_only])


def present_names(site_id: int, day: date) -> list[PresentPerson]:
    """The people still on site, in the list's order (as live_rows sorts them), with only what the
    kiosks show. Not live_rows: building a big site's two thousand full rows, to show three of
    their columns, was a third of the kiosks' presence query (bench/README.md, "Big-site history")."""
    companies: dict[int, oversiktsliste.Company] = {}
    keyed = []
    for (row_id, first_name, last_name, birth_date, employer_id, employer_name, org_number, country, foreign_id,
         card_number, last_scan_at, is_present) in db.session.connection().execute(
            _day_rows_query(site_id, day, None, columns=_PRESENT_COLUMNS)):
        if is_present:
            employer = company_value(companies, employer_id, employer_name, org_number, country, foreign_id)
            place = _list_place(employer, last_name, first_name, birth_date, card_number, row_id)
            keyed.append((place, PresentPerson(f"{first_name} {last_name}", employer.name, last_scan_at)))
    keyed.sort(key=itemgetter(0))
    return [person for _, person in keyed]


def removed_rows(site_id: int, day: date, company_id: int | None = None) -> list[DayRow]:
    """The day's removed rows (kept, marked with why), in list order: the control page shows them last."""
    companies: dict[int, oversiktsliste.Company] = {}
    rows = db.session.connection().execute(_day_rows_query(site_id, day, company_id, removed=True)).all()
    return in_list_order([_day_row(live, companies)._replace(removed_at=removed_at, removed_reason=removed_reason)
                          for *live, removed_at, removed_reason in rows])


def control_rows(site_id: int, day: date, company_id: int | None = None) -> list[DayRow]:
    """The control page's rows: the live ones, numbered as on the PDF, then the removed ones, with the
    flags the printed list shows (so "not verified" is on the screen as on the PDF)."""
    return list_rows(site_id, day, company_id) + removed_rows(site_id, day, company_id)


def list_rows(site_id: int, day: date, company_id: int | None = None) -> list[DayRow]:
    """The live rows with every flag the § 15 list prints: the stored ones, "not verified" while the
    card service has not confirmed a scan of the day, and "manual" for a row registered by hand."""
    unverified = unverified_people(site_id, day)
    return [row._replace(flags=list_flags(row, row.person_id in unverified))
            for row in live_rows(site_id, day, company_id)]


def list_flags(row: DayRow, unverified: bool) -> list[str]:
    flags = set(row.flags or ())
    if unverified:
        flags.add(oversiktsliste.UNVERIFIED)
    if row.source == "manual":
        flags.add(oversiktsliste.MANUAL)
    return sorted(flags)


def unverified_people(site_id: int, day: date) -> set[int]:
    """People with an accepted scan that day that the card service has not confirmed, even afterwards.

    Re-verification (app/services/card_checks.py) sets reverified_at; a card found invalid then
    carries its own flag, invalid_on_reverify, on the attendance row.
    """
    return set(db.session.scalars(
        select(ScanEvent.person_id).where(
            ScanEvent.site_id == site_id, ScanEvent.local_date == day, ScanEvent.decision == "accepted",
            ScanEvent.verified.is_(False), ScanEvent.reverified_at.is_(None), ScanEvent.voided_at.is_(None),
            ScanEvent.person_id.is_not(None))))


def _day_row(row, companies: dict) -> DayRow:
    # Unpacked in _COLUMNS' order: a big site's presence list builds two thousand of these, and
    # reading each column by name off a named tuple cost a tenth of it (bench/README.md).
    (row_id, person_id, first_name, last_name, birth_date,
     employer_id, employer_name, employer_org_number, employer_country, employer_foreign_id,
     hired_by_id, hired_by_name, hired_by_org_number, hired_by_country, hired_by_foreign_id,
     card_number, card_valid_to, first_in, last_out, last_scan_at, is_present, source, flags_json) = row
    return DayRow(row_id, person_id, RowPerson(person_id, first_name, last_name, birth_date),
                  employer_id, company_value(companies, employer_id, employer_name, employer_org_number,
                                             employer_country, employer_foreign_id),
                  hired_by_id, company_value(companies, hired_by_id, hired_by_name, hired_by_org_number,
                                             hired_by_country, hired_by_foreign_id),
                  RowCard(card_number, card_valid_to) if card_number is not None else None,
                  first_in, last_out, last_scan_at, is_present, source, _flags(flags_json))


def _flags(flags_json: str | None) -> list:
    """The row's flags from their JSON text. Almost every row has none, and letting the driver decode
    thousands of empty JSON lists was a visible share of the presence query (bench/README.md), so
    the flags are read as text and only a non-empty list is decoded."""
    return [] if flags_json in (None, "[]") else json.loads(flags_json)


def company_value(companies: dict, company_id: int | None, name: str, org_number: str | None,
                  country: str, foreign_id: str | None) -> oversiktsliste.Company | None:
    """The list's Company for a company id, made once per query: thousands of rows, a few dozen employers.

    The identifier is Company.identifier's rule: the org number, or the country and foreign id.
    """
    if company_id is None:
        return None
    company = companies.get(company_id)
    if company is None:
        identifier = company_identifier(org_number, country, foreign_id)
        company = companies[company_id] = oversiktsliste.Company(name, identifier)
    return company


def in_list_order(rows: list[DayRow]) -> list[DayRow]:
    """Day rows in the § 15 list's order (_list_place)."""
    return sorted(rows, key=lambda row: _list_place(row.employer, row.person.last_name, row.person.first_name,
                                                    row.person.birth_date, row.card.number if row.card else None,
                                                    row.id))


def _list_place(employer, last_name: str, first_name: str, birth_date: date, card_number: str | None,
                row_id: int) -> tuple:
    """A day row's place in the § 15 list's order (oversiktsliste.list_order; æ ø å last, which the
    database's own collation may not do), ties by row id, so every page and document numbers them alike."""
    return (*oversiktsliste.list_order(employer, last_name, first_name, birth_date, card_number), row_id)


def people_per_day(site_id: int, first: date, last: date, company_id: int | None = None) -> dict[date, int]:
    """How many live rows each day in first..last has (days with none are left out)."""
    query = (select(AttendanceDay.local_date, func.count(AttendanceDay.id))
             .where(AttendanceDay.site_id == site_id, AttendanceDay.removed_at.is_(None),
                    AttendanceDay.local_date.between(first, last)))
    if company_id is not None:
        query = query.where(AttendanceDay.employer_id == company_id)
    return dict(db.session.execute(query.group_by(AttendanceDay.local_date)).all())
