"""Issue 14's acceptance, as a byggherre's support staff would do it: from an empty database, using
only the CLI and a kiosk's HTTP call, a site with its contract chain and an imported crew gets a
hired-in worker onto the § 15 list; closing the site and purging as of the right day deletes it.

Real processes throughout: `flask` commands, gunicorn, and the card-service emulator.
"""
import csv
import io
import json
import os
import subprocess
import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.support.cardsim import card_record
from tests.support.processes import ROOT, VENV_BIN, start_cardsim, start_gunicorn

MAIN, SUB, AGENCY = "912345602", "987654325", "999888712"
CARD_TOKEN = "lifecycle-token"


class Cli:
    def __init__(self, env: dict):
        self.env = {**os.environ, **env}
        self.env.pop("PORTVAKT_STARTUP_CHECKED", None)

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=120)
        if ok:
            assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"
        return done

    def json(self, *args: str) -> dict:
        return json.loads(self.run(*args).stdout.strip().splitlines()[-1])

    def list_rows(self, site_id: int, day: date, out) -> list[dict]:
        self.run("list", "csv", "--site", str(site_id), "--date", day.isoformat(), "--out", str(out))
        lines = out.read_text(encoding="utf-8-sig").splitlines(keepends=True)
        heading = next(i for i, line in enumerate(lines) if line.startswith("Etternavn / Last name"))
        return list(csv.DictReader(io.StringIO("".join(lines[heading:])), delimiter=";"))  # below the § 15 facts


@pytest.fixture
def cli(scratch_database, tmp_path):
    tool = Cli({"DATABASE_URL": scratch_database, "PORTVAKT_INSTANCE": str(tmp_path / "instance"),
                "CARD_SERVICE_TOKEN": CARD_TOKEN})
    tool.run("db", "upgrade")
    return tool


def today_in_oslo() -> date:
    return datetime.now(ZoneInfo("Europe/Oslo")).date()


def test_a_site_from_the_cli_lists_a_hired_in_worker_and_is_deleted_on_schedule(cli, scratch_database, tmp_path):
    site = cli.json("site", "create", "--name", "Kaia Øst", "--street", "Kaigata 1", "--postcode", "5003",
                    "--city", "Bergen", "--builder-name", "Bergen kommune", "--builder-org", "964338531",
                    "--contract-id", "4255", "--json")
    sid = str(site["id"])
    main = cli.json("company", "add", "--site", sid, "--name", "Nordbygg Entreprenør AS", "--org", MAIN,
                    "--role", "main_contractor", "--json")
    cli.json("company", "add", "--site", sid, "--name", "Elektro Øst AS", "--org", SUB, "--role", "subcontractor",
             "--parent", str(main["site_company_id"]), "--json")
    cli.json("company", "add", "--site", sid, "--name", "Bemanning Nord AS", "--org", AGENCY,
             "--role", "staffing_agency", "--parent", str(main["site_company_id"]), "--json")
    crew = tmp_path / "mannskap.csv"
    crew.write_text("name;birth_date;card_number;employer_org;hired_by_org;active_from;active_to\n"
                    f"Rūta Jankauskienė;03.02.1980;40031676;{AGENCY};{MAIN};;\n"
                    f"Ola Nordmann;1975-06-01;40039595;{SUB};;;\n", encoding="utf-8-sig")
    cli.run("crew", "import", "--site", sid, str(crew))
    token = cli.run("kiosk", "create", "--site", sid, "--name", "Hovedport", "--mode", "auto").stdout.split()[-1]

    cards = tmp_path / "cards.json"
    cards.write_text(json.dumps({"cards": [card_record(
        "40031676", first_name="Rūta", last_name="Jankauskienė", birth_date="1980-02-03",
        employer=("Bemanning Nord AS", AGENCY))]}), encoding="utf-8")
    cardsim = start_cardsim(str(cards), token=CARD_TOKEN)
    try:
        web = start_gunicorn(scratch_database, env={**cli.env, "CARD_SERVICE_URL": cardsim.url})
        try:
            answer = requests.post(f"{web.url}/api/v1/scans", timeout=10, headers={"Authorization": f"Bearer {token}"},
                                   json={"id": str(uuid.uuid4()), "payload": "40031676", "direction": "auto",
                                         "scanned_at": datetime.now(timezone.utc).isoformat()}).json()
        finally:
            web.stop()
    finally:
        cardsim.stop()
    assert answer["decision"] == "accepted", answer

    today = today_in_oslo()
    rows = cli.list_rows(site["id"], today, tmp_path / "list.csv")
    assert len(rows) == 1
    row = rows[0]
    assert (row["Etternavn / Last name"], row["Fornavn / First name"]) == ("Jankauskienė", "Rūta")
    assert row["Arbeidsgiver / Employer"] == "Bemanning Nord AS"
    assert row["Innleid av (innleievirksomhet) / Hired in by"] == "Nordbygg Entreprenør AS"
    assert row["Innleievirksomhet org.nr. / Hired in by org. no."] == MAIN
    assert row["HMS-kortnr. / HMS card no."] == "40031676"
    assert "Inn / In" not in row  # the site does not print times

    cli.run("site", "close", sid, "--completion-date", today.isoformat())
    deletion = date.fromisoformat(cli.json("site", "show", sid, "--json")["deletion_date"])
    cli.run("retention", "purge", "--as-of", (deletion - timedelta(days=1)).isoformat())
    assert len(cli.list_rows(site["id"], today, tmp_path / "still.csv")) == 1
    cli.run("retention", "purge", "--as-of", deletion.isoformat())
    assert cli.list_rows(site["id"], today, tmp_path / "gone.csv") == []
    assert "40031676" not in cli.run("site", "show", sid, "--json").stdout
