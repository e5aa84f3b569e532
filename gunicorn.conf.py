# Read by gunicorn when started from the project folder (make run, the tests, bench): settings that
# must hold for every start, whatever its command line says.
import os
import shutil
import tempfile

logger_class = "app.access_log.AccessLogWithoutSecrets"  # no link tokens or searched names in the access log

# The worker model, for kiosks and browsers alike (a command line's --workers/--threads still wins).
# Threads, because a request mostly waits: for PostgreSQL's durable commit, for the card service
# (up to 2 s), for a slow client; sync workers did half the scans per second. More processes than
# cores, because only one thread of a process runs Python at a time (the GIL). Measured with
# bench/ingest.py on PostgreSQL, 8 kiosks, three runs each on the shared 2-core box (load 3-10):
# 3 workers x 2 threads took 226-425 scans/s (mean 338), 2 x 4 took 227-285 (mean 255), with the
# same CPU per /healthz. Each worker costs ~100 MB and keeps its own card cache, and
# servers x workers x threads is the number of PostgreSQL connections.
# A kept-alive connection stays on the worker that accepted it, and one worker may accept a whole
# burst of them (wrk's 8, a gate's kiosks) while the others idle. All 8 on one worker cut /healthz
# to ~1,250 req/s at 0.85 ms CPU in 2 of 10 runs with 2 workers, 1 of 10 with 3; with 3, the
# common case of two busy workers still uses both cores.
workers = 3
threads = 2

# /metrics adds up every worker's counters from files in this folder (prometheus_client's multiprocess
# mode). Set before any worker imports prometheus_client; emptied at each start (the files of a
# previous run would count twice); systemd sets it to a RuntimeDirectory (deploy/portvakt-web.service).
_metrics_dir_is_ours = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _metrics_dir_is_ours:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="portvakt-metrics-")


def on_starting(server):
    """Bad configuration or an unreachable database stops gunicorn here with one line (app/boot.py)."""
    from app.boot import check_startup

    _empty_metrics_dir()
    check_startup()


def _empty_metrics_dir():
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(folder, mode=0o700, exist_ok=True)
    for name in os.listdir(folder):
        if name.endswith(".db"):
            os.unlink(os.path.join(folder, name))


def child_exit(server, worker):
    """A dead worker's gauges stop counting (its counters and histograms still add up)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _metrics_dir_is_ours:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def post_worker_init(worker):
    """What the worker has loaded by now (Flask, SQLAlchemy, the app: ~140,000 objects) lives as
    long as the worker; gc.freeze() keeps the garbage collector's full passes off it. Without it,
    a full pass walked all of it inside whichever request triggered it: once per worker in a
    2.5-minute ingest run, 60-140 ms each on the loaded box (~24 ms idle). Frozen: 5-7 passes of
    at most 6-11 ms, and scan p99 24.0-24.5 ms in three runs against 26.7-31.6 ms (bench/README.md)."""
    import gc

    gc.collect()  # whatever loading left as garbage is freed now, not frozen with the rest
    gc.freeze()
