"""Crews (app/services/crews.py, `flask crew`): all or nothing, idempotent, one person per card, hired-in
workers on the § 15 list, the employer_rep's scope, and the audit log."""
from datetime import date

import pytest

from app.extensions import db
from app.models import AuditLog, Card, Engagement, Person
from app.services import crews, lists
from app.services.crews import CrewRefused, Member
from tests.support.kiosk_api import cardsim, minutes, scan_body, utc_now, world  # noqa: F401  (fixtures)
from tests.support.web import make_company, make_site

HEADER = "name,birth_date,card_number,employer_org,hired_by_org,active_from,active_to"
TODAY = date(2026, 3, 10)
ELEKTRO, BEMANNING, OUTSIDER = "914778271", "923609016", "974760673"


@pytest.fixture
def site(db_session):
    site = make_site()
    make_company("Elektro AS", ELEKTRO, site=site)
    make_company("Bemanning AS", BEMANNING, site=site, role="staffing_agency")
    make_company("Utenfor AS", OUTSIDER)  # known, but not on this site's chain
    db.session.commit()
    return site


def csv(*rows: str) -> bytes:
    return ("\n".join((HEADER, *rows)) + "\n").encode()


GOOD = (f"Kari Nordmann,1984-05-17,40000000,{ELEKTRO},,,",
        f"Rūta Jankauskienė,30.06.1991,40007919,{BEMANNING},{ELEKTRO},2026-03-01,")


def run_import(site, content: bytes, **kwargs):
    return crews.import_crew(site.id, crews.parse_file(content, "crew.csv", TODAY), "test", **kwargs)


def counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(db.select(db.func.count()).select_from(m)) for m in (Person, Card, Engagement))


def test_an_import_creates_people_cards_and_engagements(site):
    plan = run_import(site, csv(*GOOD))
    assert plan.ok and plan.counts == {"create": 2, "update": 0, "unchanged": 0}
    assert counts() == (2, 2, 2)
    ruta = db.session.scalars(db.select(Engagement).join(Person).where(Person.last_name == "Jankauskienė")).one()
    assert ruta.employer.org_number == BEMANNING and ruta.hired_by.org_number == ELEKTRO
    assert ruta.registered_via == "import" and ruta.active_from == date(2026, 3, 1)
    card = db.session.scalars(db.select(Card).where(Card.number == "40007919")).one()
    assert card.person_id == ruta.person_id and card.employer_id == ruta.employer_id and card.last_status is None


def test_one_bad_row_imports_nothing(site):
    plan = run_import(site, csv(*GOOD, f"Ola Hansen,1990-01-01,40000001,{OUTSIDER},,,"))
    assert not plan.ok and [e.row for e in plan.errors] == [4]
    assert "Arbeidsgiveren er ikke i kontraktskjeden" in plan.errors[0].text
    assert counts() == (0, 0, 0) and not db.session.scalar(db.select(db.func.count()).select_from(AuditLog))


def test_a_hiring_company_off_the_chain_is_an_error(site):
    plan = run_import(site, csv(f"Ola Hansen,1990-01-01,40000001,{BEMANNING},{OUTSIDER},,"))
    assert "Innleievirksomheten er ikke i kontraktskjeden" in plan.errors[0].text and counts() == (0, 0, 0)


def test_the_same_file_again_changes_nothing_and_a_changed_row_updates(site):
    run_import(site, csv(*GOOD))
    again = run_import(site, csv(*GOOD))
    assert again.counts == {"create": 0, "update": 0, "unchanged": 2} and counts() == (2, 2, 2)
    changed = run_import(site, csv(GOOD[0], f"Rūta Jankauskienė,30.06.1991,40007919,{BEMANNING},,2026-03-01,2026-06-30"))
    assert changed.counts == {"create": 0, "update": 1, "unchanged": 1} and counts() == (2, 2, 2)
    ruta = db.session.scalars(db.select(Engagement).where(Engagement.employer.has(org_number=BEMANNING))).one()
    assert ruta.hired_by_id is None and ruta.active_to == date(2026, 6, 30)
    audits = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "crew.import").order_by(AuditLog.id)).all()
    assert [a.details["update"] for a in audits] == [0, 0, 1]
    assert all("Rūta" not in str(a.details) and "40007919" not in str(a.details) for a in audits)


