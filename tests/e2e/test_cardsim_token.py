"""The card emulator starts with any token the tests draw: secrets.token_urlsafe can begin with "-",
which argparse read as a missing value (one start in 64 failed, in CI and on a fresh machine)."""
import json

import pytest
import requests

from tests.support.processes import start_cardsim


@pytest.mark.parametrize("token", ["-starts-with-a-dash", "--looks-like-an-option", "plain"])
def test_the_emulator_starts_and_checks_a_token_that_begins_with_a_dash(tmp_path, token):
    data = tmp_path / "cardsim.json"
    data.write_text(json.dumps({"cards": []}))
    service = start_cardsim(str(data), token=token)
    try:
        calls = requests.get(f"{service.url}/_sim/calls", timeout=5)
        wrong = requests.get(f"{service.url}/v1/cards/40000000", headers={"Authorization": "Bearer other"}, timeout=5)
        right = requests.get(f"{service.url}/v1/cards/40000000", headers={"Authorization": f"Bearer {token}"},
                             timeout=5)
    finally:
        service.stop()
    assert calls.status_code == 200
    assert wrong.status_code == 401
    assert right.status_code == 404  # the token it was given, exactly: past the check, no such card
