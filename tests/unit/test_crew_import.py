"""Crew list rules (app/domain/crew_import.py): names, dates, card and org numbers, whole files."""
from datetime import date

import pytest

from app.domain import crew_import as ci

TODAY = date(2026, 3, 10)
HEADER = "name,birth_date,card_number,employer_org,hired_by_org,active_from,active_to"
EMPLOYER, HIRER = "914778271", "923609016"


def table(*lines: str, delimiter=",") -> list[list[str]]:
    return [line.split(delimiter) for line in (HEADER.replace(",", delimiter), *lines)]


def parse(*lines: str):
    return ci.parse_table(table(*lines), TODAY)


@pytest.mark.parametrize("text, expected", [
    ("Kari Nordmann", ("Kari", "Nordmann")),
    ("  Ole   Martin  Hansen ", ("Ole Martin", "Hansen")),
    ("Rūta Jankauskienė", ("Rūta", "Jankauskienė")),
    ("Ærlend Ødegård-Åsheim", ("Ærlend", "Ødegård-Åsheim")),
    ("Seán O’Brien", ("Seán", "O’Brien")),
])
def test_a_name_splits_at_the_last_space(text, expected):
    assert ci.parse_name(text) == expected


@pytest.mark.parametrize("text, fragment", [
    ("", "Navn mangler"),
    ("Kari", "både fornavn og etternavn"),
    ("=HYPERLINK(\"x\") a", "bare ha bokstaver"),
    ("Kari 12345", "bare ha bokstaver"),
    ("Kari\x00 Nordmann", "bare ha bokstaver"),
    ("A " + "b" * 201, "for langt"),
])
def test_unusable_names_are_refused(text, fragment):
    with pytest.raises(ci.FieldError) as caught:
        ci.parse_name(text)
    assert fragment in caught.value.problem.nb


@pytest.mark.parametrize("text, expected", [
    ("1984-05-17", date(1984, 5, 17)),
    ("17.05.1984", date(1984, 5, 17)),
    (" 29.02.1988 ", date(1988, 2, 29)),
])
def test_birth_dates_in_both_forms(text, expected):
    assert ci.parse_birth_date(text, TODAY) == expected


@pytest.mark.parametrize("text, fragment", [
    ("", "mangler"),
    ("17/05/1984", "er ikke en dato"),
    ("31.02.1984", "er ikke en dato"),
    ("2027-01-01", "ikke mulig"),
    ("1899-12-31", "ikke mulig"),
    ("17058412345", "aldri fødselsnummer"),
    ("170584 12345", "aldri fødselsnummer"),
])
def test_bad_birth_dates_are_refused(text, fragment):
    with pytest.raises(ci.FieldError) as caught:
        ci.parse_birth_date(text, TODAY)
    assert fragment in caught.value.problem.nb


@pytest.mark.parametrize("text, ok", [
    ("40000000", True), (" 4000 0000 ", True), ("4000000", False), ("400000001", False), ("4000000a", False),
    ("", False),
])
def test_card_numbers_follow_the_pattern(text, ok):
    if ok:
        assert ci.parse_card_number(text, r"\d{8}") == "40000000"
    else:
        with pytest.raises(ci.FieldError):
            ci.parse_card_number(text, r"\d{8}")


@pytest.mark.parametrize("text, ok", [
    ("914778271", True), ("914 778 271", True), ("NO914778271MVA", True), ("914778272", False), ("12345", False),
])
def test_org_numbers_are_mod_11_checked(text, ok):
    what = ci.Problem("Arbeidsgiver", "Employer")
    if ok:
        assert ci.parse_org_number(text, what) == "914778271"
    else:
        with pytest.raises(ci.FieldError):
            ci.parse_org_number(text, what)


def test_a_good_file_gives_rows_with_split_names_and_dates():
    parsed = parse(f"Kari Nordmann,1984-05-17,40000000,{EMPLOYER},,2026-03-01,",
                   f"Rūta Jankauskienė,30.06.1991,40007919,{EMPLOYER},{HIRER},,31.12.2026")
    assert parsed.ok
    kari, ruta = parsed.rows
    assert (kari.row, kari.first_name, kari.last_name, kari.hired_by_org) == (2, "Kari", "Nordmann", None)
    assert kari.active_from == date(2026, 3, 1) and kari.active_to is None
    assert (ruta.row, ruta.hired_by_org, ruta.active_to) == (3, HIRER, date(2026, 12, 31))


