"""Issue 18: the outbox to HMSREG and ELRAPP, delivered to a real emulator (registersim) over HTTP."""
import threading
import uuid
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import AuditLog, OutboxDelivery, ScanEvent, Site
from app.services import connectors, connectors_sync, lists, scans
from tests.support.builders import make_user
from tests.support.kiosk_api import cardsim, scan_body, utc_now, world  # noqa: F401  (fixtures)
from tests.support.registersim import connector_config, registersim, registersim_service  # noqa: F401

REQUIRED = {"Kortnr", "Retning", "Tidspunkt", "Navn", "Orgnr", "HmsRegnr", "Kilde", "Korttype", "Fødselsdato",
            "ExternalRef"}


@pytest.fixture
def sync(app, registersim):
    saved = {key: app.config[key] for key in connector_config(registersim)}
    app.config.update(connector_config(registersim))
    yield lambda **kw: connectors_sync.sync(**kw)
    app.config.update(saved)


def turn_on(world, hmsreg=True, elrapp=False, project="HMS-4411", contract="4255"):
    site = db.session.get(Site, world.site_id)
    site.hmsreg_enabled, site.hmsreg_project = hmsreg, project
    site.elrapp_enabled, site.contract_id = elrapp, contract
    db.session.commit()
    return site


def post_scan(client, world, payload, kiosk="gate", **kwargs):
    response = client.post("/api/v1/scans", json=scan_body(payload, **kwargs), headers=world.headers(kiosk))
    assert response.status_code == 200, response.json
    return response.json


def test_an_accepted_scan_reaches_hmsreg_with_its_id_as_external_ref(client, world, sync, registersim):
    turn_on(world)
    kari = world.workers["kari"]
    scan_id = post_scan(client, world, kari.qr)["id"]
    assert sync().sent == 1
    [row] = registersim.received("hmsreg")
    body = row["body"]
    assert row["path"] == "/api/registreringer" and set(body) == REQUIRED
    assert body["ExternalRef"] == scan_id and body["Kortnr"] == kari.card_number
    assert body["Retning"] == "Ankomst" and body["HmsRegnr"] == "HMS-4411" and body["Korttype"] == "HMS"
    assert body["Navn"] == "Kari Nordmann" and body["Fødselsdato"] == "1984-05-17" and len(body["Orgnr"]) == 9
    assert sync().sent == 0 and len(registersim.received()) == 1  # delivered once


def test_a_rejected_scan_is_not_sent_and_a_site_with_hmsreg_off_sends_nothing(client, world, sync, registersim):
    turn_on(world)
    world.put_card("49990001", status="blocked", first="Per", last="Sperret")
    assert post_scan(client, world, "49990001")["decision"] == "rejected"
    post_scan(client, world, world.workers["kari"].qr, kiosk="tromso")  # the other site: HMSREG off
    assert db.session.query(OutboxDelivery).count() == 0
    counts = sync()
    assert (counts.sent, counts.waiting) == (0, 0) and registersim.received() == []


@pytest.mark.parametrize("mode", ["error", "down", "garbage"])
def test_an_outage_loses_nothing_and_each_registration_arrives_once_after(client, world, sync, registersim, mode):
    turn_on(world)
    ids = [post_scan(client, world, world.workers[w].qr)["id"] for w in ("kari", "lukasz", "ola")]
    registersim.faults(mode)
    failed = sync()
    assert failed.sent == 0 and failed.failed >= 1 and failed.waiting == 3
    registersim.faults("ok")
    assert sync().sent == 3
    assert sorted(registersim.external_refs()) == sorted(ids)


def test_two_syncs_at_once_deliver_each_registration_once(app, client, world, sync, registersim):
    turn_on(world)
    start = utc_now() - timedelta(minutes=30)
    ids = {post_scan(client, world, world.workers[w].card_number, at=start + timedelta(minutes=i))["id"]
           for i, w in enumerate(["kari", "lukasz", "ola", "ruta"] * 3)}
    results = []

    def run():
        with app.app_context():
            results.append(connectors_sync.sync())
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refs = registersim.external_refs()
    assert sorted(refs) == sorted(ids) and sum(r.sent for r in results) == len(ids)


