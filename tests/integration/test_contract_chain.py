"""The contract chain: one company whatever the path, editing an entry, the day page's "not in the chain"
hint with its one-click add, and `flask company add`."""
import json
from datetime import date

import pytest

from app.clock import site_today, utcnow
from app.domain.contract_chain import CompanyKey
from app.extensions import db
from app.models import AttendanceDay, AuditLog, Company, SiteCompany
from app.services import card_checks, companies
from tests.support.web import login_as, make_company, make_person, make_site, make_user


@pytest.fixture
def site(app):
    return make_site("Kaia Øst")


@pytest.fixture
def main(site):
    company = make_company("Nordbygg AS", "914778271", site, role="main_contractor")
    db.session.commit()
    return db.session.scalar(db.select(SiteCompany).where(SiteCompany.company_id == company.id))


def entry(site_id, company_id) -> SiteCompany | None:
    return db.session.scalar(db.select(SiteCompany).where(SiteCompany.site_id == site_id,
                                                          SiteCompany.company_id == company_id))


def new(**fields) -> companies.NewCompany:
    values = dict(name="UAB Statybų Grupė", org_number=None, foreign_id="304567891", country="LT",
                  role="subcontractor", parent_id=None) | fields
    return companies.NewCompany(**values)


def actions(name: str) -> list[AuditLog]:
    return list(db.session.scalars(db.select(AuditLog).where(AuditLog.action == name)))


# --- one company, whatever the path -----------------------------------------------------------------

def test_a_foreign_employer_met_at_the_gate_and_added_to_the_chain_is_one_company(site):
    at_gate = card_checks.upsert_company("UAB Statybu Grupe", "304567891")  # the service gives no country
    db.session.commit()
    assert at_gate.country == "XX"
    link = companies.add_to_site(site.id, new(), "test")
    assert link.company_id == at_gate.id
    assert db.session.scalar(db.select(db.func.count(Company.id))) == 1
    assert db.session.get(Company, at_gate.id).country == "LT"  # the chain knows the country; now so do we
    again = card_checks.upsert_company("UAB Statybų Grupė", "304567891")
    assert again.id == at_gate.id and again.country == "LT"


def test_a_nuf_is_found_by_its_org_number_from_the_card_service_and_keeps_its_country(site):
    link = companies.add_to_site(site.id, new(org_number="923 609 016", country="PL", foreign_id="PL-77",
                                              name="Budimex NUF"), "test")
    assert (link.company.org_number, link.company.country, link.company.foreign_id) == ("923609016", "PL", "PL-77")
    seen = card_checks.upsert_company("Budimex NUF", "923609016")
    assert seen.id == link.company_id and seen.country == "PL"


def test_the_same_foreign_id_in_another_country_is_another_company(site):
    first = companies.add_to_site(site.id, new(), "test")
    second = companies.add_to_site(site.id, new(country="DE", name="Bau GmbH"), "test")
    assert first.company_id != second.company_id


def test_find_or_make_company_reuses_a_known_org_number(app):
    known = make_company("Elektro AS", "914778271")
    assert companies.find_or_make_company(CompanyKey("914778271", "NO", None), "Noe annet").id == known.id


@pytest.mark.parametrize("fields, code", [
    ({"country": "XX"}, "invalid_country"),
    ({"country": "NO"}, "norwegian_needs_org_number"),
    ({"foreign_id": None}, "identifier_required"),
    ({"org_number": "914778272"}, "invalid_org_number"),
    ({"role": "boss"}, "unknown_role"),
    ({"active_from": date(2025, 5, 2), "active_to": date(2025, 5, 1)}, "ends_before_start"),
])
def test_the_service_refuses_what_names_no_company_or_no_place(site, fields, code):
    with pytest.raises(companies.CompanyRefused) as refused:
        companies.add_to_site(site.id, new(**fields), "test")
    assert refused.value.code == code
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(SiteCompany.id))) == 0


# --- the chain page: add with dates, edit, never under itself --------------------------------------

def post_company(client, site, **fields):
    data = {"name": "UAB Statybų Grupė", "org_number": "", "foreign_id": "", "country": "NO",
            "role": "subcontractor", "parent_id": "", "active_from": "", "active_to": ""} | fields
    return client.post(f"/sites/{site.id}/companies", data=data)


def test_a_builder_rep_adds_a_foreign_company_under_the_main_contractor_with_its_period(client, site, main):
    login_as(client, make_user("builder_rep", site))
    response = post_company(client, site, foreign_id="304567891", country="lt", parent_id=str(main.id),
                            active_from="2025-03-01", active_to="2025-09-30")
    assert response.status_code == 302
    link = db.session.scalar(db.select(SiteCompany).where(SiteCompany.parent_id == main.id))
    assert (link.company.country, link.active_from, link.active_to) == ("LT", date(2025, 3, 1), date(2025, 9, 30))
    body = client.get(f"/sites/{site.id}/companies").get_data(as_text=True)
    assert "↳ UAB Statybų Grupė" in body and "LT 304567891" in body and "01.03.2025 – 30.09.2025" in body
    assert "Underentreprenør" in body and "Hovedentreprenør" in body and "subcontractor<" not in body
    [row] = actions("company.add_to_site")
    assert row.details["parent_id"] == main.id and "UAB" not in json.dumps(row.details)


