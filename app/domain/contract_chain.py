"""The contract chain's pure rules: which company a set of identifiers names, and where a company may sit.

One identity rule for every path that finds or makes a company (the chain page, the CLI, the card
service's answer at the gate): a Norwegian org number first (a foreign company's NUF has one too),
else the country and the foreign id. The card service names a foreign employer by its id without a
country (stored as "XX"); an unknown country matches any country, so a company added to the chain
as "LT 304567891" and the same company seen at the gate stay one company.
"""
from dataclasses import dataclass
from datetime import date
from typing import Iterable

from app.domain.countries import UNKNOWN_COUNTRY, is_country_code, normalize_country
from app.domain.orgnr import is_valid_org_number, normalize_org_number

class IdentityRefused(ValueError):
    """Why identifiers do not name a company; `field` is the form field the message belongs next to."""

    def __init__(self, field: str, code: str):
        super().__init__(code)
        self.field, self.code = field, code


@dataclass(frozen=True)
class CompanyKey:
    """What identifies a company: its Norwegian org number, else its country and foreign id."""

    org_number: str | None
    country: str  # ISO 3166-1 alpha-2, or UNKNOWN_COUNTRY when the card service did not say
    foreign_id: str | None


@dataclass(frozen=True)
class KnownCompany:
    """A stored company's identifiers, as plain values."""

    id: int
    org_number: str | None
    country: str
    foreign_id: str | None


def company_key(org_number: str | None, country: str | None, foreign_id: str | None) -> CompanyKey:
    """Identifiers as a person typed them, checked: a valid org number (any country: a NUF), or a real
    foreign country with an id. A Norwegian company always has an org number."""
    number = normalize_org_number(org_number or "") or None
    code = normalize_country(country) or "NO"
    foreign = (foreign_id or "").strip()[:64] or None
    if number is not None and not is_valid_org_number(number):
        raise IdentityRefused("org_number", "invalid_org_number")
    if not is_country_code(code):
        raise IdentityRefused("country", "invalid_country")
    if number is None and foreign is None:
        raise IdentityRefused("org_number", "identifier_required")
    if number is None and code == "NO":
        raise IdentityRefused("org_number", "norwegian_needs_org_number")
    return CompanyKey(number, code, None if code == "NO" else foreign)


def key_from_card_service(identifier: str) -> CompanyKey:
    """The card service's single employer identifier: an org number when it is a valid one, else a
    foreign id whose country the service does not give."""
    number = normalize_org_number(identifier)
    if is_valid_org_number(number):
        return CompanyKey(number, "NO", None)
    return CompanyKey(None, UNKNOWN_COUNTRY, identifier.strip()[:64])


def card_service_keys(identifier: str) -> tuple[CompanyKey, ...]:
    """What the card service's single employer identifier may name, the likelier first: an org number
    when it reads as one, and then a foreign company's id at home. A nine-digit foreign id (a Lithuanian
    company code, say) passes the Norwegian mod-11 check about one time in eleven; read only as an org
    number, the company added to the chain as "LT <id>" would become a second company at the gate."""
    key = key_from_card_service(identifier)
    if key.org_number is None:
        return (key,)
    return key, CompanyKey(None, UNKNOWN_COUNTRY, identifier.strip()[:64])


def pick_first(keys: Iterable[CompanyKey], known: Iterable[KnownCompany]) -> tuple[int, CompanyKey] | None:
    """The company the first key that names one names, with that key (for `filled_in`); None for a new one."""
    candidates = list(known)
    for key in keys:
        chosen = pick_company(key, candidates)
        if chosen is not None:
            return chosen, key
    return None


def names_stored_company(identifier: str, stored: KnownCompany) -> bool:
    """Whether the card service's employer identifier names this stored company beyond doubt, with
    nothing to add to it: an org number (unique, so no other company can be meant) that the
    company has, its country known. A foreign id may name several companies: that takes the
    whole identity rule and all the companies (`pick_first`), so it is never "beyond doubt" here."""
    key = card_service_keys(identifier)[0]
    return key.org_number is not None and pick_first((key,), (stored,)) == (stored.id, key) \
        and not filled_in(stored, key)


def _countries_agree(a: str, b: str) -> bool:
    return a == b or UNKNOWN_COUNTRY in (a, b)


def pick_company(key: CompanyKey, known: Iterable[KnownCompany]) -> int | None:
    """Which known company `key` names, or None for a new one.

    The org number decides when both have one (two different org numbers are two companies). Otherwise the foreign id with an agreeing country
    (an unknown country agrees with any); of several such, the one with exactly this country; when
    that still leaves several, nobody can tell which one is meant, and the answer is a new company.
    """
    candidates = list(known)
    if key.org_number:
        for company in candidates:
            if company.org_number == key.org_number:
                return company.id
    if key.foreign_id is None:
        return None
    matches = [c for c in candidates if c.foreign_id == key.foreign_id and _countries_agree(c.country, key.country)
               and not (c.org_number and key.org_number and c.org_number != key.org_number)]
    exact = [c for c in matches if c.country == key.country]
    for group in (exact, matches):
        if len(group) == 1:
            return group[0].id
    return None


def filled_in(known: KnownCompany, key: CompanyKey) -> dict:
    """What `key` adds to a company it names: a missing org number or foreign id, a country where
    only "unknown" was stored. Nothing already known is overwritten."""
    changes = {}
    if known.org_number is None and key.org_number:
        changes["org_number"] = key.org_number
    if known.foreign_id is None and key.foreign_id:
        changes["foreign_id"] = key.foreign_id
    if known.country == UNKNOWN_COUNTRY and key.country != UNKNOWN_COUNTRY:
        changes["country"] = key.country
    return changes


def descendants(parents: dict[int, int | None], link_id: int) -> set[int]:
    """Every entry below `link_id` in the chain (`parents`: entry id -> parent id); safe on cycles."""
    children: dict[int | None, list[int]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    found: set[int] = set()
    waiting = list(children.get(link_id, []))
    while waiting:
        entry = waiting.pop()
        if entry not in found and entry != link_id:
            found.add(entry)
            waiting += children.get(entry, [])
    return found


def parent_allowed(parents: dict[int, int | None], link_id: int | None, parent_id: int | None) -> bool:
    """A parent must be on the same chain and never the entry itself or one below it (no loops)."""
    if parent_id is None:
        return True
    if parent_id not in parents:
        return False
    return link_id is None or (parent_id != link_id and parent_id not in descendants(parents, link_id))


def dates_in_order(active_from: date | None, active_to: date | None) -> bool:
    """An entry's active period ends on or after the day it begins (either end may be open)."""
    return active_from is None or active_to is None or active_to >= active_from


def default_parent(roles: dict[int, str]) -> int | None:
    """Where a company added from the day's list goes: under the main contractor when the site has
    exactly one, else at the top of the chain (a person then moves it)."""
    mains = [entry for entry, role in roles.items() if role == "main_contractor"]
    return mains[0] if len(mains) == 1 else None


def outside_chain(row_companies: Iterable[tuple[int, int | None]], chain: set[int]) -> set[int]:
    """The employers and hiring companies of a day's rows ((employer id, hired-by id) pairs) that are
    not on the site's chain."""
    seen = {company for pair in row_companies for company in pair if company is not None}
    return seen - chain
