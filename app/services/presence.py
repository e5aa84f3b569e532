"""Who is on a site: present now, today's rows, the muster (evacuation) list, and the day's problem scans.

Presence is the attendance rows of the site's local date with is_present and not removed. An
employer_viewer's pages pass `company_id`, and every query here filters on it.
"""
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from app.domain.localtime import local_date
from app.extensions import db
from app.models import AttendanceDay, Company, Engagement, Person, ScanEvent


def site_today(now: datetime) -> date:
    """The local calendar date at `now` in the sites' zone (PORTVAKT_TZ)."""
    return local_date(now, current_app.config["PORTVAKT_TZ"])


def live_rows_query(site_id: int, day: date, company_id: int | None = None):
    """A day's rows on the site's list (removed rows left out), with person, employers and card loaded."""
    query = (select(AttendanceDay)
             .where(AttendanceDay.site_id == site_id, AttendanceDay.local_date == day,
                    AttendanceDay.removed_at.is_(None))
             .options(joinedload(AttendanceDay.person), joinedload(AttendanceDay.employer),
                      joinedload(AttendanceDay.hired_by), joinedload(AttendanceDay.card)))
    if company_id is not None:
        query = query.where(AttendanceDay.employer_id == company_id)
    return query


def _by_employer_and_name(row: AttendanceDay):
    return (row.employer.name.casefold(), row.person.last_name.casefold(), row.person.first_name.casefold())


def present_now(site_id: int, today: date, company_id: int | None = None) -> list[AttendanceDay]:
    """Today's rows of people still on site, by employer and name."""
    rows = db.session.scalars(live_rows_query(site_id, today, company_id).where(AttendanceDay.is_present.is_(True)))
    return sorted(rows, key=_by_employer_and_name)


def rows_of_day(site_id: int, day: date, company_id: int | None = None) -> list[AttendanceDay]:
    """Every live row of a day (present or gone), by employer and name."""
    return sorted(db.session.scalars(live_rows_query(site_id, day, company_id)), key=_by_employer_and_name)


@dataclass(frozen=True)
class EmployerGroup:
    employer: Company
    rows: list


def group_by_employer(rows: list[AttendanceDay]) -> list[EmployerGroup]:
    """Rows already sorted by employer, as one group per employer."""
    return [EmployerGroup(employer, list(group))
            for employer, group in groupby(rows, key=lambda row: row.employer)]


@dataclass(frozen=True)
class Muster:
    """The evacuation list: everyone who should be accounted for, in three parts."""

    present: list  # AttendanceDay rows: on site now
    left: list  # AttendanceDay rows: came today and went
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
    return sorted(unique.values(), key=lambda e: (e.employer.name.casefold(), e.person.last_name.casefold(),
                                                  e.person.first_name.casefold()))


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


def flagged_rows(site_id: int, day: date, company_id: int | None = None) -> list[AttendanceDay]:
    """The day's rows with a flag (possible copied card, no exit recorded, ...)."""
    return [row for row in rows_of_day(site_id, day, company_id) if row.flags]
