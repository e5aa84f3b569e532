"""`flask retention purge [--dry-run]` and `flask retention status`: the § 15 retention rules."""
import click
from flask.cli import AppGroup

from app.clock import utcnow
from app.services import retention

group = AppGroup("retention", help="Sletting etter oppbevaringstid / retention purge.")


@group.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted, delete nothing.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Purge as if today were YYYY-MM-DD (default: today), to try the rule without waiting.")
def purge(dry_run: bool, as_of) -> None:
    """Delete expired lists and in/out times; safe to run every night."""
    def progress(done: int, total: int) -> None:
        if total >= 20 and (done % 10 == 0 or done == total):
            click.echo(f"  byggeplass / site {done}/{total}", err=True)

    summary = retention.purge(utcnow(), dry_run=dry_run, actor="cli", progress=progress,
                              as_of=as_of.date() if as_of else None)
    _print_summary(summary)


def _print_summary(summary: retention.PurgeSummary) -> None:
    head = "Prøvekjøring, ingenting slettet / dry run, nothing deleted" if summary.dry_run else "Slettet / deleted"
    click.echo(f"{head} ({summary.today.isoformat()}):")
    for site_id, counts in summary.sites.items():
        listed = ", ".join(f"{name} {count}" for name, count in counts.items())
        click.echo(f"  byggeplass / site {site_id} (oppbevaringstid ute / list expired): {listed}")
    click.echo(f"  inn- og uttider fjernet / in-out times cleared: {summary.times_cleared}")
    click.echo(f"  skanninger slettet etter oppbevaringstiden / expired scan events: {summary.scan_events_expired}")
    click.echo(f"  personer / people: {summary.people}, kort / cards: {summary.cards}")
    click.echo(f"  besøkende / visitors: {summary.visitors}")


@group.command("status")
def status() -> None:
    """Each site's retention dates; warns about sites without a completion date."""
    for site in retention.retention_overview():
        until = site.keep_list_until.isoformat() if site.keep_list_until else "–"
        deleted = site.deletion_date.isoformat() if site.deletion_date else "–"
        click.echo(f"{site.site_id:4}  {site.name}  ferdig / completed {site.completion_date or '–'}  "
                   f"listen beholdes til / list kept until {until}  slettes / deleted on {deleted}  "
                   f"inn- og uttider / in-out times {site.passage_retention_days} d")
    missing = retention.sites_without_completion_date()
    if missing:
        click.echo(f"ADVARSEL / WARNING: {len(missing)} byggeplass(er) uten ferdigdato / site(s) without a "
                   "completion date: listene kan ikke slettes / their lists can never be purged.")
