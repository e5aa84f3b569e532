"""`flask cards reverify`: re-check the scans let in while the card service was down."""
import click
from flask.cli import AppGroup

from app.clock import utcnow
from app.services.card_checks import reverify_unverified

group = AppGroup("cards", help="HMS-kort / HMS cards.")


@group.command("reverify")
def reverify() -> None:
    """Re-check unverified accepted scans; flag and follow up the cards that turn out invalid."""
    counts = reverify_unverified(utcnow())
    click.echo(
        f"Kontrollert / checked: {counts['checked']}  gyldige / still valid: {counts['still_valid']}  "
        f"ugyldige / invalid: {counts['invalid']}  kortregisteret svarte ikke / service unavailable: "
        f"{counts['unavailable']}  uten kortnummer / no card number: {counts['unverifiable']}"
    )
