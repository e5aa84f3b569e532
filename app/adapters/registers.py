"""The outside registers Portvakt delivers to, behind one small interface each, like the card service.

`Hmsreg.send(registration)` posts one registration to HMSREG (`POST /api/registreringer`, Basic
authentication); `Elrapp.send(contract_id, items)` posts records of the § 15 list to Statens
vegvesen's ELRAPP (`POST /oversiktsliste/v2/{kontraktId}`, `Authorization: ApiKey …`). Each
transport is one class; a time budget per call (app/adapters/http_deadline.py) and a circuit
breaker (app/adapters/resilience.py) are shared by both. Retrying is the outbox's job
(app/services/connectors_sync.py): a failed call raises DeliveryFailed and the row waits.
"""
import base64
import json
import time
from dataclasses import dataclass

import requests

from app.adapters.http_deadline import DeadlineAdapter, deadline
from app.adapters.resilience import CircuitBreaker
from app.config import default

MAX_ANSWER_BYTES = 64 * 1024
DEV_DEFAULTS = {"HMSREG_URL": "http://127.0.0.1:8200", "HMSREG_USER": "portvakt", "HMSREG_PASSWORD": "dev-password",
                "ELRAPP_URL": "http://127.0.0.1:8200", "ELRAPP_API_KEY": "dev-key"}


class DeliveryFailed(Exception):
    """The receiver did not confirm; `code` words it on the Overføringer page. `permanent`: it refused
    the content itself (HTTP 400), so sending the same again cannot help."""

    def __init__(self, code: str, permanent: bool = False):
        super().__init__(code)
        self.code, self.permanent = code, permanent


class JsonPoster:
    """One JSON POST within a total time budget: connect, headers and body all end at the deadline."""

    def __init__(self, base_url: str, headers: dict, budget_s: float, connect_timeout_s: float = 2.0):
        self.base_url, self.budget_s, self.connect_timeout_s = base_url.rstrip("/"), budget_s, connect_timeout_s
        self.session = requests.Session()
        self.session.headers.update({**headers, "Accept": "application/json"})
        adapter = DeadlineAdapter(pool_connections=1, pool_maxsize=2, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def post(self, path: str, body) -> tuple[int, object]:
        """(status, parsed JSON answer or None); raises DeliveryFailed when no answer came in time."""
        ends_at = time.monotonic() + self.budget_s
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            with deadline(ends_at), self.session.post(
                    self.base_url + path, data=data, headers={"Content-Type": "application/json; charset=utf-8"},
                    timeout=(min(self.connect_timeout_s, self.budget_s), self.budget_s),
                    allow_redirects=False, stream=True) as response:
                status, raw = response.status_code, _read(response)
        except (requests.RequestException, OSError):
            raise DeliveryFailed("timeout" if time.monotonic() >= ends_at else "no_connection") from None
        try:
            return status, json.loads(raw.decode("utf-8"))
        except ValueError:
            return status, None


def _read(response) -> bytes:
    body = bytearray()
    for chunk in response.iter_content(chunk_size=16 * 1024):
        body += chunk
        if len(body) > MAX_ANSWER_BYTES:
            raise DeliveryFailed("malformed")
    return bytes(body)


def _refusal(status: int, answer) -> DeliveryFailed:
    if status == 400:
        return DeliveryFailed("rejected", permanent=True)
    if status in (401, 403):
        return DeliveryFailed("login_failed")
    return DeliveryFailed("server_error" if status >= 500 else f"http_{status}")


class Hmsreg:
    """HMSREG's registrations API: one registration per request; 200 "Registration is queued"."""

    def __init__(self, poster: JsonPoster):
        self.poster = poster

    def send(self, registration: dict) -> None:
        status, answer = self.poster.post("/api/registreringer", registration)
        if status != 200:
            raise _refusal(status, answer)
        if not (isinstance(answer, str) and "queued" in answer.lower()):
            raise DeliveryFailed("malformed")  # a proxy's page, not HMSREG: ExternalRef makes a resend safe


class Elrapp:
    """ELRAPP's oversiktsliste API (v2): a JSON array of records for one contract."""

    def __init__(self, poster: JsonPoster):
        self.poster = poster

    def send(self, contract_id: int, items: list[dict]) -> None:
        status, answer = self.poster.post(f"/oversiktsliste/v2/{int(contract_id)}", items)
        if status not in (200, 201, 204):
            raise _refusal(status, answer)
        if status != 204 and answer is None:
            raise DeliveryFailed("malformed")


class Guarded:
    """A receiver behind a circuit breaker: after `failures` failures in a row, stop calling it for
    `open_s` seconds (the rows wait, no attempt is counted against them)."""

    def __init__(self, receiver, breaker: CircuitBreaker):
        self.receiver, self.breaker = receiver, breaker

    def send(self, *args) -> None:
        if not self.breaker.allow():
            raise DeliveryFailed("breaker_open")
        try:
            self.receiver.send(*args)
        except DeliveryFailed as failure:
            if failure.permanent:  # the receiver answered: it is up
                self.breaker.record_success()
            else:
                self.breaker.record_failure()
            raise
        self.breaker.record_success()


@dataclass(frozen=True)
class ReceiverSettings:
    budget_s: float = default("CONNECTORS_BUDGET_S")
    breaker_failures: int = 3
    breaker_open_s: float = 300.0


class NotConfigured(Exception):
    """A production install without a connector's address or credentials: the development defaults
    (the emulator's) would send a site's registrations nowhere, or to the wrong place."""


def setting(config, name: str) -> str:
    """A connector credential: the app's config, else (never in production) the development default."""
    value = config[name]
    if value:
        return str(value)
    if config["PRODUCTION"]:
        raise NotConfigured(name)
    return DEV_DEFAULTS[name]


def receivers_from_config(config, clock=time.monotonic) -> dict[str, Guarded]:
    """The two receivers, each with its own breaker, as `flask connectors sync` uses them."""
    settings = ReceiverSettings(budget_s=config["CONNECTORS_BUDGET_S"])
    basic = base64.b64encode(f"{setting(config, 'HMSREG_USER')}:{setting(config, 'HMSREG_PASSWORD')}".encode())
    hmsreg = Hmsreg(JsonPoster(setting(config, "HMSREG_URL"), {"Authorization": f"Basic {basic.decode()}"},
                               settings.budget_s))
    elrapp = Elrapp(JsonPoster(setting(config, "ELRAPP_URL"),
                               {"Authorization": f"ApiKey {setting(config, 'ELRAPP_API_KEY')}"}, settings.budget_s))
    return {name: Guarded(receiver, CircuitBreaker(settings.breaker_failures, settings.breaker_open_s, clock))
            for name, receiver in (("hmsreg", hmsreg), ("elrapp", elrapp))}
