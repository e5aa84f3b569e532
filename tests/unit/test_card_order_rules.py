"""The card-on-order rules: 30 days at most, which receipts, and when a card's holder is the ordered worker."""
import unicodedata
from datetime import date, datetime, timezone

import pytest

from app.domain import card_orders as rules
from app.domain.attendance import DayState

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize("valid_until, problem", [
    (TODAY, None),
    (date(2026, 4, 9), None),  # today + 30 days
    (date(2026, 4, 10), "too_far"),
    (date(2026, 3, 9), "in_past"),
    (date(2027, 3, 10), "too_far"),
])
def test_valid_until_is_today_to_thirty_days_ahead(valid_until, problem):
    assert rules.validity_problem(valid_until, TODAY) == problem


@pytest.mark.parametrize("day, valid", [
    (date(2026, 3, 5), True),  # the day it was recorded
    (date(2026, 3, 4), False),  # before anyone documented the order
    (date(2026, 3, 20), True),  # the last day
    (date(2026, 3, 21), False),
])
def test_an_order_is_valid_from_recording_to_valid_until(day, valid):
    assert rules.is_valid_on(day, recorded_on=date(2026, 3, 5), valid_until=date(2026, 3, 20)) is valid


@pytest.mark.parametrize("valid_until, linked, status", [
    (TODAY, False, rules.OPEN),
    (date(2026, 3, 9), False, rules.EXPIRED),
    (date(2026, 3, 9), True, rules.LINKED),
    (TODAY, True, rules.LINKED),
])
def test_status(valid_until, linked, status):
    assert rules.status(valid_until, linked, TODAY) == status


@pytest.mark.parametrize("content, expected", [
    (b"%PDF-1.7\n...", ("application/pdf", ".pdf")),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", ("image/jpeg", ".jpg")),
    (b"\x89PNG\r\n\x1a\n\x00\x00", ("image/png", ".png")),
    (b"<html><script>alert(1)</script>", None),
    (b"GIF89a", None),
    (b"", None),
    (b"MZ\x90\x00", None),  # a Windows program named receipt.pdf
    (b" %PDF-1.7", None),
])
def test_receipts_are_judged_by_their_bytes(content, expected):
    assert rules.receipt_type(content) == expected


@pytest.mark.parametrize("uploaded, extension, stored", [
    ("kvittering.pdf", ".pdf", "kvittering.pdf"),
    ("bilde.pdf", ".png", "bilde.png"),  # the sniffed type wins
    ("../../etc/passwd", ".pdf", "passwd.pdf"),
    ("C:\\Users\\ola\\Bestilling ø.jpeg", ".jpg", "Bestilling ø.jpg"),
    ('evil";\r\nX-Header: 1.pdf', ".pdf", "evilX-Header 1.pdf"),
    ("", ".png", "kvittering.png"),
    (None, ".pdf", "kvittering.pdf"),
    ("....", ".pdf", "kvittering.pdf"),
])
def test_receipt_filenames_are_safe(uploaded, extension, stored):
    assert rules.receipt_filename(uploaded, extension) == stored


DECOMPOSED_AASE = unicodedata.normalize("NFD", "Åse")


@pytest.mark.parametrize("a, b, same", [
    (("Kari", "Nordmann"), ("KARI", "nordmann"), True),
    (("José", "García"), ("Jose", "Garcia"), True),
    (("Łukasz", "Brzęczyszczykiewicz"), ("Lukasz", "Brzeczyszczykiewicz"), True),
    (("Rūta", "Jankauskienė"), ("Ruta", "Jankauskiene"), True),
    ((DECOMPOSED_AASE, "Ødegård"), ("Åse", "Ødegård"), True),  # a phone's decomposed å
    (("Søren", "Bakkeløkken"), ("Soren", "Bakkelokken"), True),
    (("Anne Marie", "Olsen"), ("Anne", "Marie  Olsen"), True),
    (("Anne-Marie", "O'Brien"), ("Anne Marie", "OBrien"), True),
    (("Kari", "Nordmann"), ("Karin", "Nordmann"), False),
    (("Kari", "Nordmann"), ("Kari", "Nordmann-Hansen"), False),
    (("Ola", "Normann"), ("Ola", "Nordmann"), False),
])
def test_names_match_without_case_accents_or_spacing(a, b, same):
    born = date(1984, 5, 17)
    assert rules.same_person(*a, born, *b, born) is same


def test_another_date_of_birth_is_another_person():
    assert not rules.same_person("Kari", "Nordmann", date(1984, 5, 17), "Kari", "Nordmann", date(1984, 5, 18))


def at(hour: int) -> datetime:
    return datetime(2026, 3, 10, hour, tzinfo=timezone.utc)


@pytest.mark.parametrize("kept, other, expected", [
    (DayState(at(7), None, at(7), True, ("card_ordered",)), DayState(at(9), at(15), at(15), False, ()),
     DayState(at(7), at(15), at(15), False, ("card_ordered",))),
    (DayState(at(10), at(12), at(12), False, ()), DayState(at(6), None, at(13), True, ("no_exit_recorded",)),
     DayState(at(6), at(12), at(13), True, ("no_exit_recorded",))),
    (DayState(), DayState(), DayState()),
])
def test_two_rows_of_one_worker_become_one_day(kept, other, expected):
    assert rules.combine_days(kept, other) == expected
