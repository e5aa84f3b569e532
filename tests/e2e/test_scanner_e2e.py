"""The kiosk program as a process against live gunicorn and the card-service emulator.

`python -m scanner run --source images:DIR --display none --exit-when-done` decides real card photos;
with the server down the scans are queued and delivered when it comes up; kill -9 in the middle of a
sync loses and duplicates nothing. Exactly-once is checked in the server's database by scan id.
"""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import cv2
import pytest

from app.extensions import db
from app.models import AttendanceDay, ScanEvent
from tests.support.card_photos import idle_frame, photo
from tests.support.kiosk_api import CARDSIM_TOKEN, cardsim, world  # noqa: F401  (fixtures)
from tests.support.processes import ROOT, VENV_BIN, Service, free_port

SCANNER_TIMEOUT_S = 120


def gunicorn_on(port: int, database_url: str, cardsim) -> Service:  # noqa: F811
    args = [str(VENV_BIN / "gunicorn"), "--workers", "2", "--threads", "4", "--bind", f"127.0.0.1:{port}", "wsgi:app"]
    return Service(args, port, env={"DATABASE_URL": database_url, "CARD_SERVICE_URL": cardsim.url,
                                    "CARD_SERVICE_TOKEN": CARDSIM_TOKEN}, ready_path="/healthz")


def scanner_env(tmp_path, token: str, **settings) -> dict:
    env = {**os.environ, "PORTVAKT_SCANNER_TOKEN": token, "PORTVAKT_SCANNER_OUTBOX": str(tmp_path / "outbox.sqlite3"),
           "PORTVAKT_SCANNER_CONFIG": "", "PORTVAKT_SCANNER_BACKOFF_MIN_S": "0.2",
           "PORTVAKT_SCANNER_BACKOFF_MAX_S": "1", "PORTVAKT_SCANNER_SYNC_INTERVAL_S": "0.5"}
    env.update({f"PORTVAKT_SCANNER_{key.upper()}": str(value) for key, value in settings.items()})
    return env


