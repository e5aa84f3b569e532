"""`flask demo seed`: the demo data and the card-service emulator's data file."""
import json

import click
from flask import current_app
from flask.cli import AppGroup

from app.clock import site_today, utcnow
from app.services.demo import database_is_empty, seed_demo

group = AppGroup("demo", help="Demo data.")


@group.command("seed")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object for automation.")
@click.option("--if-empty", is_flag=True, help="Do nothing (and exit 0) when the database has data.")
def seed(as_json: bool, if_empty: bool) -> None:
    """Fill an empty database with a realistic demo; passwords and kiosk tokens are random."""
    if not database_is_empty():
        if if_empty:
            click.echo("Databasen har allerede data; demo hoppes over. / Database not empty; demo skipped.")
            return
        raise click.ClickException("Databasen er ikke tom / the database is not empty")
    now = utcnow()
    result = seed_demo(current_app.config["CARDSIM_DATA"], today=site_today(now), now=now)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    _print_summary(result)


def _print_summary(result) -> None:
    click.echo("Demodata lagt inn / demo data created.")
    click.echo("Brukere / users (e-post  passord  rolle):")
    for user in result.users:
        click.echo(f"  {user['email']:32} {user['password']:14} {user['role']}")
    click.echo("Kiosker / kiosks (id  navn  token):")
    for kiosk in result.kiosks:
        click.echo(f"  {kiosk['id']:3} {kiosk['name']:16} {kiosk['token']}")
    click.echo(f"Kortdata for emulatoren / card-service emulator data: {result.cardsim_data}")


@group.command("cards")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True))
def cards(out: str) -> None:
    """Printable demo HMS cards (with QR codes a kiosk reads) from the emulator's card file."""
    from pathlib import Path

    from app.services.demo_cards import NoDemoData, load_demo_cards
    from reports.cards import render_demo_cards

    try:
        demo_cards = load_demo_cards(current_app.config["CARDSIM_DATA"])
    except NoDemoData as error:
        raise click.ClickException(f"{error} – kjør / run `flask demo seed`") from None
    try:
        Path(out).write_bytes(render_demo_cards(demo_cards))
    except OSError as error:
        raise click.ClickException(f"Kan ikke skrive / cannot write {out}: {error.strerror}") from None
    click.echo(f"{len(demo_cards)} demokort skrevet til / demo cards written to {out}")
