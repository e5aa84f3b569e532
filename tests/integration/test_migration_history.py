"""Migrations are history: a landed revision never changes, and an old database with real rows upgrades.

A new revision is added to migrations/checksums.sha256 in the commit that adds it; a changed
checksum means someone edited or regenerated a revision that databases out there already ran.
"""
import hashlib
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.support.processes import flask_command

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = ROOT / "migrations" / "versions"
CHECKSUMS = ROOT / "migrations" / "checksums.sha256"


def _recorded() -> dict[str, str]:
    pairs = (line.split() for line in CHECKSUMS.read_text().splitlines() if line.strip())
    return {name: digest for digest, name in pairs}


def test_every_revision_is_recorded_and_unchanged():
    files = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in VERSIONS.glob("*.py")}
    assert files == _recorded()


ROWS_AT_0001 = [
    "INSERT INTO builder (id, name, org_number) VALUES (1, 'Fjordbygg AS', '921600013')",
    "INSERT INTO site (id, name, street, postcode, city, builder_id, status, closing_time, outage_policy,"
    " outage_grace_hours, only_registered_companies, records_times, passage_retention_days, retention_months,"
    " created_at) VALUES (1, 'Kvartal Løkkeveien', 'Løkkeveien 10', '4008', 'Stavanger', 1, 'active', '23:59:00',"
    " 'strict', 12, false, true, 90, 6, '2026-11-01 08:00:00+00')",
    "INSERT INTO company (id, name, org_number, country) VALUES (1, 'Nordbygg AS', '912345606', 'NO')",
    "INSERT INTO person (id, first_name, last_name, birth_date) VALUES (1, 'Åse', 'Ødegård', '1980-02-03')",
    "INSERT INTO engagement (id, person_id, site_id, employer_id, barred) VALUES (1, 1, 1, 1, false)",
    "INSERT INTO attendance_day (id, site_id, person_id, local_date, employer_id, is_present, source, flags)"
    " VALUES (1, 1, 1, '2026-11-02', 1, false, 'scan', '[]')",
    "INSERT INTO \"user\" (id, email, name, password_hash, active, failed_logins, created_at)"
    " VALUES (1, 'ase@fjordbygg.no', 'Åse Ødegård', 'scrypt:x', true, 2, '2026-11-01 08:00:00+00')",
]


def test_a_database_at_the_previous_release_upgrades_with_its_rows(scratch_database, tmp_path):
    assert flask_command(scratch_database, tmp_path, "db", "upgrade", "0001").returncode == 0
    engine = create_engine(scratch_database)
    with engine.begin() as conn:
        for statement in ROWS_AT_0001:
            conn.execute(text(statement))

    upgraded = flask_command(scratch_database, tmp_path, "db", "upgrade")

    assert upgraded.returncode == 0, upgraded.stderr
    with engine.connect() as conn:
        site = conn.execute(text("SELECT name, prints_times, kiosk_languages, planned_end FROM site")).one()
        engagement = conn.execute(text("SELECT person_id, registered_via FROM engagement")).one()
        days = conn.execute(text("SELECT count(*) FROM attendance_day")).scalar()
        user = conn.execute(text('SELECT email, failed_logins, session_generation FROM "user"')).one()
        counters = conn.execute(text("SELECT count(*) FROM rate_limit_counter")).scalar()
    engine.dispose()
    assert tuple(site) == ("Kvartal Løkkeveien", False, "nb,en,pl,lt", None)
    assert tuple(engagement) == (1, None) and days == 1
    assert tuple(user) == ("ase@fjordbygg.no", 2, 0) and counters == 0  # 0003: every session generation 0


def test_gunicorn_refuses_a_database_that_is_not_at_head(scratch_database, tmp_path):
    assert flask_command(scratch_database, tmp_path, "db", "upgrade", "0001").returncode == 0
    env = {**os.environ, "DATABASE_URL": scratch_database, "PORTVAKT_INSTANCE": str(tmp_path)}
    env.pop("PORTVAKT_STARTUP_CHECKED", None)
    result = subprocess.run([str(Path(sys.executable).parent / "gunicorn"), "--bind", "127.0.0.1:0", "wsgi:app"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "kjør `flask db upgrade`" in result.stderr and "0001" in result.stderr
