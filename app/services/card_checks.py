"""Checking an HMS card for a site: parse the payload, ask the card service, remember what it said,
decide at the gate, and open the § 8 follow-up the byggherre owes.

A scan (app/services/scans.py, kiosk or manual) asks the service (`ask_card_service`, or
`cached_answer` without a call), reads the card and the site's facts in the gate's one read
(`read_for_card`, app/services/gate_queries.py) and decides (`decide_card`); `check_card_for_site`
does all three without storing a scan. The timer in `make run` calls `reverify_unverified` through
`flask cards reverify`. Nothing here commits: the caller owns the transaction.
"""
from dataclasses import dataclass, replace
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select

from app.adapters.cardservice import get_card_service
from app.clock import local_day
from app.domain.attendance import ScanWindow, no_scans_window
from app.domain.cards import CardCheck, CardRef, CardStatus, LookupOutcome
from app.domain.contract_chain import names_stored_company
from app.domain.followups import opens_followup  # § 8: which statuses the byggherre must report
from app.domain.gate import GateDecision, GateFacts, card_refusal, decide_gate, payload_rejected
from app.domain.qr import QrRules, parse_payload
from app.domain.secrets import hash_token
from app.extensions import db
from app.models import AttendanceDay, Card, Company, FollowUp, Person, ScanEvent
from app.services import companies, use_case
from app.services.card_orders import link_scanned_card
from app.services.gate_queries import CARD_COLUMNS, CardWrite, GateCard, GateSnapshot, read_gate

INVALID_ON_REVERIFY = "invalid_on_reverify"


@dataclass
class CardScanCheck:
    ref: CardRef | None
    check: CardCheck | None  # None when the payload was rejected before any lookup
    decision: GateDecision
    card: GateCard | None  # None when we know no such card
    new_followup: FollowUp | None = None  # opened by this scan; the caller may link its ScanEvent
    card_write: CardWrite | None = None  # the service's new answer, for the scan's write to store

    @property
    def card_number(self) -> str | None:
        """The card number to record, when known (never the QR token)."""
        if self.card is not None:
            return self.card.number
        return _number_read(self.ref, self.check)


@dataclass(frozen=True)
class CardAnswer:
    """A payload parsed and, when it names a card, what the card service said: no database yet."""

    ref: CardRef | None
    check: CardCheck | None
    rejection: str | None = None  # foreign_qr|unreadable: refused before any lookup

    @property
    def fresh(self) -> bool:
        """A new answer from the service, to be recorded before the scan reads the card."""
        return self.check is not None and self.check.outcome is LookupOutcome.FOUND and not self.check.from_cache


def ask_card_service(payload: str | bytes) -> CardAnswer:
    """Parse the payload and look the card up (from the adapter's cache on a warm scan)."""
    parsed = parse_payload(payload, qr_rules())
    if not parsed.accepted:
        return CardAnswer(None, None, parsed.rejection)
    return CardAnswer(parsed.ref, get_card_service().lookup(parsed.ref))


def cached_answer(payload: str | bytes) -> CardAnswer | None:
    """The answer without asking the service, when the payload is refused or its card is cached;
    None when only the service can answer."""
    parsed = parse_payload(payload, qr_rules())
    if not parsed.accepted:
        return CardAnswer(None, None, parsed.rejection)
    check = get_card_service().cached(parsed.ref)
    return CardAnswer(parsed.ref, check) if check is not None else None


def numbers_to_read(answer: CardAnswer) -> tuple[str | None, str | None]:
    """(the number of our card record to read, the number read at the gate). A card the service
    does not know is not ours to show; during an outage our last record of it stands in."""
    if answer.check is None:
        return None, None
    read = _number_read(answer.ref, answer.check)
    if answer.check.outcome is LookupOutcome.FOUND:
        return answer.check.card_number, read
    if answer.check.outcome is LookupOutcome.UNAVAILABLE:
        known = find_known_card(answer.ref)
        return (known.number, known.number) if known is not None else (None, read)
    return None, read


def _number_read(ref: CardRef | None, check: CardCheck | None) -> str | None:
    if check is not None and check.card_number:
        return check.card_number
    return ref.value if ref is not None and ref.kind == "card_number" else None


