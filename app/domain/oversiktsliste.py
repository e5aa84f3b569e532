"""Building the § 15 oversiktsliste: who is on it, in which order, and the hash of its data.

Plain Python (stdlib only). The data hash is printed on the PDF and stored with each archived
version, so a printed copy can be matched with the archive. It covers what § 15 makes the list
say (site, builder, date, and per person: name, date of birth, employer, innleievirksomhet, card)
and the flags, not who checked it or when it was rendered. In/out times are left out on purpose:
they are access-control data that retention clears after passage_retention_days, and a checked
day must not look changed because of that (the PDF's own sha256 still covers every byte).
"""
import hashlib
import json
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

UNVERIFIED = "unverified"
MANUAL = "manual"
CARD_ORDERED = "card_ordered"  # HMS card on order (documented), no card number yet

# Norwegian alphabetical order puts Æ, Ø, Å after Z ("{|}" follow "z" in ASCII), as Norwegian
# dictionaries do (and CLDR's Norwegian collation): ä with æ, ö and ő with ø, ü and ű with y, and
# "aa" is å (Aas sorts as Ås, Haaland as Håland). Other accented letters sort with their base
# letter, including the few that Unicode does not decompose.
_NORWEGIAN = str.maketrans({"æ": "{", "ø": "|", "å": "}", "ä": "{", "ö": "|", "ő": "|", "ü": "y", "ű": "y",
                            "ł": "l", "đ": "d", "ı": "i"})


@dataclass(frozen=True)
class Company:
    name: str
    identifier: str  # an org number, or "LT 304567891" for a foreign company


@dataclass(frozen=True)
class Entry:
    """One person on the list for the day (§ 15 c, d, e), with first in / last out in UTC."""

    first_name: str
    last_name: str
    birth_date: date
    employer: Company
    hired_by: Company | None = None
    card_number: str | None = None
    card_valid_to: date | None = None
    first_in: datetime | None = None
    last_out: datetime | None = None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Header:
    """§ 15 a and b, and which day the list is for."""

    site_id: int
    site_name: str
    site_address: str
    builder_name: str
    local_date: date
    times_printed: bool = False  # the site prints in/out times on its list (not required by § 15)


@dataclass(frozen=True)
class EmployerGroup:
    employer: Company
    entries: tuple[Entry, ...]

    @property
    def subtotal(self) -> int:
        return len(self.entries)


@dataclass(frozen=True)
class Oversiktsliste:
    header: Header
    groups: tuple[EmployerGroup, ...]

    @property
    def total(self) -> int:
        return sum(group.subtotal for group in self.groups)

    @property
    def entries(self) -> list[Entry]:
        return [entry for group in self.groups for entry in group.entries]


@lru_cache(maxsize=50_000)
def collation_key(text: str) -> str:
    """A sort key for names in Norwegian order: case-insensitive, æ ø å last (aa as å, ä ö ü as æ ø y).

    Each distinct text is worked out once and kept (a bounded cache of a pure function, a few MB at
    most): a big site's list repeats each employer hundreds of times, and the presence page and the
    kiosks ask for the same two thousand names every few seconds (bench/README.md, "Big-site history")."""
    folded = text.casefold()
    if "aa" in folded:
        folded = folded.replace("aa", "}")
    folded = folded.translate(_NORWEGIAN)
    if folded.isascii():  # most names once æ ø å are translated: nothing to decompose (a fifth of a big list's time)
        return folded
    # Composed first, so that a decomposed å (a + ring) is still å; then accents dropped.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFC", folded).translate(_NORWEGIAN))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_key(person) -> tuple:
    """A person (anything with last_name and first_name) in list order: last name, then first."""
    return collation_key(person.last_name), collation_key(person.first_name)


def list_order(employer: Company, last_name: str, first_name: str, birth_date: date, card_number: str | None) -> tuple:
    """The § 15 list's order, the one every page and document follows: employer (name, then identifier),
    then person (last name, first name, date of birth, card)."""
    return (collation_key(employer.name), employer.identifier, collation_key(last_name), collation_key(first_name),
            birth_date, card_number or "")


def build_oversiktsliste(header: Header, entries) -> Oversiktsliste:
    """Group the day's entries by employer in list order (list_order); equal entries keep their order."""
    ordered = sorted(entries, key=lambda entry: list_order(
        entry.employer, entry.last_name, entry.first_name, entry.birth_date, entry.card_number))
    by_employer: dict[Company, list[Entry]] = {}
    for entry in ordered:
        by_employer.setdefault(entry.employer, []).append(entry)
    return Oversiktsliste(header, tuple(EmployerGroup(employer, tuple(rows)) for employer, rows in by_employer.items()))


def canonical_bytes(liste: Oversiktsliste) -> bytes:
    """The list's data as compact, key-sorted UTF-8 JSON: same data, same bytes, same hash."""
    document = {
        "format": "portvakt-oversiktsliste-1",
        "site": {"id": liste.header.site_id, "name": liste.header.site_name,
                 "address": liste.header.site_address, "builder": liste.header.builder_name},
        "date": liste.header.local_date.isoformat(),
        "total": liste.total,
        "entries": [_entry_document(entry) for entry in liste.entries],
    }
    if liste.header.times_printed:  # only then: the hashes of lists without times stay as they were
        document["times_printed"] = True
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _entry_document(entry: Entry) -> dict:
    return {
        "first_name": entry.first_name, "last_name": entry.last_name,
        "birth_date": entry.birth_date.isoformat(),
        "employer": [entry.employer.name, entry.employer.identifier],
        "hired_by": [entry.hired_by.name, entry.hired_by.identifier] if entry.hired_by else None,
        "card_number": entry.card_number,
        "flags": sorted(entry.flags),
    }


def data_sha256(liste: Oversiktsliste) -> str:
    """SHA-256 (hex) of canonical_bytes(): the "data hash" printed on the PDF."""
    return hashlib.sha256(canonical_bytes(liste)).hexdigest()
