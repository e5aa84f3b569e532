"""The card-service adapter against the emulator running as a real process on a free port.

Time for caches and the breaker comes from a clock the test moves (small configured values, no
waiting); the hang test uses the real clock, because the time budget is what it checks.
"""
import json
import logging
import subprocess
import sys
import threading
import time

import pytest
import requests

from app.adapters.cardservice import GuardedCardService, GuardSettings, HttpCardServiceBackend
from app.domain.cards import CardRef, CardStatus, CardType, LookupOutcome
from tests.support.cardsim import SimControl, card_record
from tests.support.processes import ROOT, Service, free_port, start_cardsim

TOKEN = "e2e-token"
STATUSES = [s.value for s in CardStatus]


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    data = tmp_path_factory.mktemp("cardsim-e2e") / "cards.json"
    data.write_text(json.dumps({"cards": [card_record("40000001", qr_token="seededTokenFromFile")]}))
    service = start_cardsim(str(data), token=TOKEN)
    yield service
    service.stop()


@pytest.fixture
def sim(emulator):
    control = SimControl(emulator.url)
    control.faults("ok")
    yield control
    control.faults("ok")


def guarded(url: str, clock=time.monotonic, token: str = TOKEN, **settings) -> GuardedCardService:
    return GuardedCardService(HttpCardServiceBackend(url, token), GuardSettings(**settings), clock=clock)


# --- answers -----------------------------------------------------------------------------------

@pytest.mark.parametrize("status", STATUSES)
def test_every_status_by_card_number_and_by_qr_token(sim, status):
    number = f"4100{STATUSES.index(status):04d}"
    sim.put_card(number, status, qr_token=f"token-for-{status}", card_type="cleaning", first_name="Łukasz",
                 last_name="Brzęczyszczykiewicz", employer=("UAB Statybų Grupė", "304567891"))
    service = guarded(sim.url)
    for ref in (CardRef("card_number", number), CardRef("qr_token", f"token-for-{status}")):
        check = service.lookup(ref)
        assert (check.outcome, check.status, check.card_number) == (LookupOutcome.FOUND, CardStatus(status), number)
        assert (check.card_type, check.first_name, check.last_name) == (CardType.CLEANING, "Łukasz", "Brzęczyszczykiewicz")
        assert (check.employer_name, check.employer_org_number) == ("UAB Statybų Grupė", "304567891")
        assert check.birth_date.isoformat() == "1980-02-03" and check.valid_to.isoformat() == "2027-06-30"


def test_the_data_file_is_served(sim):
    check = guarded(sim.url).lookup(CardRef("qr_token", "seededTokenFromFile"))
    assert (check.outcome, check.card_number) == (LookupOutcome.FOUND, "40000001")


def test_unknown_card_and_token(sim):
    service = guarded(sim.url)
    assert service.lookup(CardRef("card_number", "49999999")).outcome is LookupOutcome.UNKNOWN_CARD
    assert service.lookup(CardRef("qr_token", "no-such-token")).outcome is LookupOutcome.UNKNOWN_CARD


def test_a_wrong_token_is_unavailable_never_valid(sim):
    sim.put_card("40000002")
    response = requests.get(f"{sim.url}/v1/cards/40000002", timeout=5)
    assert response.status_code == 401 and response.json() == {"error": "unauthorized"}
    check = guarded(sim.url, token="wrong").lookup(CardRef("card_number", "40000002"))
    assert check.outcome is LookupOutcome.UNAVAILABLE and check.status is None


# --- fault modes -------------------------------------------------------------------------------

@pytest.mark.parametrize("faults", [
    {"mode": "down"}, {"mode": "error"}, {"mode": "garbage"},
    {"mode": "flaky", "error_rate": 1.0}, {"mode": "ok", "latency_ms": 1500},
])
def test_faults_give_unavailable(sim, faults):
    sim.put_card("40000003")
    sim.faults(**faults)
    check = guarded(sim.url, budget_s=0.5).lookup(CardRef("card_number", "40000003"))
    assert (check.outcome, check.status) == (LookupOutcome.UNAVAILABLE, None)


def test_latency_within_the_budget_is_fine(sim):
    sim.put_card("40000004")
    sim.faults("ok", latency_ms=100)
    assert guarded(sim.url).lookup(CardRef("card_number", "40000004")).status is CardStatus.VALID


