"""Checked and archived versions of the § 15 list, and read-only access links."""
from app.clock import utcnow
from app.domain.enums import LinkKind
from app.extensions import db
from app.models._types import UTCDateTime, one_of


class DailyList(db.Model):
    """One checked version of a site's list for one local date, archived as PDF."""

    id = db.Column(db.Integer, primary_key=True)
    site_id = db.Column(db.ForeignKey("site.id"), nullable=False)
    local_date = db.Column(db.Date, nullable=False)
    version = db.Column(db.Integer, nullable=False)
    checked_by_id = db.Column(db.ForeignKey("user.id"))
    checked_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    data_sha256 = db.Column(db.String(64), nullable=False)  # printed on the PDF
    # Deferred: lists of versions (the dashboard, a day's page) never need the bytes; archived_pdf loads them.
    pdf = db.orm.deferred(db.Column(db.LargeBinary, nullable=False))
    pdf_sha256 = db.Column(db.String(64), nullable=False, index=True)

    __table_args__ = (db.UniqueConstraint("site_id", "local_date", "version"),)

    checked_by = db.relationship("User")


class AccessLink(db.Model):
    """A time-limited read-only link: lists for an inspector or employer, or a worker's own data."""

    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(12), nullable=False)  # LinkKind
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    site_id = db.Column(db.ForeignKey("site.id"))
    company_id = db.Column(db.ForeignKey("company.id"))  # an employer's link shows only its people
    person_id = db.Column(db.ForeignKey("person.id"))  # for self_service
    date_from = db.Column(db.Date)
    date_to = db.Column(db.Date)
    recipient = db.Column(db.String(200))
    created_by_id = db.Column(db.ForeignKey("user.id"))
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = db.Column(UTCDateTime, nullable=False)
    revoked_at = db.Column(UTCDateTime)
    used_at = db.Column(UTCDateTime)

    __table_args__ = (one_of("kind", LinkKind),)
