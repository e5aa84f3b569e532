"""Crew lists from employers (CSV or a table read from XLSX): the rules that decide whether a row is usable.

Pure: rows of strings in, validated rows or per-row errors out, so the web upload, its confirm
step and `flask crew import` all judge a file the same way, and the rules are tested in milliseconds.
Every message is bokmål first, then English ("norsk / English"): the people who fix the file read
Norwegian; support staff and foreign employers read the English half.

Choices worth knowing:
- The row number is the one the user sees in Excel or a text editor: the header is row 1.
- A name is split into first and last name at the LAST space ("Ole Martin Hansen" → "Ole Martin",
  "Hansen"): Norwegian and most European names put the family name last, and the § 15 list sorts
  by it. A one-word name is refused (the list needs both).
- The HMS card number is required: the gate knows people by their card, and an imported worker and
  the same worker scanned later must be one person with one card. Workers whose card is on order
  are registered as card orders, not imported.
- Only the parsed card number and the date of birth are kept; a national id number is refused.
- An optional eighth column, `phone`, gives a contact phone for the site's evacuation roll call
  (digits, spaces and a leading +, 8–15 digits; stored without the spaces). A file with the seven
  documented columns reads exactly as before and leaves stored phones alone; a file with the phone
  column is the truth for it, so an empty cell removes a stored phone.
"""
import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime

from app.domain.orgnr import is_valid_org_number, normalize_org_number

HEADER = ("name", "birth_date", "card_number", "employer_org", "hired_by_org", "active_from", "active_to")
PHONE_COLUMN = "phone"
HEADER_WITH_PHONE = (*HEADER, PHONE_COLUMN)
PHONE_DIGITS = (8, 15)  # a Norwegian number has 8 digits; E.164 allows at most 15 with the country code
MAX_BYTES = 1024 * 1024  # the web app refuses larger requests anyway (MAX_CONTENT_LENGTH)
MAX_ROWS = 5000  # far above any real crew; keeps a hostile file from tying up a worker
MAX_NAME = 200  # Person.first_name / last_name (app/models/people.py MAX_NAME_LENGTH)
NAME_PUNCTUATION = frozenset(" -'’.")
FORMULA_STARTS = ("=", "+", "@")  # spreadsheet formulas and CSV injection
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")
EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass(frozen=True)
class Problem:
    """What is wrong, in bokmål and English."""

    nb: str
    en: str

    @property
    def text(self) -> str:
        return f"{self.nb} / {self.en}"


@dataclass(frozen=True)
class RowError:
    """One problem in one row of the file (row 1 is the header)."""

    row: int
    problem: Problem

    @property
    def text(self) -> str:
        return f"Rad {self.row}: {self.problem.nb} / Row {self.row}: {self.problem.en}"


class FieldError(ValueError):
    """A single value is unusable; carries the Problem for the form field or the row."""

    def __init__(self, nb: str, en: str):
        super().__init__(en)
        self.problem = Problem(nb, en)


class CrewFileError(ValueError):
    """The file as a whole cannot be read (too big, not text, wrong header, too many rows)."""

    def __init__(self, nb: str, en: str):
        super().__init__(en)
        self.problem = Problem(nb, en)


@dataclass(frozen=True)
class CrewRow:
    """A valid row: what the service needs to find the person and make the engagement."""

    row: int
    first_name: str
    last_name: str
    birth_date: date
    card_number: str
    employer_org: str
    hired_by_org: str | None
    active_from: date | None
    active_to: date | None
    phone: str | None = None


@dataclass(frozen=True)
class ParsedCrew:
    rows: tuple[CrewRow, ...]
    errors: tuple[RowError, ...]
    blank_rows: int = 0
    has_phone: bool = False  # the file has the phone column: its rows say what the phone is (empty: none)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- single values (the web form uses these too) -----------------------------------------------


def parse_name(text: str) -> tuple[str, str]:
    """(first name, last name), split at the last space."""
    name = " ".join(text.split())
    if not name:
        raise FieldError("Navn mangler", "Name is missing")
    if not all(ch.isalpha() or ch in NAME_PUNCTUATION for ch in name) or not name[0].isalpha():
        raise FieldError("Navnet kan bare ha bokstaver, mellomrom, bindestrek og apostrof",
                         "The name may contain only letters, spaces, hyphens and apostrophes")
    if " " not in name:
        raise FieldError("Skriv både fornavn og etternavn", "Give both first and last name")
    first, last = name.rsplit(" ", 1)
    if len(first) > MAX_NAME or len(last) > MAX_NAME:
        raise FieldError(f"Navnet er for langt (høyst {MAX_NAME} tegn per del)",
                         f"The name is too long (at most {MAX_NAME} characters per part)")
    return first, last


