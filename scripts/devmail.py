"""`make run`'s catch-all mail server: takes every message on 127.0.0.1:SMTP_PORT and shows them,
newest first, at http://127.0.0.1:HTTP_PORT/ (development only: nothing leaves the machine)."""
import argparse
import email
import email.policy
import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

MESSAGES: list[tuple[str, str, str]] = []
LOCK = threading.Lock()


class Inbox:
    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with LOCK:
            MESSAGES.insert(0, (", ".join(envelope.rcpt_tos), message["Subject"] or "", message.get_content()))
            del MESSAGES[500:]
        return "250 OK"


class Page(BaseHTTPRequestHandler):
    def do_GET(self):
        with LOCK:
            items = "".join(f"<article><h2>{html.escape(s)}</h2><p>Til: {html.escape(t)}</p><pre>{html.escape(b)}</pre>"
                            "</article>" for t, s, b in MESSAGES)
        body = (f"<!doctype html><meta charset=utf-8><title>Portvakt e-post (utvikling)</title>"
                f"<h1>E-post sendt av Portvakt ({len(MESSAGES)})</h1>{items or '<p>Ingen ennå.</p>'}").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smtp-port", type=int, default=8025)
    parser.add_argument("--http-port", type=int, default=8026)
    args = parser.parse_args()
    controller = Controller(Inbox(), hostname="127.0.0.1", port=args.smtp_port)
    controller.start()
    try:
        ThreadingHTTPServer(("127.0.0.1", args.http_port), Page).serve_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
