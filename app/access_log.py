"""gunicorn's access log without secrets or searched names.

Whoever holds a share or self-service link (/share/<token>, /me/<token>) can open it, so its token
is a password in a URL. The people search is a GET form (bookmarkable, the back button works), so
what a user types there, usually a name, is in the query string (`q=`). The access log keeps the
request line and the referer of every request, and would keep both; it keeps "[token]" and
"[search]" instead. gunicorn.conf.py makes this the logger of every gunicorn started from the
project folder.
"""
import re

from gunicorn.glogging import Logger

CAPABILITY_TOKEN = re.compile(r"(/(?:share|me)/)[A-Za-z0-9_-]{16,}")
SEARCH_TEXT = re.compile(r"([?&]q=)[^&\s\"]*")


def without_secrets(text: str) -> str:
    return SEARCH_TEXT.sub(r"\1[search]", CAPABILITY_TOKEN.sub(r"\1[token]", text))


class AccessLogWithoutSecrets(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: without_secrets(value) if isinstance(value, str) else value for key, value in atoms.items()}
