"""Issue 19: /metrics adds up every gunicorn worker's figures, shows the database's, and is guarded."""
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.support.kiosk_api import CARDSIM_TOKEN, cardsim, scan_body, world  # noqa: F401
from tests.support.processes import start_gunicorn

UNKNOWN_CARDS = 9  # rejected as unknown_card, each a new card: one card-service call each


@pytest.fixture(scope="module")
def three_workers(_app, database_url, cardsim, tmp_path_factory):
    folder = tmp_path_factory.mktemp("metrics")
    server = start_gunicorn(database_url, workers=3, env={
        "CARD_SERVICE_URL": cardsim.url, "CARD_SERVICE_TOKEN": CARDSIM_TOKEN, "PROMETHEUS_MULTIPROC_DIR": str(folder)})
    server.metrics_dir = folder
    yield server
    server.stop()


def samples(text: str) -> dict:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def post_scan(url: str, headers: dict, payload: str) -> dict:
    # A new connection each: gunicorn's workers take turns accepting them.
    response = requests.post(f"{url}/api/v1/scans", json=scan_body(payload, scan_id=str(uuid.uuid4())),
                             headers={**headers, "Connection": "close"}, timeout=10)
    response.raise_for_status()
    return response.json()


def test_counters_add_up_across_three_gunicorn_workers(world, three_workers):
    url, gate = three_workers.url, world.headers("gate")
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda n: post_scan(url, gate, str(71000000 + n * 13)), range(UNKNOWN_CARDS)))
    answers.append(post_scan(url, world.headers("gate2"), world.workers["kari"].qr))
    requests.post(f"{url}/api/v1/kiosk/heartbeat", json={"queue_depth": 4}, headers=gate,
                  timeout=10).raise_for_status()
    assert [a["reason"] for a in answers].count("unknown_card") == UNKNOWN_CARDS and answers[-1]["decision"] == "accepted"

    scraped = requests.get(f"{url}/metrics", timeout=10)
    assert scraped.status_code == 200 and scraped.headers["Content-Type"].startswith("text/plain")
    got = samples(scraped.text)
    assert got[("portvakt_scans_total", (("decision", "rejected"), ("reason", "unknown_card")))] == UNKNOWN_CARDS
    assert got[("portvakt_scans_total", (("decision", "accepted"), ("reason", "ok")))] == 1
    assert got[("portvakt_scan_duration_seconds_count", ())] == UNKNOWN_CARDS + 1
    assert got[("portvakt_card_lookups_total", (("outcome", "unknown_card"), ("source", "service")))] == UNKNOWN_CARDS
    assert got[("portvakt_card_lookup_duration_seconds_count", ())] == UNKNOWN_CARDS + 1
    assert got[("portvakt_card_service_breaker_state", ())] == 0
    kiosk = (("kiosk_id", str(world.kiosk_ids["gate"])), ("site_id", str(world.site_id)))
    assert got[("portvakt_kiosk_queue_depth", kiosk)] == 4
    assert ("portvakt_kiosk_last_seen_timestamp_seconds", kiosk) in got
    assert any(name == "portvakt_list_checked" and value == 0 for (name, _), value in got.items())
    # No personal data: no name or card number in any label.
    assert "Nordmann" not in scraped.text and world.workers["kari"].card_number not in scraped.text
    assert "71000000" not in scraped.text
    workers_that_counted = {p.name for p in three_workers.metrics_dir.glob("counter_*.db")}
    print(f"counter files (one per worker that counted): {sorted(workers_that_counted)}")


def test_metrics_are_loopback_only_without_a_token(client):
    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 404
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404


def test_metrics_need_the_bearer_token_when_one_is_set(app, client):
    app.config["METRICS_TOKEN"] = "s3cret-metrics"
    try:
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
        answer = client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics"},
                            environ_base={"REMOTE_ADDR": "10.1.2.3"})
        assert answer.status_code == 200 and b"portvakt_scans_total" in answer.data
    finally:
        app.config["METRICS_TOKEN"] = None