def test_a_dry_run_writes_nothing(site):
    plan = run_import(site, csv(*GOOD), dry_run=True)
    assert plan.ok and plan.count("create") == 2 and counts() == (0, 0, 0)


def test_a_known_card_must_belong_to_the_person_in_the_row(site):
    run_import(site, csv(GOOD[0]))
    plan = run_import(site, csv(f"Kari Nordmann,1984-05-18,40000000,{ELEKTRO},,,"))
    assert "registrert på en annen person" in plan.errors[0].text


def test_a_new_card_for_someone_on_the_site_keeps_them_one_person(site):
    run_import(site, csv(GOOD[0]))
    run_import(site, csv(f"KARI  Nordmann,17.05.1984,40000002,{ELEKTRO},,,"))
    assert counts() == (1, 2, 1)


def test_an_employer_rep_registers_only_its_own_people(site):
    own = next(c.id for c in crews.chain_companies(site.id) if c.org_number == ELEKTRO)
    plan = crews.import_crew(site.id, crews.parse_file(csv(*GOOD), "x.csv", TODAY), "test", company_scope=own)
    assert [e.row for e in plan.errors] == [3] and "ditt eget firma" in plan.errors[0].text
    member = Member("Ola", "Hansen", date(1990, 1, 1), "40000001", employer_id=own)
    engagement, action = crews.add_member(site.id, member, "test", company_scope=own, via="employer")
    assert action == "create" and engagement.registered_via == "employer"
    assert db.session.scalars(db.select(AuditLog.action)).all() == ["engagement.add"]


def test_add_member_refuses_a_company_off_the_chain(site):
    other = make_company("Annen AS", "981129822")
    with pytest.raises(CrewRefused) as refused:
        crews.add_member(site.id, Member("Ola", "Hansen", date(1990, 1, 1), "40000001", other.id), "test")
    assert refused.value.field == "employer" and counts() == (0, 0, 0)


# --- the CLI --------------------------------------------------------------------------------------


def test_cli_import_prints_counts_and_refuses_a_bad_file(site, runner, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv(*GOOD, "Ola,1990-01-01,4000,123,,,"))
    result = runner.invoke(args=["crew", "import", "--site", str(site.id), str(bad)])
    assert result.exit_code == 1 and "Rad 4:" in result.output and "Ingenting importert" in result.output
    assert counts() == (0, 0, 0)
    good = tmp_path / "good.csv"
    good.write_bytes(csv(*GOOD).replace(b",", b";"))
    dry = runner.invoke(args=["crew", "import", "--site", str(site.id), str(good), "--dry-run"])
    assert dry.exit_code == 0 and "created: 2" in dry.output and counts() == (0, 0, 0)
    first = runner.invoke(args=["crew", "import", "--site", str(site.id), str(good)])
    assert first.exit_code == 0 and "created: 2" in first.output
    second = runner.invoke(args=["crew", "import", "--site", str(site.id), str(good)])
    assert "unchanged: 2" in second.output and "nothing new" in second.output and counts() == (2, 2, 2)


@pytest.mark.parametrize("content", [b"\x00\x01garbage", b"PK\x03\x04broken zip", b"x" * (1024 * 1024 + 10),
                                     "name;født\n".encode("latin-1")])
def test_cli_import_of_a_hostile_file_is_one_clear_error(site, runner, tmp_path, content):
    path = tmp_path / "crew.xlsx"
    path.write_bytes(content)
    result = runner.invoke(args=["crew", "import", "--site", str(site.id), str(path)])
    assert result.exit_code == 1 and "Error:" in result.output and "Traceback" not in result.output


