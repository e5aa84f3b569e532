"""A site's contract chain: the companies working on it, who hired whom, and which are staffing agencies."""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.domain.orgnr import is_valid_org_number, normalize_org_number
from app.extensions import db
from app.models import Company, SiteCompany
from app.services.audit import audit


class CompanyRefused(ValueError):
    """Why a company cannot be added; `field` names the form field the message belongs next to."""

    def __init__(self, field: str, code: str):
        super().__init__(code)
        self.field, self.code = field, code


@dataclass(frozen=True)
class NewCompany:
    name: str
    org_number: str | None  # Norwegian, as typed; normalised and mod-11 checked here
    foreign_id: str | None  # for a foreign company without a Norwegian number
    country: str  # ISO 3166 alpha-2
    role: str  # one of SiteCompany.ROLES
    parent_id: int | None  # a SiteCompany of the same site


@dataclass(frozen=True)
class ChainEntry:
    link: SiteCompany
    depth: int


def chain(site_id: int) -> list[ChainEntry]:
    """The site's companies as a tree in reading order: each company followed by those under it."""
    links = list(db.session.scalars(select(SiteCompany).where(SiteCompany.site_id == site_id)
                                    .options(joinedload(SiteCompany.company))))
    children: dict[int | None, list[SiteCompany]] = {}
    for link in links:
        children.setdefault(link.parent_id, []).append(link)
    ordered: list[ChainEntry] = []

    def walk(parent_id, depth):
        for link in sorted(children.get(parent_id, []), key=lambda l: l.company.name.casefold()):
            if any(entry.link.id == link.id for entry in ordered):
                continue  # a cycle in bad data must not loop forever
            ordered.append(ChainEntry(link, depth))
            walk(link.id, depth + 1)

    walk(None, 0)
    known = {entry.link.id for entry in ordered}
    ordered += [ChainEntry(link, 0) for link in links if link.id not in known]  # parents on another site
    return ordered


def site_companies(site_id: int) -> list[Company]:
    return list(db.session.scalars(select(Company).join(SiteCompany, SiteCompany.company_id == Company.id)
                                   .where(SiteCompany.site_id == site_id).order_by(Company.name)))


def add_to_site(site_id: int, new: NewCompany, actor) -> SiteCompany:
    """Put a company on the site's chain, reusing the company when its number is already known."""
    company = _find_or_make_company(new)
    if company.id and db.session.scalar(select(SiteCompany.id).where(
            SiteCompany.site_id == site_id, SiteCompany.company_id == company.id)):
        raise CompanyRefused("org_number" if company.org_number else "foreign_id", "already_on_site")
    if new.role not in SiteCompany.ROLES:
        raise CompanyRefused("role", "unknown_role")
    if new.parent_id is not None and db.session.scalar(select(SiteCompany.id).where(
            SiteCompany.id == new.parent_id, SiteCompany.site_id == site_id)) is None:
        raise CompanyRefused("parent_id", "unknown_parent")
    link = SiteCompany(site_id=site_id, company=company, role=new.role, parent_id=new.parent_id)
    db.session.add(link)
    db.session.flush()
    audit("company.add_to_site", actor, site_id=site_id, target_type="company", target_id=company.id,
          role=new.role, parent_id=new.parent_id)
    db.session.commit()
    return link


def _find_or_make_company(new: NewCompany) -> Company:
    if new.org_number:
        number = normalize_org_number(new.org_number)
        if not is_valid_org_number(number):
            raise CompanyRefused("org_number", "invalid_org_number")
        existing = db.session.scalar(select(Company).where(Company.org_number == number))
        return existing or Company(name=new.name.strip(), org_number=number, country="NO")
    if not new.foreign_id or not new.country:
        raise CompanyRefused("org_number", "identifier_required")
    country = new.country.strip().upper()
    foreign_id = new.foreign_id.strip()
    existing = db.session.scalar(select(Company).where(Company.foreign_id == foreign_id, Company.country == country))
    return existing or Company(name=new.name.strip(), foreign_id=foreign_id, country=country)
