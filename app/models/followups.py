"""§ 8 follow-ups: a card seen at the gate that the byggherre must report."""
from app.clock import utcnow
from app.domain.cards import CardStatus
from app.extensions import db
from app.models._types import UTCDateTime, one_of


class FollowUp(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    site_id = db.Column(db.ForeignKey("site.id"), nullable=False, index=True)
    card_id = db.Column(db.ForeignKey("card.id"))
    card_number = db.Column(db.String(32), nullable=False)
    person_id = db.Column(db.ForeignKey("person.id"))
    scan_event_id = db.Column(db.ForeignKey("scan_event.id"))
    kind = db.Column(db.String(20), nullable=False)  # the CardStatus that triggered it
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    done_at = db.Column(UTCDateTime)
    done_by_id = db.Column(db.ForeignKey("user.id"))
    note = db.Column(db.String(2000))

    __table_args__ = (one_of("kind", CardStatus),)

    card = db.relationship("Card")
    person = db.relationship("Person")
