"""Flask's signed-cookie sessions, without the per-request work a request without a cookie does not need.

Flask opens a session for every request and builds a new signing serializer each time (which
serializes an empty dict to find out what kind of serializer it is), whether or not a cookie came
with the request. Kiosks and load balancers never send one, and they make most of the requests.
The cookie format, the keys (SECRET_KEY, then SECRET_KEY_FALLBACKS) and the signature are Flask's own.
"""
from datetime import datetime, timedelta

from flask.sessions import SecureCookieSessionInterface

# A site office's working day: idle for 8 hours, or 12 hours after signing in, means sign in again.
IDLE_TIMEOUT = timedelta(hours=8)
LIFETIME = timedelta(hours=12)
_SEEN_EVERY = 60  # seconds: how stale "last seen" may get before the cookie is written again


class CookieSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers = {}

    def get_signing_serializer(self, app):
        # One per key set: itsdangerous serializers keep no per-request state, and a key rotation
        # (a new SECRET_KEY or fallback list) simply makes a new one.
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
        return serializer

    def open_session(self, app, request):
        if app.secret_key and ("HTTP_COOKIE" not in request.environ
                               or not request.cookies.get(self.get_cookie_name(app))):
            return self.session_class()  # what Flask returns for no cookie, without the serializer
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if not (session or session.modified or session.accessed):
            return  # nothing to set, delete or vary on
        super().save_session(app, session, response)


def start(session, now: datetime) -> None:
    """Mark a fresh sign-in: the idle timeout and the lifetime count from here."""
    session["signed_in_at"] = session["seen_at"] = int(now.timestamp())


def still_fresh(session, now: datetime) -> bool:
    """False once the session was idle too long or is past its lifetime (a session without the
    marks, e.g. from before they existed, is past it). Keeps "last seen" up to date."""
    signed_in, seen, moment = session.get("signed_in_at"), session.get("seen_at"), int(now.timestamp())
    if not isinstance(signed_in, int) or not isinstance(seen, int):
        return False
    if moment - signed_in > LIFETIME.total_seconds() or moment - seen > IDLE_TIMEOUT.total_seconds():
        return False
    if moment - seen > _SEEN_EVERY:
        session["seen_at"] = moment
    return True


def forget(session) -> None:
    session.pop("signed_in_at", None)
    session.pop("seen_at", None)


def init_app(app) -> None:
    app.session_interface = CookieSessionInterface()
    if app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(days=31):  # Flask's default: too long
        app.config["PERMANENT_SESSION_LIFETIME"] = LIFETIME  # the cookie's signature expires with it
