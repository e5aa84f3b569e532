"""People, their HMS cards and their engagements on sites."""
from app.clock import utcnow
from app.domain.cards import CardStatus, CardType
from app.domain.enums import RegisteredVia
from app.extensions import db
from app.models._types import UTCDateTime, one_of


# The longest first or last name kept; real names are well under it. The card service's answer is cut
# to it (app/adapters/cardservice.py); the crew import and the forms refuse a longer one.
MAX_NAME_LENGTH = 200


class Person(db.Model):
    """A worker. Date of birth only: Portvakt never stores a national identity number."""

    id = db.Column(db.Integer, primary_key=True)
    first_name = db.Column(db.String(MAX_NAME_LENGTH), nullable=False)
    last_name = db.Column(db.String(MAX_NAME_LENGTH), nullable=False)
    birth_date = db.Column(db.Date, nullable=False)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Card(db.Model):
    """An HMS card as last seen by the card service. The status is the service's, not ours."""

    id = db.Column(db.Integer, primary_key=True)
    number = db.Column(db.String(32), nullable=False, unique=True)
    card_type = db.Column(db.String(12), nullable=False, default=CardType.CONSTRUCTION.value)
    person_id = db.Column(db.ForeignKey("person.id"), nullable=False, index=True)
    employer_id = db.Column(db.ForeignKey("company.id"), nullable=False)
    issued_on = db.Column(db.Date)
    valid_to = db.Column(db.Date)
    last_status = db.Column(db.String(20))  # CardStatus
    last_status_reason = db.Column(db.String(200))
    last_checked_at = db.Column(UTCDateTime)
    # When the service last said "valid": the strict outage policy trusts this for N hours.
    last_valid_at = db.Column(UTCDateTime)
    # sha256 of the token in the card's QR code, so the strict outage policy can recognise a card
    # scanned by QR while the service is down. Never the raw QR text.
    qr_token_hash = db.Column(db.String(64), index=True)

    __table_args__ = (one_of("card_type", CardType), one_of("last_status", CardStatus))

    person = db.relationship("Person", backref="cards")
    employer = db.relationship("Company")


class Engagement(db.Model):
    """A person working on a site for an employer; a hired-in worker also names who hired them in."""

    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.ForeignKey("person.id"), nullable=False, index=True)
    site_id = db.Column(db.ForeignKey("site.id"), nullable=False, index=True)
    employer_id = db.Column(db.ForeignKey("company.id"), nullable=False)
    # § 15 c: for a hired-in worker the employer is the staffing agency (utleier) and the list
    # must also name the innleievirksomhet, the undertaking that hired the worker in.
    hired_by_id = db.Column(db.ForeignKey("company.id"))
    active_from = db.Column(db.Date)
    active_to = db.Column(db.Date)
    barred = db.Column(db.Boolean, nullable=False, default=False)
    barred_reason = db.Column(db.String(200))
    registered_via = db.Column(db.String(12))  # RegisteredVia; null on engagements made before 0002
    # A contact phone for this site's evacuation roll call (crew import or the employer), normalised
    # (digits, an optional leading +). Shown on the muster list and to the worker, nowhere else.
    phone = db.Column(db.String(32))
    created_at = db.Column(UTCDateTime, default=utcnow)

    __table_args__ = (
        db.UniqueConstraint("person_id", "site_id", "employer_id"),
        one_of("registered_via", RegisteredVia),
    )

    person = db.relationship("Person")
    site = db.relationship("Site")
    employer = db.relationship("Company", foreign_keys=[employer_id])
    hired_by = db.relationship("Company", foreign_keys=[hired_by_id])


class CardOrder(db.Model):
    """A worker whose HMS card is on order: Arbeidstilsynet accepts work meanwhile if the order is documented.

    Valid at most 30 days; when the card arrives and is scanned on the site, `card_id` links it.
    """

    id = db.Column(db.Integer, primary_key=True)
    site_id = db.Column(db.ForeignKey("site.id"), nullable=False, index=True)
    person_id = db.Column(db.ForeignKey("person.id"), nullable=False, index=True)
    employer_id = db.Column(db.ForeignKey("company.id"), nullable=False)
    hired_by_id = db.Column(db.ForeignKey("company.id"))
    order_reference = db.Column(db.String(100))
    receipt = db.Column(db.LargeBinary)  # the order receipt (PDF or picture), when one was uploaded
    receipt_filename = db.Column(db.String(200))
    receipt_mimetype = db.Column(db.String(100))
    approved_by = db.Column(db.String(200), nullable=False)  # who approved the work while the card is on order
    valid_until = db.Column(db.Date, nullable=False)
    created_by_id = db.Column(db.ForeignKey("user.id"))
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    card_id = db.Column(db.ForeignKey("card.id"))
    linked_at = db.Column(UTCDateTime)

    person = db.relationship("Person")
    employer = db.relationship("Company", foreign_keys=[employer_id])
    hired_by = db.relationship("Company", foreign_keys=[hired_by_id])
    card = db.relationship("Card")
