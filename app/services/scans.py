"""Recording scans: one gate read becomes one stored event and, when accepted, the person's day on
the site's § 15 list. Also manual registrations and corrections from the web app, which go
through the same rules.

A lost or doubled registration is a wrong legal record, so a scan is idempotent by the id the
kiosk made: the ScanEvent primary key. Duplicates arriving at the same moment race to insert
it; the losers roll back and replay the winner's stored result. A kiosk scan reads everything
its decision needs in one statement and writes in one (app/services/gate_queries.py); the day is
written only if its version is still the one read, so two scans of one person cannot both read
"absent": the loser reads again and decides again.
"""
import logging
import time
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from uuid import uuid4

from flask import current_app
from sqlalchemy import select
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
from app.services import card_checks, card_orders, connectors, day_list, gate_queries, kiosks, unit_of_work, use_case
from app.services.audit import audit
from app.services.kiosks import AuthorizedKiosk

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4  # each lost race means a duplicate, a new day row or a changed day: re-read and go on


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


class KioskRefused(LookupError):
    """No active kiosk has this token (unknown, or revoked: refused at once, by every worker)."""


def record_kiosk_scan(token: str, scan: ScanInput, now: datetime) -> tuple[AuthorizedKiosk, ScanResult]:
    """Record one scan from the kiosk behind a bearer token (see record_scan); KioskRefused if none.

    The token is checked by the scan's own read: a warm scan sends one read and one write. When the
    card service must be asked, an unknown token is refused first, so it never costs a call."""
    token_hash = hash_token(token)
    answer = card_checks.cached_answer(scan.payload)
    if answer is None:
        _refuse_unknown_token(token, token_hash, now)
        answer = card_checks.ask_card_service(scan.payload)
    with gate_queries.one_gate_writer():
        return _recorded(answer, scan, now, token_hash=token_hash)


def _refuse_unknown_token(token: str, token_hash: str, now: datetime) -> None:
    """KioskRefused for a token no active kiosk has, before a card-service call. A token whose
    kiosk was active moments ago in this process (kiosks.active_lately) is not asked about twice:
    the scan's read refuses it if it was revoked since."""
    if kiosks.active_lately(token_hash):
        return
    with unit_of_work():  # ended before the lookup: a scan waiting on the card service holds no connection
        kiosk = kiosks.kiosk_for_token(token, now)
    if kiosk is None:
        raise KioskRefused()


def record_scan(kiosk, scan: ScanInput, now: datetime) -> ScanResult:
    """Record one kiosk scan, or replay the stored result when this id was seen before.

    `kiosk` is the authorized kiosk (kiosks.AuthorizedKiosk). The event is written in the same
    statement as the day and a duplicate id fails on the primary key: a resent scan costs a
    rollback, a new scan (nearly all of them) no lookup of its id. The day is written only if it
    is still as read; if not, the scan is read and decided again.
    """
    answer = card_checks.ask_card_service(scan.payload)
    with gate_queries.one_gate_writer():  # SQLite: from the first write to the commit (see there)
        return _recorded(answer, scan, now, kiosk_id=kiosk.id)[1]


def _recorded(answer: card_checks.CardAnswer, scan: ScanInput, now: datetime,
              **key) -> tuple[AuthorizedKiosk, ScanResult]:
    """Read, decide, write and commit, again when a race was lost; a stored id is replayed."""
    started = time.perf_counter()
    kiosk, snapshot = _read_for_kiosk(answer, scan, now, key)
    for attempt in range(MAX_ATTEMPTS):
        try:
            with unit_of_work():  # each attempt: committed, or rolled back before the next
                if attempt > 0:
                    kiosk, snapshot = _read_again_holding_the_day(answer, scan, now, key, snapshot)
                result = _decide_and_store(kiosk, snapshot, answer, scan, now)
            observe_scan(result.decision, result.reason, time.perf_counter() - started)  # /metrics
            return kiosk, result
        except (IntegrityError, _IdAlreadyStored, gate_queries.DayChanged):
            pass
        stored = db.session.get(ScanEvent, scan.id, populate_existing=True)
        if stored is not None:
            return kiosk, _replay(stored, kiosk, scan.payload)
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
    parsed = parse_payload(payload, card_checks.qr_rules())
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
            and card_checks.find_known_card(ref) is None)


