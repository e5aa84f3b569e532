"""Security headers on every response: no inline script, no framing, no sniffing, no caching of personal data."""
from flask import request
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    # Share and self-service links carry their token in the path: never send it to another site.
    headers.setdefault("Referrer-Policy", "same-origin")
    if not request.path.startswith("/static/") and _signed_in():
        headers.setdefault("Cache-Control", "no-store")  # lists of people must not linger in caches
    return response


def _signed_in() -> bool:
    try:
        return current_user.is_authenticated
    except Exception:  # outside a request with a user (e.g. an error before login loaded)
        return False


def init_app(app) -> None:
    app.after_request(add_security_headers)
