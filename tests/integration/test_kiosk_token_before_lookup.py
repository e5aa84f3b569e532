"""A scan that must ask the card service checks its token first, so an unknown token never costs
a card-service call; a kiosk active moments ago is not checked twice (kiosks.active_lately), and
a kiosk revoked meanwhile is still refused by the scan's own read (issue 20, the morning rush)."""
import requests
from sqlalchemy import event

from app.clock import utcnow
from app.extensions import db
from app.models import Kiosk
from app.services import kiosks
from tests.support.kiosk_api import cardsim, fresh_card_service, scan_body, world  # noqa: F401  (fixtures)


def card_service_calls(world) -> int:
    return requests.get(f"{world.cardsim.url}/_sim/calls", timeout=5).json()["calls"]


def kiosk_checks(statements) -> int:
    return sum(1 for s in statements if s.lstrip().startswith("SELECT kiosk.id"))


def cold_scan(app, client, world, kiosk="gate", headers=None):
    """A scan of a card the app has no answer for: the card service must be asked."""
    fresh_card_service(app, world.cardsim)
    sent = []

    def remember(conn, cursor, statement, *rest):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        response = client.post("/api/v1/scans", json=scan_body(world.workers["kari"].card_number),
                               headers=headers or world.headers(kiosk))
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    return response, sent


def test_an_unknown_token_costs_no_card_service_call(app, client, world):
    before = card_service_calls(world)
    response, _ = cold_scan(app, client, world, headers={"Authorization": "Bearer not-a-kiosk-token"})
    assert response.status_code == 401 and response.json["error"] == "unauthorized"
    assert card_service_calls(world) == before


def test_a_token_not_seen_lately_is_checked_before_the_lookup(app, client, world):
    kiosks._active_tokens.clear()  # as in a worker that has not served this kiosk yet
    response, sent = cold_scan(app, client, world)
    assert response.status_code == 200, response.json
    assert kiosk_checks(sent) == 1


def test_a_kiosk_active_moments_ago_is_not_checked_twice(app, client, world):
    assert client.get("/api/v1/kiosk", headers=world.headers()).status_code == 200
    before = card_service_calls(world)
    response, sent = cold_scan(app, client, world)
    assert response.status_code == 200 and response.json["decision"] == "accepted", response.json
    assert kiosk_checks(sent) == 0 and card_service_calls(world) == before + 1


def test_a_kiosk_revoked_after_it_was_active_is_refused_at_once(app, client, world):
    assert client.get("/api/v1/kiosk", headers=world.headers()).status_code == 200
    kiosks.revoke_kiosk(db.session.get(Kiosk, world.kiosk_ids["gate"]), "cli", utcnow())
    response, _ = cold_scan(app, client, world)
    assert response.status_code == 401 and response.json["error"] == "unauthorized"
