"""Issue 21: visitors on the evacuation list (never on § 15) and the site's safety induction at the gate.

The CLI contract (`flask visitor …`, `flask induction …`) and the kiosk API against the card-service emulator.
"""
import json
from datetime import date, timedelta

from app.clock import utcnow
from app.extensions import db
from app.models import AuditLog, InductionCompletion, ScanEvent, Visitor
from app.services import induction
from tests.support.kiosk_api import (  # noqa: F401  (fixtures)
    cardsim, fresh_card_service, scan_body, utc_now, world,
)
from tests.support.pdftext import pdf_pages

TEXT = "# Velkommen\n\nMøteplassen er ved porten. <script>alert(1)</script>\n"
QUESTIONS = "Hvor er møteplassen? | Where is the muster point?\n- Ved kranen | By the crane\n* Ved porten | At the gate\n"


def _cli(runner, *args):
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _muster_text(runner, tmp_path, site_id) -> str:
    out = tmp_path / "muster.pdf"
    _cli(runner, "list", "muster", "--site", str(site_id), "--out", str(out))
    return "\n".join(pdf_pages(out.read_bytes()))


def _set(runner, tmp_path, site_id, mode, *extra):
    text, questions = tmp_path / "induksjon.md", tmp_path / "sporsmal.txt"
    text.write_text(TEXT, encoding="utf-8")
    questions.write_text(QUESTIONS, encoding="utf-8")
    return _cli(runner, "induction", "set", "--site", str(site_id), "--mode", mode, "--valid-months", "12",
                "--text", str(text), "--questions", str(questions), *extra)


def _scan(client, world, payload, minutes_ago=0):
    body = scan_body(payload, at=utc_now() - timedelta(minutes=minutes_ago))
    return client.post("/api/v1/scans", json=body, headers=world.headers("in")).json


def test_a_visitor_is_on_the_muster_list_never_on_the_list_and_goes_with_retention(runner, world, tmp_path):
    site = str(world.site_id)
    added = json.loads(_cli(runner, "visitor", "add", "--site", site, "--name", "Ina Inspektør", "--company",
                            "Arbeidstilsynet", "--host", "Bjørn Byggleder", "--phone", "+47 912 34 567", "--json"))
    text = _muster_text(runner, tmp_path, world.site_id)
    assert "Ina Inspektør" in text and "Besøkende" in text and "+47 912 34 567" in text and "Bjørn Byggleder" in text
    csv_file = tmp_path / "liste.csv"
    _cli(runner, "list", "csv", "--site", site, "--date", date.today().isoformat(), "--out", str(csv_file))
    assert "Ina" not in csv_file.read_text(encoding="utf-8-sig")  # § 15: a visitor does not work here
    _cli(runner, "visitor", "out", str(added["id"]))
    assert "Ina Inspektør" not in _muster_text(runner, tmp_path, world.site_id)
    later = (date.today() + timedelta(days=31)).isoformat()
    assert "besøkende / visitors: 1" in _cli(runner, "retention", "purge", "--as-of", later)
    assert db.session.get(Visitor, added["id"]) is None
    purge = db.session.scalars(db.select(AuditLog).filter_by(action="retention.purge")).one()
    assert purge.details["visitors"] == 1 and "Ina" not in json.dumps(purge.details)
    actions = {row.action for row in db.session.scalars(db.select(AuditLog))}
    assert {"visitor.add", "visitor.out"} <= actions


def test_a_recent_visitor_survives_the_purge(runner, world):
    _cli(runner, "visitor", "add", "--site", str(world.site_id), "--name", "Dag Sjåfør", "--host", "Port",
         "--phone", "99999999")
    _cli(runner, "retention", "purge")
    assert db.session.scalars(db.select(Visitor)).one().name == "Dag Sjåfør"


def test_refuse_mode_refuses_until_the_induction_is_done(client, runner, world, tmp_path):
    kari = world.workers["kari"]
    _set(runner, tmp_path, world.site_id, "refuse")
    refused = _scan(client, world, kari.qr, minutes_ago=3)
    assert refused["decision"] == "rejected" and refused["reason"] == "induction_missing"
    assert "HMS-introduksjon" in refused["message"]["nb"] and "induction" in refused["message"]["en"]
    site_id, person_id = induction.read_token(refused["induction_url"].rsplit("/", 1)[1])
    assert (site_id, person_id) == (world.site_id, kari.person_id)
    _cli(runner, "induction", "complete", "--site", str(world.site_id), "--card", kari.card_number, "--by", "Bjørn")
    accepted = _scan(client, world, kari.card_number, minutes_ago=1)
    assert accepted["decision"] == "accepted" and "induction_url" not in accepted
    done = db.session.scalars(db.select(InductionCompletion)).one()
    assert (done.method, done.held_by, done.version) == ("briefing", "Bjørn", 1)


