"""The contract chain's rules: which company identifiers name, and where an entry may sit."""
from datetime import date

import pytest

from app.domain.contract_chain import (CompanyKey, IdentityRefused, KnownCompany, company_key, default_parent,
                                       dates_in_order, descendants, filled_in, key_from_card_service,
                                       outside_chain, parent_allowed, pick_company)

NORSK = KnownCompany(1, "914778271", "NO", None)
LT_FROM_CHAIN = KnownCompany(2, None, "LT", "304567891")
LT_FROM_GATE = KnownCompany(3, None, "XX", "5213456789")
NUF = KnownCompany(4, "923609016", "PL", "PL-77")
PL_SAME_ID = KnownCompany(5, None, "PL", "111")
SE_SAME_ID = KnownCompany(6, None, "SE", "111")
KNOWN = [NORSK, LT_FROM_CHAIN, LT_FROM_GATE, NUF, PL_SAME_ID, SE_SAME_ID]


@pytest.mark.parametrize("org, country, foreign, expected", [
    ("914 778 271", "no", None, CompanyKey("914778271", "NO", None)),
    ("NO914778271MVA", "", "ignored", CompanyKey("914778271", "NO", None)),
    ("923609016", "pl", "PL-77", CompanyKey("923609016", "PL", "PL-77")),  # a NUF keeps its id at home
    (None, "lt", " 304567891 ", CompanyKey(None, "LT", "304567891")),
])
def test_typed_identifiers_become_a_key(org, country, foreign, expected):
    assert company_key(org, country, foreign) == expected


@pytest.mark.parametrize("org, country, foreign, field, code", [
    ("914778272", "NO", None, "org_number", "invalid_org_number"),
    (None, "XX", "123", "country", "invalid_country"),
    (None, "ZZ", "123", "country", "invalid_country"),
    ("914778271", "XX", None, "country", "invalid_country"),
    (None, "PL", None, "org_number", "identifier_required"),
    (None, "NO", "123", "org_number", "norwegian_needs_org_number"),
    (None, None, "123", "org_number", "norwegian_needs_org_number"),
])
def test_identifiers_that_name_no_company_are_refused(org, country, foreign, field, code):
    with pytest.raises(IdentityRefused) as refused:
        company_key(org, country, foreign)
    assert (refused.value.field, refused.value.code) == (field, code)


@pytest.mark.parametrize("key, expected", [
    (CompanyKey("914778271", "NO", None), 1),  # org number first
    (CompanyKey("914778271", "NO", "anything"), 1),
    (CompanyKey(None, "LT", "304567891"), 2),
    (CompanyKey(None, "XX", "304567891"), 2),  # the gate does not know the country: any country agrees
    (CompanyKey(None, "LT", "5213456789"), 3),  # the chain names the country of a company first seen at the gate
    (CompanyKey(None, "PL", "PL-77"), 4),  # a NUF found by its id at home
    (CompanyKey("923609016", "NO", None), 4),  # ... and by its org number from the card service
    (CompanyKey(None, "PL", "111"), 5),  # the exact country decides between two with the same id
    (CompanyKey(None, "XX", "111"), None),  # nobody can tell which: a new company
    (CompanyKey(None, "DE", "304567891"), None),  # another country is another company
    (CompanyKey("986986986", "NO", None), None),
    (CompanyKey("914778271", "LT", "304567891"), 1),
])
def test_one_rule_picks_the_company(key, expected):
    assert pick_company(key, KNOWN) == expected


def test_a_company_with_another_org_number_is_not_matched_by_its_foreign_id():
    assert pick_company(CompanyKey("986986986", "PL", "PL-77"), KNOWN) is None


@pytest.mark.parametrize("known, key, expected", [
    (LT_FROM_GATE, CompanyKey(None, "LT", "5213456789"), {"country": "LT"}),
    (LT_FROM_CHAIN, CompanyKey(None, "XX", "304567891"), {}),  # never "unknown" over a known country
    (LT_FROM_CHAIN, CompanyKey("923609016", "LT", "304567891"), {"org_number": "923609016"}),
    (NUF, CompanyKey("923609016", "NO", None), {}),  # the card service's "NO" does not overwrite a NUF's country
    (NORSK, CompanyKey("914778271", "NO", None), {}),
])
def test_what_a_key_adds_to_a_known_company(known, key, expected):
    assert filled_in(known, key) == expected


@pytest.mark.parametrize("identifier, expected", [
    ("914778271", CompanyKey("914778271", "NO", None)),
    ("914 778 271", CompanyKey("914778271", "NO", None)),
    ("304567891", CompanyKey(None, "XX", "304567891")),  # fails mod-11: a foreign id
    (" LT-99 ", CompanyKey(None, "XX", "LT-99")),
])
def test_the_card_services_identifier(identifier, expected):
    assert key_from_card_service(identifier) == expected


# main(1) ─ sub(2) ─ subsub(3);  main(1) ─ agency(4);  other(5) at the top
CHAIN = {1: None, 2: 1, 3: 2, 4: 1, 5: None}


def test_descendants_are_everything_below():
    assert descendants(CHAIN, 1) == {2, 3, 4} and descendants(CHAIN, 3) == set()
    assert descendants({1: 2, 2: 1}, 1) == {2}  # bad data with a loop still ends


@pytest.mark.parametrize("entry, parent, allowed", [
    (2, None, True), (2, 5, True), (3, 4, True), (None, 3, True),
    (2, 2, False),  # itself
    (1, 3, False), (1, 2, False), (2, 3, False),  # its own descendants
    (2, 99, False),  # not on this chain
])
def test_an_entry_is_never_placed_under_itself_or_below_itself(entry, parent, allowed):
    assert parent_allowed(CHAIN, entry, parent) is allowed


@pytest.mark.parametrize("start, end, ok", [
    (None, None, True), (date(2025, 1, 1), None, True), (None, date(2025, 1, 1), True),
    (date(2025, 1, 1), date(2025, 1, 1), True), (date(2025, 1, 2), date(2025, 1, 1), False),
])
def test_an_active_period_ends_on_or_after_its_start(start, end, ok):
    assert dates_in_order(start, end) is ok


@pytest.mark.parametrize("roles, expected", [
    ({1: "main_contractor", 2: "subcontractor"}, 1),
    ({1: "main_contractor", 2: "main_contractor"}, None),
    ({2: "subcontractor"}, None),
    ({}, None),
])
def test_a_company_added_from_the_day_goes_under_the_only_main_contractor(roles, expected):
    assert default_parent(roles) == expected


def test_employers_and_hiring_companies_outside_the_chain():
    assert outside_chain([(1, None), (2, 3), (4, 1)], {1, 2}) == {3, 4}
    assert outside_chain([], {1}) == set()
