"""`flask notify run`: check what people must act on and send the e-mails (every minute)."""
import click
from flask.cli import AppGroup

from app.clock import utcnow
from app.notifications import service

group = AppGroup("notify", help="E-postvarsler / e-mail notifications.")


@group.command("run")
def run() -> None:
    """Check kiosks, the card service, lists, rejected cards and follow-ups; send what is due."""
    summary = service.run(utcnow())
    click.echo(f"varsler / notifications: {summary.queued} nye / new, {summary.sent} sendt / sent, "
               f"{summary.waiting} venter / waiting")
