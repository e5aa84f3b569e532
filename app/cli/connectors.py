"""`flask connectors sync|resend`: deliver the outbox to HMSREG and ELRAPP (app/services/connectors_sync.py)."""
import click
from flask.cli import AppGroup

from app.adapters.registers import NotConfigured
from app.clock import utcnow
from app.services import connectors, connectors_sync

group = AppGroup("connectors", help="Overføringer til HMSREG og ELRAPP / deliveries to HMSREG and ELRAPP.")


@group.command("sync")
@click.option("--site", "site_id", type=int, help="Only this site's deliveries.")
def sync(site_id: int | None) -> None:
    """Deliver what waits, once; safe to run every minute and from several places at once."""
    try:
        counts = connectors_sync.sync(site_id)
    except NotConfigured as missing:
        raise click.ClickException(f"{missing} er ikke satt / is not set (PORTVAKT_ENV=production): "
                                   "ingenting er sendt / nothing was sent") from None
    click.echo(f"sendt / sent: {counts.sent}, feilet / failed: {counts.failed} "
               f"(gitt opp / given up: {counts.dead}), venter / waiting: {counts.waiting}")


@group.command("resend")
@click.option("--site", "site_id", type=int, required=True)
@click.option("--delivery", "delivery_id", type=int, help="One failed delivery (default: all the site's).")
def resend(site_id: int, delivery_id: int | None) -> None:
    """Put failed deliveries back in the queue; the next sync sends them."""
    try:
        count = connectors.resend(site_id, delivery_id, "cli", utcnow())
    except connectors.NotResendable:
        raise click.ClickException("ingen feilet overføring med den id-en / no failed delivery with that id") from None
    click.echo(f"lagt i kø igjen / queued again: {count}")
