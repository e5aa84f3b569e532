"""Visitors on a site: registered at the office, on the evacuation (muster) list until signed out.

A visitor does not work on the site, so is never on the § 15 list (app/services/lists.py reads only
attendance). Records are short-lived: the retention purge deletes them VISITOR_RETENTION_DAYS after arrival.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone


from flask import current_app
from sqlalchemy import delete, select

from app.clock import local_day, local_moment
from app.extensions import db
from app.models import Site, Visitor
from app.services import use_case
from app.services.audit import audit



class VisitorError(ValueError):
    """A visitor request that cannot be honoured; `code` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class NewVisitor:
    name: str
    host: str
    phone: str
    company: str = ""
    purpose: str = ""
    expected_end: datetime | None = None


@use_case
def add_visitor(site_id: int, visitor: NewVisitor, actor, now: datetime) -> Visitor:
    """Register a visitor as arrived now; audited by id. Commits."""
    if db.session.get(Site, site_id) is None:
        raise VisitorError("unknown_site")
    name, host, phone = visitor.name.strip(), visitor.host.strip(), visitor.phone.strip()
    if not (name and host and phone):
        raise VisitorError("missing_field")
    row = Visitor(site_id=site_id, name=name[:200], host=host[:200], phone=phone[:32],
                  company=visitor.company.strip()[:200] or None, purpose=visitor.purpose.strip()[:200] or None,
                  expected_end=visitor.expected_end, arrived_at=now,
                  registered_by_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    audit("visitor.add", actor, site_id, "visitor", row.id, at=now)
    return row


@use_case
def sign_out(visitor_id: int, actor, now: datetime, site_id: int | None = None) -> Visitor:
    """Sign a visitor out (twice is harmless: the first time is kept). Commits."""
    row = db.session.get(Visitor, visitor_id)
    if row is None or (site_id is not None and row.site_id != site_id):
        raise VisitorError("not_found")
    if row.left_at is None:
        row.left_at = now
        audit("visitor.out", actor, row.site_id, "visitor", row.id, at=now)
    return row


def on_site(site_id: int) -> list[Visitor]:
    """Visitors not signed out, oldest arrival first: the muster list's "Besøkende"."""
    return list(db.session.scalars(select(Visitor).where(Visitor.site_id == site_id, Visitor.left_at.is_(None))
                                   .order_by(Visitor.arrived_at, Visitor.id)))


def recent(site_id: int, since: datetime) -> list[Visitor]:
    """Visitors who arrived since `since` or are still in, newest first (the office's page)."""
    return list(db.session.scalars(
        select(Visitor).where(Visitor.site_id == site_id,
                              (Visitor.arrived_at >= since) | Visitor.left_at.is_(None))
        .order_by(Visitor.arrived_at.desc(), Visitor.id.desc())))


def overdue(visitors: list[Visitor], now: datetime) -> list[int]:
    """Ids of visitors still in past their expected end, or since an earlier day (still in at closing
    time): flagged like a forgotten check-out."""
    today = local_day(now)
    return [v.id for v in visitors if v.left_at is None and (
        (v.expected_end is not None and v.expected_end < now)
        or local_day(v.arrived_at) < today)]


def expected_end_today(hour_minute: time | None, now: datetime) -> datetime | None:
    """A local time of day (the form's "expected to leave") as today's UTC moment."""
    if hour_minute is None:
        return None
    return local_moment(local_day(now), hour_minute)


def retention_days() -> int:
    return current_app.config["VISITOR_RETENTION_DAYS"]


def purge(today: date) -> int:
    """Delete visitors who arrived before (today - retention_days()) UTC midnight: the count, never names.
    Flushes."""
    cutoff = datetime.combine(today - timedelta(days=retention_days()), time(0), tzinfo=timezone.utc)
    result = db.session.execute(delete(Visitor).where(Visitor.arrived_at < cutoff)
                                .execution_options(synchronize_session=False))
    return result.rowcount or 0
