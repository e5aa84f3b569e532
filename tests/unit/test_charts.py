"""The dashboard's bar-chart geometry."""
from app.dashboard.charts import HEIGHT, TOP, bar_chart


def test_the_tallest_bar_fills_the_plot_and_the_others_scale():
    chart = bar_chart([0, 5, 10], ["a", "b", "c"])
    zero, half, full = chart.bars
    assert zero.height == 0 and full.y == TOP
    assert abs(half.height * 2 - full.height) < 0.2
    assert chart.maximum == 10


def test_an_empty_day_draws_flat_bars():
    chart = bar_chart([0] * 24, [str(h) for h in range(24)])
    assert all(bar.height == 0 for bar in chart.bars) and chart.maximum == 1


def test_bars_stay_inside_the_picture_and_do_not_overlap():
    chart = bar_chart(list(range(30)), [str(d) for d in range(30)], label_every=7)
    for left, right in zip(chart.bars, chart.bars[1:]):
        assert left.x + left.width < right.x
    assert chart.bars[-1].x + chart.bars[-1].width <= chart.width
    assert all(0 <= bar.y <= HEIGHT for bar in chart.bars)
    assert [bar.label for bar in chart.bars if bar.show_label] == ["0", "7", "14", "21", "28"]
