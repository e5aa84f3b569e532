"""GuardedCardService with in-memory backends (our own interface): failures stay inside the adapter."""
import threading
from datetime import datetime, timezone

from app.adapters.cardservice import CardServiceBackend, GuardedCardService, GuardSettings
from app.domain.cards import CardCheck, CardRef, CardStatus, LookupOutcome

REF = CardRef("card_number", "40007919")
NOW = datetime(2026, 11, 25, 7, 0, tzinfo=timezone.utc)


class BuggyBackend(CardServiceBackend):
    def fetch(self, ref, timeout_s):
        raise KeyError("https://cards.example/v1/cards/40007919")


class GatedBackend(CardServiceBackend):
    """Answers "valid" once the test opens the gate; counts its calls and says when one has begun."""

    def __init__(self):
        self.gate, self.called, self.calls = threading.Event(), threading.Event(), 0

    def fetch(self, ref, timeout_s):
        self.calls += 1
        self.called.set()
        self.gate.wait(5)
        return CardCheck(LookupOutcome.FOUND, checked_at=NOW, card_number=ref.value, status=CardStatus.VALID)


def wait_until_in_flight(backend: GatedBackend) -> None:
    """The leader's question has reached the card service and waits there for its answer."""
    assert backend.called.wait(5)


def test_a_backend_bug_is_unavailable_and_logged_without_the_card(caplog):
    check = GuardedCardService(BuggyBackend()).lookup(REF)
    assert check.outcome is LookupOutcome.UNAVAILABLE
    assert "KeyError" in caplog.text and "40007919" not in caplog.text


def test_a_follower_shares_the_answer_in_flight():
    backend = GatedBackend()
    service = GuardedCardService(backend)
    results = []
    leader = threading.Thread(target=lambda: results.append(service.lookup(REF)))
    leader.start()
    wait_until_in_flight(backend)
    follower = threading.Thread(target=lambda: results.append(service.lookup(REF)))
    follower.start()
    backend.gate.set()
    leader.join()
    follower.join()
    assert backend.calls == 1 and [r.status for r in results] == [CardStatus.VALID] * 2


def test_a_follower_does_not_wait_past_the_budget():
    backend = GatedBackend()
    service = GuardedCardService(backend, GuardSettings(budget_s=0.2))
    leader = threading.Thread(target=service.lookup, args=(REF,))
    leader.start()
    wait_until_in_flight(backend)
    assert service.lookup(REF).outcome is LookupOutcome.UNAVAILABLE
    backend.gate.set()
    leader.join()
