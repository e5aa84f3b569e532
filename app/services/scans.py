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
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from uuid import uuid4

from flask import current_app
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.domain import attendance as rules
from app.domain.localtime import local_date, to_local
from app.extensions import db
from app.models import AttendanceDay, Card, Company, Engagement, Kiosk, Person, ScanEvent, Site
from app.services.audit import audit
from app.services.card_checks import check_card_for_site

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4  # each lost race means a duplicate or a new day row appeared: re-read and go on


class ScanIdTaken(ValueError):
    """The scan id is already used by another kiosk's scan."""


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
        return {**asdict(self), "warnings": list(self.warnings)}


def record_scan(kiosk: Kiosk, scan: ScanInput, now: datetime) -> ScanResult:
    """Record one kiosk scan, or replay the stored result when this id was seen before."""
    for _ in range(MAX_ATTEMPTS):
        stored = db.session.get(ScanEvent, scan.id, populate_existing=True)
        if stored is not None:
            return _replay(stored, kiosk)
        try:
            result = _record_once(kiosk, scan, now)
            db.session.commit()
            return result
        except IntegrityError:
            db.session.rollback()
    log.warning("scan %s not recorded after %d attempts (conflicting writes)", scan.id, MAX_ATTEMPTS)
    raise ScanNotRecorded(scan.id)


def _replay(event: ScanEvent, kiosk: Kiosk) -> ScanResult:
    if event.kiosk_id != kiosk.id:
        raise ScanIdTaken(event.id)
    return result_from_event(event, event.id)


def _record_once(kiosk: Kiosk, scan: ScanInput, now: datetime) -> ScanResult:
    site = kiosk.site
    checked = check_card_for_site(scan.payload, site, now)
    day = _day_of(site, checked, scan.scanned_at)  # locked first, so the repeat check below is safe too
    number = checked.card_number
    previous = _repeat_read(kiosk.id, number, scan.scanned_at)
    if previous is not None:
        # The same passage read twice: answer as before, register nothing new.
        return result_from_event(previous, scan.id)
    result, _ = _store(site, kiosk, scan, checked, number, now, day, source="kiosk")
    return result


def _day_of(site: Site, checked, scanned_at: datetime) -> AttendanceDay | None:
    """The person's day row, locked when the scan will change it (PostgreSQL: FOR UPDATE)."""
    if checked.person is None:
        return None
    day_date = local_date(scanned_at, current_app.config["PORTVAKT_TZ"])
    return _day(site.id, checked.person.id, day_date, lock=checked.decision.accepted)


def _repeat_read(kiosk_id: int, number: str | None, scanned_at: datetime) -> ScanEvent | None:
    if number is None:
        return None
    window = timedelta(seconds=current_app.config["SCAN_DEBOUNCE_S"])
    previous = db.session.scalar(
        select(ScanEvent)
        .where(ScanEvent.kiosk_id == kiosk_id, ScanEvent.card_number == number,
               ScanEvent.scanned_at > scanned_at - window, ScanEvent.scanned_at < scanned_at + window,
               ScanEvent.voided_at.is_(None))
        .order_by(ScanEvent.scanned_at.desc()).limit(1)
    )
    if previous is None or not rules.is_repeat_read(previous.scanned_at, scanned_at, window.total_seconds()):
        return None
    return previous


def _store(site: Site, kiosk: Kiosk | None, scan: ScanInput, checked, number: str | None, now: datetime,
           day: AttendanceDay | None, source: str, note: str | None = None) -> tuple[ScanResult, ScanEvent]:
    """Decide the direction, store the event and, for an accepted scan, update the person's day."""
    decision, person, card = checked.decision, checked.person, checked.card
    # Accepted with nobody to list happens only when the lenient outage policy lets an unknown
    # card in: the event is kept for the supervisor's approval, the list waits for a person.
    accepted = decision.accepted and person is not None
    day_date = local_date(scan.scanned_at, current_app.config["PORTVAKT_TZ"])
    present = bool(day and day.is_present and day.removed_at is None)
    direction = rules.choose_direction(scan.direction, kiosk.mode if kiosk else "auto", present)
    copied = accepted and card is not None and rules.looks_copied(
        site.id, kiosk.id if kiosk else None, direction, scan.scanned_at, _recent_scans(card, scan.scanned_at))
    warnings = _warnings(copied, scan.late, decision.needs_approval)
    event = ScanEvent(
        id=scan.id, site_id=site.id, kiosk_id=kiosk.id if kiosk else None, card_id=card.id if card else None,
        card_number=number, person_id=person.id if person else None, scanned_at=scan.scanned_at,
        received_at=now, local_date=day_date, decision="accepted" if decision.accepted else "rejected",
        reason=decision.reason, direction=direction, verified=decision.verified, late=scan.late,
        warnings=list(warnings), message=decision.message, source=source, note=note,
        needs_approval=decision.needs_approval,
    )
    db.session.add(event)
    db.session.flush()  # claims the scan id: a duplicate fails here, before touching the day
    if getattr(checked, "new_followup", None) is not None:
        checked.new_followup.scan_event_id = event.id  # the § 8 follow-up points at its scan
    if accepted:
        _apply_to_day(day, site, person, card, checked.employer, day_date, direction, scan.scanned_at, copied, source)
    return _result(event, person, checked.employer, card), event


