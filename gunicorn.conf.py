# Read by gunicorn when started from the project folder (make run, the tests, bench): settings that
# must hold for every start, whatever its command line says.
logger_class = "app.access_log.AccessLogWithoutTokens"  # no share/self-service tokens in the access log


def on_starting(server):
    """Bad configuration or an unreachable database stops gunicorn here with one line (app/boot.py)."""
    from app.boot import check_startup

    check_startup()