def test_warn_mode_lets_in_and_flags(client, runner, world, tmp_path):
    _set(runner, tmp_path, world.site_id, "warn")
    answer = _scan(client, world, world.workers["kari"].card_number)
    assert answer["decision"] == "accepted" and "induction_missing" in answer["warnings"]
    assert "induction_missing" in db.session.get(ScanEvent, answer["id"]).warnings


def test_off_mode_and_other_sites_are_untouched(client, runner, world, tmp_path):
    _set(runner, tmp_path, world.site_id, "off")
    assert _scan(client, world, world.workers["kari"].card_number)["warnings"] == []


def test_the_phone_link_completes_it_and_a_new_version_can_require_it_again(client, runner, world, tmp_path):
    kari = world.workers["kari"]
    _set(runner, tmp_path, world.site_id, "refuse")
    token = induction.make_token(world.site_id, kari.person_id)
    page = client.get(f"/induction/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Velkommen</h1>" in html and "<script>alert(1)</script>" not in html  # no raw HTML
    assert client.post(f"/induction/{token}", data={"q0": "0"}).status_code == 200
    assert not induction.status(world.site_id, kari.person_id, utcnow()).valid  # a wrong answer records nothing
    client.post(f"/induction/{token}", data={"q0": "1"})
    assert induction.status(world.site_id, kari.person_id, utcnow()).valid
    (tmp_path / "induksjon.md").write_text(TEXT + "\nNy regel: hjelm.\n", encoding="utf-8")
    _cli(runner, "induction", "set", "--site", str(world.site_id), "--text", str(tmp_path / "induksjon.md"),
         "--require-again")
    assert not induction.status(world.site_id, kari.person_id, utcnow()).valid
    rows = induction.completions_csv(world.site_id).decode("utf-8-sig").splitlines()
    assert rows[0].startswith("name;") and ";1;" in rows[1] and ";link;" in rows[1]


def test_a_forged_link_opens_nothing(client, world):
    assert client.get("/induction/not-a-token").status_code == 404


def test_the_site_purge_takes_completions_along(runner, world, tmp_path):
    _set(runner, tmp_path, world.site_id, "refuse")
    _cli(runner, "induction", "complete", "--site", str(world.site_id), "--card",
         world.workers["kari"].card_number, "--by", "Bjørn")
    _cli(runner, "site", "close", str(world.site_id), "--completion-date", date.today().isoformat())
    _cli(runner, "retention", "purge", "--as-of", (date.today() + timedelta(days=400)).isoformat())
    assert db.session.scalars(db.select(InductionCompletion)).all() == []


def test_the_site_office_registers_and_signs_out_a_visitor_and_sees_induction_status(client, runner, world, tmp_path):
    from app.models import Site
    from tests.support.web import login_as, make_user

    site = db.session.get(Site, world.site_id)
    login_as(client, make_user("builder_rep", site))
    base = f"/sites/{world.site_id}"
    client.post(f"{base}/visitors", data={"name": "Vera Vareleveranse", "host": "Porten", "phone": "40000000"})
    visitor = db.session.scalars(db.select(Visitor)).one()
    assert "Vera Vareleveranse" in client.get(f"{base}/muster").get_data(as_text=True)
    assert client.post(f"{base}/visitors/{visitor.id}/out").status_code == 302
    assert "Vera Vareleveranse" not in client.get(f"{base}/muster").get_data(as_text=True)
    _set(runner, tmp_path, world.site_id, "refuse")
    kari = world.workers["kari"]
    assert "id=\"induction-status\"" in client.get(f"{base}/people/{kari.person_id}").get_data(as_text=True)
    assert "induction-missing" in client.get("/").get_data(as_text=True)  # the dashboard counts who lacks it
    notice = client.get(f"{base}/personvern").get_data(as_text=True)
    assert "30" in notice and ("Besøkende" in notice or "Visitors" in notice)


def test_a_visitor_still_in_past_the_expected_end_or_from_an_earlier_day_is_flagged(runner, world):
    from app.services import visitors

    _cli(runner, "visitor", "add", "--site", str(world.site_id), "--name", "Per Prosjekt", "--host", "Kontoret",
         "--phone", "11111111")
    row = db.session.scalars(db.select(Visitor)).one()
    assert visitors.overdue([row], utcnow()) == []
    row.arrived_at = utcnow() - timedelta(days=1)
    assert visitors.overdue([row], utcnow()) == [row.id]