def parse_date(text: str, what: Problem) -> date:
    """A date written YYYY-MM-DD or DD.MM.YYYY; `what` names the column in the message."""
    value = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise FieldError(f"{what.nb}: «{value[:20]}» er ikke en dato (ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ)",
                     f"{what.en}: '{value[:20]}' is not a date (YYYY-MM-DD or DD.MM.YYYY)")


def parse_birth_date(text: str, today: date) -> date:
    value = text.strip()
    if not value:
        raise FieldError("Fødselsdato mangler", "Date of birth is missing")
    if re.fullmatch(r"\d{11}|\d{6}\s?\d{5}", value):
        raise FieldError("Skriv bare fødselsdatoen, aldri fødselsnummer",
                         "Give the date of birth only, never a national identity number")
    born = parse_date(value, Problem("Fødselsdato", "Date of birth"))
    if not EARLIEST_BIRTH <= born <= today:
        raise FieldError("Fødselsdatoen er ikke mulig", "The date of birth is not possible")
    return born


def parse_card_number(text: str, pattern: str) -> str:
    """The HMS card number, matched against the app's CARD_NUMBER_PATTERN (default eight digits)."""
    value = "".join(text.split())
    if not value:
        raise FieldError("HMS-kortnummer mangler (påkrevd)", "HMS card number is missing (required)")
    if not re.fullmatch(pattern, value):
        raise FieldError("HMS-kortnummeret har feil format (vanligvis 8 sifre)",
                         "The HMS card number has the wrong form (usually 8 digits)")
    return value


def parse_org_number(text: str, what: Problem) -> str:
    """A Norwegian org number, mod-11 checked; `what` names the column in the message."""
    number = normalize_org_number(text.strip())
    if not number:
        raise FieldError(f"{what.nb} mangler", f"{what.en} is missing")
    if not is_valid_org_number(number):
        raise FieldError(f"{what.nb}: «{number[:20]}» er ikke et gyldig organisasjonsnummer (9 sifre, mod 11)",
                         f"{what.en}: '{number[:20]}' is not a valid organisation number (9 digits, mod 11)")
    return number


def parse_phone(text: str) -> str:
    """A contact phone: digits and spaces, optionally a leading +, 8–15 digits; returned without spaces."""
    value = "".join(text.split())
    low, high = PHONE_DIGITS
    if not re.fullmatch(r"\+?\d+", value) or not low <= len(value.lstrip("+")) <= high:
        raise FieldError(f"Telefon: «{text.strip()[:20]}» er ikke et telefonnummer "
                         f"(bare sifre, mellomrom og + først; {low}–{high} sifre)",
                         f"Phone: '{text.strip()[:20]}' is not a phone number "
                         f"(digits, spaces and a leading + only; {low}–{high} digits)")
    return value


def check_period(active_from: date | None, active_to: date | None) -> None:
    if active_from and active_to and active_to < active_from:
        raise FieldError("«Til» er før «fra»", "'To' is before 'from'")


# --- whole files --------------------------------------------------------------------------------


def decode_csv(content: bytes) -> list[list[str]]:
    """A CSV file's cells: UTF-8 with or without BOM, ',' or ';' (whichever the header uses)."""
    check_size(content)
    if b"\x00" in content:
        raise CrewFileError("Filen er ikke en tekstfil (CSV) eller et Excel-ark (XLSX)",
                            "The file is not a text (CSV) file or an Excel (XLSX) sheet")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CrewFileError("Filen er ikke UTF-8. Lagre den som «CSV UTF-8» i Excel",
                            "The file is not UTF-8. Save it as 'CSV UTF-8' in Excel") from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        rows = []
        for cells in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            rows.append(cells)
            if len(rows) > MAX_ROWS + 1:
                raise too_many_rows()
        return rows
    except csv.Error:
        raise CrewFileError("Filen kan ikke leses som CSV (feil bruk av anførselstegn?)",
                            "The file cannot be read as CSV (misplaced quotes?)") from None


def check_size(content: bytes) -> None:
    if not content:
        raise CrewFileError("Filen er tom", "The file is empty")
    if len(content) > MAX_BYTES:
        raise CrewFileError(f"Filen er for stor (høyst {MAX_BYTES // 1024} KB)",
                            f"The file is too large (at most {MAX_BYTES // 1024} KB)")


def too_many_rows() -> CrewFileError:
    return CrewFileError(f"Filen har for mange rader (høyst {MAX_ROWS}). Del den opp",
                         f"The file has too many rows (at most {MAX_ROWS}). Split it up")


