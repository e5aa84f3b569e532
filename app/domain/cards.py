"""What the gate knows about a card: the reference read from it and the card service's answer.

These are the shared vocabulary of the card-service adapter, the gate decision and the kiosk API.
"""
from dataclasses import dataclass
from datetime import date, datetime
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


class CardType(str, Enum):
    CONSTRUCTION = "construction"
    CLEANING = "cleaning"  # valid on building sites too


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
    "card_service_unavailable", "company_not_registered", "person_barred",
)
WARNINGS = ("possible_copied_card", "late", "needs_approval", "no_exit_recorded", "invalid_on_reverify")
