"""Scan ingest: how many unique kiosk scans per second one server records, and how fast it answers.

gunicorn runs the app as in production (PORTVAKT_ENV=production, durable PostgreSQL commits),
the card-service emulator answers over HTTP, and the card cache is warmed first. wrk then posts
UNIQUE scans (bench/scans.lua: a new UUID and the current time for each) from many kiosks for a
fixed time; in the same run wrk measures the same server on /readyz (one `SELECT 1` through the
same app, pool and server: the product's own floor) and /healthz (no database), and the ratio of
scans/s to /readyz req/s is the figure that holds across machines (issue 20: at least 50 %). Because a shared 2-core box makes
throughput move with the neighbours' load, the server's CPU time per request (gunicorn and
PostgreSQL processes, from /proc) is reported too: its ratio is what the throughput ratio
becomes on an otherwise idle machine. Afterwards every event is counted in the database: none
lost (each 200 has its row), none doubled. Then the same on SQLite.

    .venv/bin/python bench/ingest.py                      # PostgreSQL and SQLite, 8 kiosks at once, 30 s
    .venv/bin/python bench/ingest.py --db postgresql --duration 10 --connections 8 16
"""
import argparse
import json
import secrets
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from bench import harness  # noqa: E402

TARGET_RATIO, TARGET_P99_MS, TARGET_RSS_MB = 0.50, 25.0, 150.0  # the ratio: scans/s ÷ /readyz req/s
# wrk's kept-alive connections stay with the worker that accepted them: a worker doing more than
# this share of the work means the connections piled onto it, and the run measured fewer workers.
PILED_UP_SHARE = 0.6
# The app's default SCAN_DEBOUNCE_S: the same card at the same gate within it is one passage.
REPEAT_READ_WINDOW_S = 30


@dataclass
class Plan:
    """The seeded world: sites with workers and kiosks, and the files wrk and the emulator read."""

    plan_file: Path
    cardsim_file: Path
    cards: int
    kiosks: int


def org_number(n: int) -> str:
    from app.domain.orgnr import check_digit

    while True:
        digits = f"{91000000 + n * 53:08d}"
        if check_digit(digits) is not None:
            return digits + str(check_digit(digits))
        n += 1000


