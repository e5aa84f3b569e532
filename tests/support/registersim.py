"""Start and drive the HMSREG/ELRAPP emulator (registersim/) from tests."""
import sys

import pytest
import requests

from tests.support.processes import Service, free_port


def start_registersim() -> Service:
    port = free_port()
    args = [sys.executable, "-m", "registersim", "--host", "127.0.0.1", "--port", str(port), "--test-controls"]
    return Service(args, port, ready_path="/_sim/received")


class RegisterSim:
    """The emulator's /_sim/ test controls."""

    def __init__(self, url: str):
        self.url = url

    def received(self, api: str | None = None) -> list[dict]:
        rows = requests.get(f"{self.url}/_sim/received", timeout=5).json()
        return [row for row in rows if api is None or row["api"] == api]

    def external_refs(self) -> list[str]:
        return [row["body"]["ExternalRef"] for row in self.received("hmsreg")]

    def repeats(self) -> int:
        return requests.get(f"{self.url}/_sim/repeats", timeout=5).json()["repeats"]

    def clear(self) -> None:
        requests.delete(f"{self.url}/_sim/received", timeout=5).raise_for_status()

    def faults(self, mode: str = "ok", **extra) -> None:
        requests.put(f"{self.url}/_sim/faults", json={"mode": mode, **extra}, timeout=5).raise_for_status()


@pytest.fixture(scope="session")
def registersim_service():
    service = start_registersim()
    yield service
    service.stop()


@pytest.fixture
def registersim(registersim_service):
    sim = RegisterSim(registersim_service.url)
    sim.faults("ok")
    sim.clear()
    yield sim
    sim.faults("ok")


def connector_config(sim: RegisterSim, **extra) -> dict:
    """The app's connector settings pointing at the emulator; no backoff, so a test needs no waiting."""
    return {"HMSREG_URL": sim.url, "ELRAPP_URL": sim.url, "CONNECTORS_RETRY_BASE_S": 0.000001,
            "CONNECTORS_BUDGET_S": 2.0, **extra}
