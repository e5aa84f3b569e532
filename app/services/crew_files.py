"""Reading an uploaded crew list (CSV or XLSX) into rows of strings for app/domain/crew_import.py.

XLSX needs openpyxl, so it lives here rather than in the pure domain. Every way a file can be
broken ends in a CrewFileError with a message for the user, never a traceback.
"""
import io
import zipfile
from datetime import date, datetime

from app.domain.crew_import import HEADER, MAX_ROWS, CrewFileError, check_size, decode_csv, too_many_rows

ZIP_MAGIC = b"PK\x03\x04"
MAX_UNZIPPED = 50 * 1024 * 1024  # a 1 MB zip bomb must not fill the memory
MAX_COLUMNS = 26  # enough to see that a row has too many columns, not a million


def read_table(content: bytes, filename: str = "") -> list[list[str]]:
    """The file's cells as strings: XLSX when it is a zip (or named .xlsx), else CSV."""
    check_size(content)
    if content.startswith(ZIP_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        return read_xlsx(content)
    return decode_csv(content)


def read_xlsx(content: bytes) -> list[list[str]]:
    """The first sheet's cells; formulas come through as text starting with "=" (refused by the rules)."""
    _check_zip(content)
    try:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        try:
            return _sheet_rows(book.worksheets[0])
        finally:
            book.close()
    except CrewFileError:
        raise
    except Exception:  # openpyxl raises many kinds on a broken file; all mean the same to the user
        raise _unreadable() from None


def _check_zip(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _unreadable() from None
    if unzipped > MAX_UNZIPPED:
        raise CrewFileError("Excel-filen er for stor når den pakkes ut", "The Excel file is too large unpacked")


def _sheet_rows(sheet) -> list[list[str]]:
    rows, filled = [], 0
    for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
        cells = [_cell_text(v) for v in values]
        rows.append(cells)
        if any(cells):
            filled += 1
            if filled > MAX_ROWS + 1:
                raise too_many_rows()
    while rows and not any(rows[-1]):
        rows.pop()
    return [row + [""] * (len(HEADER) - len(row)) if len(row) < len(HEADER) else row for row in rows]


def _cell_text(value) -> str:
    """Excel's own types back to the text the rules read (a date cell → YYYY-MM-DD, 12.0 → 12)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float, str)):
        return str(value)
    return "=" + type(value).__name__  # an array formula or another object: treated as a formula


def _unreadable() -> CrewFileError:
    return CrewFileError("Excel-filen kan ikke leses (skadet fil?). Lagre den på nytt som .xlsx eller CSV",
                         "The Excel file cannot be read (damaged?). Save it again as .xlsx or CSV")