def scanner(server: str, source: str, env: dict, stdin=None) -> subprocess.Popen:
    args = [sys.executable, "-m", "scanner", "run", "--server", server, "--source", source,
            "--display", "none", "--exit-when-done"]
    return subprocess.Popen(args, cwd=ROOT, env=env, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(process: subprocess.Popen, stdin: str | None = None) -> str:
    output, _ = process.communicate(stdin, timeout=SCANNER_TIMEOUT_S)
    assert process.returncode == 0, output
    return output


def decisions(output: str) -> list[str]:
    return [line.split("decision ", 1)[1] for line in output.splitlines() if "scanner.display: decision" in line]


def outbox_ids(path: Path) -> list[str]:
    """The scans still queued (none while the kiosk has not created its outbox yet)."""
    if not path.exists():
        return []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [row[0] for row in conn.execute("SELECT id FROM scans WHERE state = 'pending' ORDER BY rowid")]
    except sqlite3.OperationalError:  # not created yet
        return []
    finally:
        conn.close()


def server_events():
    db.session.expire_all()
    return db.session.query(ScanEvent).all()


def write_gate_images(folder, world) -> None:  # noqa: F811
    """Two photos of Kari's card in a row (held up: one scan), the others, an idle frame, a foreign code."""
    folder.mkdir()
    frames = [photo(world.workers["kari"].qr, seed=1), photo(world.workers["kari"].qr, seed=2, tilt=0.12),
              idle_frame(seed=3), photo(world.workers["lukasz"].qr, seed=4, blur=1.2),
              photo(world.workers["ruta"].qr, seed=5, glare=0.5), photo(world.workers["ola"].qr, seed=6, light=0.35),
              photo("https://example.com/not-a-card", seed=7)]
    for index, frame in enumerate(frames):
        cv2.imwrite(str(folder / f"{index:02d}.png"), frame)


@pytest.fixture(scope="module")
def live(_app, database_url, cardsim):  # noqa: F811
    server = gunicorn_on(free_port(), database_url, cardsim)
    yield server
    server.stop()


def test_images_are_decided_by_the_live_server(live, world, tmp_path):  # noqa: F811
    write_gate_images(tmp_path / "gate", world)
    output = finish(scanner(live.url, f"images:{tmp_path / 'gate'}", scanner_env(tmp_path, world.tokens["gate"])))
    lines = decisions(output)
    assert len(lines) == 5, output
    assert sum("kind=accepted direction=in reason=ok " in line for line in lines) == 4
    assert sum("kind=rejected" in line and "reason=foreign_qr" in line for line in lines) == 1
    assert not any(name in output for name in ("Kari", "Nordmann", world.workers["kari"].card_number))
    events = server_events()
    assert len(events) == 5 and all(not event.late for event in events)
    assert {e.person_id for e in events if e.decision == "accepted"} == {w.person_id for w in world.workers.values()}
    assert db.session.query(AttendanceDay).filter_by(is_present=True).count() == 4
    assert outbox_ids(tmp_path / "outbox.sqlite3") == []


def test_server_down_then_up_delivers_every_queued_scan(database_url, cardsim, world, tmp_path):  # noqa: F811
    write_gate_images(tmp_path / "gate", world)
    port = free_port()
    env = scanner_env(tmp_path, world.tokens["gate"], drain_timeout_s=90)
    process = scanner(f"http://127.0.0.1:{port}", f"images:{tmp_path / 'gate'}", env)
    deadline = time.monotonic() + 60
    while len(outbox_ids(tmp_path / "outbox.sqlite3")) < 5:
        assert process.poll() is None and time.monotonic() < deadline, "scans were not queued while offline"
        time.sleep(0.1)
    assert server_events() == []
    server = gunicorn_on(port, database_url, cardsim)
    try:
        output = finish(process)
    finally:
        server.stop()
    lines = decisions(output)
    assert len(lines) == 5 and all("kind=queued" in line and "offline=True" in line for line in lines), output
    events = server_events()
    assert len(events) == 5 and all(event.late for event in events)
    assert sorted(e.decision for e in events) == ["accepted"] * 4 + ["rejected"]
    assert outbox_ids(tmp_path / "outbox.sqlite3") == []


def test_kill_9_during_sync_loses_and_duplicates_nothing(live, database_url, world, tmp_path):  # noqa: F811
    outbox = tmp_path / "outbox.sqlite3"
    numbers = [w.card_number for w in world.workers.values()] + [f"{50000000 + n * 37:08d}" for n in range(56)]
    offline = scanner_env(tmp_path, world.tokens["gate"], drain_timeout_s=0)
    finish(scanner(f"http://127.0.0.1:{free_port()}", "hid", offline, stdin=""), "\n".join(numbers) + "\n")
    queued = outbox_ids(outbox)
    assert len(queued) == 60

    process = scanner(live.url, "hid", scanner_env(tmp_path, world.tokens["gate"], batch_size=2), stdin="")
    process.stdin.close()
    deadline = time.monotonic() + 60
    while not 0 < len(server_events()) < 40:
        assert process.poll() is None and time.monotonic() < deadline, "sync did not start"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    delivered_before_kill = len(server_events())
    assert delivered_before_kill < 60 and outbox_ids(outbox), "the kill came after the sync had finished"

    finish(scanner(live.url, "hid", scanner_env(tmp_path, world.tokens["gate"]), stdin=""), "")
    events = server_events()
    assert sorted(e.id for e in events) == sorted(queued)  # every queued scan once, nothing else
    assert outbox_ids(outbox) == []
    assert json.loads(subprocess.run(
        [sys.executable, "-m", "scanner", "status", "--json", "--outbox", str(outbox)], cwd=ROOT,
        capture_output=True, text=True, check=True).stdout)["queue_depth"] == 0


def test_enrollment_qr_shown_to_the_camera_gives_a_working_token(live, world, tmp_path):  # noqa: F811
    from app.models import Site
    from app.clock import utcnow
    from app.services import kiosks
    from tests.support.card_photos import qr_image

    made = kiosks.create_kiosk(db.session.get(Site, world.site_id), "Port sør", "auto", "cli", utcnow(), enroll=True)
    db.session.commit()
    (tmp_path / "camera").mkdir()
    cv2.imwrite(str(tmp_path / "camera" / "01.png"), idle_frame(seed=1))
    cv2.imwrite(str(tmp_path / "camera" / "02.png"), qr_image(kiosks.enrollment_qr_text(made.enrollment_code)))
    config = tmp_path / "scanner.toml"
    enrolled = subprocess.run([sys.executable, "-m", "scanner", "enroll", "--server", live.url, "--source",
                               f"images:{tmp_path / 'camera'}", "--config", str(config)],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert enrolled.returncode == 0, enrolled.stderr
    assert "Port sør" in enrolled.stdout and (config.stat().st_mode & 0o777) == 0o600
    assert "token" not in enrolled.stdout.lower().replace("token saved", "")
    again = subprocess.run([sys.executable, "-m", "scanner", "enroll", "--server", live.url, "--code",
                            made.enrollment_code, "--config", str(tmp_path / "other.toml")],
                           cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert again.returncode == 1 and "refused" in again.stderr  # one use only

    write_gate_images(tmp_path / "gate", world)
    env = {k: v for k, v in scanner_env(tmp_path, "").items() if k != "PORTVAKT_SCANNER_TOKEN"}
    env["PORTVAKT_SCANNER_CONFIG"] = str(config)
    process = subprocess.Popen([sys.executable, "-m", "scanner", "run", "--source", f"images:{tmp_path / 'gate'}",
                                "--display", "none", "--exit-when-done"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert len(decisions(finish(process))) == 5
    assert {e.kiosk_id for e in server_events()} == {made.kiosk.id}
