"""Fixtures: one schema per test session (built by the migrations), emptied after every test.

The database is SQLite in a temporary folder unless DATABASE_URL is set (`make test` sets it to a
private PostgreSQL server for its second pass, which runs only the tests that touch a database).
"""
import os
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DATABASE_FIXTURES = {"app", "db_session", "client", "runner", "live_server", "scratch_database"}


def pytest_addoption(parser):
    parser.addoption("--database-only", action="store_true",
                     help="run only the tests that use a database (the PostgreSQL pass)")


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--database-only"):
        return
    keep = [item for item in items if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))]
    dropped = [item for item in items if item not in keep]
    config.hook.pytest_deselected(items=dropped)
    items[:] = keep


TRANSLATIONS = Path(__file__).resolve().parents[1] / "app" / "translations"


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """The app reads .mo files that only `make` builds; compile the ones missing or older than their .po
    (what scripts/i18n.sh compile does), so a fresh checkout's tests see bokmål, not English ids."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in TRANSLATIONS.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parents[1].name)
        partial = mo.with_name(f"{mo.name}.{os.getpid()}")
        with partial.open("wb") as target:
            write_mo(target, catalog, use_fuzzy=True)
        partial.replace(mo)  # a test run reading the catalogue meanwhile never sees half a file


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    os.environ.setdefault("PORTVAKT_INSTANCE", tempfile.mkdtemp(prefix="portvakt-instance-"))
    from app import create_app
    from app.extensions import db

    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "CARDSIM_DATA": str(tmp_path_factory.mktemp("cardsim") / "cardsim.json"),
    })
    with app.app_context():
        _fresh_schema(db)
    return app


def _fresh_schema(db):
    """Drop whatever a previous run left, then build the schema with the migrations."""
    from flask_migrate import upgrade

    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(text(f'DROP TABLE IF EXISTS "{table.name}"'))
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()


def _empty_all_tables(db):
    tables = [t.name for t in db.metadata.sorted_tables]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture
def app(_app):
    from app.extensions import db

    with _app.app_context():
        yield _app
        db.session.remove()
        _empty_all_tables(db)


@pytest.fixture
def db_session(app):
    from app.extensions import db

    return db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def scratch_database(database_url, tmp_path):
    """An empty database of the suite's kind, apart from the suite's own."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    name = f"upgrade_{uuid.uuid4().hex[:12]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
