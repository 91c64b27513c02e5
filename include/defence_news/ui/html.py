"""Server-rendered HTML pages: every value from the store goes through ``escape``.

No JavaScript and no external assets (the UI must work without internet);
links are relative so the pages work under any mount prefix (Airflow mounts
the app at ``/defence-news``; the standalone command serves it at ``/``).
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode, urlsplit

from defence_news.models import CATEGORIES, STATUSES
from defence_news.ui.data import OUTCOME_COLUMNS, EventsView, HealthView, SourceHealth

SAFE_LINK_SCHEMES = ("http", "https")  # never javascript:, data: ... from a scraped page

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fafafa}
header{background:#1f3b57;color:#fff;padding:.6rem 1rem;display:flex;gap:1.5rem;align-items:center}
header a{color:#fff;text-decoration:none;opacity:.8}header a.on{opacity:1;font-weight:600}
main{padding:1rem}table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #ddd;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#eef2f6;position:sticky;top:0}td.n{text-align:right;font-variant-numeric:tabular-nums}
form{display:flex;gap:.6rem;flex-wrap:wrap;align-items:end;margin-bottom:.8rem}
label{display:flex;flex-direction:column;font-size:12px;color:#555}
.problems{background:#fff3f0;border:1px solid #e0a196;padding:.5rem 1rem;margin-bottom:1rem}
.muted{color:#777}.tag{padding:0 .35rem;border-radius:3px;background:#e8eef5;white-space:nowrap}
.st-error td:first-child{border-left:4px solid #c0392b}
.st-failures td:first-child{border-left:4px solid #e67e22}
.st-empty td:first-child{border-left:4px solid #999}
.st-ok td:first-child{border-left:4px solid #27ae60}
blockquote{margin:0;font-style:italic}
"""


def _page(title: str, active: str, body: str) -> str:
    tabs = [("events", "Events"), ("fused", "Fused events"), ("health", "Source health")]
    nav = "".join(
        f'<a href="{href}" class="{"on" if href == active else ""}">{label}</a>'
        for href, label in tabs
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<header><strong>Defence news</strong>{nav}</header><main>{body}</main></body></html>"
    )


def error_page(title: str, message: str) -> str:
    body = f'<div class="problems"><strong>{escape(title)}</strong><p>{escape(message)}</p></div>'
    return _page(title, "", body)


def _problems(problems: list[str]) -> str:
    if not problems:
        return ""
    items = "".join(f"<li>{escape(problem)}</li>" for problem in problems)
    return (
        '<div class="problems"><strong>Some objects could not be read; '
        f"they are left out below.</strong><ul>{items}</ul></div>"
    )


def _select(name: str, label: str, options: list[str], chosen: str | None, any_label: str) -> str:
    choices = [f'<option value="">{escape(any_label)}</option>']
    for value in options:
        selected = " selected" if value == chosen else ""
        choices.append(f'<option value="{escape(value)}"{selected}>{escape(value)}</option>')
    return f'<label>{escape(label)}<select name="{name}">{"".join(choices)}</select></label>'


def _filters_form(view: EventsView) -> str:
    f = view.filters
    fields = [
        _select("date", "date", view.dates, f.date, "newest"),
        _select("interval", "interval", view.intervals, f.interval, "all of the day"),
        _select("category", "category", list(CATEGORIES), f.category, "any"),
        _select("status", "status", list(STATUSES), f.status, "any"),
        _select("country", "country", view.countries, f.country, "any"),
        _select("source", "source", view.sources, f.source, "any"),
    ]
    action = "fused" if view.fused else "events"
    return f'<form method="get" action="{action}">{"".join(fields)}<button>Show</button></form>'


def safe_link(url: str | None, text: str) -> str:
    """An ``<a>`` for http(s) URLs only; anything else is shown as plain text."""
    label = escape(text)
    if url and urlsplit(url).scheme.lower() in SAFE_LINK_SCHEMES:
        return f'<a href="{escape(url)}" rel="noopener noreferrer" target="_blank">{label}</a>'
    return label


def _actors(row: dict[str, Any]) -> str:
    parts = []
    for actor in row.get("actors") or ():
        detail = " ".join(x for x in (actor.get("sector"), actor.get("branch")) if x)
        parts.append(
            f'<span class="tag">{escape(actor.get("country") or "?")}</span> '
            f"{escape(actor.get('name') or '')}"
            f' <span class="muted">{escape(detail)}</span>'
        )
    return "<br>".join(parts)


def _when(row: dict[str, Any]) -> str:
    when = row.get("when") or {}
    start, end = when.get("start"), when.get("end")
    span = start if not end or end == start else f"{start} – {end}"
    shown = escape(span or "undated")
    if when.get("text"):
        shown += f'<br><span class="muted">“{escape(when["text"])}”</span>'
    where = row.get("where") or {}
    place = ", ".join(x for x in (where.get("place"), where.get("country")) if x)
    if place:
        shown += f"<br>in {escape(place)}"
    return shown


def _event_row(row: dict[str, Any]) -> str:
    article = row.get("article") or {}
    evidence = row.get("evidence") or {}
    title = article.get("title") or article.get("url") or "article"
    source = " · ".join(
        escape(x) for x in (article.get("source_id"), (article.get("published_at") or "")[:10]) if x
    )
    cells = [
        escape(row.get("category") or ""),
        escape(row.get("status") or ""),
        _actors(row),
        _when(row),
        escape(row.get("event_name") or ""),
        f"<blockquote>{escape(evidence.get('sentence') or '')}</blockquote>",
        f'{safe_link(article.get("url"), title)}<br><span class="muted">{source}</span>',
    ]
    confidence = f'<td class="n">{float(row.get("confidence") or 0):.2f}</td>'
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + confidence + "</tr>"


