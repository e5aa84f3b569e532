"""The kiosk API over real HTTP: gunicorn (2 workers × 4 threads) and the card-service emulator as
processes, the test's database shared with them (SQLite, or PostgreSQL in the second pass)."""
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import requests

from app.clock import utcnow
from app.extensions import db
from app.models import AttendanceDay, Kiosk, ScanEvent
from app.services.kiosks import revoke_kiosk
from tests.support.kiosk_api import cardsim, live, minutes, scan_body, utc_now, world  # noqa: F401  (fixtures)


def post(live, world, path, body, kiosk="gate", **kwargs):
    return requests.post(f"{live.url}/api/v1{path}", json=body, headers=world.headers(kiosk), timeout=30, **kwargs)


def test_eight_concurrent_duplicates_make_exactly_one_event(live, world):
    body = scan_body(world.workers["kari"].qr)
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda _: post(live, world, "/scans", body), range(8)))
    assert [r.status_code for r in responses] == [200] * 8
    assert all(r.json() == responses[0].json() for r in responses)
    assert responses[0].json()["decision"] == "accepted" and responses[0].json()["direction"] == "in"
    db.session.expire_all()
    assert db.session.query(ScanEvent).filter_by(id=body["id"]).count() == 1
    assert db.session.query(ScanEvent).count() == 1
    day = db.session.query(AttendanceDay).one()
    assert day.is_present and day.first_in is not None


def test_a_burst_of_reads_of_one_card_at_one_gate_is_one_passage(live, world):
    kari, start = world.workers["kari"], utc_now() - minutes(3)
    post(live, world, "/scans", scan_body(kari.qr, at=start))
    burst = [scan_body(kari.qr, at=start + minutes(2) + timedelta(milliseconds=i * 50)) for i in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda b: post(live, world, "/scans", b), burst))
    assert [r.json()["direction"] for r in responses] == ["out"] * 8
    db.session.expire_all()
    assert db.session.query(ScanEvent).count() == 2
    assert not db.session.query(AttendanceDay).one().is_present


def test_concurrent_scans_of_different_people_all_count(live, world):
    bodies = [scan_body(w.qr) for w in world.workers.values()] * 2  # each twice: the duplicates replay
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda b: post(live, world, "/scans", b), bodies))
    assert all(r.status_code == 200 and r.json()["decision"] == "accepted" for r in responses)
    db.session.expire_all()
    assert db.session.query(ScanEvent).count() == len(world.workers)
    assert db.session.query(AttendanceDay).filter_by(is_present=True).count() == len(world.workers)


def test_in_out_toggle_debounce_and_batch_over_http(live, world):
    ola, start = world.workers["ola"], utc_now() - minutes(10)
    first = post(live, world, "/scans", scan_body(ola.qr, at=start)).json()
    repeat = post(live, world, "/scans", scan_body(ola.qr, at=start + minutes(0.2))).json()
    assert first["direction"] == repeat["direction"] == "in"
    assert post(live, world, "/scans", scan_body(ola.qr, at=start + minutes(2))).json()["direction"] == "out"
    batch = [scan_body(ola.card_number, at=start + minutes(4)), {"id": "bad"},
             scan_body(ola.card_number, at=start + minutes(6))]
    results = post(live, world, "/scans/batch", {"scans": batch}, kiosk="gate2").json()["results"]
    assert [r.get("direction") for r in results] == ["in", None, "out"]
    assert results[1]["error"] == "invalid_field" and results[0]["warnings"] == ["late"]
    presence = requests.get(f"{live.url}/api/v1/sites/{world.site_id}/presence", headers=world.headers(), timeout=10)
    assert presence.json()["people"] == []


def test_revoking_stops_the_token_in_every_worker_at_once(live, world):
    url = f"{live.url}/api/v1/kiosk"
    assert all(requests.get(url, headers=world.headers(), timeout=10).status_code == 200 for _ in range(8))
    revoke_kiosk(db.session.get(Kiosk, world.kiosk_ids["gate"]), "cli", utcnow())
    assert [requests.get(url, headers=world.headers(), timeout=10).status_code for _ in range(8)] == [401] * 8


def test_errors_over_http_are_json_never_html(live, world):
    def chunked_body():
        yield b'{"payload": "'
        for _ in range(80):
            yield b"x" * 1024
        yield b'"}'
    url = f"{live.url}/api/v1/scans"
    too_big = requests.post(url, data=chunked_body(), headers={**world.headers(), "Content-Type": "application/json"},
                            timeout=10)
    assert too_big.status_code == 413 and too_big.json()["error"] == "payload_too_large"
    malformed = requests.post(url, data=b"{", headers={**world.headers(), "Content-Type": "application/json"},
                              timeout=10)
    assert malformed.status_code == 400 and malformed.json()["error"] == "malformed_json"
    wrong_type = requests.post(url, data=b"{}", headers={**world.headers(), "Content-Type": "text/plain"}, timeout=10)
    assert wrong_type.status_code == 415
    future = post(live, world, "/scans", scan_body(world.workers["kari"].qr, at=utc_now() + minutes(10)))
    assert future.status_code == 422 and "future" in future.json()["message"]
    for response in (too_big, malformed, wrong_type, future,
                     requests.get(f"{live.url}/api/v1/{uuid.uuid4()}", timeout=10),
                     requests.put(url, json={}, headers=world.headers(), timeout=10)):
        assert response.headers["Content-Type"].startswith("application/json") and "<html" not in response.text.lower()
