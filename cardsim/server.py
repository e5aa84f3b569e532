"""The emulator's HTTP interface: the card-service API, and test controls when they are switched on.

Standard library only (http.server): it starts in a blink and has nothing to configure.
"""
import json
import logging
import threading
from datetime import datetime, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from cardsim.store import CardStore, InvalidRecord, validate_card, validate_faults

log = logging.getLogger("cardsim")

HANG_SECONDS = 60
MAX_BODY_BYTES = 64 * 1024
GARBAGE = b"<html><body>502 Bad Gateway\x00\xff{\"status\": \"valid\""


class CardSimServer(ThreadingHTTPServer):
    daemon_threads = True  # a hanging answer must not keep the process alive at shutdown

    def __init__(self, address, store: CardStore, token: str, test_controls: bool):
        super().__init__(address, CardSimHandler)
        self.store = store
        self.token = token
        self.test_controls = test_controls
        self.stopping = threading.Event()


class CardSimHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like a real service behind a load balancer
    # Headers and body go out in two writes; without this, Nagle and delayed ACKs add ~40 ms
    # to every answer on a kept-alive connection.
    disable_nagle_algorithm = True
    server: CardSimServer

    def do_GET(self):
        self._route("GET")

    def do_PUT(self):
        self._route("PUT")

    def do_DELETE(self):
        self._route("DELETE")

    def _route(self, method: str) -> None:
        path = self.path.split("?", 1)[0]
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if method == "GET" and len(parts) == 3 and parts[0] == "v1" and parts[1] in ("cards", "qr"):
            return self._lookup(parts[1], parts[2])
        if parts[0] == "_sim" and self.server.test_controls:
            return self._control(method, parts[1:])
        self._send_json(HTTPStatus.NOT_FOUND, {"error": "not_found"})

    # --- the card-service API -------------------------------------------------------------

    def _lookup(self, kind: str, key: str) -> None:
        if self.headers.get("Authorization", "") != f"Bearer {self.server.token}":
            return self._send_json(HTTPStatus.UNAUTHORIZED, {"error": "unauthorized"},
                                   {"WWW-Authenticate": "Bearer"})
        store = self.server.store
        store.count_call()
        faults = store.faults
        if faults.latency_ms:
            self.server.stopping.wait(faults.latency_ms / 1000)
        if self._fault_answered(faults.mode):
            return
        record = store.by_number(key) if kind == "cards" else store.by_qr_token(key)
        plain = self.wfile
        if faults.mode == "drip":  # the right answer, status line and headers included, a byte at a time
            self.wfile = DripWriter(plain, faults.byte_delay_ms / 1000, self.server.stopping)
        try:
            if record is None:
                return self._send_json(HTTPStatus.NOT_FOUND, {"error": "unknown_card"})
            self._send_json(HTTPStatus.OK, public_answer(record))
        finally:
            self.wfile = plain

    def _fault_answered(self, mode: str) -> bool:
        """Act out the fault mode; True when that already answered (or deliberately did not)."""
        if mode == "down":
            self.close_connection = True
            self._send_json(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "unavailable"}, {"Connection": "close"})
        elif mode == "error" or (mode == "flaky" and self.server.store.roll_failure()):
            self._send_json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "internal_error"})
        elif mode == "garbage":
            self._send(HTTPStatus.OK, GARBAGE, "application/json")
        elif mode == "hang":
            self.server.stopping.wait(HANG_SECONDS)
            self.close_connection = True
        else:
            return False
        return True

    # --- test controls --------------------------------------------------------------------

    def _control(self, method: str, parts: list[str]) -> None:
        store = self.server.store
        if parts == ["calls"] and method == "GET":
            return self._send_json(HTTPStatus.OK, {"calls": store.calls()})
        if parts == ["calls"] and method == "DELETE":
            store.reset_calls()
            return self._send_json(HTTPStatus.OK, {"calls": 0})
        if parts == ["faults"] and method in ("GET", "PUT"):
            return self._faults(method)
        if len(parts) == 2 and parts[0] == "cards" and method in ("PUT", "DELETE"):
            return self._card(method, parts[1])
        self._send_json(HTTPStatus.NOT_FOUND, {"error": "not_found"})

    def _faults(self, method: str) -> None:
        store = self.server.store
        if method == "PUT":
            try:
                store.faults = validate_faults(self._json_body())
            except InvalidRecord as error:
                return self._send_json(HTTPStatus.BAD_REQUEST, {"error": "invalid", "message": str(error)})
            log.info("fault mode %s latency_ms=%s error_rate=%s byte_delay_ms=%s", *vars(store.faults).values())
        self._send_json(HTTPStatus.OK, vars(store.faults))

    def _card(self, method: str, card_number: str) -> None:
        store = self.server.store
        if method == "DELETE":
            found = store.delete(card_number)
            return self._send_json(HTTPStatus.OK if found else HTTPStatus.NOT_FOUND,
                                   {"deleted": found} if found else {"error": "unknown_card"})
        try:
            body = self._json_body()
            record = validate_card({**body, "card_number": card_number} if isinstance(body, dict) else body)
        except InvalidRecord as error:
            return self._send_json(HTTPStatus.BAD_REQUEST, {"error": "invalid", "message": str(error)})
        store.put(record)
        self._send_json(HTTPStatus.OK, {"card_number": card_number})

    def _json_body(self):
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise InvalidRecord("bad Content-Length") from None
        if not 0 < length <= MAX_BODY_BYTES:
            raise InvalidRecord(f"send a JSON body of at most {MAX_BODY_BYTES} bytes")
        try:
            return json.loads(self.rfile.read(length))
        except ValueError:
            raise InvalidRecord("the body is not JSON") from None

    # --- plumbing -------------------------------------------------------------------------

    def _send_json(self, status: HTTPStatus, body: dict, headers: dict | None = None) -> None:
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
        except ConnectionError:  # broken pipe, reset, or a drip cut short by shutdown
            self.close_connection = True  # the client gave up (its timeout); nothing to answer

    def log_message(self, format, *args):
        # The path holds card numbers and QR tokens: log the route only.
        route = "/".join(self.path.split("?", 1)[0].split("/")[:3])
        log.info("%s %s/… %s", self.command, route, args[1] if len(args) > 1 else "")


class DripWriter:
    """The `drip` fault: every byte on its own, after a pause. Each recv() at the client is quick,
    so only a deadline for the whole answer (not a read timeout) stops it holding a gate."""

    def __init__(self, wfile, delay_s: float, stopping: threading.Event):
        self.wfile, self.delay_s, self.stopping = wfile, delay_s, stopping

    def write(self, data: bytes) -> int:
        for index in range(len(data)):
            if self.stopping.wait(self.delay_s):
                raise ConnectionAbortedError("the emulator is stopping")
            self.wfile.write(data[index:index + 1])
        return len(data)

    def flush(self) -> None:
        self.wfile.flush()


def public_answer(record: dict) -> dict:
    """The service's JSON for one card: the record minus the QR token, plus when it was checked."""
    fields = ("card_number", "card_type", "status", "status_reason", "issued_on", "valid_to",
              "holder", "employer")
    answer = {field: record.get(field) for field in fields}
    answer["checked_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    return answer


def serve(host: str, port: int, store: CardStore, token: str, test_controls: bool) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM)."""
    server = CardSimServer((host, port), store, token, test_controls)
    log.info("card-service emulator on http://%s:%s (test controls %s)", host, port,
             "on" if test_controls else "off")
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.stopping.set()  # wakes handlers that are hanging or adding latency
        server.server_close()
