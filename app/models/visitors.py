"""Visitors on a site (the evacuation roll call) and the site's safety induction (HMS-introduksjon)."""
from app.clock import utcnow
from app.domain.enums import InductionMethod, InductionMode
from app.extensions import db
from app.models._types import UTCDateTime, one_of


class Visitor(db.Model):
    """Someone on site who does not work there: on the muster list, never on the § 15 list.

    Short-lived by design: deleted `VISITOR_RETENTION_DAYS` after arrival by the retention purge.
    """

    id = db.Column(db.Integer, primary_key=True)
    site_id = db.Column(db.ForeignKey("site.id"), nullable=False, index=True)
    name = db.Column(db.String(200), nullable=False)
    company = db.Column(db.String(200))
    host = db.Column(db.String(200), nullable=False)  # who on site they visit
    phone = db.Column(db.String(32), nullable=False)  # for the evacuation roll call, shown nowhere else
    purpose = db.Column(db.String(200))
    expected_end = db.Column(UTCDateTime)
    arrived_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    left_at = db.Column(UTCDateTime)
    registered_by_id = db.Column(db.ForeignKey("user.id"))


class SiteInduction(db.Model):
    """A site's induction: the text per language, its questions, how long it counts, what the gate does.

    `version` grows with every change of text or questions; a completion counts when its version is at
    least `required_version` (a change that must be taken again raises that too).
    """

    site_id = db.Column(db.ForeignKey("site.id"), primary_key=True)
    mode = db.Column(db.String(8), nullable=False, default=InductionMode.OFF.value)
    valid_months = db.Column(db.Integer, nullable=False, default=12)
    version = db.Column(db.Integer, nullable=False, default=1)
    required_version = db.Column(db.Integer, nullable=False, default=1)
    texts = db.Column(db.JSON, nullable=False, default=dict)  # {"nb": markdown, "en": ..., "pl"?, "lt"?}
    questions = db.Column(db.JSON, nullable=False, default=list)  # [{"q": {"nb","en"}, "options": [...], "answer": i}]
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (one_of("mode", InductionMode),)


class InductionCompletion(db.Model):
    """One person's completed induction on one site, with the version of the text they took."""

    id = db.Column(db.Integer, primary_key=True)
    site_id = db.Column(db.ForeignKey("site.id"), nullable=False, index=True)
    person_id = db.Column(db.ForeignKey("person.id"), nullable=False, index=True)
    version = db.Column(db.Integer, nullable=False)
    completed_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    method = db.Column(db.String(8), nullable=False)  # InductionMethod
    held_by = db.Column(db.String(200))  # who held an in-person briefing
    recorded_by_id = db.Column(db.ForeignKey("user.id"))

    __table_args__ = (one_of("method", InductionMethod),)

    person = db.relationship("Person")


class InductionImage(db.Model):
    """A picture for a site's induction text (not personal data): the text refers to it as `bilde:ID`.

    Stored in the database like the card-order receipts; its type was read from its bytes at upload.
    """

    id = db.Column(db.Integer, primary_key=True)
    site_id = db.Column(db.ForeignKey("site.id"), nullable=False, index=True)
    name = db.Column(db.String(200), nullable=False)  # the alt text offered in the Markdown to paste
    mimetype = db.Column(db.String(32), nullable=False)  # image/png|image/jpeg|image/webp
    data = db.Column(db.LargeBinary, nullable=False)
    uploaded_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    uploaded_by_id = db.Column(db.ForeignKey("user.id"))
