"""`python -m scanner enroll`: trade a one-time enrollment code for the kiosk's token and save it.

The code comes from `flask kiosk create --enroll` (or the web app) as text or as a QR code shown
to the kiosk's camera. The token is written to the configuration file with mode 600, never printed.
"""
import os
import tomllib
from pathlib import Path

import requests

from scanner.client import TIMEOUT_S

QR_PREFIX = "portvakt-enroll:"  # what the web app's enrollment QR holds before the code


class EnrollmentFailed(Exception):
    """The server refused the code, or could not be reached."""


def code_from_payloads(payloads) -> str | None:
    """The enrollment code in a frame's QR payloads (an HMS card's QR is not one)."""
    for payload in payloads:
        if payload.lower().startswith(QR_PREFIX):
            return payload[len(QR_PREFIX):]
    return None


def read_code_from_frames(frames, decoder, limit: int = 600) -> str | None:
    """Decode frames until one shows an enrollment QR (at most `limit` frames, ~20 s of camera)."""
    for count, frame in enumerate(frames):
        code = code_from_payloads(decoder.decode(frame).payloads)
        if code or count >= limit:
            return code
    return None


def enroll(server: str, code: str, session=None) -> dict:
    """POST the code; the answer is {token, kiosk{...}}."""
    session = session or requests.Session()
    try:
        response = session.post(server.rstrip("/") + "/api/v1/kiosks/enroll", json={"code": code}, timeout=TIMEOUT_S)
    except requests.RequestException as error:
        raise EnrollmentFailed(f"server unreachable: {type(error).__name__}") from error
    if response.status_code != 200:
        try:
            message = response.json().get("message", "")
        except ValueError:
            message = response.text[:200]
        raise EnrollmentFailed(f"HTTP {response.status_code}: {message}")
    return response.json()


def save_settings(path: Path, settings: dict) -> None:
    """Merge settings into the [scanner] table of a TOML file, readable by its owner only."""
    current = {}
    if path.is_file():
        with path.open("rb") as handle:
            current = tomllib.load(handle).get("scanner", {})
    current.update(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["[scanner]"] + [f"{key} = {_toml_value(value)}" for key, value in sorted(current.items())]
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
