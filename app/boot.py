"""Start-up checks: bad configuration stops the process with one clear line, not a traceback."""
import sys

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app import create_app
from app.config import ConfigError
from app.extensions import db


def create_checked_app():
    try:
        app = create_app()
    except ConfigError as exc:
        _die(f"konfigurasjonsfeil / configuration error: {exc}")
    with app.app_context():
        try:
            db.session.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", exc) or exc).strip().splitlines()[0][:200]
            _die(f"databasen svarer ikke / cannot reach the database ({reason})")
        finally:
            db.session.remove()
        db.engine.dispose()  # no connection may cross a fork into gunicorn's workers
    return app


def _die(message: str):
    print(f"portvakt: {message}", file=sys.stderr)
    raise SystemExit(2)