def parse_table(table: list[list[str]], today: date, card_pattern: str = r"\d{8}") -> ParsedCrew:
    """Check the header and every row; every problem of every row is reported, nothing is dropped."""
    if not table:
        raise CrewFileError("Filen er tom", "The file is empty")
    columns = check_header(table[0])
    body = table[1:]
    if len(body) > MAX_ROWS:
        raise too_many_rows()
    rows, errors, blank = [], [], 0
    for number, cells in enumerate(body, start=2):
        if not any(cell.strip() for cell in cells):
            blank += 1
            continue
        row, problems = parse_row(number, cells, today, card_pattern, columns)
        errors += [RowError(number, p) for p in problems]
        if row is not None:
            rows.append(row)
    errors += duplicate_cards(rows)
    if not rows and not errors:
        raise CrewFileError("Filen har ingen rader under overskriften", "The file has no rows under the header")
    return ParsedCrew(tuple(rows), tuple(sorted(errors, key=lambda e: e.row)), blank,
                      has_phone=columns == HEADER_WITH_PHONE)


def check_header(cells: list[str]) -> tuple[str, ...]:
    """The file's columns: the seven documented ones, or those and `phone`."""
    found = tuple(cell.strip().lstrip("\ufeff").lower() for cell in cells)
    while found and not found[-1]:
        found = found[:-1]
    if found not in (HEADER, HEADER_WITH_PHONE):
        expected = ",".join(HEADER)
        raise CrewFileError(f"Første rad må være overskriften {expected} (eventuelt med ,{PHONE_COLUMN} til slutt)",
                            f"The first row must be the header {expected} (optionally with ,{PHONE_COLUMN} last)")
    return found


def parse_row(number: int, cells: list[str], today: date, card_pattern: str,
              columns: tuple[str, ...] = HEADER) -> tuple[CrewRow | None, list[Problem]]:
    """One data row: the CrewRow when every value is usable, and the problems found."""
    cells = [cell.strip() for cell in cells]
    while len(cells) > len(columns) and not cells[-1]:
        cells.pop()
    if len(cells) > len(columns):
        return None, [Problem(f"Raden har {len(cells)} kolonner, men skal ha {len(columns)}",
                              f"The row has {len(cells)} columns, it should have {len(columns)}")]
    cells += [""] * (len(columns) - len(cells))
    by_column = dict(zip(columns, cells))
    # A phone's leading + is not a formula when the rest is a phone number (digits and spaces).
    if any(cell.startswith(FORMULA_STARTS) for key, cell in by_column.items()
           if not (key == PHONE_COLUMN and re.fullmatch(r"\+[\d ]+", cell))):
        return None, [Problem("Raden har en formel; skriv verdiene i stedet", "The row has a formula; give the values")]
    values, problems = {}, []
    parsers = _row_parsers(today, card_pattern)
    if PHONE_COLUMN in by_column:
        parsers += (("phone", lambda c: _optional(parse_phone)(c[PHONE_COLUMN])),)
    for key, parse in parsers:
        try:
            values[key] = parse(by_column)
        except FieldError as error:
            problems.append(error.problem)
    if not problems:
        try:
            check_period(values["active_from"], values["active_to"])
            if values["hired_by_org"] == values["employer_org"]:
                raise FieldError("«Innleid av» kan ikke være arbeidsgiveren selv",
                                 "Hired by cannot be the employer itself")
        except FieldError as error:
            problems.append(error.problem)
    if problems:
        return None, problems
    first, last = values.pop("name")
    return CrewRow(row=number, first_name=first, last_name=last, **values), []


def _optional(parse):
    return lambda text: parse(text) if text else None


def _row_parsers(today: date, card_pattern: str):
    employer, hired_by = Problem("Arbeidsgiver", "Employer"), Problem("Innleid av", "Hired by")
    start, end = Problem("Fra", "From"), Problem("Til", "To")
    return (
        ("name", lambda c: parse_name(c["name"])),
        ("birth_date", lambda c: parse_birth_date(c["birth_date"], today)),
        ("card_number", lambda c: parse_card_number(c["card_number"], card_pattern)),
        ("employer_org", lambda c: parse_org_number(c["employer_org"], employer)),
        ("hired_by_org", lambda c: _optional(lambda t: parse_org_number(t, hired_by))(c["hired_by_org"])),
        ("active_from", lambda c: _optional(lambda t: parse_date(t, start))(c["active_from"])),
        ("active_to", lambda c: _optional(lambda t: parse_date(t, end))(c["active_to"])),
    )


def duplicate_cards(rows: list[CrewRow]) -> list[RowError]:
    """A card number twice in one file is a mistake: one card is one person."""
    first_seen: dict[str, int] = {}
    errors = []
    for row in rows:
        if row.card_number in first_seen:
            seen = first_seen[row.card_number]
            errors.append(RowError(row.row, Problem(f"Samme HMS-kortnummer som rad {seen}",
                                                    f"Same HMS card number as row {seen}")))
        else:
            first_seen[row.card_number] = row.row
    return errors
