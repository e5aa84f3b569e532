"""Searching the audit log: filters and pages for the audit viewer (writing an entry is app/services/audit.py)."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.domain.days import EARLIEST_DAY, LATEST_DAY, clamp_day
from app.extensions import db
from app.models import (AccessLink, AttendanceDay, AuditLog, CardOrder, Company, FollowUp, Kiosk, Person, ScanEvent,
                        Site, SiteCompany, User)

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
    refs: dict = None  # kind ("person", "company", "chain", ...) -> {id: row}: what the entries are about


# What an entry can be about, by the name its target_type or a details key gives it.
REF_MODELS = {"person": Person, "company": Company, "chain": SiteCompany, "kiosk": Kiosk, "site": Site,
              "user": User, "access_link": AccessLink, "scan_event": ScanEvent, "attendance_day": AttendanceDay,
              "card_order": CardOrder, "followup": FollowUp}
DETAIL_REFS = {"person_id": "person", "merged_person_id": "person", "employer_id": "company",
               "hired_by_id": "company", "company_id": "company", "site_company_id": "chain", "parent_id": "chain",
               "card_order_id": "card_order"}
# The rows above point on to a person or a company, which the sentence names too.
SECOND_HOP = {"person_id": "person", "company_id": "company", "employer_id": "company"}


def search(filters: AuditFilter, page: int, tz_name: str) -> AuditPage:
    """One page of entries, newest first."""
    query = select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    query = _apply(query, filters, ZoneInfo(tz_name))
    page = min(max(1, page), MAX_PAGE)
    rows = list(db.session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    entries = rows[:PAGE_SIZE]
    user_ids = {row.user_id for row in entries if row.user_id}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    return AuditPage(entries, users, page, len(rows) > PAGE_SIZE, references(entries))


def references(entries: list) -> dict:
    """Every row the entries name (by target or by an id in their details), loaded in a few queries;
    what retention has deleted since is simply missing."""
    wanted: dict[str, set] = {kind: set() for kind in REF_MODELS}
    for entry in entries:
        for kind, key in _named(entry):
            _want(wanted, kind, key)
    refs = _load(wanted)
    again: dict[str, set] = {kind: set() for kind in REF_MODELS}
    for rows in refs.values():
        for row in rows.values():
            for attribute, kind in SECOND_HOP.items():
                _want(again, kind, getattr(row, attribute, None))
    for kind, rows in _load(again).items():
        refs[kind].update(rows)
    return refs


def _named(entry):
    if entry.user_id:
        yield "user", entry.user_id
    if entry.site_id:
        yield "site", entry.site_id
    if entry.target_type in REF_MODELS and entry.target_id:
        yield entry.target_type, entry.target_id
    for key, kind in DETAIL_REFS.items():
        yield kind, (entry.details or {}).get(key)


def _want(wanted: dict, kind: str, key) -> None:
    if key is None or key == "":
        return
    if kind == "scan_event":
        wanted[kind].add(str(key))
    elif str(key).isdigit() and int(key) <= 2**31 - 1:
        wanted[kind].add(int(key))


def _load(wanted: dict) -> dict:
    found = {kind: {} for kind in REF_MODELS}
    for kind, ids in wanted.items():
        if ids:
            model = REF_MODELS[kind]
            found[kind] = {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}
    return found


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