@pytest.mark.parametrize("country, message", [("XX", "Ikke en landkode"), ("ZZ", "Ikke en landkode"),
                                              ("NO", "Et norsk firma oppgis med organisasjonsnummeret.")])
def test_a_made_up_country_is_refused_next_to_the_field(client, site, country, message):
    login_as(client, make_user("builder_rep", site))
    response = post_company(client, site, foreign_id="304567891", country=country)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Company.id))) == 0


def test_an_entry_is_edited_and_the_change_is_audited(client, site, main):
    sub = companies.add_to_site(site.id, new(), "test")
    login_as(client, make_user("builder_rep", site))
    prefix = f"entry-{sub.id}-"
    response = client.post(f"/sites/{site.id}/companies/{sub.id}", data={
        prefix + "role": "staffing_agency", prefix + "parent_id": str(main.id),
        prefix + "active_from": "2025-01-01", prefix + "active_to": ""})
    assert response.status_code == 302
    db.session.expire_all()
    link = db.session.get(SiteCompany, sub.id)
    assert (link.role, link.parent_id, link.active_from) == ("staffing_agency", main.id, date(2025, 1, 1))
    [row] = actions("company.update_in_chain")
    assert row.details["before"]["role"] == "subcontractor" and row.details["parent_id"] == main.id
    assert "Firma i kontraktskjeden endret" in client.get(f"/sites/{site.id}/audit").get_data(as_text=True)


@pytest.mark.parametrize("parent", ["self", "child", "grandchild"])
def test_an_entry_is_never_put_under_itself_or_its_own_descendant(client, site, main, parent):
    child = companies.add_to_site(site.id, new(parent_id=main.id), "test")
    grandchild = companies.add_to_site(site.id, new(name="Bau GmbH", country="DE", parent_id=child.id), "test")
    target = {"self": main, "child": child, "grandchild": grandchild}[parent]
    login_as(client, make_user("builder_rep", site))
    prefix = f"entry-{main.id}-"
    response = client.post(f"/sites/{site.id}/companies/{main.id}", data={
        prefix + "role": "main_contractor", prefix + "parent_id": str(target.id)})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(SiteCompany, main.id).parent_id is None
    assert not actions("company.update_in_chain")
    # ... and the picker does not offer them
    body = client.get(f"/sites/{site.id}/companies").get_data(as_text=True)
    form = body[body.index(f'action="/sites/{site.id}/companies/{main.id}"'):]
    form = form[:form.index("</form>")]
    assert f'value="{child.id}"' not in form and f'value="{main.id}"' not in form


def test_an_entry_period_that_ends_before_it_begins_is_refused(client, site, main):
    login_as(client, make_user("builder_rep", site))
    prefix = f"entry-{main.id}-"
    body = client.post(f"/sites/{site.id}/companies/{main.id}", data={
        prefix + "role": "main_contractor", prefix + "parent_id": "", prefix + "active_from": "2025-05-02",
        prefix + "active_to": "2025-05-01"}).get_data(as_text=True)
    assert "Siste dag kan ikke være før første dag." in body


def test_an_entry_of_another_site_is_not_found(client, site, main):
    other = make_site("Annen tomt")
    login_as(client, make_user("builder_rep", other))
    assert client.post(f"/sites/{other.id}/companies/{main.id}", data={}).status_code == 404


# --- the day page: employers not in the chain --------------------------------------------------------

def seen_at_gate(site, employer, hired_by=None, first="Jonas", last="Petraitis"):
    person = make_person(first, last)
    today = site_today(utcnow())
    row = AttendanceDay(site_id=site.id, person_id=person.id, local_date=today, employer_id=employer.id,
                        hired_by_id=hired_by.id if hired_by else None, first_in=utcnow(), is_present=True)
    db.session.add(row)
    db.session.commit()
    return row


def test_the_day_page_flags_an_employer_not_in_the_chain_and_adds_it_in_one_click(client, site, main):
    outsider = card_checks.upsert_company("UAB Statybų Grupė", "304567891")
    db.session.flush()
    row = seen_at_gate(site, outsider)
    day_url = f"/sites/{site.id}/lists/{row.local_date.isoformat()}"
    login_as(client, make_user("builder_rep", site))
    body = client.get(day_url).get_data(as_text=True)
    assert "Arbeidsgiver ikke i kontraktskjeden" in body and "arbeidsgiveren er ikke i kontraktskjeden" in body
    assert 'action="/sites/%d/companies/add-from-day"' % site.id in body

    response = client.post(f"/sites/{site.id}/companies/add-from-day",
                           data={"company_id": str(outsider.id), "day": row.local_date.isoformat()})
    assert response.status_code == 302 and response.headers["Location"].endswith(day_url)
    link = entry(site.id, outsider.id)
    assert (link.role, link.parent_id) == ("subcontractor", main.id)
    [audited] = actions("company.add_to_site")
    assert audited.details["via"] == "list_day" and audited.target_id == str(outsider.id)
    after = client.get(day_url).get_data(as_text=True)
    assert "arbeidsgiveren er ikke i kontraktskjeden" not in after and "Petraitis" in after


