"""Who is on a site: present now, the muster (evacuation) list, and the day's problem scans.

Presence is the live rows of the site's local date (app/services/day_list.py) with is_present. An
employer_viewer's pages pass `company_id`, and every query here filters on it.
"""
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.domain import oversiktsliste
from app.extensions import db
from app.models import Engagement, ScanEvent
from app.services import day_list, expected, visitors
from app.services.day_list import DayRow


def present_now(site_id: int, today: date, company_id: int | None = None) -> list[DayRow]:
    """Today's rows of people still on site, in list order."""
    return day_list.live_rows(site_id, today, company_id, present_only=True)


@dataclass(frozen=True)
class EmployerGroup:
    employer: oversiktsliste.Company
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
    visitors: list = ()  # Visitor rows not signed out ("Besøkende"); never for an employer's scoped view
    phones: dict = None  # (person id, employer id) → the worker's contact phone on this site

    def phone(self, row) -> str:
        """The contact phone of a row of any part (a DayRow or an Engagement), or ''."""
        return (self.phones or {}).get((row.person_id, row.employer_id), "")


def muster(site_id: int, today: date, company_id: int | None = None) -> Muster:
    rows = day_list.live_rows(site_id, today, company_id)
    present = [row for row in rows if row.is_present]
    left = [row for row in rows if not row.is_present]
    return Muster(present, left, expected.expected_not_arrived(site_id, today, {row.person_id for row in rows},
                                                               company_id),
                  visitors.on_site(site_id) if company_id is None else [], worker_phones(site_id, company_id))


def worker_phones(site_id: int, company_id: int | None = None) -> dict[tuple[int, int], str]:
    """(person id, employer id) → contact phone, from the site's engagements: for the muster list only
    (the evacuation roll call); no other page or list reads engagement.phone."""
    query = select(Engagement.person_id, Engagement.employer_id, Engagement.phone).where(
        Engagement.site_id == site_id, Engagement.phone.is_not(None))
    if company_id is not None:
        query = query.where(Engagement.employer_id == company_id)
    return {(person_id, employer_id): phone for person_id, employer_id, phone in db.session.execute(query)}


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
    return [row for row in day_list.live_rows(site_id, day, company_id) if row.flags]
