"""The crew list's optional eighth column, `phone` (issue 21: a worker's phone for the roll call)."""
from datetime import date

import pytest

from app.domain import crew_import as ci

TODAY = date(2026, 3, 10)
SEVEN = "name,birth_date,card_number,employer_org,hired_by_org,active_from,active_to"
EIGHT = SEVEN + ",phone"
ROW = "Kari Nordmann,1984-05-17,40000000,914778271,,,"


def parse(header: str, *lines: str) -> ci.ParsedCrew:
    return ci.parse_table([line.split(",") for line in (header, *lines)], TODAY)


@pytest.mark.parametrize("text, expected", [
    ("91234567", "91234567"),
    ("912 34 567", "91234567"),
    ("+47 912 34 567", "+4791234567"),
    (" +4791234567 ", "+4791234567"),
    ("+48 601 234 567", "+48601234567"),
    ("0047 912 34 567", "004791234567"),
    ("123456789012345", "123456789012345"),  # 15 digits, E.164's most
])
def test_a_phone_is_normalised(text, expected):
    assert ci.parse_phone(text) == expected


@pytest.mark.parametrize("text", [
    "1234567",  # 7 digits
    "+1234567890123456",  # 16 digits
    "912-34-567",
    "(+47) 91234567",
    "47+91234567",
    "++4791234567",
    "9123456a",
    "=HYPERLINK(\"x\")",
    "+",
])
def test_a_phone_that_is_not_one_is_refused_in_bokmal_then_english(text):
    with pytest.raises(ci.FieldError) as refused:
        ci.parse_phone(text)
    assert refused.value.problem.text.startswith("Telefon: «") and " / Phone: '" in refused.value.problem.text
    assert "8–15 sifre" in refused.value.problem.nb and "8–15 digits" in refused.value.problem.en


def test_the_seven_column_header_still_parses_and_has_no_phone():
    parsed = parse(SEVEN, ROW)
    assert parsed.ok and not parsed.has_phone and parsed.rows[0].phone is None


def test_the_eight_column_header_gives_each_row_its_phone_or_none():
    parsed = parse(EIGHT, ROW + ",+47 912 34 567", "Ola Hansen,1990-01-01,40000001,914778271,,,,")
    assert parsed.ok and parsed.has_phone
    assert [row.phone for row in parsed.rows] == ["+4791234567", None]


def test_a_leading_plus_in_the_phone_column_is_not_a_formula_elsewhere_it_is():
    assert parse(EIGHT, ROW + ",+4791234567").ok
    formula = parse(EIGHT, ROW + ",+SUM(A1)")
    assert not formula.ok and "formel" in formula.errors[0].text
    assert "formel" in parse(EIGHT, "+Kari Nordmann,1984-05-17,40000000,914778271,,,,91234567").errors[0].text


def test_a_bad_phone_is_a_row_error_with_the_row_number():
    parsed = parse(EIGHT, ROW + ",12 34")
    assert not parsed.ok and parsed.errors[0].row == 2
    assert parsed.errors[0].text.startswith("Rad 2: Telefon: «12 34»") and "Row 2: Phone: '12 34'" in parsed.errors[0].text


def test_a_ninth_column_or_a_phone_in_a_seven_column_file_is_refused():
    with pytest.raises(ci.CrewFileError):
        parse(EIGHT + ",email", ROW + ",91234567,x@y.no")
    assert "skal ha 7" in parse(SEVEN, ROW + ",91234567").errors[0].text
    assert "skal ha 8" in parse(EIGHT, ROW + ",91234567,x").errors[0].text


def test_the_header_error_mentions_the_optional_phone_column():
    with pytest.raises(ci.CrewFileError) as refused:
        parse("name,phone", ROW)
    assert "eventuelt med ,phone til slutt" in refused.value.problem.nb and "optionally with ,phone" in refused.value.problem.en
