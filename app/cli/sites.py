"""`flask site list`."""
import click
from flask.cli import AppGroup

from app.extensions import db
from app.models import Site

group = AppGroup("site", help="Sites.")


@group.command("list")
def list_sites() -> None:
    """List sites: id, name, address, status."""
    for site in db.session.scalars(db.select(Site).order_by(Site.id)):
        click.echo(f"{site.id:4}  {site.name}  ({site.address})  {site.status}")