def test_a_hiring_company_not_in_the_chain_is_flagged_too_and_goes_to_the_top_without_one_main(client, site):
    agency = make_company("Bemanning AS", "923609016", site, role="staffing_agency")
    hirer = make_company("Snekker AS", "986986986")
    row = seen_at_gate(site, agency, hired_by=hirer)
    login_as(client, make_user("builder_rep", site))
    body = client.get(f"/sites/{site.id}/lists/{row.local_date.isoformat()}").get_data(as_text=True)
    assert "innleievirksomheten er ikke i kontraktskjeden" in body and "Snekker AS" in body
    client.post(f"/sites/{site.id}/companies/add-from-day", data={"company_id": str(hirer.id)})
    assert entry(site.id, hirer.id).parent_id is None


def test_the_one_click_add_refuses_a_company_already_there_or_unknown(client, site, main):
    login_as(client, make_user("builder_rep", site))
    for company_id in (main.company_id, 999999):
        response = client.post(f"/sites/{site.id}/companies/add-from-day", data={"company_id": str(company_id)},
                               follow_redirects=True)
        assert response.status_code == 200
    assert len(actions("company.add_to_site")) == 0


def test_a_coordinator_sees_the_hint_without_the_button_and_an_employer_sees_neither(client, site, main):
    outsider = make_company("Utenfor AS", "986986986")
    row = seen_at_gate(site, outsider)
    url = f"/sites/{site.id}/lists/{row.local_date.isoformat()}"
    login_as(client, make_user("coordinator", site))
    body = client.get(url).get_data(as_text=True)
    assert "Arbeidsgiver ikke i kontraktskjeden" in body and "add-from-day" not in body
    login_as(client, make_user("employer_viewer", site, outsider))
    assert "kontraktskjeden" not in client.get(url).get_data(as_text=True)


# --- flask company add --------------------------------------------------------------------------------

def cli(runner, *args):
    return runner.invoke(args=["company", "add", *args])


def test_the_cli_builds_a_chain_and_prints_json(runner, site):
    top = cli(runner, "--site", str(site.id), "--name", "Nordbygg AS", "--org", "914 778 271",
              "--role", "main_contractor", "--json")
    assert top.exit_code == 0, top.output
    made = json.loads(top.output)
    assert set(made) == {"site_company_id", "company_id"}
    under = cli(runner, "--site", str(site.id), "--name", "UAB Statybų Grupė", "--country", "lt", "--foreign-id",
                "304567891", "--role", "staffing_agency", "--parent", str(made["site_company_id"]),
                "--active-from", "2025-03-01", "--active-to", "2025-03-31")
    assert under.exit_code == 0 and "lagt til" in under.output and "added" in under.output
    link = db.session.scalar(db.select(SiteCompany).where(SiteCompany.parent_id == made["site_company_id"]))
    assert (link.role, link.company.country, link.active_to) == ("staffing_agency", "LT", date(2025, 3, 31))
    assert actions("company.add_to_site")[0].actor == "cli"


@pytest.mark.parametrize("args, words", [
    (["--org", "914778272"], "Ugyldig organisasjonsnummer"),
    (["--country", "XX", "--foreign-id", "1"], "Ukjent landkode"),
    (["--foreign-id", "1"], "--country"),
    ([], "Oppgi --org"),
    (["--org", "914778271", "--parent", "424242"], "--parent"),
    (["--org", "914778271", "--active-from", "2025-05-02", "--active-to", "2025-05-01"], "--active-to"),
])
def test_the_cli_says_why_in_both_languages_and_exits_non_zero(runner, site, args, words):
    result = cli(runner, "--site", str(site.id), "--name", "Firma", "--role", "subcontractor", *args)
    assert result.exit_code != 0 and words in result.output and " / " in result.output
    assert db.session.scalar(db.select(db.func.count(SiteCompany.id))) == 0


def test_the_cli_refuses_an_unknown_site_and_a_company_already_there(runner, site, main):
    assert "Ukjent byggeplass / unknown site" in cli(runner, "--site", "999999", "--name", "X", "--org", "914778271",
                                                      "--role", "subcontractor").output
    again = cli(runner, "--site", str(site.id), "--name", "X", "--org", "914778271", "--role", "subcontractor")
    assert again.exit_code != 0 and "allerede" in again.output
