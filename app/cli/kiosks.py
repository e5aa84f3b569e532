"""`flask kiosk create` and `flask kiosk revoke`: kiosks, their tokens and enrollment codes."""
import io

import click
from flask.cli import AppGroup

from app.clock import utcnow
from app.extensions import db
from app.models import Kiosk, Site
from app.services import kiosks

group = AppGroup("kiosk", help="Gate kiosks.")


@group.command("create")
@click.option("--site", "site_id", type=int, required=True)
@click.option("--name", required=True)
@click.option("--mode", type=click.Choice(kiosks.MODES), default="auto", show_default=True)
@click.option("--enroll", is_flag=True, help="Print a one-time enrollment code (15 minutes) instead of a token.")
def create(site_id: int, name: str, mode: str, enroll: bool) -> None:
    """Create a kiosk; its token (or enrollment code) is printed once and stored only as a hash."""
    site = db.session.get(Site, site_id)
    if site is None:
        raise click.ClickException(f"Ukjent byggeplass / unknown site: {site_id}")
    if not name.strip():
        raise click.BadParameter("gi kiosken et navn / give the kiosk a name", param_hint="--name")
    made = kiosks.create_kiosk(site, name, mode, "cli", utcnow(), enroll=enroll)
    if enroll:
        click.echo(f"Kiosk {made.kiosk.id} opprettet / created. Innrulleringskode, gyldig i 15 minutter / "
                   f"enrollment code, valid for 15 minutes (QR for the kiosk's camera, then as text):")
        click.echo(_terminal_qr(made.enrollment_code))
        click.echo(made.enrollment_code)
        return
    click.echo(f"Kiosk {made.kiosk.id} opprettet / created. Nøkkel / token (vises én gang / shown once):")
    click.echo(made.token)


def _terminal_qr(code: str) -> str:
    out = io.StringIO()
    kiosks.enrollment_qr(code).terminal(out=out, compact=True)
    return out.getvalue()


@group.command("revoke")
@click.argument("kiosk_id", type=int)
def revoke(kiosk_id: int) -> None:
    """Revoke a kiosk: its token stops working at once."""
    kiosk = db.session.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise click.ClickException(f"Ukjent kiosk / unknown kiosk: {kiosk_id}")
    kiosks.revoke_kiosk(kiosk, "cli", utcnow())
    click.echo(f"Kiosk {kiosk_id} er trukket tilbake / revoked.")
