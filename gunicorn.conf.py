# Read by gunicorn when started from the project folder (make run, the tests, bench): settings that
# must hold for every start, whatever its command line says.
import os
import shutil
import tempfile

logger_class = "app.access_log.AccessLogWithoutSecrets"  # no link tokens or searched names in the access log

# The worker model, for kiosks and browsers alike (a command line's --workers/--threads still wins).
# Threads, because a request mostly waits: for PostgreSQL's durable commit, for the card service,
# for a slow client. More processes than cores, because only one thread of a process runs Python
# at a time (the GIL). Many threads per worker for the morning rush: nearly every scan then waits
# on a card-service lookup, and a worker with few threads spends the rush waiting, not working
# (bench/rush.py; figures and the models tried in bench/README.md). Threads, not gevent: nothing
# new to install, and a long PDF or image decode cannot stall every request of its worker.
# A worker with 32 threads takes little more memory than with 2 and keeps its own card cache. With
# more threads than the kiosks whose kept-alive connections it holds, a request (a load balancer's
# /healthz, a page) never queues behind scans waiting on the card service: 16 were not enough for
# 64 kiosks on 3 workers. It keeps up to 16 database connections open (post_fork below), so one
# server holds at most workers x 16 PostgreSQL connections; a thread past that waits for one.
# A kept-alive connection stays on the worker that accepted it, and one worker may accept a whole
# burst of them (wrk's 8, a gate's kiosks) while the others idle; with 3, the common case of two
# busy workers still uses both cores.
workers = 3
threads = 32

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


def card_lookup_slots(threads: int) -> int:
    """Card-service calls a worker may have in flight (the bulkhead, app/adapters/cardservice.py):
    most of its threads, so a rush of first scans of the day runs in parallel, but never all: a
    quarter of them, at least two (one with two threads, none with one), stay free of a slow
    service for pages, /healthz and cached scans."""
    return max(1, threads - min(threads - 1, max(2, threads // 4)))


def database_pool_size(threads: int) -> int:
    """Database connections a worker keeps open: one for each thread that can be in the database at
    once, but no more than 16. A scan waiting on the card service holds none, so past 16 a thread
    waits for one rather than open more: 3 workers stay at 48 of PostgreSQL's default 100."""
    return min(threads, 16)


def post_fork(server, worker):
    """The bulkhead and the database pool follow the threads this worker really has (a command
    line's --threads too); values set by the operator win. Set before the worker loads the app.
    The pool has no overflow: a connection opened for a peak and closed after it cost a new
    PostgreSQL backend each time, and under a rush that was most of them (bench/README.md)."""
    os.environ.setdefault("CARD_SERVICE_MAX_CONCURRENT", str(card_lookup_slots(worker.cfg.threads)))
    os.environ.setdefault("DATABASE_POOL_SIZE", str(database_pool_size(worker.cfg.threads)))
    os.environ.setdefault("DATABASE_POOL_OVERFLOW", "0")


def post_worker_init(worker):
    """What the worker has loaded by now (Flask, SQLAlchemy, the app: ~140,000 objects) lives as
    long as the worker; gc.freeze() keeps the garbage collector's full passes off it. Without it,
    a full pass walked all of it inside whichever request triggered it, and showed in the scans'
    p99; frozen, the passes are short and few (the figures: bench/README.md, "Scan ingest")."""
    import gc

    gc.collect()  # whatever loading left as garbage is freed now, not frozen with the rest
    gc.freeze()
