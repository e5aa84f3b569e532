"""Kiosk authentication: `Authorization: Bearer <token>`, checked against the database every time."""
from functools import wraps

from flask import g, request

from app.api.errors import ApiError
from app.clock import utcnow
from app.services.kiosks import kiosk_for_token


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def kiosk_required(view):
    """Let a request through only with an active kiosk's token; the kiosk is in g.kiosk."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        token = bearer_token()
        if token is None:
            raise ApiError(401, "unauthorized", "Missing bearer token (Authorization: Bearer <token>).")
        kiosk = kiosk_for_token(token, utcnow())
        if kiosk is None:
            raise ApiError(401, "unauthorized", "Unknown or revoked kiosk token.")
        g.kiosk = kiosk
        return view(*args, **kwargs)
    return wrapped
