"""Recording scans: one gate read becomes one stored event and, when accepted, the person's day on
the site's § 15 list. Also manual registrations and corrections from the web app, which go
through the same rules.

A lost or doubled registration is a wrong legal record, so a scan is idempotent by the id the
kiosk made: the ScanEvent primary key. Duplicates arriving at the same moment race to insert
it; the losers roll back and replay the winner's stored result. On PostgreSQL the day row is
locked (SELECT ... FOR UPDATE) while the in/out state changes, so two scans of one person
cannot both read "absent".
"""
import logging
import time
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from uuid import uuid4

from flask import current_app
from sqlalchemy import and_, bindparam, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from app.adapters.cardservice import get_card_service
from app.clock import local_day, to_site_time
from app.domain import attendance as rules
from app.domain.cards import LookupOutcome
from app.domain.gate import for_direction
from app.domain.oversiktsliste import CARD_ORDERED
from app.domain.qr import parse_payload
from app.domain.secrets import hash_token
from app.extensions import db
from app.models import AttendanceDay, Engagement, ScanEvent, Site
from app.ops.metrics import observe_scan
from app.services import card_orders, connectors, day_list
from app.services.audit import audit
from app.services.card_checks import check_card_for_site, find_known_card, qr_rules

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4  # each lost race means a duplicate or a new day row appeared: re-read and go on


class ScanIdTaken(ValueError):
    """The scan id is already used by another kiosk's scan."""


class ScanIdReused(ValueError):
    """The scan id is already stored for a payload that names another card (or none)."""


class _IdAlreadyStored(Exception):
    """A repeat read under an id that is already stored: the stored event answers, not the read."""


class ScanNotRecorded(RuntimeError):
    """Kept losing races for the same rows; the kiosk keeps the scan and sends it again."""


@dataclass(frozen=True)
class ScanInput:
    id: str  # canonical UUID text
    payload: str
    scanned_at: datetime
    direction: str = "auto"  # in|out|auto
    late: bool = False


@dataclass(frozen=True)
class ScanResult:
    """What the kiosk shows and the API returns; replayed unchanged for a repeated id."""

    id: str
    decision: str  # accepted|rejected
    direction: str  # in|out
    reason: str
    message: dict
    person: dict | None
    card: dict | None
    verified: bool
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        # Not dataclasses.asdict: its deep copy of every field was a visible share of a scan.
        return {"id": self.id, "decision": self.decision, "direction": self.direction, "reason": self.reason,
                "message": self.message, "person": self.person, "card": self.card, "verified": self.verified,
                "warnings": list(self.warnings)}


def record_scan(kiosk, scan: ScanInput, now: datetime) -> ScanResult:
    """Record one kiosk scan, or replay the stored result when this id was seen before.

    `kiosk` is the authorized kiosk (kiosks.AuthorizedKiosk). The insert comes first and a
    duplicate id fails on the primary key: a resent scan costs a rollback, a new scan (nearly
    all of them) no lookup of its id.
    """
    started = time.perf_counter()
    for _ in range(MAX_ATTEMPTS):
        try:
            result = _record_once(kiosk, scan, now)
            db.session.commit()
            observe_scan(result.decision, result.reason, time.perf_counter() - started)  # /metrics
            return result
        except (IntegrityError, _IdAlreadyStored):
            db.session.rollback()
        stored = db.session.get(ScanEvent, scan.id, populate_existing=True)
        if stored is not None:
            return _replay(stored, kiosk, scan.payload)
    log.warning("scan %s not recorded after %d attempts (conflicting writes)", scan.id, MAX_ATTEMPTS)
    raise ScanNotRecorded(scan.id)


def _replay(event: ScanEvent, kiosk, payload: str) -> ScanResult:
    if event.kiosk_id != kiosk.id:
        raise ScanIdTaken(event.id)
    if not _names_stored_card(event, payload):
        raise ScanIdReused(event.id)
    return result_from_event(event, event.id)


PAYLOAD_REJECTIONS = ("foreign_qr", "unreadable")  # refused before any card lookup (domain/gate.py)


