"""Card rules end to end (issue 15, item 12): the kiosk API, a lenient site and a real card-service
emulator serving card types and statuses the app does not know."""
import pytest
import requests

from app.extensions import db
from app.models import AttendanceDay, FollowUp, Site
from tests.support.cardsim import card_record
from tests.support.kiosk_api import cardsim, org_number, scan_body, world  # noqa: F401  (fixtures)


def serve(world, number, extra=None, **fields):
    record = card_record(number, employer=("Frakt Øst AS", org_number(98765430)), **fields)
    record.update(extra or {})
    requests.put(f"{world.cardsim.url}/_sim/cards/{number}", json=record, timeout=5).raise_for_status()


def scan(client, world, number):
    site = db.session.get(Site, world.site_id)
    site.outage_policy = "lenient"  # the policy that used to let these in "provisionally"
    db.session.commit()
    return client.post("/api/v1/scans", json=scan_body(number), headers=world.headers()).json


def test_a_goods_transport_card_is_refused_with_a_clear_reason(client, world):
    serve(world, "48000001", card_type="transport")
    body = scan(client, world, "48000001")
    assert (body["decision"], body["reason"], body["verified"]) == ("rejected", "card_type_not_accepted", True)
    assert "bygg og anlegg eller renhold" in body["message"]["nb"] and "needs_approval" not in body["warnings"]
    assert db.session.query(AttendanceDay).count() == 0


def test_an_unknown_status_is_not_valid_and_opens_no_section_8_notice(client, world):
    serve(world, "48000002", status="suspended_for_review")
    body = scan(client, world, "48000002")
    assert (body["decision"], body["reason"], body["verified"]) == ("rejected", "card_not_valid", True)
    assert db.session.query(FollowUp).count() == 0


@pytest.mark.parametrize("issued_on, decision", [("2019-03-01", "rejected"), ("2025-06-30", "accepted")])
def test_a_card_without_an_expiry_date_lasts_two_years_from_issue(client, world, issued_on, decision):
    serve(world, "48000003", valid_to=None, extra={"issued_on": issued_on})
    body = scan(client, world, "48000003")
    assert body["decision"] == decision
    if decision == "rejected":
        assert body["reason"] == "card_expired"
