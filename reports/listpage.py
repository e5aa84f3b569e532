"""One page of a long list, drawn straight onto the canvas: shading, one text object, rules.

ReportLab's Table draws each line of each cell as a text object of its own and keeps a style
object per cell; on a 10,000-person § 15 list that was most of the rendering time. A page of the
daily list needs none of what makes Table general (spans, flowables in cells, measuring, splitting
rows): its cells are plain text already wrapped to their column, its row heights are known and
reports/daily.py has paginated it. So it is drawn here, the way Table would draw it (same
positions, padding, fonts, shading and rules), in a fraction of the time.
"""
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.platypus import Flowable


@dataclass(frozen=True)
class Row:
    cells: list  # plain strings, lines separated by "\n"
    height: float
    font: str
    background: object = None  # a ReportLab colour, or None for none


@dataclass(frozen=True)
class Look:
    font_size: float
    leading: float
    padding_x: float  # left and right of the text in a cell
    padding_top: float
    rule_width: float
    rule_colour: object


class ListPage(Flowable):
    """A header row and body rows with a rule below each row and above the header."""

    def __init__(self, header: Row, rows: list[Row], widths: list[float], look: Look):
        super().__init__()
        self.header, self.rows, self.widths, self.look = header, rows, widths, look
        self.width = sum(widths)
        self.height = header.height + sum(row.height for row in rows)
        self.hAlign = "CENTER"  # as Table: a list as wide as the page sits over the frame's padding

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def split(self, available_width, available_height):
        """Only if a page came out taller than planned: the rows that fit, then the rest under the header again."""
        used, fits = self.header.height, 0
        for row in self.rows:
            if used + row.height > available_height:
                break
            used, fits = used + row.height, fits + 1
        if not fits:
            return []
        return [ListPage(self.header, self.rows[:fits], self.widths, self.look),
                ListPage(self.header, self.rows[fits:], self.widths, self.look)]

    def draw(self):
        rows = [self.header, *self.rows]
        tops = [self.height]
        for row in rows:
            tops.append(tops[-1] - row.height)  # tops[i + 1] is the bottom of row i
        canvas = self.canv
        canvas.saveState()
        self._shade(rows, tops)
        self._text(rows, tops)
        self._rules(tops)
        canvas.restoreState()

    def _shade(self, rows, tops):
        for row, top, bottom in zip(rows, tops, tops[1:]):
            if row.background is not None:
                self.canv.setFillColor(row.background)
                self.canv.rect(0, bottom, self.width, top - bottom, stroke=0, fill=1)

    def _text(self, rows, tops):
        look, text = self.look, self.canv.beginText()
        text.setFillColor(colors.black)
        lefts = [sum(self.widths[:n]) + look.padding_x for n in range(len(self.widths))]
        font = None
        for row, top in zip(rows, tops):
            if row.font != font:
                font = row.font
                text.setFont(font, look.font_size, look.leading)
            baseline = top - look.padding_top - look.font_size
            for left, cell in zip(lefts, row.cells):
                if cell:  # an empty cell draws nothing
                    text.setTextOrigin(left, baseline)
                    for line in cell.split("\n"):
                        text.textLine(line)  # moves down one leading
        self.canv.drawText(text)

    def _rules(self, tops):
        canvas = self.canv
        canvas.setLineCap(1)  # Table's defaults for its line commands
        canvas.setLineJoin(1)
        canvas.setStrokeColor(self.look.rule_colour)
        canvas.setLineWidth(self.look.rule_width)
        for y in [*tops[1:], tops[0]]:  # below every row, then above the header
            canvas.line(0, y, self.width, y)
