"""The command line as a user meets it: decode, status, run's refusals, and the video source."""
import json
import subprocess
import sys

import cv2
import pytest

from scanner.decode import Decoder
from scanner.sources import VideoSource
from tests.support.card_photos import idle_frame, photo
from tests.support.processes import ROOT

CARD = "https://hmskort.no/v/Øresund-7SYP20eu2K9Ohyp"


def scanner(*args, env=None, stdin=None):
    return subprocess.run([sys.executable, "-m", "scanner", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env=env, input=stdin)


def test_decode_prints_one_json_line_per_file(tmp_path):
    card, empty = tmp_path / "card.png", tmp_path / "empty.png"
    cv2.imwrite(str(card), photo(CARD, seed=2))
    cv2.imwrite(str(empty), idle_frame(seed=2))
    result = scanner("decode", "--json", str(card), str(empty), str(tmp_path / "missing.png"))
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(card), str(empty), str(tmp_path / "missing.png")]
    assert lines[0]["payloads"] == [CARD] and lines[0]["ms"] >= 0
    assert lines[1]["payloads"] == []
    assert "error" in lines[2] and result.returncode == 1


def test_run_without_a_token_says_how_to_give_one(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PORTVAKT_SCANNER_CONFIG": ""}
    result = scanner("run", "--source", "hid", "--display", "none", env=env)
    assert result.returncode == 2 and "PORTVAKT_SCANNER_TOKEN" in result.stderr


def test_run_with_a_bad_source_or_setting_is_a_clear_error(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PORTVAKT_SCANNER_TOKEN": "t", "PORTVAKT_SCANNER_CONFIG": ""}
    bad_source = scanner("run", "--source", "webcam", "--display", "none", env=env)
    assert bad_source.returncode == 2 and "unknown source" in bad_source.stderr and "Traceback" not in bad_source.stderr
    bad_setting = scanner("run", "--source", "hid", env={**env, "PORTVAKT_SCANNER_BATCH_SIZE": "lots"})
    assert bad_setting.returncode == 2 and "batch_size" in bad_setting.stderr


def test_help_documents_every_setting():
    result = scanner("run", "--help")
    assert result.returncode == 0
    for word in ("camera:N", "video:FILE", "images:DIR", "hid", "PORTVAKT_SCANNER_TOKEN", "drain_timeout_s"):
        assert word in result.stdout


def test_status_of_a_kiosk_that_never_ran(tmp_path):
    result = scanner("status", "--outbox", str(tmp_path / "none.sqlite3"))
    assert result.returncode == 1 and "has not run" in result.stdout


def test_video_source_feeds_every_frame(tmp_path):
    path = tmp_path / "gate.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (640, 480))
    for index in range(6):
        writer.write(photo(CARD, seed=index) if index in (2, 3) else idle_frame(seed=index))
    writer.release()
    decoder = Decoder()
    frames = list(VideoSource(str(path)))
    assert len(frames) == 6
    assert [CARD in decoder.decode(frame).payloads for frame in frames] == [False, False, True, True, False, False]


def test_window_display_without_gui_support_is_a_clear_error(tmp_path):
    """This repo's .venv has opencv-python-headless (no highgui); the kiosk installs scanner/requirements.txt."""
    gui = next(line for line in cv2.getBuildInformation().splitlines() if line.strip().startswith("GUI:"))
    if gui.split(":", 1)[1].strip() != "NONE":
        pytest.skip("this OpenCV has a GUI: nothing to refuse")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PORTVAKT_SCANNER_TOKEN": "t", "PORTVAKT_SCANNER_CONFIG": ""}
    result = scanner("run", "--source", f"images:{tmp_path}", "--display", "window", env=env)
    assert result.returncode == 2 and "--display none" in result.stderr and "Traceback" not in result.stderr
