"""Issue 19: the files in deploy/ are valid: systemd units (systemd-analyze verify, rendered with this
checkout's paths), the alert rules (YAML), the Grafana dashboard (JSON) and the metrics they name."""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").iterdir())
METRICS = ("portvakt_scans_total", "portvakt_scan_duration_seconds", "portvakt_card_lookups_total",
           "portvakt_card_lookup_duration_seconds", "portvakt_card_service_breaker_state",
           "portvakt_kiosk_last_seen_timestamp_seconds", "portvakt_kiosk_queue_depth", "portvakt_list_checked",
           "portvakt_lists_unchecked_days", "portvakt_connector_outbox_depth")


def render(unit: Path, into: Path) -> Path:
    """The unit as installed, with this checkout and this machine's user standing in for /srv/portvakt
    and portvakt (systemd-analyze checks that ExecStart's program exists)."""
    text = unit.read_text().replace("/srv/portvakt", str(ROOT)).replace("/opt/portvakt", str(ROOT))
    text = text.replace("User=portvakt", "User=root").replace("Group=portvakt", "Group=root")
    text = text.replace("EnvironmentFile=/etc/portvakt/env", f"EnvironmentFile=-{into}/env")
    target = into / unit.name
    target.write_text(text)
    return target


def test_every_timer_has_its_service_and_every_cli_command_exists():
    timers = [u for u in UNITS if u.suffix == ".timer"]
    assert {t.stem for t in timers} <= {u.stem for u in UNITS if u.suffix == ".service"}
    assert {"portvakt-close-day", "portvakt-reverify", "portvakt-retention", "portvakt-notify",
            "portvakt-backup", "portvakt-connectors-sync"} <= {t.stem for t in timers}


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed here (Debian package systemd)")
def test_systemd_units_verify(tmp_path):
    rendered = [str(render(unit, tmp_path)) for unit in UNITS]
    done = subprocess.run(["systemd-analyze", "verify", *rendered], capture_output=True, text=True, timeout=60)
    problems = [line for line in done.stderr.splitlines() if str(tmp_path) in line]  # "Unknown key" is only a warning
    assert done.returncode == 0 and not problems, done.stderr


def test_alert_rules_and_dashboard_use_metrics_that_exist():
    rules = yaml.safe_load((DEPLOY / "prometheus" / "portvakt-alerts.yml").read_text())
    exprs = " ".join(rule["expr"] for group in rules["groups"] for rule in group["rules"])
    dashboard = json.loads((DEPLOY / "grafana" / "portvakt-dashboard.json").read_text())
    exprs += " ".join(t["expr"] for panel in dashboard["panels"] for t in panel["targets"])
    named = {word for word in re.findall(r"portvakt_[a-z_]+", exprs)
}
    known = set(METRICS) | {f"{m}_bucket" for m in METRICS}
    assert named <= known, named - known


def test_nginx_example_terminates_tls_and_keeps_metrics_inside():
    conf = (DEPLOY / "nginx" / "portvakt.conf").read_text()
    assert "listen 443 ssl" in conf and "X-Forwarded-Proto" in conf and "location = /metrics { return 404; }" in conf
    assert "--forwarded-allow-ips 127.0.0.1" in (DEPLOY / "systemd" / "portvakt-web.service").read_text()
