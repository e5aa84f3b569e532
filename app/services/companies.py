"""A site's contract chain: the companies working on it, who hired whom, and which are staffing agencies.

Every path that finds or makes a company (this chain, the CLI, the card service's answer at the
gate) goes through `find_or_make_company`, so one company is one row whatever the path
(the rule itself is app/domain/contract_chain.py).
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from app.domain import contract_chain as rules
from app.domain.contract_chain import CompanyKey, IdentityRefused
from app.extensions import db
from app.models import Company, SiteCompany
from app.services import use_case
from app.services.audit import audit


class CompanyRefused(ValueError):
    """Why a company cannot be added or changed; `field` names the form field the message belongs next to."""

    def __init__(self, field: str, code: str):
        super().__init__(code)
        self.field, self.code = field, code


@dataclass(frozen=True)
class NewCompany:
    name: str
    org_number: str | None  # Norwegian (also a foreign company's NUF), as typed; normalised and mod-11 checked
    foreign_id: str | None  # for a foreign company without a Norwegian number
    country: str  # ISO 3166-1 alpha-2
    role: str  # one of SiteCompany.ROLES
    parent_id: int | None  # a SiteCompany of the same site
    active_from: date | None = None
    active_to: date | None = None


@dataclass(frozen=True)
class ChainChange:
    """An entry's new place on the chain: role, parent and active period."""

    role: str
    parent_id: int | None
    active_from: date | None
    active_to: date | None


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


def chain_companies(site_id: int) -> list[Company]:
    """The companies on the site's contract chain, by name: who may employ or hire in here, who an
    order or a share link may name."""
    return list(db.session.scalars(select(Company).join(SiteCompany, SiteCompany.company_id == Company.id)
                                   .where(SiteCompany.site_id == site_id).order_by(Company.name, Company.id)))


def find_or_make_company(key: CompanyKey | tuple[CompanyKey, ...], name: str) -> Company:
    """THE answer to "which Company is this": the known one the key names (completed with what the
    key adds), else a new one (added to the session, not flushed). Several keys (the card service's
    identifier, app/domain/contract_chain.card_service_keys) are tried in order; a new company takes
    the first. The caller owns the transaction."""
    keys = (key,) if isinstance(key, CompanyKey) else key
    conditions = [Company.foreign_id == k.foreign_id for k in keys if k.foreign_id is not None]
    conditions += [Company.org_number == k.org_number for k in keys if k.org_number]
    query = select(Company.id, Company.org_number, Company.country, Company.foreign_id)
    known = [rules.KnownCompany(*row) for row in db.session.execute(query.where(or_(*conditions)))]
    found = rules.pick_first(keys, known)
    if found is None:
        first = keys[0]
        company = Company(name=name.strip()[:200], org_number=first.org_number, country=first.country,
                          foreign_id=first.foreign_id)
        db.session.add(company)
        return company
    chosen, by = found
    company = db.session.get(Company, chosen)
    for column, value in rules.filled_in(next(k for k in known if k.id == chosen), by).items():
        setattr(company, column, value)
    return company


def company_named_by_card_service(identifier: str, name: str) -> Company:
    """The employer the card service names by its one identifier (org number, or a foreign id that
    may look like one): the same company the chain's pages and the CLI find for it."""
    return find_or_make_company(rules.card_service_keys(identifier), name)


@use_case
def add_to_site(site_id: int, new: NewCompany, actor, via: str = "web") -> SiteCompany:
    """Put a company on the site's chain, reusing the company when its identifiers are already known."""
    try:
        key = rules.company_key(new.org_number, new.country, new.foreign_id)
    except IdentityRefused as refused:
        raise CompanyRefused(refused.field, refused.code) from None
    if not new.name.strip():
        raise CompanyRefused("name", "name_required")
    _check_place(site_id, None, ChainChange(new.role, new.parent_id, new.active_from, new.active_to))
    company = find_or_make_company(key, new.name)
    if company.id is not None and _link_of(site_id, company.id) is not None:
        # Rolled back by @use_case: find_or_make_company may have completed the company's identifiers.
        raise CompanyRefused("org_number" if key.org_number else "foreign_id", "already_on_site")
    return _add_link(site_id, company, new.role, new.parent_id, new.active_from, new.active_to, actor, via)


