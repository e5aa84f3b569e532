"""Round trips per scan: every SQL statement one warm kiosk scan sends to PostgreSQL, in order,
and the app's own CPU time per warm scan (one process, Flask's test client, no HTTP server).

On a 2-core box the database round trips and the Python around them are what a scan costs (see
the profile in bench/README.md), so these are the first figures to look at when the ingest rate
moves. The CPU figure is the process's own CPU, so neighbours on a shared box barely move it.

    .venv/bin/python -m bench.roundtrips
    .venv/bin/python -m bench.roundtrips --profile   # + cProfile of the warm scans: own time by package
"""
import argparse
import cProfile
import os
import pstats
import sys
import time
import uuid
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event  # noqa: E402

from bench import harness  # noqa: E402
from bench.ingest import seed  # noqa: E402


def scan(client, token: str, payload: str) -> dict:
    body = {"id": str(uuid.uuid4()), "payload": payload, "direction": "auto",
            "scanned_at": datetime.now(timezone.utc).isoformat()}
    response = client.post("/api/v1/scans", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


WARM_SCANS, CARDS = 600, 40
GATES_PER_RUN = WARM_SCANS // CARDS


def cpu_per_warm_scan(client, gates: list[str], payloads: list[str]) -> float:
    """The app's CPU per warm scan: each card at each of `gates` in turn, every (gate, card) pair
    once (a pair again within the debounce would be a repeat read), through Flask and the
    database session, not HTTP. Needs WARM_SCANS / len(payloads) gates."""
    started = time.process_time()
    for n in range(WARM_SCANS):
        scan(client, gates[n // len(payloads)], payloads[n % len(payloads)])
    return (time.process_time() - started) * 1000 / WARM_SCANS


def cpu_per_healthz(client) -> float:
    """The same figure for the trivial endpoint, so the two can be compared like bench/ingest.py does."""
    started = time.process_time()
    for _ in range(WARM_SCANS):
        assert client.get("/healthz").status_code == 200
    return (time.process_time() - started) * 1000 / WARM_SCANS


def print_profile(profile: cProfile.Profile, scans: int) -> None:
    """Own (not inclusive) CPU per warm scan, summed by package, then the costliest functions."""
    stats = pstats.Stats(profile).stats
    by_package, total = Counter(), 0.0
    for (filename, _, _), (_, _, own_s, _, _) in stats.items():
        by_package[_package(filename)] += own_s
        total += own_s
    print(f"Own time per warm scan under cProfile (it slows Python down; read the shares): {total * 1000 / scans:.2f} ms")
    for package, own_s in by_package.most_common(12):
        print(f"  {own_s / total:6.1%}  {package}")
    pstats.Stats(profile).sort_stats("tottime").print_stats(20)


def _package(filename: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/")[1].split("/")[0]
    if str(harness.ROOT) in filename:
        return "/".join(Path(filename).relative_to(harness.ROOT).parts[:2])
    return "python" if filename.startswith(("/usr", "<")) or "/lib/python" in filename else filename


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", action="store_true", help="cProfile the warm scans afterwards")
    args = parser.parse_args()
    folder = harness.instance_dir("roundtrips")
    with harness.postgres() as url:
        env = harness.app_env(url, folder)
        harness.migrate(env)
        plan = seed(url, folder, sites=1, cards_per_site=CARDS, kiosks_per_site=2 + 2 * GATES_PER_RUN)
        lines = plan.plan_file.read_text().splitlines()
        tokens = [line.split("\t")[2] for line in lines if line.startswith("kiosk")]
        payloads = [line.split("\t")[2] for line in lines if line.startswith("card")]
        cardsim = harness.start_cardsim(plan.cardsim_file)
        try:
            os.environ.update({**env, "CARD_SERVICE_URL": cardsim.url})
            from app import create_app
            from app.extensions import db

            app = create_app()
            client = app.test_client()
            with app.app_context():
                scan(client, tokens[0], payloads[0])  # the card's first lookup fills the cache
                scan(client, tokens[1], payloads[1])  # a busy gate: its kiosk was seen seconds ago
                statements = []

                def remember(conn, cursor, statement, *rest):
                    statements.append(" ".join(statement.split()))

                event.listen(db.engine, "before_cursor_execute", remember)
                answer = scan(client, tokens[1], payloads[0])  # the same card at another gate: warm
                event.remove(db.engine, "before_cursor_execute", remember)
                for payload in payloads:  # every card looked up once: the cache is warm
                    scan(client, tokens[0], payload)
                cpu_ms = cpu_per_warm_scan(client, tokens[2:2 + GATES_PER_RUN], payloads)
                healthz_ms = cpu_per_healthz(client)
                if args.profile:  # CPU time, not wall: waiting for PostgreSQL is not the app's cost
                    profile = cProfile.Profile(time.process_time)
                    profile.runcall(cpu_per_warm_scan, client, tokens[2 + GATES_PER_RUN:], payloads)
        finally:
            cardsim.stop()
    print(f"A warm scan at a busy gate ({answer['decision']}, {answer['direction']}): "
          f"{len(statements)} statements, plus BEGIN, COMMIT and the pool's pre-ping")
    for number, statement in enumerate(statements, 1):
        print(f"{number:3}. {statement[:150]}")
    print(f"App CPU per warm scan (test client, {WARM_SCANS} scans): {cpu_ms:.2f} ms; "
          f"per /healthz: {healthz_ms:.2f} ms ({healthz_ms / cpu_ms:.0%})")
    if args.profile:
        print_profile(profile, WARM_SCANS)
    harness.record("roundtrips", {"statements_per_warm_scan": len(statements),
                                  "app_cpu_ms_per_warm_scan": round(cpu_ms, 2),
                                  "app_cpu_ms_per_healthz": round(healthz_ms, 3),
                                  "statements": [s[:200] for s in statements]})


if __name__ == "__main__":
    main()
