"""Read what a scanner or a guard handed us and decide which HMS card it points at, if any.

The format printed on HMS cards is not public, so the accepted formats are configuration
(`QrRules`). Everything else is rejected here, before any lookup: a code from another host, a
look-alike host, plain http, over-long or binary input. This parser is the server's authority;
the kiosk only pre-screens.
"""
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.domain.cards import CardRef

MAX_PAYLOAD_BYTES = 512
DEFAULT_ALLOWED_HOSTS = ("hmskort.no", "www.hmskort.no")
DEFAULT_CARD_NUMBER_PATTERN = r"\d{8}"
# Matched against the URL's path, plus "?query" when there is one. A named group `qr_token` or
# `card_number` says what the URL carries; a card number must also match the card-number pattern.
# All patterns are matched with re.ASCII, so \d means 0-9 and not every script's digits.
DEFAULT_URL_PATTERNS = (
    r"/v/(?P<qr_token>[A-Za-z0-9_-]{8,128})/?",
    r"/(?:kort|card)/(?P<card_number>[0-9]{4,16})/?",
    r"/[A-Za-z0-9/_-]*\?(?:[^#]*&)?(?:kortnr|kortnummer|card|card_number)=(?P<card_number>[0-9]{4,16})(?:&[^#]*)?",
)
# Unicode categories no scanner or keyboard should hand us: control, format (bidi overrides,
# zero-width), surrogates, private use and unassigned code points.
REJECTED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
HOST_CHARACTERS = re.compile(r"[a-z0-9.-]+")


@dataclass(frozen=True)
class QrRules:
    """Which payloads are HMS cards: configurable because the real format is not published."""

    allowed_hosts: tuple[str, ...] = DEFAULT_ALLOWED_HOSTS
    url_patterns: tuple[str, ...] = DEFAULT_URL_PATTERNS
    card_number_pattern: str = DEFAULT_CARD_NUMBER_PATTERN
    max_bytes: int = MAX_PAYLOAD_BYTES

    def __post_init__(self):
        for pattern in (*self.url_patterns, self.card_number_pattern):
            re.compile(pattern, re.ASCII)  # a bad pattern fails at start-up, not at the gate
        object.__setattr__(self, "allowed_hosts", tuple(h.strip().lower() for h in self.allowed_hosts))


@dataclass(frozen=True)
class ParsedPayload:
    """Either a card reference or the reason (`foreign_qr` / `unreadable`) it was rejected."""

    ref: CardRef | None = None
    rejection: str | None = None

    @property
    def accepted(self) -> bool:
        return self.ref is not None


def parse_payload(payload: str | bytes, rules: QrRules = QrRules()) -> ParsedPayload:
    """Turn scanned or typed text into a CardRef, or say why not. Never raises."""
    text = _decoded_text(payload, rules.max_bytes)
    if text is None:
        return ParsedPayload(rejection="unreadable")
    compact = text.replace(" ", "")
    if re.fullmatch(rules.card_number_pattern, compact, re.ASCII):
        return ParsedPayload(ref=CardRef("card_number", compact))
    if "://" in text:
        return _parse_url(text, rules)
    return ParsedPayload(rejection="foreign_qr")


def _decoded_text(payload: str | bytes, max_bytes: int) -> str | None:
    """The payload as clean text, or None when it is too long, not UTF-8 or holds control characters."""
    if isinstance(payload, str):
        try:
            raw = payload.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates
            return None
    elif isinstance(payload, (bytes, bytearray)):
        raw = bytes(payload)
    else:
        return None
    if len(raw) > max_bytes:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # Handheld scanners end a read with Enter; some prepend a byte-order mark.
    text = text.removeprefix("\ufeff").strip(" \t\r\n")
    if not text or any(unicodedata.category(ch) in REJECTED_CATEGORIES for ch in text):
        return None
    return text


def _parse_url(text: str, rules: QrRules) -> ParsedPayload:
    try:
        parts = urlsplit(text)
    except ValueError:
        return ParsedPayload(rejection="unreadable")
    if parts.scheme.lower() != "https" or not _host_allowed(parts.netloc, rules.allowed_hosts):
        return ParsedPayload(rejection="foreign_qr")
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    for pattern in rules.url_patterns:
        match = re.fullmatch(pattern, target, re.ASCII)
        if match:
            return _ref_from_match(match, rules)
    # The right host but a format we do not know: a card we cannot read, not a foreign code.
    return ParsedPayload(rejection="unreadable")


def _host_allowed(netloc: str, allowed_hosts: tuple[str, ...]) -> bool:
    """Exactly an allowed host: no userinfo, no port, no trailing dot, no IDN or look-alike."""
    host = netloc.lower()
    return HOST_CHARACTERS.fullmatch(host) is not None and host in allowed_hosts


def _ref_from_match(match: re.Match, rules: QrRules) -> ParsedPayload:
    groups = {k: v for k, v in match.groupdict().items() if v}
    if groups.get("qr_token"):
        return ParsedPayload(ref=CardRef("qr_token", groups["qr_token"]))
    number = groups.get("card_number", "")
    if re.fullmatch(rules.card_number_pattern, number, re.ASCII):
        return ParsedPayload(ref=CardRef("card_number", number))
    return ParsedPayload(rejection="unreadable")
