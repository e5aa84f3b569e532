"""A foreign employer the card service names without a country (issue 15, item 13): never "XX" to a
person, one company whatever path names it, the org number (NUF) preferred, no invented country."""
from app.domain.contract_chain import key_from_card_service
from app.domain.countries import company_identifier
from app.extensions import db
from app.models import Company
from app.services import companies, followups
from app.services.companies import NewCompany
from tests.support.builders import make_site


def test_what_a_person_reads_never_has_the_unknown_country():
    assert company_identifier(None, "XX", "40003123456") == "40003123456"
    assert company_identifier(None, "LT", "304567891") == "LT 304567891"
    assert company_identifier("923609016", "LT", "304567891") == "923609016"  # the NUF number first


def test_a_gate_employer_without_country_shows_its_id_and_the_chain_form_completes_it(db_session):
    site = make_site()
    seen = companies.find_or_make_company(key_from_card_service("40003123456"), "UAB Statyba")
    db.session.commit()
    assert seen.country == "XX" and seen.identifier == "40003123456" and "XX" not in seen.identifier
    link = companies.add_to_site(site.id, NewCompany("UAB Statyba", None, "40003123456", "LT", "subcontractor",
                                                     None), "test")
    assert link.company_id == seen.id and db.session.query(Company).count() == 1  # not duplicated
    assert db.session.get(Company, seen.id).identifier == "LT 40003123456"  # the country a person gave


def test_a_notice_names_such_an_employer_without_xx():
    class Unknown:
        name, org_number, country, foreign_id = "UAB Statyba", None, "XX", "40003123456"

    assert followups._company_line(Unknown()) == "UAB Statyba (40003123456)"
