"""Health endpoints, the demo seed and the CLI."""
import json
import os
import subprocess
import sys
from datetime import datetime, timezone

from app.domain.orgnr import is_valid_org_number
from app.models import Card, Kiosk, Person, Site, User
from tests.support.processes import ROOT


def test_healthz_touches_no_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_checks_the_database(client):
    assert client.get("/readyz").json == {"status": "ok"}


def test_unknown_api_path_answers_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["error"] == "not_found"


def test_demo_seed_json_has_the_promised_shape(runner, db_session, app):
    result = runner.invoke(args=["demo", "seed", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {s["name"] for s in data["sites"]} == {"Kvartal Løkkeveien", "Nye Tromsø brannstasjon"}
    assert all(set(s) == {"id", "name", "address", "builder"} for s in data["sites"])
    assert len(data["companies"]) >= 6
    assert all(is_valid_org_number(c["org_number"]) for c in data["companies"] if c["org_number"])
    statuses = {c["status"] for c in data["cards"]}
    assert statuses == {"valid", "not_valid", "expired", "blocked", "lost", "stolen", "confiscated", "destroyed"}
    assert len(data["cards"]) >= 40 and all(c["qr_payload"].startswith("https://hmskort.no/") for c in data["cards"])
    roles = {u["role"] for u in data["users"]}
    assert roles == {"admin", "builder_rep", "coordinator", "safety_rep", "employer_viewer", "employer_rep"}
    assert all(len(k["token"]) >= 43 for k in data["kiosks"])
    sim = json.loads(open(data["cardsim_data"], encoding="utf-8").read())
    assert {c["card_number"] for c in sim["cards"]} == {c["number"] for c in data["cards"]}
    # Workers met only at the gate are in the card register, not yet in Portvakt.
    registered = [c for c in data["cards"] if c["pre_registered"]]
    assert 0 < len(registered) < len(data["cards"])
    assert db_session.query(Person).count() == len(registered) == db_session.query(Card).count()
    assert db_session.query(Kiosk).count() == len(data["kiosks"])
    # Passwords and tokens are stored only as hashes.
    user = db_session.query(User).filter_by(email=data["users"][0]["email"]).one()
    assert user.password_hash != data["users"][0]["password"] and user.check_password(data["users"][0]["password"])
    assert all(k["token"] not in {x.token_hash for x in db_session.query(Kiosk)} for k in data["kiosks"])


def test_demo_seed_refuses_a_database_with_data(runner, db_session):
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code != 0 and "ikke tom" in again.output
    assert runner.invoke(args=["demo", "seed", "--if-empty"]).exit_code == 0
    assert db_session.query(Site).count() == 3  # two active sites and a finished one


def test_kiosk_create_prints_a_token_once(runner, db_session):
    runner.invoke(args=["demo", "seed"])
    result = runner.invoke(args=["kiosk", "create", "--site", "1", "--name", "Port sør", "--mode", "in"])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    assert len(token) >= 43 and db_session.query(Kiosk).filter_by(name="Port sør").one().token_hash != token
    assert runner.invoke(args=["kiosk", "create", "--site", "999", "--name", "x"]).exit_code != 0


def test_user_create_and_site_list(runner, db_session):
    runner.invoke(args=["demo", "seed"])
    result = runner.invoke(args=["user", "create", "--email", "Ny@Example.no", "--name", "Ny Bruker",
                                 "--role", "safety_rep", "--site", "1"])
    assert result.exit_code == 0, result.output
    assert db_session.query(User).filter_by(email="ny@example.no").one().memberships[0].role == "safety_rep"
    assert "Løkkeveien 10, 4008 Stavanger" in runner.invoke(args=["site", "list"]).output


def run_flask(env_overrides):
    env = {**os.environ, **env_overrides}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "site", "list"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_unreachable_database_stops_with_one_clear_line(tmp_path):
    result = run_flask({"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "PORTVAKT_INSTANCE": str(tmp_path)})
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("portvakt: databasen svarer ikke / cannot reach the database")


def test_malformed_database_url_stops_with_one_clear_line(tmp_path):
    result = run_flask({"DATABASE_URL": "not a url", "PORTVAKT_INSTANCE": str(tmp_path)})
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "DATABASE_URL" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {"PORTVAKT_ENV": "production", "CARD_SERVICE_TOKEN": "x", "PORTVAKT_INSTANCE": str(tmp_path)}
    os_env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "site", "list"], cwd=ROOT,
                            env={**os_env, **env}, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr and "Traceback" not in result.stderr


def test_gunicorn_with_an_unreachable_database_stops_with_one_clear_line(tmp_path):
    env = {**os.environ, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "PORTVAKT_INSTANCE": str(tmp_path)}
    env.pop("PORTVAKT_STARTUP_CHECKED", None)
    result = subprocess.run([os.path.join(os.path.dirname(sys.executable), "gunicorn"), "--bind", "127.0.0.1:0",
                             "wsgi:app"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "portvakt: databasen svarer ikke / cannot reach the database" in result.stderr


def test_a_worker_forked_after_the_masters_check_boots_even_while_the_database_is_down(tmp_path):
    # gunicorn's master checked this start; a worker respawned during a database restart must boot
    # (and answer 503 until the database is back) rather than exit and be respawned in a loop.
    env = {**os.environ, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "PORTVAKT_INSTANCE": str(tmp_path),
           "PORTVAKT_STARTUP_CHECKED": "1"}
    code = "import wsgi; r = wsgi.app.test_client().get('/readyz'); print(r.status_code, r.json['error'])"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "503 database_unavailable"


def test_demo_has_history_hired_in_workers_checked_lists_and_a_finished_site(runner, db_session):
    from app.models import AttendanceDay, DailyList
    from app.clock import site_today
    from app.services.sites import lifecycle

    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    days = db_session.query(AttendanceDay.local_date).distinct().count()
    assert days >= 15  # four weeks of weekdays
    assert db_session.query(AttendanceDay).filter(AttendanceDay.hired_by_id.is_not(None)).count() > 0
    assert db_session.query(DailyList).count() > 0
    finished = db_session.query(Site).filter_by(status="completed").one()
    life = lifecycle(finished, site_today(datetime.now(timezone.utc)))
    assert life.completion_date is not None and life.deletion_date > life.completion_date
    assert db_session.query(Kiosk).filter(Kiosk.last_seen_at.is_not(None)).count() >= 3


def test_an_id_too_large_for_the_database_is_not_found_not_a_crash(client, db_session):
    from tests.support.web import login_as, make_user

    login_as(client, make_user("admin"))
    for path in ("/sites/99999999999999999999999", "/sites/2147483648/people",
                 "/sites/1/people/99999999999999999999", "/admin/users/2147483648"):
        assert client.get(path).status_code == 404, path
