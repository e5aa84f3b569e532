"""Kiosk API routes: parse, call one service, answer JSON. The rules live in services/ and domain/."""
from flask import current_app, g, jsonify

from app import ratelimit
from app.api import bp, validation
from app.api.auth import bearer_token_or_401, kiosk_required, refuse_unknown_kiosk, unknown_kiosk
from app.api.errors import MAX_BATCH_BODY, ApiError
from app.api.openapi import openapi_document
from app.clock import utcnow
from app.extensions import db, limiter
from app.models import Kiosk
from app.services import induction, kiosks, scans


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.post("/kiosks/enroll")
@limiter.limit(ratelimit.ENROLL_PER_ADDRESS, key_func=ratelimit.client_address,
               error_message="Too many enrollment attempts. Wait a minute and try again.")
@limiter.limit(ratelimit.ENROLL_EVERYWHERE, key_func=ratelimit.everyone,
               error_message="Too many enrollment attempts. Wait a minute and try again.")
def enroll():
    code = validation.enrollment_code(validation.json_object())
    try:
        kiosk, token = kiosks.enroll_kiosk(code, utcnow())
    except kiosks.EnrollmentRefused:
        raise ApiError(401, "enrollment_refused", "Unknown, used or expired enrollment code.") from None
    return jsonify(token=token, kiosk={"id": kiosk.id, "name": kiosk.name, "site_id": kiosk.site_id,
                                       "mode": kiosk.mode})


@bp.get("/kiosk")
@kiosk_required
def kiosk_config():
    kiosk = db.session.get(Kiosk, g.kiosk.id)
    return jsonify(
        id=kiosk.id, name=kiosk.name, site={"id": kiosk.site.id, "name": kiosk.site.name}, mode=kiosk.mode,
        languages=[lang for lang in kiosk.languages.split(",") if lang],
        debounce_s=current_app.config["SCAN_DEBOUNCE_S"], outage_policy=kiosk.site.outage_policy,
        privacy_notice=kiosks.privacy_notice(kiosk.site),
    )


@bp.post("/kiosk/heartbeat")
@kiosk_required
def heartbeat():
    report = validation.heartbeat(validation.json_object())
    kiosks.record_heartbeat(g.kiosk.id, report, utcnow())
    return "", 204


@bp.post("/scans")
def post_scan():
    # The token is checked by the scan's own read (scans.record_kiosk_scan), not by kiosk_required.
    token = bearer_token_or_401()
    now = utcnow()
    try:
        scan = validation.scan(now)
    except ApiError:
        refuse_unknown_kiosk(token)  # a bad body from an unknown kiosk is still a 401 first
        raise

    def record():
        g.kiosk, result = scans.record_kiosk_scan(token, scan, now)
        return result

    try:
        return jsonify(_answer(record))
    except scans.KioskRefused:
        raise unknown_kiosk() from None


@bp.post("/scans/batch")
@kiosk_required
def post_batch():
    items = validation.batch_items(validation.json_object(limit=MAX_BATCH_BODY))
    return jsonify(results=[_batch_item(item) for item in items])


def _batch_item(item) -> dict:
    """One queued scan; a bad item gets its own error and the rest still count."""
    now = utcnow()
    try:
        return _record(validation.scan_input(item, now, queued=True), now)
    except ApiError as exc:
        return {"id": validation.item_id(item), "error": exc.code, "message": exc.message}


def _record(scan: scans.ScanInput, now) -> dict:
    return _answer(lambda: scans.record_scan(g.kiosk, scan, now))


def _answer(record) -> dict:
    try:
        return _with_induction_link(record().as_dict())
    except scans.ScanIdTaken:
        raise ApiError(422, "id_conflict", "This scan id belongs to another kiosk's scan; make a new UUID.") from None
    except scans.ScanIdReused:
        raise ApiError(409, "id_reused", "This scan id was already used for another card; a new scan needs a "
                                         "new UUID. Nothing was changed.") from None
    except scans.ScanNotRecorded:
        raise ApiError(503, "busy", "The scan could not be recorded right now; send it again.") from None


def _with_induction_link(answer: dict) -> dict:
    """A refusal for a missing site induction carries the link the kiosk shows as a QR code."""
    if answer["reason"] == "induction_missing" and answer.get("card"):
        url = induction.link_for_card(g.kiosk.site_id, answer["card"]["number"])
        if url:
            answer["induction_url"] = url
    return answer


@bp.get("/sites/<int:site_id>/presence")
@kiosk_required
def presence(site_id: int):
    if site_id != g.kiosk.site_id:
        raise ApiError(403, "forbidden", "A kiosk may only see its own site.")
    now = utcnow()
    return jsonify(site_id=site_id, at=now.isoformat(), people=scans.present_people(g.kiosk.site, now))
