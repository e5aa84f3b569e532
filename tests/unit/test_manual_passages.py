"""Issue 15, items 1 and 2 as pure rules: the builder_rep's outage override, the words for an exit
(the server's and the kiosk's the same), the time of a manual registration, and the card service's
"unreachable" signal for the site pages' banner."""
import json
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from app.adapters.cardservice import CardServiceUnavailable, CardServiceBackend, GuardedCardService, GuardSettings
from app.domain.cards import CardCheck, CardRef, CardStatus, CardType, LookupOutcome
from app.domain.gate import GateDecision, GateFacts, decide_gate, for_direction, message
from app.domain.manual import ManualTimeError, manual_moment

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)  # 10:30 in Oslo
TODAY = date(2026, 11, 25)
TZ = "Europe/Oslo"
UNAVAILABLE = CardCheck(LookupOutcome.UNAVAILABLE, checked_at=NOW)
SCANNER_LOCALES = Path(__file__).resolve().parents[2] / "scanner" / "locales"


def strict(**overrides) -> GateFacts:
    return GateFacts(**{"today": TODAY, "outage_policy": "strict", "employer_registered": True,
                        "on_record": True, **overrides})


# --- the override -------------------------------------------------------------------------------

def test_without_the_override_a_strict_site_sends_an_unconfirmed_card_to_the_office():
    decision = decide_gate(UNAVAILABLE, strict(), NOW)
    assert (decision.accepted, decision.reason) == (False, "card_service_unavailable")


@pytest.mark.parametrize("last_status", [None, "valid"])
def test_the_override_lets_a_known_card_in_unverified(last_status):
    decision = decide_gate(UNAVAILABLE, strict(manual_override=True, last_status=last_status), NOW)
    assert (decision.accepted, decision.reason, decision.verified) == (True, "ok_unverified", False)
    assert decision.message == message("ok_manual_override")


@pytest.mark.parametrize("overrides, reason", [
    (dict(on_record=False), "card_service_unavailable"),  # no name for the list
    (dict(last_status="blocked"), "card_blocked"),  # what we last heard still counts
    (dict(last_status="not_valid"), "card_not_valid"),
    (dict(valid_to=TODAY - timedelta(days=1)), "card_expired"),
    (dict(person_barred=True), "person_barred"),
    (dict(only_registered_companies=True, employer_registered=False), "company_not_registered"),
])
def test_the_override_never_overrides_what_we_know(overrides, reason):
    decision = decide_gate(UNAVAILABLE, strict(manual_override=True, **overrides), NOW)
    assert (decision.accepted, decision.reason, decision.verified) == (False, reason, False)


def test_the_override_changes_nothing_when_the_service_answers():
    blocked = CardCheck(LookupOutcome.FOUND, checked_at=NOW, card_number="40007919", card_type=CardType.CONSTRUCTION,
                        status=CardStatus.BLOCKED)
    assert decide_gate(blocked, strict(manual_override=True), NOW).reason == "card_blocked"


# --- an exit says it is an exit -----------------------------------------------------------------

ACCEPTED = GateDecision(True, "ok", message("ok"), verified=True)


@pytest.mark.parametrize("decision", [
    ACCEPTED,
    GateDecision(True, "ok_unverified", message("ok_needs_approval"), verified=False, needs_approval=True),
    GateDecision(True, "ok_unverified", message("ok_manual_override"), verified=False),
])
def test_an_accepted_exit_says_checked_out(decision):
    out = for_direction(decision, "out")
    assert out.message == {"nb": "Registrert ut – ha en fin dag", "en": "Checked out – have a nice day"}
    assert (out.accepted, out.reason, out.verified, out.needs_approval) == (
        decision.accepted, decision.reason, decision.verified, decision.needs_approval)


def test_an_entry_and_a_rejection_keep_their_words():
    assert for_direction(ACCEPTED, "in") == ACCEPTED
    assert "velkommen inn" in ACCEPTED.message["nb"]
    refused = GateDecision(False, "card_expired", message("card_expired"), verified=True)
    assert for_direction(refused, "out") == refused


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_kiosk_says_an_exit_in_the_servers_words(language):
    kiosk = json.loads((SCANNER_LOCALES / f"{language}.json").read_text(encoding="utf-8"))
    assert kiosk["ui"]["checked_out"] == message("ok_out")[language]


def test_every_kiosk_language_has_words_for_an_exit():
    for path in SCANNER_LOCALES.glob("*.json"):
        assert json.loads(path.read_text(encoding="utf-8"))["ui"]["checked_out"].strip(), path.name


# --- the time of a manual registration ----------------------------------------------------------

def test_a_time_earlier_today_is_that_moment_in_utc():
    assert manual_moment(TODAY, time(7, 15), NOW, TZ) == datetime(2026, 11, 25, 6, 15, tzinfo=timezone.utc)


def test_an_empty_time_today_is_now_and_an_empty_day_is_today():
    assert manual_moment(None, None, NOW, TZ) == NOW
    assert manual_moment(TODAY, None, NOW, TZ) == NOW


@pytest.mark.parametrize("day, clock, field", [
    (TODAY, time(10, 31), "time"),  # a minute ahead
    (TODAY + timedelta(days=1), time(7, 0), "day"),
    (TODAY - timedelta(days=1), None, "time"),  # another day needs its time
    (TODAY - timedelta(days=8), time(7, 0), "day"),
    (TODAY - timedelta(days=7), time(9, 0), "time"),  # the day is in range, the moment is over 7 days old
])
def test_a_time_outside_the_day_or_in_the_future_is_refused_on_its_field(day, clock, field):
    with pytest.raises(ManualTimeError) as refused:
        manual_moment(day, clock, NOW, TZ)
    assert refused.value.field == field


def test_a_week_back_within_seven_days_is_fine():
    assert manual_moment(TODAY - timedelta(days=7), time(11, 0), NOW, TZ) < NOW


# --- "unreachable" for the banner: the adapter's own state, no call -----------------------------

class SwitchBackend(CardServiceBackend):
    def __init__(self):
        self.down, self.calls = False, 0

    def fetch(self, ref, timeout_s):
        self.calls += 1
        if self.down:
            raise CardServiceUnavailable("http_503")
        return CardCheck(LookupOutcome.UNKNOWN_CARD, checked_at=NOW)


def test_unreachable_after_a_failed_lookup_until_one_succeeds_without_calling_the_service():
    backend = SwitchBackend()
    service = GuardedCardService(backend, GuardSettings(breaker_failures=3))
    assert not service.is_unreachable()
    backend.down = True
    service.lookup(CardRef("card_number", "40000001"))
    calls = backend.calls
    assert service.is_unreachable() and service.is_unreachable()
    assert backend.calls == calls  # asking is free
    backend.down = False
    service.lookup(CardRef("card_number", "40000002"))
    assert not service.is_unreachable()


def test_the_kiosk_screen_says_checked_out_for_an_accepted_exit_only():
    from scanner.display import Screen, detail_lines

    assert detail_lines(Screen(kind="accepted", direction="out", reason="ok"), "nb") == [message("ok_out")["nb"]]
    assert detail_lines(Screen(kind="accepted", direction="in", reason="ok"), "nb") == []