def _warnings(copied: bool, late: bool, needs_approval: bool) -> tuple[str, ...]:
    flagged = ((rules.POSSIBLE_COPIED_CARD, copied), (rules.LATE, late), (rules.NEEDS_APPROVAL, needs_approval))
    return tuple(name for name, on in flagged if on)


def _day(site_id: int, person_id: int, day_date, lock: bool) -> AttendanceDay | None:
    query = select(AttendanceDay).where(AttendanceDay.site_id == site_id, AttendanceDay.person_id == person_id,
                                        AttendanceDay.local_date == day_date)
    if lock:
        _hold_write_lock_on_sqlite()
        query = query.with_for_update()
    return db.session.scalar(query.execution_options(populate_existing=True))


def _hold_write_lock_on_sqlite() -> None:
    """SQLite has no row locks (FOR UPDATE means nothing) and pysqlite opens a transaction only at
    the first write, so two scans could read the same stale day. A no-op write first takes the
    database's write lock, and the day is then read inside the transaction that will change it."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("UPDATE attendance_day SET id = id WHERE 0"))


def _recent_scans(card: Card, scanned_at: datetime) -> list[rules.PastScan]:
    start, end = rules.recent_scan_window(scanned_at)
    rows = db.session.execute(
        select(ScanEvent.site_id, ScanEvent.kiosk_id, ScanEvent.direction, ScanEvent.scanned_at)
        .where(ScanEvent.person_id == card.person_id, ScanEvent.card_id == card.id,
               ScanEvent.decision == "accepted", ScanEvent.voided_at.is_(None),
               ScanEvent.scanned_at >= start, ScanEvent.scanned_at <= end)
    )
    return [rules.PastScan(*row) for row in rows]


def _apply_to_day(day, site, person, card, card_employer, day_date, direction, at, copied, source) -> None:
    if day is None:
        employer_id, hired_by_id = _employment(site.id, person.id, card_employer, day_date)
        day = AttendanceDay(site_id=site.id, person_id=person.id, local_date=day_date, employer_id=employer_id,
                            hired_by_id=hired_by_id, source="manual" if source == "manual" else "scan", flags=[])
        db.session.add(day)
    state = rules.apply_scan(_state(day), direction, at, copied)
    _store_state(day, state)
    day.card_id = card.id if card else day.card_id
    db.session.flush()  # a new day row racing another scan of the same person fails here


def _state(day: AttendanceDay) -> rules.DayState:
    return rules.DayState(first_in=day.first_in, last_out=day.last_out, last_scan_at=day.last_scan_at,
                          is_present=bool(day.is_present), flags=tuple(day.flags or ()))


def _store_state(day: AttendanceDay, state: rules.DayState) -> None:
    day.first_in, day.last_out, day.last_scan_at = state.first_in, state.last_out, state.last_scan_at
    day.is_present, day.flags = state.is_present, list(state.flags)


def _employment(site_id: int, person_id: int, card_employer, on) -> tuple[int, int | None]:
    """The § 15 employer (and innleievirksomhet) from the person's engagement here, else the card's."""
    engagements = db.session.scalars(
        select(Engagement).where(Engagement.site_id == site_id, Engagement.person_id == person_id)
    ).all()
    active = [e for e in engagements
              if (e.active_from is None or e.active_from <= on) and (e.active_to is None or on <= e.active_to)]
    same_employer = [e for e in active if card_employer is not None and e.employer_id == card_employer.id]
    chosen = (same_employer or active or [None])[0]
    if chosen is not None:
        return chosen.employer_id, chosen.hired_by_id
    return card_employer.id, None


def _result(event: ScanEvent, person, employer, card) -> ScanResult:
    return ScanResult(
        id=event.id, decision=event.decision, direction=event.direction, reason=event.reason,
        message=dict(event.message or {}), verified=event.verified, warnings=tuple(event.warnings or ()),
        person={"name": person.name, "employer": employer.name if employer else None} if person else None,
        card={"number": card.number, "valid_to": card.valid_to.isoformat() if card.valid_to else None}
        if card else None,
    )


def result_from_event(event: ScanEvent, scan_id: str) -> ScanResult:
    """The stored answer to a scan, under the id being answered (a replay or a repeat read)."""
    card = event.card
    result = _result(event, event.person, card.employer if card else None, card)
    return ScanResult(**{**asdict(result), "id": scan_id, "warnings": result.warnings})


# --- Manual registrations and corrections (the web app) ---------------------------------------

def _required_reason(reason: str | None, what: str) -> str:
    """Every manual change to the legal record says why; the reason is kept and shown in the audit."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(f"a reason is required {what}")
    return reason