def must_record_first(answer: CardAnswer, snapshot: GateSnapshot) -> bool:
    """Whether the service's answer must be recorded before the scan can decide (remember_answer,
    then read again): a card we do not have yet (or whose recording was rolled back), or a new
    answer that changes more than the card's own fields. Anything else is written with the scan."""
    if answer.check is None or answer.check.outcome is not LookupOutcome.FOUND:
        return False
    card = snapshot.card
    return card is None or (answer.fresh and (card.on_record is None or not fits_record(answer.check, card)))


def fits_record(check: CardCheck, card: GateCard) -> bool:
    """The answer names the holder and the employer exactly as recorded (name, date of birth; the
    same company by its org number, under the same name), and no worker with a card on order waits
    to be linked to this card: so only the card's own fields change, and one UPDATE records them."""
    on_record = card.on_record
    holder = (on_record.first_name, on_record.last_name, on_record.birth_date)
    return (holder == (check.first_name, check.last_name, check.birth_date) and not on_record.order_waiting
            and card.employer_name == check.employer_name
            and names_stored_company(check.employer_org_number, on_record.employer))


def remember_answer(answer: CardAnswer, site_id: int) -> None:
    """Record a new answer from the service (card, holder, employer) before the scan reads them."""
    card = record_check(answer.ref, answer.check)
    db.session.flush()
    # A worker recorded with the card on order becomes this card's holder (card_orders.py).
    link_scanned_card(site_id, card, answer.check.checked_at)


def decide_card(answer: CardAnswer, snapshot: GateSnapshot, now: datetime,
                manual_override: bool = False) -> CardScanCheck:
    """The gate's decision about the card at the snapshot's site; opens the § 8 follow-up a "not
    valid" answer calls for (flushed, not committed). `manual_override`: a builder_rep lets a known
    card in while the service is down."""
    if answer.rejection is not None:
        return CardScanCheck(None, None, payload_rejected(answer.rejection), None)
    check = answer.check
    card = snapshot.card if check.outcome is not LookupOutcome.UNKNOWN_CARD else None
    card_write = None
    if answer.fresh and card is not None and card.on_record is not None:  # read to be written with the scan
        fields = card_fields(answer.ref, check)
        card_write = CardWrite(card.card_id, fields)
        card = replace(card, valid_to=fields["valid_to"], last_status=fields["last_status"],
                       last_valid_at=fields["last_valid_at"] or card.last_valid_at)
    today = local_day(now)
    facts = replace(gate_facts(snapshot, card, today, manual_override), induction=_induction(snapshot, card, now))
    decision = decide_gate(check, facts, now)
    followup = None
    if check.outcome is LookupOutcome.FOUND and opens_followup(check.status):
        followup = open_followup(snapshot.site_id, check.status.value, now, card.number, card.card_id,
                                 card.person_id)
        db.session.flush()
    return CardScanCheck(answer.ref, check, decision, card, followup, card_write)


def check_card_for_site(payload: str | bytes, site, now: datetime, manual_override: bool = False) -> CardScanCheck:
    """Decide one scan (or typed card number) at `site` without storing a scan: the answer
    recorded, the site's rules read, the decision made. Flushes, never commits."""
    answer = ask_card_service(payload)
    return decide_card(answer, read_for_card(answer, site.id, None, now, now), now, manual_override)


def read_for_card(answer: CardAnswer, site_id: int, kiosk_id: int | None, scanned_at: datetime,
                  now: datetime, window: ScanWindow | None = None) -> GateSnapshot:
    """The gate read for this answer at a site (kiosk_id None) or a kiosk, the answer recorded
    first when it is new. Should the write that recorded a cached answer have been rolled back,
    the card is missing from the read and is recorded now."""
    if answer.fresh:
        remember_answer(answer, site_id)
    snapshot = _read(answer, site_id, kiosk_id, scanned_at, now, window)
    if snapshot.card is None and answer.check is not None and answer.check.outcome is LookupOutcome.FOUND \
            and not answer.fresh:
        remember_answer(answer, site_id)
        snapshot = _read(answer, site_id, kiosk_id, scanned_at, now, window)
    return snapshot


