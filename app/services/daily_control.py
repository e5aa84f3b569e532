"""Daily control of the § 15 list: which days are checked, which versions exist, which days nobody checked.

§ 15 says the list is checked and updated daily. Checking a day archives a version (app/services/lists.py);
this module answers the questions the web pages and the dashboard ask about a day's control, from the
read models of the day's list (day_list.py) and its versions (list_versions.py).
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.domain.oversiktsliste import data_sha256
from app.extensions import db
from app.models import AttendanceDay
from app.services import day_list, list_versions, lists

LOOKBACK_DAYS = 30


@dataclass(frozen=True)
class DayStatus:
    """One local date of one site: how many people are on its list and its latest checked version."""

    local_date: date
    people: int
    version: int | None
    checked_at: datetime | None
    checked_by: str | None
    changed: bool = False  # the list differs from that version (only when asked: compare_lists)

    @property
    def checked(self) -> bool:
        return self.version is not None


def day_statuses(site_id: int, today: date, days: int = LOOKBACK_DAYS,
                 company_id: int | None = None, compare_lists: bool = False) -> list[DayStatus]:
    """Today and the days before it, newest first; days with nobody and no version are left out.

    With `company_id` (an employer's view) the counts are that employer's people only. With
    `compare_lists` each checked day's list is built and compared with its newest version, as the
    day page does (a day's list costs a query: the lists index asks, /metrics does not).
    """
    first = today - timedelta(days=days - 1)
    counts = day_list.people_per_day(site_id, first, today, company_id)
    versions = list_versions.newest_per_day(site_id, first, today)
    statuses = []
    for offset in range(days):
        day = today - timedelta(days=offset)
        version = versions.get(day)
        if day != today and not counts.get(day) and version is None:
            continue
        changed = compare_lists and version is not None and _changed_since(site_id, version)
        statuses.append(DayStatus(day, counts.get(day, 0), version.version if version else None,
                                  version.checked_at if version else None, version.checked_by if version else None,
                                  changed))
    return statuses


def unchecked_days(site_id: int, today: date, days: int = LOOKBACK_DAYS) -> list[date]:
    """Past days (before `today`) with people on the list and no checked version: the dashboard flag."""
    first = today - timedelta(days=days)
    yesterday = today - timedelta(days=1)
    counts = day_list.people_per_day(site_id, first, yesterday)
    versions = list_versions.newest_per_day(site_id, first, yesterday)
    return sorted((day for day, people in counts.items() if people and day not in versions), reverse=True)


@dataclass(frozen=True)
class DayControl:
    """A day's control state: its newest checked version, and whether the list changed since."""

    latest: list_versions.ListVersion | None
    changed: bool

    @property
    def needs_check(self) -> bool:
        return self.latest is None or self.changed


def control_of(site_id: int, local_date: date, versions: list) -> DayControl:
    """The control state given the day's versions (newest first), as list_versions.versions_of_day gives them."""
    if not versions:
        return DayControl(None, False)
    return DayControl(versions[0], _changed_since(site_id, versions[0]))


def _changed_since(site_id: int, version: list_versions.ListVersion) -> bool:
    """Whether the day's list now differs from an archived version of it (their data hashes)."""
    return data_sha256(lists.build_day(site_id, version.local_date)) != version.data_sha256


def find_row(site_id: int, row_id: int) -> AttendanceDay | None:
    return db.session.scalars(select(AttendanceDay).filter_by(id=row_id, site_id=site_id)).first()