def _read_for_kiosk(answer: card_checks.CardAnswer, scan: ScanInput, now: datetime,
                    key: dict) -> tuple[AuthorizedKiosk, gate_queries.GateSnapshot]:
    """The one read: the kiosk (by token or id) and its site, the card, the day, recent scans. A new
    answer from the card service is written with the scan; one that changes the holder or employer
    (or a card we do not have) is recorded first, and the card read again."""
    window = _scan_window(scan.scanned_at)
    snapshot = _read(answer, window, scan.scanned_at, now, on_record=answer.fresh, **key)
    if snapshot is None:
        raise KioskRefused()
    if "token_hash" in key:
        kiosks.remember_active(key["token_hash"])
    kiosk = _authorized(snapshot, now)
    if card_checks.must_record_first(answer, snapshot):
        card_checks.remember_answer(answer, snapshot.site_id)
        snapshot = _read(answer, window, scan.scanned_at, now, kiosk_id=kiosk.id)
    return kiosk, snapshot


def _read_again_holding_the_day(answer, scan: ScanInput, now: datetime, key: dict,
                                before: gate_queries.GateSnapshot):
    """After a lost race the day is held from the read on (PostgreSQL: FOR UPDATE; SQLite: inside
    the one gate writer already), so however many gates read the same card at once, each retry goes
    through."""
    if before.card is not None:
        gate_queries.locked_day(before.site_id, before.card.person_id, local_day(scan.scanned_at))
    return _read_for_kiosk(answer, scan, now, key)


def _decide_and_store(kiosk: AuthorizedKiosk, snapshot: gate_queries.GateSnapshot, answer, scan: ScanInput,
                      now: datetime) -> ScanResult:
    checked = card_checks.decide_card(answer, snapshot, now)
    previous = _repeat_read(kiosk.id, checked.card_number, scan.scanned_at, snapshot.recent)
    if previous is not None:
        if db.session.get(ScanEvent, scan.id) is not None:
            raise _IdAlreadyStored(scan.id)  # a resent id, answered (or refused) by its stored event
        if checked.card_write is not None:  # nothing new is registered, but the service's answer is kept
            gate_queries.write_card(checked.card_write)
        # The same passage read twice: answer as before, register nothing new.
        return result_from_event(db.session.get(ScanEvent, previous.id), scan.id)
    return _store(snapshot, kiosk, scan, checked, now, source="kiosk")


def _read(answer, window, scanned_at: datetime, now: datetime, on_record: bool = False,
          **key) -> gate_queries.GateSnapshot | None:
    card_number, number = card_checks.numbers_to_read(answer)
    return gate_queries.read_gate(local_date=local_day(scanned_at), today=local_day(now), window=window,
                                  number=number, card_number=card_number, on_record=on_record, **key)


def _authorized(snapshot: gate_queries.GateSnapshot, now: datetime) -> AuthorizedKiosk:
    """The kiosk as the API knows it, from the scan's read; last_seen_at refreshed every few seconds."""
    k = snapshot.kiosk
    rules_ = kiosks.SiteRules(snapshot.site_id, snapshot.outage_policy, snapshot.outage_grace_hours,
                              snapshot.only_registered_companies, snapshot.induction_mode, snapshot.hmsreg_enabled)
    kiosk = kiosks.AuthorizedKiosk(k.id, k.name, k.mode, k.site_id, k.last_seen_at, rules_)
    kiosks.touch(kiosk, now)
    return kiosk


def _scan_window(scanned_at: datetime) -> rules.ScanWindow:
    """The stored scans the repeat-read and the copied-card rules look at."""
    return rules.scan_window(scanned_at, timedelta(seconds=current_app.config["SCAN_DEBOUNCE_S"]))


def _repeat_read(kiosk_id: int | None, number: str | None, scanned_at: datetime,
                 recent) -> gate_queries.RecentScan | None:
    """This gate's latest read of the same card within the debounce window, if any."""
    if kiosk_id is None or number is None:
        return None
    debounce_s = current_app.config["SCAN_DEBOUNCE_S"]
    repeats = [r for r in recent if r.kiosk_id == kiosk_id and r.card_number == number
               and rules.is_repeat_read(r.scanned_at, scanned_at, debounce_s)]
    return max(repeats, key=lambda r: r.scanned_at, default=None)


