"""The managers' report's chart of offices on the central provider over time: a step line
scaled to an inline SVG (no scripts, nothing fetched). Pure."""

from __future__ import annotations

import datetime as dt


def chart(
    series: list[tuple[dt.date, int]], total: int, today: dt.date | None = None
) -> dict[str, object]:
    """A step line of offices on central per day, held until ``today``, scaled to a
    560 x 160 SVG, with a dot on each day a count changed (one day alone is a dot, not a
    line of no length on the axis)."""
    width, height = 560, 160
    if not series:
        return {"points": "", "width": width, "height": height, "labels": [], "dots": []}
    first = series[0][0]
    last = max(series[-1][0], today or series[-1][0])
    days = (last - first).days

    def x_of(day: dt.date) -> float:
        if not days:
            return 40 + (width - 60) / 2  # a single day sits mid-chart
        return 40 + (width - 60) * (day - first).days / days

    def y_of(count: int) -> float:
        return height - 20 - (height - 40) * count / max(1, total)

    points: list[str] = []
    dots: list[tuple[float, float, str]] = []
    previous = 0
    for day, count in series:
        x = x_of(day)
        points += [f"{x:.1f},{y_of(previous):.1f}", f"{x:.1f},{y_of(count):.1f}"]
        dots.append((round(x, 1), round(y_of(count), 1), f"{day.isoformat()}: {count}"))
        previous = count
    if days and last > series[-1][0]:
        points.append(f"{x_of(last):.1f},{y_of(previous):.1f}")  # held until today
    labels = [(round(x_of(first), 1), first.isoformat())]
    if days:
        labels.append((width - 20, last.isoformat()))
    return {
        "points": " ".join(points),
        "width": width,
        "height": height,
        "labels": labels,
        "dots": dots,
    }
