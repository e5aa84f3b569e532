"""The kiosk's words in the workers' languages: one JSON file per language under scanner/locales/.

Adding a language is adding a file (same keys as nb.json). Reason and warning codes are the server's
vocabulary (app/domain/cards.py); a code this kiosk does not know yet falls back to the server's own
message, so a newer server never leaves the screen blank.
"""
import json
from functools import lru_cache
from pathlib import Path

LOCALES = Path(__file__).with_name("locales")
DEFAULT_LANGUAGES = ("nb", "en")  # always shown, whatever the server or the flags say
FALLBACK = "en"

# Copied from app/domain/cards.py (the scanner never imports app/); a unit test keeps them in step.
ACCEPT_REASONS = ("ok", "ok_unverified")
REJECT_REASONS = (
    "card_not_valid", "card_expired", "card_blocked", "card_lost", "card_stolen",
    "card_confiscated", "card_destroyed", "unknown_card", "foreign_qr", "unreadable",
    "card_service_unavailable", "company_not_registered", "person_barred", "card_type_not_accepted",
    "induction_missing",
)
WARNINGS = ("possible_copied_card", "late", "needs_approval", "no_exit_recorded", "invalid_on_reverify",
            "induction_missing")


def available_languages() -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in LOCALES.glob("*.json")))


@lru_cache(maxsize=None)
def catalogue(language: str) -> dict:
    """The parsed file for one language; an unknown language is the English file."""
    path = LOCALES / f"{language}.json"
    if not path.is_file():
        path = LOCALES / f"{FALLBACK}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def kiosk_languages(requested) -> tuple[str, ...]:
    """nb and en first, then the other requested languages this kiosk has a file for."""
    known = set(available_languages())
    ordered = list(DEFAULT_LANGUAGES)
    for language in requested or ():
        if language in known and language not in ordered:
            ordered.append(language)
    return tuple(ordered)


def ui(language: str, key: str) -> str:
    """A fixed screen text (titles, badges, hints)."""
    text = catalogue(language)["ui"].get(key)
    return text if text is not None else catalogue(FALLBACK)["ui"].get(key, key)


def reason(language: str, code: str, server_message: dict | None = None) -> tuple[str, str]:
    """(title, what to do) for a reason code; unknown codes show the server's message."""
    entry = catalogue(language)["reasons"].get(code)
    if entry is not None:
        return entry["title"], entry["action"]
    message = server_message or {}
    return message.get(language) or message.get(FALLBACK) or message.get("nb") or code, ""


def warning(language: str, code: str) -> str:
    return catalogue(language)["warnings"].get(code) or catalogue(FALLBACK)["warnings"].get(code, code)
