"""Property-based fuzzing (hypothesis) of the QR payload parser and the kiosk scan API.

The parser property is the one its own unit test states (tests/unit/test_qr.py), driven much
harder under `make torture`. The scan API is fed arbitrary JSON, scan-shaped bodies with hostile
fields, raw bytes and odd content types, through the app with a real database and the card-service
emulator: every answer is a decision or a clear JSON error, never a 5xx or a traceback. Regular
suite: a few hundred inputs each; PORTVAKT_TORTURE=1: 10,000 each (2,000 batches of up to 8 scans).
"""
import json
import uuid
from collections import Counter
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reliability.torture import record, scaled
from tests.support.kiosk_api import cardsim, utc_now, world  # noqa: F401  (fixtures)
from tests.unit.test_qr import payloads as qr_payloads
from tests.unit.test_qr import test_never_raises_and_never_accepts_a_foreign_host as qr_property

QR_EXAMPLES = scaled(300, 10_000)  # the unit suite runs 600 more
API_EXAMPLES = scaled(300, 10_000)
FIXTURES_OK = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]
CLEAR_ERRORS = {400, 404, 405, 409, 413, 415, 422}  # 409: a scan id reused for another card
tried = {"qr": 0, "scan": 0, "batch": 0}
statuses: Counter = Counter()  # how the scan API answered the fuzzed inputs (decisions vs errors)


@settings(max_examples=QR_EXAMPLES, deadline=None, suppress_health_check=FIXTURES_OK)
@given(qr_payloads)
def test_qr_parser_never_raises_nor_accepts_a_foreign_host(payload):
    tried["qr"] += 1
    qr_property.hypothesis.inner_test(payload)


# --- the scan API ------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12)


def times():
    """scanned_at: mostly real ISO times from a week back to ten minutes ahead, sometimes anything."""
    offsets = st.integers(min_value=-8 * 24 * 3600, max_value=600).map(lambda s: (utc_now() + timedelta(seconds=s)))
    return st.one_of(offsets.map(lambda t: t.isoformat()), offsets.map(lambda t: t.strftime("%Y-%m-%dT%H:%M:%S")),
                     st.text(max_size=40), json_values)


def scan_shaped(world):  # noqa: F811
    known = [w.qr for w in world.workers.values()] + [w.card_number for w in world.workers.values()]
    payload = st.one_of(st.sampled_from(known), qr_payloads.filter(lambda p: isinstance(p, str)),
                        st.text(min_size=1, max_size=5000), json_values)
    ids = st.one_of(st.uuids().map(str), st.text(max_size=60), json_values)
    direction = st.one_of(st.sampled_from(["in", "out", "auto"]), st.text(max_size=10), json_values)
    return st.fixed_dictionaries({"id": ids, "payload": payload, "scanned_at": times(), "direction": direction},
                                 optional={"extra": json_values})


def assert_clear(response) -> dict:
    assert response.status_code == 200 or response.status_code in CLEAR_ERRORS, response.get_data(as_text=True)
    assert response.mimetype == "application/json" and "Traceback" not in response.get_data(as_text=True)
    answer = response.get_json()
    statuses[response.status_code] += 1
    if response.status_code == 200:
        assert answer.get("decision") in ("accepted", "rejected") or "results" in answer
    else:
        assert isinstance(answer.get("error"), str) and isinstance(answer.get("message"), str)
    return answer


def post(client, world, path, **kwargs):  # noqa: F811
    return client.post(f"/api/v1{path}", headers=world.headers(), **kwargs)


def test_the_scan_api_answers_every_input_clearly(app, world):  # noqa: F811
    client = app.test_client()
    bodies = st.one_of(scan_shaped(world), json_values)

    @settings(max_examples=API_EXAMPLES, deadline=None, suppress_health_check=FIXTURES_OK)
    @given(body=bodies, raw=st.one_of(st.none(), st.binary(max_size=300)),
           content_type=st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain", ""]))
    def scan(body, raw, content_type):
        tried["scan"] += 1
        data = raw if raw is not None else json.dumps(body)
        assert_clear(post(client, world, "/scans", data=data, content_type=content_type or None))

    scan()


def test_the_batch_api_answers_every_item_clearly(app, world):  # noqa: F811
    client = app.test_client()

    @settings(max_examples=scaled(150, 2_000), deadline=None, suppress_health_check=FIXTURES_OK)  # up to 8 scans each
    @given(st.one_of(st.lists(st.one_of(scan_shaped(world), json_values), max_size=8).map(lambda s: {"scans": s}),
                     json_values))
    def batch(body):
        tried["batch"] += 1
        answer = assert_clear(post(client, world, "/scans/batch", json=body))
        for result in answer.get("results", []):
            assert result.get("decision") in ("accepted", "rejected") or isinstance(result.get("error"), str)

    batch()
    record("fuzzing", qr_inputs=tried["qr"], scan_api_inputs=tried["scan"], batch_api_inputs=tried["batch"],
           answers={str(code): n for code, n in sorted(statuses.items())}, server_errors=0)


def test_a_stored_scan_id_resent_with_any_payload_is_its_answer_or_409(app, world):  # noqa: F811
    """Issue 16, item 7: one stored id, resent with fuzzed payloads (other cards, foreign codes, the same
    card spelt otherwise): the stored answer or 409 id_reused, and the stored records never change."""
    from app.extensions import db
    from app.models import AttendanceDay, ScanEvent

    client, kari = app.test_client(), world.workers["kari"]
    body = {"id": str(uuid.uuid4()), "payload": kari.qr, "scanned_at": utc_now().isoformat(), "direction": "auto"}
    stored = post(client, world, "/scans", json=body).get_json()

    def snapshot():
        db.session.expire_all()
        return (sorted((e.id, e.card_number, e.direction) for e in db.session.query(ScanEvent)),
                sorted((d.person_id, d.first_in, d.last_out, d.is_present) for d in db.session.query(AttendanceDay)))

    before, answers = snapshot(), Counter()
    others = {p for key, w in world.workers.items() if key != "kari" for p in (w.qr, w.card_number)}
    known = sorted(others) + [kari.qr, kari.card_number]
    payloads = st.one_of(st.sampled_from(known), qr_payloads.filter(lambda p: isinstance(p, str) and p),
                         st.text(min_size=1, max_size=300))

    @settings(max_examples=scaled(100, 2_000), deadline=None, suppress_health_check=FIXTURES_OK)
    @given(payload=payloads)
    def resend(payload):
        response = post(client, world, "/scans", json={**body, "payload": payload})
        answer = assert_clear(response)
        if payload in others:  # another worker's card: refused, never answered (issue 16, item 7)
            assert response.status_code == 409, answer
        if response.status_code == 200:
            assert answer == stored
        elif response.status_code == 409:
            assert answer["error"] == "id_reused"
        answers[response.status_code] += 1

    resend()
    assert post(client, world, "/scans", json=body).get_json() == stored and snapshot() == before
    record("scan id reused", resent=sum(answers.values()), answers={str(k): n for k, n in sorted(answers.items())},
           records_changed=0)


def test_a_valid_scan_is_still_accepted_after_the_fuzzing(app, world):  # noqa: F811
    body = {"id": str(uuid.uuid4()), "payload": world.workers["kari"].qr, "scanned_at": utc_now().isoformat(),
            "direction": "auto"}
    assert post(app.test_client(), world, "/scans", json=body).get_json()["decision"] == "accepted"
