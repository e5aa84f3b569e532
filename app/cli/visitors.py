"""`flask visitor add|out`: visitors on the evacuation list (the same service as the web app)."""
import json

import click
from flask.cli import AppGroup

from app.clock import utcnow
from app.services import visitors
from app.services.visitors import NewVisitor, VisitorError

group = AppGroup("visitor", help="Besøkende / visitors.")
ACTOR = "cli"


@group.command("add")
@click.option("--site", "site_id", type=int, required=True, help="Byggeplassens id / the site's id.")
@click.option("--name", required=True)
@click.option("--company", default="")
@click.option("--host", required=True, help="Vert på byggeplassen / host on site.")
@click.option("--phone", required=True, help="For oppropet ved evakuering / for the evacuation roll call.")
@click.option("--purpose", default="")
@click.option("--until", "until", type=click.DateTime(["%H:%M"]), help="Forventet ut i dag / expected end today.")
@click.option("--json", "as_json", is_flag=True, help='Print {"id": …}.')
def add(site_id: int, name: str, company: str, host: str, phone: str, purpose: str, until, as_json: bool) -> None:
    """Register a visitor as arrived now (on the muster list, never on the § 15 list)."""
    now = utcnow()
    end = visitors.expected_end_today(until.time() if until else None, now)
    try:
        row = visitors.add_visitor(site_id, NewVisitor(name, host, phone, company, purpose, end), ACTOR, now)
    except VisitorError as error:
        raise click.ClickException(f"Besøkende ikke registrert / visitor not registered: {error.code}") from None
    click.echo(json.dumps({"id": row.id}) if as_json else f"Besøkende registrert / visitor registered: {row.id}")


@group.command("out")
@click.argument("visitor_id", type=int)
def out(visitor_id: int) -> None:
    """Sign a visitor out."""
    try:
        visitors.sign_out(visitor_id, ACTOR, utcnow())
    except VisitorError:
        raise click.ClickException(f"Fant ingen besøkende med id {visitor_id} / no visitor {visitor_id}") from None
    click.echo(f"Besøkende {visitor_id} er registrert ut / visitor {visitor_id} signed out")