def _accepted_scans_of_card(card, recent) -> list[rules.PastScan]:
    return [rules.PastScan(r.site_id, r.kiosk_id, r.direction, r.scanned_at) for r in recent
            if r.decision == "accepted" and r.card_id == card.card_id]


def _day_state(day: gate_queries.GateDay | None) -> rules.DayState | None:
    if day is None:
        return None
    return rules.DayState(first_in=day.first_in, last_out=day.last_out, last_scan_at=day.last_scan_at,
                          is_present=day.is_present, flags=day.flags)


def _store(snapshot: gate_queries.GateSnapshot, kiosk, scan: ScanInput, checked, now: datetime, source: str,
           note: str | None = None) -> ScanResult:
    """Decide the direction, then store the event and, for an accepted scan, the person's day."""
    decision, card, day = checked.decision, checked.card, snapshot.day
    # Accepted with nobody to list happens only when the lenient outage policy lets an unknown
    # card in: the event is kept for the supervisor's approval, the list waits for a person.
    accepted = decision.accepted and card is not None
    day_date = local_day(scan.scanned_at)
    present = day is not None and day.is_present and not day.removed
    kiosk_id = kiosk.id if kiosk else None
    direction = rules.choose_direction(scan.direction, kiosk.mode if kiosk else "auto", present)
    decision = for_direction(decision, direction)  # an exit says "Registrert ut", not "velkommen inn"
    copied = accepted and rules.looks_copied(snapshot.site_id, kiosk_id, direction, scan.scanned_at,
                                             _accepted_scans_of_card(card, snapshot.recent))
    warnings = _warnings(copied, scan.late, decision.needs_approval) + decision.warnings
    event = dict(
        id=scan.id, site_id=snapshot.site_id, kiosk_id=kiosk_id, card_id=card.card_id if card else None,
        card_number=checked.card_number, person_id=card.person_id if card else None, scanned_at=scan.scanned_at,
        received_at=now, local_date=day_date, decision="accepted" if decision.accepted else "rejected",
        reason=decision.reason, direction=direction, verified=decision.verified, late=scan.late,
        warnings=list(warnings), message=decision.message, source=source, note=note,
        needs_approval=decision.needs_approval,
    )
    day_write = _day_write(snapshot, card, day_date, direction, scan.scanned_at, copied, source) if accepted else None
    gate_queries.write_scan(event, day_write, hmsreg=accepted and snapshot.hmsreg_enabled,  # HMSREG: same transaction
                            card=checked.card_write)
    if checked.new_followup is not None:
        checked.new_followup.scan_event_id = scan.id  # the § 8 follow-up points at its scan
    if accepted and source == "manual":
        connectors.day_changed(snapshot.site_id, day_date, now)  # ELRAPP gets the change to a sent day
    return _result(event, card)


def _warnings(copied: bool, late: bool, needs_approval: bool) -> tuple[str, ...]:
    flagged = ((rules.POSSIBLE_COPIED_CARD, copied), (rules.LATE, late), (rules.NEEDS_APPROVAL, needs_approval))
    return tuple(name for name, on in flagged if on)


def _day_write(snapshot, card, day_date, direction, at, copied, source) -> gate_queries.DayWrite:
    """The scan's effect on the person's day: a new row for the day's first scan, else a change to
    the row read. A new row racing another scan of the same person fails on the unique key."""
    day = snapshot.day
    state = rules.apply_scan(_day_state(day), direction, at, copied)
    values = {**_state_columns(state), "card_id": card.card_id}
    if day is not None:
        # A row with any passage typed by hand is marked manual on the list (None keeps the row's).
        values["source"] = "manual" if source == "manual" else None
        return gate_queries.DayWrite(values, day.id, day.version)
    engagements = snapshot.engagements
    if engagements is None:  # not read with the scan (app/services/gate_queries.py)
        engagements = _engagements(snapshot.site_id, card.person_id)
    employer_id, hired_by_id = rules.employer_for_scan(engagements, card.employer_id, day_date)
    return gate_queries.DayWrite({**values, "site_id": snapshot.site_id, "person_id": card.person_id,
                                  "local_date": day_date, "employer_id": employer_id, "hired_by_id": hired_by_id,
                                  "source": "manual" if source == "manual" else "scan"})


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


