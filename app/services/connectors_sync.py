"""Delivering the outbox: `flask connectors sync` claims due rows one at a time, sends, records.

Exactly once where it counts: a row is claimed with a lease before it is sent and marked sent only
after the receiver confirmed. A worker that dies between the two leaves the row to be sent again
once the lease has run out; HMSREG counts a registration once per ExternalRef (the scan's id), and
ELRAPP gets only the records that differ from what it confirmed before.

Each step is its own unit of work (app/services/__init__.py): a claim and an outcome must be
durable before the next send, and no read transaction stays open while a receiver is waited for
(SQLite would hold its read lock).
"""
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update

from app.adapters.registers import DeliveryFailed, receivers_from_config
from app.clock import site_zone, utcnow
from app.domain.localtime import to_local
from app.extensions import db
from app.models import Card, Company, OutboxDelivery, Person, ScanEvent, Site
from app.services import unit_of_work
from app.services.connectors import retry_after

log = logging.getLogger(__name__)
BATCH = 100
DIRECTIONS = {"in": "Ankomst", "out": "Avreise"}


@dataclass
class SyncCounts:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    waiting: int = 0


def sync(site_id: int | None = None, receivers: dict | None = None) -> SyncCounts:
    """Deliver every due row once (in id order; a row that fails waits for its backoff)."""
    lease = timedelta(seconds=current_app.config["CONNECTORS_LEASE_S"])
    counts, last_id = SyncCounts(), 0
    while ids := _due_ids(site_id, last_id, utcnow()):
        # Only when something waits: a production install with no site on a connector needs no credentials.
        receivers = receivers or receivers_from_config(current_app.config)
        for row_id in ids:
            last_id = row_id
            claimed = _claim(row_id, lease)
            if claimed is not None:
                _deliver(claimed, receivers, counts)
    counts.waiting = _waiting(site_id)
    return counts


def _due_ids(site_id: int | None, after_id: int, now: datetime) -> list[int]:
    query = (select(OutboxDelivery.id).where(
        OutboxDelivery.id > after_id, OutboxDelivery.state == "pending", OutboxDelivery.next_attempt_at <= now,
        or_(OutboxDelivery.lease_until.is_(None), OutboxDelivery.lease_until <= now))
        .order_by(OutboxDelivery.id).limit(BATCH))
    if site_id is not None:
        query = query.where(OutboxDelivery.site_id == site_id)
    with unit_of_work():  # ends the read transaction: SQLite must not hold it while we send
        return list(db.session.scalars(query))


def _claim(row_id: int, lease: timedelta) -> OutboxDelivery | None:
    """Take the row for this worker until the lease ends; None when another worker was first."""
    now = utcnow()
    with unit_of_work():
        taken = db.session.execute(update(OutboxDelivery).where(
            OutboxDelivery.id == row_id, OutboxDelivery.state == "pending",
            or_(OutboxDelivery.lease_until.is_(None), OutboxDelivery.lease_until <= now),
        ).values(lease_until=now + lease).execution_options(synchronize_session=False))
    return db.session.get(OutboxDelivery, row_id) if taken.rowcount == 1 else None


def _deliver(row: OutboxDelivery, receivers: dict, counts: SyncCounts) -> None:
    lease = row.lease_until
    try:
        sent_hashes = DELIVER[row.receiver](row, receivers[row.receiver])
    except Withdrawn as withdrawn:
        return _finish(row.id, lease, state="withdrawn", last_error=withdrawn.code)
    except DeliveryFailed as failure:
        return _failed(row, lease, failure, counts)
    if sent_hashes is not None:  # kept even when the row was reopened meanwhile: it is what ELRAPP has
        db.session.execute(update(OutboxDelivery).where(OutboxDelivery.id == row.id).values(sent_hashes=sent_hashes))
    _finish(row.id, lease, state="sent", sent_at=utcnow(), last_error=None)
    counts.sent += 1


