"""Daily control of the § 15 list: which days are checked, which versions exist, which days nobody checked.

§ 15 says the list is checked and updated daily. Checking a day archives a version (app/services/lists.py);
this module answers the questions the web pages and the dashboard ask about those versions.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlalchemy.orm import joinedload

from app.domain.oversiktsliste import data_sha256
from app.extensions import db
from app.models import AttendanceDay, DailyList
from app.services import lists

LOOKBACK_DAYS = 30


@dataclass(frozen=True)
class DayStatus:
    """One local date of one site: how many people are on its list and its latest checked version."""

    local_date: date
    people: int
    version: int | None
    checked_at: datetime | None
    checked_by: str | None

    @property
    def checked(self) -> bool:
        return self.version is not None


def people_per_day(site_id: int, first: date, last: date, company_id: int | None = None) -> dict[date, int]:
    query = (db.session.query(AttendanceDay.local_date, func.count(AttendanceDay.id))
             .filter(AttendanceDay.site_id == site_id, AttendanceDay.removed_at.is_(None),
                     AttendanceDay.local_date.between(first, last)))
    if company_id is not None:
        query = query.filter(AttendanceDay.employer_id == company_id)
    return dict(query.group_by(AttendanceDay.local_date).all())


def latest_versions(site_id: int, first: date, last: date) -> dict[date, DailyList]:
    newest = (db.session.query(DailyList.local_date, func.max(DailyList.version).label("version"))
              .filter(DailyList.site_id == site_id, DailyList.local_date.between(first, last))
              .group_by(DailyList.local_date).subquery())
    rows = (DailyList.query.join(newest, (DailyList.local_date == newest.c.local_date)
                                 & (DailyList.version == newest.c.version))
            .filter(DailyList.site_id == site_id).all())
    return {row.local_date: row for row in rows}


def day_statuses(site_id: int, today: date, days: int = LOOKBACK_DAYS,
                 company_id: int | None = None) -> list[DayStatus]:
    """Today and the days before it, newest first; days with nobody and no version are left out.

    With `company_id` (an employer's view) the counts are that employer's people only.
    """
    first = today - timedelta(days=days - 1)
    counts = people_per_day(site_id, first, today, company_id)
    versions = latest_versions(site_id, first, today)
    statuses = []
    for offset in range(days):
        day = today - timedelta(days=offset)
        version = versions.get(day)
        if day != today and not counts.get(day) and version is None:
            continue
        statuses.append(DayStatus(day, counts.get(day, 0), version.version if version else None,
                                  version.checked_at if version else None,
                                  version.checked_by.name if version and version.checked_by else None))
    return statuses


def unchecked_days(site_id: int, today: date, days: int = LOOKBACK_DAYS) -> list[date]:
    """Past days (before `today`) with people on the list and no checked version: the dashboard flag."""
    first = today - timedelta(days=days)
    yesterday = today - timedelta(days=1)
    counts = people_per_day(site_id, first, yesterday)
    versions = latest_versions(site_id, first, yesterday)
    return sorted((day for day, people in counts.items() if people and day not in versions), reverse=True)


@dataclass(frozen=True)
class DayControl:
    """A day's control state: its newest checked version, and whether the list changed since."""

    latest: DailyList | None
    changed: bool

    @property
    def needs_check(self) -> bool:
        return self.latest is None or self.changed


def day_control(site_id: int, local_date: date) -> DayControl:
    """Compare the list as it is now with the newest checked version, by the data hash on the PDF."""
    versions = versions_of_day(site_id, local_date)
    if not versions:
        return DayControl(None, False)
    current = data_sha256(lists.build_day(site_id, local_date))
    return DayControl(versions[0], current != versions[0].data_sha256)


def versions_of_day(site_id: int, local_date: date) -> list[DailyList]:
    """Every archived version of a day, newest first; each stays downloadable."""
    return (DailyList.query.filter_by(site_id=site_id, local_date=local_date)
            .order_by(DailyList.version.desc()).all())


def day_rows(site_id: int, local_date: date, company_id: int | None = None) -> list[AttendanceDay]:
    """A day's attendance rows for the review page: live rows by employer and name, removed rows last."""
    query = (AttendanceDay.query.filter_by(site_id=site_id, local_date=local_date)
             .options(joinedload(AttendanceDay.person), joinedload(AttendanceDay.employer),
                      joinedload(AttendanceDay.hired_by), joinedload(AttendanceDay.card)))
    if company_id is not None:
        query = query.filter(AttendanceDay.employer_id == company_id)
    return sorted(query.all(), key=lambda row: (
        row.removed_at is not None, row.employer.name.casefold(),
        row.person.last_name.casefold(), row.person.first_name.casefold(), row.id))


def find_row(site_id: int, row_id: int) -> AttendanceDay | None:
    return AttendanceDay.query.filter_by(id=row_id, site_id=site_id).first()
