"""The § 15 list from the database: PDF fields read back, daily control archive, verify, exports, CLI."""
import json
import re
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from flask import current_app
from sqlalchemy import event

from app.extensions import db
from app.models import AuditLog, DailyList, User
from app.services import list_versions, lists
from tests.support.builders import attend, make_company, make_person, make_site, make_user, oslo, seeded_day
from tests.support import web
from tests.support.pdftext import pdf_pages

DAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 17, 30, tzinfo=timezone.utc)


def flat(content: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(pdf_pages(content)))


@pytest.fixture
def site(db_session):
    return make_site(contract_id="4255")


@pytest.fixture
def day(site):
    data = seeded_day(site, DAY)
    db.session.commit()
    return data


def test_pdf_holds_every_section_15_field_for_every_person(site, day):
    text = flat(lists.daily_pdf(site.id, DAY, NOW).content)
    assert "Kvartal Løkkeveien, Løkkeveien 10, 4008 Stavanger" in text  # § 15 a
    assert "Fjordbygg Eiendom AS" in text  # § 15 b
    assert "25.11.2026" in text
    for key, person in day["people"].items():
        assert f"{person.last_name}, {person.first_name}" in text, key  # § 15 e
        assert person.birth_date.strftime("%d.%m.%Y") in text, key
        assert person.cards[0].number in text, key
    for company in day["companies"].values():  # § 15 c, d (foreign: country and id)
        assert f"{company.name} {company.identifier}" in text, company.name
    assert "LT 304567891" in text and "PL 5213456789" in text
    assert "Totalt / total: 5 personer / persons" in text
    assert "Sum Nordbygg Entreprenør AS: 2 personer" in text


def test_hired_in_worker_shows_agency_as_employer_and_the_hiring_undertaking(site, day):
    text = flat(lists.daily_pdf(site.id, DAY, NOW).content)
    row = text[text.index("Ødegård-Åsheim, Ærlend"):]
    agency, main = day["companies"]["agency"], day["companies"]["main"]
    assert row.index(f"{agency.name} {agency.org_number}") < row.index(f"{main.name} {main.org_number}")


def test_times_are_oslo_wall_clock_and_flags_come_from_rows_and_scans(site, day):
    site.prints_times = True
    db.session.commit()
    text = flat(lists.daily_pdf(site.id, DAY, NOW).content)
    assert "06:45" in text and "17:02" in text  # stored in UTC, shown in Europe/Oslo
    ola = text[text.index("Nordmann, Ola"):]
    assert ola.index("Ikke verifisert / not verified") < ola.index("Sum Nordbygg")
    assert "Manuell registrering / manual registration" in text
    assert "Mulig kopiert kort / possible copied card" in text
    assert "Utgang ikke registrert / no exit recorded" in text


def test_a_scan_verified_afterwards_is_no_longer_flagged(site, day):
    from app.models import ScanEvent

    event = db.session.query(ScanEvent).filter_by(verified=False).one()
    event.reverified_at = NOW
    db.session.commit()
    ola = next(e for e in lists.build_day(site.id, DAY).entries if e.first_name == "Ola")
    assert "unverified" not in ola.flags


@pytest.mark.parametrize("records, prints", [(False, True), (True, False), (False, False)])
def test_times_are_printed_only_when_the_site_records_and_prints_them(db_session, records, prints):
    site = make_site(records_times=records, prints_times=prints)
    seeded_day(site, DAY)
    db.session.commit()
    text = flat(lists.daily_pdf(site.id, DAY, NOW).content)
    assert "06:45" not in text and "Nordmann, Ola" in text


def test_printing_times_changes_the_data_hash_so_a_checked_day_needs_a_new_check(site, day):
    plain = lists.build_day(site.id, DAY)
    site.prints_times = True
    db.session.commit()
    from app.domain.oversiktsliste import data_sha256
    assert data_sha256(lists.build_day(site.id, DAY)) != data_sha256(plain)


def test_removed_rows_other_days_and_other_sites_stay_off_the_list(site, day):
    other = make_site(name="Nye Tromsø brannstasjon")
    main = day["companies"]["main"]
    stranger = make_person("Kari", "Fremmed", main)
    attend(other, stranger, DAY, main)
    attend(site, stranger, DAY + timedelta(days=1), main)
    ola = db.session.get(type(day["people"]["ola"]), day["people"]["ola"].id)
    row = next(r for r in db.session.query(lists.AttendanceDay).filter_by(person_id=ola.id))
    row.removed_at = NOW
    db.session.commit()
    liste = lists.build_day(site.id, DAY)
    names = [e.last_name for e in liste.entries]
    assert "Fremmed" not in names and "Nordmann" not in names and liste.total == 4


