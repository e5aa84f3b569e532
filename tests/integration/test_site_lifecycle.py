"""A site from creation to deletion: the web app and the CLI through one service, audited."""
import json
from datetime import date, timedelta

import pytest

from app.clock import site_today, utcnow
from app.extensions import db
from app.models import AttendanceDay, AuditLog, Builder, Kiosk, Membership, Site, User
from app.services import daily_control, list_versions, lists, sites
from tests.support.builders import attend, make_company, make_person
from tests.support.web import login_as, make_site, make_user

SITE_ARGS = ["--name", "Kaia Øst", "--street", "Kaigata 1", "--postcode", "5003", "--city", "Bergen",
             "--builder-name", "Bergen kommune", "--builder-org", "964338531"]


def cli_site(runner, *extra) -> dict:
    result = runner.invoke(args=["site", "create", *SITE_ARGS, *extra, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def audit_actions(site_id: int) -> list[str]:
    return [row.action for row in db.session.scalars(db.select(AuditLog).where(AuditLog.site_id == site_id)
                                                    .order_by(AuditLog.id))]


def test_cli_creates_a_site_with_its_defaults_and_audits_it(runner):
    made = cli_site(runner, "--contract-id", "4255", "--start", "2026-01-05")
    assert made["builder"] == {"name": "Bergen kommune", "org_number": "964338531"}
    assert made["contract_id"] == 4255 and made["start_date"] == "2026-01-05"
    assert made["records_times"] is True and made["prints_times"] is False  # recorded, not printed
    assert made["status"] == "active" and made["deletion_date"] is None
    assert audit_actions(made["id"]) == ["site.create"]


@pytest.mark.parametrize("extra, message", [
    (["--builder-org", "964338532"], "organisasjonsnummer"),
    (["--postcode", "50031"], "postnummer"),
    (["--contract-id", "KV-14"], "heltall"),
    (["--closing-time", "25:00"], "HH:MM"),
    (["--record-times", "off", "--print-times", "on"], "tider kan bare skrives ut"),
])
def test_cli_refuses_bad_settings_with_a_clear_message_and_creates_nothing(runner, extra, message):
    result = runner.invoke(args=["site", "create", *SITE_ARGS, *extra])
    assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output
    assert db.session.scalar(db.select(db.func.count(Site.id))) == 0


def test_the_same_org_number_is_one_byggherre(runner):
    cli_site(runner)
    cli_site(runner, "--name", "Kaia Vest")
    assert db.session.scalar(db.select(db.func.count(Builder.id))) == 1


def test_cli_update_changes_only_what_is_given_and_reaches_the_kiosks(runner):
    made = cli_site(runner)
    db.session.add(Kiosk(site_id=made["id"], name="Port 1"))
    db.session.commit()
    result = runner.invoke(args=["site", "update", str(made["id"]), "--print-times", "on", "--closing-time", "18:00",
                                 "--kiosk-languages", "nb,en,pl", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output.splitlines()[-1])
    assert shown["prints_times"] is True and shown["closing_time"] == "18:00" and shown["name"] == "Kaia Øst"
    assert db.session.scalar(db.select(Kiosk.languages)) == "nb,en,pl"
    change = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "site.update")).one()
    assert sorted(change.details["fields"]) == ["closing_time", "kiosk_languages", "prints_times"]


def test_a_change_that_affects_the_list_makes_the_checked_day_changed_since(runner):
    made = cli_site(runner)
    site = db.session.get(Site, made["id"])
    main = make_company("Nordbygg Entreprenør AS")
    day = date(2026, 11, 25)
    attend(site, make_person("Ola", "Nordmann", main), day, main)
    db.session.commit()
    lists.check_day(site.id, day, make_user("builder_rep", site), utcnow())
    assert not daily_control.control_of(site.id, day, list_versions.versions_of_day(site.id, day)).changed
    for change in (["--street", "Kaigata 2"], ["--builder-name", "Bergen kommune Eiendom"], ["--print-times", "on"]):
        runner.invoke(args=["site", "update", str(site.id), *change])
        assert daily_control.control_of(site.id, day, list_versions.versions_of_day(site.id, day)).changed, change
        lists.check_day(site.id, day, make_user("builder_rep", site, email=f"{len(change[1])}@x.no"), utcnow())


def test_close_reopen_and_the_deletion_date(runner):
    made = cli_site(runner)
    today = site_today(utcnow())
    future = runner.invoke(args=["site", "close", str(made["id"]), "--completion-date",
                                 (today + timedelta(days=1)).isoformat()])
    assert future.exit_code != 0 and "fram i tid" in future.output
    closed = runner.invoke(args=["site", "close", str(made["id"]), "--completion-date", today.isoformat()])
    assert closed.exit_code == 0, closed.output
    shown = json.loads(runner.invoke(args=["site", "show", str(made["id"]), "--json"]).output)
    assert shown["status"] == "completed" and shown["completion_date"] == today.isoformat()
    assert shown["deletion_date"] > today.isoformat()
    status = runner.invoke(args=["retention", "status"]).output
    assert f"slettes / deleted on {shown['deletion_date']}" in status
    assert runner.invoke(args=["site", "reopen", str(made["id"])]).exit_code == 0
    shown = json.loads(runner.invoke(args=["site", "show", str(made["id"]), "--json"]).output)
    assert shown["completion_date"] is None and shown["status"] == "active"
    assert audit_actions(made["id"]) == ["site.create", "site.close", "site.reopen"]


def test_purge_as_of_deletes_the_day_after_the_retention_and_not_a_day_earlier(runner):
    made = cli_site(runner)
    site = db.session.get(Site, made["id"])
    main = make_company("Nordbygg Entreprenør AS")
    attend(site, make_person("Rūta", "Jankauskienė", main), date(2026, 5, 20), main)
    db.session.commit()
    assert runner.invoke(args=["site", "close", str(site.id), "--completion-date", "2026-06-01"]).exit_code == 0
    early = runner.invoke(args=["retention", "purge", "--as-of", "2026-12-01"])
    assert early.exit_code == 0 and db.session.scalar(db.select(db.func.count(AttendanceDay.id))) == 1
    due = runner.invoke(args=["retention", "purge", "--as-of", "2026-12-02"])
    assert due.exit_code == 0, due.output
    assert db.session.scalar(db.select(db.func.count(AttendanceDay.id))) == 0
    assert runner.invoke(args=["site", "reopen", str(site.id)]).exit_code != 0  # its list is gone


# ---- the web app ------------------------------------------------------------------------------

FORM = {"name": "Fjordbyen skole", "street": "Strandkaien 3", "postcode": "5013", "city": "Bergen",
        "builder_name": "Byggherre AS", "builder_org": "923609016", "closing_time": "17:30",
        "outage_policy": "strict", "outage_grace_hours": "12", "kiosk_languages": ["nb", "en", "pl"],
        "records_times": "y"}


@pytest.fixture
def rep(app):
    site = make_site()
    db.session.commit()
    return make_user("builder_rep", site)


def test_a_builder_rep_creates_a_site_for_its_byggherre_and_gets_it(client, rep):
    login_as(client, rep)
    response = client.post("/sites/new", data=FORM)
    assert response.status_code == 302
    site = db.session.scalar(db.select(Site).where(Site.name == "Fjordbyen skole"))
    assert site.builder_id == db.session.get(User, rep.id).memberships[0].site.builder_id
    assert site.closing_time.strftime("%H:%M") == "17:30" and site.kiosk_languages == "nb,en,pl"
    assert db.session.scalar(db.select(Membership).where(Membership.site_id == site.id)).role == "builder_rep"
    assert client.get(f"/sites/{site.id}/settings").status_code == 200


def test_a_builder_rep_cannot_create_a_site_for_another_byggherre(client, rep):
    login_as(client, rep)
    response = client.post("/sites/new", data={**FORM, "builder_name": "Annen AS", "builder_org": "964338531"})
    assert response.status_code == 200
    assert "byggherre du allerede representerer" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Site).where(Site.name == "Fjordbyen skole")) is None


