"""The plain data a report is rendered from. The app builds these; reports/ only reads them.

Times are given already converted to the site's local zone (the app converts at the edge).
"""
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class CompanyInfo:
    """An employer or innleievirksomhet: its name and org number (or "LT 304567891" abroad)."""

    name: str
    identifier: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.identifier})"


@dataclass(frozen=True)
class SiteInfo:
    """§ 15 a and b: the site's name and address and the byggherre's name."""

    name: str
    address: str
    builder_name: str
    contract_id: str | None = None


@dataclass(frozen=True)
class ListRow:
    """One person on the list (§ 15 e), with § 15 c/d employer data and optional times."""

    first_name: str
    last_name: str
    birth_date: date
    employer: CompanyInfo
    hired_by: CompanyInfo | None = None
    card_number: str | None = None
    card_valid_to: date | None = None
    first_in: datetime | None = None
    last_out: datetime | None = None
    flags: tuple[str, ...] = ()

    @property
    def sort_name(self) -> str:
        return f"{self.last_name}, {self.first_name}"


@dataclass(frozen=True)
class EmployerGroup:
    """The rows of one employer, already sorted; the subtotal is their count."""

    employer: CompanyInfo
    rows: tuple[ListRow, ...]

    @property
    def subtotal(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class ControlStatus:
    """Who checked this version of the list, and when; all None for an unchecked list."""

    version: int | None = None
    checked_by: str | None = None
    checked_at: datetime | None = None

    @property
    def is_checked(self) -> bool:
        return self.checked_by is not None and self.checked_at is not None


@dataclass(frozen=True)
class DailyListReport:
    """The § 15 oversiktsliste for one site and one local date."""

    site: SiteInfo
    day: date
    groups: tuple[EmployerGroup, ...]
    data_sha256: str
    generated_at: datetime
    show_times: bool = True
    control: ControlStatus = field(default_factory=ControlStatus)

    @property
    def total(self) -> int:
        return sum(group.subtotal for group in self.groups)

    @property
    def rows(self):
        for group in self.groups:
            yield from group.rows


@dataclass(frozen=True)
class MusterPerson:
    """A person on the muster (evacuation) list."""

    first_name: str
    last_name: str
    employer: CompanyInfo
    card_number: str | None = None
    first_in: datetime | None = None
    phone: str | None = None  # the contact phone for the roll call (engagement.phone)

    @property
    def sort_name(self) -> str:
        return f"{self.last_name}, {self.first_name}"


@dataclass(frozen=True)
class MusterVisitor:
    """A visitor on the muster list: not a worker, so never on the § 15 list."""

    name: str
    company: str | None
    host: str
    phone: str
    arrived_at: datetime | None = None


@dataclass(frozen=True)
class MusterGroup:
    employer: CompanyInfo
    people: tuple[MusterPerson, ...]


@dataclass(frozen=True)
class MusterReport:
    """Who is on site now (present), grouped by employer; also who left today and who is expected."""

    site: SiteInfo
    generated_at: datetime
    present: tuple[MusterGroup, ...]
    left_today: tuple[MusterPerson, ...] = ()
    expected: tuple[MusterPerson, ...] = ()
    visitors: tuple[MusterVisitor, ...] = ()

    @property
    def present_count(self) -> int:
        return sum(len(group.people) for group in self.present) + len(self.visitors)


@dataclass(frozen=True)
class PersonDays:
    """One person's days on the site in a period."""

    first_name: str
    last_name: str
    birth_date: date
    employer: CompanyInfo
    hired_by: CompanyInfo | None
    card_number: str | None
    days: tuple[date, ...]

    @property
    def sort_name(self) -> str:
        return f"{self.last_name}, {self.first_name}"


@dataclass(frozen=True)
class EmployerDays:
    """Person-days of one employer in a period."""

    employer: CompanyInfo
    people: tuple[PersonDays, ...]

    @property
    def person_days(self) -> int:
        return sum(len(person.days) for person in self.people)


@dataclass(frozen=True)
class PeriodReport:
    """Person-days per employer and per person for a date range (inclusive)."""

    site: SiteInfo
    date_from: date
    date_to: date
    employers: tuple[EmployerDays, ...]
    generated_at: datetime

    @property
    def total_person_days(self) -> int:
        return sum(employer.person_days for employer in self.employers)

    @property
    def total_people(self) -> int:
        return sum(len(employer.people) for employer in self.employers)


@dataclass(frozen=True)
class DemoCard:
    """One printable demo HMS card (for trying a kiosk with a webcam; not a real card)."""

    first_name: str
    last_name: str
    birth_date: date
    employer: CompanyInfo
    card_number: str
    valid_to: date
    qr_payload: str
    status: str = "valid"
