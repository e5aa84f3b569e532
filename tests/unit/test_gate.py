"""The gate decision: card status, site rules and the outage policy, as plain data in and out."""
from datetime import date, datetime, timedelta, timezone

import pytest

from app.domain.cards import ACCEPT_REASONS, REJECT_REASONS, CardCheck, CardStatus, CardType, LookupOutcome
from app.domain.gate import MESSAGES, GateFacts, card_refusal, decide_gate, payload_rejected

NOW = datetime(2026, 11, 25, 6, 30, tzinfo=timezone.utc)
TODAY = date(2026, 11, 25)


def found(status=CardStatus.VALID, card_type=CardType.CONSTRUCTION, valid_to=date(2027, 6, 1)) -> CardCheck:
    return CardCheck(LookupOutcome.FOUND, checked_at=NOW, card_number="40007919", card_type=card_type,
                     status=status, valid_to=valid_to, first_name="Åse", last_name="Ødegård",
                     birth_date=date(1980, 2, 3), employer_name="Elektro Øst AS", employer_org_number="987654325")


UNAVAILABLE = CardCheck(LookupOutcome.UNAVAILABLE, checked_at=NOW)
UNKNOWN = CardCheck(LookupOutcome.UNKNOWN_CARD, checked_at=NOW)


def facts(**overrides) -> GateFacts:
    return GateFacts(**{"today": TODAY, "employer_registered": True, **overrides})


@pytest.mark.parametrize("status, reason", [
    (CardStatus.NOT_VALID, "card_not_valid"),
    (CardStatus.EXPIRED, "card_expired"),
    (CardStatus.BLOCKED, "card_blocked"),
    (CardStatus.LOST, "card_lost"),
    (CardStatus.STOLEN, "card_stolen"),
    (CardStatus.CONFISCATED, "card_confiscated"),
    (CardStatus.DESTROYED, "card_destroyed"),
])
def test_every_status_but_valid_is_rejected_with_what_to_do(status, reason):
    decision = decide_gate(found(status), facts(), NOW)
    assert (decision.accepted, decision.reason, decision.verified) == (False, reason, True)
    assert " – " in decision.message["nb"] and " – " in decision.message["en"]


def test_a_lost_card_sends_the_worker_to_the_site_office_for_an_id_check():
    decision = decide_gate(found(CardStatus.LOST), facts(), NOW)
    assert decision.message == {"nb": "Kortet er meldt tapt – gå til byggeplasskontoret for ID-kontroll",
                                "en": "Card reported lost – go to the site office for an ID check"}


@pytest.mark.parametrize("card_type", [CardType.CONSTRUCTION, CardType.CLEANING])
def test_valid_construction_and_cleaning_cards_are_accepted(card_type):
    decision = decide_gate(found(card_type=card_type), facts(), NOW)
    assert (decision.accepted, decision.reason, decision.verified, decision.needs_approval) == (True, "ok", True, False)


@pytest.mark.parametrize("valid_to, accepted", [
    (TODAY - timedelta(days=1), False), (TODAY, True), (None, True),
])
def test_a_card_past_valid_to_is_expired_even_if_the_status_says_valid(valid_to, accepted):
    decision = decide_gate(found(valid_to=valid_to), facts(), NOW)
    assert decision.accepted is accepted
    assert decision.reason == ("ok" if accepted else "card_expired")


def test_unknown_card_is_rejected():
    assert decide_gate(UNKNOWN, facts(), NOW).reason == "unknown_card"


@pytest.mark.parametrize("site, reason", [
    (dict(person_barred=True), "person_barred"),
    (dict(only_registered_companies=True, employer_registered=False), "company_not_registered"),
    (dict(only_registered_companies=False, employer_registered=False), "ok"),
    (dict(only_registered_companies=True, employer_registered=True), "ok"),
])
def test_site_rules(site, reason):
    assert decide_gate(found(), facts(**site), NOW).reason == reason


def test_site_rules_do_not_rescue_an_invalid_card():
    assert decide_gate(found(CardStatus.STOLEN), facts(person_barred=True), NOW).reason == "card_stolen"


# --- outage policy ------------------------------------------------------------------------------