def test_a_refused_registration_is_given_up_shown_and_sent_again_on_resend(client, world, sync, registersim):
    site = turn_on(world, project=None)  # no HmsRegnr: nothing can be sent
    post_scan(client, world, world.workers["kari"].qr)
    counts = sync()
    assert counts.dead == 1
    [status] = [s for s in connectors.overview(site, utc_now() - timedelta(days=1)) if s.receiver == "hmsreg"]
    assert status.dead[0].last_error == "no_project" and status.waiting == 0
    turn_on(world)
    user = make_user()
    assert connectors.resend(site.id, status.dead[0].id, user, utc_now()) == 1
    assert sync().sent == 1 and len(registersim.external_refs()) == 1
    audit = db.session.query(AuditLog).filter_by(action="connectors.resend").one()
    assert audit.details == {"deliveries": 1} and audit.target_id == str(status.dead[0].id)


def test_a_voided_scan_is_withdrawn_before_delivery(client, world, sync, registersim):
    turn_on(world)
    scan_id = post_scan(client, world, world.workers["kari"].qr)["id"]
    scans.void_scan(scan_id, make_user(), "feil kort", utc_now())
    assert sync().sent == 0 and registersim.received() == []
    assert db.session.query(OutboxDelivery).one().state == "withdrawn"


def test_the_cli_prints_counts(app, world, runner, sync, client, registersim):
    turn_on(world)
    post_scan(client, world, world.workers["kari"].qr)
    result = runner.invoke(args=["connectors", "sync", "--site", str(world.site_id)])
    assert result.exit_code == 0, result.output
    assert "sendt / sent: 1" in result.output and "venter / waiting: 0" in result.output


def local_today():
    from app.domain.localtime import local_date
    return local_date(utc_now(), "Europe/Oslo")


def test_a_checked_list_reaches_elrapp_once_and_a_manual_change_goes_out_alone(client, world, sync, registersim):
    from tests.unit.test_elrapp_export import VALIDATOR  # the JSON Schema written from ELRAPP's documentation

    site = turn_on(world, hmsreg=False, elrapp=True)
    start = utc_now() - timedelta(minutes=20)
    for i, worker in enumerate(("kari", "lukasz")):
        post_scan(client, world, world.workers[worker].card_number, at=start + timedelta(minutes=i))
    user = make_user()
    lists.check_day(site.id, local_today(), user, utc_now())
    assert sync().sent == 1
    [first] = registersim.received("elrapp")
    VALIDATOR.validate(first["body"])
    assert first["path"] == "/oversiktsliste/v2/4255" and len(first["body"]) == 2
    lists.check_day(site.id, local_today(), user, utc_now())  # unchanged: nothing new
    assert sync().sent == 0 and len(registersim.received("elrapp")) == 1

    scans.register_manual(db.session.get(Site, site.id), world.workers["ola"].card_number, user,
                          "glemte kortet i bilen", utc_now())
    assert sync().sent == 1
    first_sent, change = registersim.received("elrapp")
    VALIDATOR.validate(change["body"])
    assert [item["Kortnummer"] for item in change["body"]] == [int(world.workers["ola"].card_number)]
    assert sync().sent == 0 and len(registersim.received("elrapp")) == 2  # nothing twice


def test_an_unchecked_day_is_not_sent_to_elrapp(client, world, sync, registersim):
    turn_on(world, hmsreg=False, elrapp=True)
    post_scan(client, world, world.workers["kari"].qr)
    assert sync().sent == 0 and registersim.received() == []


def test_elrapp_down_then_up_delivers_the_list_once(client, world, sync, registersim):
    site = turn_on(world, hmsreg=True, elrapp=True)
    post_scan(client, world, world.workers["kari"].qr)
    lists.check_day(site.id, local_today(), make_user(), utc_now())
    registersim.faults("down")
    assert sync().failed == 2
    registersim.faults("ok")
    assert sync().sent == 2
    assert [row["api"] for row in registersim.received()] == ["hmsreg", "elrapp"]


