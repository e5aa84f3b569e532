"""The audit log: who did what, when, to what. Details hold ids and counts, not personal data."""
from app.clock import utcnow
from app.extensions import db
from app.models._types import UTCDateTime


class AuditLog(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    user_id = db.Column(db.ForeignKey("user.id"))
    actor = db.Column(db.String(100), nullable=False)  # "user:3", "kiosk:2", "cli", "share:5"
    action = db.Column(db.String(50), nullable=False)
    site_id = db.Column(db.ForeignKey("site.id"), index=True)
    target_type = db.Column(db.String(30))
    target_id = db.Column(db.String(64))
    details = db.Column(db.JSON, nullable=False, default=dict)