def test_flaky_fails_about_that_fraction_of_calls(sim):
    sim.put_card("40000005")
    sim.faults("flaky", error_rate=0.5)
    outcomes = [guarded(sim.url).lookup(CardRef("card_number", "40000005")).outcome for _ in range(40)]
    assert LookupOutcome.FOUND in outcomes and LookupOutcome.UNAVAILABLE in outcomes
    assert set(outcomes) == {LookupOutcome.FOUND, LookupOutcome.UNAVAILABLE}


def test_hang_gets_an_answer_within_the_budget_every_time(sim):
    sim.put_card("40000006")
    sim.faults("hang")
    service = guarded(sim.url, budget_s=2.0)
    for attempt in range(3):
        started = time.monotonic()
        check = service.lookup(CardRef("card_number", "40000006"))
        elapsed = time.monotonic() - started
        assert check.outcome is LookupOutcome.UNAVAILABLE
        assert elapsed < 2.5, f"attempt {attempt}: {elapsed:.2f} s"


def test_a_refused_connection_is_retried_once(caplog):
    closed_port = free_port()  # nothing listens here
    with caplog.at_level(logging.INFO, logger="app.adapters.cardservice"):
        check = guarded(f"http://127.0.0.1:{closed_port}").lookup(CardRef("card_number", "40000007"))
    assert check.outcome is LookupOutcome.UNAVAILABLE
    assert "attempts=2 failure=connection" in caplog.text


def test_the_log_line_has_latency_and_outcome_but_no_card_number(sim, caplog):
    sim.put_card("40000008", first_name="Ærlend")
    with caplog.at_level(logging.INFO, logger="app.adapters.cardservice"):
        guarded(sim.url).lookup(CardRef("card_number", "40000008"))
    line = caplog.records[-1].getMessage()
    assert "outcome=found status=valid source=service latency_ms=" in line
    assert "40000008" not in caplog.text and "Ærlend" not in caplog.text


# --- caching and single-flight -----------------------------------------------------------------

