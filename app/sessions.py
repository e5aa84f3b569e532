"""Flask's signed-cookie sessions, without the per-request work a request without a cookie does not need.

Flask opens a session for every request and builds a new signing serializer each time (which
serializes an empty dict to find out what kind of serializer it is), whether or not a cookie came
with the request. Kiosks and load balancers never send one, and they make most of the requests.
The cookie format, the keys (SECRET_KEY, then SECRET_KEY_FALLBACKS) and the signature are Flask's own.
"""
from flask.sessions import SecureCookieSessionInterface


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


def init_app(app) -> None:
    app.session_interface = CookieSessionInterface()
