"""Skatteetaten's contractor and worker reports, prepared (never filed): foreign contractors on a site's
contract chain and each foreign worker's first and last working day in a period (reports/contractors.py)."""
from collections import defaultdict
from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models import AttendanceDay, Company, Person, Site, SiteCompany
from app.services.lists import CSV, XLSX, BadPeriod, Download, UnknownSite, MAX_PERIOD_DAYS
from reports.contractors import ContractorsReport, ForeignContractor, ForeignWorker, contractors_csv, \
    contractors_xlsx
from reports.data import SiteInfo

FORMATS = {"csv": (contractors_csv, CSV), "xlsx": (contractors_xlsx, XLSX)}


def contractors_report(site_id: int, date_from: date, date_to: date) -> ContractorsReport:
    """Foreign companies (country other than NO) with their chain role and worker days, and their workers."""
    site = db.session.get(Site, site_id)
    if site is None:
        raise UnknownSite(site_id)
    if date_to < date_from or (date_to - date_from).days >= MAX_PERIOD_DAYS:
        raise BadPeriod(f"{date_from}–{date_to}")
    workers = _workers(site_id, date_from, date_to)
    days = defaultdict(list)
    for worker, employer_id in workers:
        days[employer_id] += [worker.first_day, worker.last_day]
    return ContractorsReport(SiteInfo(site.name, site.address, site.builder.name, site.contract_id),
                             date_from, date_to, _contractors(site_id, days), tuple(w for w, _ in workers))


def _workers(site_id: int, date_from: date, date_to: date) -> list[tuple[ForeignWorker, int]]:
    rows = db.session.execute(
        select(Person, Company, func.min(AttendanceDay.local_date), func.max(AttendanceDay.local_date))
        .join(Person, AttendanceDay.person_id == Person.id).join(Company, AttendanceDay.employer_id == Company.id)
        .where(AttendanceDay.site_id == site_id, AttendanceDay.removed_at.is_(None), Company.country != "NO",
               AttendanceDay.local_date.between(date_from, date_to))
        .group_by(Person.id, Company.id).order_by(Person.last_name, Person.first_name, Person.id))
    return [(ForeignWorker(p.last_name, p.first_name, p.birth_date, c.name, _identifier(c), first, last), c.id)
            for p, c, first, last in rows]


def _contractors(site_id: int, days: dict[int, list[date]]) -> tuple[ForeignContractor, ...]:
    chain = {entry.company_id: entry for entry in db.session.scalars(
        select(SiteCompany).where(SiteCompany.site_id == site_id))}
    foreign = {c.id: c for c in db.session.scalars(select(Company).where(
        Company.country != "NO", Company.id.in_(set(chain) | set(days))))}
    return tuple(sorted((_contractor(company, chain.get(company.id), days.get(company.id, []))
                         for company in foreign.values()), key=lambda c: c.name))


def _contractor(company: Company, entry: SiteCompany | None, days: list[date]) -> ForeignContractor:
    parent = entry.parent.company.name if entry is not None and entry.parent is not None else ""
    return ForeignContractor(company.name, _identifier(company), company.country, entry.role if entry else "",
                             parent, min(days) if days else None, max(days) if days else None)


def _identifier(company: Company) -> str:
    return company.org_number or company.foreign_id or ""


def contractors_download(site_id: int, date_from: date, date_to: date, kind: str) -> Download:
    render, mimetype = FORMATS[kind]
    content = render(contractors_report(site_id, date_from, date_to))
    return Download(content, f"utenlandske-oppdragstakere-{site_id}-{date_from}-{date_to}.{kind}", mimetype)