def test_employer_filter_keeps_only_that_employers_people(site, day):
    main = day["companies"]["main"]
    liste = lists.build_day(site.id, DAY, company_id=main.id)
    assert sorted(e.last_name for e in liste.entries) == ["Bakkeløkken", "Nordmann"]


def test_unknown_site_is_a_clear_error(db_session):
    with pytest.raises(lists.UnknownSite):
        lists.daily_pdf(999, DAY, NOW)


def test_check_day_archives_a_version_with_its_hashes(site, day):
    user = make_user("Bjørn Byggleder")
    version = lists.check_day(site.id, DAY, user, NOW)
    assert version.version == 1
    import hashlib

    assert version.pdf_sha256 == hashlib.sha256(version.pdf).hexdigest()
    text = flat(version.pdf)
    assert "Kontrollert av Bjørn Byggleder 25.11.2026 18:30" in text  # 17:30 UTC is 18:30 in Oslo
    assert version.data_sha256 in text
    assert version.data_sha256 == lists.day_report(site.id, DAY, NOW).data_sha256
    audit = db.session.query(AuditLog).filter_by(action="list.checked").one()
    assert audit.details["version"] == 1 and audit.details["people"] == 5
    assert "Nordmann" not in json.dumps(audit.details, ensure_ascii=False)


def test_checking_unchanged_data_again_adds_no_version_but_a_change_does(site, day):
    user = make_user()
    first = lists.check_day(site.id, DAY, user, NOW)
    again = lists.check_day(site.id, DAY, user, NOW + timedelta(minutes=5))
    assert again.id == first.id
    main = day["companies"]["main"]
    attend(site, make_person("Sigrid", "Strøm", main), DAY, main, source="manual")
    db.session.commit()
    live = flat(lists.daily_pdf(site.id, DAY, NOW).content)
    assert "IKKE KONTROLLERT / NOT CHECKED" in live  # the data changed since the check
    second = lists.check_day(site.id, DAY, user, NOW + timedelta(hours=1))
    assert second.version == 2 and second.data_sha256 != first.data_sha256
    assert [v.version for v in list_versions.versions_of_day(site.id, DAY)] == [2, 1]
    assert lists.archived_pdf(site.id, DAY, 1).content == first.pdf


def test_live_pdf_shows_the_check_while_data_is_unchanged(site, day):
    lists.check_day(site.id, DAY, make_user("Siri Koordinator"), NOW)
    text = flat(lists.daily_pdf(site.id, DAY, NOW + timedelta(hours=2)).content)
    assert "Kontrollert av Siri Koordinator" in text and re.search(r"Versjon / Version 1\b", text)


