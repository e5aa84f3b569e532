"""E-mail notifications: who wants which kind, which conditions are open, and every message once per
event and recipient (the unique key is what keeps a lasting condition from flooding anyone)."""
from app.clock import utcnow
from app.extensions import db
from app.models._types import UTCDateTime


class NotificationPreference(db.Model):
    """A user's choice for one kind (or "digest": collect the day's messages into one mail)."""

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    kind = db.Column(db.String(30), nullable=False)
    enabled = db.Column(db.Boolean, nullable=False, server_default=db.true())

    __table_args__ = (db.UniqueConstraint("user_id", "kind"),)


class NotificationCondition(db.Model):
    """A lasting condition (a silent kiosk, the card service down, a list not checked) seen since
    `first_seen_at`; `notified_at` is set when people were told, and the row goes when it clears."""

    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(30), nullable=False)
    subject = db.Column(db.String(64), nullable=False)  # a kiosk id, "card_service", a date: never personal
    site_id = db.Column(db.ForeignKey("site.id", ondelete="CASCADE"))
    first_seen_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    notified_at = db.Column(UTCDateTime)

    __table_args__ = (db.UniqueConstraint("kind", "subject"),)


class NotificationMessage(db.Model):
    """One message to one user about one event; sent at once, or with the day's digest."""

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    event_key = db.Column(db.String(120), nullable=False)
    kind = db.Column(db.String(30), nullable=False)
    site_id = db.Column(db.ForeignKey("site.id", ondelete="CASCADE"))
    subject = db.Column(db.String(200), nullable=False)
    body = db.Column(db.Text, nullable=False)
    digest = db.Column(db.Boolean, nullable=False, server_default=db.false())
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    sent_at = db.Column(UTCDateTime)

    __table_args__ = (db.UniqueConstraint("user_id", "event_key"), db.Index("ix_notification_message_unsent", "sent_at"))
