"""The morning rush: nearly every scan is the first of the day for its card, so a card-service
lookup, not a cache hit (issue 20).

One server (gunicorn as gunicorn.conf.py runs it, durable PostgreSQL commits), the card-service
emulator answering in 100 ms, 64 kiosks posting at once (wrk, bench/rush.lua). Two phases on the
same server in the same run: warm (cards every worker has cached) and cold (each scan a card no
worker has looked up yet; the emulator's call counter proves it). The figure that holds across
machines is cold ÷ warm. During the cold phase a prober asks /healthz on a fresh connection every
20 ms, as a load balancer does: a slow card service must never hold every thread. Afterwards every
scan answered 200 is counted back in the database (none lost, none doubled), and each worker's
resident memory is sampled.

    .venv/bin/python -m bench.rush                       # 64 kiosks, 20 s per phase, emulator at 100 ms
    .venv/bin/python -m bench.rush --duration 10 --workers 3 --threads 24
"""
import argparse
import http.client
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness  # noqa: E402
from bench.ingest import RssSampler, WorkerCpu, count_events, seed, start_profiler  # noqa: E402

TARGET_RATIO, TARGET_P95_MS, TARGET_HEALTHZ_MS = 0.50, 300.0, 50.0
WRK_THREADS = 2


class Runs:
    """wrk runs of bench/rush.lua over one plan; the counter carries on from run to run, so the
    kiosks keep turning and a card is not back at the same gate within the debounce window."""

    def __init__(self, server: harness.Service, plan_file: Path, folder: Path):
        self.server, self.plan_file, self.folder, self.next_counter = server, plan_file, folder, 0

    def run(self, duration_s: int, connections: int) -> dict:
        result = harness.run_scan_wrk(self.server.url, script=harness.BENCH / "rush.lua", plan_file=self.plan_file,
                                      folder=self.folder, counter_start=self.next_counter, duration_s=duration_s,
                                      connections=connections, threads=WRK_THREADS)
        self.next_counter = result["last_counter"] + 1
        return result


class HealthProber(threading.Thread):
    """GET /healthz on a new connection every `every_s` until stopped; latencies in ms, failures counted."""

    def __init__(self, port: int, every_s: float = 0.02):
        super().__init__(daemon=True)
        self.port, self.every_s, self.stopping = port, every_s, threading.Event()
        self.latencies, self.failures = [], 0

    def run(self):
        while not self.stopping.wait(self.every_s):
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", "/healthz")
                ok = conn.getresponse().status == 200
                conn.close()
            except OSError:
                ok = False
            if ok:
                self.latencies.append((time.perf_counter() - started) * 1000)
            else:
                self.failures += 1

    def stop(self) -> dict:
        self.stopping.set()
        self.join()
        lat = self.latencies or [float("nan")]
        return {"probes": len(self.latencies), "failed": self.failures, "p50": harness.percentile(lat, 50),
                "p99": harness.percentile(lat, 99), "max": max(lat),
                "over": sum(1 for ms in self.latencies if ms > TARGET_HEALTHZ_MS)}


def split_plan(plan_file: Path, folder: Path, warm_cards: int) -> tuple[Path, Path]:
    """The seeded plan as two: the first `warm_cards` cards for the warm phase, the rest cold."""
    lines = plan_file.read_text().splitlines()
    kiosks = [line for line in lines if line.startswith("kiosk")]
    cards = [line for line in lines if line.startswith("card")]
    warm, cold = folder / "warm.tsv", folder / "cold.tsv"
    warm.write_text("\n".join(kiosks + cards[:warm_cards]) + "\n")
    cold.write_text("\n".join(kiosks + cards[warm_cards:]) + "\n")
    return warm, cold