def test_settings_page_edits_closes_and_reopens(client, rep):
    login_as(client, rep)
    site_id = db.session.get(User, rep.id).memberships[0].site_id
    page = client.get(f"/sites/{site_id}/settings").get_data(as_text=True)
    assert "Kaia Øst" in page and "Merk arbeidene som ferdige" in page
    bad = client.post(f"/sites/{site_id}/settings", data={**FORM, "contract_id": "KV-14", "postcode": "50"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "Et heltall" in text and "Fire sifre" in text
    assert client.post(f"/sites/{site_id}/settings", data={**FORM, "contract_id": "4255"}).status_code == 302
    assert db.session.get(Site, site_id).contract_id == "4255"
    future = client.post(f"/sites/{site_id}/close", data={"completion_date": "2999-01-01"})
    assert "fram i tid" in future.get_data(as_text=True) and db.session.get(Site, site_id).completion_date is None
    today = site_today(utcnow())
    client.post(f"/sites/{site_id}/close", data={"completion_date": today.isoformat()})
    page = client.get(f"/sites/{site_id}/settings").get_data(as_text=True)
    assert "slettes" in page and "Gjenåpne byggeplassen" in page
    dashboard = client.get("/").get_data(as_text=True)
    assert "listen slettes" in dashboard
    client.post(f"/sites/{site_id}/reopen")
    assert db.session.get(Site, site_id).completion_date is None
    log = client.get(f"/sites/{site_id}/audit").get_data(as_text=True)
    assert "Arbeidene merket som ferdige" in log and "Byggeplass gjenåpnet" in log


def test_the_dashboard_warns_about_an_active_site_without_a_planned_end(client, rep):
    login_as(client, rep)
    assert "Ingen planlagt sluttdato" in client.get("/").get_data(as_text=True)


def test_service_refuses_reopening_a_site_that_was_never_closed(rep):
    site_id = db.session.get(User, rep.id).memberships[0].site_id
    with pytest.raises(sites.SiteRefused):
        sites.reopen_site(site_id, "cli", date.today())
