"""Bar charts as plain geometry, drawn as inline SVG by templates/_chart.html: no JavaScript library.

Pure Python: numbers and labels in, rectangles out. Only every few labels are kept so they do not
overlap on a phone.
"""
from dataclasses import dataclass

WIDTH, HEIGHT = 600, 160
TOP, BOTTOM, LEFT, RIGHT = 20, 30, 36, 30  # room for the value scale and the labels


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    show_label: bool


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    maximum: int
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM
    top: int = TOP


def bar_chart(values: list[int], labels: list[str], label_every: int = 1) -> BarChart:
    """Bars scaled to the largest value (at least 1, so an empty day draws flat, not divided by zero)."""
    maximum = max([1, *values])
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(values))
    plot_height = HEIGHT - TOP - BOTTOM
    bars = []
    for index, (value, label) in enumerate(zip(values, labels)):
        height = plot_height * value / maximum
        bars.append(Bar(x=round(LEFT + index * slot + slot * 0.1, 1), y=round(HEIGHT - BOTTOM - height, 1),
                        width=round(slot * 0.8, 1), height=round(height, 1), value=value, label=label,
                        show_label=index % label_every == 0))
    return BarChart(tuple(bars), maximum)
