"""The outbox's writing side: what waits for HMSREG and ELRAPP, what a builder sees, and resend.

Callers add rows inside their own transaction (an accepted scan, a checked or changed list), so a
row exists exactly when its cause was committed. Delivery is app/services/connectors_sync.py.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.clock import utcnow
from app.domain.enums import Receiver
from app.extensions import db
from app.models import OutboxDelivery, Site
from app.models._types import UTCDateTime
from app.services import use_case
from app.services.audit import audit

RECEIVERS = tuple(receiver.value for receiver in Receiver)


def _insert():
    return (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert(OutboxDelivery)


def _values(site_id: int, receiver: str, ref: str, now: datetime) -> dict:
    return dict(site_id=site_id, receiver=receiver, ref=ref, state="pending", attempts=0, next_attempt_at=now,
                created_at=now)


def registration_accepted(site_id: int, scan_id: str, now: datetime | None = None) -> None:
    """An accepted scan: one registration for HMSREG if the site has it on (one statement, no read first).

    The scan's id is its own: the caller has just stored it, so this row can exist only once."""
    now = now or utcnow()
    columns = {"site_id": Site.id, "receiver": literal("hmsreg"), "ref": literal(scan_id), "state": literal("pending"),
               "attempts": literal(0), "next_attempt_at": literal(now, UTCDateTime()),
               "created_at": literal(now, UTCDateTime())}
    chosen = select(*[value.label(name) for name, value in columns.items()]).where(
        Site.id == site_id, Site.hmsreg_enabled.is_(True))
    db.session.execute(insert(OutboxDelivery).from_select(list(columns), chosen))


def day_checked(site: Site, day: date, now: datetime | None = None) -> None:
    """A checked list at a site with ELRAPP on: the day waits for delivery (again, if it changed since)."""
    if site.elrapp_enabled:
        _queue_day(site.id, day, now or utcnow())


def day_changed(site_id: int, day: date, now: datetime | None = None) -> None:
    """A manual change to a day already queued for ELRAPP: its changes wait for delivery.

    A day never checked is not sent: checking it sends it. Nothing for a site with ELRAPP off."""
    site = db.session.get(Site, site_id)
    ref = day.isoformat()
    if site is None or not site.elrapp_enabled or db.session.scalar(select(OutboxDelivery.id).where(
            OutboxDelivery.receiver == "elrapp", OutboxDelivery.site_id == site_id, OutboxDelivery.ref == ref)) is None:
        return
    _queue_day(site_id, day, now or utcnow())


def _queue_day(site_id: int, day: date, now: datetime) -> None:
    # Reopening clears the lease: a worker still sending the older state keeps its record of what it
    # sent but cannot mark the row delivered (connectors_sync._finish), so the change goes out too.
    statement = _insert().values(**_values(site_id, "elrapp", day.isoformat(), now))
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["receiver", "site_id", "ref"],
        set_=dict(state="pending", attempts=0, next_attempt_at=now, lease_until=None, last_error=None)))


# ---- what the Overføringer page shows ----------------------------------------------------------


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    receiver: str
    ref: str
    state: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime


@dataclass(frozen=True)
class ReceiverStatus:
    receiver: str
    enabled: bool
    sent_today: int
    waiting: int
    dead: tuple[DeliveryRow, ...]
    waiting_rows: tuple[DeliveryRow, ...]


def overview(site: Site, since: datetime, limit: int = 50) -> list[ReceiverStatus]:
    """Per receiver: delivered since `since` (the site's midnight), what waits, what failed and why."""
    return [_status(site, receiver, since, limit) for receiver in RECEIVERS]


def _status(site: Site, receiver: str, since: datetime, limit: int) -> ReceiverStatus:
    mine = (OutboxDelivery.site_id == site.id, OutboxDelivery.receiver == receiver)
    sent = db.session.scalar(select(func.count()).select_from(OutboxDelivery).where(
        *mine, OutboxDelivery.state == "sent", OutboxDelivery.sent_at >= since))
    waiting = db.session.scalar(select(func.count()).select_from(OutboxDelivery).where(
        *mine, OutboxDelivery.state == "pending"))
    return ReceiverStatus(receiver, bool(getattr(site, f"{receiver}_enabled")), sent or 0, waiting or 0,
                          _rows(mine, "dead", limit), _rows(mine, "pending", limit))


def _rows(mine, state: str, limit: int) -> tuple[DeliveryRow, ...]:
    rows = db.session.scalars(select(OutboxDelivery).where(*mine, OutboxDelivery.state == state)
                              .order_by(OutboxDelivery.id.desc()).limit(limit))
    return tuple(DeliveryRow(r.id, r.receiver, r.ref, r.state, r.attempts, r.last_error, r.created_at, r.sent_at,
                             r.next_attempt_at) for r in rows)


class NotResendable(LookupError):
    """No failed delivery with that id on that site."""


@use_case
def resend(site_id: int, delivery_id: int | None, actor, now: datetime) -> int:
    """Put failed deliveries (one, or all of the site's when `delivery_id` is None) back in the queue.

    Audited with ids only. Returns how many went back."""
    where = [OutboxDelivery.site_id == site_id, OutboxDelivery.state == "dead"]
    if delivery_id is not None:
        where.append(OutboxDelivery.id == delivery_id)
    ids = list(db.session.scalars(select(OutboxDelivery.id).where(*where)))
    if delivery_id is not None and not ids:
        raise NotResendable(delivery_id)
    if ids:
        db.session.execute(update(OutboxDelivery).where(OutboxDelivery.id.in_(ids)).values(
            state="pending", attempts=0, next_attempt_at=now, lease_until=None))
        audit("connectors.resend", actor, site_id=site_id, target_type="outbox_delivery",
              target_id=delivery_id, at=now, deliveries=len(ids))
    return len(ids)


def retry_after(attempts: int, base_s: float, cap_s: float = 3600.0) -> timedelta:
    """Backoff: base, 2×base, 4×base … at most cap_s."""
    return timedelta(seconds=min(cap_s, base_s * 2 ** max(0, attempts - 1)))
