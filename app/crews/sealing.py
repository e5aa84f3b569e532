"""The confirm step of a crew import carries the checked file in a signed hidden field, not a second upload.

Signed with the app's SECRET_KEY under its own salt and bound to the site and the employer scope,
so a token from one site or one employer cannot be replayed on another; it lasts an hour. The
rows are checked again on confirm: the signature proves only that we produced them.
"""
from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

SALT = "portvakt.crew-import"
MAX_AGE_S = 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def seal(site_id: int, company_scope: int | None, table: list[list[str]]) -> str:
    return _serializer().dumps({"site": site_id, "scope": company_scope, "rows": table})


def unseal(token: str, site_id: int, company_scope: int | None) -> list[list[str]] | None:
    """The rows, or None when the token is forged, stale, or for another site or scope."""
    try:
        data = _serializer().loads(token or "", max_age=MAX_AGE_S)
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("site") != site_id or data.get("scope") != company_scope:
        return None
    rows = data.get("rows")
    if not isinstance(rows, list) or not all(isinstance(r, list) and all(isinstance(c, str) for c in r) for r in rows):
        return None
    return rows
