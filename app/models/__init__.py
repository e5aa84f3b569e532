"""SQLAlchemy models, one module per area. Importing this package registers them all."""
from app.models.accounts import Membership, User
from app.models.attendance import AttendanceDay, ScanEvent
from app.models.audit import AuditLog
from app.models.connectors import OutboxDelivery
from app.models.followups import FollowUp
from app.models.kiosks import EnrollmentCode, Kiosk
from app.models.lists import AccessLink, DailyList
from app.models.people import Card, CardOrder, Engagement, Person
from app.models.sites import Builder, Company, Site, SiteCompany
from app.models.visitors import InductionCompletion, InductionImage, SiteInduction, Visitor

__all__ = [
    "AccessLink", "AttendanceDay", "AuditLog", "Builder", "Card", "CardOrder", "Company", "DailyList",
    "Engagement", "EnrollmentCode", "FollowUp", "InductionCompletion", "InductionImage", "Kiosk", "Membership",
    "OutboxDelivery", "Person", "ScanEvent", "Site", "SiteCompany", "SiteInduction", "User", "Visitor",
]

from app.models.notifications import NotificationCondition, NotificationMessage, NotificationPreference  # noqa: E402

__all__ += ["NotificationCondition", "NotificationMessage", "NotificationPreference"]