def test_verify_pdf_finds_the_archived_version_and_rejects_an_altered_copy(site, day):
    version = lists.check_day(site.id, DAY, make_user(), NOW)
    found = lists.verify_pdf(version.pdf)
    assert found is not None and (found.site_id, found.local_date, found.version) == (site.id, DAY, 1)
    altered = bytearray(version.pdf)
    altered[len(altered) // 2] ^= 0x01  # one bit anywhere: the content streams are compressed
    assert lists.verify_pdf(bytes(altered)) is None
    assert lists.verify_pdf(lists.daily_pdf(site.id, DAY, NOW).content) is None  # a live render is not archived
    assert [v.version for v in lists.versions_with_data_hash(version.data_sha256.upper())] == [1]


def test_exports_carry_the_same_people(site, day):
    csv_download = lists.daily_csv(site.id, DAY, NOW)
    assert csv_download.mimetype.startswith("text/csv") and csv_download.filename.endswith(".csv")
    assert "Brzęczyszczykiewicz;Łukasz;01.12.1979" in csv_download.content.decode("utf-8-sig")
    xlsx = lists.daily_xlsx(site.id, DAY, NOW)
    assert xlsx.content[:2] == b"PK" and xlsx.filename.endswith(".xlsx")
    items = json.loads(lists.daily_elrapp(site.id, DAY, NOW).content)
    # The Lithuanian and Polish employers have no Norwegian org number (NUF): ELRAPP cannot take them.
    assert len(items) == 3 and {item["KontraktId"] for item in items} == {4255}
    assert lists.elrapp_left_out(site.id, DAY, NOW) == {"no_org_number": 2}
    ola = next(item for item in items if item["Fornavn"] == "Ola")
    assert ola["DatoInn"] is None and ola["Dato"] == "2026-11-25T00:00:00" and ola["Fdato"] == "2001-11-11"


def test_exports_carry_times_only_when_the_site_prints_them(site, day):
    def csv_text():
        return lists.daily_csv(site.id, DAY, NOW).content.decode("utf-8-sig")

    assert "06:45" not in csv_text() and "Inn / In" not in csv_text()
    site.prints_times = True
    db.session.commit()
    assert "06:45" in csv_text() and "Inn / In" in csv_text()
    ola = next(i for i in json.loads(lists.daily_elrapp(site.id, DAY, NOW).content) if i["Fornavn"] == "Ola")
    assert ola["DatoInn"] == "2026-11-25T06:45:00"


def test_muster_has_present_left_and_expected(site, db_session):
    main = make_company("Nordbygg Entreprenør AS")
    today = date(2026, 11, 25)
    attend(site, make_person("Rūta", "Jankauskienė", main), today, main, last_out=None, present=True)
    attend(site, make_person("Ola", "Nordmann", main), today, main, present=False)
    expected = make_person("Ærlend", "Ødegård-Åsheim", main)
    attend(site, expected, today - timedelta(days=1), main)  # engaged, not here today
    db.session.commit()
    report = lists.muster_report(site.id, oslo(today, 10))
    assert [p.last_name for g in report.present for p in g.people] == ["Jankauskienė"]
    assert [p.last_name for p in report.left_today] == ["Nordmann"]
    assert [p.last_name for p in report.expected] == ["Ødegård-Åsheim"]
    text = flat(lists.muster_pdf(site.id, oslo(today, 10)).content)
    assert "Jankauskienė, Rūta" in text and "on site now: 1" in text


def test_period_report_counts_person_days(site, db_session):
    main = make_company("Nordbygg Entreprenør AS")
    ola, kari = make_person("Ola", "Nordmann", main), make_person("Kari", "Nordmann", main)
    for offset in range(3):
        attend(site, ola, DAY + timedelta(days=offset), main)
    attend(site, kari, DAY, main)
    attend(site, kari, DAY + timedelta(days=10), main)  # outside the period
    db.session.commit()
    report = lists.period_report(site.id, DAY, DAY + timedelta(days=6), NOW)
    assert report.total_person_days == 4 and report.total_people == 2
    assert [len(p.days) for p in report.employers[0].people] == [1, 3]  # Kari, Ola
    text = flat(lists.period_pdf(site.id, DAY, DAY + timedelta(days=6), NOW).content)
    assert "Totalt / total 2 4" in text
    with pytest.raises(lists.BadPeriod):
        lists.period_report(site.id, DAY, DAY - timedelta(days=1), NOW)


def test_period_report_takes_innleie_and_card_from_each_persons_latest_day(site, db_session):
    from app.models import Card

    main, agency = make_company("Nordbygg Entreprenør AS"), make_company("Vikar Øst UAB", "304567891", "LT")
    ola = make_person("Ola", "Nordmann", agency)
    attend(site, ola, DAY, agency)
    attend(site, ola, DAY + timedelta(days=2), agency, hired_by=main).card_id = None
    new_card = Card(number="59999999", person_id=ola.id, employer_id=agency.id)
    db.session.add(new_card)
    db.session.flush()
    attend(site, ola, DAY + timedelta(days=1), agency).card_id = new_card.id  # not the latest day
    attend(site, ola, DAY + timedelta(days=3), main)  # moved to the main contractor: a line of its own
    attend(site, make_person("Kari", "Nordmann", main), DAY + timedelta(days=1), main).removed_at = NOW
    db.session.commit()
    report = lists.period_report(site.id, DAY, DAY + timedelta(days=6), NOW)
    assert [employer.employer.name for employer in report.employers] == ["Nordbygg Entreprenør AS", "Vikar Øst UAB"]
    at_main, at_agency = report.employers[0].people, report.employers[1].people
    assert [(p.first_name, p.days) for p in at_main] == [("Ola", (DAY + timedelta(days=3),))]  # Kari was removed
    assert at_agency[0].days == (DAY, DAY + timedelta(days=1), DAY + timedelta(days=2))
    assert at_agency[0].employer.identifier == "LT 304567891"
    assert at_agency[0].hired_by.name == "Nordbygg Entreprenør AS" and at_agency[0].card_number is None
    only_main = lists.period_report(site.id, DAY, DAY + timedelta(days=6), NOW, company_id=main.id)
    assert [e.employer.name for e in only_main.employers] == ["Nordbygg Entreprenør AS"]
    assert only_main.employers[0].people[0].card_number is not None


def test_cli_writes_the_pdf_and_verifies_archived_copies(site, day, runner, tmp_path):
    out = tmp_path / "liste.pdf"
    result = runner.invoke(args=["list", "pdf", "--site", str(site.id), "--date", DAY.isoformat(), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Brzęczyszczykiewicz, Łukasz" in flat(out.read_bytes())
    result = runner.invoke(args=["list", "verify", str(out)])
    assert result.exit_code == 1 and "NOT in the archive" in result.output
    archived = tmp_path / "archived.pdf"
    archived.write_bytes(lists.check_day(site.id, DAY, make_user(), NOW).pdf)
    result = runner.invoke(args=["list", "verify", str(archived)])
    assert result.exit_code == 0 and "version 1" in result.output
    # A paper copy: the data hash printed on it finds the archived version.
    data_hash = list_versions.versions_of_day(site.id, DAY)[0].data_sha256
    result = runner.invoke(args=["list", "verify", "--data-hash", data_hash])
    assert result.exit_code == 0 and "version 1" in result.output
    assert runner.invoke(args=["list", "verify", "--data-hash", "0" * 64]).exit_code == 1
    assert runner.invoke(args=["list", "verify"]).exit_code == 2  # neither a file nor a hash


@pytest.mark.parametrize("args, message", [
    (["list", "pdf", "--site", "999", "--date", "2026-11-25", "--out", "x.pdf"], "unknown site"),
    (["list", "pdf", "--site", "1", "--date", "25.11.2026", "--out", "x.pdf"], "YYYY-MM-DD"),
    (["list", "period", "--site", "1", "--from", "2026-11-25", "--to", "2026-11-01", "--out", "x.pdf"], "invalid period"),
    (["list", "pdf", "--site", "1", "--date", "2026-11-25", "--out", "no/such/dir/x.pdf"], "cannot write"),
])
def test_cli_bad_input_gets_a_clear_message(site, runner, args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = [str(site.id) if a == "1" else a for a in args]
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output


def test_demo_cards_cli_renders_every_demo_card(runner, tmp_path, db_session):
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    out = tmp_path / "cards.pdf"
    result = runner.invoke(args=["demo", "cards", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(open(runner.app.config["CARDSIM_DATA"], encoding="utf-8").read())
    text = flat(out.read_bytes())
    assert all(card["card_number"] in text for card in data["cards"])


def test_demo_cards_cli_without_demo_data_says_what_to_do(runner, tmp_path, app):
    app.config["CARDSIM_DATA"], saved = str(tmp_path / "missing.json"), app.config["CARDSIM_DATA"]
    try:
        result = runner.invoke(args=["demo", "cards", "--out", str(tmp_path / "c.pdf")])
    finally:
        app.config["CARDSIM_DATA"] = saved
    assert result.exit_code != 0 and "flask demo seed" in result.output


def test_a_simultaneous_check_that_loses_the_race_returns_the_winners_version(site, day):
    site_id, first, second = site.id, make_user("Første").id, make_user("Andre")
    db.session.commit()
    app, winner = current_app._get_current_object(), []

    def other_session_checks_first():
        with app.app_context():  # its own session and connection, like a second request
            winner.append(lists.check_day(site_id, DAY, db.session.get(User, first), NOW).id)

    def just_before_the_insert(session, flush_context, instances):
        # The loser has read "no version yet" and is about to store version 1: the winner commits it now.
        if not winner and any(isinstance(row, DailyList) for row in session.new):
            thread = threading.Thread(target=other_session_checks_first)
            thread.start()
            thread.join(30)

    mine = db.session()  # this request's session only, not the winner's
    event.listen(mine, "before_flush", just_before_the_insert)
    try:
        loser = lists.check_day(site_id, DAY, second, NOW)
    finally:
        event.remove(mine, "before_flush", just_before_the_insert)
    assert winner and loser.id == winner[0] and db.session.query(DailyList).count() == 1


def test_elrapp_export_is_refused_with_a_clear_message_without_a_contract_id(site, day, client):
    site.contract_id = None
    db.session.commit()
    with pytest.raises(lists.ExportRefused, match="ELRAPP"):
        lists.daily_elrapp(site.id, DAY, NOW)
    web.login_as(client, web.make_user("builder_rep", site))
    answer = client.get(f"/sites/{site.id}/lists/{DAY.isoformat()}/download/elrapp", follow_redirects=True)
    assert answer.status_code == 200 and "ELRAPP" in answer.get_data(as_text=True)
