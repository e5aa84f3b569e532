"""GuardedCardService's bound on lookups in flight, and the budget for backends that ignore it
(in-memory backends: our own interface)."""
import logging
import os
import runpy
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.adapters.cardservice import CardServiceBackend, GuardedCardService, GuardSettings
from app.config import ConfigError, read_settings
from app.domain.cards import CardCheck, CardRef, CardStatus, LookupOutcome

NOW = datetime(2026, 11, 25, 7, 0, tzinfo=timezone.utc)


def valid(ref) -> CardCheck:
    return CardCheck(LookupOutcome.FOUND, checked_at=NOW, card_number=ref.value, status=CardStatus.VALID)


class StuckBackend(CardServiceBackend):
    """Holds every call until the test lets go, like a service trickling its answer."""

    def __init__(self):
        self.release, self.entered, self.calls = threading.Event(), threading.Event(), 0

    def fetch(self, ref, timeout_s):
        self.calls += 1
        self.entered.set()
        self.release.wait(5)
        return valid(ref)


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class LateBackend(CardServiceBackend):
    """Answers correctly, but only after the budget (moves the guard's clock past it)."""

    def __init__(self, clock, seconds):
        self.clock, self.seconds = clock, seconds

    def fetch(self, ref, timeout_s):
        self.clock.now += self.seconds
        return valid(ref)


def test_a_lookup_past_the_bound_gets_unavailable_at_once_and_is_not_a_breaker_failure(caplog):
    backend = StuckBackend()
    service = GuardedCardService(backend, GuardSettings(max_concurrent=1, slot_wait_s=0.05, breaker_failures=1))
    first = threading.Thread(target=service.lookup, args=(CardRef("card_number", "40000001"),))
    first.start()
    backend.entered.wait(5)
    with caplog.at_level(logging.INFO, logger="app.adapters.cardservice"):
        started = time.monotonic()
        check = service.lookup(CardRef("card_number", "40000002"))
        seconds = time.monotonic() - started
    assert check.outcome is LookupOutcome.UNAVAILABLE and seconds < 1.0
    assert backend.calls == 1 and "source=busy" in caplog.text
    assert not service.breaker.is_open  # our own limit, not the service's failure
    backend.release.set()
    first.join()
    assert service.lookup(CardRef("card_number", "40000003")).status is CardStatus.VALID


class TimedBackend(StuckBackend):
    """Answers at once, except while the test holds it."""

    def __init__(self):
        super().__init__()
        self.release.set()


def test_a_lookup_waits_about_as_long_as_a_healthy_answer_takes():
    backend = TimedBackend()
    service = GuardedCardService(backend, GuardSettings(max_concurrent=1, slot_wait_s=1.0))
    service._good_call_s = 0.3  # the service has been answering in 300 ms
    backend.release.clear()
    first = threading.Thread(target=service.lookup, args=(CardRef("card_number", "40000001"),))
    first.start()
    backend.entered.wait(5)
    threading.Timer(0.2, backend.release.set).start()  # the call ahead ends in a healthy time
    assert service.lookup(CardRef("card_number", "40000002")).status is CardStatus.VALID
    first.join()
    assert service._slot_wait_s() < 0.2  # learned from that call: the emulator answers in ms


def test_an_answer_after_the_budget_is_a_failure_for_the_breaker():
    clock = FakeClock()
    service = GuardedCardService(LateBackend(clock, 2.5), GuardSettings(budget_s=2.0, breaker_failures=1),
                                 clock=clock)
    check = service.lookup(CardRef("card_number", "40000001"))
    assert (check.outcome, check.status) == (LookupOutcome.UNAVAILABLE, None)
    assert service.breaker.is_open


def test_an_answer_inside_the_budget_is_an_answer():
    clock = FakeClock()
    service = GuardedCardService(LateBackend(clock, 1.9), GuardSettings(budget_s=2.0), clock=clock)
    assert service.lookup(CardRef("card_number", "40000001")).status is CardStatus.VALID


def test_a_half_open_trial_without_a_slot_leaves_the_trial_to_the_next_caller():
    clock = FakeClock()
    backend = StuckBackend()
    service = GuardedCardService(backend, GuardSettings(max_concurrent=1, slot_wait_s=0.0, breaker_failures=1,
                                                        breaker_open_s=30), clock=clock)
    service.breaker.record_failure()  # open
    clock.now += 31  # half-open: the next caller may try
    service._slots.acquire()  # every slot taken (a call that started before the breaker opened)
    assert service.lookup(CardRef("card_number", "40000001")).outcome is LookupOutcome.UNAVAILABLE
    service._slots.release()
    backend.release.set()
    assert service.lookup(CardRef("card_number", "40000002")).status is CardStatus.VALID
    assert not service.breaker.is_open


@pytest.mark.parametrize("name, value", [("CARD_SERVICE_MAX_CONCURRENT", 0), ("CARD_SERVICE_SLOT_WAIT_S", -1)])
def test_bad_bulkhead_settings_are_refused(name, value):
    with pytest.raises(ConfigError, match=f"^{name}="):
        read_settings({name: value})


# --- the bulkhead under gunicorn (gunicorn.conf.py sets it from each worker's threads) ---------

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


@pytest.fixture
def gunicorn_conf(monkeypatch, tmp_path):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))  # so loading it makes no metrics folder
    monkeypatch.setenv("CARD_SERVICE_MAX_CONCURRENT", "unset")
    monkeypatch.delenv("CARD_SERVICE_MAX_CONCURRENT")  # restored after the test, whatever post_fork sets
    return runpy.run_path(str(GUNICORN_CONF))


def test_lookups_may_take_most_of_a_workers_threads_but_never_all(gunicorn_conf):
    slots = gunicorn_conf["card_lookup_slots"]
    for threads in range(2, 65):
        assert 1 <= slots(threads) < threads, threads
        assert threads - slots(threads) >= min(2, threads - 1), threads  # pages and /healthz go on
        if threads >= 8:
            assert slots(threads) >= threads // 2, threads  # a rush of first scans runs in parallel
    assert slots(gunicorn_conf["threads"]) > 1


def test_each_worker_gets_the_bulkhead_of_its_own_threads_unless_the_operator_set_one(gunicorn_conf):
    worker = SimpleNamespace(cfg=SimpleNamespace(threads=4))  # what gunicorn hands post_fork: the real --threads
    gunicorn_conf["post_fork"](None, worker)
    assert os.environ["CARD_SERVICE_MAX_CONCURRENT"] == str(gunicorn_conf["card_lookup_slots"](4)) == "2"
    os.environ["CARD_SERVICE_MAX_CONCURRENT"] = "3"
    gunicorn_conf["post_fork"](None, SimpleNamespace(cfg=SimpleNamespace(threads=32)))
    assert os.environ["CARD_SERVICE_MAX_CONCURRENT"] == "3"
