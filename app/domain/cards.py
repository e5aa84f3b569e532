"""What the gate knows about a card: the reference read from it and the card service's answer.

These are the shared vocabulary of the card-service adapter, the gate decision and the kiosk API.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum


class CardStatus(str, Enum):
    VALID = "valid"
    NOT_VALID = "not_valid"  # the employer's register duties are not met; may become valid again
    EXPIRED = "expired"
    BLOCKED = "blocked"  # employment ended
    LOST = "lost"
    STOLEN = "stolen"
    CONFISCATED = "confiscated"
    DESTROYED = "destroyed"
    UNKNOWN = "unknown"  # a status word we do not know: not valid (never "the service is down")

    @classmethod
    def from_service(cls, text) -> "CardStatus":
        """The service's status word; one we do not know is UNKNOWN. Raises ValueError when not a word."""
        return _member(cls, text, cls.UNKNOWN)


class CardType(str, Enum):
    CONSTRUCTION = "construction"
    CLEANING = "cleaning"  # valid on building sites too
    OTHER = "other"  # another HMS card scheme (goods transport, car care …): not for a building site

    @classmethod
    def from_service(cls, text) -> "CardType":
        """The service's card type; any other scheme is OTHER. Raises ValueError when not a word."""
        return _member(cls, text, cls.OTHER)


# HMS-kort forskriften covers construction cards; cleaning cards are used on building sites too (hmskort.no).
SITE_CARD_TYPES = frozenset({CardType.CONSTRUCTION, CardType.CLEANING})
VALIDITY_YEARS = 2  # HMS-kort forskriften § 8: "utstedes for en periode på to år"


def _member(enum, text, other):
    if not isinstance(text, str) or not text.strip() or len(text) > 64:
        raise ValueError("not a word")
    try:
        return enum(text.strip())
    except ValueError:
        return other


def last_valid_day(issued_on: date | None, valid_to: date | None) -> date | None:
    """The card's last valid day: the service's expiry date, else two years from the issue date
    (the day before the second anniversary; a 29 February issue ends on 28 February)."""
    if valid_to is not None or issued_on is None:
        return valid_to
    if issued_on.month == 2 and issued_on.day == 29:
        return date(issued_on.year + VALIDITY_YEARS, 2, 28)
    return issued_on.replace(year=issued_on.year + VALIDITY_YEARS) - timedelta(days=1)


@dataclass(frozen=True)
class CardRef:
    """What a QR code or a typed number points at: a card number or the service's QR token."""

    kind: str  # "card_number" | "qr_token"
    value: str


class LookupOutcome(str, Enum):
    FOUND = "found"
    UNKNOWN_CARD = "unknown_card"
    UNAVAILABLE = "unavailable"  # down, too slow, breaker open, or an answer we could not trust


@dataclass(frozen=True)
class CardCheck:
    """The card service's answer at checked_at. Holder and employer come from the service, not the QR."""

    outcome: LookupOutcome
    checked_at: datetime
    card_number: str | None = None
    card_type: CardType | None = None
    status: CardStatus | None = None
    status_reason: str = ""
    issued_on: date | None = None
    valid_to: date | None = None
    first_name: str = ""
    last_name: str = ""
    birth_date: date | None = None
    employer_name: str = ""
    employer_org_number: str = ""
    latency_ms: float = 0.0
    from_cache: bool = False


# Reason codes the gate and the kiosk API use; the kiosk translates them into its languages.
ACCEPT_REASONS = ("ok", "ok_unverified")
REJECT_REASONS = (
    "card_not_valid", "card_expired", "card_blocked", "card_lost", "card_stolen",
    "card_confiscated", "card_destroyed", "unknown_card", "foreign_qr", "unreadable",
    "card_service_unavailable", "company_not_registered", "person_barred", "card_type_not_accepted",
    "induction_missing",
)
WARNINGS = ("possible_copied_card", "late", "needs_approval", "no_exit_recorded", "invalid_on_reverify",
            "induction_missing")
