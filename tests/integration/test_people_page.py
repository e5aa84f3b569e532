"""The people page: everyone on the site once (seen at the gate, expected, or with a card on order),
searchable by name, card number and employer, in bokmål words, scoped for an employer."""
from datetime import timedelta

import pytest

from app.clock import site_today, utcnow
from app.extensions import db
from app.models import AttendanceDay, Card, CardOrder, Engagement
from app.services import people
from tests.support.web import login_as, make_company, make_person, make_site, make_user

RAW_CODES = ("not_valid", "construction", "cleaning", "confiscated", "staffing_agency", ">valid<", ">blocked<")


@pytest.fixture
def world(app):
    site = make_site("Kaia Øst")
    elektro = make_company("Elektro Øst AS", "987654309", site)
    agency = make_company("Bemanning Nord AS", "923609016", site, role="staffing_agency")
    today = site_today(utcnow())
    gate_only = make_person("Jonas", "Petraitis")  # met at the gate only: no engagement
    expected = make_person("Åse", "Ødegård")
    hired = make_person("Ola", "Aas")
    ordered = make_person("Zofia", "Nowak")
    ended = make_person("Håkon", "Strøm")
    db.session.add_all([
        Card(number="11112222", person_id=gate_only.id, employer_id=agency.id, card_type="construction",
             last_status="not_valid"),
        Card(number="33334444", person_id=expected.id, employer_id=elektro.id, card_type="cleaning",
             last_status="valid"),
        AttendanceDay(site_id=site.id, person_id=gate_only.id, local_date=today - timedelta(days=3),
                      employer_id=agency.id, hired_by_id=elektro.id, is_present=False),
        AttendanceDay(site_id=site.id, person_id=gate_only.id, local_date=today - timedelta(days=9),
                      employer_id=agency.id, is_present=False),
        Engagement(person_id=expected.id, site_id=site.id, employer_id=elektro.id),
        Engagement(person_id=hired.id, site_id=site.id, employer_id=agency.id, hired_by_id=elektro.id,
                   active_from=today - timedelta(days=1)),
        AttendanceDay(site_id=site.id, person_id=hired.id, local_date=today, employer_id=agency.id,
                      hired_by_id=elektro.id, is_present=True),
        Engagement(person_id=ended.id, site_id=site.id, employer_id=elektro.id, active_to=today - timedelta(days=1)),
        CardOrder(site_id=site.id, person_id=ordered.id, employer_id=elektro.id, order_reference="B-1",
                  approved_by="Bjørn", valid_until=today + timedelta(days=10)),
    ])
    db.session.commit()
    return dict(site=site, elektro=elektro, agency=agency, today=today, gate_only=gate_only, expected=expected,
                hired=hired, ordered=ordered, ended=ended)


