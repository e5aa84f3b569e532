"""The floor under a scan: what the cheapest durable write costs on this stack, next to /healthz.

bench/ingest.py compares a scan with /healthz. This asks what any scan, however it is written,
must pay on top of /healthz with Flask, SQLAlchemy and psycopg on PostgreSQL with durable commits:
the same server (the product's app, gunicorn.conf.py's workers and threads) also serves
bench/floor_app.py's endpoint, which parses a scan-sized JSON body, runs n indexed statements in
one transaction and commits. Measured for n = 1, 3 and 6 (a warm scan sends 6 today), with /readyz
(one SELECT 1, no transaction of its own) between /healthz and them.

    .venv/bin/python -m bench.floor                 # 8 connections, 15 s per endpoint
    .venv/bin/python -m bench.floor --duration 30 --statements 1 2 4 6
"""
import argparse
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402

from bench import harness  # noqa: E402
from bench.floor_app import FLOOR_TABLE  # noqa: E402


def measure(server: harness.Service, database_url: str, path: str, args, script: Path | None = None) -> dict:
    env = {"BENCH_FLOOR_PATH": path, "BENCH_RUN_TAG": secrets.token_hex(4)}
    with harness.ServerCpu(server, database_url) as cpu:
        result = harness.run_wrk(server.url + path, duration_s=args.duration, connections=args.connections,
                                 threads=args.threads, script=script, env=env)
    ok = result["statuses"].get("200", 0)
    return {"endpoint": path, "req/s": ok / (result["duration_us"] / 1e6),
            "errors": result["requests"] - ok + sum(result["errors"].values()),
            "p50 ms": result["latency_us"]["p50"] / 1000, "p99 ms": result["latency_us"]["p99"] / 1000,
            "server CPU ms/req": cpu.seconds * 1000 / max(1, result["requests"]),
            "of which app": cpu.app_seconds * 1000 / max(1, result["requests"]),
            "of which db": cpu.db_seconds * 1000 / max(1, result["requests"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=15, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--statements", type=int, nargs="+", default=[1, 3, 6])
    args = parser.parse_args()

    with harness.postgres() as url:
        folder = harness.instance_dir("floor")
        env = harness.app_env(url, folder)
        harness.migrate(env)
        with create_engine(url).begin() as conn:
            conn.execute(text(FLOOR_TABLE))
        server = harness.start_gunicorn(env, app="bench.floor_app:app")
        try:
            rows = [measure(server, url, "/healthz", args), measure(server, url, "/readyz", args)]
            rows += [measure(server, url, f"/_bench/floor/{n}", args, script=harness.BENCH / "floor.lua")
                     for n in args.statements]
        finally:
            server.stop()
    health = rows[0]
    for row in rows:
        row["ratio"] = f"{row['req/s'] / health['req/s']:.0%}"
        row["CPU ratio"] = f"{health['server CPU ms/req'] / row['server CPU ms/req']:.0%}"
    harness.print_table(f"Floor: PostgreSQL, {args.connections} connections, {args.duration} s each, gunicorn "
                        f"{harness.GUNICORN_WORKERS} workers × {harness.GUNICORN_THREADS} threads", rows)
    harness.record("floor", {"duration_s": args.duration, "connections": args.connections,
                             "runs": [{k.replace(" ", "_").replace("/", "_per_"):
                                       (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()}
                                      for row in rows]})


if __name__ == "__main__":
    main()
