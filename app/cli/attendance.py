"""`flask attendance close-day`: the end of the day for people who never scanned out."""
import click
from flask.cli import AppGroup

from app.clock import utcnow
from app.services.scans import close_days

group = AppGroup("attendance", help="Attendance.")


@group.command("close-day")
@click.option("--site", "site_id", type=int, help="Only this site (default: every site).")
def close_day(site_id: int | None) -> None:
    """Close every day past its site's closing time; people still in get `no_exit_recorded`.

    Safe to run often: `make run` runs it every five minutes.
    """
    closed = close_days(utcnow(), site_id=site_id)
    click.echo(f"Lukket / closed: {closed}")
