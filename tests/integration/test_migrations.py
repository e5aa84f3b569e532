"""The migrations build the whole schema, on SQLite and PostgreSQL, and match the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import Migrate

from app.extensions import db


def test_single_migration_head(app):
    config = app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgraded_schema_matches_the_models(app):
    # The session fixture built this schema with `flask db upgrade` on an empty database.
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_migrate_extension_is_registered(app):
    assert isinstance(app.extensions["migrate"].migrate, Migrate)
