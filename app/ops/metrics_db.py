"""The figures /metrics reads from the database at scrape time (kiosks, lists, outbox)."""

from app.clock import site_today
from app.extensions import db
from app.models import Kiosk, Site
from app.ops.metrics import gauge
from app.services import daily_control


def kiosk_metrics():
    seen = gauge("portvakt_kiosk_last_seen_timestamp_seconds", "When the kiosk last called (Unix time).",
                 ["site_id", "kiosk_id"])
    depth = gauge("portvakt_kiosk_queue_depth", "Scans waiting in the kiosk's outbox, as it last reported.",
                  ["site_id", "kiosk_id"])
    for kiosk in db.session.scalars(db.select(Kiosk).where(Kiosk.revoked_at.is_(None))):
        labels = [str(kiosk.site_id), str(kiosk.id)]
        if kiosk.last_seen_at is not None:
            seen.add_metric(labels, kiosk.last_seen_at.timestamp())
        depth.add_metric(labels, kiosk.queue_depth or 0)
    yield seen
    yield depth


def list_metrics(days: int):
    """Per active site: each recent day with people on its list, 1 if checked, 0 if not."""
    checked = gauge("portvakt_list_checked", "The day's § 15 list is checked (1) or not (0), recent days with people.",
                    ["site_id", "date"])
    unchecked = gauge("portvakt_lists_unchecked_days",
                      "Past days in the last 30 with people on the list and no check.", ["site_id"])
    today = site_today()
    for site_id in db.session.scalars(db.select(Site.id).where(Site.status != "completed")):
        for status in daily_control.day_statuses(site_id, today, days):
            if status.people:
                checked.add_metric([str(site_id), status.local_date.isoformat()], 1 if status.checked else 0)
        unchecked.add_metric([str(site_id)], len(daily_control.unchecked_days(site_id, today)))
    yield checked
    yield unchecked


def outbox_metrics():
    """Deliveries to outside registers not sent yet, by receiver and state (when connectors exist)."""
    try:
        from app.models.connectors import OutboxDelivery
    except ImportError:
        return
    depth = gauge("portvakt_connector_outbox_depth", "Outbox deliveries pending or given up, by receiver.",
                  ["receiver", "state"])
    rows = db.session.execute(db.select(OutboxDelivery.receiver, OutboxDelivery.state, db.func.count())
                              .where(OutboxDelivery.state.in_(("pending", "dead")))
                              .group_by(OutboxDelivery.receiver, OutboxDelivery.state))
    for receiver, state, count in rows:
        depth.add_metric([receiver, state], count)
    yield depth