def seed(database_url: str, folder: Path, sites: int, cards_per_site: int, kiosks_per_site: int,
         first_card: int = 60000000) -> Plan:
    """Sites, their contract chain, workers with valid cards and engagements, kiosks with tokens."""
    from app import models  # noqa: F401  (registers the tables)
    from app.domain.secrets import hash_token, new_token
    from app.extensions import db

    t = db.metadata.tables
    today = date.today()
    companies = [{"id": c, "name": f"Entreprenør {c} AS", "org_number": org_number(c), "country": "NO"}
                 for c in range(1, 9)]
    lines, sim_cards, card_rows, people, engagements, kiosks, site_companies = [], [], [], [], [], [], []
    card_lines = {}
    for s in range(1, sites + 1):
        for i, company in enumerate(companies):
            site_companies.append({"site_id": s, "company_id": company["id"],
                                   "role": "main_contractor" if i == 0 else "subcontractor"})
        for k in range(kiosks_per_site):
            token = new_token()
            kiosks.append({"site_id": s, "name": f"Port {k + 1}", "mode": "auto", "token_hash": hash_token(token)})
            lines.append(f"kiosk\t{s}\t{token}")
        for _ in range(cards_per_site):
            n = len(people) + 1
            employer = companies[n % len(companies)]
            qr_token = secrets.token_urlsafe(16)
            people.append({"id": n, "first_name": "Bench", "last_name": f"Arbeider {n}",
                           "birth_date": date(1970 + n % 30, n % 12 + 1, n % 28 + 1)})
            card_rows.append({"id": n, "number": f"{first_card + n:08d}", "person_id": n,
                              "employer_id": employer["id"], "card_type": "construction",
                              "issued_on": today - timedelta(days=100), "valid_to": today + timedelta(days=600),
                              "qr_token_hash": hash_token(qr_token)})
            engagements.append({"person_id": n, "site_id": s, "employer_id": employer["id"],
                                "active_from": today - timedelta(days=30)})
            sim_cards.append(_sim_card(card_rows[-1], people[-1], employer, qr_token))
            card_lines.setdefault(s, []).append(f"card\t{s}\thttps://hmskort.no/v/{qr_token}")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(t["builder"].insert(), [{"id": 1, "name": "Bench Byggherre AS", "org_number": org_number(99)}])
        conn.execute(t["site"].insert(), [{"id": s, "name": f"Byggeplass {s}", "street": f"Gate {s}",
                                           "postcode": "0150", "city": "Oslo", "builder_id": 1}
                                          for s in range(1, sites + 1)])
        conn.execute(t["company"].insert(), companies)
        conn.execute(t["site_company"].insert(), site_companies)
        conn.execute(t["person"].insert(), people)
        conn.execute(t["card"].insert(), card_rows)
        conn.execute(t["engagement"].insert(), engagements)
        conn.execute(t["kiosk"].insert(), kiosks)
        if engine.dialect.name == "postgresql":
            for table in ("builder", "site", "company", "person", "card"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT max(id) FROM {table}))"))
    engine.dispose()
    lines += [line for turn in zip(*card_lines.values()) for line in turn]  # sites take turns
    plan_file, cardsim_file = folder / "plan.tsv", folder / "cardsim.json"
    plan_file.write_text("\n".join(lines) + "\n")
    cardsim_file.write_text(json.dumps({"cards": sim_cards}, ensure_ascii=False))
    return Plan(plan_file, cardsim_file, len(card_rows), len(kiosks))


def _sim_card(card: dict, person: dict, employer: dict, qr_token: str) -> dict:
    return {
        "card_number": card["number"], "card_type": "construction", "status": "valid", "status_reason": "",
        "issued_on": card["issued_on"].isoformat(), "valid_to": card["valid_to"].isoformat(),
        "qr_token": qr_token,
        "holder": {"first_name": person["first_name"], "last_name": person["last_name"],
                   "birth_date": person["birth_date"].isoformat()},
        "employer": {"name": employer["name"], "org_number": employer["org_number"]},
    }


class ScanRuns:
    """Runs of bench/scans.lua against one server; each run has its own id prefix (run tag)."""

    def __init__(self, server: harness.Service, plan: Plan, folder: Path, threads: int):
        self.server, self.plan, self.folder, self.threads = server, plan, folder, threads
        self.next_counter = 0

    def run(self, duration_s: int, connections: int) -> dict:
        result = harness.run_scan_wrk(self.server.url, script=harness.BENCH / "scans.lua", plan_file=self.plan.plan_file,
                                      folder=self.folder, counter_start=self.next_counter, duration_s=duration_s,
                                      connections=connections, threads=self.threads)
        # Carry on where this run stopped, so no (kiosk, card) pair comes back within the debounce.
        self.next_counter = result["last_counter"] + 1
        return result


# wrk keeps its connections open and each stays with the worker that accepted it, so 8 kiosks
# can all land on one worker and leave the other's cache cold for the measured run (it then
# reported one lookup per card). Many connections reach every worker.
WARM_UP_CONNECTIONS = 32