def _fused_row(row: dict[str, Any]) -> str:
    countries = " ".join(
        f'<span class="tag">{escape(c)}</span>' for c in row.get("countries") or ()
    )
    start, end = row.get("start"), row.get("end")
    span = start if not end or end == start else f"{start} – {end}"
    sources = []
    for item in row.get("evidence") or ():
        label = " · ".join(
            x for x in (item.get("source_id"), (item.get("published_at") or "")[:10]) if x
        )
        sources.append(
            f"<blockquote>{escape(item.get('sentence') or '')}</blockquote>"
            f'<span class="muted">{safe_link(item.get("url"), label or "article")}</span>'
        )
    cells = [
        escape(row.get("category") or ""),
        escape(row.get("status") or ""),
        countries,
        escape(span or "undated"),
        escape(row.get("event_name") or ""),
        "".join(sources),
    ]
    numbers = f'<td class="n">{len(row.get("article_ids") or ())}</td>'
    numbers += f'<td class="n">{float(row.get("confidence") or 0):.2f}</td>'
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + numbers + "</tr>"


EVENT_HEADERS = ("category", "status", "actors", "when", "event", "evidence", "article", "conf.")
FUSED_HEADERS = (
    "category",
    "status",
    "countries",
    "when",
    "event",
    "evidence",
    "articles",
    "conf.",
)


def events_page(view: EventsView) -> str:
    """Events or fused events (``view.fused``): the same filters, different rows."""
    kind, render = ("fused", _fused_row) if view.fused else ("events", _event_row)
    headers = FUSED_HEADERS if view.fused else EVENT_HEADERS
    head = "".join(f"<th>{name}</th>" for name in headers)
    if view.events:
        table = f"<table><thead><tr>{head}</tr></thead><tbody>"
        table += "".join(render(row) for row in view.events) + "</tbody></table>"
    elif not view.dates:
        noun = "fused events" if view.fused else "events"
        table = f'<p class="muted">No {noun} have been written to the store yet.</p>'
    else:
        table = '<p class="muted">No event matches these filters.</p>'
    shown = f"{len(view.events)} of {view.total}" if view.truncated else str(view.total)
    query = urlencode({k: v for k, v in vars(view.filters).items() if v})
    summary = (
        f"<p>{shown} {_noun(view)} on {escape(view.filters.date or '-')} · "
        f'<a href="api/{kind}?{escape(query)}">JSON</a></p>'
    )
    body = _problems(view.problems) + _filters_form(view) + summary + table
    return _page(f"Defence news: {kind}", kind, body)


def _noun(view: EventsView) -> str:
    return "fused event(s)" if view.fused else "event(s)"


def _interval_link(slug: str) -> str:
    """The interval's events (the partition date is the interval start's date)."""
    query = urlencode({"date": f"{slug[0:4]}-{slug[4:6]}-{slug[6:8]}", "interval": slug})
    return f'<a href="events?{escape(query)}">{escape(slug)}</a>'


def _counts_cells(counts: dict[str, int]) -> str:
    return "".join(f'<td class="n">{counts.get(name, 0)}</td>' for name in OUTCOME_COLUMNS)


def _health_row(row: SourceHealth) -> str:
    reasons = "<br>".join(f"{escape(reason)} ×{count}" for reason, count in row.top_reasons())
    errors = "<br>".join(escape(error) for error in row.source_errors)
    return (
        f'<tr class="st-{row.state}"><td>{_interval_link(row.interval)}</td>'
        f"<td>{escape(row.source_id)}</td><td>{row.state}</td>{_counts_cells(row.counts)}"
        f"<td>{reasons}</td><td>{errors}</td></tr>"
    )


def health_page(view: HealthView) -> str:
    columns = "".join(f"<th>{name}</th>" for name in OUTCOME_COLUMNS)
    date_form = (
        '<form method="get" action="health">'
        + _select("date", "date", view.dates, view.date, "most recent")
        + "<button>Show</button></form>"
    )
    if not view.rows:
        body = _problems(view.problems) + date_form
        body += '<p class="muted">No ingest manifest has been written to the store yet.</p>'
        return _page("Defence news: source health", "health", body)
    totals = "".join(
        f"<tr><td>{escape(source)}</td>{_counts_cells(counts)}</tr>"
        for source, counts in view.totals().items()
    )
    per_interval = "".join(
        f'<tr><td>{_interval_link(c.interval)}</td><td class="n">{c.sources}</td>'
        f'<td class="n">{c.discovered}</td><td class="n">{c.articles}</td>'
        f'<td class="n">{c.failed}</td>'
        f'<td class="n">{"not extracted yet" if c.events is None else c.events}</td></tr>'
        for c in view.per_interval
    )
    detail = "".join(_health_row(row) for row in view.rows)
    newest, oldest = view.intervals[0], view.intervals[-1]
    body = (
        _problems(view.problems)
        + date_form
        + f"<p>{len(view.intervals)} interval(s), {escape(oldest)} … {escape(newest)} · "
        + f'<a href="api/health{"?date=" + escape(view.date) if view.date else ""}">JSON</a></p>'
        + "<h3>Per interval</h3><table><tr><th>interval</th><th>sources</th><th>discovered</th>"
        + f"<th>articles</th><th>failed</th><th>events</th></tr>{per_interval}</table>"
        + f"<h3>Totals per source</h3><table><tr><th>source</th>{columns}</tr>{totals}</table>"
        + "<h3>Per source and interval</h3><table><tr><th>interval</th><th>source</th>"
        + "<th>state</th>"
        + f"{columns}<th>top reasons</th><th>source errors</th></tr>{detail}</table>"
    )
    return _page("Defence news: source health", "health", body)
