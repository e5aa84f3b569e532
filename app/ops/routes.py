"""GET /metrics for Prometheus: with METRICS_TOKEN only for `Authorization: Bearer <token>`, without it
only from the loopback address and not through a proxy (a proxy on the same host connects from
127.0.0.1 too, and adds X-Forwarded-For)."""
import hmac
import ipaddress

from flask import Blueprint, Response, abort, current_app, request

from app.ops import metrics

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def scrape():
    if not _allowed():
        abort(404)  # not advertised: the same answer as a path that does not exist
    body, content_type = metrics.exposition()
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})


def _allowed() -> bool:
    token = current_app.config["METRICS_TOKEN"]
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    return _loopback(request.remote_addr) and "X-Forwarded-For" not in request.headers


def _loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False
