"""Exactly-once delivery from the kiosk program to the server, with processes killed at bad moments.

- the web app killed (kill -9, master and workers) in the middle of a batch upload, then started
  again on the same port: every queued scan arrives once;
- the scanner itself killed with SIGKILL at a random moment, over many runs, while it is taking
  scans online or offline: every scan the screen answered reaches the server, none twice.
Counting is done in the server's database. The scanner helpers come from the scanner's e2e tests.
"""
import os
import random
import signal
import time

import pytest

from tests.e2e.test_scanner_e2e import finish, gunicorn_on, outbox_ids, scanner, scanner_env, server_events
from tests.reliability.torture import record, scaled
from tests.support.kiosk_api import cardsim, world  # noqa: F401  (fixtures)
from tests.support.processes import free_port

KILL_RUNS = scaled(5, 20)
SCANS_PER_RUN = 12


@pytest.fixture(scope="module")
def live(_app, database_url, cardsim):  # noqa: F811
    server = gunicorn_on(free_port(), database_url, cardsim)
    yield server
    server.stop()


def kill_9_with_children(pid: int) -> None:
    """SIGKILL gunicorn's master and its workers at once: no graceful anything."""
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        pids = [int(child) for child in children.read().split()]
    for each in [pid, *pids]:
        os.kill(each, signal.SIGKILL)


def card_numbers(start: int, count: int) -> list[str]:
    """Distinct 8-digit numbers the emulator does not know: each one is a recorded (rejected) scan."""
    return [f"{start + n * 13:08d}" for n in range(count)]


def queue_offline(tmp_path, token: str, numbers: list[str]) -> list[str]:
    offline = scanner_env(tmp_path, token, drain_timeout_s=0)
    finish(scanner(f"http://127.0.0.1:{free_port()}", "hid", offline, stdin=""), "\n".join(numbers) + "\n")
    return outbox_ids(tmp_path / "outbox.sqlite3")


def test_server_killed_mid_batch_and_restarted_delivers_every_scan_once(database_url, cardsim, world, tmp_path):  # noqa: F811,E501
    queued = queue_offline(tmp_path, world.tokens["gate"], card_numbers(60000000, 60))
    assert len(queued) == 60
    port = free_port()
    server = gunicorn_on(port, database_url, cardsim)
    process = scanner(server.url, "hid", scanner_env(tmp_path, world.tokens["gate"], batch_size=2,
                                                     drain_timeout_s=120), stdin="")
    deadline = time.monotonic() + 60
    while not 0 < len(server_events()) < 40:
        assert process.poll() is None and time.monotonic() < deadline, "the upload did not start"
        time.sleep(0.01)
    kill_9_with_children(server.process.pid)
    server.process.wait(10)
    delivered_before = len(server_events())
    assert delivered_before < 60, "the kill came after the upload had finished"
    time.sleep(1)  # the kiosk meets a dead server for a while
    server = gunicorn_on(port, database_url, cardsim)
    try:
        finish(process, "")  # end of input: drain the queue, then exit
    finally:
        server.stop()
    assert sorted(e.id for e in server_events()) == sorted(queued)
    assert outbox_ids(tmp_path / "outbox.sqlite3") == []
    record("web app killed mid-batch", queued=60, delivered_before_kill=delivered_before, lost=0, doubled=0)


def decided_count(output: str) -> int:
    return sum("scanner.display: decision" in line for line in output.splitlines())


def one_kill_run(rng: random.Random, server_url: str, live_url: str, token: str, numbers: list[str], folder):
    """Feed scans one by one, SIGKILL the scanner at a random moment, then let a fresh one drain."""
    process = scanner(server_url, "hid", scanner_env(folder, token), stdin="")
    kill_after = rng.uniform(0.3, 2.5)
    started = time.monotonic()
    for number in numbers:
        if time.monotonic() - started > kill_after:
            break
        process.stdin.write(number + "\n")
        process.stdin.flush()
        time.sleep(rng.uniform(0, 0.15))
    time.sleep(max(0.0, kill_after - (time.monotonic() - started)))
    process.send_signal(signal.SIGKILL)
    output, _ = process.communicate(timeout=30)
    finish(scanner(live_url, "hid", scanner_env(folder, token, drain_timeout_s=60), stdin=""), "")
    return decided_count(output)


def test_scanner_killed_at_random_moments_loses_and_doubles_nothing(live, world, tmp_path):  # noqa: F811
    rng = random.Random(int(os.environ.get("PORTVAKT_KILL_SEED", "9")))
    dead_server = f"http://127.0.0.1:{free_port()}"
    shown_total = 0
    for run in range(KILL_RUNS):
        numbers = card_numbers(70000000 + run * 1000, SCANS_PER_RUN)
        online = run % 2 == 0  # odd runs: the kiosk is offline, so the kill lands in the queueing path
        shown = one_kill_run(rng, live.url if online else dead_server, live.url, world.tokens["gate"], numbers,
                             tmp_path / f"run-{run}")
        arrived = [e.card_number for e in server_events() if e.card_number in numbers]
        # The hid source decides lines in order: the first `shown` numbers were answered on screen.
        assert set(numbers[:shown]) <= set(arrived), f"run {run}: a scan the screen answered was lost"
        assert len(arrived) == len(set(arrived)), f"run {run}: a scan arrived twice"
        assert set(arrived) <= set(numbers)
        assert outbox_ids(tmp_path / f"run-{run}" / "outbox.sqlite3") == []
        shown_total += shown
    assert shown_total > 0, "every kill came before the first scan: the runs tested nothing"
    record("scanner SIGKILL", runs=KILL_RUNS, scans_answered_before_kill=shown_total, lost=0, doubled=0)
