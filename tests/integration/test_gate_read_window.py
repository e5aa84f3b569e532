"""The gate's one read brings only the stored scans the rules can use (domain/attendance.ScanWindow):
another site's within two hours, this site's within ten minutes."""
from datetime import timedelta

from app.clock import local_day
from app.domain.attendance import scan_window
from app.services.gate_queries import read_gate
from tests.support.kiosk_api import cardsim, scan_body, utc_now, world  # noqa: F401  (fixtures)


def test_the_read_skips_this_sites_scans_the_rules_cannot_use(app, client, world):
    kari, now = world.workers["kari"], utc_now()
    for kiosk, minutes_ago in (("tromso", 90), ("gate", 40), ("gate2", 5)):
        response = client.post("/api/v1/scans", json=scan_body(kari.card_number, at=now - timedelta(minutes=minutes_ago)),
                               headers=world.headers(kiosk))
        assert response.status_code == 200, response.json
    snapshot = read_gate(local_date=local_day(now), today=local_day(now), window=scan_window(now, timedelta(seconds=30)),
                         number=kari.card_number, card_number=kari.card_number, kiosk_id=world.kiosk_ids["gate"])
    read = sorted((scan.site_id, round((now - scan.scanned_at).total_seconds() / 60)) for scan in snapshot.recent)
    assert read == sorted([(world.other_site_id, 90), (world.site_id, 5)])


def _scan(client, world, card_number, kiosk, at, direction):
    response = client.post("/api/v1/scans", json=scan_body(card_number, at=at, direction=direction),
                           headers=world.headers(kiosk))
    assert response.status_code == 200, response.json
    return response.json


def test_the_read_stops_at_this_sites_exit_nearest_the_scan(app, client, world):
    """An entry behind an exit cannot make a card look copied: the exit is between. The exit itself
    and what came after it are read; this gate's earlier read of the number is read for the repeat rule."""
    kari, now = world.workers["kari"], utc_now()
    for kiosk, minutes_ago, direction in (("gate2", 8, "in"), ("gate", 6, "out"), ("gate2", 3, "in")):
        _scan(client, world, kari.card_number, kiosk, now - timedelta(minutes=minutes_ago), direction)
    _scan(client, world, kari.card_number, "gate", now - timedelta(seconds=10), "in")
    snapshot = read_gate(local_date=local_day(now), today=local_day(now), window=scan_window(now, timedelta(seconds=30)),
                         number=kari.card_number, card_number=kari.card_number, kiosk_id=world.kiosk_ids["gate"])
    read = sorted(round((now - scan.scanned_at).total_seconds()) for scan in snapshot.recent)
    assert read == [10, 180, 360]


def test_an_entry_at_another_gate_after_the_last_exit_still_looks_copied(app, client, world):
    kari, now = world.workers["kari"], utc_now()
    for kiosk, minutes_ago, direction in (("gate2", 9, "in"), ("gate", 7, "out"), ("gate2", 4, "in")):
        _scan(client, world, kari.card_number, kiosk, now - timedelta(minutes=minutes_ago), direction)
    answer = _scan(client, world, kari.card_number, "gate", now, "in")
    assert "possible_copied_card" in answer["warnings"]


def test_an_exit_between_keeps_an_earlier_entry_from_looking_copied(app, client, world):
    kari, now = world.workers["kari"], utc_now()
    for kiosk, minutes_ago, direction in (("gate2", 6, "in"), ("gate2", 3, "out")):
        _scan(client, world, kari.card_number, kiosk, now - timedelta(minutes=minutes_ago), direction)
    answer = _scan(client, world, kari.card_number, "gate", now, "in")
    assert "possible_copied_card" not in answer["warnings"]