def warm_card_cache(runs: ScanRuns, cardsim: harness.Service, budget_s: float = 150) -> int:
    """Scan every card until the card-service emulator stops being asked (each worker has its own
    cache, so a card must reach both); the measured run reports any lookups still made.

    A round scans each card only a few times and each scan reaches one worker at random, so one
    quiet round can still leave cards cold in a worker: two quiet rounds in a row are asked for.
    """
    deadline, round_no, quiet_rounds = time.monotonic() + budget_s, 0, 0
    while time.monotonic() < deadline and quiet_rounds < 2:
        round_no += 1
        before = harness.sim_calls(cardsim)
        result = runs.run(duration_s=10, connections=WARM_UP_CONNECTIONS)
        calls = harness.sim_calls(cardsim) - before
        print(f"  warm-up {round_no}: {result['requests']} scans, {calls} card-service calls", flush=True)
        quiet_rounds = quiet_rounds + 1 if calls <= max(2, result["requests"] // 1000) else 0
    return round_no


def count_events(database_url: str, tag: str) -> dict:
    """Events stored for one run, and any (site, person, day) that has more than one list row."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        ids = [row[0] for row in conn.execute(text("SELECT id FROM scan_event WHERE id LIKE :p"), {"p": f"{tag}-%"})]
        doubled_days = conn.execute(text(
            "SELECT count(*) FROM (SELECT 1 FROM attendance_day GROUP BY site_id, person_id, local_date "
            "HAVING count(*) > 1) AS d")).scalar()
        total = conn.execute(select(func.count()).select_from(text("scan_event"))).scalar()
    engine.dispose()
    return {"ids": ids, "doubled_days": doubled_days, "total": total}


class RssSampler(threading.Thread):
    """The largest resident size each gunicorn worker reaches while the load runs."""

    def __init__(self, server: harness.Service):
        super().__init__(daemon=True)
        self.server, self.peak, self.stopping = server, {}, threading.Event()

    def run(self):
        while not self.stopping.is_set():
            for pid in self.server.worker_pids():
                self.peak[pid] = max(self.peak.get(pid, 0.0), harness.rss_mb(pid))
            self.stopping.wait(0.5)

    def stop(self) -> float:
        self.stopping.set()
        self.join()
        return max(self.peak.values(), default=0.0)


def measure_backend(name: str, database_url: str, args) -> list[dict]:
    folder = harness.instance_dir(f"ingest-{name}")
    env = harness.app_env(database_url, folder)
    harness.migrate(env)
    # Fewer cards on SQLite: its warm-up (every card into every worker's cache) is slower.
    cards_per_site = args.cards_per_site if name == "postgresql" else args.sqlite_cards_per_site
    plan = seed(database_url, folder, args.sites, cards_per_site, args.kiosks_per_site)
    cardsim = harness.start_cardsim(plan.cardsim_file)
    server, rows = None, []
    try:
        server = harness.start_gunicorn({**env, "CARD_SERVICE_URL": cardsim.url})
        runs = ScanRuns(server, plan, folder, args.threads)
        print(f"{name}: {plan.cards} cards, {plan.kiosks} kiosks; warming the card cache", flush=True)
        warm_card_cache(runs, cardsim)
        for connections in args.connections:
            rows.append(measure_once(name, database_url, server, cardsim, runs, connections, args))
    finally:
        if server:
            server.stop()
        cardsim.stop()
    return rows


class WorkerCpu:
    """CPU seconds each gunicorn worker spends inside the block (kept-alive connections pile up)."""

    def __init__(self, server: harness.Service):
        self.server = server

    def __enter__(self):
        self.start = {pid: harness.cpu_seconds(pid) for pid in self.server.worker_pids()}
        return self

    def __exit__(self, *exc):
        self.seconds = {pid: harness.cpu_seconds(pid) - before for pid, before in self.start.items()}

    def shares(self) -> list[float]:
        total = sum(self.seconds.values()) or 1.0
        return sorted((s / total for s in self.seconds.values()), reverse=True)


def measure_once(name, database_url, server, cardsim, runs, connections, args) -> dict:
    with harness.ServerCpu(server, database_url) as health_cpu:
        health = harness.run_wrk(server.url + "/healthz", duration_s=args.duration, connections=connections,
                                 threads=args.threads)
    with harness.ServerCpu(server, database_url) as ready_cpu, WorkerCpu(server) as ready_workers:
        ready = harness.run_wrk(server.url + "/readyz", duration_s=args.duration, connections=connections,
                                threads=args.threads)
    calls_before = harness.sim_calls(cardsim)
    sampler = RssSampler(server)
    sampler.start()
    profiler = start_profiler(server, name, connections, args.duration) if args.profile else None
    with harness.ServerCpu(server, database_url) as scan_cpu, WorkerCpu(server) as scan_workers:
        scans = runs.run(duration_s=args.duration, connections=connections)
    peak_rss = sampler.stop()
    if profiler:
        profiler.wait()
    card_calls = harness.sim_calls(cardsim) - calls_before
    time.sleep(1)  # requests in flight when wrk stopped are still being committed
    stored = count_events(database_url, scans["tag"])
    stored_ids = set(stored["ids"])
    lost_ids = sorted(scans["acked"] - stored_ids)
    lost = len(lost_ids)
    if lost_ids:
        (harness.OUT / f"lost-{scans['tag']}.txt").write_text("\n".join(lost_ids) + "\n")
    doubled = len(stored["ids"]) - len(stored_ids) + stored["doubled_days"]
    health_rps = health["requests"] / (health["duration_us"] / 1e6)
    ready_rps = ready["statuses"].get("200", 0) / (ready["duration_us"] / 1e6)  # a 503 is no floor
    scan_rps = scans["statuses"].get("200", 0) / (scans["duration_us"] / 1e6)
    errors = scans["requests"] - scans["statuses"].get("200", 0) + sum(scans["errors"].values())
    lat = scans["latency_us"]
    health_cpu_ms = health_cpu.seconds * 1000 / max(1, health["requests"])
    scan_cpu_ms = scan_cpu.seconds * 1000 / max(1, scans["requests"])
    ready_cpu_ms = ready_cpu.seconds * 1000 / max(1, ready["requests"])
    return {
        "db": name, "kiosks at once": connections, "scans/s": scan_rps, "readyz req/s": ready_rps,
        "ratio to readyz": f"{scan_rps / ready_rps:.0%}", "healthz req/s": health_rps,
        "ratio to healthz": f"{scan_rps / health_rps:.0%}", "p50 ms": lat["p50"] / 1000, "p95 ms": lat["p95"] / 1000,
        "p99 ms": lat["p99"] / 1000, "errors": errors, "scans": scans["requests"],
        "stored": len(stored_ids), "lost": lost, "doubled": doubled,
        "in flight at stop": len(stored_ids - scans["acked"]), "card calls": card_calls,
        "worker RSS MB": peak_rss, "server CPU ms/scan": scan_cpu_ms,
        "of which app": scan_cpu.app_seconds * 1000 / max(1, scans["requests"]),
        "of which db": scan_cpu.db_seconds * 1000 / max(1, scans["requests"]),
        "server CPU ms/readyz": ready_cpu_ms, "CPU ratio to readyz": f"{ready_cpu_ms / scan_cpu_ms:.0%}",
        "server CPU ms/healthz": health_cpu_ms,
        "worker CPU shares (scans)": " ".join(f"{share:.0%}" for share in scan_workers.shares()),
        "worker CPU shares (readyz)": " ".join(f"{share:.0%}" for share in ready_workers.shares()),
        "card back at a gate after s": repeat_window_s(runs.plan, args.kiosks_per_site, scans["requests"]
                                                       / (scans["duration_us"] / 1e6)),
        "statuses": scans["statuses"],
    }


def repeat_window_s(plan: Plan, kiosks_per_site: int, scans_per_s: float) -> float:
    """Seconds before scans.lua brings a card back to the same gate: every card once per pass,
    the next gate of its site on the next pass. Under the debounce window (30 s) the scan is a
    repeat read, answered 200 but rightly not stored, and would be counted as lost."""
    return kiosks_per_site * plan.cards / max(scans_per_s, 1e-9)


def start_profiler(server: harness.Service, name: str, connections: int, duration_s: int):
    """py-spy on every gunicorn worker while the scans run: collapsed stacks in bench/out/."""
    out = harness.OUT / f"profile-{name}-{connections}.txt"
    print(f"  profiling into {out}", flush=True)
    return subprocess.Popen([str(harness.VENV_BIN / "py-spy"), "record", "--pid", str(server.process.pid),
                             "--subprocesses", "--format", "raw", "--duration", str(duration_s),
                             "--rate", "200", "--output", str(out), "--nonblocking"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def verdict(row: dict) -> str:
    """The issue's targets, for the PostgreSQL row at 8 kiosks."""
    ratio = row["scans/s"] / row["readyz req/s"]
    checks = {"ratio to /readyz ≥ 50 %": ratio >= TARGET_RATIO, "p99 ≤ 25 ms": row["p99 ms"] <= TARGET_P99_MS,
              "no errors": row["errors"] == 0, "none lost/doubled": row["lost"] == 0 and row["doubled"] == 0,
              "RSS ≤ 150 MB": row["worker RSS MB"] <= TARGET_RSS_MB}
    return ", ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in checks.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("--duration", type=int, default=30, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, nargs="+", default=[8], help="kiosks posting at once")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--sites", type=int, default=10)
    # Enough cards that one is back at the same gate only after the debounce window, even at
    # 1,000 scans/s (repeat_window_s); with 400 on SQLite, "lost" counted repeat reads. More gates
    # would do it too, but each kiosk that sends no heartbeat costs a last_seen_at write per 30 s.
    parser.add_argument("--cards-per-site", type=int, default=200)
    parser.add_argument("--sqlite-cards-per-site", type=int, default=150)
    parser.add_argument("--kiosks-per-site", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="py-spy the workers during the scans")
    args = parser.parse_args()

    rows = []
    if args.db in ("postgresql", "both"):
        with harness.postgres() as url:
            rows += measure_backend("postgresql", url, args)
    if args.db in ("sqlite", "both"):
        rows += measure_backend("sqlite", harness.sqlite_url(harness.instance_dir("ingest-sqlite-db")), args)
    shown = [{k: v for k, v in row.items() if k != "statuses"} for row in rows]
    harness.print_table(f"Scan ingest: unique scans for {args.duration} s, gunicorn {harness.GUNICORN_WORKERS} "
                        f"workers × {harness.GUNICORN_THREADS} threads, warm card cache", shown)
    for row in rows:
        if row["db"] == "postgresql" and row["kiosks at once"] == 8:
            print("targets (PostgreSQL, 8 kiosks):", verdict(row))
        if row["card back at a gate after s"] <= REPEAT_READ_WINDOW_S:
            print(f"{row['db']} at {row['kiosks at once']}: cards came back to a gate within the debounce; "
                  f"'lost' counts repeat reads too (raise --cards-per-site)")
        for what in ("scans", "readyz"):
            shares = [float(share.rstrip("%")) / 100 for share in row[f"worker CPU shares ({what})"].split()]
            if shares and shares[0] > PILED_UP_SHARE:
                print(f"WARNING {row['db']} at {row['kiosks at once']}: one worker did {shares[0]:.0%} of the "
                      f"{what} work: kept-alive connections piled onto it; the ratio is not to be trusted")
        if set(row["statuses"]) - {"200"}:
            print(f"{row['db']} at {row['kiosks at once']}: statuses {row['statuses']}")
    harness.record("ingest", {
        "duration_s": args.duration, "gunicorn": {"workers": harness.GUNICORN_WORKERS,
                                                  "threads": harness.GUNICORN_THREADS},
        "runs": [{k.replace(" ", "_").replace("/", "_per_"): (round(v, 2) if isinstance(v, float) else v)
                  for k, v in row.items()} for row in rows],
    })


if __name__ == "__main__":
    main()