@use_case
def add_employer_from_day(site_id: int, company_id: int, actor) -> SiteCompany:
    """The day page's one click: an employer seen at the gate joins the chain as a subcontractor,
    under the site's main contractor when it has exactly one (else at the top)."""
    if db.session.get(Company, company_id) is None:
        raise CompanyRefused("company_id", "unknown_company")
    if _link_of(site_id, company_id) is not None:
        raise CompanyRefused("company_id", "already_on_site")
    parent = rules.default_parent(dict(db.session.execute(
        select(SiteCompany.id, SiteCompany.role).where(SiteCompany.site_id == site_id)).all()))
    return _add_link(site_id, db.session.get(Company, company_id), "subcontractor", parent, None, None,
                     actor, "list_day")


def _add_link(site_id, company, role, parent_id, active_from, active_to, actor, via) -> SiteCompany:
    link = SiteCompany(site_id=site_id, company=company, role=role, parent_id=parent_id,
                       active_from=active_from, active_to=active_to)
    db.session.add(link)
    db.session.flush()
    audit("company.add_to_site", actor, site_id=site_id, target_type="company", target_id=company.id,
          site_company_id=link.id, role=role, parent_id=parent_id, via=via, **_period(active_from, active_to))
    return link


@use_case
def update_in_chain(site_id: int, link_id: int, change: ChainChange, actor) -> SiteCompany:
    """Change an entry's role, parent and active period; the audit row says what it was before."""
    link = db.session.get(SiteCompany, link_id)
    if link is None or link.site_id != site_id:
        raise CompanyRefused("site_company_id", "unknown_entry")
    _check_place(site_id, link_id, change)
    before = {"role": link.role, "parent_id": link.parent_id, **_period(link.active_from, link.active_to)}
    link.role, link.parent_id = change.role, change.parent_id
    link.active_from, link.active_to = change.active_from, change.active_to
    audit("company.update_in_chain", actor, site_id=site_id, target_type="company", target_id=link.company_id,
          site_company_id=link.id, before=before, role=change.role, parent_id=change.parent_id,
          **_period(change.active_from, change.active_to))
    return link


def entry_of(site_id: int, link_id: int) -> SiteCompany | None:
    link = db.session.get(SiteCompany, link_id)
    return link if link is not None and link.site_id == site_id else None


def allowed_parents(site_id: int, link_id: int | None) -> set[int]:
    """The entries `link_id` may be placed under: its own chain, never itself or one below it."""
    parents = _parents(site_id)
    return {entry for entry in parents if rules.parent_allowed(parents, link_id, entry)}


def outside_chain(site_id: int, rows) -> list[Company]:
    """The day's employers and hiring companies (of live rows with employer_id and hired_by_id) that
    are not on the site's chain, by name: a hint for the day page, worked out when it is read (the
    card decided at the gate; nothing about it is stored)."""
    on_chain = set(db.session.scalars(select(SiteCompany.company_id).where(SiteCompany.site_id == site_id)))
    live = (row for row in rows if getattr(row, "removed_at", None) is None)
    missing = rules.outside_chain(((row.employer_id, row.hired_by_id) for row in live), on_chain)
    if not missing:
        return []
    return list(db.session.scalars(select(Company).where(Company.id.in_(missing)).order_by(Company.name)))


def _check_place(site_id: int, link_id: int | None, change: ChainChange) -> None:
    if change.role not in SiteCompany.ROLES:
        raise CompanyRefused("role", "unknown_role")
    if not rules.parent_allowed(_parents(site_id), link_id, change.parent_id):
        raise CompanyRefused("parent_id", "unknown_parent")
    if not rules.dates_in_order(change.active_from, change.active_to):
        raise CompanyRefused("active_to", "ends_before_start")


def _parents(site_id: int) -> dict[int, int | None]:
    return dict(db.session.execute(select(SiteCompany.id, SiteCompany.parent_id)
                                   .where(SiteCompany.site_id == site_id)).all())


def _link_of(site_id: int, company_id: int) -> int | None:
    return db.session.scalar(select(SiteCompany.id).where(SiteCompany.site_id == site_id,
                                                          SiteCompany.company_id == company_id))


def _period(active_from: date | None, active_to: date | None) -> dict:
    return {"active_from": active_from.isoformat() if active_from else None,
            "active_to": active_to.isoformat() if active_to else None}
