"""gunicorn's access log without the secret in capability links (/share/<token>, /me/<token>).

Whoever holds a share or self-service link can open it, so its token is a password in a URL; the
access log keeps the request line and the referer of every request, and would keep the token too.
gunicorn.conf.py makes this the logger of every gunicorn started from the project folder.
"""
import re

from gunicorn.glogging import Logger

CAPABILITY_TOKEN = re.compile(r"(/(?:share|me)/)[A-Za-z0-9_-]{16,}")


def without_tokens(text: str) -> str:
    return CAPABILITY_TOKEN.sub(r"\1[token]", text)


class AccessLogWithoutTokens(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: without_tokens(value) if isinstance(value, str) else value for key, value in atoms.items()}
