"""A kiosk's own health report (app/services/kiosks.HEALTH_FIELDS) in words for the kiosks page."""
from datetime import datetime

from flask_babel import format_decimal
from flask_babel import gettext as _

from app.i18n import local_dt


def health_lines(health: dict | None) -> list[str]:
    """What the kiosk last reported, one line each; what it did not report is left out."""
    health = health or {}
    lines = []
    if isinstance(health.get("fps"), (int, float)):
        lines.append(_("Camera: %(rate)s frames/s", rate=format_decimal(health["fps"], "0.0")))
    if isinstance(health.get("decode_rate"), (int, float)):
        lines.append(_("Reads: %(rate)s frames/s", rate=format_decimal(health["decode_rate"], "0.0")))
    synced = _moment(health.get("last_sync_at"))
    if synced:
        lines.append(_("Last upload: %(time)s", time=local_dt(synced)))
    if health.get("version"):
        lines.append(_("Software %(version)s", version=health["version"]))
    return lines


def _moment(text) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return moment if moment and moment.tzinfo else None
