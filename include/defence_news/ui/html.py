"""Server-rendered HTML pages: every value from the store goes through ``escape``.

No JavaScript and no external assets (the UI must work without internet): rows
expand with ``<details>``, charts are inline SVG (charts.py). Links are
relative so the pages work under any mount prefix (Airflow mounts the app at
``/defence-news``; the standalone command serves it at ``/``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from html import escape
from typing import Any
from urllib.parse import urlencode, urlsplit

from defence_news.models import CATEGORIES, STATUSES
from defence_news.ui import charts
from defence_news.ui.data import EventsView
from defence_news.ui.filters import MAX_PAGE_SIZE, EventQuery
from defence_news.ui.health import HealthView, Run, SourceRow, gist

SAFE_LINK_SCHEMES = ("http", "https")  # never javascript:, data: ... from a scraped page

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fafafa}
header{background:#1f3b57;color:#fff;padding:.6rem 1rem;display:flex;gap:1.5rem;align-items:center}
header a{color:#fff;text-decoration:none;opacity:.8}header a.on{opacity:1;font-weight:600}
main{padding:1rem}table{border-collapse:collapse;background:#fff}
th,td{border:1px solid #ddd;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#eef2f6}td.n{text-align:right;font-variant-numeric:tabular-nums}
form{display:flex;gap:.6rem;flex-wrap:wrap;align-items:end;margin-bottom:.8rem}
label{display:flex;flex-direction:column;font-size:12px;color:#555}
input{width:9rem}input[type=date]{width:auto}
.problems{background:#fff3f0;border:1px solid #e0a196;padding:.5rem 1rem;margin-bottom:1rem}
.notice{background:#f3f6ff;border:1px solid #9fb0e0;padding:.5rem 1rem;margin-bottom:1rem}
.muted{color:#777}.tag{padding:0 .35rem;border-radius:3px;background:#e8eef5;white-space:nowrap}
a.tag{text-decoration:none;color:inherit}
details.ev{background:#fff;border:1px solid #ddd;border-top:none}
details.ev>summary{display:grid;grid-template-columns:7rem 6rem 12rem 11rem 1fr 3.5rem;gap:.5rem;
padding:.3rem .5rem;cursor:pointer;list-style:none}
details.ev>summary::-webkit-details-marker{display:none}
details.ev>summary::before{content:"\\25B8";position:absolute;margin-left:-.9rem;color:#888}
details.ev[open]>summary::before{content:"\\25BE"}
details.ev>div{padding:.4rem 1rem .8rem 1.5rem;border-top:1px dashed #ddd}
.head{display:grid;grid-template-columns:7rem 6rem 12rem 11rem 1fr 3.5rem;gap:.5rem;
padding:.3rem .5rem;background:#eef2f6;border:1px solid #ddd;font-weight:600}
.list{padding-left:1rem}mark{background:#ffe58a}blockquote{margin:.2rem 0;font-style:italic}
.st-failed td:first-child{border-left:4px solid #c0392b}
.st-unreadable td:first-child{border-left:4px solid #c0392b}
.st-failures td:first-child{border-left:4px solid #e67e22}
.st-empty td:first-child,.st-missing td:first-child{border-left:4px solid #999}
.st-ok td:first-child{border-left:4px solid #27ae60}
.flag{background:#c0392b;color:#fff;border-radius:3px;padding:0 .3rem}
.legend{display:flex;flex-wrap:wrap;gap:.8rem;font-size:12px;margin:.3rem 0 1rem}
.key i{display:inline-block;width:10px;height:10px;margin-right:.25rem}
.pager a,.pager span{margin-right:.6rem}td.bars{white-space:nowrap;min-width:220px}
"""

TABS = (
    ("events", "Events"),
    ("fused", "Fused events"),
    ("charts", "Charts"),
    ("health", "Source health"),
)


def _page(title: str, active: str, body: str) -> str:
    nav = "".join(
        f'<a href="{href}" class="{"on" if href == active else ""}">{label}</a>'
        for href, label in TABS
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<header><strong>Defence news</strong>{nav}</header><main>{body}</main></body></html>"
    )


def error_page(title: str, message: str) -> str:
    body = f'<div class="problems"><strong>{escape(title)}</strong><p>{escape(message)}</p></div>'
    return _page(title, "", body)