def _names_stored_card(event: ScanEvent, payload: str) -> bool:
    """Whether a resent payload names the card its stored event is about. The raw QR text is never
    stored (privacy), so the payload is parsed again, without asking the card service, and compared
    by what it names: the card number, the stored card's QR-token hash, or the same rejection."""
    parsed = parse_payload(payload, qr_rules())
    if not parsed.accepted:
        return event.card_id is None and event.card_number is None and event.reason == parsed.rejection
    ref = parsed.ref
    if ref.kind == "card_number":
        return event.card_number == ref.value
    if event.card is not None and event.card.qr_token_hash is not None:
        return event.card.qr_token_hash == hash_token(ref.value)
    if event.card is not None:
        # Which token names the card was not recorded (its answer came from the card service's cache,
        # or the scan that recorded it lost a race and rolled back): ask the service, which answers
        # from its cache. If it cannot answer, the stored result stands, as a replay always did.
        check = get_card_service().lookup(ref)
        return check.outcome is not LookupOutcome.FOUND or check.card_number == event.card_number
    # The stored scan's QR token named no card we know (unknown, or read in an outage): so must this one.
    return (event.card_number is None and event.reason not in PAYLOAD_REJECTIONS
            and find_known_card(ref) is None)


def _record_once(kiosk, scan: ScanInput, now: datetime) -> ScanResult:
    site = kiosk.site
    checked = check_card_for_site(scan.payload, site, now)
    day = _day_of(site, checked, scan.scanned_at)  # locked first, so the repeat check below is safe too
    recent = _recent_scans(kiosk.id, checked, scan.scanned_at)
    previous = _repeat_read(kiosk.id, checked.card_number, scan.scanned_at, recent)
    if previous is not None:
        if db.session.get(ScanEvent, scan.id) is not None:
            raise _IdAlreadyStored(scan.id)  # a resent id, answered (or refused) by its stored event
        # The same passage read twice: answer as before, register nothing new.
        return result_from_event(db.session.get(ScanEvent, previous.id), scan.id)
    return _store(site, kiosk, scan, checked, now, day, recent, source="kiosk")


@dataclass(frozen=True)
class _Day:
    """A person's attendance row as the scan rules need it."""

    id: int
    state: rules.DayState
    removed: bool


@dataclass(frozen=True)
class _RecentScan:
    """A stored, not voided scan near this one: of the same person, or of this card at this gate."""

    id: str
    site_id: int
    kiosk_id: int | None
    card_id: int | None
    card_number: str | None
    decision: str
    direction: str
    scanned_at: datetime


def _day_of(site, checked, scanned_at: datetime) -> _Day | None:
    """The person's day row, locked when the scan will change it (PostgreSQL: FOR UPDATE)."""
    if checked.card is None:
        return None
    day_date = local_day(scanned_at)
    return _day(site.id, checked.card.person_id, day_date, lock=checked.decision.accepted)


def _day_statement():
    day = AttendanceDay.__table__.c
    return select(day.id, day.first_in, day.last_out, day.last_scan_at, day.is_present, day.flags,
                  day.removed_at).where(day.site_id == bindparam("site_id"), day.person_id == bindparam("person_id"),
                                        day.local_date == bindparam("local_date"))


# The statements every scan sends, built once: on a warm scan, building a statement cost more
# than sending it (bench/roundtrips.py).
DAY = _day_statement()
DAY_FOR_UPDATE = DAY.with_for_update()
INSERT_EVENT = insert(ScanEvent.__table__)
INSERT_DAY = insert(AttendanceDay.__table__)
UPDATE_DAY = update(AttendanceDay.__table__).where(AttendanceDay.__table__.c.id == bindparam("day_id"))


def _day(site_id: int, person_id: int, day_date, lock: bool) -> _Day | None:
    if lock:
        _hold_write_lock_on_sqlite()
    params = {"site_id": site_id, "person_id": person_id, "local_date": day_date}
    row = db.session.execute(DAY_FOR_UPDATE if lock else DAY, params).one_or_none()
    if row is None:
        return None
    return _Day(row.id, _state(row), row.removed_at is not None)


def _hold_write_lock_on_sqlite() -> None:
    """SQLite has no row locks (FOR UPDATE means nothing) and pysqlite opens a transaction only at
    the first write, so two scans could read the same stale day. A no-op write first takes the
    database's write lock, and the day is then read inside the transaction that will change it."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("UPDATE attendance_day SET id = id WHERE 0"))


def _recent_scans_statement():
    event = ScanEvent.__table__.c
    same_person = event.person_id == bindparam("person_id")
    same_read = and_(event.kiosk_id == bindparam("kiosk_id"), event.card_number == bindparam("number"))
    return (select(event.id, event.site_id, event.kiosk_id, event.card_id, event.card_number, event.decision,
                   event.direction, event.scanned_at)
            .where(or_(same_person, same_read), event.voided_at.is_(None),
                   event.scanned_at >= bindparam("start"), event.scanned_at <= bindparam("end")))


RECENT_SCANS = _recent_scans_statement()


def _recent_scans(kiosk_id: int | None, checked, scanned_at: datetime) -> list[_RecentScan]:
    """In one query, what both the repeat-read and the copied-card rules look at: the person's
    scans within the copied-card window, and this gate's reads of the same card number (which
    may have no person: an unknown card, or one read during an outage). A None parameter
    matches nothing (SQL's NULL = x is never true)."""
    number, card = checked.card_number, checked.card
    if number is None and card is None:
        return []
    debounce = timedelta(seconds=current_app.config["SCAN_DEBOUNCE_S"])
    start, end = rules.recent_scan_window(scanned_at)
    params = {"person_id": card.person_id if card else None, "kiosk_id": kiosk_id, "number": number,
              "start": min(start, scanned_at - debounce), "end": max(end, scanned_at + debounce)}
    return [_RecentScan(*row) for row in db.session.execute(RECENT_SCANS, params)]


def _repeat_read(kiosk_id: int | None, number: str | None, scanned_at: datetime,
                 recent: list[_RecentScan]) -> _RecentScan | None:
    """This gate's latest read of the same card within the debounce window, if any."""
    if kiosk_id is None or number is None:
        return None
    debounce_s = current_app.config["SCAN_DEBOUNCE_S"]
    repeats = [r for r in recent if r.kiosk_id == kiosk_id and r.card_number == number
               and rules.is_repeat_read(r.scanned_at, scanned_at, debounce_s)]
    return max(repeats, key=lambda r: r.scanned_at, default=None)


def _accepted_scans_of_card(card, recent: list[_RecentScan]) -> list[rules.PastScan]:
    return [rules.PastScan(r.site_id, r.kiosk_id, r.direction, r.scanned_at) for r in recent
            if r.decision == "accepted" and r.card_id == card.card_id]


def _store(site, kiosk, scan: ScanInput, checked, now: datetime, day: _Day | None, recent: list[_RecentScan],
           source: str, note: str | None = None) -> ScanResult:
    """Decide the direction, store the event and, for an accepted scan, update the person's day."""
    decision, card = checked.decision, checked.card
    # Accepted with nobody to list happens only when the lenient outage policy lets an unknown
    # card in: the event is kept for the supervisor's approval, the list waits for a person.
    accepted = decision.accepted and card is not None
    day_date = local_day(scan.scanned_at)
    present = day is not None and day.state.is_present and not day.removed
    kiosk_id = kiosk.id if kiosk else None
    direction = rules.choose_direction(scan.direction, kiosk.mode if kiosk else "auto", present)
    decision = for_direction(decision, direction)  # an exit says "Registrert ut", not "velkommen inn"
    copied = accepted and rules.looks_copied(site.id, kiosk_id, direction, scan.scanned_at,
                                             _accepted_scans_of_card(card, recent))
    warnings = _warnings(copied, scan.late, decision.needs_approval) + decision.warnings
    event = dict(
        id=scan.id, site_id=site.id, kiosk_id=kiosk_id, card_id=card.card_id if card else None,
        card_number=checked.card_number, person_id=card.person_id if card else None, scanned_at=scan.scanned_at,
        received_at=now, local_date=day_date, decision="accepted" if decision.accepted else "rejected",
        reason=decision.reason, direction=direction, verified=decision.verified, late=scan.late,
        warnings=list(warnings), message=decision.message, source=source, note=note,
        needs_approval=decision.needs_approval,
    )
    # Claims the scan id: a duplicate fails here, before touching the day.
    db.session.execute(INSERT_EVENT, event)
    if checked.new_followup is not None:
        checked.new_followup.scan_event_id = scan.id  # the § 8 follow-up points at its scan
    if accepted:
        _apply_to_day(day, site.id, card, day_date, direction, scan.scanned_at, copied, source)
        if site.hmsreg_enabled:  # a kiosk's SiteRules carry it from their one query, a Site has it
            connectors.registration_accepted(site.id, scan.id, now)  # HMSREG, in this transaction
        if source == "manual":
            connectors.day_changed(site.id, day_date, now)  # ELRAPP gets the change to a sent day
    return _result(event, card)


def _warnings(copied: bool, late: bool, needs_approval: bool) -> tuple[str, ...]:
    flagged = ((rules.POSSIBLE_COPIED_CARD, copied), (rules.LATE, late), (rules.NEEDS_APPROVAL, needs_approval))
    return tuple(name for name, on in flagged if on)


def _apply_to_day(day: _Day | None, site_id: int, card, day_date, direction, at, copied, source) -> None:
    """The scan's effect on the person's day: a new row for the day's first scan, else an update.
    A new row racing another scan of the same person fails on the unique key; the scan is retried."""
    state = rules.apply_scan(day.state if day else None, direction, at, copied)
    values = {**_state_columns(state), "card_id": card.card_id}
    if day is not None:
        if source == "manual":  # a row with any passage typed by hand is marked manual on the list
            values["source"] = "manual"
        db.session.execute(UPDATE_DAY, {"day_id": day.id, **values})
        return
    employer_id, hired_by_id = _employment(site_id, card.person_id, card.employer_id, day_date)
    db.session.execute(INSERT_DAY, dict(
        site_id=site_id, person_id=card.person_id, local_date=day_date, employer_id=employer_id,
        hired_by_id=hired_by_id, source="manual" if source == "manual" else "scan", **values))


def _state(day) -> rules.DayState:
    """The day's state from an AttendanceDay, or from a row of its columns."""
    return rules.DayState(first_in=day.first_in, last_out=day.last_out, last_scan_at=day.last_scan_at,
                          is_present=bool(day.is_present), flags=tuple(day.flags or ()))


def _state_columns(state: rules.DayState) -> dict:
    return dict(first_in=state.first_in, last_out=state.last_out, last_scan_at=state.last_scan_at,
                is_present=state.is_present, flags=list(state.flags))


def _store_state(day: AttendanceDay, state: rules.DayState) -> None:
    for column, value in _state_columns(state).items():
        setattr(day, column, value)


def _employment(site_id: int, person_id: int, card_employer_id: int, on) -> tuple[int, int | None]:
    """The § 15 employer (and innleievirksomhet) from the person's engagement here, else the card's."""
    engagements = db.session.execute(
        select(Engagement.employer_id, Engagement.hired_by_id, Engagement.active_from, Engagement.active_to)
        .where(Engagement.site_id == site_id, Engagement.person_id == person_id)
        .order_by(Engagement.id)
    ).all()
    active = [e for e in engagements if rules.active_on(e.active_from, e.active_to, on)]
    same_employer = [e for e in active if e.employer_id == card_employer_id]
    chosen = (same_employer or active or [None])[0]
    if chosen is not None:
        return chosen.employer_id, chosen.hired_by_id
    return card_employer_id, None


def _result(event: dict, card) -> ScanResult:
    return ScanResult(
        id=event["id"], decision=event["decision"], direction=event["direction"], reason=event["reason"],
        message=dict(event["message"] or {}), verified=event["verified"], warnings=tuple(event["warnings"]),
        person={"name": card.person_name, "employer": card.employer_name} if card else None,
        card=_card_answer(card.number, card.valid_to) if card else None,
    )


def result_from_event(event: ScanEvent, scan_id: str) -> ScanResult:
    """The stored answer to a scan, under the id being answered (a replay or a repeat read)."""
    card, person = event.card, event.person
    return ScanResult(
        id=scan_id, decision=event.decision, direction=event.direction, reason=event.reason,
        message=dict(event.message or {}), verified=event.verified, warnings=tuple(event.warnings or ()),
        person={"name": person.name, "employer": card.employer.name if card else None} if person else None,
        card=_card_answer(card.number, card.valid_to) if card else None,
    )


def _card_answer(number: str, valid_to) -> dict:
    return {"number": number, "valid_to": valid_to.isoformat() if valid_to else None}


# --- Manual registrations and corrections (the web app) ---------------------------------------

def _required_reason(reason: str | None, what: str) -> str:
    """Every manual change to the legal record says why; the reason is kept and shown in the audit."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(f"a reason is required {what}")
    return reason


def register_manual(site: Site, card_number: str, user, reason: str, now: datetime,
                    direction: str = "in", at: datetime | None = None,
                    override_outage: bool = False) -> ScanResult:
    """Register a person by card number, checked like a scan; audit-logged with who and why.

    `at` is when the person came or left (default now); `direction` is in, out or auto.
    A rejected card is stored as a rejected event and puts nobody on the list.
    `override_outage`: while the card service cannot be asked, a strict site lets a card we know in
    anyway: stored not verified, and `flask cards reverify` checks it once the service answers.
    """
    reason = _required_reason(reason, "for a manual registration")
    if direction not in rules.REQUESTED_DIRECTIONS:
        raise ValueError("direction must be in, out or auto")
    moment = at or now
    rules.check_clock(moment, now, queued=True)
    scan = ScanInput(id=str(uuid4()), payload=card_number.strip(), scanned_at=moment, direction=direction)
    checked = check_card_for_site(scan.payload, site, now, manual_override=override_outage)
    day = _day_of(site, checked, scan.scanned_at)
    recent = _recent_scans(None, checked, scan.scanned_at)
    result = _store(site, None, scan, checked, now, day, recent, source="manual", note=reason[:500])
    audit("attendance.manual_registration", user, site_id=site.id, target_type="scan_event", target_id=scan.id,
          at=now, decision=result.decision, direction=result.direction)
    db.session.commit()
    return result


def remove_registration(attendance_day_id: int, user, reason: str, now: datetime) -> AttendanceDay:
    """Take a row off the list without deleting it: who, when and why are kept and audit-logged."""
    reason = _required_reason(reason, "to remove a registration")
    day = db.session.get(AttendanceDay, attendance_day_id)
    if day is None:
        raise LookupError(attendance_day_id)
    if day.removed_at is None:
        day.removed_at, day.removed_by_id, day.removed_reason = now, user.id, reason[:500]
        day.is_present = False
        connectors.day_changed(day.site_id, day.local_date, now)
        audit("attendance.remove", user, site_id=day.site_id, target_type="attendance_day", target_id=day.id, at=now)
        db.session.commit()
    return day


def void_scan(scan_event_id: str, user, reason: str, now: datetime) -> ScanEvent:
    """Void one wrong scan (kept, marked) and rebuild the person's day from the scans left."""
    reason = _required_reason(reason, "to void a scan")
    event = db.session.get(ScanEvent, scan_event_id)
    if event is None:
        raise LookupError(scan_event_id)
    if event.voided_at is None:
        event.voided_at, event.voided_by_id, event.void_reason = now, user.id, reason[:500]
        db.session.flush()
        if event.decision == "accepted" and event.person_id is not None:
            _rebuild_day(event.site_id, event.person_id, event.local_date, now)
            connectors.day_changed(event.site_id, event.local_date, now)
        audit("attendance.void_scan", user, site_id=event.site_id, target_type="scan_event", target_id=event.id, at=now)
        db.session.commit()
    return event


def _rebuild_day(site_id: int, person_id: int, day_date, now: datetime) -> None:
    day = _day(site_id, person_id, day_date, lock=True)
    if day is None:
        return
    scans = db.session.execute(
        select(ScanEvent.direction, ScanEvent.scanned_at, ScanEvent.warnings, ScanEvent.reason)
        .where(ScanEvent.site_id == site_id, ScanEvent.person_id == person_id, ScanEvent.local_date == day_date,
               ScanEvent.decision == "accepted", ScanEvent.voided_at.is_(None))
    ).all()
    state = rules.rebuild_day((d, at, rules.POSSIBLE_COPIED_CARD in (w or ())) for d, at, w, _ in scans)
    state = _keep_card_ordered(state or rules.DayState(), (reason for *_, reason in scans))
    site = db.session.get(Site, site_id)
    if rules.closing_is_due(day_date, site.closing_time, to_site_time(now)):
        state = rules.close_day(state)
    _store_state(db.session.get(AttendanceDay, day.id), state)


# --- Presence and the end of the day ------------------------------------------------------------

def present_people(site: Site, now: datetime) -> list[dict]:
    """Who is on site now (the kiosk API): today's live rows still "in", in list order (day_list.py)."""
    today = local_day(now)
    return [{"name": row.person.name, "employer": row.employer.name,
             "since": row.last_scan_at.isoformat() if row.last_scan_at else None}
            for row in day_list.live_rows(site.id, today, present_only=True)]


def close_days(now: datetime, site_id: int | None = None) -> int:
    """Close every day whose closing time has passed: people still in get `no_exit_recorded`."""
    now_local = to_site_time(now)
    query = select(AttendanceDay).join(Site, Site.id == AttendanceDay.site_id).where(
        AttendanceDay.is_present.is_(True), AttendanceDay.local_date <= now_local.date())
    if site_id is not None:
        query = query.where(AttendanceDay.site_id == site_id)
    closed = 0
    for day in db.session.scalars(query.with_for_update(of=AttendanceDay)).all():
        site = db.session.get(Site, day.site_id)
        if rules.closing_is_due(day.local_date, site.closing_time, now_local):
            _store_state(day, rules.close_day(_state(day)))
            closed += 1
    db.session.commit()
    return closed


# --- Card-ordered workers: HMS card on order, no card yet (app/services/card_orders.py) --------

CARD_ORDERED_REASON = "card_ordered"  # the reason of the accepted manual event such a registration stores


class CardOrderNotUsable(ValueError):
    """The order cannot put its worker on that day's list: linked already, or not valid that day."""


@dataclass(frozen=True)
class CardOrderedRegistration:
    scan_id: str
    direction: str  # in|out, as decided
    local_date: date


def register_card_ordered(site: Site, order_id: int, user, reason: str, now: datetime,
                          direction: str = "in", at: datetime | None = None) -> CardOrderedRegistration:
    """Put a worker whose HMS card is on order on the day's list by hand, under the scan rules.

    Checked like register_manual (a reason; in, out or auto; a time not ahead of now and at most
    7 days old) and with the same lock on the day row. The row has no card, source "manual", the
    flag card_ordered, and the order's employer and innleievirksomhet. An accepted manual scan
    event without a card is stored as well, so voiding it rebuilds the day like any scan.
    Raises LookupError for no such order on the site and CardOrderNotUsable outside its validity.
    """
    reason = _required_reason(reason, "for a manual registration")
    if direction not in rules.REQUESTED_DIRECTIONS:
        raise ValueError("direction must be in, out or auto")
    moment = at or now
    rules.check_clock(moment, now, queued=True)
    if moment > now:
        raise rules.ClockError("a registration cannot be in the future")
    for _ in range(MAX_ATTEMPTS):
        try:
            done = _register_card_ordered_once(site, order_id, reason, now, direction, moment)
            audit("card_order.manual_registration", user, site_id=site.id, target_type="scan_event",
                  target_id=done.scan_id, at=now, card_order_id=order_id, direction=done.direction)
            db.session.commit()
            return done
        except IntegrityError:  # another registration made the day row first: read it again
            db.session.rollback()
    raise ScanNotRecorded(f"card order {order_id}")


def _register_card_ordered_once(site: Site, order_id: int, reason: str, now: datetime, direction: str,
                                moment: datetime) -> CardOrderedRegistration:
    order = card_orders.find_order(site.id, order_id)
    if order is None:
        raise LookupError(order_id)
    day_date = local_day(moment)
    if not card_orders.usable_on(order, day_date):
        raise CardOrderNotUsable(order_id)
    day = _day(site.id, order.person_id, day_date, lock=True)
    present = day is not None and day.state.is_present and not day.removed
    chosen = rules.choose_direction(direction, "auto", present)
    state = rules.apply_scan(day.state if day else None, chosen, moment)
    state = _keep_card_ordered(state, [CARD_ORDERED_REASON])
    scan_id = str(uuid4())
    db.session.execute(INSERT_EVENT, dict(
        id=scan_id, site_id=site.id, kiosk_id=None, card_id=None, card_number=None, person_id=order.person_id,
        scanned_at=moment, received_at=now, local_date=day_date, decision="accepted", reason=CARD_ORDERED_REASON,
        direction=chosen, verified=True, late=False, warnings=[], message=None, source="manual",
        note=reason[:500], needs_approval=False))
    if day is not None:
        db.session.execute(UPDATE_DAY, {"day_id": day.id, **_state_columns(state)})
    else:
        db.session.execute(INSERT_DAY, dict(
            site_id=site.id, person_id=order.person_id, local_date=day_date, employer_id=order.employer_id,
            hired_by_id=order.hired_by_id, card_id=None, source="manual", **_state_columns(state)))
    return CardOrderedRegistration(scan_id, chosen, day_date)


def _keep_card_ordered(state: rules.DayState, reasons) -> rules.DayState:
    """A day with a card-ordered registration keeps its flag, also when the day is rebuilt."""
    if CARD_ORDERED_REASON not in set(reasons):
        return state
    return replace(state, flags=tuple(sorted(set(state.flags) | {CARD_ORDERED})))
