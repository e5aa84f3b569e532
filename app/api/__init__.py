"""The kiosk API (/api/v1): JSON in, JSON out, a bearer token per kiosk. Contract: schemas.py."""
from flask import Blueprint

from app.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # kiosks authenticate with a bearer token, not a session cookie

from app.api import errors, routes  # noqa: E402,F401  (registers the handlers and the routes)
