"""Scan events (every read at a gate) and attendance days (the § 15 list's rows)."""
from sqlalchemy import event

from app.clock import utcnow
from app.domain.enums import DaySource, Decision, Direction, ScanSource
from app.extensions import db
from app.models._types import UTCDateTime, one_of


class ScanEvent(db.Model):
    """One scan as the kiosk sent it. The raw QR text is never stored, only the parsed card number."""

    id = db.Column(db.String(36), primary_key=True)  # the UUID the kiosk made: idempotency key
    site_id = db.Column(db.ForeignKey("site.id"), nullable=False)
    kiosk_id = db.Column(db.ForeignKey("kiosk.id"))  # null for a manual registration
    card_id = db.Column(db.ForeignKey("card.id"))
    card_number = db.Column(db.String(32))  # what was read, also when the card is unknown
    person_id = db.Column(db.ForeignKey("person.id"))
    scanned_at = db.Column(UTCDateTime, nullable=False)
    received_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    local_date = db.Column(db.Date, nullable=False)
    decision = db.Column(db.String(10), nullable=False)  # Decision
    reason = db.Column(db.String(40), nullable=False)
    direction = db.Column(db.String(3), nullable=False)  # Direction
    verified = db.Column(db.Boolean, nullable=False, default=True)
    late = db.Column(db.Boolean, nullable=False, default=False)  # delivered from an offline queue
    warnings = db.Column(db.JSON, nullable=False, default=list)
    message = db.Column(db.JSON)  # {"nb", "en"} as shown at the gate, so a replay shows the same words
    source = db.Column(db.String(10), nullable=False, default=ScanSource.KIOSK.value)
    note = db.Column(db.String(500))  # the reason given for a manual registration
    needs_approval = db.Column(db.Boolean, nullable=False, default=False)
    reverified_at = db.Column(UTCDateTime)
    voided_at = db.Column(UTCDateTime)
    voided_by_id = db.Column(db.ForeignKey("user.id"))
    void_reason = db.Column(db.String(500))

    __table_args__ = (
        db.Index("ix_scan_event_site_time", "site_id", "scanned_at"),
        # A site's scans of one local day: the list's "not verified" flags, the day's problem scans.
        # Without it a big site's daily list reads every scan the site ever had (bench/bigsite.py).
        db.Index("ix_scan_event_site_date", "site_id", "local_date"),
        db.Index("ix_scan_event_kiosk_card_time", "kiosk_id", "card_number", "scanned_at"),
        db.Index("ix_scan_event_person_time", "person_id", "scanned_at"),
        one_of("decision", Decision), one_of("direction", Direction), one_of("source", ScanSource),
    )

    kiosk = db.relationship("Kiosk")
    card = db.relationship("Card")
    person = db.relationship("Person")


class AttendanceDay(db.Model):
    """A person on a site's list for one local date, with first in and last out."""

    id = db.Column(db.Integer, primary_key=True)
    site_id = db.Column(db.ForeignKey("site.id"), nullable=False)
    person_id = db.Column(db.ForeignKey("person.id"), nullable=False, index=True)
    local_date = db.Column(db.Date, nullable=False)
    employer_id = db.Column(db.ForeignKey("company.id"), nullable=False)
    hired_by_id = db.Column(db.ForeignKey("company.id"))
    card_id = db.Column(db.ForeignKey("card.id"))
    first_in = db.Column(UTCDateTime)
    last_out = db.Column(UTCDateTime)
    # The newest scan applied: a late (offline) scan older than this must not flip is_present.
    last_scan_at = db.Column(UTCDateTime)
    is_present = db.Column(db.Boolean, nullable=False, default=False)
    source = db.Column(db.String(10), nullable=False, default=DaySource.SCAN.value)
    flags = db.Column(db.JSON, nullable=False, default=list)
    removed_at = db.Column(UTCDateTime)
    removed_by_id = db.Column(db.ForeignKey("user.id"))
    removed_reason = db.Column(db.String(500))
    # Bumped by every write (below, and the gate's write in app/services/gate_queries.py): a scan
    # writes the day only if the version it read is still there, instead of locking the row.
    version = db.Column(db.Integer, nullable=False, default=0, server_default="0")

    __table_args__ = (
        db.UniqueConstraint("site_id", "person_id", "local_date"),
        db.Index("ix_attendance_day_site_date", "site_id", "local_date"),
        db.Index("ix_attendance_day_site_present", "site_id", "is_present"),
        one_of("source", DaySource),
    )

    person = db.relationship("Person")
    employer = db.relationship("Company", foreign_keys=[employer_id])
    hired_by = db.relationship("Company", foreign_keys=[hired_by_id])
    card = db.relationship("Card")


@event.listens_for(AttendanceDay, "before_update")
def _bump_version(mapper, connection, day: AttendanceDay) -> None:
    """Any change made through the ORM (close of day, removal, void, re-verification) moves the
    version on, so a scan that read the day before it writes nothing and reads again."""
    day.version = AttendanceDay.version + 1