def _engagements(site_id: int, person_id: int) -> list[rules.Engagement]:
    """The person's engagements at the site, oldest first: only a day's first scan asks."""
    return [rules.Engagement(*row) for row in db.session.execute(
        select(Engagement.employer_id, Engagement.hired_by_id, Engagement.active_from, Engagement.active_to)
        .where(Engagement.site_id == site_id, Engagement.person_id == person_id)
        .order_by(Engagement.id))]


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
    answer = card_checks.ask_card_service(scan.payload)
    for _ in range(MAX_ATTEMPTS):
        try:
            with unit_of_work():  # each attempt: committed, or rolled back before the next
                snapshot = card_checks.read_for_card(answer, site.id, None, scan.scanned_at, now,
                                                     _scan_window(scan.scanned_at))
                checked = card_checks.decide_card(answer, snapshot, now, manual_override=override_outage)
                result = _store(snapshot, None, scan, checked, now, source="manual", note=reason[:500])
                audit("attendance.manual_registration", user, site_id=site.id, target_type="scan_event",
                      target_id=scan.id, at=now, decision=result.decision, direction=result.direction)
            return result
        except (IntegrityError, gate_queries.DayChanged):  # a scan changed the day meanwhile: again
            pass
    raise ScanNotRecorded(scan.id)


@use_case
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
    return day


@use_case
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
    return event


def _rebuild_day(site_id: int, person_id: int, day_date, now: datetime) -> None:
    day = gate_queries.locked_day(site_id, person_id, day_date)
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
    return [{"name": person.name, "employer": person.employer, "since": person.since.isoformat() if person.since else None}
            for person in day_list.present_names(site.id, local_day(now))]


@use_case
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
            with unit_of_work():  # each attempt: committed, or rolled back before the next
                done = _register_card_ordered_once(site, order_id, reason, now, direction, moment)
                audit("card_order.manual_registration", user, site_id=site.id, target_type="scan_event",
                      target_id=done.scan_id, at=now, card_order_id=order_id, direction=done.direction)
            return done
        except (IntegrityError, gate_queries.DayChanged):  # another registration made the day row first
            pass
    raise ScanNotRecorded(f"card order {order_id}")


def _register_card_ordered_once(site: Site, order_id: int, reason: str, now: datetime, direction: str,
                                moment: datetime) -> CardOrderedRegistration:
    order = card_orders.find_order(site.id, order_id)
    if order is None:
        raise LookupError(order_id)
    day_date = local_day(moment)
    if not card_orders.usable_on(order, day_date):
        raise CardOrderNotUsable(order_id)
    day = gate_queries.locked_day(site.id, order.person_id, day_date)
    present = day is not None and day.is_present and not day.removed
    chosen = rules.choose_direction(direction, "auto", present)
    state = rules.apply_scan(_day_state(day), chosen, moment)
    state = _keep_card_ordered(state, [CARD_ORDERED_REASON])
    scan_id = str(uuid4())
    event = dict(
        id=scan_id, site_id=site.id, kiosk_id=None, card_id=None, card_number=None, person_id=order.person_id,
        scanned_at=moment, received_at=now, local_date=day_date, decision="accepted", reason=CARD_ORDERED_REASON,
        direction=chosen, verified=True, late=False, warnings=[], message=None, source="manual",
        note=reason[:500], needs_approval=False)
    if day is not None:
        write = gate_queries.DayWrite({**_state_columns(state), "card_id": None, "source": None}, day.id, day.version)
    else:
        write = gate_queries.DayWrite({
            **_state_columns(state), "site_id": site.id, "person_id": order.person_id, "local_date": day_date,
            "employer_id": order.employer_id, "hired_by_id": order.hired_by_id, "card_id": None, "source": "manual"})
    gate_queries.write_scan(event, write, hmsreg=False)
    return CardOrderedRegistration(scan_id, chosen, day_date)


def _keep_card_ordered(state: rules.DayState, reasons) -> rules.DayState:
    """A day with a card-ordered registration keeps its flag, also when the day is rebuilt."""
    if CARD_ORDERED_REASON not in set(reasons):
        return state
    return replace(state, flags=tuple(sorted(set(state.flags) | {CARD_ORDERED})))
