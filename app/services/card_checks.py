"""Checking an HMS card for a site: parse the payload, ask the card service, remember what it said,
decide at the gate, and open the § 8 follow-up the byggherre owes.

The kiosk API and the guards' manual registration both call `check_card_for_site`; the timer in
`make run` calls `reverify_unverified` through `flask cards reverify`. Nothing here commits: the
caller owns the transaction.
"""
from dataclasses import dataclass, replace
from datetime import date, datetime

from flask import current_app
from sqlalchemy import Date, bindparam, or_, select

from app.adapters.cardservice import get_card_service
from app.clock import local_day
from app.domain.cards import SITE_CARD_TYPES, CardCheck, CardRef, CardStatus, LookupOutcome, last_valid_day
from app.domain.gate import GateDecision, GateFacts, decide_gate, payload_rejected
from app.domain.qr import QrRules, parse_payload
from app.domain.secrets import hash_token
from app.extensions import db
from app.models import AttendanceDay, Card, Company, Engagement, FollowUp, Person, ScanEvent, SiteCompany
from app.services.card_orders import link_scanned_card
from app.services import companies

# § 8: the byggherre must tell Arbeidstilsynet and the employer when a register look-up shows unmet
# register duties ("not valid"). Lost, stolen and blocked cards are an ID check at the site office instead.
FOLLOW_UP_STATUSES = {CardStatus.NOT_VALID}
INVALID_ON_REVERIFY = "invalid_on_reverify"
UNKNOWN_COUNTRY = "XX"  # the service gives a foreign employer's id but not its country


@dataclass(frozen=True)
class KnownCard:
    """A card as our records have it after the check: the ids a scan stores and the names it shows.

    Plain values, not ORM rows: building three mapped objects per scan was most of a warm scan's
    cost (bench/README.md).
    """

    card_id: int
    number: str
    valid_to: date | None
    person_id: int
    person_name: str
    employer_id: int  # the employer on the card (the § 15 employer may differ: see scans._employment)
    employer_name: str


@dataclass
class CardScanCheck:
    ref: CardRef | None
    check: CardCheck | None  # None when the payload was rejected before any lookup
    decision: GateDecision
    card: KnownCard | None  # None when we know no such card
    new_followup: FollowUp | None = None  # opened by this scan; the caller may link its ScanEvent

    @property
    def card_number(self) -> str | None:
        """The card number to record, when known (never the QR token)."""
        if self.card is not None:
            return self.card.number
        if self.check is not None and self.check.card_number:
            return self.check.card_number
        return self.ref.value if self.ref is not None and self.ref.kind == "card_number" else None


def check_card_for_site(payload: str | bytes, site, now: datetime, manual_override: bool = False) -> CardScanCheck:
    """Decide one scan (or typed card number) at `site` (a Site, or a kiosk's SiteRules). Flushes,
    never commits. `manual_override`: a builder_rep lets a known card in while the service is down."""
    parsed = parse_payload(payload, qr_rules())
    if not parsed.accepted:
        return CardScanCheck(None, None, payload_rejected(parsed.rejection), None)
    check = get_card_service().lookup(parsed.ref)
    today = local_day(now)
    facts = _facts_on_record(site, parsed.ref, check, today)
    decision = decide_gate(check, replace(gate_facts(site, facts, today, manual_override),
                                          induction=_induction(site, facts, now)), now)
    card = facts.card if facts is not None else None
    followup = None
    if check.outcome is LookupOutcome.FOUND and check.status in FOLLOW_UP_STATUSES:
        followup = open_followup(site.id, check.status.value, now, card.number, card.card_id, card.person_id)
        db.session.flush()
    return CardScanCheck(parsed.ref, check, decision, card, followup)


def _induction(site, facts: "CardFacts | None", now: datetime) -> str | None:
    """The site's induction rule for the card's holder (checked after the card): "refuse", "warn" or None."""
    # A kiosk's SiteRules carry the mode from its one query: a site without an induction costs a scan
    # no lookup (a Site, from a manual registration, has no such attribute and asks).
    if facts is None or getattr(site, "induction_mode", None) == "off":
        return None
    from app.services import induction  # the induction service imports the models this module loads

    return induction.gate_outcome(site.id, facts.card.person_id, now)


