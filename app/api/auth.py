"""Kiosk authentication: `Authorization: Bearer <token>`, checked against the database every time."""
from functools import wraps

from flask import g, request

from app.api.errors import ApiError
from app.clock import utcnow
from app.services.kiosks import kiosk_for_token


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def bearer_token_or_401() -> str:
    token = bearer_token()
    if token is None:
        raise ApiError(401, "unauthorized", "Missing bearer token (Authorization: Bearer <token>).")
    return token


def unknown_kiosk() -> ApiError:
    return ApiError(401, "unauthorized", "Unknown or revoked kiosk token.")


def refuse_unknown_kiosk(token: str):
    """The active kiosk with this token, or a 401."""
    kiosk = kiosk_for_token(token, utcnow())
    if kiosk is None:
        raise unknown_kiosk()
    return kiosk


def kiosk_required(view):
    """Let a request through only with an active kiosk's token; the kiosk is in g.kiosk."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        g.kiosk = refuse_unknown_kiosk(bearer_token_or_401())
        return view(*args, **kwargs)
    return wrapped