def warming_page(message: str, retry_after: int) -> str:
    """The 503 while the tables are first built: it reloads itself, so the visitor
    sees the page as soon as it can be answered."""
    body = (
        f'<div class="notice" id="warming"><strong>Loading the store</strong>'
        f"<p>{escape(message)}</p><p>This page reloads by itself.</p></div>"
    )
    refresh = f'<meta http-equiv="refresh" content="{int(retry_after)}">'
    return _page("Defence news: loading", "", body).replace("<head>", f"<head>{refresh}", 1)


def refused_page(status: int, detail: str, here: str) -> str:
    """401: the way to Airflow's sign-in (relative: Airflow mounts the pages one level
    below its base URL); 403: whose permission is missing."""
    if status == 401:
        login = escape("../auth/login?" + urlencode({"next": here}))
        message = (
            f'<p>{escape(detail)}. <a href="{login}" id="sign-in">Sign in to Airflow</a> '
            "to see these pages.</p>"
        )
    else:
        message = (
            f"<p>{escape(detail)}: your Airflow account may not read the pipeline's DAGs, "
            "so it may not see what they wrote. Ask an Airflow admin for access.</p>"
        )
    body = f'<div class="problems"><strong>Sign-in needed</strong>{message}</div>'
    return _page("Defence news: sign in", "", body)


def _pending(pending: str | None) -> str:
    if not pending:
        return ""
    return f'<div class="notice" id="pending">{escape(pending)}</div>'


def _problems(problems: list[str]) -> str:
    if not problems:
        return ""
    items = "".join(f"<li>{escape(problem)}</li>" for problem in problems)
    return (
        '<div class="problems"><strong>Some objects could not be read; '
        f"they are left out below.</strong><ul>{items}</ul></div>"
    )


def _href(path: str, params: dict[str, str]) -> str:
    return escape(f"{path}?{urlencode(params)}" if params else path)


def _select(name: str, label: str, options: list[str], chosen: str | None, any_label: str) -> str:
    choices = [f'<option value="">{escape(any_label)}</option>']
    if chosen and chosen not in options:  # a filter from a link: still shown as chosen
        options = [chosen, *options]
    for value in options:
        selected = " selected" if value == chosen else ""
        choices.append(f'<option value="{escape(value)}"{selected}>{escape(value)}</option>')
    return (
        f'<label>{escape(label)}<select name="{name}" id="f-{name}">{"".join(choices)}'
        "</select></label>"
    )


def _input(name: str, label: str, value: Any, kind: str = "text", extra: str = "") -> str:
    shown = "" if value is None else str(value)
    return (
        f'<label>{escape(label)}<input type="{kind}" name="{name}" id="f-{name}" '
        f'value="{escape(shown)}"{extra}></label>'
    )


def filters_form(action: str, query: EventQuery, countries: list[str], sources: list[str]) -> str:
    q = query
    fields = [
        _input("event_from", "event from", q.event_from, "date"),
        _input("event_to", "event to", q.event_to, "date"),
        _input("ingest_from", "ingested from", q.ingest_from, "date"),
        _input("ingest_to", "ingested to", q.ingest_to, "date"),
        _select("country", "country", countries, q.country, "any"),
        _input("pair", "pair (KHM-USA)", "-".join(q.pair) if q.pair else None),
        _select("category", "category", list(CATEGORIES), q.category, "any"),
        _select("status", "status", list(STATUSES), q.status, "any"),
        _select("source", "source", sources, q.source, "any"),
        _input(
            "min_confidence",
            "min confidence",
            q.min_confidence,
            "number",
            ' min="0" max="1" step="0.05"',
        ),
        _input("q", "text in evidence", q.q),
        _input("page_size", "per page", q.page_size, "number", f' min="1" max="{MAX_PAGE_SIZE}"'),
    ]
    if q.interval:
        fields.append(f'<input type="hidden" name="interval" value="{escape(q.interval)}">')
    return (
        f'<form method="get" action="{action}" id="filters">{"".join(fields)}'
        '<button id="apply">Show</button></form>'
    )


def safe_link(url: str | None, text: str) -> str:
    """An ``<a>`` for http(s) URLs only; anything else is shown as plain text."""
    label = escape(text)
    if url and urlsplit(url).scheme.lower() in SAFE_LINK_SCHEMES:
        return f'<a href="{escape(url)}" rel="noopener noreferrer" target="_blank">{label}</a>'
    return label