def _failed(row: OutboxDelivery, lease: datetime, failure: DeliveryFailed, counts: SyncCounts) -> None:
    if failure.code == "breaker_open":  # not tried: no attempt counted
        return _finish(row.id, lease)
    attempts = row.attempts + 1
    dead = failure.permanent or attempts >= current_app.config["CONNECTORS_MAX_ATTEMPTS"]
    log.warning("connector delivery %s to %s failed: %s (attempt %d%s)", row.id, row.receiver, failure.code,
                attempts, ", given up" if dead else "")
    counts.failed += 1
    counts.dead += dead
    _finish(row.id, lease, attempts=attempts, last_error=failure.code, state="dead" if dead else "pending",
            next_attempt_at=utcnow() + retry_after(attempts, current_app.config["CONNECTORS_RETRY_BASE_S"]))


def _finish(row_id: int, lease: datetime, **values) -> None:
    """Record the outcome, only if the row is still this worker's (not reopened by a change meanwhile)."""
    with unit_of_work():
        db.session.execute(update(OutboxDelivery).where(
            OutboxDelivery.id == row_id, OutboxDelivery.state == "pending", OutboxDelivery.lease_until == lease,
        ).values(lease_until=None, **values).execution_options(synchronize_session=False))


def _waiting(site_id: int | None) -> int:
    query = select(func.count()).select_from(OutboxDelivery).where(OutboxDelivery.state == "pending")
    if site_id is not None:
        query = query.where(OutboxDelivery.site_id == site_id)
    return db.session.scalar(query) or 0


class Withdrawn(Exception):
    """Nothing to send any more (the scan was voided or purged, the connector turned off)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# ---- HMSREG: one registration per accepted scan -----------------------------------------------


def _hmsreg(row: OutboxDelivery, receiver) -> None:
    site = db.session.get(Site, row.site_id)
    if not site.hmsreg_enabled:
        raise Withdrawn("turned_off")
    if not site.hmsreg_project:
        raise DeliveryFailed("no_project", permanent=True)
    receiver.send(registration(row.ref, site.hmsreg_project, site_zone()))
    return None


def registration(scan_id: str, project: str, tz: str) -> dict:
    """HMSREG's registration for one stored scan: the documented fields only (https://www.hmsreg.com/api)."""
    with unit_of_work():  # read, then no transaction open while HMSREG is waited for
        found = db.session.execute(
            select(ScanEvent, Person, Company).join(Person, ScanEvent.person_id == Person.id)
            .join(Card, ScanEvent.card_id == Card.id).join(Company, Card.employer_id == Company.id)
            .where(ScanEvent.id == scan_id)).first()
    if found is None:
        raise Withdrawn("gone")  # purged by retention, or no person behind it
    event, person, employer = found
    if event.voided_at is not None or event.decision != "accepted":
        raise Withdrawn("voided")
    body = {"Kortnr": event.card_number, "Retning": DIRECTIONS[event.direction],
            "Tidspunkt": to_local(event.scanned_at, tz).strftime("%Y-%m-%dT%H:%M:%S"),
            "Navn": f"{person.first_name} {person.last_name}", "Orgnr": employer.org_number,
            "HmsRegnr": project, "Kilde": "Portvakt", "Korttype": "HMS",
            "Fødselsdato": person.birth_date.isoformat(), "ExternalRef": event.id}
    return {key: value for key, value in body.items() if value is not None}


# ---- ELRAPP: the day's list, changes only ---------------------------------------------------


def _elrapp(row: OutboxDelivery, receiver) -> dict:
    from app.services import lists  # lists imports the outbox writer; deliver-time import avoids a cycle

    site = db.session.get(Site, row.site_id)
    if not site.elrapp_enabled:
        raise Withdrawn("turned_off")
    try:
        items, _ = lists.elrapp_items(lists.day_report(site.id, date.fromisoformat(row.ref), utcnow()))
    except lists.ExportRefused as refused:
        raise DeliveryFailed(getattr(refused, "code", "refused"), permanent=True) from None
    with unit_of_work():  # read, then no transaction open while ELRAPP is waited for
        sent = dict(row.sent_hashes or {})
    changed = [item for item in items if sent.get(str(item["Kortnummer"])) != _hash(item)]
    if changed:
        receiver.send(changed[0]["KontraktId"], changed)
    return {**sent, **{str(item["Kortnummer"]): _hash(item) for item in changed}}


def _hash(item: dict) -> str:
    return hashlib.sha256(json.dumps(item, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


DELIVER = {"hmsreg": _hmsreg, "elrapp": _elrapp}
