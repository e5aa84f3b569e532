"""A canvas that knows the page count, for "Side X av Y" and the generation time on every page.

ReportLab learns the total only after the last page, so each page's drawing state is kept and the
footer is drawn when the document is saved (the classic two-pass NumberedCanvas recipe).
"""
from reportlab.pdfgen import canvas

from reports.fonts import REGULAR, register_fonts


def numbered_canvas(footer_left: str, footer_centre: str):
    """A canvas class whose pages carry `footer_left`, `footer_centre` and "Side X av Y"."""
    register_fonts()

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args, **kwargs):
            # The doc template passes initialFontName=None, which means Helvetica: never the base-14 fonts.
            kwargs["initialFontName"] = kwargs.get("initialFontName") or REGULAR
            super().__init__(*args, **kwargs)
            self._saved_pages = []

        def showPage(self):
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved_pages)
            for number, state in enumerate(self._saved_pages, start=1):
                self.__dict__.update(state)
                self._draw_footer(number, total)
                super().showPage()
            super().save()

        def _draw_footer(self, number: int, total: int) -> None:
            width, _ = self._pagesize
            self.saveState()
            self.setFont(REGULAR, 7)
            self.drawString(28, 16, footer_left)
            self.drawCentredString(width / 2, 16, footer_centre)
            self.drawRightString(width - 28, 16, f"Side {number} av {total} / page {number} of {total}")
            self.restoreState()

    return NumberedCanvas
