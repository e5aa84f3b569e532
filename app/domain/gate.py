"""The gate decision: a card check plus the site's rules give yes or no, a reason and what to do.

Pure rules, no Flask and no database: the service layer gathers the facts (`GateFacts`) and the
time, this module decides. The messages are what the kiosk shows, bokmål first, then English.
"""
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from app.domain.cards import SITE_CARD_TYPES, CardCheck, CardStatus, LookupOutcome, last_valid_day
from app.domain.enums import OutagePolicy

STRICT, LENIENT = OutagePolicy.STRICT.value, OutagePolicy.LENIENT.value
CLOCK_SLACK_BACKWARDS = timedelta(minutes=-5)

MESSAGES = {
    "ok": ("Godkjent – velkommen inn", "Accepted – welcome"),
    "ok_out": ("Registrert ut – ha en fin dag", "Checked out – have a nice day"),
    "ok_manual_override": (
        "Sluppet inn manuelt uten kortkontroll – kortregisteret svarer ikke, kortet kontrolleres når det svarer",
        "Let in by hand without a card check – the card service is not answering; the card is checked when it answers"),
    "ok_unverified": (
        "Godkjent uten kontroll mot kortregisteret (kortet var gyldig ved siste kontroll)",
        "Accepted without a live card check (the card was valid when last checked)"),
    "ok_needs_approval": (
        "Midlertidig godkjent – kortregisteret svarer ikke, en leder må godkjenne registreringen",
        "Provisionally accepted – the card service is not answering, a supervisor must approve"),
    "card_not_valid": (
        "Kortet er ikke gyldig – arbeidsgiver oppfyller ikke registerpliktene. Kontakt arbeidsgiver",
        "Card not valid – the employer's register duties are not met. Contact your employer"),
    "card_expired": ("Kortet er utløpt – be arbeidsgiver bestille nytt kort",
                     "Card expired – ask your employer to order a new card"),
    # Lost, stolen, blocked: the holder may not be who the card names; the office checks their ID.
    "card_blocked": ("Kortet er sperret – gå til byggeplasskontoret for ID-kontroll",
                     "Card blocked – go to the site office for an ID check"),
    "card_lost": ("Kortet er meldt tapt – gå til byggeplasskontoret for ID-kontroll",
                  "Card reported lost – go to the site office for an ID check"),
    "card_stolen": ("Kortet er meldt stjålet – gå til byggeplasskontoret for ID-kontroll",
                    "Card reported stolen – go to the site office for an ID check"),
    "card_type_not_accepted": (
        "Dette HMS-kortet gjelder ikke på byggeplassen – bruk HMS-kort for bygg og anlegg eller renhold",
        "This HMS card is not for building sites – use a construction or cleaning HMS card"),
    "card_confiscated": ("Kortet er inndratt – kontakt arbeidsgiver", "Card confiscated – contact your employer"),
    "card_destroyed": ("Kortet er makulert – bruk det nye kortet ditt eller kontakt arbeidsgiver",
                       "Card destroyed – use your new card or contact your employer"),
    "unknown_card": ("Kortet finnes ikke i kortregisteret – gå til byggeplasskontoret",
                     "Card not found in the card register – go to the site office"),
    "foreign_qr": ("Dette er ikke et HMS-kort – skann QR-koden på HMS-kortet ditt",
                   "This is not an HMS card – scan the QR code on your HMS card"),
    "unreadable": ("Koden kunne ikke leses – prøv igjen eller gå til byggeplasskontoret",
                   "The code could not be read – try again or go to the site office"),
    "card_service_unavailable": (
        "Kortet kan ikke kontrolleres nå – gå til byggeplasskontoret",
        "The card cannot be checked right now – go to the site office"),
    "company_not_registered": (
        "Arbeidsgiveren din er ikke registrert på denne byggeplassen – gå til byggeplasskontoret",
        "Your employer is not registered on this site – go to the site office"),
    "person_barred": ("Du har ikke adgang til denne byggeplassen – gå til byggeplasskontoret",
                      "You do not have access to this site – go to the site office"),
    "induction_missing": ("Mangler HMS-introduksjon – skann QR-koden med telefonen og ta introduksjonen",
                          "Site induction missing – scan the QR code with your phone and take the induction"),
}

STATUS_REASONS = {
    CardStatus.NOT_VALID: "card_not_valid",
    CardStatus.EXPIRED: "card_expired",
    CardStatus.BLOCKED: "card_blocked",
    CardStatus.LOST: "card_lost",
    CardStatus.STOLEN: "card_stolen",
    CardStatus.CONFISCATED: "card_confiscated",
    CardStatus.DESTROYED: "card_destroyed",
}


@dataclass(frozen=True)
class GateDecision:
    accepted: bool
    reason: str  # one of ACCEPT_REASONS / REJECT_REASONS in app/domain/cards.py
    message: dict  # {"nb": "...", "en": "..."}: what happened and, on rejection, what to do
    verified: bool  # False when decided by the outage policy
    needs_approval: bool = False  # lenient policy: a supervisor must approve
    warnings: tuple[str, ...] = ()  # e.g. "induction_missing" on a site whose induction only warns


@dataclass(frozen=True)
class GateFacts:
    """What the site knows besides the card service's answer, gathered by the service layer."""

    today: date  # the site's local date
    outage_policy: str = STRICT
    outage_grace_hours: int = 12
    only_registered_companies: bool = False
    # None when the employer is not known (an unknown card during an outage).
    employer_registered: bool | None = None
    person_barred: bool = False
    # When the service last said "valid", if that is still the card's last known status.
    confirmed_valid_at: datetime | None = None
    valid_to: date | None = None  # from our records, used when the service cannot be asked
    # A builder_rep's manual registration during an outage that lets a known card in unverified.
    manual_override: bool = False
    on_record: bool = False  # we know the card (a name for the list)
    last_status: str | None = None  # the card service's last answer about it, if any
    # The site's safety induction for this person: None (done, or not required), "refuse" or "warn".
    induction: str | None = None


def message(key: str) -> dict:
    """The kiosk text for a reason, bokmål and English."""
    nb, en = MESSAGES[key]
    return {"nb": nb, "en": en}


def reject(reason: str, verified: bool = True) -> GateDecision:
    """A rejection with its message, which says what to do."""
    return GateDecision(False, reason, message(reason), verified)


def payload_rejected(reason: str) -> GateDecision:
    """A payload that never reached the card service (`foreign_qr` or `unreadable`)."""
    return reject(reason)


def decide_gate(check: CardCheck, facts: GateFacts, now: datetime) -> GateDecision:
    """Accept or reject a scan from the card service's answer and the site's rules."""
    if check.outcome is LookupOutcome.UNKNOWN_CARD:
        return reject("unknown_card")
    if check.outcome is LookupOutcome.UNAVAILABLE:
        return decide_during_outage(facts, now)
    refusal = card_refusal(check, facts.today)
    if refusal is not None:
        return reject(refusal)
    return _site_rules(facts, verified=True) or _accept(GateDecision(True, "ok", message("ok"), verified=True), facts)


def card_refusal(check: CardCheck, day: date) -> str | None:
    """Why the service's answer about a card it knows keeps the card out on `day` (a reason), or
    None when the card is valid for a building site that day. The gate and re-verification share it."""
    if check.card_type not in SITE_CARD_TYPES:
        return "card_type_not_accepted"
    if check.status is not CardStatus.VALID:
        return STATUS_REASONS.get(check.status, "card_not_valid")
    last_day = last_valid_day(check.issued_on, check.valid_to)
    if last_day is not None and last_day < day:
        return "card_expired"
    return None


def decide_during_outage(facts: GateFacts, now: datetime) -> GateDecision:
    """The site's outage policy: strict trusts a recent "valid", lenient lets everyone in for approval.

    On a strict site a builder_rep may let a card we know in by hand (`manual_override`), unless
    what we last heard about it, its expiry or the site's rules say no.
    """
    if facts.outage_policy == LENIENT:
        return _site_rules(facts, verified=False) or _accept(GateDecision(
            True, "ok_unverified", message("ok_needs_approval"), verified=False, needs_approval=True), facts)
    confirmed = _recently_confirmed(facts, now)
    if not confirmed and not (facts.manual_override and facts.on_record):
        return reject("card_service_unavailable", verified=False)
    if not confirmed and facts.last_status not in (None, CardStatus.VALID.value):
        return reject(STATUS_REASONS.get(_status(facts.last_status), "card_not_valid"), verified=False)
    if facts.valid_to is not None and facts.valid_to < facts.today:
        return reject("card_expired", verified=False)
    words = message("ok_unverified" if confirmed else "ok_manual_override")
    return _site_rules(facts, verified=False) or _accept(GateDecision(True, "ok_unverified", words, verified=False),
                                                         facts)


def _status(value: str) -> CardStatus | None:
    try:
        return CardStatus(value)
    except ValueError:
        return None


def for_direction(decision: GateDecision, direction: str) -> GateDecision:
    """An accepted exit says so ("Registrert ut"), whatever let the person in; the rest is unchanged."""
    if decision.accepted and direction == "out":
        return replace(decision, message=message("ok_out"))
    return decision


def _recently_confirmed(facts: GateFacts, now: datetime) -> bool:
    confirmed = facts.confirmed_valid_at
    if confirmed is None:
        return False
    age = now - confirmed
    # A few minutes' slack for clocks; a confirmation far in the future is not trusted.
    return CLOCK_SLACK_BACKWARDS <= age <= timedelta(hours=facts.outage_grace_hours)


def _site_rules(facts: GateFacts, verified: bool) -> GateDecision | None:
    """The site's own rules; None when they let the person in."""
    if facts.person_barred:
        return reject("person_barred", verified)
    if facts.only_registered_companies and facts.employer_registered is False:
        return reject("company_not_registered", verified)
    if facts.induction == "refuse":
        return reject("induction_missing", verified)
    return None


def _accept(decision: GateDecision, facts: GateFacts) -> GateDecision:
    """An acceptance, flagged when the site's induction is missing and the site only warns."""
    if facts.induction == "warn":
        return replace(decision, warnings=(*decision.warnings, "induction_missing"))
    return decision