def test_a_burst_of_scans_of_one_card_makes_one_call(sim):
    sim.put_card("40000009")
    sim.faults("ok", latency_ms=300)  # the burst arrives while the first call is in flight
    service = guarded(sim.url)
    before = sim.calls()
    results = []
    threads = [threading.Thread(target=lambda: results.append(service.lookup(CardRef("card_number", "40000009"))))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sim.calls() - before == 1
    assert [r.status for r in results] == [CardStatus.VALID] * 8
    assert sum(not r.from_cache for r in results) == 1


def test_a_valid_answer_is_cached_for_its_ttl(sim):
    sim.put_card("40000010")
    clock = FakeClock()
    service = guarded(sim.url, clock=clock, valid_ttl_s=600)
    ref = CardRef("card_number", "40000010")
    before = sim.calls()
    assert service.lookup(ref).from_cache is False
    clock.advance(599)
    assert service.lookup(ref).from_cache is True
    assert sim.calls() - before == 1
    sim.put_card("40000010", "blocked")  # the status changes at the service
    clock.advance(2)
    check = service.lookup(ref)
    assert (check.from_cache, check.status) == (False, CardStatus.BLOCKED)
    assert sim.calls() - before == 2


def test_negative_answers_are_cached_briefly(sim):
    clock = FakeClock()
    service = guarded(sim.url, clock=clock, negative_ttl_s=60)
    ref = CardRef("card_number", "40000011")
    before = sim.calls()
    assert service.lookup(ref).outcome is LookupOutcome.UNKNOWN_CARD
    clock.advance(30)
    assert service.lookup(ref).outcome is LookupOutcome.UNKNOWN_CARD
    assert sim.calls() - before == 1
    sim.put_card("40000011", "not_valid")
    clock.advance(31)
    assert service.lookup(ref).status is CardStatus.NOT_VALID
    sim.put_card("40000011", "valid")  # register duties met again: seen within a minute
    clock.advance(61)
    assert service.lookup(ref).status is CardStatus.VALID
    assert sim.calls() - before == 3


def test_a_qr_lookup_also_answers_for_the_card_number(sim):
    sim.put_card("40000012", qr_token="tokenForCard12")
    service = guarded(sim.url, clock=FakeClock())
    before = sim.calls()
    service.lookup(CardRef("qr_token", "tokenForCard12"))
    assert service.lookup(CardRef("card_number", "40000012")).from_cache is True
    assert sim.calls() - before == 1


def test_outages_are_not_cached(sim):
    sim.put_card("40000013")
    service = guarded(sim.url, clock=FakeClock())
    ref = CardRef("card_number", "40000013")
    sim.faults("error")
    assert service.lookup(ref).outcome is LookupOutcome.UNAVAILABLE
    sim.faults("ok")
    assert service.lookup(ref).status is CardStatus.VALID


# --- circuit breaker ---------------------------------------------------------------------------

def test_the_breaker_stops_calls_then_tries_again(sim):
    sim.put_card("40000014")
    clock = FakeClock()
    service = guarded(sim.url, clock=clock, breaker_failures=3, breaker_open_s=30)
    ref = CardRef("card_number", "40000014")
    sim.faults("error")
    before = sim.calls()
    for _ in range(3):
        assert service.lookup(ref).outcome is LookupOutcome.UNAVAILABLE
    assert sim.calls() - before == 3 and service.breaker.is_open
    for _ in range(5):  # open: answered from policy at once, the service is left alone
        assert service.lookup(ref).outcome is LookupOutcome.UNAVAILABLE
    assert sim.calls() - before == 3
    clock.advance(31)  # half-open: one trial call, which fails and re-opens the breaker
    assert service.lookup(ref).outcome is LookupOutcome.UNAVAILABLE
    assert service.lookup(ref).outcome is LookupOutcome.UNAVAILABLE
    assert sim.calls() - before == 4
    sim.faults("ok")
    clock.advance(31)  # the next trial succeeds and closes it
    assert service.lookup(ref).status is CardStatus.VALID
    assert not service.breaker.is_open
    assert sim.calls() - before == 5


def test_an_unknown_card_is_a_success_for_the_breaker(sim):
    service = guarded(sim.url, clock=FakeClock(), breaker_failures=2, negative_ttl_s=0)
    for number in ("49000001", "49000002", "49000003"):
        assert service.lookup(CardRef("card_number", number)).outcome is LookupOutcome.UNKNOWN_CARD
    assert not service.breaker.is_open


# --- the emulator itself -----------------------------------------------------------------------

def test_test_controls_refuse_bad_records(sim):
    response = requests.put(f"{sim.url}/_sim/cards/40000015", json={"status": "sort of"}, timeout=5)
    assert response.status_code == 400 and response.json()["error"] == "invalid"
    assert requests.put(f"{sim.url}/_sim/faults", json={"mode": "chaos"}, timeout=5).status_code == 400
    assert requests.put(f"{sim.url}/_sim/faults", data=b"{", timeout=5).status_code == 400


def test_a_deleted_card_is_unknown(sim):
    sim.put_card("40000016")
    sim.delete_card("40000016")
    assert guarded(sim.url).lookup(CardRef("card_number", "40000016")).outcome is LookupOutcome.UNKNOWN_CARD


def test_without_test_controls_there_are_none(tmp_path):
    data = tmp_path / "cards.json"
    data.write_text(json.dumps({"cards": []}))
    port = free_port()
    service = Service([sys.executable, "-m", "cardsim", "--port", str(port), "--data", str(data)], port,
                      ready_path="/_sim/calls")
    try:
        assert requests.get(f"{service.url}/_sim/calls", timeout=5).status_code == 404
        assert requests.put(f"{service.url}/_sim/faults", json={"mode": "down"}, timeout=5).status_code == 404
        # The default token is dev-token, the app's default outside production.
        answer = requests.get(f"{service.url}/v1/cards/40000000", headers={"Authorization": "Bearer dev-token"},
                              timeout=5)
        assert answer.status_code == 404 and answer.json() == {"error": "unknown_card"}
    finally:
        service.stop()


def test_a_broken_data_file_is_a_clear_error(tmp_path):
    data = tmp_path / "cards.json"
    data.write_text('{"cards": [{"card_number": "1"}]}')
    result = subprocess.run([sys.executable, "-m", "cardsim", "--port", str(free_port()), "--data", str(data)],
                            cwd=ROOT, capture_output=True, text=True, timeout=20)
    assert result.returncode == 2 and "cannot load" in result.stderr