def _read(answer, site_id, kiosk_id, scanned_at, now, window) -> GateSnapshot:
    card_number, number = numbers_to_read(answer)
    window = window or no_scans_window(scanned_at)
    key = {"kiosk_id": kiosk_id} if kiosk_id is not None else {"site_id": site_id}
    return read_gate(local_date=local_day(scanned_at), today=local_day(now), window=window,
                     number=number, card_number=card_number, **key)


def _induction(snapshot: GateSnapshot, card: GateCard | None, now: datetime) -> str | None:
    """The site's induction rule for the card's holder (checked after the card): "refuse", "warn" or None."""
    if card is None or snapshot.induction_mode == "off":  # a site without one costs a scan no lookup
        return None
    from app.services import induction  # the induction service imports the models this module loads

    return induction.gate_outcome(snapshot.site_id, card.person_id, now)


def qr_rules() -> QrRules:
    """The configured payload formats, built once per app."""
    rules = current_app.extensions.get("qr_rules")
    if rules is None:
        config = current_app.config
        rules = QrRules(allowed_hosts=config["QR_ALLOWED_HOSTS"], url_patterns=config["QR_URL_PATTERNS"],
                        card_number_pattern=config["CARD_NUMBER_PATTERN"])
        current_app.extensions["qr_rules"] = rules
    return rules


# --- remembering what the service said ---------------------------------------------------------


def record_check(ref: CardRef, check: CardCheck) -> Card:
    """Create or update the card, its holder and employer from the service's answer (never the QR)."""
    with db.session.no_autoflush:
        employer = upsert_company(check.employer_name, check.employer_org_number)
        card = db.session.scalars(select(Card).filter_by(number=check.card_number)).first()
        person = card.person if card is not None else find_or_add_person(check)
        person.first_name, person.last_name, person.birth_date = check.first_name, check.last_name, check.birth_date
        if card is None:
            card = Card(number=check.card_number, person=person, employer=employer)
            db.session.add(card)
        card.employer = employer
        for column, value in card_fields(ref, check).items():
            if value is not None or column in CARD_COLUMNS:  # None in the others keeps what the card has
                setattr(card, column, value)
    return card


def card_fields(ref: CardRef, check: CardCheck) -> dict:
    """What an answer writes on the card row itself, recorded first or with the scan: the service's
    dates, type and status; the time of this answer as the last "valid" when it is one; the QR
    token's hash (never the token) when the card was scanned by QR. None: keep what the row has."""
    return dict(card_type=check.card_type.value, issued_on=check.issued_on, valid_to=check.valid_to,
                last_status=check.status.value, last_status_reason=check.status_reason[:200],
                last_checked_at=check.checked_at,
                last_valid_at=check.checked_at if check.status is CardStatus.VALID else None,
                qr_token_hash=hash_token(ref.value) if ref.kind == "qr_token" else None)


def upsert_company(name: str, identifier: str) -> Company:
    """The employer the service names; which Company that is, is decided in one place for every path
    (app/services/companies.py). The service's name wins."""
    company = companies.company_named_by_card_service(identifier, name)
    company.name = name
    db.session.add(company)
    return company


def find_or_add_person(check: CardCheck) -> Person:
    """A new card for someone we know (a replacement card) keeps them one person on the list.

    Name and birth date are all the service tells us; two different people sharing all three
    is rare enough that one list row per person matters more.
    """
    person = db.session.scalars(select(Person).filter_by(
        first_name=check.first_name, last_name=check.last_name, birth_date=check.birth_date)).first()
    if person is None:
        person = Person(first_name=check.first_name, last_name=check.last_name, birth_date=check.birth_date)
        db.session.add(person)
    return person


def find_known_card(ref: CardRef) -> Card | None:
    """The card as we last saw it, for the outage policy (a QR token is matched by its hash)."""
    if ref.kind == "card_number":
        return db.session.scalars(select(Card).filter_by(number=ref.value)).first()
    return db.session.scalars(select(Card).filter_by(qr_token_hash=hash_token(ref.value))).first()


# --- the site's rules --------------------------------------------------------------------------


