"""`flask user create`."""
import secrets

import click
from flask.cli import AppGroup

from app.domain.enums import Role
from app.extensions import db
from app.models import Company, Site, User
from app.services import accounts

group = AppGroup("user", help="User accounts.")


@group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--site", "site_id", type=int, help="Site id; omit for every site.")
@click.option("--company", "company_id", type=int, help="Company id (employer_viewer and employer_rep only).")
@click.option("--password", help="Omit to get a random one, printed once.")
def create(email, name, role, site_id, company_id, password) -> None:
    """Create a user with one role."""
    email, name = email.strip().lower(), name.strip()
    if not name:
        raise click.BadParameter("gi brukeren et navn / give the user a name", param_hint="--name")
    if db.session.scalar(db.select(User.id).where(User.email == email)):
        raise click.ClickException(f"Brukeren finnes allerede / user already exists: {email}")
    if site_id is not None and db.session.get(Site, site_id) is None:
        raise click.ClickException(f"Ukjent byggeplass / unknown site: {site_id}")
    if role in (Role.EMPLOYER_VIEWER.value, Role.EMPLOYER_REP.value) and (
            company_id is None or db.session.get(Company, company_id) is None):
        raise click.ClickException(f"{role} trenger --company / needs --company")
    password = password or secrets.token_urlsafe(12)
    accounts.create_user_with_role(email, name, password, role, site_id, company_id)
    click.echo(f"Bruker opprettet / user created: {email}  passord / password: {password}")
