"""The kiosk API over HTTP (requests): the only place that knows URLs, headers and status codes.

Every failure becomes one of three exceptions, because the kiosk reacts to only three situations:
the server is unavailable (queue and retry), the kiosk's token is refused (tell a person), or the
server refused this particular request (never retry it).
"""
import requests

TIMEOUT_S = 3.0  # the server's card-service budget is 2 s; a decision slower than this is "offline"


class ServerUnavailable(Exception):
    """No answer, a connection error or a 5xx: the scan stays queued and is sent later."""


class NotAuthorised(Exception):
    """401/403: the kiosk token is wrong or revoked; retrying will not help until someone acts."""


class Refused(Exception):
    """4xx other than auth (422 invalid field): this request will never succeed as it is."""

    def __init__(self, status: int, error: str, message: str):
        super().__init__(f"{status} {error}: {message}")
        self.status, self.error, self.message = status, error, message


class KioskClient:
    """POST scans, batches and heartbeats; GET the kiosk's configuration."""

    def __init__(self, server: str, token: str, timeout: float = TIMEOUT_S, session=None):
        self.server = server.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})

    def send_scan(self, scan: dict) -> dict:
        """One scan → the server's decision (the stored one if the id was seen before)."""
        return self._call("POST", "/api/v1/scans", scan)

    def send_batch(self, scans: list[dict]) -> list[dict]:
        """Up to 500 scans → one result (or per-item error) each, in order."""
        return self._call("POST", "/api/v1/scans/batch", {"scans": scans})["results"]

    def kiosk_config(self) -> dict:
        return self._call("GET", "/api/v1/kiosk")

    def heartbeat(self, health: dict) -> None:
        self._call("POST", "/api/v1/kiosk/heartbeat", health)

    def _call(self, method: str, path: str, body: dict | None = None):
        try:
            response = self.session.request(method, self.server + path, json=body, timeout=self.timeout)
        except requests.RequestException as error:
            raise ServerUnavailable(type(error).__name__) from error
        if response.status_code >= 500:
            raise ServerUnavailable(f"HTTP {response.status_code}")
        if response.status_code in (401, 403):
            raise NotAuthorised(_error_of(response)[1])
        if response.status_code >= 400:
            raise Refused(response.status_code, *_error_of(response))
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as error:
            raise ServerUnavailable("answer was not JSON") from error  # a proxy's page, not our API


def _error_of(response) -> tuple[str, str]:
    try:
        body = response.json()
        return str(body.get("error", response.status_code)), str(body.get("message", ""))
    except ValueError:
        return str(response.status_code), response.text[:200]
