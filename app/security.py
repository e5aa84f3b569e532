"""Security headers on every response: no inline script, no framing, no sniffing, no caching of personal data.

Every response pays for this hook, the kiosk API's and /healthz's included, so it does no work
that could be done once: the headers are built at import, and "is someone signed in" is read from
the session cookie's contents instead of loading the user from the database.
"""
from flask import request, session

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

SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    # Share and self-service links carry their token in the path: never send it to another site.
    ("Referrer-Policy", "same-origin"),
)
SIGNED_IN_KEY = "_user_id"  # where Flask-Login keeps the signed-in user in the session


def add_security_headers(response):
    headers = response.headers
    # A view may set its own; Headers.setdefault would raise and catch a KeyError for each missing one.
    present = {name.lower() for name in headers.keys()}
    headers.extend([(name, value) for name, value in SECURITY_HEADERS if name.lower() not in present])
    if "cache-control" not in present and _signed_in() and not request.path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"  # lists of people must not linger in caches
    return response


def _signed_in() -> bool:
    """A session that names a user: the page was made for them (a stale one still gets no-store,
    which is harmless). A kiosk or a load balancer sends no cookie at all."""
    return "HTTP_COOKIE" in request.environ and SIGNED_IN_KEY in session


def init_app(app) -> None:
    app.after_request(add_security_headers)
