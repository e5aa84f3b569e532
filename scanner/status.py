"""`python -m scanner status`: read the outbox file from outside the running kiosk (WAL allows it)."""
import sqlite3
import time
from pathlib import Path


def read_status(path: str) -> dict:
    """Queue depth, refused scans, last contact and the kiosk's last saved health figures."""
    if not Path(path).is_file():
        return {"exists": False, "outbox": path}
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        counts = dict(db.execute("SELECT state, count(*) FROM scans GROUP BY state").fetchall())
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    finally:
        db.close()
    import json

    health = json.loads(meta.get("health", "{}"))
    kiosk = json.loads(meta.get("kiosk", "{}"))
    return {"exists": True, "outbox": path, "queue_depth": counts.get("pending", 0),
            "refused": counts.get("refused", 0), "last_sync_at": json.loads(meta.get("last_sync_at", "null")),
            "kiosk": kiosk.get("name"), "site": (kiosk.get("site") or {}).get("name"),
            "fps": health.get("fps"), "decode_rate": health.get("decode_rate"),
            "decode_errors": health.get("decode_errors"), "frames_dropped": health.get("frames_dropped"),
            "online": health.get("online"),
            "health_age_s": round(time.time() - health["saved_at"], 1) if "saved_at" in health else None}


def render_status(status: dict) -> str:
    if not status["exists"]:
        return f"no outbox at {status['outbox']} (the kiosk has not run here yet)"
    rows = [("kiosk", status["kiosk"] or "(never contacted the server)"), ("site", status["site"] or "-"),
            ("queue depth", status["queue_depth"]), ("refused by server", status["refused"]),
            ("last contact with server", status["last_sync_at"] or "never"),
            ("server reachable", {True: "yes", False: "NO", None: "unknown"}[status["online"]]),
            ("camera frames/s", status["fps"]), ("decoded frames/s", status["decode_rate"]),
            ("decoder errors", status["decode_errors"]), ("frames dropped", status["frames_dropped"]),
            ("figures saved", f"{status['health_age_s']} s ago" if status["health_age_s"] is not None else "never")]
    return "\n".join(f"{label:<26} {value}" for label, value in rows)
