"""`flask kiosk create`: a kiosk and its token, shown once."""
import click
from flask.cli import AppGroup

from app.domain.secrets import hash_token, new_token
from app.extensions import db
from app.models import Kiosk, Site

group = AppGroup("kiosk", help="Gate kiosks.")


@group.command("create")
@click.option("--site", "site_id", type=int, required=True)
@click.option("--name", required=True)
@click.option("--mode", type=click.Choice(["in", "out", "auto"]), default="auto", show_default=True)
def create(site_id: int, name: str, mode: str) -> None:
    """Create a kiosk; its token is printed once and stored only as a hash."""
    if db.session.get(Site, site_id) is None:
        raise click.ClickException(f"Ukjent byggeplass / unknown site: {site_id}")
    token = new_token()
    kiosk = Kiosk(site_id=site_id, name=name, mode=mode, token_hash=hash_token(token))
    db.session.add(kiosk)
    db.session.commit()
    click.echo(f"Kiosk {kiosk.id} opprettet / created. Token (vises én gang / shown once):")
    click.echo(token)
