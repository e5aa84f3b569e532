"""The database itself refuses a code outside its set (app/domain/enums.py), on SQLite and PostgreSQL."""
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import CheckConstraint, create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from tests.support.builders import follow_up, make_company, make_person, make_site, scan, share_link
from tests.support.processes import flask_command

DAY = date(2026, 11, 2)


def test_every_code_check_of_the_models_is_in_the_upgraded_database(app):
    wanted = {(t.name, c.name) for t in db.metadata.sorted_tables for c in t.constraints
              if isinstance(c, CheckConstraint)}
    inspector = inspect(db.engine)
    present = {(table, c["name"]) for table in {t for t, _ in wanted} for c in inspector.get_check_constraints(table)}
    assert ("scan_event", "ck_scan_event_direction") in wanted
    assert wanted <= present


@pytest.fixture
def rows(app):
    site = make_site()
    person = make_person("Åse", "Bakkeløkken", make_company("Nordbygg AS"))
    follow_up(site, person, scan(site, person, DAY))
    share_link(site, datetime(2026, 12, 1, tzinfo=timezone.utc))
    db.session.commit()


@pytest.mark.parametrize("table, column, bad", [
    ("site", "status", "finished"),
    ("site", "outage_policy", "relaxed"),
    ("scan_event", "direction", "IN"),
    ("scan_event", "decision", "maybe"),
    ("scan_event", "source", "phone"),
    ("card", "last_status", "gyldig"),
    ("card", "card_type", "truck"),
    ("follow_up", "kind", "valid "),
    ("access_link", "kind", "public"),
])
def test_a_code_outside_its_set_is_refused(rows, table, column, bad):
    with pytest.raises(IntegrityError):
        with db.engine.begin() as conn:
            conn.execute(text(f'UPDATE "{table}" SET {column} = :bad'), {"bad": bad})


@pytest.mark.parametrize("mode, refused", [("auto", False), ("both", True), ("AUTO", True)])
def test_a_new_row_with_a_code_outside_its_set_is_refused(rows, mode, refused):
    insert = text("INSERT INTO kiosk (site_id, name, mode, languages, created_at)"
                  " SELECT id, 'Port 2', :mode, 'nb,en', '2026-11-02 07:00:00+00' FROM site")
    if refused:
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(insert, {"mode": mode})
    else:
        with db.engine.begin() as conn:
            conn.execute(insert, {"mode": mode})


def test_a_code_inside_its_set_and_null_are_kept(rows):
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE site SET status = 'completed'"))
        conn.execute(text("UPDATE card SET last_status = NULL"))
        assert conn.execute(text("SELECT status FROM site")).scalar() == "completed"


ROWS_AT_0007 = [
    "INSERT INTO builder (id, name) VALUES (1, 'Fjordbygg AS')",
    "INSERT INTO site (id, name, street, postcode, city, builder_id, status, closing_time, outage_policy,"
    " outage_grace_hours, only_registered_companies, records_times, passage_retention_days, retention_months,"
    " created_at) VALUES (1, 'Kvartal Løkkeveien', 'Løkkeveien 10', '4008', 'Stavanger', 1, 'active', '23:59:00',"
    " 'strict', 12, false, true, 90, 6, '2026-11-01 08:00:00+00')",
    "INSERT INTO company (id, name, org_number, country) VALUES (1, 'Nordbygg AS', '912345606', 'NO')",
    "INSERT INTO person (id, first_name, last_name, birth_date) VALUES (1, 'Åse', 'Ødegård', '1980-02-03')",
    "INSERT INTO card (id, number, card_type, person_id, employer_id, last_status)"
    " VALUES (1, '50000001', 'truck', 1, 1, 'suspended')",
    "INSERT INTO follow_up (id, site_id, card_number, kind, created_at)"
    " VALUES (1, 1, '50000001', 'suspended', '2026-11-02 07:00:00+00')",
]


def _at_0007(url: str, instance: Path, *extra: str):
    assert flask_command(url, instance, "db", "upgrade", "0007").returncode == 0
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in (*ROWS_AT_0007, *extra):
            conn.execute(text(statement))
    return engine


def test_the_upgrade_reads_unknown_card_service_words_as_the_adapter_does(scratch_database, tmp_path):
    engine = _at_0007(scratch_database, tmp_path)

    upgraded = flask_command(scratch_database, tmp_path, "db", "upgrade")

    assert upgraded.returncode == 0, upgraded.stderr
    with engine.connect() as conn:
        card = conn.execute(text("SELECT card_type, last_status FROM card")).one()
        kind = conn.execute(text("SELECT kind FROM follow_up")).scalar()
        site = conn.execute(text("SELECT status, outage_policy FROM site")).one()
    engine.dispose()
    assert tuple(card) == ("other", "unknown") and kind == "unknown" and tuple(site) == ("active", "strict")


def test_the_upgrade_stops_and_names_a_code_of_our_own_it_does_not_know(scratch_database, tmp_path):
    engine = _at_0007(scratch_database, tmp_path, "UPDATE site SET status = 'finished'")

    upgraded = flask_command(scratch_database, tmp_path, "db", "upgrade")

    assert upgraded.returncode != 0 and "site.status: finished" in upgraded.stderr
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0007"
        assert conn.execute(text("SELECT last_status FROM card")).scalar() == "suspended"  # nothing changed
    engine.dispose()
