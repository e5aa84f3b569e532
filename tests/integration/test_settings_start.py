"""A bad setting stops the CLI and gunicorn with one clear line naming the variable, not a traceback."""
import os
import subprocess
import sys

import pytest

from tests.support.processes import ROOT

PREFIX = "portvakt: konfigurasjonsfeil / configuration error: "


def _env(tmp_path, **settings):
    env = {**os.environ, "PORTVAKT_INSTANCE": str(tmp_path), **settings}
    env.pop("PORTVAKT_STARTUP_CHECKED", None)
    return env


@pytest.mark.parametrize("name, value", [
    ("CARD_SERVICE_BUDGET_S", "two"),  # was a ValueError traceback from the card-service adapter
    ("CARD_SERVICE_MAX_CONCURRENT", "0"),
    ("CARD_SERVICE_KIND", "official"),  # checked against the adapter's backends
    ("PORTVAKT_TZ", "Europe/Olso"),
])
def test_the_cli_stops_with_one_line_naming_the_variable(tmp_path, name, value):
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "site", "list"], cwd=ROOT,
                            env=_env(tmp_path, **{name: value}), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{PREFIX}{name}="), result.stderr


def test_gunicorn_stops_with_one_line_naming_the_variable(tmp_path):
    result = subprocess.run([os.path.join(os.path.dirname(sys.executable), "gunicorn"), "--bind", "127.0.0.1:0",
                             "wsgi:app"], cwd=ROOT, env=_env(tmp_path, CARD_SERVICE_CACHE_VALID_S="86400"),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{PREFIX}CARD_SERVICE_CACHE_VALID_S=" in result.stderr
