"""Who is on a site: present now, today's rows, the muster (evacuation) list, and the day's problem scans.

Presence is the attendance rows of the site's local date with is_present and not removed. An
employer_viewer's pages pass `company_id`, and every query here filters on it.

A day's rows come back as DayRow values built from plain columns, not as AttendanceDay objects:
on a big site (2,000 people a day) building ORM objects with four related objects each was most
of the time of the site page, the muster list and the daily list (bench/README.md, "Big-site history").
"""
import json
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from typing import NamedTuple

from flask import current_app
from sqlalchemy import Text, cast, or_, select
from sqlalchemy.orm import aliased, joinedload

from app.domain import oversiktsliste as ol
from app.domain.localtime import local_date
from app.extensions import db
from app.models import AttendanceDay, Card, Company, Engagement, Person, ScanEvent


def site_today(now: datetime) -> date:
    """The local calendar date at `now` in the sites' zone (PORTVAKT_TZ)."""
    return local_date(now, current_app.config["PORTVAKT_TZ"])


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
    """One live row of a site's day, with what the pages and the lists show of it.

    The attribute names are AttendanceDay's (row.person.name, row.employer.name, row.card.number),
    so templates read either. Employers are the list's Company values (name, identifier). Named
    tuples rather than frozen dataclasses: a big site's day is thousands of rows, and named tuples
    are made in under half the time.
    """

    person_id: int
    person: RowPerson
    employer: ol.Company
    hired_by: ol.Company | None
    card: RowCard | None
    first_in: datetime | None
    last_out: datetime | None
    is_present: bool
    source: str
    flags: list


Employer, HiredBy = aliased(Company, name="employer"), aliased(Company, name="hired_by")


def _day_rows_query(site_id: int, day: date, company_id: int | None):
    """A day's live rows (removed ones left out) as plain columns: person, employers and card joined.

    is_present is deliberately not a condition here (present_now filters in Python): PostgreSQL
    cannot know that every present row is today's, estimates a handful of rows and picks nested
    loops, 9 ms where the whole day's 2,000 rows take 2.5 ms (bench/README.md, the plans).
    """
    query = (select(AttendanceDay.person_id, Person.first_name, Person.last_name, Person.birth_date,
                    AttendanceDay.employer_id, Employer.name.label("employer_name"),
                    Employer.org_number.label("employer_org_number"), Employer.country.label("employer_country"),
                    Employer.foreign_id.label("employer_foreign_id"),
                    AttendanceDay.hired_by_id, HiredBy.name.label("hired_by_name"),
                    HiredBy.org_number.label("hired_by_org_number"), HiredBy.country.label("hired_by_country"),
                    HiredBy.foreign_id.label("hired_by_foreign_id"),
                    Card.number.label("card_number"), Card.valid_to.label("card_valid_to"),
                    AttendanceDay.first_in, AttendanceDay.last_out, AttendanceDay.is_present,
                    AttendanceDay.source, cast(AttendanceDay.flags, Text).label("flags_json"))
             .join(Person, Person.id == AttendanceDay.person_id)
             .join(Employer, Employer.id == AttendanceDay.employer_id)
             .outerjoin(HiredBy, HiredBy.id == AttendanceDay.hired_by_id)
             .outerjoin(Card, Card.id == AttendanceDay.card_id)
             .where(AttendanceDay.site_id == site_id, AttendanceDay.local_date == day,
                    AttendanceDay.removed_at.is_(None)))
    if company_id is not None:
        query = query.where(AttendanceDay.employer_id == company_id)
    return query


def day_rows(site_id: int, day: date, company_id: int | None = None, present_only: bool = False) -> list[DayRow]:
    """A day's live rows on the site's list (present or gone, or only present), in no particular order."""
    companies: dict[int, ol.Company] = {}
    # Core on the session's connection, fetched at once: the ORM's result layer and row-by-row
    # fetching add a third to plain columns.
    rows = db.session.connection().execute(_day_rows_query(site_id, day, company_id)).all()
    return [_day_row(row, companies) for row in rows if row.is_present or not present_only]


def _day_row(row, companies: dict) -> DayRow:
    # Unpacked by position: reading 21 columns by name costs more than building the row.
    (person_id, first_name, last_name, birth_date,
     employer_id, employer_name, employer_org_number, employer_country, employer_foreign_id,
     hired_by_id, hired_by_name, hired_by_org_number, hired_by_country, hired_by_foreign_id,
     card_number, card_valid_to, first_in, last_out, is_present, source, flags_json) = row
    return DayRow(person_id, RowPerson(person_id, first_name, last_name, birth_date),
                  company_value(companies, employer_id, employer_name, employer_org_number, employer_country,
                                employer_foreign_id),
                  company_value(companies, hired_by_id, hired_by_name, hired_by_org_number, hired_by_country,
                                hired_by_foreign_id),
                  RowCard(card_number, card_valid_to) if card_number is not None else None,
                  first_in, last_out, is_present, source, _flags(flags_json))


