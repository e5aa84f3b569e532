"""The QR payload parser: what is an HMS card, what is rejected and why, and that it never raises."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.cards import CardRef
from app.domain.qr import QrRules, parse_payload

TOKEN = "kX3_pQ-9aZ0bC1dE2fG3hI"


@pytest.mark.parametrize("payload, ref", [
    (f"https://hmskort.no/v/{TOKEN}", CardRef("qr_token", TOKEN)),
    (f"https://www.hmskort.no/v/{TOKEN}", CardRef("qr_token", TOKEN)),
    (f"https://hmskort.no/v/{TOKEN}/", CardRef("qr_token", TOKEN)),
    # QR alphanumeric mode is upper case: scheme and host are case-insensitive, the token is not.
    (f"HTTPS://HMSKORT.NO/v/{TOKEN}", CardRef("qr_token", TOKEN)),
    ("https://hmskort.no/kort/40007919", CardRef("card_number", "40007919")),
    ("https://hmskort.no/sjekk?kortnr=40007919", CardRef("card_number", "40007919")),
    ("https://hmskort.no/sjekk?lang=nb&card=40007919", CardRef("card_number", "40007919")),
    ("40007919", CardRef("card_number", "40007919")),
    ("4000 7919", CardRef("card_number", "40007919")),  # typed by a guard
    ("40007919\r\n", CardRef("card_number", "40007919")),  # a USB scanner ends with Enter
    (b"40007919", CardRef("card_number", "40007919")),
    (f"\ufeffhttps://hmskort.no/v/{TOKEN}".encode(), CardRef("qr_token", TOKEN)),
])
def test_accepts_hms_card_payloads(payload, ref):
    assert parse_payload(payload).ref == ref


@pytest.mark.parametrize("payload, reason", [
    (f"http://hmskort.no/v/{TOKEN}", "foreign_qr"),
    (f"https://hmskort.no.evil.example/v/{TOKEN}", "foreign_qr"),
    (f"https://evil.example/v/{TOKEN}", "foreign_qr"),
    (f"https://hmskort.no@evil.example/v/{TOKEN}", "foreign_qr"),
    (f"https://evil.example@hmskort.no/v/{TOKEN}", "foreign_qr"),
    (f"https://hmskort.no\\@evil.example/v/{TOKEN}", "foreign_qr"),
    (f"https://hmskort.no:8443/v/{TOKEN}", "foreign_qr"),
    (f"https://hmskort.no./v/{TOKEN}", "foreign_qr"),
    (f"https://xn--hmskrt-vua.no/v/{TOKEN}", "foreign_qr"),
    (f"https://hmskоrt.no/v/{TOKEN}", "foreign_qr"),  # Cyrillic о
    (f"https://xn--hmskort.no/v/{TOKEN}", "foreign_qr"),
    (f"https://wwwhmskort.no/v/{TOKEN}", "foreign_qr"),
    (f"ftp://hmskort.no/v/{TOKEN}", "foreign_qr"),
    (f"hmskort.no/v/{TOKEN}", "foreign_qr"),
    ("WIFI:S:Brakka;T:WPA;P:hemmelig;;", "foreign_qr"),
    ("1234567", "foreign_qr"),
    ("123456789", "foreign_qr"),
    ("٤٠٠٠٧٩١٩", "foreign_qr"),  # Arabic-Indic digits are not a card number
    ("https://hmskort.no/", "unreadable"),
    ("https://hmskort.no/v/short", "unreadable"),
    ("https://hmskort.no/kort/12", "unreadable"),
    ("", "unreadable"),
    ("   \r\n", "unreadable"),
    ("4000\x007919", "unreadable"),
    (f"https://hmskort.no/v/{TOKEN}\x1b[2J", "unreadable"),
    (f"https://hmskort.no/v/\u202e{TOKEN}", "unreadable"),  # bidi override
    ("https://hmskort.no/v/" + "a" * 500, "unreadable"),  # over 512 bytes
    (b"\xff\xfe4\x000\x00", "unreadable"),
    (b"https://hmskort.no/v/\xc3\x28abcdefgh", "unreadable"),
    ("\udc80" + "40007919", "unreadable"),  # a lone surrogate from a bad decode
    (None, "unreadable"),
])
def test_rejects_everything_else_with_a_reason(payload, reason):
    parsed = parse_payload(payload)
    assert (parsed.ref, parsed.rejection) == (None, reason)


def test_patterns_and_hosts_are_configurable():
    rules = QrRules(allowed_hosts=("kort.example.no",), card_number_pattern=r"[A-Z]{2}\d{6}",
                    url_patterns=(r"/id/(?P<card_number>[A-Z]{2}\d{6})",))
    assert parse_payload("https://kort.example.no/id/NO123456", rules).ref == CardRef("card_number", "NO123456")
    assert parse_payload("NO123456", rules).ref == CardRef("card_number", "NO123456")
    assert parse_payload(f"https://hmskort.no/v/{TOKEN}", rules).rejection == "foreign_qr"
    assert parse_payload("40007919", rules).rejection == "foreign_qr"


def test_a_bad_pattern_fails_at_start_up():
    with pytest.raises(Exception):
        QrRules(url_patterns=("/v/(?P<qr_token>[",))


# --- property tests ---------------------------------------------------------------------------

ALLOWED_PREFIXES = ("https://hmskort.no/", "https://www.hmskort.no/")


def is_bare_card_number(text) -> bool:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "ignore")
    compact = text.strip(" \t\r\n\ufeff").replace(" ", "")
    return len(compact) == 8 and compact.isascii() and compact.isdigit()


def came_from_allowed_host(text) -> bool:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "ignore")
    return text.strip(" \t\r\n\ufeff").lower().startswith(ALLOWED_PREFIXES)


hosts = st.one_of(
    st.sampled_from(["hmskort.no", "www.hmskort.no", "hmskort.no.evil.example", "evil.example",
                     "xn--hmskrt-vua.no", "hmskort.no@evil.example", "evil.example@hmskort.no",
                     "hmskort.no:443", "HMSKORT.NO", "hmskort.no.", "hmskоrt.no", "user:pw@hmskort.no"]),
    st.text(min_size=1, max_size=30),
)
urls = st.builds(lambda scheme, host, path: f"{scheme}://{host}/{path}",
                 st.sampled_from(["https", "http", "HTTPS", "hTtPs", "ftp", "javascript"]), hosts,
                 st.one_of(st.just(f"v/{TOKEN}"), st.just("kort/40007919"), st.text(max_size=40)))
payloads = st.one_of(st.text(max_size=600), st.binary(max_size=600), urls, urls.map(str.encode))


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(payloads)
def test_never_raises_and_never_accepts_a_foreign_host(payload):
    parsed = parse_payload(payload)
    assert (parsed.ref is None) != (parsed.rejection is None)
    if parsed.ref is None:
        assert parsed.rejection in ("foreign_qr", "unreadable")
    else:
        assert is_bare_card_number(payload) or came_from_allowed_host(payload), payload
