"""ISO 3166-1 alpha-2: a foreign employer on the § 15 list names a country that exists."""
import pytest

from app.domain.countries import ISO_3166_ALPHA2, UNKNOWN_COUNTRY, is_country_code, normalize_country


@pytest.mark.parametrize("code", ["NO", "SE", "DK", "PL", "LT", "LV", "EE", "DE", "GB", "UA", "RO", "pl", " lt ", "Se"])
def test_assigned_codes_are_countries(code):
    assert is_country_code(code)


@pytest.mark.parametrize("code", ["XX", "ZZ", "XK", "AA", "QZ", "EU", "UK", "AC", "", None, "N", "NOR", "P1", "Polen",
                                  "ØS", "ＰＬ"])
def test_anything_else_is_not(code):
    assert not is_country_code(code)


def test_the_list_has_every_assigned_code_and_no_reserved_one():
    assert len(ISO_3166_ALPHA2) == 249
    assert UNKNOWN_COUNTRY not in ISO_3166_ALPHA2
    assert all(len(code) == 2 and code.isascii() and code.isupper() for code in ISO_3166_ALPHA2)


def test_typed_codes_are_upper_cased_and_trimmed():
    assert normalize_country(" pl ") == "PL" and normalize_country(None) == ""