def page(client, world, query="") -> str:
    response = client.get(f"/sites/{world['site'].id}/people{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_everyone_is_listed_once_in_norwegian_order(app, world):
    lines = people.people_on_site(world["site"].id, world["today"])
    # "Aa" is å: Aas sorts last, after Ødegård (issue 15, item 3)
    assert [line.last_name for line in lines] == ["Nowak", "Petraitis", "Strøm", "Ødegård", "Aas"]
    by_name = {line.last_name: line for line in lines}
    gate = by_name["Petraitis"]
    assert gate.last_day == world["today"] - timedelta(days=3) and not gate.expected
    assert (gate.employer.name, gate.hired_by.name) == ("Bemanning Nord AS", "Elektro Øst AS")
    assert by_name["Aas"].expected and by_name["Aas"].last_day == world["today"]
    assert by_name["Ødegård"].expected and by_name["Ødegård"].last_day is None
    assert not by_name["Strøm"].expected
    assert by_name["Nowak"].card_on_order and by_name["Nowak"].employer.name == "Elektro Øst AS"


def test_the_page_shows_a_person_only_seen_at_the_gate_in_bokmal_words(client, world):
    login_as(client, make_user("coordinator", world["site"]))
    body = page(client, world)
    for name in ("Jonas Petraitis", "Åse Ødegård", "Ola Aas", "Zofia Nowak", "Håkon Strøm"):
        assert name in body
    assert body.count("Jonas Petraitis") == 1
    for words in ("Ikke gyldig", "Gyldig", "Bygg og anlegg", "Renhold", "HMS-kort bestilt", "ventet",
                  "ikke ventet", "Siste dag på listen", "Innleid av"):
        assert words in body, words
    assert (world["today"] - timedelta(days=3)).strftime("%d.%m.%Y") in body
    for code in RAW_CODES:
        assert code not in body, code


def test_the_person_page_says_card_status_and_type_in_words(client, world):
    login_as(client, make_user("builder_rep", world["site"]))
    body = client.get(f"/sites/{world['site'].id}/people/{world['gate_only'].id}").get_data(as_text=True)
    assert "Ikke gyldig" in body and "Bygg og anlegg" in body
    assert "not_valid" not in body and "construction" not in body
    assert client.get(f"/sites/{world['site'].id}/people/{world['ordered'].id}").status_code == 200


@pytest.mark.parametrize("query, found", [
    ("?q=11112222", {"Jonas Petraitis"}),  # an HMS card number
    ("?q=1111 2222", {"Jonas Petraitis"}),
    ("?q=923 609 016", {"Jonas Petraitis", "Ola Aas"}),  # the employer's org number, as people type it
    ("?q=987654309", {"Åse Ødegård", "Zofia Nowak", "Håkon Strøm", "Jonas Petraitis", "Ola Aas"}),  # also "hired by"
    ("?q=bemanning", {"Jonas Petraitis", "Ola Aas"}),  # the employer's name
    ("?q=ØDEGÅRD", {"Åse Ødegård"}),
    ("?q=ola aas", {"Ola Aas"}),
    ("?q=nobody-at-all", set()),
])
def test_search_by_name_card_number_and_employer(client, world, query, found):
    login_as(client, make_user("builder_rep", world["site"]))
    body = page(client, world, query)
    everyone = {"Jonas Petraitis", "Åse Ødegård", "Ola Aas", "Zofia Nowak", "Håkon Strøm"}
    assert {name for name in everyone if name in body} == found


def test_an_employer_sees_only_its_own_people(client, world):
    login_as(client, make_user("employer_viewer", world["site"], world["agency"]))
    body = page(client, world)
    assert "Jonas Petraitis" in body and "Ola Aas" in body
    for other in ("Åse Ødegård", "Zofia Nowak", "Håkon Strøm"):
        assert other not in body
    assert "Åse" not in page(client, world, "?q=33334444")
    assert client.get(f"/sites/{world['site'].id}/people/{world['ordered'].id}").status_code == 404


def test_what_people_type_in_the_search_box_is_harmless(client, world):
    login_as(client, make_user("builder_rep", world["site"]))
    for query in ("?q=%25", "?q=_", "?q=" + "x" * 5000, "?q=%00", "?q=<script>"):
        assert client.get(f"/sites/{world['site'].id}/people{query}").status_code == 200
    assert "<script>" not in page(client, world, "?q=<script>")


def test_a_big_site_is_a_handful_of_queries(app, world):
    """Plain-column queries, not one per person (presence.py explains why)."""
    from sqlalchemy import event

    elektro = world["elektro"]
    for n in range(200):
        person = make_person(f"Arbeider{n}", "Hansen")
        db.session.add(Engagement(person_id=person.id, site_id=world["site"].id, employer_id=elektro.id))
        db.session.add(Card(number=f"9{n:07d}", person_id=person.id, employer_id=elektro.id, last_status="valid"))
    db.session.commit()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        lines = people.people_on_site(world["site"].id, world["today"])
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(lines) == 205 and len(statements) <= 6
