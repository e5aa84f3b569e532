"""`flask backup create --out FILE` and `flask backup restore FILE [--force]`."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.ops import backup

group = AppGroup("backup", help="Sikkerhetskopi og gjenoppretting / backup and restore.")


def _database_url() -> str:
    return current_app.config["SQLALCHEMY_DATABASE_URI"]


@group.command("create")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The backup file (PostgreSQL: pg_dump custom format; SQLite: a database file).")
def create(out: Path) -> None:
    """A consistent backup of the whole database, also while kiosks write."""
    try:
        kind = backup.create_backup(_database_url(), out)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Sikkerhetskopi / backup ({kind}): {out} ({out.stat().st_size} bytes)")


@group.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite a database that is not empty.")
def restore(backup_file: Path, force: bool) -> None:
    """Load a backup into an empty database (refuses one with tables unless --force)."""
    from app.extensions import db

    db.engine.dispose()  # no pooled connection of ours holds the database while it is replaced
    try:
        kind = backup.restore_backup(_database_url(), backup_file, force=force)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Gjenopprettet / restored ({kind}) fra / from {backup_file}.")
    click.echo("Neste / next: flask db upgrade, deretter / then flask retention purge (en sikkerhetskopi kan "
               "inneholde det som siden er slettet / a backup may hold what retention has since deleted).")
