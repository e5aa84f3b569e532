"""Kiosk API: authentication, enrollment, configuration, heartbeat, presence and every error status."""
import json
from datetime import timedelta

import pytest

from app.clock import utcnow
from app.extensions import db
from app.models import AuditLog, Kiosk, Site
from app.services import kiosks
from tests.support.kiosk_api import cardsim, scan_body, world  # noqa: F401  (fixtures)


def test_missing_wrong_and_revoked_tokens_are_401_json(client, world):
    assert client.get("/api/v1/kiosk").status_code == 401
    wrong = client.get("/api/v1/kiosk", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json["error"] == "unauthorized"
    assert client.get("/api/v1/kiosk", headers={"Authorization": f"Basic {world.tokens['gate']}"}).status_code == 401
    assert client.get("/api/v1/kiosk", headers=world.headers()).status_code == 200
    kiosks.revoke_kiosk(db.session.get(Kiosk, world.kiosk_ids["gate"]), "cli", utcnow())
    revoked = client.post("/api/v1/scans", json=scan_body("40000000"), headers=world.headers())
    assert revoked.status_code == 401 and revoked.is_json
    audit = db.session.query(AuditLog).filter_by(action="kiosk.revoke").one()
    assert audit.target_id == str(world.kiosk_ids["gate"]) and audit.actor == "cli"


def test_every_authenticated_request_marks_the_kiosk_seen(client, world):
    kiosk = db.session.get(Kiosk, world.kiosk_ids["gate"])
    assert kiosk.last_seen_at is None
    client.get("/api/v1/kiosk", headers=world.headers())
    db.session.expire_all()
    assert utcnow() - db.session.get(Kiosk, world.kiosk_ids["gate"]).last_seen_at < timedelta(seconds=5)


def test_kiosk_config_names_site_mode_policy_and_the_privacy_notice(client, world):
    body = client.get("/api/v1/kiosk", headers=world.headers("in")).json
    assert body["site"] == {"id": world.site_id, "name": "Kvartal Løkkeveien"}
    assert body["mode"] == "in" and body["languages"] == ["nb", "en", "pl", "lt"]
    assert body["debounce_s"] == 30 and body["outage_policy"] == "strict"
    assert "Fjordbygg Eiendom AS" in body["privacy_notice"]["nb"]
    assert "Fjordbygg Eiendom AS" in body["privacy_notice"]["en"] and "months" in body["privacy_notice"]["en"]


def test_heartbeat_is_stored_for_the_web_app(client, world):
    report = {"queue_depth": 12, "fps": 14.5, "decode_rate": 0.93, "last_sync_at": "2026-11-25T07:00:00+01:00",
              "version": "1.0.0"}
    response = client.post("/api/v1/kiosk/heartbeat", json=report, headers=world.headers())
    assert response.status_code == 204 and response.data == b""
    kiosk = db.session.get(Kiosk, world.kiosk_ids["gate"])
    assert kiosk.queue_depth == 12 and kiosk.health["fps"] == 14.5 and kiosk.health["version"] == "1.0.0"
    assert not kiosks.kiosk_is_down(kiosk, utcnow())
    assert kiosks.kiosk_is_down(kiosk, utcnow() + timedelta(minutes=3))
    bad = client.post("/api/v1/kiosk/heartbeat", json={"queue_depth": -1}, headers=world.headers())
    assert bad.status_code == 422 and "queue_depth" in bad.json["message"]


def test_presence_lists_who_is_in_on_the_kiosks_own_site_only(client, world):
    kari = world.workers["kari"]
    client.post("/api/v1/scans", json=scan_body(kari.qr), headers=world.headers())
    body = client.get(f"/api/v1/sites/{world.site_id}/presence", headers=world.headers()).json
    assert body["site_id"] == world.site_id
    assert [(p["name"], p["employer"]) for p in body["people"]] == [("Kari Nordmann", "Elektro Øst AS")]
    other = client.get(f"/api/v1/sites/{world.other_site_id}/presence", headers=world.headers())
    assert other.status_code == 403 and other.json["error"] == "forbidden"


def test_presence_is_in_the_lists_order_with_the_last_scan(client, world):
    """Employer, then last name in Norwegian order (Ø last); someone who went out is not listed; the
    web page's presence (day_list.live_rows) and the kiosks' (day_list.present_names) agree."""
    from app.clock import local_day
    from app.services import presence
    from tests.support.kiosk_api import minutes, utc_now

    start = utc_now() - minutes(10)
    for n, (who, kiosk) in enumerate([("ola", "gate"), ("kari", "gate"), ("ruta", "gate"), ("lukasz", "gate"),
                                      ("ola", "out")]):
        response = client.post("/api/v1/scans", json=scan_body(world.workers[who].card_number, at=start + minutes(n)),
                               headers=world.headers(kiosk))
        assert response.status_code == 200, response.json
    people = client.get(f"/api/v1/sites/{world.site_id}/presence", headers=world.headers()).json["people"]
    assert [(p["name"], p["employer"]) for p in people] == [
        ("Rūta Jankauskienė", "Bemanning Nord AS"), ("Łukasz Brzęczyszczykiewicz", "Elektro Øst AS"),
        ("Kari Nordmann", "Elektro Øst AS")]
    assert [p["since"] for p in people] == [(start + minutes(n)).isoformat() for n in (2, 3, 1)]
    on_the_page = presence.present_now(world.site_id, local_day(utc_now()))
    assert [(row.person.name, row.employer.name) for row in on_the_page] == [(p["name"], p["employer"]) for p in people]


def test_enrollment_code_is_traded_once_for_a_working_token(client, world, runner):
    site = db.session.get(Site, world.site_id)
    made = kiosks.create_kiosk(site, "Port sør", "in", "cli", utcnow(), enroll=True)
    assert made.token is None and len(made.enrollment_code) == 8
    response = client.post("/api/v1/kiosks/enroll", json={"code": made.enrollment_code.lower()})
    assert response.status_code == 200
    assert response.json["kiosk"] == {"id": made.kiosk.id, "name": "Port sør", "site_id": world.site_id, "mode": "in"}
    token = response.json["token"]
    assert client.get("/api/v1/kiosk", headers={"Authorization": f"Bearer {token}"}).json["name"] == "Port sør"
    again = client.post("/api/v1/kiosks/enroll", json={"code": made.enrollment_code})
    assert again.status_code == 401 and again.json["error"] == "enrollment_refused"
    actions = [a.action for a in db.session.query(AuditLog).order_by(AuditLog.id)]
    assert actions == ["kiosk.create", "kiosk.enroll"]
    assert all(made.enrollment_code not in json.dumps(a.details) for a in db.session.query(AuditLog))


def test_enrollment_code_expires_after_15_minutes(client, world):
    kiosk = db.session.get(Kiosk, world.kiosk_ids["gate2"])
    code = kiosks.issue_enrollment_code(kiosk, "cli", utcnow() - timedelta(minutes=15, seconds=5))
    assert client.post("/api/v1/kiosks/enroll", json={"code": code}).status_code == 401
    fresh = kiosks.issue_enrollment_code(kiosk, "cli", utcnow() - timedelta(minutes=14))
    assert client.post("/api/v1/kiosks/enroll", json={"code": fresh}).status_code == 200
    # The new token replaced the old one.
    assert client.get("/api/v1/kiosk", headers=world.headers("gate2")).status_code == 401


def test_cli_creates_kiosks_for_enrollment_and_revokes_them(runner, world, client):
    result = runner.invoke(args=["kiosk", "create", "--site", str(world.site_id), "--name", "Port vest", "--enroll"])
    assert result.exit_code == 0, result.output
    code = result.output.strip().splitlines()[-1].strip()
    assert "15" in result.output and len(code) == 8
    assert "▄" in result.output  # the QR code for the kiosk's camera
    enrolled = client.post("/api/v1/kiosks/enroll", json={"code": kiosks.enrollment_qr_text(code)})
    assert enrolled.status_code == 200
    revoke = runner.invoke(args=["kiosk", "revoke", str(enrolled.json["kiosk"]["id"])])
    assert revoke.exit_code == 0, revoke.output
    headers = {"Authorization": f"Bearer {enrolled.json['token']}"}
    assert client.get("/api/v1/kiosk", headers=headers).status_code == 401
    assert runner.invoke(args=["kiosk", "revoke", "9999"]).exit_code != 0


@pytest.mark.parametrize("method, path, kwargs, status, code", [
    ("post", "/api/v1/scans", {"data": "{not json", "content_type": "application/json"}, 400, "malformed_json"),
    ("post", "/api/v1/scans", {"data": b"\xff\xfe\xfa", "content_type": "application/json"}, 400, "malformed_json"),
    ("post", "/api/v1/scans", {"data": "[" * 5000 + "]" * 5000, "content_type": "application/json"}, 400,
     "malformed_json"),
    ("post", "/api/v1/scans", {"data": "payload=1", "content_type": "application/x-www-form-urlencoded"}, 415,
     "unsupported_media_type"),
    ("post", "/api/v1/scans", {"data": "{}"}, 415, "unsupported_media_type"),
    ("post", "/api/v1/scans", {"json": {"payload": "x" * 70_000}}, 413, "payload_too_large"),
    ("post", "/api/v1/scans", {"json": [1, 2]}, 422, "invalid_field"),
    ("post", "/api/v1/scans", {"json": {}}, 422, "invalid_field"),
    ("post", "/api/v1/kiosk/heartbeat", {"json": {"fps": "fast"}}, 422, "invalid_field"),
    ("get", "/api/v1/scans", {}, 405, "method_not_allowed"),
    ("delete", "/api/v1/kiosk", {}, 405, "method_not_allowed"),
    ("get", "/api/v1/no-such-thing", {}, 404, "not_found"),
    ("get", "/api/v1/sites/abc/presence", {}, 404, "not_found"),
])
def test_every_error_is_json_with_the_right_status(client, world, method, path, kwargs, status, code):
    response = getattr(client, method)(path, headers=world.headers(), **kwargs)
    assert response.status_code == status, response.data[:200]
    assert response.is_json and response.json["error"] == code and response.json["message"]
    assert b"<html" not in response.data.lower()


def test_enroll_errors(client):
    assert client.post("/api/v1/kiosks/enroll", json={"code": 12}).status_code == 422
    assert client.post("/api/v1/kiosks/enroll", json={"code": "ABCDEFGH"}).status_code == 401
    assert client.post("/api/v1/kiosks/enroll", data="x", content_type="text/plain").status_code == 415


def test_openapi_document_is_served_and_lists_every_route(client, app):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {("/api/v1" + path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    routed = {(rule.rule.replace("<int:site_id>", "{site_id}"), method) for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("api.") for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == routed
