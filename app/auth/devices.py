"""Known browsers: a signed cookie, set at a successful sign-in, that names the account.

The lockout after failed sign-ins does not apply on a browser where the account signed in before,
so someone guessing from elsewhere can lock the account for everyone else but never keep its owner
out of their usual browser. The cookie proves nothing by itself (the password is still checked);
a wrong password on that browser removes it.
"""
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "portvakt_device"
MAX_AGE = 180 * 24 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="portvakt-known-device")


def known_device_of(request) -> int | None:
    """The id of the account this browser signed in to before, if its cookie is genuine."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    try:
        user_id = _serializer().loads(value, max_age=MAX_AGE)
    except BadSignature:
        return None
    return user_id if isinstance(user_id, int) else None


def remember(response, user_id: int) -> None:
    response.set_cookie(COOKIE, _serializer().dumps(user_id), max_age=MAX_AGE, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])


def forget(response) -> None:
    response.delete_cookie(COOKIE, httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
