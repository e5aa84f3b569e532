"""§ 8 follow-ups' rules: which card status opens one, how the notice words it, who receives it, and
the order the byggherre reads them in."""
from datetime import datetime
from typing import Iterable, Protocol, TypeVar

NOT_VALID = "not_valid"
# § 8 names Arbeidstilsynet for unmet register duties ("not valid") only. Lost, stolen and blocked cards
# send the worker to the site office for an ID check instead: no follow-up.
OPENS_FOLLOWUP = frozenset({NOT_VALID})
ARBEIDSTILSYNET = "Arbeidstilsynet"

# What the card service said, as the notice puts it.
STATUS_TEXT = {
    NOT_VALID: "ikke gyldig",
    "blocked": "sperret",
    "lost": "meldt tapt",
    "stolen": "meldt stjålet",
    # Re-verification after an outage can also find these (app/services/card_checks.py).
    "expired": "utløpt",
    "confiscated": "inndratt",
    "destroyed": "makulert",
    "unknown_card": "ukjent i kortregisteret",
}


def opens_followup(status: str | None) -> bool:
    """Whether a card status seen at the gate (or on re-verification) opens a § 8 follow-up; None (no
    answer about the card) does not."""
    return status in OPENS_FOLLOWUP


def status_text(kind: str) -> str:
    """The status in bokmål as the notice says it; an unknown kind as it is."""
    return STATUS_TEXT.get(kind, kind)


def status_clause(kind: str) -> str:
    """The status in a Norwegian relative clause: "som ikke er gyldig" (the negation before the verb),
    "som er meldt tapt"."""
    status = status_text(kind)
    if status.startswith("ikke "):
        return f"ikke er {status.removeprefix('ikke ')}"
    return f"er {status}"


def recipients(kind: str, employer_name: str | None) -> tuple[str, ...]:
    """Who the notice goes to: Arbeidstilsynet for unmet register duties, and the employer when known.
    An older row of another kind goes to the employer only."""
    authority = (ARBEIDSTILSYNET,) if kind == NOT_VALID else ()
    return authority + ((employer_name,) if employer_name is not None else ())


class _Item(Protocol):
    id: int
    created_at: datetime
    done_at: datetime | None


Item = TypeVar("Item", bound=_Item)


def reading_order(items: Iterable[Item]) -> list[Item]:
    """Open items first, oldest first (they are the most overdue); then the done ones, newest first."""
    items = list(items)
    still_open = sorted((f for f in items if f.done_at is None), key=lambda f: (f.created_at, f.id))
    done = sorted((f for f in items if f.done_at is not None), key=lambda f: f.done_at, reverse=True)
    return still_open + done
