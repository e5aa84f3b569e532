"""The outbox for outside registers (HMSREG, ELRAPP): one row per thing to deliver.

A row is written in the same transaction as what causes it, so nothing is lost if a process dies;
`flask connectors sync` delivers the rows. The row holds ids and state only: what is sent is read
from the scan or the day's list at delivery time, so no personal data is copied here.
"""
from app.clock import utcnow
from app.domain.enums import DeliveryState, Receiver
from app.extensions import db
from app.models._types import UTCDateTime, one_of


class OutboxDelivery(db.Model):
    """One delivery to one receiver: a registration (ref = the scan's id) or a day's list (ref = the date)."""

    STATES = tuple(state.value for state in DeliveryState)

    id = db.Column(db.Integer, primary_key=True)
    site_id = db.Column(db.ForeignKey("site.id"), nullable=False)
    receiver = db.Column(db.String(10), nullable=False)  # Receiver
    ref = db.Column(db.String(64), nullable=False)
    state = db.Column(db.String(10), nullable=False, default=DeliveryState.PENDING.value)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    next_attempt_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    lease_until = db.Column(UTCDateTime)  # a worker is delivering it until then
    last_error = db.Column(db.String(40))  # a code the Overføringer page words
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    sent_at = db.Column(UTCDateTime)
    # ELRAPP: per card number, a hash of the record last delivered, so only changes go out again.
    sent_hashes = db.Column(db.JSON)

    __table_args__ = (
        db.UniqueConstraint("receiver", "site_id", "ref"),
        db.Index("ix_outbox_delivery_due", "state", "next_attempt_at"),
        db.Index("ix_outbox_delivery_site_state", "site_id", "state"),
        one_of("receiver", Receiver), one_of("state", DeliveryState),
    )
