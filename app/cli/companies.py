"""`flask company add`: put a company on a site's contract chain, through the same service as the web page."""
import json
from datetime import date

import click
from flask.cli import AppGroup

from app.extensions import db
from app.models import Site, SiteCompany
from app.services import companies

group = AppGroup("company", help="Companies on a site's contract chain.")

# Why a company was refused, in bokmål and English (scripts read the exit status; people read this).
REFUSALS = {
    "invalid_org_number": "Ugyldig organisasjonsnummer (sjekk sifrene) / not a valid Norwegian organisation number",
    "identifier_required": "Oppgi --org, eller --country og --foreign-id / give --org, or --country and --foreign-id",
    "norwegian_needs_org_number": "Et norsk firma oppgis med organisasjonsnummer (--org) / "
                                  "a Norwegian company is given by its organisation number (--org)",
    "invalid_country": "Ukjent landkode (ISO 3166, f.eks. PL, LT, SE) / not a country code (ISO 3166, e.g. PL, LT, SE)",
    "name_required": "Oppgi firmanavn (--name) / give the company's name (--name)",
    "already_on_site": "Firmaet er allerede på byggeplassen / the company is already on the site",
    "unknown_role": "Ukjent rolle / unknown role",
    "unknown_parent": "--parent er ikke et firma i denne byggeplassens kjede / "
                      "--parent is not a company on this site's chain",
    "ends_before_start": "--active-to er før --active-from / --active-to is before --active-from",
}


@group.command("add")
@click.option("--site", "site_id", type=int, required=True)
@click.option("--name", required=True)
@click.option("--org", "org_number", help="Norwegian organisation number (also a foreign company's NUF).")
@click.option("--country", help="ISO 3166 country code: a foreign company, with --foreign-id (or with --org for a NUF).")
@click.option("--foreign-id", "foreign_id", help="The foreign company's id at home, when it has no --org.")
@click.option("--role", type=click.Choice(SiteCompany.ROLES), required=True)
@click.option("--parent", "parent_id", type=int, help="The SITE_COMPANY_ID it works for on this site.")
@click.option("--active-from", "active_from", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--active-to", "active_to", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--json", "as_json", is_flag=True, help='Print {"site_company_id": ..., "company_id": ...}.')
def add(site_id, name, org_number, country, foreign_id, role, parent_id, active_from, active_to, as_json) -> None:
    """Add a company to a site's contract chain (the same company is reused when it is already known)."""
    if db.session.get(Site, site_id) is None:
        raise click.ClickException(f"Ukjent byggeplass / unknown site: {site_id}")
    if foreign_id and not country:
        raise click.ClickException("Oppgi --country med --foreign-id / give --country with --foreign-id")
    new = companies.NewCompany(name=name, org_number=org_number, foreign_id=foreign_id,
                               country=country or "NO", role=role, parent_id=parent_id,
                               active_from=_day(active_from), active_to=_day(active_to))
    try:
        link = companies.add_to_site(site_id, new, "cli", via="cli")
    except companies.CompanyRefused as refused:
        raise click.ClickException(REFUSALS.get(refused.code, refused.code)) from None
    if as_json:
        click.echo(json.dumps({"site_company_id": link.id, "company_id": link.company_id}))
    else:
        click.echo(f"{link.company.name} lagt til i kontraktskjeden (oppføring {link.id}) / "
                   f"added to the contract chain (entry {link.id}, company {link.company_id})")


def _day(moment) -> date | None:
    return moment.date() if moment else None
