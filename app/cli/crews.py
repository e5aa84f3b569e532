"""`flask crew import|add`: register a site's crew ahead of the gate (the same service as the web app)."""
import sys

import click
from flask.cli import AppGroup

from app.clock import site_today
from app.domain.crew_import import CrewFileError
from app.extensions import db
from app.models import Site
from app.services import crews
from app.services.crews import CrewRefused

group = AppGroup("crew", help="Mannskap / crews.")
ACTOR = "cli"


def _site(site_id: int) -> Site:
    site = db.session.get(Site, site_id)
    if site is None:
        raise click.ClickException(f"Fant ingen byggeplass med id {site_id} / no site with id {site_id}")
    return site


@group.command("import")
@click.option("--site", "site_id", type=int, required=True, help="Byggeplassens id / the site's id.")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Bare kontroller filen / only check the file.")
def import_command(site_id: int, file, dry_run: bool) -> None:
    """Import a crew list (CSV or XLSX): nothing is imported when any row is wrong."""
    site = _site(site_id)
    try:
        parsed = crews.parse_file(file.read(crews.MAX_READ), file.name or "", site_today())
    except CrewFileError as error:
        raise click.ClickException(error.problem.text) from None
    plan = crews.import_crew(site.id, parsed, ACTOR, dry_run=dry_run)
    for error in plan.errors:
        click.echo(error.text, err=True)
    if not plan.ok:
        click.echo(f"Ingenting importert: {len(plan.errors)} feil / nothing imported: {len(plan.errors)} errors",
                   err=True)
        sys.exit(1)
    counts = plan.counts
    prefix = "Prøvekjøring, ingenting lagret / dry run, nothing saved: " if dry_run else ""
    click.echo(f"{prefix}nye / created: {counts['create']}  endret / updated: {counts['update']}  "
               f"uendret / unchanged: {counts['unchanged']}")
    if not dry_run and not counts["create"] and not counts["update"]:
        click.echo("Ingenting nytt i filen / nothing new in the file")


@group.command("add")
@click.option("--site", "site_id", type=int, required=True, help="Byggeplassens id / the site's id.")
@click.option("--card", "card_number", required=True, help="HMS-kortnummer / HMS card number.")
@click.option("--employer-org", required=True, help="Arbeidsgiverens org.nr. / the employer's org number.")
@click.option("--hired-by-org", help="Innleid av (org.nr.) / hired in by (org number).")
def add_command(site_id: int, card_number: str, employer_org: str, hired_by_org: str | None) -> None:
    """Engage the holder of an HMS card on the site (the card register names the person)."""
    site = _site(site_id)
    try:
        engagement, action = crews.add_by_card(site.id, card_number, employer_org, hired_by_org, ACTOR)
    except CrewRefused as refused:
        raise click.ClickException(refused.problem.text) from None
    words = {"create": "lagt til / added", "update": "endret / updated", "unchanged": "uendret / unchanged"}
    click.echo(f"Arbeidsforhold {engagement.id} {words[action]}: person {engagement.person_id}")
