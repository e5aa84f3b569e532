"""Issue 21: a worker's contact phone for the roll call, from the crew import's optional `phone` column
or the crew form. The muster list (page and PDF: present, left today, expected) and the worker's own
record show it; the § 15 list (PDF, CSV, XLSX, ELRAPP), the people and person pages and the crew page do not."""
from datetime import date, timedelta

from app.extensions import db
from app.models import Engagement, Site
from app.services.person_record import person_record
from tests.support.kiosk_api import cardsim, org_number, scan_body, utc_now, world  # noqa: F401  (fixtures)
from tests.support.pdftext import pdf_pages
from tests.support.web import login_as, make_user

HEADER = "name,birth_date,card_number,employer_org,hired_by_org,active_from,active_to"
ELEKTRO, BEMANNING, NORDBYGG = org_number(98765430), org_number(99988870), org_number(91234560)
PHONES = ("+4791234567", "98765432", "+48601234567")


def _cli(runner, *args, code=0):
    result = runner.invoke(args=list(args))
    assert result.exit_code == code, result.output
    return result.output


def _import(runner, tmp_path, site_id, *rows, header=HEADER + ",phone", code=0):
    path = tmp_path / "crew.csv"
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")
    return _cli(runner, "crew", "import", "--site", str(site_id), str(path), code=code)


def _rows(world, kari="+47 912 34 567", ruta="98 76 54 32", ola="+48 601 234 567"):
    w = world.workers
    return (f"Kari Nordmann,1984-05-17,{w['kari'].card_number},{ELEKTRO},,,,{kari}",
            f"Rūta Jankauskienė,17.05.1984,{w['ruta'].card_number},{BEMANNING},{NORDBYGG},,,{ruta}",
            f"Ola Ødegård,1984-05-17,{w['ola'].card_number},{ELEKTRO},,,,{ola}")


def _phone(world, key):
    return db.session.scalars(db.select(Engagement.phone).filter_by(
        site_id=world.site_id, person_id=world.workers[key].person_id)).one()


def _scan(client, world, key, kiosk, minutes_ago):
    body = scan_body(world.workers[key].qr, at=utc_now() - timedelta(minutes=minutes_ago))
    assert client.post("/api/v1/scans", json=body, headers=world.headers(kiosk)).json["decision"] == "accepted"


def _pdf_text(runner, tmp_path, *args) -> str:
    out = tmp_path / "out.pdf"
    _cli(runner, "list", *args, "--out", str(out))
    return "\n".join(pdf_pages(out.read_bytes()))


def test_imported_phones_are_on_the_muster_list_and_nowhere_else(client, runner, world, tmp_path):
    out = _import(runner, tmp_path, world.site_id, *_rows(world))
    assert "endret / updated: 3" in out
    assert [_phone(world, key) for key in ("kari", "ruta", "ola")] == list(PHONES)
    _scan(client, world, "kari", "in", 30)  # present
    _scan(client, world, "ola", "in", 40)  # came and left
    _scan(client, world, "ola", "out", 20)
    # Rūta is engaged and not scanned: expected. Łukasz has no phone.

    site, today = str(world.site_id), date.today().isoformat()
    muster_pdf = _pdf_text(runner, tmp_path, "muster", "--site", site)
    assert all(phone in muster_pdf for phone in PHONES), muster_pdf
    assert "Jankauskienė, Rūta – Bemanning Nord AS – tlf. 98765432" in muster_pdf  # expected
    assert "Ødegård, Ola – Elektro Øst AS – tlf. +48601234567" in muster_pdf  # left today

    login_as(client, make_user("builder_rep", db.session.get(Site, world.site_id)))
    muster_page = client.get(f"/sites/{site}/muster").get_data(as_text=True)
    assert all(f'<td class="phone">{phone}</td>' in muster_page for phone in PHONES)
    web_pdf = client.get(f"/sites/{site}/muster.pdf")
    assert web_pdf.status_code == 200 and "+4791234567" in "\n".join(pdf_pages(web_pdf.data))

    # Nowhere else: the § 15 list in every format, the people and person pages, the crew page.
    db.session.get(Site, world.site_id).contract_id = "4711"  # ELRAPP needs one
    db.session.commit()
    list_pdf = _pdf_text(runner, tmp_path, "pdf", "--site", site, "--date", today)
    assert "Nordmann" in list_pdf and not any(phone in list_pdf for phone in PHONES)
    for kind in ("csv", "xlsx", "elrapp"):
        path = tmp_path / f"list.{kind}"
        _cli(runner, "list", kind, "--site", site, "--date", today, "--out", str(path))
        content = path.read_bytes()
        if kind == "xlsx":
            from openpyxl import load_workbook
            book = load_workbook(path)
            content = "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True)
                                for cell in row).encode()
        assert "Nordmann".encode() in content and not any(phone.encode() in content for phone in PHONES), kind
    kari = world.workers["kari"].person_id
    for page in (f"/sites/{site}/people", f"/sites/{site}/people/{kari}", f"/sites/{site}/crew"):
        body = client.get(page).get_data(as_text=True)
        assert "Nordmann" in body and not any(phone in body for phone in PHONES), page

    # The worker's own record (GDPR art. 15) has it: it is theirs.
    assert person_record(kari, world.site_id)["engagements"][0]["phone"] == "+4791234567"


