"""A site's settings and its life from first day to deletion: what is valid, and when the list goes.

Plain Python (stdlib only). byggherreforskriften § 15: the list is kept six months after the works
are finished, then deleted. "Today" is always passed in.
"""
import calendar
from dataclasses import dataclass, fields
from datetime import date, time

from app.domain.enums import OutagePolicy
from app.domain.orgnr import is_valid_org_number, normalize_org_number

MIN_RETENTION_MONTHS = 6
OUTAGE_POLICIES = tuple(policy.value for policy in OutagePolicy)
KIOSK_LANGUAGES = ("nb", "en", "pl", "lt")  # the kiosk program ships these (scanner/locales)
REQUIRED_LANGUAGES = ("nb", "en")  # bokmål first, English second: every kiosk shows both
MAX_GRACE_HOURS = 72
MAX_CONTRACT_ID = 2**31 - 1  # ELRAPP's KontraktId is an integer
MAX_HMSREG_PROJECT = 32


@dataclass(frozen=True)
class SiteSettings:
    """Everything a byggherre decides about a site; the same shape for create and edit."""

    name: str
    street: str
    postcode: str
    city: str
    builder_name: str
    builder_org: str | None = None
    start_date: date | None = None
    planned_end: date | None = None
    contract_id: int | None = None
    closing_time: time = time(23, 59)
    outage_policy: str = "strict"
    outage_grace_hours: int = 12
    kiosk_languages: tuple[str, ...] = KIOSK_LANGUAGES
    records_times: bool = True
    prints_times: bool = False  # § 15 needs no times, and every reader of the list would see them
    hmsreg_enabled: bool = False  # forward every accepted scan to HMSREG (app/services/connectors.py)
    hmsreg_project: str | None = None  # the project's number in HMSREG (HmsRegnr)
    elrapp_enabled: bool = False  # deliver the checked list to ELRAPP (needs contract_id)


@dataclass(frozen=True)
class SettingError:
    """One thing wrong with the settings: the field it belongs to and a code the UI words."""

    field: str
    code: str


def clean_settings(settings: SiteSettings) -> SiteSettings:
    """Trimmed text, a normalised org number and the kiosk languages in their fixed order."""
    org = normalize_org_number(settings.builder_org) if settings.builder_org and settings.builder_org.strip() else None
    chosen = set(settings.kiosk_languages) | set(REQUIRED_LANGUAGES)
    unknown = sorted(chosen - set(KIOSK_LANGUAGES))  # kept, so that setting_errors names them
    languages = tuple(lang for lang in KIOSK_LANGUAGES if lang in chosen) + tuple(unknown)
    text = {f.name: getattr(settings, f.name).strip() for f in fields(settings)
            if isinstance(getattr(settings, f.name), str)}
    return SiteSettings(**{**_values(settings), **text, "builder_org": org, "kiosk_languages": languages,
                           "hmsreg_project": (settings.hmsreg_project or "").strip() or None})


def _values(settings: SiteSettings) -> dict:
    return {f.name: getattr(settings, f.name) for f in fields(settings)}


def setting_errors(settings: SiteSettings) -> list[SettingError]:
    """Everything wrong with (cleaned) settings; empty when they can be saved."""
    checks = [
        ("name", "required", not settings.name),
        ("street", "required", not settings.street),
        ("city", "required", not settings.city),
        ("builder_name", "required", not settings.builder_name),
        ("postcode", "invalid_postcode", not (len(settings.postcode) == 4 and settings.postcode.isascii()
                                              and settings.postcode.isdigit())),
        ("builder_org", "invalid_org_number", bool(settings.builder_org)
         and not is_valid_org_number(settings.builder_org)),
        ("planned_end", "end_before_start", bool(settings.start_date and settings.planned_end)
         and settings.planned_end < settings.start_date),
        ("contract_id", "invalid_contract_id", settings.contract_id is not None
         and not 0 < settings.contract_id <= MAX_CONTRACT_ID),
        ("outage_policy", "unknown_outage_policy", settings.outage_policy not in OUTAGE_POLICIES),
        ("outage_grace_hours", "invalid_grace", not 0 <= settings.outage_grace_hours <= MAX_GRACE_HOURS),
        ("kiosk_languages", "unknown_language", any(lang not in KIOSK_LANGUAGES for lang in settings.kiosk_languages)),
        ("prints_times", "times_not_recorded", settings.prints_times and not settings.records_times),
        ("hmsreg_project", "hmsreg_needs_project", settings.hmsreg_enabled and not settings.hmsreg_project),
        ("hmsreg_project", "invalid_hmsreg_project", len(settings.hmsreg_project or "") > MAX_HMSREG_PROJECT),
        ("elrapp_enabled", "elrapp_needs_contract_id", settings.elrapp_enabled and settings.contract_id is None),
    ]
    return [SettingError(field, code) for field, code, wrong in checks if wrong]


def parse_contract_id(text: str | None) -> int | None:
    """ELRAPP's contract id as typed: digits only, or nothing. Raises ValueError otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        raise ValueError(text)
    return int(text)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day (31 Aug + 6 months = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def keep_list_until(completion_date: date | None, retention_months: int | None) -> date | None:
    """The last day a finished site's list is kept: completion + max(6, retention_months) months."""
    if completion_date is None:
        return None
    return add_months(completion_date, max(MIN_RETENTION_MONTHS, retention_months or 0))


def deletion_date(completion_date: date | None, retention_months: int | None) -> date | None:
    """The day the list is deleted: the day after the last day it is kept."""
    until = keep_list_until(completion_date, retention_months)
    return None if until is None else date.fromordinal(until.toordinal() + 1)


def completion_error(completion_date: date, today: date, start_date: date | None) -> str | None:
    """Why the works cannot be marked finished on this date, or None."""
    if completion_date > today:
        return "completion_in_future"
    if start_date is not None and completion_date < start_date:
        return "completion_before_start"
    return None


def may_reopen(completion_date: date | None, retention_months: int | None, today: date) -> bool:
    """A finished site can be reopened until its list is due for deletion."""
    until = keep_list_until(completion_date, retention_months)
    return until is not None and today <= until