@pytest.mark.parametrize("line, fragment", [
    (f"Kari,1984-05-17,40000000,{EMPLOYER},,,", "fornavn og etternavn"),
    (f"Kari Nordmann,1984-05-17,,{EMPLOYER},,,", "HMS-kortnummer mangler"),
    ("Kari Nordmann,1984-05-17,40000000,914778272,,,", "Arbeidsgiver: «914778272» er ikke et gyldig"),
    (f"Kari Nordmann,1984-05-17,40000000,{EMPLOYER},12,,", "Innleid av"),
    (f"Kari Nordmann,1984-05-17,40000000,{EMPLOYER},{EMPLOYER},,", "arbeidsgiveren selv"),
    (f"Kari Nordmann,1984-05-17,40000000,{EMPLOYER},,2026-03-02,2026-03-01", "før «fra»"),
    (f"Kari Nordmann,1984-05-17,40000000,{EMPLOYER},,,,extra", "kolonner"),
    (f"=cmd|' /C calc'!A0,1984-05-17,40000000,{EMPLOYER},,,", "formel"),
    (f"Kari Nordmann,1984-05-17,40000000,{EMPLOYER},,+2026-01-01,", "formel"),
])
def test_each_bad_row_is_reported_with_its_row_number(line, fragment):
    parsed = parse(f"Ola Hansen,1980-01-01,40000001,{EMPLOYER},,,", "", line)
    assert not parsed.ok and [e.row for e in parsed.errors] == [4]
    assert fragment in parsed.errors[0].problem.nb and parsed.errors[0].text.startswith("Rad 4: ")
    assert [r.row for r in parsed.rows] == [2]


def test_every_problem_in_a_row_is_reported():
    parsed = parse("Kari,1984-13-01,123,1,,,")
    assert [e.row for e in parsed.errors] == [2, 2, 2, 2]


def test_the_same_card_twice_is_an_error_on_the_second_row():
    parsed = parse(f"Kari Nordmann,1984-05-17,40000000,{EMPLOYER},,,", f"Kari Nordmann,1984-05-17,40000000,{HIRER},,,")
    assert [(e.row, e.problem.nb) for e in parsed.errors] == [(3, "Samme HMS-kortnummer som rad 2")]


@pytest.mark.parametrize("content", [
    f"{HEADER}\r\nKari Nordmann,1984-05-17,40000000,{EMPLOYER},,,\r\n".encode(),
    ("\ufeff" + f"{HEADER}\nKari Nordmann,1984-05-17,40000000,{EMPLOYER},,,\n").encode(),
    f"{HEADER}\nKari Nordmann,1984-05-17,40000000,{EMPLOYER},,,\n".replace(",", ";").encode(),
    f"{HEADER},,\n\"Kari Nordmann\",1984-05-17,40000000,{EMPLOYER},,,,\n".encode(),
])
def test_csv_with_or_without_bom_comma_or_semicolon(content):
    parsed = ci.parse_table(ci.decode_csv(content), TODAY)
    assert parsed.ok and parsed.rows[0].first_name == "Kari"


@pytest.mark.parametrize("content, fragment", [
    (b"", "tom"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "ikke en tekstfil"),
    ("name;født\n".encode("latin-1"), "ikke UTF-8"),
    (b"x" * (ci.MAX_BYTES + 1), "for stor"),
    (f"{HEADER}\n".encode() + b"a,b,c,d,e,f,g\n" * (ci.MAX_ROWS + 1), "for mange rader"),
    (b"navn,fodt,kort\nKari Nordmann,1984-05-17,40000000\n", "overskriften"),
    (HEADER.encode() + b"\n", "ingen rader"),
    (HEADER.encode() + b'\n"Kari Nordmann,1984\n', "anførselstegn"),
])
def test_hostile_or_wrong_files_get_one_clear_error(content, fragment):
    with pytest.raises(ci.CrewFileError) as caught:
        ci.parse_table(ci.decode_csv(content), TODAY)
    assert fragment in caught.value.problem.nb and " / " in caught.value.problem.text