def highlight(text: str, words: list[str]) -> str:
    """``text`` escaped, with each of ``words`` (case-insensitive) in ``<mark>``."""
    wanted = sorted({w for w in words if w and w.strip()}, key=len, reverse=True)
    if not wanted:
        return escape(text)
    pattern = re.compile("|".join(re.escape(word) for word in wanted), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _country_tags(codes: list[str] | None) -> str:
    return " ".join(
        f'<a class="tag" href="{_href("country", {"code": code})}">{escape(code)}</a>'
        for code in codes or ()
    )


def _span(start: Any, end: Any) -> str:
    if not start:
        return "undated"
    return str(start) if not end or end == start else f"{start} – {end}"


def _summary(row: dict[str, Any], countries: list[str] | None, start: Any, end: Any) -> str:
    cells = [
        escape(row.get("category") or ""),
        escape(row.get("status") or ""),
        _country_tags(countries),
        escape(_span(start, end)),
        escape(row.get("event_name") or "") or '<span class="muted">—</span>',
        f'<span class="n">{float(row.get("confidence") or 0):.2f}</span>',
    ]
    return "<summary>" + "".join(f"<span>{cell}</span>" for cell in cells) + "</summary>"


def _people(people: list[Any] | None) -> str:
    shown = []
    for person in people or ():
        if isinstance(person, dict):
            detail = ", ".join(
                x
                for x in (person.get("title"), person.get("organisation"), person.get("country"))
                if x
            )
            shown.append(
                escape(person.get("name") or "") + (f" ({escape(detail)})" if detail else "")
            )
        elif person:
            shown.append(escape(str(person)))
    return "; ".join(shown) or '<span class="muted">none named</span>'


def _event_detail(row: dict[str, Any], q: str | None) -> str:
    article = row.get("article") or {}
    evidence = row.get("evidence") or {}
    when = row.get("when") or {}
    where = row.get("where") or {}
    words = list(evidence.get("triggers") or ()) + ([q] if q else [])
    place = ", ".join(x for x in (where.get("place"), where.get("country")) if x)
    title = article.get("title") or article.get("url") or "article"
    actors = "<br>".join(_actor(actor) for actor in row.get("actors") or ())
    sentence = highlight(evidence.get("sentence") or "", words)
    lines = [
        f'<blockquote class="evidence">{sentence}</blockquote>',
        f"<p><b>Actors</b><br>{actors}</p>",
        f"<p><b>People</b>: {_people(row.get('people'))}</p>",
        f"<p><b>When</b>: {escape(_span(when.get('start'), when.get('end')))} "
        f"(precision: {escape(when.get('precision') or 'unknown')})"
        + (f' <span class="muted">“{escape(when["text"])}”</span>' if when.get("text") else "")
        + (f" · in {escape(place)}" if place else "")
        + "</p>",
        f"<p><b>Article</b>: {safe_link(article.get('url'), title)} "
        f'<span class="muted">{escape(article.get("source_id") or "")} · '
        f"{escape((article.get('published_at') or '')[:10])} · ingested "
        f"{escape(row.get('ingest_date') or '')}</span></p>",
    ]
    extractor = row.get("extractor") or {}
    if extractor.get("version"):
        # Which extractor wrote it: after a re-extraction, old and new versions differ.
        lines.append(
            f'<p class="muted">extractor: {escape(str(extractor.get("name") or ""))} '
            f"{escape(str(extractor['version']))}</p>"
        )
    return "<div>" + "".join(lines) + "</div>"


def _actor(actor: dict[str, Any]) -> str:
    code = actor.get("country")
    detail = " ".join(x for x in (actor.get("sector"), actor.get("branch"), actor.get("role")) if x)
    return (
        f"{_country_tags([code] if code else [])} {escape(actor.get('name') or '')}"
        f' <span class="muted">{escape(detail)}</span>'
    )


def _outlet_item(item: dict[str, Any], q: str | None) -> str:
    link = safe_link(item.get("url"), (item.get("published_at") or "")[:10] or "article")
    repeats = f" · repeats {escape(item['duplicate_of'])}" if item.get("duplicate_of") else ""
    sentence = highlight(item.get("sentence") or "", [q] if q else [])
    return f'<li><blockquote>{sentence}</blockquote><span class="muted">{link}{repeats}</span></li>'


HISTORY_COLUMNS = ("first_seen", "status", "event_id")


def _fused_detail(row: dict[str, Any], q: str | None) -> str:
    by_outlet: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in row.get("evidence") or ():
        by_outlet[item.get("source_id") or "unknown source"].append(item)
    outlets = []
    for outlet, items in sorted(by_outlet.items()):
        sentences = "".join(_outlet_item(item, q) for item in items)
        outlets.append(f'<li class="outlet"><b>{escape(outlet)}</b><ul>{sentences}</ul></li>')
    history = row.get("status_history") or []
    history_rows = "".join(
        "<tr>"
        + "".join(f"<td>{escape(str(h.get(name) or ''))}</td>" for name in HISTORY_COLUMNS)
        + "</tr>"
        for h in history
    )
    parts = [
        f"<p><b>{len(by_outlet)} outlet(s)</b>, {len(row.get('article_ids') or ())} article(s)</p>",
        f'<ul class="list outlets">{"".join(outlets)}</ul>',
        f"<p><b>People</b>: {_people(row.get('people'))}</p>",
        f"<p><b>When</b>: {escape(_span(row.get('start'), row.get('end')))} "
        f"(precision: {escape(row.get('precision') or 'unknown')})</p>",
    ]
    if row.get("first_reported") or row.get("last_reported"):
        parts.append(
            f"<p><b>Reported</b>: first {escape(str(row.get('first_reported') or '?'))}, "
            f"last {escape(str(row.get('last_reported') or '?'))}</p>"
        )
    if history_rows:
        parts.append(
            '<p><b>Status history</b></p><table class="history"><tr><th>first seen</th>'
            f"<th>status</th><th>event</th></tr>{history_rows}</table>"
        )
    if row.get("outlets"):
        parts.append(f"<p><b>Outlets</b>: {escape(', '.join(row['outlets']))}</p>")
    if row.get("extractor_versions"):
        parts.append(
            f'<p class="muted">extractors: {escape(", ".join(row["extractor_versions"]))}</p>'
        )
    return "<div>" + "".join(parts) + "</div>"


def _row(row: dict[str, Any], fused: bool, q: str | None) -> str:
    if fused:
        summary = _summary(row, row.get("countries_all"), row.get("start"), row.get("end"))
        detail = _fused_detail(row, q)
    else:
        when = row.get("when") or {}
        summary = _summary(row, row.get("countries_all"), when.get("start"), when.get("end"))
        detail = _event_detail(row, q)
    return f'<details class="ev">{summary}{detail}</details>'


def _pager(path: str, view: EventsView) -> str:
    query, links = view.query, []
    if query.page > 1:
        links.append(
            f'<a href="{_href(path, query.params(page=query.page - 1))}" rel="prev">‹ previous</a>'
        )
    links.append(f"<span>page {query.page} of {view.pages}</span>")
    if query.page < view.pages:
        links.append(
            f'<a href="{_href(path, query.params(page=query.page + 1))}" rel="next">next ›</a>'
        )
    return f'<p class="pager">{"".join(links)}</p>'


def export_links(kind: str, query: EventQuery) -> str:
    params = query.params(page=1)
    params.pop("page_size", None)  # an export is every matching row, not one page
    return " · ".join(
        f'<a href="{_href(f"export/{kind}", {**params, "format": fmt})}" '
        f'id="export-{fmt}">{label}</a>'
        for fmt, label in (("csv", "CSV"), ("jsonl", "JSON Lines"))
    )


def events_page(view: EventsView) -> str:
    """Events or fused events (``view.fused``): the same filters, different rows."""
    kind = view.kind
    noun = "fused event(s)" if view.fused else "event(s)"
    head = "".join(
        f"<span>{h}</span>" for h in ("category", "status", "countries", "when", "event", "conf.")
    )
    if view.events:
        listing = f'<div class="head">{head}</div>' + "".join(
            _row(row, view.fused, view.query.q) for row in view.events
        )
    elif not view.stored:
        label = "fused events" if view.fused else "events"
        listing = f'<p class="muted">No {label} have been written to the store yet.</p>'
    else:
        listing = '<p class="muted">No event matches these filters.</p>'
    first = (view.query.page - 1) * view.query.page_size + 1 if view.events else 0
    last = first + len(view.events) - 1 if view.events else 0
    params = view.query.params(page=1)
    summary = (
        f'<p id="summary"><b>{view.total}</b> {noun} match ({first}–{last} shown) '
        f"of {view.stored} stored"
        f" · export {export_links(kind, view.query)}"
        f' · <a href="{_href(f"api/{kind}", view.query.params())}">JSON</a>'
        f' · <a href="{_href("charts", {**params, "kind": kind})}">charts of these</a>'
        + (f' · <span class="muted">read from {escape(view.origin)}</span>' if view.fused else "")
        + "</p>"
    )
    body = (
        _pending(view.pending)
        + _problems(view.problems)
        + filters_form(kind, view.query, view.countries, view.sources)
        + summary
        + listing
        + _pager(kind, view)
    )
    return _page(f"Defence news: {kind}", kind, body)


# -- charts and country pages ------------------------------------------------------------


def charts_page(
    kind: str,
    view: EventsView,
    weekly: list[tuple],
    pairs: list[tuple[str, str, int]],
    top_countries: int = 14,
) -> str:
    categories = sorted({category for _, category, _ in weekly})
    weeks = sorted({week.isoformat() for week, _, _ in weekly})
    values = {(week.isoformat(), category): count for week, category, count in weekly}
    bars = charts.stacked_bars(weeks, categories, values, "events per week by category")
    involvement: dict[str, int] = defaultdict(int)
    for a, b, count in pairs:
        involvement[a] += count
        involvement[b] += count
    names = sorted(sorted(involvement, key=lambda c: -involvement[c])[:top_countries])
    cells = {(a, b): n for a, b, n in pairs if a in names and b in names}
    base = view.query.params(page=1, pair=None)
    pair_link = f"{kind}?" + urlencode({**base, "pair": ""})
    grid = charts.matrix(names, cells, "strongest country pairs", link=pair_link)
    top = "".join(
        f'<tr><td><a href="{_href(kind, {**base, "pair": f"{a}-{b}"})}">'
        f'{escape(a)}–{escape(b)}</a></td><td class="n">{n}</td></tr>'
        for a, b, n in pairs[:15]
    )
    kinds = "".join(
        f'<option value="{k}"{" selected" if k == kind else ""}>{k}</option>'
        for k in ("events", "fused")
    )
    form = filters_form("charts", view.query, view.countries, view.sources).replace(
        '<button id="apply">',
        f'<label>of<select name="kind" id="f-kind">{kinds}</select></label><button id="apply">',
    )
    body = (
        _problems(view.problems)
        + form
        + f'<p id="summary"><b>{view.total}</b> matching {_noun(kind)}</p>'
        + f'<h3>Events per week by category (event date)</h3><div id="weekly">{bars}</div>'
        + f'<h3>Strongest country pairs</h3><div id="pairs" style="display:flex;gap:2rem">{grid}'
        + f"<table><tr><th>pair</th><th>events</th></tr>{top}</table></div>"
    )
    return _page("Defence news: charts", "charts", body)


def _noun(kind: str) -> str:
    return "fused events" if kind == "fused" else "events"


def _with_pair(query: EventQuery, code: str, partner: str) -> dict[str, str]:
    return {**query.params(page=1), "pair": "-".join(sorted((code, partner)))}


def country_page(
    code: str,
    kind: str,
    view: EventsView,
    partners: list[tuple[str, str, int]],
    kinds: list[tuple[str, str, int]],
    top_partners: int = 8,
) -> str:
    totals: dict[str, int] = defaultdict(int)
    for _, partner, count in partners:
        totals[partner] += count
    leading = sorted(totals, key=lambda p: (-totals[p], p))[:top_partners]
    series = [*leading, "other"] if len(totals) > len(leading) else leading
    values: dict[tuple[str, str], int] = defaultdict(int)
    for month, partner, count in partners:
        values[(month, partner if partner in leading else "other")] += count
    months = sorted({month for month, _, _ in partners})
    over_time = charts.stacked_bars(months, series, values, f"{code}: partners by month")
    by_category: dict[str, dict[str, int]] = defaultdict(dict)
    for category, status, count in kinds:
        by_category[category or "?"][status or "?"] = count
    statuses = [s for s in STATUSES if any(s in parts for parts in by_category.values())]
    by_kind = charts.horizontal_bars(
        sorted(by_category.items()), statuses, f"{code}: events by kind"
    )
    partner_rows = "".join(
        f'<tr><td>{_country_tags([p])}</td><td class="n">{totals[p]}</td>'
        f'<td><a href="{_href(kind, _with_pair(view.query, code, p))}">events</a></td></tr>'
        for p in sorted(totals, key=lambda p: (-totals[p], p))[:20]
    )
    params = {**view.query.params(page=1), "country": code}
    body = (
        _pending(view.pending)
        + _problems(view.problems)
        + f"<h2>{escape(code)}</h2>"
        + f'<p id="summary"><b>{view.total}</b> {_noun(kind)} with {escape(code)} · '
        + f'<a href="{_href(kind, params)}">list them</a></p>'
        + f'<h3>Partners over time (event month)</h3><div id="partners">{over_time}</div>'
        + f"<table><tr><th>partner</th><th>events</th><th></th></tr>{partner_rows}</table>"
        + f'<h3>Events by kind</h3><div id="kinds">{by_kind}</div>'
    )
    return _page(f"Defence news: {code}", "", body)


# -- health ------------------------------------------------------------------------------


def run_label(slug: str) -> str:
    """``20261130T0500Z--...`` as ``11-30 05:00``: a run's start, short."""
    return f"{slug[4:6]}-{slug[6:8]} {slug[9:11]}:{slug[11:13]}" if len(slug) >= 13 else slug


def _run_cell(run: Run) -> str:
    label = escape(run_label(run.interval))
    if run.log_url:
        title = f"task log of {run.interval}"
        return f'<a href="{escape(run.log_url)}" target="_top" title="{escape(title)}">{label}</a>'
    return label


def _source_row(row: SourceRow) -> str:
    chronological = list(reversed(row.runs))
    bars = charts.run_bars(
        [(run.interval, run.articles, run.failures, run.state) for run in chronological],
        f"{row.source_id}: articles and failures per run",
    )
    reasons = "<br>".join(f"{escape(reason)} ×{count}" for reason, count in row.top_reasons())
    flag = f' <span class="flag">no article for {row.silent_for} runs</span>' if row.flagged else ""
    last = (
        escape(row.last_success) if row.last_success else f"none in the last {len(row.runs)} runs"
    )
    logs = " ".join(_run_cell(run) for run in row.runs if run.log_url)
    newest = row.runs[0] if row.runs else None
    said = list(newest.source_errors if newest else ())
    if newest and newest.failure:
        said.append(f"failed: {newest.failure}")
    errors = "<br>".join(f'<span title="{escape(e)}">{escape(gist(e))}</span>' for e in said)
    return (
        f'<tr class="st-{row.state}" id="source-{escape(row.source_id)}">'
        f"<td>{escape(row.source_id)}{flag}</td>"
        f'<td class="state">{row.state}</td><td>{last}</td><td class="bars">{bars}</td>'
        f'<td class="n">{sum(r.articles for r in row.runs)}</td>'
        f'<td class="n">{sum(r.failures for r in row.runs)}</td><td>{reasons}</td><td>{errors}</td>'
        f"<td>{logs or '<span class=muted>—</span>'}</td></tr>"
    )


def health_page(view: HealthView) -> str:
    form = (
        '<form method="get" action="health">'
        + _input(
            "silent_runs",
            "flag after runs without articles",
            view.silent_runs,
            "number",
            ' min="1" max="24"',
        )
        + "<button>Show</button></form>"
    )
    if not view.sources:
        body = _problems(view.problems) + form
        body += '<p class="muted">No ingest manifest has been written to the store yet.</p>'
        return _page("Defence news: source health", "health", body)
    flagged = [row.source_id for row in view.sources if row.flagged]
    failing = [row.source_id for row in view.sources if row.state == "failed"]
    rows = "".join(_source_row(row) for row in view.sources)
    body = (
        _problems(view.problems)
        + form
        + f'<p id="summary">{len(view.sources)} source(s) over the last '
        + f"{len(view.intervals)} run(s), "
        + f"{escape(view.intervals[-1])} … {escape(view.intervals[0])}; "
        + f"<b>{len(failing)}</b> failed in the newest run, <b>{len(flagged)}</b> without "
        + f"an article for {view.silent_runs}+ runs · "
        + f'<a href="{_href("api/health", {"silent_runs": str(view.silent_runs)})}">JSON</a></p>'
        + '<table id="health"><tr><th>source</th><th>newest run</th><th>last successful fetch</th>'
        + "<th>articles ▲ / failures ▼ per run (oldest left)</th><th>articles</th><th>failures</th>"
        + f"<th>top failure reasons</th><th>newest errors</th><th>task logs</th></tr>{rows}</table>"
        + '<p class="muted">Failures count failed URLs, each feed or sitemap that could not '
        + "be read, and a source that failed as a whole. A grey tick: no manifest from that "
        + "source in that run.</p>"
    )
    return _page("Defence news: source health", "health", body)
