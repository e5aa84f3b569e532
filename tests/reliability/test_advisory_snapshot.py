"""The offline half of the dependency audit: the pinned versions against security/advisories.json.

`scripts/audit_deps.py --update-snapshot` is run here against a fake PyPI (a real HTTP server
on a free port serving PyPI's JSON shape) that knows one vulnerability; the check that
`make test` runs then fails on it, offline. The committed snapshot must cover every pin.
"""
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.processes import ROOT

SCRIPT = ROOT / "scripts" / "audit_deps.py"
VULN = {"id": "GHSA-fake-0001", "aliases": ["CVE-2099-0001"], "summary": "Made up for the test",
        "details": "…", "fixed_in": ["9.9.9"], "link": "https://example.invalid/GHSA-fake-0001",
        "source": "osv", "withdrawn": None}


def audit(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def pins(tmp_path, text: str):
    path = tmp_path / "requirements.txt"
    path.write_text(text)
    return str(path)


class FakePyPI(BaseHTTPRequestHandler):
    """/pypi/<name>/<version>/json answers 404 (as this network's mirror does) except for
    `markupsafe`; /pypi/<name>/json says the latest release is 3.1.6 and, for jinja2, lists one
    vulnerability (PyPI lists the latest release's there)."""

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        if len(parts) == 4 and parts[1] == "markupsafe":
            return self.answer({"info": {"version": parts[2]}, "vulnerabilities": []})
        if len(parts) == 3:
            return self.answer({"info": {"version": "3.1.6"},
                                "vulnerabilities": [VULN] if parts[1] == "jinja2" else []})
        self.send_error(404)

    def answer(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_pypi():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakePyPI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/pypi"
    server.shutdown()
    server.server_close()


def test_a_snapshot_with_a_known_vulnerability_fails_the_audit_offline(tmp_path, fake_pypi):
    requirements = pins(tmp_path, "Jinja2==3.1.6\nMarkupSafe==3.0.4\nFlask==3.1.3  # not the latest\n")
    snapshot = tmp_path / "advisories.json"
    updated = audit("--update-snapshot", "--snapshot", str(snapshot), "--pypi-url", fake_pypi,
                    "--requirements", requirements)
    assert updated.returncode == 0, updated.stderr
    data = json.loads(snapshot.read_text())
    assert data["generated_at"] and data["advisories"][0]["id"] == "GHSA-fake-0001"
    assert data["advisories"][0]["package"] == "jinja2" and data["advisories"][0]["affected"] == ["3.1.6"]
    assert set(data["checked"]) == {"jinja2", "markupsafe"} and set(data["unchecked"]) == {"flask"}

    checked = audit("--offline", "--snapshot", str(snapshot), "--requirements", requirements)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "VULNERABLE: jinja2 3.1.6: GHSA-fake-0001 (CVE-2099-0001; fixed in 9.9.9)" in checked.stderr
    assert "flask 3.1.3" in checked.stderr  # not covered: said, loudly


def test_an_upgrade_past_the_advisory_passes(tmp_path, fake_pypi):
    snapshot = tmp_path / "advisories.json"
    audit("--update-snapshot", "--snapshot", str(snapshot), "--pypi-url", fake_pypi,
          "--requirements", pins(tmp_path, "Jinja2==3.1.6\n"))
    checked = audit("--offline", "--snapshot", str(snapshot), "--requirements", pins(tmp_path, "Jinja2==9.9.9\n"))
    assert checked.returncode == 0 and "VULNERABLE" not in checked.stderr
    assert "jinja2 9.9.9" in checked.stderr  # but the new pin is not in the snapshot yet: run the update


def test_a_hand_written_advisory_fails_the_audit(tmp_path):
    snapshot = tmp_path / "advisories.json"
    snapshot.write_text(json.dumps({
        "generated_at": "2026-11-25T00:00:00Z", "source": "by hand", "checked": {"pillow": "13.0.0"},
        "unchecked": {}, "advisories": [{"id": "PYSEC-2099-1", "package": "Pillow", "affected": ["13.0.0"],
                                         "fixed_in": ["13.0.1"], "aliases": [], "summary": "by hand"}]}))
    checked = audit("--offline", "--snapshot", str(snapshot), "--requirements", pins(tmp_path, "pillow==13.0.0\n"))
    assert checked.returncode == 1 and "VULNERABLE: pillow 13.0.0: PYSEC-2099-1" in checked.stderr


def test_the_committed_snapshot_covers_every_pin_and_is_clean():
    checked = audit("--offline")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "not in the snapshot" not in checked.stderr, checked.stderr
    assert "advisory snapshot of 20" in checked.stdout
