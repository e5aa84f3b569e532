"""What the worker read at the gate, for the office pages: the kiosk's own words for a reason code.

One source for both: the kiosk's catalogues (scanner/locales/<lang>.json, read here as data; the
scanner never imports the app, and the app does not import the scanner's code). The server's stored
`message` is its own wording, and the kiosk showed its catalogue's title and advice instead, so the
rejected scans page shows those, in the reader's language; a code the kiosk has no words for shows
the server's message, as the kiosk's screen does (scanner/i18n.py `reason`).
"""
import json
from functools import lru_cache
from pathlib import Path

from flask_babel import get_locale

LOCALES = Path(__file__).resolve().parents[1] / "scanner" / "locales"


@lru_cache(maxsize=8)
def _reasons(language: str) -> dict:
    try:
        return json.loads((LOCALES / f"{language}.json").read_text(encoding="utf-8")).get("reasons", {})
    except (OSError, ValueError):
        return {}


def kiosk_words(code: str | None, server_message: dict | None = None) -> str:
    """The kiosk's title and advice for `code` ("Kortet er sperret – Gå til byggeplasskontoret …")."""
    language = str(get_locale())
    entry = _reasons(language).get(code or "") or _reasons("nb").get(code or "")
    if entry:
        return " – ".join(part for part in (entry.get("title"), entry.get("action")) if part)
    message = server_message or {}
    return message.get(language) or message.get("nb") or ""
