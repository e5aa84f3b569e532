"""The card-service budget holds for the whole exchange, against real HTTP servers that trickle.

A read timeout is per recv(): a service that sends a correct answer a byte at a time resets it with
every byte. These tests run a real trickling server (a thread with a listening socket here, and
the emulator's `drip` fault mode as its own process) and check that a lookup gives up at the
budget, counts that as a failure for the breaker, and that a slow answer inside the budget is
still an answer. The margins are generous: what is asserted is the budget, a product promise.
"""
import json
import socket
import socketserver
import threading
import time

import pytest
import requests

from app.adapters.cardservice import GuardedCardService, GuardSettings, HttpCardServiceBackend
from app.domain.cards import CardRef, CardStatus, LookupOutcome
from tests.support.cardsim import SimControl, card_record
from tests.support.processes import start_cardsim

TOKEN = "budget-token"
MARGIN_S = 0.5  # the gate's promise is the budget; this is room for a loaded test machine
ANSWER = json.dumps({k: v for k, v in card_record("40001000").items() if k != "qr_token"}).encode()


class TrickleServer(socketserver.ThreadingTCPServer):
    """Answers every request with a correct card answer, `slow` parts sent a byte per `delay_s`."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, slow: str, delay_s: float):
        super().__init__(("127.0.0.1", 0), TrickleHandler)
        self.slow, self.delay_s, self.stopping = slow, delay_s, threading.Event()
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


class TrickleHandler(socketserver.StreamRequestHandler):
    def handle(self):
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass  # the request's line and headers; a GET has no body
        head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(ANSWER))
        try:
            self.send(head, self.server.slow in ("head", "all"))
            self.send(ANSWER, self.server.slow in ("body", "all"))
        except OSError:
            pass  # the client gave up: that is the point

    def send(self, data: bytes, slowly: bool) -> None:
        if not slowly:
            return self.wfile.write(data)
        for index in range(len(data)):
            if self.server.stopping.wait(self.server.delay_s):
                return
            self.wfile.write(data[index:index + 1])


@pytest.fixture
def trickle(request):
    server = TrickleServer(*request.param)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.stopping.set()
    server.shutdown()
    server.server_close()


def guarded(url: str, **settings) -> GuardedCardService:
    return GuardedCardService(HttpCardServiceBackend(url, TOKEN), GuardSettings(**settings))


def timed_lookup(service, number="40001000"):
    started = time.monotonic()
    check = service.lookup(CardRef("card_number", number))
    return check, time.monotonic() - started


@pytest.mark.parametrize("trickle", [("body", 0.02), ("head", 0.02), ("all", 0.02)], indirect=True,
                         ids=["body", "status-and-headers", "everything"])
def test_a_trickled_answer_is_cut_at_the_budget_and_counts_as_a_failure(trickle):
    # 20 ms a byte: the body alone takes ~8 s, the head ~2 s; every recv() is quick.
    service = guarded(trickle.url, budget_s=1.0, breaker_failures=1)
    check, seconds = timed_lookup(service)
    assert (check.outcome, check.status) == (LookupOutcome.UNAVAILABLE, None)
    assert seconds < 1.0 + MARGIN_S, f"held the gate {seconds:.1f} s"
    assert service.breaker.is_open  # the over-budget answer was a failure, not a success


@pytest.mark.parametrize("trickle", [("all", 0.001)], indirect=True)
def test_a_slow_answer_inside_the_budget_is_still_an_answer(trickle):
    check, seconds = timed_lookup(guarded(trickle.url, budget_s=2.0))
    assert (check.outcome, check.status) == (LookupOutcome.FOUND, CardStatus.VALID)


def test_many_lookups_at_once_each_end_within_the_budget():
    """The reviewer's 7 gates at 100 ms a byte waited 31-63 s: each must end at the budget."""
    server = TrickleServer("all", 0.1)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        service = guarded(server.url, budget_s=1.0, max_concurrent=7)
        results = [None] * 7
        threads = [threading.Thread(target=lambda i=i: results.__setitem__(i, timed_lookup(service, f"4000200{i}")))
                   for i in range(7)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [check.outcome for check, _ in results] == [LookupOutcome.UNAVAILABLE] * 7
        assert max(seconds for _, seconds in results) < 1.0 + MARGIN_S
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()


# --- the emulator's drip mode (a real process) ---------------------------------------------------

@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    data = tmp_path_factory.mktemp("cardsim-drip") / "cards.json"
    data.write_text(json.dumps({"cards": [card_record("40003000")]}))
    service = start_cardsim(str(data), token=TOKEN)
    yield service
    service.stop()


@pytest.fixture
def sim(emulator):
    control = SimControl(emulator.url)
    yield control
    control.faults("ok")


def test_the_emulator_drips_a_correct_answer_byte_by_byte(sim):
    sim.faults("drip", byte_delay_ms=2)
    with socket.create_connection(("127.0.0.1", int(sim.url.rsplit(":", 1)[1])), timeout=5) as conn:
        conn.sendall(b"GET /v1/cards/40003000 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN.encode()
                     + b"\r\nConnection: close\r\n\r\n")
        pieces = []
        while piece := conn.recv(65536):
            pieces.append(piece)
    raw = b"".join(pieces)
    assert raw.startswith(b"HTTP/1.1 200 ")
    assert json.loads(raw.split(b"\r\n\r\n", 1)[1])["card_number"] == "40003000"
    assert len(pieces) > len(raw) / 4  # it came in many small pieces, not one write
    check, _ = timed_lookup(guarded(sim.url, budget_s=5.0), "40003000")
    assert check.status is CardStatus.VALID  # slow, but a correct answer


def test_the_emulator_drip_at_20_ms_a_byte_is_over_budget(sim):
    sim.faults("drip", byte_delay_ms=20)
    service = guarded(sim.url, budget_s=1.0, breaker_failures=1)
    check, seconds = timed_lookup(service, "40003000")
    assert check.outcome is LookupOutcome.UNAVAILABLE and service.breaker.is_open
    assert seconds < 1.0 + MARGIN_S, f"held the gate {seconds:.1f} s"


def test_the_emulator_refuses_a_bad_byte_delay(sim):
    for body in ({"mode": "drip", "byte_delay_ms": -1}, {"mode": "drip", "byte_delay_ms": 60_001},
                 {"mode": "drip", "byte_delay_ms": "slow"}):
        assert requests.put(f"{sim.url}/_sim/faults", json=body, timeout=5).status_code == 400, body
    assert requests.put(f"{sim.url}/_sim/faults", json={"mode": "drip", "byte_delay_ms": 5},
                        timeout=5).json()["byte_delay_ms"] == 5