def _facts_on_record(site, ref: CardRef, check: CardCheck, today: date) -> "CardFacts | None":
    """Our records of the card this answer is about, after recording the answer if it is new.

    An answer from the cache was recorded when it was fetched, so a warm scan only reads (one
    query). Should that first write have been rolled back, the card is missing and is recorded now.
    """
    if check.outcome is LookupOutcome.FOUND:
        facts = card_facts(site, check.card_number, today) if check.from_cache else None
        if facts is None:
            card = record_check(ref, check)
            db.session.flush()
            # A worker recorded with the card on order becomes this card's holder (card_orders.py).
            link_scanned_card(site.id, card, check.checked_at)
            facts = card_facts(site, check.card_number, today)
        return facts
    if check.outcome is LookupOutcome.UNAVAILABLE:
        known = find_known_card(ref)
        return card_facts(site, known.number, today) if known is not None else None
    return None


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
        card = db.session.query(Card).filter_by(number=check.card_number).first()
        person = card.person if card is not None else find_or_add_person(check)
        person.first_name, person.last_name, person.birth_date = check.first_name, check.last_name, check.birth_date
        if card is None:
            card = Card(number=check.card_number, person=person, employer=employer)
            db.session.add(card)
        card.employer = employer
        card.card_type = check.card_type.value
        card.issued_on, card.valid_to = check.issued_on, check.valid_to
        card.last_status, card.last_status_reason = check.status.value, check.status_reason[:200]
        card.last_checked_at = check.checked_at
        if check.status is CardStatus.VALID:
            card.last_valid_at = check.checked_at
        if ref.kind == "qr_token":
            card.qr_token_hash = hash_token(ref.value)
    return card


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
    person = db.session.query(Person).filter_by(
        first_name=check.first_name, last_name=check.last_name, birth_date=check.birth_date).first()
    if person is None:
        person = Person(first_name=check.first_name, last_name=check.last_name, birth_date=check.birth_date)
        db.session.add(person)
    return person


def find_known_card(ref: CardRef) -> Card | None:
    """The card as we last saw it, for the outage policy (a QR token is matched by its hash)."""
    if ref.kind == "card_number":
        return db.session.query(Card).filter_by(number=ref.value).first()
    return db.session.query(Card).filter_by(qr_token_hash=hash_token(ref.value)).first()


# --- the site's rules --------------------------------------------------------------------------


@dataclass(frozen=True)
class CardFacts:
    """The card and what this site's rules say about its holder, read in one query."""

    card: KnownCard
    last_status: str | None
    last_valid_at: datetime | None
    person_barred: bool
    employer_registered: bool  # on this site's contract chain today


def _card_facts_statement():
    card, person, company = Card.__table__.c, Person.__table__.c, Company.__table__.c
    engagement, link = Engagement.__table__.c, SiteCompany.__table__.c
    today = bindparam("today", type_=Date)
    barred = (select(engagement.id)
              .where(engagement.site_id == bindparam("site_id"), engagement.person_id == card.person_id,
                     engagement.barred.is_(True))
              .exists())
    registered = (select(link.id)
                  .where(link.site_id == bindparam("site_id"), link.company_id == card.employer_id,
                         or_(link.active_from.is_(None), link.active_from <= today),
                         or_(link.active_to.is_(None), link.active_to >= today))
                  .exists())
    return (select(card.id, card.valid_to, card.person_id, person.first_name, person.last_name, card.employer_id,
                   company.name, card.last_status, card.last_valid_at, barred, registered)
            .join_from(Card.__table__, Person.__table__, person.id == card.person_id)
            .join(Company.__table__, company.id == card.employer_id)
            .where(card.number == bindparam("number")))


# Built once: on a warm scan, building a statement cost more than sending it (bench/roundtrips.py).
CARD_FACTS = _card_facts_statement()


