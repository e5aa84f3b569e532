"""Backups that restore: pg_dump's custom format on PostgreSQL, SQLite's online backup API on SQLite.

Both are consistent while kiosks write: pg_dump reads one snapshot (a repeatable-read
transaction), and SQLite's backup copies the pages of one read transaction. A restore goes only
into an empty database unless `force` is given, so a typo in DATABASE_URL cannot overwrite a
live site's list.
"""
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why, in both languages."""


def create_backup(database_url: str, out: Path) -> str:
    """Write a backup of the database to `out` (0600: it holds personal data); returns its kind."""
    url = make_url(database_url)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    old_umask = os.umask(0o077)
    try:
        kind = _sqlite_backup(url, partial) if _is_sqlite(url) else _pg_dump(url, partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        os.umask(old_umask)
    os.replace(partial, out)  # a backup file is whole or absent, never half written
    return kind


def restore_backup(database_url: str, backup: Path, force: bool = False) -> str:
    """Load `backup` into the database; refuses a database with tables in it unless `force`."""
    url = make_url(database_url)
    kind = backup_kind(backup)
    if kind != ("sqlite" if _is_sqlite(url) else "postgresql"):
        raise BackupError(f"Sikkerhetskopien er fra {kind}, databasen er {url.get_backend_name()} / "
                          f"the backup is of {kind}, the database is {url.get_backend_name()}")
    tables = existing_tables(database_url)
    if tables and not force:
        raise BackupError(f"Databasen er ikke tom ({len(tables)} tabeller); bruk --force for å overskrive / "
                          f"the database is not empty ({len(tables)} tables); --force overwrites it")
    if kind == "sqlite":
        _sqlite_restore(backup, url)
    else:
        _pg_restore(backup, url, clean=bool(tables))
    return kind


def backup_kind(backup: Path) -> str:
    with open(backup, "rb") as handle:
        head = handle.read(16)
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    raise BackupError(f"{backup} er ingen Portvakt-sikkerhetskopi / is not a Portvakt backup")


def existing_tables(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return inspect(conn).get_table_names()
    finally:
        engine.dispose()


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _sqlite_path(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("SQLite i minnet kan ikke sikkerhetskopieres / an in-memory SQLite cannot be backed up")
    return url.database


def _sqlite_backup(url: URL, target: Path) -> str:
    source = sqlite3.connect(f"file:{_sqlite_path(url)}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # all pages in one step: one read transaction, so one consistent moment
    finally:
        copy.close()
        source.close()
    return "sqlite"


def _sqlite_restore(backup: Path, url: URL) -> None:
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    target = sqlite3.connect(_sqlite_path(url), timeout=30)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _pg_tool(name: str) -> str:
    path = os.environ.get(f"PORTVAKT_{name.upper()}") or shutil.which(name)
    if not path:
        raise BackupError(f"{name} mangler: apt-get install postgresql-client / {name} is missing")
    return path


def _pg_connection(url: URL) -> tuple[list[str], dict]:
    """libpq arguments, with the password in the environment (never on a command line that ps shows)."""
    args = ["--dbname", url.database or "postgres"]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if url.password:
        env["PGPASSWORD"] = url.password
    return args, env


def _pg_dump(url: URL, target: Path) -> str:
    args, env = _pg_connection(url)
    _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), *args], env)
    return "postgresql"


def _pg_restore(backup: Path, url: URL, clean: bool) -> None:
    if clean:
        _drop_public_schema(url)
    args, env = _pg_connection(url)
    _run([_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          *args, str(backup)], env)


def _drop_public_schema(url: URL) -> None:
    engine = create_engine(url.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} feilet / failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