@pytest.mark.parametrize("confirmed_hours_ago, accepted", [
    (None, False), (0.1, True), (11.9, True), (12.1, False), (48, False),
    (-0.02, True),  # a minute of clock skew is tolerated
    (-3, False),  # a confirmation from hours in the future is not
])
def test_strict_policy_trusts_only_a_recent_valid(confirmed_hours_ago, accepted):
    confirmed = None if confirmed_hours_ago is None else NOW - timedelta(hours=confirmed_hours_ago)
    decision = decide_gate(UNAVAILABLE, facts(confirmed_valid_at=confirmed), NOW)
    assert (decision.accepted, decision.verified, decision.needs_approval) == (accepted, False, False)
    assert decision.reason == ("ok_unverified" if accepted else "card_service_unavailable")


def test_strict_policy_rejection_sends_the_worker_to_the_site_office():
    message = decide_gate(UNAVAILABLE, facts(), NOW).message
    assert "byggeplasskontoret" in message["nb"] and "site office" in message["en"]


def test_strict_grace_hours_are_the_sites():
    confirmed = NOW - timedelta(hours=3)
    assert decide_gate(UNAVAILABLE, facts(confirmed_valid_at=confirmed, outage_grace_hours=2), NOW).accepted is False
    assert decide_gate(UNAVAILABLE, facts(confirmed_valid_at=confirmed, outage_grace_hours=4), NOW).accepted is True


def test_strict_policy_still_applies_valid_to_and_site_rules():
    recent = NOW - timedelta(hours=1)
    expired = facts(confirmed_valid_at=recent, valid_to=TODAY - timedelta(days=1))
    assert decide_gate(UNAVAILABLE, expired, NOW).reason == "card_expired"
    barred = facts(confirmed_valid_at=recent, person_barred=True)
    assert decide_gate(UNAVAILABLE, barred, NOW).reason == "person_barred"


@pytest.mark.parametrize("known", [
    dict(), dict(confirmed_valid_at=NOW - timedelta(days=30)), dict(employer_registered=None),
])
def test_lenient_policy_lets_everyone_in_for_a_supervisors_approval(known):
    decision = decide_gate(UNAVAILABLE, facts(outage_policy="lenient", **known), NOW)
    assert (decision.accepted, decision.reason, decision.verified, decision.needs_approval) == (
        True, "ok_unverified", False, True)


def test_lenient_policy_keeps_the_sites_own_bar():
    decision = decide_gate(UNAVAILABLE, facts(outage_policy="lenient", person_barred=True), NOW)
    assert (decision.accepted, decision.reason, decision.verified) == (False, "person_barred", False)


@pytest.mark.parametrize("reason", ["foreign_qr", "unreadable"])
def test_payload_rejections(reason):
    decision = payload_rejected(reason)
    assert (decision.accepted, decision.reason) == (False, reason)


def test_every_reason_has_both_languages_and_is_in_the_shared_vocabulary():
    for key, (nb, en) in MESSAGES.items():
        assert nb and en and nb != en
        assert key in ACCEPT_REASONS + REJECT_REASONS or key in ("ok_needs_approval", "ok_out", "ok_manual_override")  # words, not reasons
    assert set(REJECT_REASONS) <= set(MESSAGES)


@pytest.mark.parametrize("check, day, refusal", [
    (found(), TODAY, None),
    (found(card_type=CardType.CLEANING), TODAY, None),
    (found(valid_to=TODAY), TODAY, None),  # the last valid day still counts
    (found(valid_to=TODAY), TODAY + timedelta(days=1), "card_expired"),
    (found(status=CardStatus.NOT_VALID), TODAY, "card_not_valid"),
    (found(status=CardStatus.LOST, valid_to=date(2020, 1, 1)), TODAY, "card_lost"),  # the status says more
    (found(card_type=CardType.OTHER), TODAY, "card_type_not_accepted"),
])
def test_card_refusal_is_the_one_card_validity_rule(check, day, refusal):
    """The gate and re-verification (app/services/card_checks.py) ask the same question."""
    assert card_refusal(check, day) == refusal
    assert decide_gate(check, facts(today=day), NOW).accepted is (refusal is None)
