"""Cold card path: how long a gate waits when the card is not in the app's cache and the card
service takes 100 ms to answer (PUT /_sim/faults {"mode": "ok", "latency_ms": 100}).

Every scan is of a card the server has not looked up yet, so each one costs a real lookup; the
emulator's call counter proves it. Two kinds: a worker the database already knows (yesterday's
cache entry has expired) and a worker seen for the first time (the app stores card and person).
For comparison, the same cards scanned again at another gate, now cached.

    .venv/bin/python bench/cold.py            # PostgreSQL, 4 kiosks at once, 150 cards per kind
"""
import argparse
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402

from bench import harness  # noqa: E402
from bench.ingest import seed  # noqa: E402


def forget_workers(database_url: str, first_person: int, last_person: int) -> None:
    """Make some seeded workers new to the app: only the card service knows them."""
    engine = create_engine(database_url)
    with engine.begin() as conn:
        for table in ("engagement", "card"):
            conn.execute(text(f"DELETE FROM {table} WHERE person_id BETWEEN :a AND :b"),
                         {"a": first_person, "b": last_person})
        conn.execute(text("DELETE FROM person WHERE id BETWEEN :a AND :b"), {"a": first_person, "b": last_person})
    engine.dispose()


def scan_all(server_url: str, payloads: list[str], tokens: list[str], kiosks_at_once: int) -> list[float]:
    """Post each payload once, `kiosks_at_once` kiosks in parallel; latencies in ms (failures raise)."""
    latencies, failures, lock = [], [], threading.Lock()
    work = iter(enumerate(payloads))

    def kiosk(token: str):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        while True:
            with lock:
                item = next(work, None)
            if item is None:
                return
            body = {"id": str(uuid.uuid4()), "payload": item[1], "direction": "auto",
                    "scanned_at": datetime.now(timezone.utc).isoformat()}
            started = time.perf_counter()
            response = session.post(server_url + "/api/v1/scans", json=body, timeout=10)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                (latencies if response.status_code == 200 else failures).append(
                    elapsed if response.status_code == 200 else response.status_code)

    threads = [threading.Thread(target=kiosk, args=(tokens[i % len(tokens)],)) for i in range(kiosks_at_once)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} scans failed: statuses {sorted(set(failures))}")
    return latencies


def row(kind: str, latencies: list[float], calls: int) -> dict:
    """The issue sets no target here: the figure to watch is what the app adds to the service's time."""
    return {"scan": kind, "scans": len(latencies), "card calls": calls,
            "p50 ms": harness.percentile(latencies, 50), "p95 ms": harness.percentile(latencies, 95),
            "max ms": max(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cards", type=int, default=150, help="cards per kind")
    parser.add_argument("--kiosks", type=int, default=4, help="kiosks posting at once")
    parser.add_argument("--latency-ms", type=int, default=100, help="the card service's answer time")
    args = parser.parse_args()

    folder = harness.instance_dir("cold")
    rows = []
    with harness.postgres() as url:
        env = harness.app_env(url, folder)
        harness.migrate(env)
        plan = seed(url, folder, sites=1, cards_per_site=2 * args.cards, kiosks_per_site=2 * args.kiosks)
        forget_workers(url, args.cards + 1, 2 * args.cards)
        lines = plan.plan_file.read_text().splitlines()
        tokens = [line.split("\t")[2] for line in lines if line.startswith("kiosk")]
        payloads = [line.split("\t")[2] for line in lines if line.startswith("card")]
        known, new = payloads[:args.cards], payloads[args.cards:]
        cardsim = harness.start_cardsim(plan.cardsim_file)
        server = None
        try:
            server = harness.start_gunicorn({**env, "CARD_SERVICE_URL": cardsim.url})
            harness.set_sim_faults(cardsim, mode="ok", latency_ms=args.latency_ms)
            # The second pass is at other gates (the same gate within 30 s would be a repeat read);
            # a card is cached only in the gunicorn worker that looked it up, hence some calls.
            for kind, cards, gates in (("known worker, not cached", known, tokens[:args.kiosks]),
                                       ("new worker, not cached", new, tokens[:args.kiosks]),
                                       ("same cards again, other gate", known + new, tokens[args.kiosks:])):
                before = harness.sim_calls(cardsim)
                latencies = scan_all(server.url, cards, gates, args.kiosks)
                rows.append(row(kind, latencies, harness.sim_calls(cardsim) - before))
        finally:
            if server:
                server.stop()
            cardsim.stop()
    harness.print_table(f"Cold card path: card service answers in {args.latency_ms} ms, "
                        f"{args.kiosks} kiosks at once (PostgreSQL)", rows)
    harness.record("cold", {"latency_ms": args.latency_ms, "kiosks_at_once": args.kiosks,
                            "runs": [{k.replace(" ", "_"): (round(v, 2) if isinstance(v, float) else v)
                                      for k, v in r.items()} for r in rows]})


if __name__ == "__main__":
    main()