def gate_facts(site: GateSnapshot, card: GateCard | None, today: date, manual_override: bool = False) -> GateFacts:
    """What the gate decision needs from our own records."""
    base = dict(today=today, outage_policy=site.outage_policy, outage_grace_hours=site.outage_grace_hours,
                only_registered_companies=site.only_registered_companies, manual_override=manual_override)
    if card is None:
        return GateFacts(**base)
    return GateFacts(
        **base,
        employer_registered=card.employer_registered,
        person_barred=card.person_barred,
        confirmed_valid_at=card.last_valid_at if card.last_status == CardStatus.VALID.value else None,
        valid_to=card.valid_to,
        on_record=True,
        last_status=card.last_status,
    )


# --- § 8 follow-ups ----------------------------------------------------------------------------


def open_followup(site_id: int, kind: str, now: datetime, card_number: str | None, card_id: int | None = None,
                  person_id: int | None = None, scan_event_id: str | None = None) -> FollowUp | None:
    """Open a follow-up unless one is already open for this card, site and kind; None if it was."""
    existing = db.session.scalars(select(FollowUp.id).filter_by(
        site_id=site_id, card_number=card_number, kind=kind, done_at=None)).first()
    if existing is not None:
        return None
    item = FollowUp(site_id=site_id, card_id=card_id, card_number=card_number, person_id=person_id, kind=kind,
                    created_at=now, scan_event_id=scan_event_id)
    db.session.add(item)
    return item


# --- re-verification ---------------------------------------------------------------------------


@use_case
def reverify_unverified(now: datetime) -> dict:
    """Re-check every accepted scan the outage policy let through, once the service answers again.

    Returns counts: checked, still_valid, invalid, unavailable (try again later) and unverifiable
    (a QR scan of a card we had never seen: there is no number to ask about). One unit of work.
    """
    counts = dict(checked=0, still_valid=0, invalid=0, unavailable=0, unverifiable=0)
    service = get_card_service()
    for event in _unverified_events():
        ref = _ref_for_event(event)
        if ref is None:
            counts["unverifiable"] += 1
            continue
        check = service.lookup(ref)
        if check.outcome is LookupOutcome.UNAVAILABLE:
            counts["unavailable"] += 1
            continue
        counts["checked"] += 1
        event.reverified_at = now
        card = record_check(ref, check) if check.outcome is LookupOutcome.FOUND else event.card
        db.session.flush()  # a card new to us gets its id, for the follow-up
        if _valid_on(check, event.local_date):
            counts["still_valid"] += 1
        else:
            counts["invalid"] += 1
            _flag_invalid(event, card, check, now)
    db.session.flush()
    return counts


def _unverified_events() -> list[ScanEvent]:
    return list(db.session.scalars(
        select(ScanEvent)
        .where(ScanEvent.verified.is_(False), ScanEvent.reverified_at.is_(None),
               ScanEvent.voided_at.is_(None), ScanEvent.decision == "accepted")
        .order_by(ScanEvent.scanned_at)))


def _ref_for_event(event: ScanEvent) -> CardRef | None:
    number = event.card.number if event.card is not None else event.card_number
    return CardRef("card_number", number) if number else None


def _valid_on(check: CardCheck, day: date) -> bool:
    return check.outcome is LookupOutcome.FOUND and card_refusal(check, day) is None


def _flag_invalid(event: ScanEvent, card: Card | None, check: CardCheck, now: datetime) -> None:
    """Warn on the event and the person's day, and open a follow-up for the byggherre."""
    # JSON columns: assign a new list so SQLAlchemy sees the change.
    event.warnings = [*(event.warnings or []), INVALID_ON_REVERIFY]
    if event.person_id is not None:
        day = db.session.scalars(select(AttendanceDay).filter_by(
            site_id=event.site_id, person_id=event.person_id, local_date=event.local_date)).first()
        if day is not None and INVALID_ON_REVERIFY not in (day.flags or []):
            day.flags = [*(day.flags or []), INVALID_ON_REVERIFY]
    if not opens_followup(check.status):
        return  # the warning says it; a § 8 notice is for unmet register duties only
    open_followup(event.site_id, check.status.value, now, _ref_for_event(event).value,
                  card_id=card.id if card else None, person_id=card.person_id if card else event.person_id,
                  scan_event_id=event.id)
