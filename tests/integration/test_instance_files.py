"""Issue 16, item 9: what the instance folder holds (the SQLite database and its -wal/-shm files,
the generated secret key, the demo accounts) is readable by the app's own user only, and the demo
passwords never reach a log. Real processes: the flask CLI and scripts/run.sh's own steps."""
import os
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi"]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def cli_env(instance: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "PORTVAKT_STARTUP_CHECKED")}
    return {**env, "PORTVAKT_INSTANCE": str(instance), "CARDSIM_DATA": str(instance / "cardsim.json")}


def flask(instance: Path, *args: str) -> subprocess.CompletedProcess:
    # umask 022, as a login shell has it: the app must not rely on its caller's umask.
    return subprocess.run(FLASK + list(args), cwd=ROOT, env=cli_env(instance), capture_output=True, text=True,
                          timeout=120, preexec_fn=lambda: os.umask(0o022))


def test_a_fresh_instance_is_private_to_the_apps_user(tmp_path):
    instance = tmp_path / "instance"
    done = flask(instance, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    seeded = flask(instance, "demo", "seed")
    assert seeded.returncode == 0, seeded.stderr
    assert mode(instance) == 0o700
    files = [instance / "secret_key", instance / "portvakt.db", instance / "cardsim.json"]
    files += [p for p in instance.iterdir() if p.name.startswith("portvakt.db-")]  # -wal, -shm while open
    assert {p.name: oct(mode(p)) for p in files} == {p.name: oct(0o600) for p in files}


def test_an_existing_world_readable_instance_is_tightened_at_start(tmp_path):
    instance = tmp_path / "instance"
    assert flask(instance, "db", "upgrade").returncode == 0
    for path in [instance, *instance.iterdir()]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    assert flask(instance, "site", "list").returncode == 0
    assert mode(instance) == 0o700
    assert {p.name: oct(mode(p)) for p in instance.iterdir()} == {p.name: oct(0o600) for p in instance.iterdir()}


def test_run_sh_keeps_its_files_private_and_prints_no_password():
    script = (ROOT / "scripts" / "run.sh").read_text()
    assert "umask 077" in script
    printed = [line for line in script.splitlines() if "seed_log" in line and ("sed " in line or "cat " in line)]
    assert printed == [], "run.sh must not print the demo accounts file (its passwords) to the terminal/log"


def test_a_generated_secret_key_is_private_whatever_the_umask(tmp_path, monkeypatch):
    from app.config import load_config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    old = os.umask(0o022)
    try:
        key = load_config(str(tmp_path / "fresh"))["SECRET_KEY"]
    finally:
        os.umask(old)
    assert len(key) == 64
    assert mode(tmp_path / "fresh" / "secret_key") == 0o600 and mode(tmp_path / "fresh") == 0o700
