"""Reading PDFs back as text (pypdf), so tests check what a reader of the document sees."""
from io import BytesIO

from pypdf import PdfReader


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(content)).pages]


def pdf_fonts(content: bytes) -> set[str]:
    """Base font names used on any page (e.g. "/AAAAAA+DejaVuSans")."""
    fonts = set()
    for page in PdfReader(BytesIO(content)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts
