# Read by gunicorn when started from the project folder (make run, the tests, bench): settings that
# must hold for every start, whatever its command line says.
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


def on_starting(server):
    """Bad configuration or an unreachable database stops gunicorn here with one line (app/boot.py)."""
    from app.boot import check_startup

    check_startup()
