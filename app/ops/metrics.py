"""Prometheus metrics for /metrics: counters every gunicorn worker keeps (summed by prometheus_client's
multiprocess mode) and figures read from the database at scrape time.

Labels carry codes and database ids only (decision, reason, outcome, site and kiosk ids, dates),
never a name, card number or free text, so a metrics store holds no personal data.
"""
import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

# Gate decisions take tens of milliseconds; the card service may take its whole budget (2 s).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
BREAKER_STATES = {"closed": 0, "half_open": 1, "open": 2}
LIST_DAYS = 7

SCANS = Counter("portvakt_scans", "Scans answered at the gate, by decision and reason code.", ["decision", "reason"])
SCAN_SECONDS = Histogram("portvakt_scan_duration_seconds", "Time to decide and record one scan.",
                         buckets=LATENCY_BUCKETS)
LOOKUPS = Counter("portvakt_card_lookups", "Card-service lookups, by outcome and where the answer came from.",
                  ["outcome", "source"])
LOOKUP_SECONDS = Histogram("portvakt_card_lookup_duration_seconds",
                           "Card-service lookups that called the service: time to the answer.",
                           buckets=LATENCY_BUCKETS)
BREAKER = Gauge("portvakt_card_service_breaker_state",
                "Card-service circuit breaker: 0 closed, 1 half-open, 2 open (the worst live worker).",
                multiprocess_mode="livemax")


def observe_scan(decision: str, reason: str, seconds: float) -> None:
    SCANS.labels(decision, reason).inc()
    SCAN_SECONDS.observe(seconds)


def observe_card_lookup(outcome: str, source: str, seconds: float, breaker_state: str) -> None:
    LOOKUPS.labels(outcome, source).inc()
    if source == "service":
        LOOKUP_SECONDS.observe(seconds)
    BREAKER.set(BREAKER_STATES.get(breaker_state, 0))


def exposition() -> tuple[bytes, str]:
    """The text format: this process's (or every worker's) metrics and the database's figures."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        for metric in (SCANS, SCAN_SECONDS, LOOKUPS, LOOKUP_SECONDS, BREAKER):
            registry.register(metric)
    registry.register(DatabaseCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST


class DatabaseCollector:
    """Kiosk heartbeats, the daily-control state of recent lists and the connectors' outbox, read now."""

    def collect(self):
        from app.ops import metrics_db

        yield from metrics_db.kiosk_metrics()
        yield from metrics_db.list_metrics(LIST_DAYS)
        yield from metrics_db.outbox_metrics()


def gauge(name: str, documentation: str, labels: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=labels)
