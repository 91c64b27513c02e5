"""Charts as inline SVG, drawn on the server: no script, no CDN, works offline.

Every label goes through ``escape``; each mark carries a ``<title>`` so a
browser shows the exact figure on hover.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

# Colour-blind-safe palette (Okabe-Ito, then greys) for categories and partners.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
    "#999999",
    "#666666",
)


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _svg(width: int, height: int, body: str, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="system-ui,sans-serif" font-size="11">{body}</svg>'
    )


def legend(names: Sequence[str]) -> str:
    items = "".join(
        f'<span class="key"><i style="background:{colour(i)}"></i>{escape(name)}</span>'
        for i, name in enumerate(names)
    )
    return f'<div class="legend">{items}</div>'


def stacked_bars(
    columns: Sequence[str], series: Sequence[str], values: dict[tuple[str, str], int], label: str
) -> str:
    """One bar per column, stacked by series: ``values[(column, series)]``."""
    if not columns:
        return '<p class="muted">No dated event matches these filters.</p>'
    totals = [sum(values.get((c, s), 0) for s in series) for c in columns]
    peak = max(totals) or 1
    left, top, height = 40, 10, 180
    step = max(6, min(40, 900 // len(columns)))
    width = left + step * len(columns) + 10
    parts = [_axis(left, top, height, peak)]
    for x_index, column in enumerate(columns):
        x = left + x_index * step
        y = top + height
        for s_index, name in enumerate(series):
            count = values.get((column, name), 0)
            if not count:
                continue
            bar = height * count / peak
            y -= bar
            parts.append(
                f'<rect x="{x + 1}" y="{y:.1f}" width="{step - 2}" height="{bar:.1f}" '
                f'fill="{colour(s_index)}"><title>{escape(column)} · {escape(name)}: '
                f"{count}</title></rect>"
            )
        if x_index % max(1, len(columns) // 12) == 0:
            parts.append(f'<text x="{x}" y="{top + height + 14}">{escape(column)}</text>')
    return _svg(width + 40, top + height + 24, "".join(parts), label) + legend(series)


def _axis(left: int, top: int, height: int, peak: int) -> str:
    return (
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + height}" stroke="#888"/>'
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end">{peak}</text>'
        f'<text x="{left - 4}" y="{top + height}" text-anchor="end">0</text>'
    )


def matrix(
    names: Sequence[str], values: dict[tuple[str, str], int], label: str, link: str = ""
) -> str:
    """A symmetric country-by-country heat map; ``link`` + ``A-B`` makes a cell a link."""
    if not names:
        return '<p class="muted">No country pair matches these filters.</p>'
    cell, left, top = 26, 48, 48
    peak = max(values.values(), default=1) or 1
    parts = []
    for i, name in enumerate(names):
        parts.append(
            f'<text x="{left - 4}" y="{top + i * cell + 17}" text-anchor="end">'
            f"{escape(name)}</text>"
            f'<text transform="translate({left + i * cell + 17},{top - 4}) rotate(-60)">'
            f"{escape(name)}</text>"
        )
        for j, other in enumerate(names):
            pair = tuple(sorted((name, other)))
            count = values.get(pair, 0) if name != other else 0  # type: ignore[arg-type]
            shade = 0.08 + 0.92 * count / peak if count else 0
            fill = f"rgba(0,114,178,{shade:.2f})" if count else "#f2f2f2"
            rect = (
                f'<rect x="{left + j * cell}" y="{top + i * cell}" width="{cell - 2}" '
                f'height="{cell - 2}" fill="{fill}"><title>{escape(name)}–{escape(other)}: '
                f"{count}</title></rect>"
            )
            if count and link:
                rect = f'<a href="{escape(link + "-".join(pair))}">{rect}</a>'
            parts.append(rect)
    size = left + cell * len(names) + 10
    return _svg(size, top + cell * len(names) + 10, "".join(parts), label)


def horizontal_bars(
    rows: Sequence[tuple[str, dict[str, int]]], series: Sequence[str], label: str
) -> str:
    """One bar per row label, stacked by series (e.g. category by status)."""
    if not rows:
        return '<p class="muted">No event matches these filters.</p>'
    peak = max(sum(parts.values()) for _, parts in rows) or 1
    left, bar_height, width = 110, 18, 480
    body = []
    for index, (name, parts) in enumerate(rows):
        y = index * (bar_height + 4)
        body.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{escape(name)}</text>')
        x = float(left)
        for s_index, part in enumerate(series):
            count = parts.get(part, 0)
            if not count:
                continue
            length = width * count / peak
            body.append(
                f'<rect x="{x:.1f}" y="{y}" width="{length:.1f}" height="{bar_height}" '
                f'fill="{colour(s_index)}"><title>{escape(name)} · {escape(part)}: {count}'
                "</title></rect>"
            )
            x += length
        body.append(f'<text x="{x + 4:.1f}" y="{y + 13}">{sum(parts.values())}</text>')
    height = len(rows) * (bar_height + 4)
    return _svg(left + width + 50, height, "".join(body), label) + legend(series)


def run_bars(runs: Sequence[tuple[str, int, int, str]], label: str) -> str:
    """A small bar per run, oldest left: articles up (green), failures down (red);
    a run without a manifest is a grey tick. ``runs``: (interval, articles, failures, state)."""
    peak = max([max(a, f) for _, a, f, _ in runs] or [1]) or 1
    step, half = 9, 16
    body = [f'<line x1="0" y1="{half}" x2="{step * len(runs)}" y2="{half}" stroke="#ccc"/>']
    for index, (interval, articles, failures, state) in enumerate(runs):
        x = index * step
        said = f"{interval}: {articles} article(s), {failures} failure(s), {state}"
        tip = f"<title>{escape(said)}</title>"
        if state == "missing":
            body.append(
                f'<rect x="{x}" y="{half - 1}" width="{step - 1}" height="2" '
                f'fill="#bbb">{tip}</rect>'
            )
            continue
        up = max(1.0, half * articles / peak) if articles else 0
        down = max(1.0, half * failures / peak) if failures else 0
        if state == "failed" and not down:
            down = half
        body.append(
            f'<g>{tip}<rect x="{x}" y="{half - up:.1f}" width="{step - 1}" height="{up:.1f}" '
            f'fill="#27ae60"/><rect x="{x}" y="{half}" width="{step - 1}" height="{down:.1f}" '
            'fill="#c0392b"/>'
            f'<rect x="{x}" y="0" width="{step - 1}" height="{2 * half}" fill="transparent"/></g>'
        )
    return _svg(step * len(runs), 2 * half, "".join(body), label)