def register_manual(site: Site, card_number: str, user, reason: str, now: datetime,
                    direction: str = "in", at: datetime | None = None) -> ScanResult:
    """Register a person by card number, checked like a scan; audit-logged with who and why.

    `at` is when the person came or left (default now); `direction` is in, out or auto.
    A rejected card is stored as a rejected event and puts nobody on the list.
    """
    reason = _required_reason(reason, "for a manual registration")
    if direction not in rules.REQUESTED_DIRECTIONS:
        raise ValueError("direction must be in, out or auto")
    moment = at or now
    rules.check_clock(moment, now, queued=True)
    scan = ScanInput(id=str(uuid4()), payload=card_number.strip(), scanned_at=moment, direction=direction)
    checked = check_card_for_site(scan.payload, site, now)
    day = _day_of(site, checked, scan.scanned_at)
    result, event = _store(site, None, scan, checked, checked.card_number, now, day, source="manual",
                           note=reason[:500])
    audit("attendance.manual_registration", user, site_id=site.id, target_type="scan_event", target_id=event.id,
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
        audit("attendance.void_scan", user, site_id=event.site_id, target_type="scan_event", target_id=event.id, at=now)
        db.session.commit()
    return event


def _rebuild_day(site_id: int, person_id: int, day_date, now: datetime) -> None:
    day = _day(site_id, person_id, day_date, lock=True)
    if day is None:
        return
    scans = db.session.execute(
        select(ScanEvent.direction, ScanEvent.scanned_at, ScanEvent.warnings)
        .where(ScanEvent.site_id == site_id, ScanEvent.person_id == person_id, ScanEvent.local_date == day_date,
               ScanEvent.decision == "accepted", ScanEvent.voided_at.is_(None))
    )
    state = rules.rebuild_day((d, at, rules.POSSIBLE_COPIED_CARD in (w or ())) for d, at, w in scans)
    state = state or rules.DayState()
    site = db.session.get(Site, site_id)
    if rules.closing_is_due(day_date, site.closing_time, to_local(now, current_app.config["PORTVAKT_TZ"])):
        state = rules.close_day(state)
    _store_state(day, state)


# --- Presence and the end of the day ------------------------------------------------------------

def present_people(site: Site, now: datetime) -> list[dict]:
    """Who is on site now: today's rows still "in", oldest arrival first."""
    today = local_date(now, current_app.config["PORTVAKT_TZ"])
    # Plain columns, not objects: a big site has over a thousand people in (bench/bigsite.py).
    rows = db.session.execute(
        select(Person.first_name, Person.last_name, Company.name, AttendanceDay.last_scan_at)
        .join(Person, Person.id == AttendanceDay.person_id)
        .join(Company, Company.id == AttendanceDay.employer_id)
        .where(AttendanceDay.site_id == site.id, AttendanceDay.local_date == today,
               AttendanceDay.is_present.is_(True), AttendanceDay.removed_at.is_(None))
        .order_by(AttendanceDay.last_scan_at)
    )
    return [{"name": f"{first} {last}", "employer": employer, "since": since.isoformat() if since else None}
            for first, last, employer, since in rows]


def close_days(now: datetime, site_id: int | None = None) -> int:
    """Close every day whose closing time has passed: people still in get `no_exit_recorded`."""
    tz = current_app.config["PORTVAKT_TZ"]
    now_local = to_local(now, tz)
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
