"""The emulator's HTTP interface: HMSREG's registrations API, ELRAPP's oversiktsliste API, test controls.

Standard library only (http.server), shaped like cardsim/: it starts in a blink and has nothing to configure.
"""
import base64
import hmac
import json
import logging
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from registersim.store import Credentials, Invalid, RegisterStore, validate_day_list, validate_faults, \
    validate_registration

log = logging.getLogger("registersim")

HANG_SECONDS = 60
MAX_BODY_BYTES = 1024 * 1024
GARBAGE = b"<html><body>502 Bad Gateway\x00\xff"
HMSREG_PATH = ["api", "registreringer"]


class RegisterSimServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, store: RegisterStore, credentials: Credentials, test_controls: bool):
        super().__init__(address, RegisterSimHandler)
        self.store, self.credentials, self.test_controls = store, credentials, test_controls
        self.stopping = threading.Event()


class RegisterSimHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: RegisterSimServer

    def do_GET(self):
        self._route("GET")

    def do_POST(self):
        self._route("POST")

    def do_PUT(self):
        self._route("PUT")

    def do_DELETE(self):
        self._route("DELETE")

    def _route(self, method: str) -> None:
        parts = [unquote(p) for p in self.path.split("?", 1)[0].strip("/").split("/")]
        if parts == HMSREG_PATH:
            return self._hmsreg() if method == "POST" else self._send_json(HTTPStatus.METHOD_NOT_ALLOWED,
                                                                           {"_error": "Method not allowed"})
        if len(parts) == 3 and parts[:2] == ["oversiktsliste", "v2"] and method == "POST":
            return self._elrapp(parts[2])
        if parts[0] == "_sim" and self.server.test_controls:
            return self._control(method, parts[1:])
        self._send_json(HTTPStatus.NOT_FOUND, {"error": "not_found"})

    # --- HMSREG: POST /api/registreringer, Basic auth, one registration per request ---------

    def _hmsreg(self) -> None:
        creds = self.server.credentials
        expected = base64.b64encode(f"{creds.hmsreg_user}:{creds.hmsreg_password}".encode()).decode()
        if not hmac.compare_digest(self.headers.get("Authorization", ""), f"Basic {expected}"):
            self._drain()
            return self._send_json(HTTPStatus.UNAUTHORIZED, {"_error": "Login failed"},
                                   {"WWW-Authenticate": 'Basic realm="HMSREG"'})
        if self._fault_answered():
            return
        try:
            body = validate_registration(self._json_body())
        except Invalid as error:
            return self._send_json(HTTPStatus.BAD_REQUEST, {"_error": str(error)})
        self.server.store.accept_registration(body)
        self._send_json(HTTPStatus.OK, "Registration is queued")

    # --- ELRAPP: POST /oversiktsliste/v2/{kontraktId}, Authorization: ApiKey … -------------

    def _elrapp(self, contract_id: str) -> None:
        key = self.server.credentials.elrapp_key
        if not hmac.compare_digest(self.headers.get("Authorization", ""), f"ApiKey {key}"):
            self._drain()
            return self._send_json(HTTPStatus.UNAUTHORIZED, {"message": "Invalid API key"})
        if self._fault_answered():
            return
        if not (contract_id.isascii() and contract_id.isdigit()):
            return self._send_json(HTTPStatus.BAD_REQUEST, {"message": "kontraktId must be an integer"})
        try:
            body = validate_day_list(contract_id, self._json_body())
        except Invalid as error:
            return self._send_json(HTTPStatus.BAD_REQUEST, {"message": str(error)})
        self.server.store.accept_day_list(f"/oversiktsliste/v2/{contract_id}", body)
        self._send_json(HTTPStatus.OK, {"mottatt": len(body)})

    def _fault_answered(self) -> bool:
        """Act out the fault mode; True when that already answered (or deliberately did not)."""
        store = self.server.store
        faults = store.faults
        if faults.latency_ms:
            self.server.stopping.wait(faults.latency_ms / 1000)
        if faults.mode == "ok" or (faults.mode == "flaky" and not store.roll_failure()):
            return False
        self._drain()
        if faults.mode == "down":
            self.close_connection = True
            self._send_json(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "unavailable"}, {"Connection": "close"})
        elif faults.mode in ("error", "flaky"):
            self._send_json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "internal_error"})
        elif faults.mode == "garbage":
            self._send(HTTPStatus.OK, GARBAGE, "application/json")
        elif faults.mode == "hang":
            self.server.stopping.wait(HANG_SECONDS)
            self.close_connection = True
        return True

    # --- test controls ----------------------------------------------------------------------

    def _control(self, method: str, parts: list[str]) -> None:
        store = self.server.store
        if parts == ["received"] and method == "GET":
            return self._send_json(HTTPStatus.OK, [{k: v for k, v in r.items() if k != "at"}
                                                   for r in store.received()])
        if parts == ["received"] and method == "DELETE":
            store.clear()
            return self._send_json(HTTPStatus.OK, [])
        if parts == ["repeats"] and method == "GET":  # HMSREG registrations sent again (same ExternalRef)
            return self._send_json(HTTPStatus.OK, {"repeats": store.repeats()})
        if parts == ["faults"] and method in ("GET", "PUT"):
            if method == "PUT":
                try:
                    store.faults = validate_faults(self._json_body())
                except Invalid as error:
                    return self._send_json(HTTPStatus.BAD_REQUEST, {"error": "invalid", "message": str(error)})
                log.info("fault mode %s latency_ms=%s error_rate=%s", *vars(store.faults).values())
            return self._send_json(HTTPStatus.OK, vars(store.faults))
        self._send_json(HTTPStatus.NOT_FOUND, {"error": "not_found"})

    # --- plumbing ---------------------------------------------------------------------------

    def _length(self) -> int:
        try:
            return int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return -1

    def _drain(self) -> None:
        """Read an unread body, so a kept-alive connection stays in step."""
        length = self._length()
        if 0 < length <= MAX_BODY_BYTES:
            self.rfile.read(length)
        elif length:
            self.close_connection = True

    def _json_body(self):
        length = self._length()
        if not 0 < length <= MAX_BODY_BYTES:
            self.close_connection = True
            raise Invalid(f"send a JSON body of at most {MAX_BODY_BYTES} bytes")
        try:
            return json.loads(self.rfile.read(length))
        except ValueError:
            raise Invalid("the body is not JSON") from None

    def _send_json(self, status: HTTPStatus, body, headers: dict | None = None) -> None:
        self._send(status, json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json", headers)

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, headers: dict | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except ConnectionError:
            self.close_connection = True

    def log_message(self, format, *args):
        # Bodies hold names and card numbers: log the route and status only.
        log.info("%s %s %s", self.command, self.path.split("?", 1)[0], args[1] if len(args) > 1 else "")


def serve(host: str, port: int, store: RegisterStore, credentials: Credentials, test_controls: bool) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM)."""
    server = RegisterSimServer((host, port), store, credentials, test_controls)
    log.info("HMSREG/ELRAPP emulator on http://%s:%s (test controls %s)", host, port, "on" if test_controls else "off")
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.stopping.set()
