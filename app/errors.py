"""Errors: JSON for API clients, a page in the app's look for browsers, never a traceback."""
import logging

from flask import jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

log = logging.getLogger(__name__)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path in ("/healthz", "/readyz")


def error_response(status: int, code: str, message: str):
    if wants_json():
        return jsonify(error=code, message=message), status
    try:
        return render_template("errors/error.html", status=status, message=message), status
    except Exception:  # the template may be what is broken; a plain page still beats a traceback
        return f"<!doctype html><title>{status}</title><h1>{status}</h1>", status


def _http_error(exc: HTTPException):
    code = (exc.name or "error").lower().replace(" ", "_")
    body, status = error_response(exc.code or 500, code, exc.description or exc.name)
    # Keep the exception's own headers, e.g. `Allow` on a 405 (RFC 9110), but not its content type.
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return body, status, headers


def _database_down(exc: OperationalError):
    log.error("database unavailable: %s", type(exc.orig).__name__ if exc.orig else "OperationalError")
    from app.extensions import db

    db.session.rollback()
    return error_response(503, "database_unavailable", ServiceUnavailable.description)


def _unexpected(exc: Exception):
    # The route's pattern, not the path: a path can carry a share token or a person's id.
    rule = request.url_rule.rule if request.url_rule else "(no route)"
    log.exception("unhandled error on %s %s", request.method, rule)
    return error_response(500, "internal_error", InternalServerError.description)


def register(app) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_down)
    app.register_error_handler(Exception, _unexpected)
