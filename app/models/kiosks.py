"""Gate kiosks and their one-time enrollment codes. Secrets are stored only as hashes."""
from app.clock import utcnow
from app.domain.enums import KioskMode
from app.extensions import db
from app.models._types import UTCDateTime, one_of


class Kiosk(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    site_id = db.Column(db.ForeignKey("site.id"), nullable=False, index=True)
    name = db.Column(db.String(100), nullable=False)
    mode = db.Column(db.String(4), nullable=False, default=KioskMode.AUTO.value)
    languages = db.Column(db.String(50), nullable=False, default="nb,en,pl,lt")
    token_hash = db.Column(db.String(64), unique=True)  # sha256 hex of the bearer token
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    revoked_at = db.Column(UTCDateTime)
    last_seen_at = db.Column(UTCDateTime)
    queue_depth = db.Column(db.Integer)
    health = db.Column(db.JSON)  # what the kiosk last reported: fps, decode rate, ...

    __table_args__ = (one_of("mode", KioskMode),)

    site = db.relationship("Site")


class EnrollmentCode(db.Model):
    """A short code, valid 15 minutes, that a kiosk trades once for its token."""

    id = db.Column(db.Integer, primary_key=True)
    kiosk_id = db.Column(db.ForeignKey("kiosk.id"), nullable=False)
    code_hash = db.Column(db.String(64), nullable=False, unique=True)
    expires_at = db.Column(UTCDateTime, nullable=False)
    used_at = db.Column(UTCDateTime)

    kiosk = db.relationship("Kiosk")
