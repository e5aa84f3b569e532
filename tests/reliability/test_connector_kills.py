"""Issue 18: `flask connectors sync` killed with SIGKILL at random moments while it delivers to HMSREG.

Every registration must arrive exactly once (counted by ExternalRef at the emulator), and a kill
may cause at most one resend (the registration in flight when it landed), which HMSREG's
ExternalRef makes harmless. 3 runs in `make test`, 20 in `make torture`.
"""
import os
import random
import signal
import subprocess
import time
from datetime import date

from app.extensions import db
from app.services import connectors
from tests.reliability.torture import record, scaled
from tests.support.builders import make_company, make_person, make_site, scan
from tests.support.processes import ROOT, VENV_BIN
from tests.support.registersim import registersim, registersim_service  # noqa: F401  (fixtures)

KILL_RUNS = scaled(3, 20)
REGISTRATIONS = scaled(24, 400)  # enough that each of the 20 kills lands mid-delivery
LEASE_S = 1


def sync_process(database_url: str, sim_url: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "HMSREG_URL": sim_url, "ELRAPP_URL": sim_url,
           "CONNECTORS_LEASE_S": str(LEASE_S), "CONNECTORS_RETRY_BASE_S": "0.000001"}
    return subprocess.Popen([str(VENV_BIN / "flask"), "--app", "wsgi", "connectors", "sync"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_sync_killed_at_random_moments_delivers_every_registration_exactly_once(app, database_url, registersim):  # noqa: F811,E501
    site = make_site(hmsreg_enabled=True, hmsreg_project="HMS-4411")
    employer = make_company("Elektro Øst AS")
    day = date(2026, 11, 25)
    ids = []
    for index in range(REGISTRATIONS):
        person = make_person("Kari", f"Nordmann{index}", employer)
        event = scan(site, person, day, hour=6 + index % 12)
        connectors.registration_accepted(site.id, event.id)
        ids.append(event.id)
    db.session.commit()
    registersim.faults("ok", latency_ms=40)  # each delivery takes a while, so kills land mid-delivery
    rng = random.Random(18)
    partial = 0
    for _ in range(KILL_RUNS):
        worker = sync_process(database_url, registersim.url)
        time.sleep(rng.uniform(0.9, 2.5))  # the flask start takes most of a second
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        partial += 0 < len(registersim.received()) < REGISTRATIONS
        time.sleep(LEASE_S + 0.1)  # the killed worker's lease runs out
    registersim.faults("ok")
    delivered_before = len(registersim.received())
    final = sync_process(database_url, registersim.url)
    output = final.communicate(timeout=120)[0].decode()
    assert final.returncode == 0, output
    refs = registersim.external_refs()
    assert sorted(refs) == sorted(ids), "a registration was lost or arrived twice"
    assert registersim.repeats() <= KILL_RUNS  # at most the one in flight per kill
    assert 0 < delivered_before and partial > 0, "no kill landed during delivery: the runs tested nothing"
    record("connector sync SIGKILL", runs=KILL_RUNS, registrations=REGISTRATIONS,
           delivered_before_final=delivered_before, resent_after_kill=registersim.repeats(), lost=0, doubled=0)
