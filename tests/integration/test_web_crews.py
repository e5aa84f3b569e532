"""The crew pages: upload → preview → confirm (no second upload), per-row errors, hostile files, the
add form, and the employer_rep's scope."""
import io
import re
from datetime import date

import pytest

from app.extensions import db
from app.models import AuditLog, Engagement, Person
from tests.support.web import login_as, make_company, make_site, make_user

HEADER = "name,birth_date,card_number,employer_org,hired_by_org,active_from,active_to"
ELEKTRO, BEMANNING = "914778271", "923609016"
GOOD = [f"Kari Nordmann,17.05.1984,40000000,{ELEKTRO},,,",
        f"Rūta Jankauskienė,1991-06-30,40007919,{BEMANNING},{ELEKTRO},,"]


@pytest.fixture
def crew_site(db_session):
    site = make_site()
    elektro = make_company("Elektro AS", ELEKTRO, site=site)
    bemanning = make_company("Bemanning AS", BEMANNING, site=site, role="staffing_agency")
    db.session.commit()
    return {"site": site, "elektro": elektro, "bemanning": bemanning}


@pytest.fixture
def rep(client, crew_site):
    login_as(client, make_user("builder_rep", crew_site["site"]))
    return client


def upload(client, site, content: bytes, filename="crew.csv"):
    return client.post(f"/sites/{site.id}/crew/import", data={"file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def csv(*rows) -> bytes:
    return "\n".join((HEADER, *rows)).encode()


def token(html: str) -> str:
    return re.search(r'name="rows" type="hidden" value="([^"]+)"', html).group(1)


def engagements() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Engagement))


def test_upload_previews_then_confirm_imports_without_a_second_upload(rep, crew_site):
    site = crew_site["site"]
    preview = upload(rep, site, csv(*GOOD))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Jankauskienė" in html and "Nye: 2, endret: 0, uendret: 0" in html
    assert engagements() == 0
    done = rep.post(f"/sites/{site.id}/crew/import/confirm", data={"rows": token(html)}, follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "Mannskap importert. Nye: 2" in page and "importert fra mannskapsliste" in page
    assert engagements() == 2
    again = upload(rep, site, csv(*GOOD)).get_data(as_text=True)
    assert "Nye: 0, endret: 0, uendret: 2" in again


def test_a_bad_row_is_named_and_nothing_can_be_confirmed(rep, crew_site):
    preview = upload(rep, crew_site["site"], csv(GOOD[0], "Ola,1990-01-01,4000,123,,,"))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Rad 3:" in html and "fornavn og etternavn" in html
    assert 'name="rows"' not in html and engagements() == 0


def test_a_tampered_or_foreign_token_imports_nothing(rep, crew_site, client):
    site = crew_site["site"]
    html = upload(rep, site, csv(*GOOD)).get_data(as_text=True)
    forged = token(html)[:-3] + "AAA"
    response = rep.post(f"/sites/{site.id}/crew/import/confirm", data={"rows": forged})
    assert response.status_code == 302 and engagements() == 0
    other = make_site("Fjordbyen")
    login_as(client, make_user("admin"))
    replayed = client.post(f"/sites/{other.id}/crew/import/confirm", data={"rows": token(html)})
    assert replayed.status_code == 302 and engagements() == 0


@pytest.mark.parametrize("content, filename, fragment", [
    (b"\x00\x01\x02garbage", "crew.csv", "ikke en tekstfil"),
    (b"PK\x03\x04not really a zip", "crew.xlsx", "Excel-filen kan ikke leses"),
    ("navn;født\n".encode("latin-1"), "crew.csv", "ikke UTF-8"),
    (b"foo,bar\n1,2\n", "crew.csv", "Første rad må være overskriften"),
    (csv(*[f"Kari Nordmann,17.05.1984,{40000000 + i},{ELEKTRO},,," for i in range(5001)]), "crew.csv",
     "for mange rader"),
])
def test_hostile_files_get_a_clear_message(rep, crew_site, content, filename, fragment):
    response = upload(rep, crew_site["site"], content, filename)
    assert response.status_code == 200 and fragment in response.get_data(as_text=True)


def test_a_file_over_the_limit_is_refused_with_a_page_not_a_crash(rep, crew_site):
    response = upload(rep, crew_site["site"], b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413 and "for stor" in response.get_data(as_text=True)


def test_the_add_form_registers_one_worker_and_shows_errors(rep, crew_site):
    site, elektro, bemanning = crew_site["site"], crew_site["elektro"], crew_site["bemanning"]
    empty = rep.post(f"/sites/{site.id}/crew/add", data={})
    assert empty.status_code == 200 and engagements() == 0
    bad = rep.post(f"/sites/{site.id}/crew/add", data={"name": "Kari", "birth_date": "1984-05-17",
                                                       "card_number": "4000", "employer_id": elektro.id})
    assert "fornavn og etternavn" in bad.get_data(as_text=True) and engagements() == 0
    data = {"name": "Jonas Berg", "birth_date": "17.05.1984", "card_number": "41112222",
            "employer_id": bemanning.id, "hired_by_id": elektro.id}
    done = rep.post(f"/sites/{site.id}/crew/add", data=data, follow_redirects=True)
    assert "Jonas Berg" in done.get_data(as_text=True) and "av byggeplasskontoret" in done.get_data(as_text=True)
    engagement = db.session.scalars(db.select(Engagement)).one()
    assert engagement.hired_by_id == elektro.id and engagement.registered_via == "site_office"
    assert db.session.scalars(db.select(AuditLog.action)).all() == ["engagement.add"]


def test_an_employer_rep_sees_and_registers_only_its_own_people(client, crew_site):
    site, elektro, bemanning = crew_site["site"], crew_site["elektro"], crew_site["bemanning"]
    login_as(client, make_user("employer_rep", site, elektro))
    html = upload(client, site, csv(*GOOD)).get_data(as_text=True)
    assert "Rad 3:" in html and "ditt eget firma" in html and engagements() == 0
    form = client.get(f"/sites/{site.id}/crew/add").get_data(as_text=True)
    assert "Elektro AS" in form and f'<option value="{bemanning.id}">Bemanning' not in form.split("hired_by_id")[0]
    refused = client.post(f"/sites/{site.id}/crew/add", data={
        "name": "Jonas Berg", "birth_date": "17.05.1984", "card_number": "41112222", "employer_id": bemanning.id})
    assert refused.status_code == 200 and engagements() == 0
    client.post(f"/sites/{site.id}/crew/add", data={
        "name": "Ola Hansen", "birth_date": "17.05.1984", "card_number": "41113333", "employer_id": elektro.id,
        "hired_by_id": bemanning.id})
    other = Person(first_name="Per", last_name="Annen", birth_date=date(1980, 1, 1))
    db.session.add(other)
    db.session.flush()
    db.session.add(Engagement(person_id=other.id, site_id=site.id, employer_id=bemanning.id))
    db.session.commit()
    page = client.get(f"/sites/{site.id}/crew").get_data(as_text=True)
    assert "Ola Hansen" in page and "av arbeidsgiveren" in page and "Per Annen" not in page