def _flags(flags_json: str | None) -> list:
    """The row's flags from their JSON text. Almost every row has none, and letting the driver decode
    thousands of empty JSON lists cost a fifth of the presence query's time."""
    return [] if flags_json in (None, "[]") else json.loads(flags_json)


def company_value(companies: dict, company_id: int | None, name: str, org_number: str | None,
                  country: str, foreign_id: str | None) -> ol.Company | None:
    """The list's Company for a company id, made once per query: thousands of rows, a few dozen employers.

    The identifier is Company.identifier's rule: the org number, or the country and foreign id.
    """
    if company_id is None:
        return None
    company = companies.get(company_id)
    if company is None:
        company = companies[company_id] = ol.Company(name, org_number or f"{country} {foreign_id}")
    return company


def _in_list_order(rows) -> list:
    """Day rows or engagements by employer and name in the § 15 list's order (æ ø å last, which the
    database's own collation may not do), so a name is where a guard holding the printed list
    expects it. A big site's list repeats each employer hundreds of times and most first names
    several times: each distinct text's key is worked out once."""
    keys: dict[str, str] = {}

    def key_of(text: str) -> str:
        if text not in keys:
            keys[text] = ol.collation_key(text)
        return keys[text]
    return sorted(rows, key=lambda row: (key_of(row.employer.name), key_of(row.person.last_name),
                                         key_of(row.person.first_name)))


def present_now(site_id: int, today: date, company_id: int | None = None) -> list[DayRow]:
    """Today's rows of people still on site, by employer and name."""
    return _in_list_order(day_rows(site_id, today, company_id, present_only=True))


def rows_of_day(site_id: int, day: date, company_id: int | None = None) -> list[DayRow]:
    """Every live row of a day (present or gone), by employer and name."""
    return _in_list_order(day_rows(site_id, day, company_id))


@dataclass(frozen=True)
class EmployerGroup:
    employer: ol.Company
    rows: list


def group_by_employer(rows: list[DayRow]) -> list[EmployerGroup]:
    """Rows already sorted by employer, as one group per employer."""
    return [EmployerGroup(employer, list(group))
            for employer, group in groupby(rows, key=lambda row: row.employer)]


@dataclass(frozen=True)
class Muster:
    """The evacuation list: everyone who should be accounted for, in three parts."""

    present: list  # DayRow: on site now
    left: list  # DayRow: came today and went
    expected: list  # Engagement rows: engaged on the site, not scanned today


def muster(site_id: int, today: date, company_id: int | None = None) -> Muster:
    rows = rows_of_day(site_id, today, company_id)
    present = [row for row in rows if row.is_present]
    left = [row for row in rows if not row.is_present]
    return Muster(present, left, expected_not_arrived(site_id, today, {row.person_id for row in rows}, company_id))


def expected_not_arrived(site_id: int, today: date, seen: set[int], company_id: int | None = None) -> list:
    """Engagements active today, not barred, whose person has no row today."""
    query = (select(Engagement)
             .join(Person, Person.id == Engagement.person_id)
             .where(Engagement.site_id == site_id, Engagement.barred.is_(False),
                    or_(Engagement.active_from.is_(None), Engagement.active_from <= today),
                    or_(Engagement.active_to.is_(None), Engagement.active_to >= today))
             .options(joinedload(Engagement.person), joinedload(Engagement.employer))
             .order_by(Person.last_name, Person.first_name))
    if company_id is not None:
        query = query.where(Engagement.employer_id == company_id)
    engagements = [e for e in db.session.scalars(query) if e.person_id not in seen]
    unique = {e.person_id: e for e in engagements}  # one line per person even with two employers
    return _in_list_order(unique.values())


def _scans(site_id: int, day: date):
    return (select(ScanEvent)
            .where(ScanEvent.site_id == site_id, ScanEvent.local_date == day, ScanEvent.voided_at.is_(None))
            .options(joinedload(ScanEvent.person), joinedload(ScanEvent.kiosk))
            .order_by(ScanEvent.scanned_at.desc()))


def rejected_scans(site_id: int, day: date) -> list[ScanEvent]:
    """The day's refused scans, newest first, with the reason the gate gave."""
    return list(db.session.scalars(_scans(site_id, day).where(ScanEvent.decision == "rejected")))


def unverified_scans(site_id: int, day: date) -> list[ScanEvent]:
    """Accepted scans the card service could not confirm, or that carry a warning (copied card, late, ...)."""
    accepted = db.session.scalars(_scans(site_id, day).where(ScanEvent.decision == "accepted"))
    return [scan for scan in accepted if not scan.verified or scan.warnings]


def flagged_rows(site_id: int, day: date, company_id: int | None = None) -> list[DayRow]:
    """The day's rows with a flag (possible copied card, no exit recorded, ...)."""
    return [row for row in rows_of_day(site_id, day, company_id) if row.flags]
