"""Flask extensions, created unbound and attached to the app in create_app()."""
import sqlite3

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

# Named constraints so migrations can alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate(render_as_batch=True)
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
# Counters in the database (app/ratelimit.py), so a limit holds across workers and app servers.
limiter = Limiter(get_remote_address, storage_uri="portvakt+db://", strategy="fixed-window")


@event.listens_for(Engine, "connect")
def _sqlite_for_many_workers(dbapi_connection, connection_record):
    """SQLite, the embedded default, is shared by gunicorn's workers and threads. In WAL mode a
    page being read never holds up a gate's write, nor a write the page; a writer waiting for
    another waits up to 10 s before the scan answers "busy" (the kiosk then sends it again).
    Commits stay durable: WAL with synchronous=FULL, SQLite's default."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


@event.listens_for(Engine, "connect")
def _postgresql_in_utc(dbapi_connection, connection_record):
    """Every timestamp Portvakt keeps is UTC (models/_types.UTCDateTime). With the session's time zone
    UTC, psycopg hands them over as UTC already and none needs converting on the way in: a big site's
    presence list reads thousands (bench/README.md). Correct either way; a connection whose SET is
    lost (a pooler in transaction mode) only converts again."""
    if type(dbapi_connection).__module__.startswith("psycopg"):
        autocommit, dbapi_connection.autocommit = dbapi_connection.autocommit, True  # no transaction left open
        dbapi_connection.execute("SET TIME ZONE 'UTC'")
        dbapi_connection.autocommit = autocommit
