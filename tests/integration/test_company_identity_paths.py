"""Named fix (issue 17, item 3): a foreign employer is one company whether the chain page or the card
service names it. Before, a foreign id that happened to pass the Norwegian mod-11 check (a Polish REGON
such as 904567884) was read at the gate as a new Norwegian company next to the one on the chain."""
from app.extensions import db
from app.models import Company
from app.services import card_checks, companies
from app.services.companies import NewCompany
from tests.support.builders import make_site

REGON = "904567884"


def test_the_chain_and_the_gate_give_the_same_foreign_company(db_session):
    site = make_site()
    link = companies.add_to_site(site.id, NewCompany("Budimex Sp. z o.o.", None, REGON, "PL", "subcontractor", None),
                                 "test")
    seen = card_checks.upsert_company("BUDIMEX SPOLKA", REGON)
    db.session.commit()
    assert seen.id == link.company_id and db.session.query(Company).count() == 1
    stored = db.session.get(Company, seen.id)
    assert (stored.org_number, stored.country, stored.identifier) == (None, "PL", f"PL {REGON}")


def test_a_norwegian_org_number_from_the_gate_still_finds_or_makes_the_norwegian_company(db_session):
    make_site()
    first = card_checks.upsert_company("Nordbygg AS", "914778271")
    db.session.commit()
    again = card_checks.upsert_company("Nordbygg AS", "914 778 271")
    db.session.commit()
    assert again.id == first.id and (first.org_number, first.country, first.foreign_id) == ("914778271", "NO", None)