def warm_up(runs: Runs, cardsim: harness.Service, kiosks: int, budget_s: float = 120) -> None:
    """Scan the warm cards until the emulator is asked no more: each worker keeps its own cache,
    so every card must reach every worker. Two quiet rounds in a row, as bench.ingest asks."""
    deadline, quiet = time.monotonic() + budget_s, 0
    while time.monotonic() < deadline and quiet < 2:
        before = harness.sim_calls(cardsim)
        result = runs.run(duration_s=5, connections=kiosks)
        calls = harness.sim_calls(cardsim) - before
        print(f"  warm-up: {result['requests']} scans, {calls} card-service calls", flush=True)
        quiet = quiet + 1 if calls <= max(2, result["requests"] // 1000) else 0


def phase(name: str, runs: Runs, args, server, cardsim, database_url: str, probe: bool) -> dict:
    """One measured wrk run, its figures, and the count back in the database."""
    calls_before = harness.sim_calls(cardsim)
    sim_cpu_before = harness.cpu_seconds(cardsim.process.pid)
    sampler, prober = RssSampler(server), HealthProber(server.port) if probe else None
    sampler.start()
    if prober:
        prober.start()
    profiler = start_profiler(server, f"rush-{name}", args.kiosks, args.duration) if args.profile else None
    with harness.ServerCpu(server, database_url) as cpu, WorkerCpu(server) as workers:
        scans = runs.run(duration_s=args.duration, connections=args.kiosks)
    health = prober.stop() if prober else None
    peak_rss = sampler.stop()
    if profiler:
        profiler.wait()
    card_calls = harness.sim_calls(cardsim) - calls_before
    sim_cpu = harness.cpu_seconds(cardsim.process.pid) - sim_cpu_before
    time.sleep(1)  # requests in flight when wrk stopped are still being committed
    stored = count_events(database_url, scans["tag"])
    stored_ids = set(stored["ids"])
    ok = scans["statuses"].get("200", 0)
    lat, seconds = scans["latency_us"], scans["duration_us"] / 1e6
    return {
        "phase": name, "scans/s": ok / seconds, "p50 ms": lat["p50"] / 1000, "p95 ms": lat["p95"] / 1000,
        "p99 ms": lat["p99"] / 1000, "max ms": lat["max"] / 1000,
        "errors": scans["requests"] - ok + sum(scans["errors"].values()), "scans": scans["requests"],
        "lost": len(scans["acked"] - stored_ids),
        "doubled": len(stored["ids"]) - len(stored_ids) + stored["doubled_days"],
        "card calls": card_calls, "worker RSS MB": peak_rss,
        "CPU ms/scan": cpu.seconds * 1000 / max(1, scans["requests"]),
        "of which db": cpu.db_seconds * 1000 / max(1, scans["requests"]),
        "emulator CPU ms/scan": sim_cpu * 1000 / max(1, scans["requests"]),
        "healthz p99 ms": health["p99"] if health else None,
        "healthz max ms": health["max"] if health else None,
        "healthz > 50 ms": f"{health['over']}/{health['probes']}" if health else None,
        # Kept-alive kiosk connections stay on the worker that accepted them: the busiest worker's
        # kiosks wait longest, which widens the latency spread (bench/README.md, "Morning rush").
        "worker CPU shares": " ".join(f"{share:.0%}" for share in workers.shares()),
        "statuses": scans["statuses"], "healthz failed": health["failed"] if health else 0,
    }


def verdict(warm: dict, cold: dict) -> dict:
    ratio = cold["scans/s"] / warm["scans/s"]
    return {
        f"cold ÷ warm ≥ {TARGET_RATIO:.0%} ({ratio:.0%})": ratio >= TARGET_RATIO,
        f"cold p95 ≤ {TARGET_P95_MS:.0f} ms": cold["p95 ms"] <= TARGET_P95_MS,
        "no errors": warm["errors"] == 0 and cold["errors"] == 0,
        "none lost or doubled": not any(r["lost"] or r["doubled"] for r in (warm, cold)),
        "every cold scan a lookup": cold["card calls"] >= cold["scans"] - cold["lost"] - cold["errors"],
        f"/healthz ≤ {TARGET_HEALTHZ_MS:.0f} ms in the rush": cold["healthz max ms"] <= TARGET_HEALTHZ_MS
                                                               and cold["healthz failed"] == 0,
    }


def measure(args, database_url: str) -> tuple[list[dict], dict]:
    folder = harness.instance_dir("rush")
    env = harness.app_env(database_url, folder)
    harness.migrate(env)
    plan = seed(database_url, folder, sites=1, cards_per_site=args.warm_cards + args.cold_cards,
                kiosks_per_site=args.kiosks)
    warm_plan, cold_plan = split_plan(plan.plan_file, folder, args.warm_cards)
    cardsim = harness.start_cardsim(plan.cardsim_file)
    server, rows = None, []
    try:
        server = harness.start_gunicorn({**env, "CARD_SERVICE_URL": cardsim.url, **args.env},
                                        workers=args.workers, threads=args.threads)
        warm, cold = Runs(server, warm_plan, folder), Runs(server, cold_plan, folder)
        print(f"{plan.cards} cards ({args.warm_cards} warm), {args.kiosks} kiosks, gunicorn {args.workers} × "
              f"{args.threads}; warming the card cache", flush=True)
        harness.set_sim_faults(cardsim, mode="ok", latency_ms=0)
        warm_up(warm, cardsim, args.kiosks)
        harness.set_sim_faults(cardsim, mode="ok", latency_ms=args.latency_ms)
        for _ in range(args.rounds):
            rows.append(phase("warm", warm, args, server, cardsim, database_url, probe=False))
            rows.append(phase("cold", cold, args, server, cardsim, database_url, probe=True))
        rss = {pid: harness.rss_mb(pid) for pid in server.worker_pids()}
    finally:
        if server:
            server.stop()
        cardsim.stop()
    return rows, rss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=20, help="seconds per phase")
    parser.add_argument("--kiosks", type=int, default=64, help="kiosks posting at once")
    parser.add_argument("--latency-ms", type=int, default=100, help="the card service's answer time")
    parser.add_argument("--rounds", type=int, default=1, help="warm then cold, this many times")
    # Warm: a card is back at the same kiosk after kiosks / wrk threads passes over these cards,
    # which must take longer than the debounce window (SCAN_DEBOUNCE_S) even at 1,000 scans/s:
    # else it is a repeat read, answered but rightly not stored, and counted as lost.
    parser.add_argument("--warm-cards", type=int, default=800)
    parser.add_argument("--cold-cards", type=int, default=None,
                        help="default: enough for 1,000 scans/s for every cold phase")
    parser.add_argument("--workers", type=int, default=harness.GUNICORN_WORKERS)
    parser.add_argument("--threads", type=int, default=harness.GUNICORN_THREADS)
    parser.add_argument("--set", dest="env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for gunicorn (e.g. CARD_SERVICE_MAX_CONCURRENT=8)")
    parser.add_argument("--profile", action="store_true", help="py-spy the workers during each phase")
    args = parser.parse_args()
    args.env = dict(item.split("=", 1) for item in args.env)
    args.cold_cards = args.cold_cards or 1000 * args.duration * args.rounds + 2000

    with harness.postgres() as url:
        rows, rss = measure(args, url)
    shown = [{k: v for k, v in row.items() if k not in ("statuses", "healthz failed")} for row in rows]
    harness.print_table(f"Morning rush: {args.kiosks} kiosks, card service at {args.latency_ms} ms, {args.duration} s "
                        f"per phase, gunicorn {args.workers} × {args.threads} (PostgreSQL)", shown)
    print(f"worker RSS at the end: {', '.join(f'{mb:.0f} MB' for mb in rss.values())}")
    for row in rows:
        if set(row["statuses"]) - {"200"} or row["healthz failed"]:
            print(f"{row['phase']}: statuses {row['statuses']}, /healthz failures {row['healthz failed']}")
    all_met = True
    for warm, cold in zip(rows[::2], rows[1::2]):
        checks = verdict(warm, cold)
        all_met &= all(checks.values())
        print("targets:", ", ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in checks.items()))
    harness.record("rush", {
        "duration_s": args.duration, "kiosks": args.kiosks, "latency_ms": args.latency_ms,
        "gunicorn": {"workers": args.workers, "threads": args.threads}, "env": args.env,
        "worker_rss_mb_at_end": [round(mb, 1) for mb in rss.values()],
        "runs": [{k.replace(" ", "_").replace("/", "_per_"): (round(v, 2) if isinstance(v, float) else v)
                  for k, v in row.items()} for row in rows],
        "targets_met": all_met,
    })
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
