"""Writing the audit log: one small helper every use case calls, so rows look the same everywhere.

Searching it for the audit pages is app/services/audit_search.py.

Details carry ids and counts only; names, birth dates, card numbers and tokens never go in.
"""
from datetime import datetime

from app.clock import utcnow
from app.extensions import db
from app.models import AuditLog


def actor_label(actor) -> tuple[str, int | None]:
    """("user:3", 3) for a User; a plain string ("cli", "share:5", "kiosk:2") stays as it is."""
    if isinstance(actor, str):
        return actor, None
    if actor is None:
        return "system", None
    return f"user:{actor.id}", actor.id


def audit(action: str, actor, site_id: int | None = None, target_type: str | None = None,
          target_id=None, at: datetime | None = None, **details) -> AuditLog:
    """Add one audit row to the session; the caller's commit makes it durable with the change."""
    label, user_id = actor_label(actor)
    row = AuditLog(action=action, actor=label, user_id=user_id, site_id=site_id,
                   target_type=target_type, target_id=None if target_id is None else str(target_id),
                   details=details, at=at or utcnow())
    db.session.add(row)
    return row
