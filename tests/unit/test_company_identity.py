"""One company identity, whatever path names it (app/domain/contract_chain.py): the card service's one
identifier is read as an org number first and then as a foreign company's id at home."""
import pytest

from app.domain.contract_chain import (
    CompanyKey, KnownCompany, card_service_keys, filled_in, names_stored_company, pick_first,
)

REGON = "904567884"  # a Polish REGON that happens to pass the Norwegian mod-11 check
PL_FROM_CHAIN = KnownCompany(1, None, "PL", REGON)
NORSK = KnownCompany(2, "914778271", "NO", None)
SAME_NUMBER_IN_NORWAY = KnownCompany(3, REGON, "NO", None)
LT = KnownCompany(4, None, "LT", "304567891")


@pytest.mark.parametrize("identifier, keys", [
    ("914778271", (CompanyKey("914778271", "NO", None), CompanyKey(None, "XX", "914778271"))),
    (f" {REGON} ", (CompanyKey(REGON, "NO", None), CompanyKey(None, "XX", REGON))),
    ("304567891", (CompanyKey(None, "XX", "304567891"),)),  # fails mod-11: only a foreign id
])
def test_what_the_card_services_identifier_may_name(identifier, keys):
    assert card_service_keys(identifier) == keys


@pytest.mark.parametrize("identifier, known, expected", [
    (REGON, [PL_FROM_CHAIN], 1),  # the chain's Polish company, not a new "Norwegian" one
    (REGON, [PL_FROM_CHAIN, SAME_NUMBER_IN_NORWAY], 3),  # an org number wins over a foreign id
    ("914778271", [NORSK, PL_FROM_CHAIN], 2),
    ("304567891", [LT, NORSK], 4),
    ("914778271", [PL_FROM_CHAIN], None),  # nobody has it: a new company
])
def test_the_card_service_finds_the_company_the_chain_has(identifier, known, expected):
    found = pick_first(card_service_keys(identifier), known)
    assert (found[0] if found else None) == expected


def test_a_foreign_id_read_from_the_card_service_adds_no_org_number():
    chosen, key = pick_first(card_service_keys(REGON), [PL_FROM_CHAIN])
    assert filled_in(PL_FROM_CHAIN, key) == {}  # it stays "PL 904567884", not an org number


# --- names_stored_company: when a card's new answer can be written with the scan ----------------

NO_COMPANY = KnownCompany(7, "987654325", "NO", None)


@pytest.mark.parametrize("identifier, stored, names_it", [
    ("987654325", NO_COMPANY, True),
    ("987 654 325", NO_COMPANY, True),  # the same org number, spaced
    ("912345679", NO_COMPANY, False),  # another org number: another company
    ("987654325", KnownCompany(7, "987654325", "XX", None), False),  # the country would be filled in
    ("987654325", KnownCompany(7, None, "LT", "987654325"), False),  # stored by a foreign id: the whole rule decides
    ("304567891X", KnownCompany(7, None, "XX", "304567891X"), False),  # a foreign id may name several companies
])
def test_names_stored_company_only_beyond_doubt(identifier, stored, names_it):
    assert names_stored_company(identifier, stored) is names_it
