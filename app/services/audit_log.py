"""Reading the audit log: filters and pages for the audit viewer (writing is app/services/audit.py)."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.domain.days import EARLIEST_DAY, LATEST_DAY, clamp_day
from app.extensions import db
from app.models import AuditLog, User

PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # 50 million entries; a larger page number is a probe, and its OFFSET overflowed the driver


@dataclass(frozen=True)
class AuditFilter:
    site_id: int | None = None  # None: every site (the admin's view)
    action: str = ""  # an exact action, or a prefix ending in "." ("kiosk.")
    user_id: int | None = None
    date_from: date | None = None  # local dates, both inclusive
    date_to: date | None = None


@dataclass(frozen=True)
class AuditPage:
    entries: list
    users: dict  # user id -> User, for the "who" column
    page: int
    has_next: bool


def search(filters: AuditFilter, page: int, tz_name: str) -> AuditPage:
    """One page of entries, newest first."""
    query = select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    query = _apply(query, filters, ZoneInfo(tz_name))
    page = min(max(1, page), MAX_PAGE)
    rows = list(db.session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    entries = rows[:PAGE_SIZE]
    user_ids = {row.user_id for row in entries if row.user_id}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    return AuditPage(entries, users, page, len(rows) > PAGE_SIZE)


def _apply(query, filters: AuditFilter, zone: ZoneInfo):
    if filters.site_id is not None:
        query = query.where(AuditLog.site_id == filters.site_id)
    if filters.action:
        if filters.action.endswith("."):
            query = query.where(AuditLog.action.startswith(filters.action, autoescape=True))
        else:
            query = query.where(AuditLog.action == filters.action)
    if filters.user_id is not None:
        query = query.where(AuditLog.user_id == filters.user_id)
    if filters.date_from:  # clamped: 0001-01-01 in Oslo is before year 1 in UTC, 9999-12-31 has no next day
        start = clamp_day(filters.date_from, EARLIEST_DAY, LATEST_DAY)
        query = query.where(AuditLog.at >= datetime.combine(start, time(), zone))
    if filters.date_to:
        end = clamp_day(filters.date_to, EARLIEST_DAY, LATEST_DAY)
        query = query.where(AuditLog.at < datetime.combine(end + timedelta(days=1), time(), zone))
    return query


def known_actions(site_id: int | None) -> list[str]:
    query = select(AuditLog.action).distinct().order_by(AuditLog.action)
    if site_id is not None:
        query = query.where(AuditLog.site_id == site_id)
    return list(db.session.scalars(query))


def actors(site_id: int | None) -> list[User]:
    """Users who appear in the log (of this site), for the filter's choices."""
    query = select(User).where(User.id.in_(select(AuditLog.user_id).where(AuditLog.user_id.is_not(None))))
    if site_id is not None:
        query = query.where(User.id.in_(select(AuditLog.user_id).where(AuditLog.site_id == site_id)))
    return list(db.session.scalars(query.order_by(User.name)))