def test_site_update_turns_the_connectors_on_and_refuses_what_cannot_work(app, runner, world):
    result = runner.invoke(args=["site", "update", str(world.site_id), "--hmsreg", "on"])
    assert result.exit_code != 0 and "HMSREG" in result.output
    result = runner.invoke(args=["site", "update", str(world.site_id), "--hmsreg", "on", "--hmsreg-project", "P-77",
                                 "--contract-id", "4255", "--elrapp", "on"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    site = db.session.get(Site, world.site_id)
    assert (site.hmsreg_enabled, site.hmsreg_project, site.elrapp_enabled) == (True, "P-77", True)
    audit = db.session.query(AuditLog).filter_by(action="site.update").one()
    assert {"hmsreg_enabled", "hmsreg_project", "elrapp_enabled"} <= set(audit.details["fields"])
    result = runner.invoke(args=["site", "update", str(world.other_site_id), "--elrapp", "on"])  # no contract id
    assert result.exit_code != 0 and "ELRAPP" in result.output


def test_the_transfers_page_shows_why_in_norwegian_and_resends(client, world, sync, registersim):
    from tests.support.web import login_as, make_user as make_web_user

    site = turn_on(world, project=None)
    post_scan(client, world, world.workers["kari"].qr)
    sync()
    login_as(client, make_web_user("builder_rep", site))
    body = client.get(f"/sites/{site.id}/transfers", headers={"Accept-Language": "nb"}).get_data(as_text=True)
    assert "Overføringer" in body and "Byggeplassen mangler prosjektnummer i HMSREG." in body
    [row] = db.session.query(OutboxDelivery).all()
    turn_on(world)
    response = client.post(f"/sites/{site.id}/transfers/{row.id}/resend")
    assert response.status_code == 302
    assert sync().sent == 1 and len(registersim.external_refs()) == 1
    assert client.post(f"/sites/{site.id}/transfers/{row.id}/resend").status_code == 404  # not failed any more


def test_the_contractor_report_lists_foreign_contractors_and_workers_and_says_it_is_not_filed(runner, tmp_path):
    from datetime import date

    from app.models import SiteCompany
    from tests.support.builders import attend, make_company, make_person, make_site

    site = make_site()
    main = make_company("Nordbygg Entreprenør AS")
    uab = make_company("UAB Statybų Grupė", foreign_id="304567891", country="LT")
    chain_main = SiteCompany(site_id=site.id, company_id=main.id, role="main_contractor")
    db.session.add(chain_main)
    db.session.flush()
    db.session.add(SiteCompany(site_id=site.id, company_id=uab.id, role="subcontractor", parent_id=chain_main.id))
    ruta = make_person("Rūta", "Jankauskienė", uab)
    ola = make_person("Ola", "Nordmann", main)
    for day in (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 9)):
        attend(site, ruta, day, uab)
        attend(site, ola, day, main)
    db.session.commit()
    out = tmp_path / "k.csv"
    result = runner.invoke(args=["list", "contractors", "--site", str(site.id), "--from", "2026-11-01",
                                 "--to", "2026-11-30", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "ikke levert til Skatteetaten" in result.output
    text = out.read_bytes().decode("utf-8-sig")
    assert "leverer ingenting til Skatteetaten" in text and "14 dager" in text
    assert "UAB Statybų Grupė;304567891;LT;Underentreprenør / subcontractor;Nordbygg Entreprenør AS;02.11.2026;" \
           "09.11.2026;16.11.2026" in text
    assert "Jankauskienė;Rūta;14.03.1985;UAB Statybų Grupė;304567891;02.11.2026;09.11.2026;16.11.2026;23.11.2026" in text
    assert "Nordmann" not in text  # a Norwegian employer's worker is not in it
    xlsx = runner.invoke(args=["list", "contractors", "--site", str(site.id), "--from", "2026-11-01",
                               "--to", "2026-11-30", "--out", str(tmp_path / "k.xlsx")])
    assert xlsx.exit_code == 0 and (tmp_path / "k.xlsx").read_bytes()[:2] == b"PK"


def test_production_refuses_to_deliver_with_the_development_credentials(app, client, runner, world, monkeypatch):
    """The emulator's defaults would send a real site's registrations to the wrong place; with nothing
    waiting, a production install without connectors needs no credentials at all."""
    for name in ("HMSREG_URL", "HMSREG_USER", "HMSREG_PASSWORD", "ELRAPP_URL", "ELRAPP_API_KEY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.setitem(app.config, name, None)
    monkeypatch.setitem(app.config, "PRODUCTION", True)
    assert runner.invoke(args=["connectors", "sync"]).exit_code == 0  # nothing waits
    turn_on(world)
    post_scan(client, world, world.workers["kari"].qr)
    result = runner.invoke(args=["connectors", "sync"])
    assert result.exit_code != 0 and "er ikke satt / is not set" in result.output and "Traceback" not in result.output
    assert db.session.query(OutboxDelivery).filter_by(state="pending").count() == 1  # kept for when it is set
