"""Start-up checks: bad configuration stops the process with one clear line, not a traceback.

The check runs once per start: in the flask CLI when it loads wsgi.py, and in gunicorn's master
(gunicorn.conf.py) before any worker forks. A worker that boots later, say while the database is
restarting, must not die for it: it starts anyway and answers 503 until the database is back.
"""
import os
import sys

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app import create_app
from app.config import ConfigError
from app.extensions import db

CHECKED_ENV = "PORTVAKT_STARTUP_CHECKED"  # set by gunicorn's master for the workers it forks


def create_checked_app():
    """The app for wsgi.py: checked, unless gunicorn's master already checked this start."""
    if os.environ.get(CHECKED_ENV) == "1":
        return create_app()
    app = _configured_app()
    _check_database(app, require_head=False)  # the CLI must load to run `flask db upgrade` itself
    return app


def check_startup() -> None:
    """Run the checks once in gunicorn's master, then let its workers skip them."""
    _check_database(_configured_app(), require_head=True)
    os.environ[CHECKED_ENV] = "1"


def _configured_app():
    # Every file this process makes (the SQLite database and its -wal/-shm, the secret key, exports
    # written by the CLI) is for the app's own user only: umask 077, whatever the caller's umask.
    # gunicorn's workers fork from the master that ran this, so they inherit it.
    os.umask(0o077)
    try:
        return create_app()
    except ConfigError as exc:
        _die(f"konfigurasjonsfeil / configuration error: {exc}")


def _check_database(app, require_head: bool) -> None:
    with app.app_context():
        try:
            db.session.execute(text("SELECT 1"))
            current, head = schema_revisions(app) if require_head else (None, None)
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", exc) or exc).strip().splitlines()[0][:200]
            _die(f"databasen svarer ikke / cannot reach the database ({reason})")
        finally:
            db.session.remove()
        db.engine.dispose()  # no connection may cross a fork into gunicorn's workers
    if require_head and current != head:
        # A server on an old schema starts and then fails on the first scan: refuse instead.
        _die(f"databasen er på versjon {current or 'ingen'}, koden trenger {head}: kjør `flask db upgrade` / "
             f"the database is at revision {current or 'none'}, the code needs {head}: run `flask db upgrade`")


def schema_revisions(app) -> tuple[str | None, str]:
    """(the database's migration revision, the newest revision the code knows)."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, script.get_current_head()


def _die(message: str):
    print(f"portvakt: {message}", file=sys.stderr)
    raise SystemExit(2)
