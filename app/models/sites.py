"""Builders, sites and the companies that work on them (the contract chain)."""
from datetime import time

from app.clock import utcnow
from app.domain.countries import company_identifier
from app.domain.enums import CompanyRole, OutagePolicy, SiteStatus
from app.extensions import db
from app.models._types import UTCDateTime, one_of


class Builder(db.Model):
    """The byggherre: § 15 b needs its name on the list."""

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(200), nullable=False)
    org_number = db.Column(db.String(9))  # a private byggherre has none


class Site(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(200), nullable=False)
    street = db.Column(db.String(200), nullable=False)
    postcode = db.Column(db.String(4), nullable=False)
    city = db.Column(db.String(100), nullable=False)
    builder_id = db.Column(db.ForeignKey("builder.id"), nullable=False)
    start_date = db.Column(db.Date)
    planned_end = db.Column(db.Date)  # the dashboard warns about an active site without one
    # Drives retention: the § 15 list is kept six months after the works are finished.
    completion_date = db.Column(db.Date)
    status = db.Column(db.String(20), nullable=False, default=SiteStatus.ACTIVE.value)
    contract_id = db.Column(db.String(64))  # the public builder's contract id (ELRAPP KontraktId)
    closing_time = db.Column(db.Time, nullable=False, default=time(23, 59))
    outage_policy = db.Column(db.String(10), nullable=False, default=OutagePolicy.STRICT.value)
    outage_grace_hours = db.Column(db.Integer, nullable=False, default=12)
    only_registered_companies = db.Column(db.Boolean, nullable=False, default=False)
    records_times = db.Column(db.Boolean, nullable=False, default=True)
    # § 15 needs no times and every reader of the list would see them: recorded, not printed, by default.
    prints_times = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())
    kiosk_languages = db.Column(db.String(50), nullable=False, default="nb,en,pl,lt", server_default="nb,en,pl,lt")
    # In/out times are access control (employee monitoring) with a shorter life than the list.
    passage_retention_days = db.Column(db.Integer, nullable=False, default=90)
    retention_months = db.Column(db.Integer, nullable=False, default=6)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    # Connectors (app/services/connectors.py): HMSREG gets every accepted scan, ELRAPP the checked list.
    hmsreg_enabled = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())
    hmsreg_project = db.Column(db.String(32))  # the project's number in HMSREG (HmsRegnr)
    elrapp_enabled = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())

    __table_args__ = (one_of("status", SiteStatus), one_of("outage_policy", OutagePolicy))

    builder = db.relationship(Builder)

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postcode} {self.city}"


class Company(db.Model):
    """An employer: a Norwegian org number (mod-11 checked) or a foreign id with its country."""

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(200), nullable=False)
    org_number = db.Column(db.String(9), unique=True)
    foreign_id = db.Column(db.String(64))
    country = db.Column(db.String(2), nullable=False, default="NO")

    __table_args__ = (
        db.CheckConstraint("org_number IS NOT NULL OR foreign_id IS NOT NULL", name="has_id"),
    )

    @property
    def identifier(self) -> str:
        return company_identifier(self.org_number, self.country, self.foreign_id)  # never "XX …"


class SiteCompany(db.Model):
    """A company's place on one site's contract chain."""

    ROLES = tuple(role.value for role in CompanyRole)

    id = db.Column(db.Integer, primary_key=True)
    site_id = db.Column(db.ForeignKey("site.id"), nullable=False, index=True)
    company_id = db.Column(db.ForeignKey("company.id"), nullable=False)
    role = db.Column(db.String(20), nullable=False)
    parent_id = db.Column(db.ForeignKey("site_company.id"))
    active_from = db.Column(db.Date)
    active_to = db.Column(db.Date)

    __table_args__ = (db.UniqueConstraint("site_id", "company_id"), one_of("role", CompanyRole))

    site = db.relationship(Site)
    company = db.relationship(Company)
    parent = db.relationship("SiteCompany", remote_side=[id])
