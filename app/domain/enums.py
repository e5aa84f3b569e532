"""The closed sets of codes Portvakt stores in string columns, each declared once.

The models build their CHECK constraints from these (app/models/_types.one_of), so the database
refuses a code that is not here. The card service's own words (CardStatus, CardType) live in
app/domain/cards.py. A new member needs a migration that widens the column's constraint.
"""
from enum import StrEnum


class Role(StrEnum):
    """A user's role on a site (or on every site)."""

    ADMIN = "admin"
    BUILDER_REP = "builder_rep"  # byggherrens representant: keeps and checks the § 15 list
    COORDINATOR = "coordinator"  # SHA-koordinator
    SAFETY_REP = "safety_rep"  # verneombud
    EMPLOYER_VIEWER = "employer_viewer"  # sees only its own company's people
    EMPLOYER_REP = "employer_rep"  # the same, and registers its own company's crew on the site


class CompanyRole(StrEnum):
    """A company's place on a site's contract chain."""

    MAIN_CONTRACTOR = "main_contractor"
    SUBCONTRACTOR = "subcontractor"
    STAFFING_AGENCY = "staffing_agency"
    SOLE_PROPRIETOR = "sole_proprietor"


class SiteStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    COMPLETED = "completed"


class OutagePolicy(StrEnum):
    """What the gate does while the card service cannot answer."""

    STRICT = "strict"  # trusts a card the service called valid within the grace hours
    LENIENT = "lenient"  # lets the site's workers in unverified, for a supervisor's approval


class Decision(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class KioskMode(StrEnum):
    """Which way a kiosk's scans count: a gate for one direction, or each scan toggles."""

    IN = "in"
    OUT = "out"
    AUTO = "auto"


class ScanSource(StrEnum):
    KIOSK = "kiosk"
    MANUAL = "manual"  # registered by hand in the site office


class DaySource(StrEnum):
    """How a person came onto a day's list."""

    SCAN = "scan"
    MANUAL = "manual"


class RegisteredVia(StrEnum):
    """Who made an engagement."""

    SITE_OFFICE = "site_office"
    EMPLOYER = "employer"
    IMPORT = "import"
    GATE = "gate"  # a card scanned with no engagement


class LinkKind(StrEnum):
    SHARE = "share"  # lists for an inspector or an employer
    SELF_SERVICE = "self_service"  # a worker's own data


class Receiver(StrEnum):
    """The outside registers the connectors deliver to."""

    HMSREG = "hmsreg"
    ELRAPP = "elrapp"


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"  # given up: a permanent refusal or too many attempts
    WITHDRAWN = "withdrawn"  # nothing to send any more (voided, purged, connector turned off)


class InductionMode(StrEnum):
    """What the gate does when a worker has not taken the site's induction."""

    REFUSE = "refuse"
    WARN = "warn"
    OFF = "off"


class InductionMethod(StrEnum):
    LINK = "link"  # taken on the phone through the site's link
    BRIEFING = "briefing"  # held in person and recorded by the site office
