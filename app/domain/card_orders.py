"""Rules for a worker whose HMS card is on order: how long the order counts, which receipts we keep,
and when a scanned card's holder is the worker the order names.

Arbeidstilsynet accepts work while a card is on order if the order is documented; Portvakt lets
such an order count for at most 30 days. Plain Python, dates passed in.
"""
import re
import unicodedata
from dataclasses import replace
from datetime import date, timedelta

from app.domain.attendance import DayState

MAX_VALIDITY = timedelta(days=30)
MAX_RECEIPT_BYTES = 5 * 1024 * 1024

OPEN, EXPIRED, LINKED = "open", "expired", "linked"

# What the bytes of a receipt start with: the type is sniffed, never taken from the browser.
_SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)

# Letters Unicode does not decompose into a base letter and an accent, folded the way a clerk or a
# foreign card register would type them without a Norwegian or Polish keyboard.
_UNDECOMPOSED = str.maketrans({"æ": "ae", "ø": "o", "đ": "d", "ł": "l", "ı": "i", "ß": "ss", "þ": "th"})
_SEPARATORS = re.compile(r"[\s\-‐‑–—_.,]+")
_DROPPED = re.compile(r"['’`´ʼ\"]")


def validity_problem(valid_until: date, today: date) -> str | None:
    """Why `valid_until` cannot be used ("in_past" or "too_far"), or None when it can."""
    if valid_until < today:
        return "in_past"
    if valid_until > today + MAX_VALIDITY:
        return "too_far"
    return None


def is_valid_on(day: date, recorded_on: date, valid_until: date) -> bool:
    """An order documents work from the day it was recorded up to and including `valid_until`."""
    return recorded_on <= day <= valid_until


def status(valid_until: date, linked: bool, today: date) -> str:
    """linked once the card has been scanned; else open until valid_until has passed, then expired."""
    if linked:
        return LINKED
    return OPEN if today <= valid_until else EXPIRED


def receipt_type(content: bytes) -> tuple[str, str] | None:
    """(mimetype, extension) of a PDF, JPEG or PNG receipt, judged by its first bytes; None otherwise."""
    for signature, mimetype, extension in _SIGNATURES:
        if content.startswith(signature):
            return mimetype, extension
    return None


def receipt_filename(uploaded: str | None, extension: str) -> str:
    """A file name safe to store and send back: no folders, no control or quoting characters, the
    extension of the sniffed type (a "receipt.pdf" that is really a PNG is sent as .png)."""
    name = (uploaded or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>:|?*;')
    stem = name.rsplit(".", 1)[0].strip(" .")[:150] or "kvittering"
    return f"{stem}{extension}"


def name_key(first_name: str, last_name: str) -> str:
    """A person's whole name folded for matching: case, accents, spacing and hyphens do not count.

    NFKC first, so a name typed with a decomposed "å" (a + ring, as some phones send it) equals
    the precomposed one; the whole name, so "Anne Marie | Olsen" equals "Anne | Marie Olsen".
    """
    text = unicodedata.normalize("NFKC", f"{first_name} {last_name}").casefold().translate(_UNDECOMPOSED)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", _DROPPED.sub("", text)).strip()


def same_person(first_a: str, last_a: str, born_a: date, first_b: str, last_b: str, born_b: date) -> bool:
    """The same worker: the same date of birth and the same name once folded by name_key."""
    return born_a == born_b and name_key(first_a, last_a) == name_key(first_b, last_b)


def combine_days(kept: DayState, other: DayState) -> DayState:
    """One day from two rows of the same worker on the same site (two person records merged):
    the earliest in, the latest out, presence from the newer passage, every flag of both."""
    first_ins = [t for t in (kept.first_in, other.first_in) if t is not None]
    last_outs = [t for t in (kept.last_out, other.last_out) if t is not None]
    newer = other if _later(other.last_scan_at, kept.last_scan_at) else kept
    return replace(kept, first_in=min(first_ins, default=None), last_out=max(last_outs, default=None),
                   last_scan_at=newer.last_scan_at, is_present=newer.is_present,
                   flags=tuple(sorted(set(kept.flags) | set(other.flags))))


def _later(a, b) -> bool:
    return a is not None and (b is None or a > b)
