"""Bar charts drawn on the server as SVG (``templates/admin/_charts.html``): no script, no
library, nothing fetched from elsewhere. This module only measures the bars; the template
draws them, names them for screen readers and writes their numbers as a table."""

from dataclasses import dataclass

from flask_babel import format_date

# The drawing's own units: the SVG stretches to its box, so only the proportions matter.
HEIGHT = 100
SLOT = 10  # the width given to each bar, its gap included
GAP = 0.3  # the part of a slot left empty between two bars


@dataclass(frozen=True)
class Bar:
    key: str  # what the bar stands for, for scripts and tests (a day: 2025-05-31)
    label: str  # what a reader sees (31/05)
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    top: int  # the value a bar of full height stands for
    width: int
    height: int

    @property
    def total(self):
        return sum(bar.value for bar in self.bars)

    @property
    def peak(self):
        """The highest bar (the first of equals), None when every bar is zero."""
        highest = max(self.bars, key=lambda bar: bar.value, default=None)
        return highest if highest is not None and highest.value > 0 else None


def bar_chart(points):
    """A chart of ``(key, label, value)`` points, one bar each, in order. A bar's height is
    its share of the highest value; a zero is a bar of no height, still there to be read."""
    points = list(points)
    top = max((value for _, _, value in points), default=0) or 1
    width = (1 - GAP) * SLOT
    bars = []
    for index, (key, label, value) in enumerate(points):
        height = round(HEIGHT * value / top, 2)
        bars.append(
            Bar(
                key=key,
                label=label,
                value=value,
                x=round(index * SLOT + GAP * SLOT / 2, 2),
                y=round(HEIGHT - height, 2),
                width=width,
                height=height,
            )
        )
    return BarChart(bars=tuple(bars), top=top, width=SLOT * len(bars), height=HEIGHT)


def day_label(day):
    """A day as the charts write it: day and month (31/05)."""
    return format_date(day, "dd/MM")


def daily_chart(days, field):
    """The chart of one figure (``members``, ``orders``) of ``services.dashboard.Day``s."""
    return bar_chart((day.day.isoformat(), day_label(day.day), getattr(day, field)) for day in days)
