"""The basis for Skatteetaten's contractor and worker reports (RF-1199 and the worker report), as CSV or Excel.

Portvakt prepares the report; it does not file it. The client reports contracts with foreign
contractors, the foreign contractor each worker's first and last working day, both within 14 days.
Pure: frozen dataclasses in, bytes out.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from reports.data import SiteInfo
from reports.exports import _workbook, to_csv  # one CSV/Excel writer for every export
from reports.styles import nb_date

DEADLINE_DAYS = 14
NOT_FILED = ("Portvakt utarbeider grunnlaget og leverer ingenting til Skatteetaten: oppdragsgiver og "
             "oppdragstaker leverer selv (Altinn) / Portvakt prepares this report and files nothing: "
             "the client and the contractor file it themselves")
DEADLINES = ("Frister / deadlines: oppdragsgiver melder kontrakten innen 14 dager etter oppstart; utenlandsk "
             "oppdragstaker melder hver arbeidstaker innen 14 dager etter første og etter siste arbeidsdag / the "
             "client reports the contract within 14 days of its start; the foreign contractor reports each worker "
             "within 14 days of the first and of the last working day")
ROLES = {"main_contractor": "Hovedentreprenør / main contractor", "subcontractor": "Underentreprenør / subcontractor",
         "staffing_agency": "Bemanningsforetak / staffing agency",
         "sole_proprietor": "Enkeltpersonforetak / sole proprietor", "": "Ikke i kontraktskjeden / not on the chain"}


@dataclass(frozen=True)
class ForeignContractor:
    name: str
    identifier: str  # the NUF's Norwegian org. no., else the foreign id
    country: str
    role: str
    parent: str
    first_day: date | None
    last_day: date | None


@dataclass(frozen=True)
class ForeignWorker:
    last_name: str
    first_name: str
    birth_date: date
    employer: str
    employer_identifier: str
    first_day: date
    last_day: date


@dataclass(frozen=True)
class ContractorsReport:
    site: SiteInfo
    date_from: date
    date_to: date
    contractors: tuple[ForeignContractor, ...]
    workers: tuple[ForeignWorker, ...]


def _due(day: date | None) -> str:
    return nb_date(day + timedelta(days=DEADLINE_DAYS)) if day else ""


def facts(report: ContractorsReport) -> list[list[str]]:
    return [["Utenlandske oppdragstakere og arbeidstakere – grunnlag for Skatteetaten / Foreign contractors and "
             "workers – basis for Skatteetaten's reports"],
            ["Byggeplass / Site", f"{report.site.name}, {report.site.address}"],
            ["Byggherre / Builder", report.site.builder_name],
            ["Periode / Period", f"{nb_date(report.date_from)} – {nb_date(report.date_to)}"],
            [NOT_FILED], [DEADLINES], []]


def contractor_rows(report: ContractorsReport) -> list[list[str]]:
    rows = [["Oppdragstaker / Contractor", "NUF org.nr. eller utenlandsk id / NUF org. no. or foreign id",
             "Land / Country", "Rolle / Role", "Oppdragsgiver / Parent", "Første dag / First day",
             "Siste dag / Last day", "Kontrakt meldes innen / Contract due"]]
    rows += [[c.name, c.identifier, c.country, ROLES.get(c.role, c.role), c.parent,
              nb_date(c.first_day) if c.first_day else "", nb_date(c.last_day) if c.last_day else "",
              _due(c.first_day)] for c in report.contractors]
    return rows


def worker_rows(report: ContractorsReport) -> list[list[str]]:
    rows = [["Etternavn / Last name", "Fornavn / First name", "Fødselsdato / Date of birth",
             "Arbeidsgiver / Employer", "Arbeidsgivers id / Employer id", "Første arbeidsdag / First working day",
             "Siste arbeidsdag / Last working day", "Start meldes innen / Start due",
             "Slutt meldes innen / End due"]]
    rows += [[w.last_name, w.first_name, nb_date(w.birth_date), w.employer, w.employer_identifier,
              nb_date(w.first_day), nb_date(w.last_day), _due(w.first_day),
              _due(w.last_day) if w.last_day < report.date_to else "–"] for w in report.workers]
    return rows


def contractors_csv(report: ContractorsReport) -> bytes:
    """Facts and the note that Portvakt does not file, the contractors, a blank row, the workers."""
    return to_csv(facts(report) + contractor_rows(report) + [[]] + worker_rows(report))


def contractors_xlsx(report: ContractorsReport) -> bytes:
    return _workbook([("Oppdragstakere", facts(report), contractor_rows(report)),
                      ("Arbeidstakere", [[NOT_FILED], []], worker_rows(report))],
                     f"Utenlandske oppdragstakere {report.site.name}")
