"""Round trips per scan: every SQL statement one warm kiosk scan sends to PostgreSQL, in order.

On a 2-core box the database round trips are what a scan costs (see the profile in
bench/README.md), so this is the first figure to look at when the ingest rate moves.

    .venv/bin/python -m bench.roundtrips
"""
import os
import sys
import uuid
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


def main() -> None:
    folder = harness.instance_dir("roundtrips")
    with harness.postgres() as url:
        env = harness.app_env(url, folder)
        harness.migrate(env)
        plan = seed(url, folder, sites=1, cards_per_site=4, kiosks_per_site=4)
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
                event.listen(db.engine, "before_cursor_execute",
                             lambda conn, cur, statement, *rest: statements.append(" ".join(statement.split())))
                answer = scan(client, tokens[1], payloads[0])  # the same card at another gate: warm
        finally:
            cardsim.stop()
    print(f"A warm scan at a busy gate ({answer['decision']}, {answer['direction']}): "
          f"{len(statements)} statements, plus BEGIN, COMMIT and the pool's pre-ping")
    for number, statement in enumerate(statements, 1):
        print(f"{number:3}. {statement[:150]}")
    harness.record("roundtrips", {"statements_per_warm_scan": len(statements),
                                  "statements": [s[:200] for s in statements]})


if __name__ == "__main__":
    main()
