"""Card rules (issue 15, item 12): what the card service may answer that is not a plain valid
construction or cleaning card, and what the worker is told."""
from datetime import date, datetime, timezone

import pytest

from app.adapters.cardservice import card_check_from_answer
from app.domain.cards import CardRef, CardStatus, CardType, LookupOutcome, last_valid_day
from app.domain.gate import LENIENT, GateFacts, decide_gate, message
from scanner import i18n

NOW = datetime(2026, 11, 25, 6, 30, tzinfo=timezone.utc)
TODAY = date(2026, 11, 25)
LENIENT_SITE = GateFacts(today=TODAY, outage_policy=LENIENT, employer_registered=True)


def answer(**changes) -> dict:
    base = {"card_number": "40007919", "card_type": "construction", "status": "valid", "status_reason": "",
            "issued_on": "2025-06-30", "valid_to": "2027-06-30",
            "holder": {"first_name": "Åse", "last_name": "Ødegård", "birth_date": "1980-02-03"},
            "employer": {"name": "Frakt AS", "org_number": "987654325"}}
    return {**base, **changes}


def decide(**changes):
    check = card_check_from_answer(answer(**changes), CardRef("card_number", "40007919"), NOW)
    return check, decide_gate(check, LENIENT_SITE, NOW)


def test_a_goods_transport_card_is_refused_not_let_in_provisionally():
    check, decision = decide(card_type="transport")
    assert check.outcome is LookupOutcome.FOUND and check.card_type is CardType.OTHER
    assert (decision.accepted, decision.reason, decision.verified) == (False, "card_type_not_accepted", True)
    assert "bygg" in decision.message["nb"] and "renhold" in decision.message["nb"]


@pytest.mark.parametrize("status", ["suspended", "VALID", "pending"])
def test_an_unknown_status_is_not_valid_never_an_outage(status):
    check, decision = decide(status=status)
    assert check.outcome is LookupOutcome.FOUND and check.status is CardStatus.UNKNOWN
    assert (decision.accepted, decision.reason, decision.verified) == (False, "card_not_valid", True)


def test_a_cleaning_card_is_welcome():
    assert decide(card_type="cleaning")[1].accepted


@pytest.mark.parametrize("issued, accepted", [("2024-11-26", True), ("2024-11-25", False), ("2023-01-01", False)])
def test_without_an_expiry_date_a_card_lasts_two_years_from_its_issue_date(issued, accepted):
    _, decision = decide(valid_to=None, issued_on=issued)
    assert decision.accepted is accepted
    if not accepted:
        assert decision.reason == "card_expired"


def test_last_valid_day_is_the_day_before_the_second_anniversary():
    assert last_valid_day(date(2024, 11, 25), None) == date(2026, 11, 24)
    assert last_valid_day(date(2024, 2, 29), None) == date(2026, 2, 28)
    assert last_valid_day(date(2024, 2, 29), date(2025, 1, 1)) == date(2025, 1, 1)  # the service's date wins
    assert last_valid_day(None, None) is None


@pytest.mark.parametrize("reason", ["card_lost", "card_stolen", "card_blocked"])
@pytest.mark.parametrize("language", ["nb", "en"])
def test_lost_stolen_and_blocked_send_the_worker_to_the_site_office_on_server_and_kiosk_alike(reason, language):
    server = message(reason)[language].casefold()
    kiosk = i18n.catalogue(language)["reasons"][reason]["action"].casefold()
    assert kiosk in server
    assert ("id-kontroll" if language == "nb" else "id check") in server
    assert "arbeidstilsynet" not in server and "labour inspection" not in server