def card_facts(site, number: str, today: date) -> CardFacts | None:
    """The card by number with its holder, employer and the site's barring and contract-chain
    facts: one round trip on every scan, the site's rules being EXISTS columns of the same row."""
    row = db.session.execute(CARD_FACTS, {"number": number, "site_id": site.id, "today": today}).one_or_none()
    if row is None:
        return None
    card_id, valid_to, person_id, first, last, employer_id, employer, status, valid_at, barred, registered = row
    card = KnownCard(card_id, number, valid_to, person_id, f"{first} {last}", employer_id, employer)
    return CardFacts(card, status, valid_at, bool(barred), bool(registered))


def gate_facts(site, facts: CardFacts | None, today: date, manual_override: bool = False) -> GateFacts:
    """What the gate decision needs from our own records."""
    base = dict(today=today, outage_policy=site.outage_policy, outage_grace_hours=site.outage_grace_hours,
                only_registered_companies=site.only_registered_companies, manual_override=manual_override)
    if facts is None:
        return GateFacts(**base)
    return GateFacts(
        **base,
        employer_registered=facts.employer_registered,
        person_barred=facts.person_barred,
        confirmed_valid_at=facts.last_valid_at if facts.last_status == CardStatus.VALID.value else None,
        valid_to=facts.card.valid_to,
        on_record=True,
        last_status=facts.last_status,
    )


# --- § 8 follow-ups ----------------------------------------------------------------------------


def open_followup(site_id: int, kind: str, now: datetime, card_number: str | None, card_id: int | None = None,
                  person_id: int | None = None, scan_event_id: str | None = None) -> FollowUp | None:
    """Open a follow-up unless one is already open for this card, site and kind; None if it was."""
    existing = db.session.query(FollowUp.id).filter_by(
        site_id=site_id, card_number=card_number, kind=kind, done_at=None).first()
    if existing is not None:
        return None
    item = FollowUp(site_id=site_id, card_id=card_id, card_number=card_number, person_id=person_id, kind=kind,
                    created_at=now, scan_event_id=scan_event_id)
    db.session.add(item)
    return item


# --- re-verification ---------------------------------------------------------------------------


def reverify_unverified(now: datetime) -> dict:
    """Re-check every accepted scan the outage policy let through, once the service answers again.

    Returns counts: checked, still_valid, invalid, unavailable (try again later) and unverifiable
    (a QR scan of a card we had never seen: there is no number to ask about). Flushes, never commits.
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
    return (db.session.query(ScanEvent)
            .filter(ScanEvent.verified.is_(False), ScanEvent.reverified_at.is_(None),
                    ScanEvent.voided_at.is_(None), ScanEvent.decision == "accepted")
            .order_by(ScanEvent.scanned_at).all())


def _ref_for_event(event: ScanEvent) -> CardRef | None:
    number = event.card.number if event.card is not None else event.card_number
    return CardRef("card_number", number) if number else None


def _valid_on(check: CardCheck, day: date) -> bool:
    if check.outcome is not LookupOutcome.FOUND or check.status is not CardStatus.VALID:
        return False
    if check.card_type not in SITE_CARD_TYPES:
        return False
    last_day = last_valid_day(check.issued_on, check.valid_to)
    return last_day is None or last_day >= day


def _flag_invalid(event: ScanEvent, card: Card | None, check: CardCheck, now: datetime) -> None:
    """Warn on the event and the person's day, and open a follow-up for the byggherre."""
    # JSON columns: assign a new list so SQLAlchemy sees the change.
    event.warnings = [*(event.warnings or []), INVALID_ON_REVERIFY]
    if event.person_id is not None:
        day = db.session.query(AttendanceDay).filter_by(
            site_id=event.site_id, person_id=event.person_id, local_date=event.local_date).first()
        if day is not None and INVALID_ON_REVERIFY not in (day.flags or []):
            day.flags = [*(day.flags or []), INVALID_ON_REVERIFY]
    if check.status not in FOLLOW_UP_STATUSES:
        return  # the warning says it; a § 8 notice is for unmet register duties only
    open_followup(event.site_id, check.status.value, now, _ref_for_event(event).value,
                  card_id=card.id if card else None, person_id=card.person_id if card else event.person_id,
                  scan_event_id=event.id)
