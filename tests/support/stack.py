"""One live Portvakt for a browser test module: migrations and `flask demo seed --json` on a fresh
database, the card-service emulator and gunicorn on free ports.

Each module names its own database on the PostgreSQL pass, so that two modules never share one.
"""
import json
import os
import re
import secrets
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from tests.support.cardsim import SimControl
from tests.support.processes import ROOT, VENV_BIN, start_cardsim, start_gunicorn

DEMO_SITE = "Kvartal Løkkeveien"  # strict outage policy, kiosks in every mode


@dataclass
class Stack:
    url: str
    demo: dict
    site_id: int
    env: dict = field(default_factory=dict)  # what the `flask` commands of this stack need
    sim: SimControl | None = None  # the card-service emulator's test controls

    def user(self, role: str, site_id: int | None = None) -> dict:
        site_id = self.site_id if site_id is None and role != "admin" else site_id
        return next(u for u in self.demo["users"] if u["role"] == role and u["site_id"] == site_id)

    def builder_rep(self) -> dict:
        return self.user("builder_rep")

    def kiosk(self, mode: str = "auto") -> dict:
        return next(k for k in self.demo["kiosks"] if k["site_id"] == self.site_id and k["mode"] == mode)

    def cards(self, status: str) -> list[dict]:
        return [c for c in self.demo["cards"] if c["status"] == status and c["site_id"] == self.site_id]

    def flask(self, *args: str) -> str:
        return flask_cli(self.env, *args)


def flask_cli(env: dict, *args: str) -> str:
    done = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def browser_database(work: Path, name: str) -> str:
    """SQLite in a temporary folder; on the PostgreSQL pass a database of its own on that server."""
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgresql"):
        return f"sqlite:///{work / 'portvakt.db'}"
    url = make_url(server)
    with psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database,
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


@contextmanager
def demo_stack(work: Path, database: str, workers: int = 2):
    """Yield a Stack on the demo site; stop gunicorn and the emulator afterwards."""
    card_token = secrets.token_urlsafe(16)
    env = {"PORTVAKT_INSTANCE": str(work / "instance"), "DATABASE_URL": browser_database(work, database),
           "CARDSIM_DATA": str(work / "cardsim.json"), "SECRET_KEY": secrets.token_hex(32),
           "CARD_SERVICE_TOKEN": card_token}
    flask_cli(env, "db", "upgrade")
    demo = json.loads(flask_cli(env, "demo", "seed", "--json"))
    cardsim = start_cardsim(demo["cardsim_data"], token=card_token)
    try:
        web = start_gunicorn(env["DATABASE_URL"], env={**env, "CARD_SERVICE_URL": cardsim.url}, workers=workers)
    except Exception:
        cardsim.stop()
        raise
    site_id = next(s["id"] for s in demo["sites"] if s["name"] == DEMO_SITE)
    try:
        yield Stack(web.url, demo, site_id, env, SimControl(cardsim.url))
    finally:
        web.stop()
        cardsim.stop()


def login(page, stack: Stack, user: dict) -> None:
    """Sign in through the login form, as a person would."""
    from playwright.sync_api import expect

    page.goto(f"{stack.url}/login")
    page.fill("input[name=email]", user["email"])
    page.fill("input[name=password]", user["password"])
    page.locator("form.form [type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))