def test_cli_import_reads_xlsx(site, runner, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["Kari Nordmann", date(1984, 5, 17), 40000000, int(ELEKTRO), None, None, None])
    sheet.append(["Ola Hansen", "1990-01-01", "40000001", ELEKTRO, None, "=TODAY()", None])
    path = tmp_path / "crew.xlsx"
    book.save(path)
    result = runner.invoke(args=["crew", "import", "--site", str(site.id), str(path)])
    assert result.exit_code == 1 and "Rad 3: Raden har en formel" in result.output
    sheet.delete_rows(3)
    book.save(path)
    assert runner.invoke(args=["crew", "import", "--site", str(site.id), str(path)]).exit_code == 0
    assert counts() == (1, 1, 1)


def test_cli_add_uses_a_known_card(site, runner):
    run_import(site, csv(GOOD[0]))
    result = runner.invoke(args=["crew", "add", "--site", str(site.id), "--card", "40000000",
                                 "--employer-org", BEMANNING, "--hired-by-org", ELEKTRO])
    assert result.exit_code == 0, result.output
    assert counts() == (1, 1, 2)
    off_chain = runner.invoke(args=["crew", "add", "--site", str(site.id), "--card", "40000000",
                                    "--employer-org", OUTSIDER])
    assert off_chain.exit_code == 1 and "kontraktskjeden" in off_chain.output


def test_cli_add_asks_the_card_service_for_an_unknown_card(app, runner, world, cardsim):  # noqa: F811
    from tests.support.kiosk_api import org_number, set_faults

    elektro = org_number(98765430)
    world.put_card("41112222", first="Jonas", last="Berg", employer=("Elektro Øst AS", elektro))
    result = runner.invoke(args=["crew", "add", "--site", str(world.site_id), "--card", "41112222",
                                 "--employer-org", elektro])
    assert result.exit_code == 0, result.output
    card = db.session.scalars(db.select(Card).where(Card.number == "41112222")).one()
    assert card.person.name == "Jonas Berg" and card.last_status == "valid"
    unknown = runner.invoke(args=["crew", "add", "--site", str(world.site_id), "--card", "49999999",
                                  "--employer-org", elektro])
    assert unknown.exit_code == 1 and "Ukjent HMS-kort" in unknown.output
    set_faults(cardsim, "down")
    try:
        down = runner.invoke(args=["crew", "add", "--site", str(world.site_id), "--card", "48888888",
                                   "--employer-org", elektro])
    finally:
        set_faults(cardsim, "ok")
    assert down.exit_code == 1 and "svarer ikke" in down.output


# --- § 15 c: the imported hired-in worker, scanned at the gate -----------------------------------


def test_an_imported_hired_in_worker_scanned_later_is_one_person_with_innleid_av(app, client, world):  # noqa: F811
    from tests.support.kiosk_api import org_number

    agency, main = org_number(99988870), org_number(91234560)
    content = csv(f"Jonas Berg,17.05.1984,42223333,{agency},{main},,")
    plan = crews.import_crew(world.site_id, crews.parse_file(content, "c.csv", TODAY), "test")
    assert plan.ok, [e.text for e in plan.errors]
    world.put_card("42223333", first="Jonas", last="Berg", employer=("Bemanning Nord AS", agency))
    at = utc_now() - minutes(1)
    response = client.post("/api/v1/scans", json=scan_body("42223333", at=at), headers=world.headers())
    assert response.status_code == 200 and response.json["decision"] == "accepted", response.json
    assert db.session.scalar(db.select(db.func.count()).select_from(Person).where(Person.last_name == "Berg")) == 1
    entry = next(e for e in lists.build_day(world.site_id, _local(at)).entries
                 if e.last_name == "Berg")
    assert entry.employer.name == "Bemanning Nord AS" and entry.hired_by.name == world.main_contractor
    assert entry.card_number == "42223333"


def _local(moment):
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Europe/Oslo")).date()