def test_a_reimport_changes_the_phone_and_is_idempotent_otherwise(runner, world, tmp_path):
    _import(runner, tmp_path, world.site_id, *_rows(world))
    again = _import(runner, tmp_path, world.site_id, *_rows(world))
    assert "endret / updated: 0" in again and "uendret / unchanged: 3" in again and "Ingenting nytt" in again
    changed = _import(runner, tmp_path, world.site_id, *_rows(world, kari="+47 400 00 000"))
    assert "endret / updated: 1" in changed and "uendret / unchanged: 2" in changed
    assert _phone(world, "kari") == "+4740000000"
    # Seven columns: exactly as before, a stored phone is left alone.
    seven = _import(runner, tmp_path, world.site_id, *(row.rsplit(",", 1)[0] for row in _rows(world)),
                    header=HEADER)
    assert "uendret / unchanged: 3" in seven and _phone(world, "kari") == "+4740000000"
    # The phone column is the truth when present: an empty cell removes the phone.
    cleared = _import(runner, tmp_path, world.site_id, *_rows(world, kari=""))
    assert "endret / updated: 1" in cleared and _phone(world, "kari") is None


def test_a_bad_phone_imports_nothing(runner, world, tmp_path):
    out = _import(runner, tmp_path, world.site_id, *_rows(world, ruta="98-76-54-32"), code=1)
    assert "Rad 3: Telefon: «98-76-54-32» er ikke et telefonnummer" in out and "Row 3: Phone:" in out
    assert _phone(world, "kari") is None


def test_the_employer_gives_the_phone_on_the_crew_form(client, world):
    site = db.session.get(Site, world.site_id)
    login_as(client, make_user("builder_rep", site))
    electro = db.session.scalars(db.select(Engagement.employer_id).filter_by(
        person_id=world.workers["kari"].person_id)).first()
    data = {"name": "Jonas Berg", "birth_date": "17.05.1984", "card_number": "41112222", "employer_id": electro,
            "hired_by_id": 0, "phone": "12-34"}
    bad = client.post(f"/sites/{site.id}/crew/add", data=data)
    assert bad.status_code == 200 and "er ikke et telefonnummer" in bad.get_data(as_text=True)
    form = client.get(f"/sites/{site.id}/crew/add").get_data(as_text=True)
    assert 'name="phone"' in form and "Vises bare på evakueringslisten" in form
    done = client.post(f"/sites/{site.id}/crew/add", data={**data, "phone": "+47 415 55 555"})
    assert done.status_code == 302
    jonas = db.session.scalars(db.select(Engagement).where(Engagement.phone.is_not(None))).one()
    assert jonas.phone == "+4741555555" and jonas.registered_via == "site_office"


def test_the_worker_sees_their_own_phone_through_the_self_service_link(app, client, runner, world, tmp_path):
    import json
    import re

    _import(runner, tmp_path, world.site_id, *_rows(world))
    login_as(client, make_user("builder_rep", db.session.get(Site, world.site_id)))
    kari = world.workers["kari"].person_id
    page = client.post(f"/sites/{world.site_id}/self-service", data={"person_id": str(kari)}).get_data(as_text=True)
    token = re.search(r'id="self-service-url">[^<]*/me/([^<]+)<', page).group(1)
    worker = app.test_client()
    assert worker.get(f"/me/{token}").status_code == 302
    mine = worker.get("/me").get_data(as_text=True)
    assert "+4791234567" in mine and "98765432" not in mine  # hers, and nobody else's
    assert [e["phone"] for e in json.loads(worker.get("/me/data.json").data)["engagements"]] == ["+4791234567"]
    assert "kontakttelefonnummer" in client.get(f"/sites/{world.site_id}/personvern").get_data(as_text=True)
