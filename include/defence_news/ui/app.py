"""The FastAPI app: events, fused events, charts, a country page and source health,
as HTML pages, as JSON, and the filtered events as CSV / JSON Lines.

Routes (relative to wherever the app is mounted):
  GET /                 -> redirect to events
  GET /events           HTML; filters: event_from, event_to (the event's own dates),
                        ingest_from, ingest_to (or date), interval, country, pair,
                        category, status, source, min_confidence, q; page, page_size
  GET /fused            HTML, fused events (one row per happening), same filters
  GET /charts           HTML, events per week by category and the strongest pairs (kind=)
  GET /country?code=    HTML, one country's partners over time and events by kind
  GET /health           HTML, per-source health of the last runs (silent_runs=)
  GET /api/events, /api/fused, /api/health   the same data as JSON
  GET /export/events, /export/fused          every matching row, format=csv|jsonl, streamed

A bad filter value is a 422 that says which and why. While the tables are first
being built, a page or call that cannot wait for them is a 503 with Retry-After
(the HTML page reloads itself). The store is opened per
request through ``store_factory`` so settings and Airflow connections are read
at call time, never at import.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, params
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.exceptions import HTTPException as StarletteHTTPException

from defence_news.store import ObjectStore
from defence_news.ui import data, export, html
from defence_news.ui.filters import BadFilter, EventQuery, country_code
from defence_news.ui.health import TaskLinks, load_health, parse_silent_runs
from defence_news.ui.tables import CACHE, Warming

log = logging.getLogger(__name__)

StoreFactory = Callable[[], ObjectStore]
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


class StoreUnavailable(RuntimeError):
    """The configured store could not be opened (bad settings, missing connection...)."""


def event_query(request: Request) -> EventQuery:
    """The event filters from the query string (a FastAPI dependency)."""
    return EventQuery.from_query(dict(request.query_params))


Query = Annotated[EventQuery, Depends(event_query)]


def _kind(value: str | None) -> str:
    kind = (value or "events").strip() or "events"
    if kind not in data.KINDS:
        raise BadFilter(f"kind must be one of {', '.join(data.KINDS)}, not {value!r}")
    return kind


def create_app(
    store_factory: StoreFactory,
    *,
    dependencies: Sequence[params.Depends] | None = None,
    task_links: TaskLinks | None = None,
    warm: bool = False,
) -> FastAPI:
    """The UI app over the store ``store_factory`` opens; ``dependencies`` guard every
    route (the Airflow plugin passes Airflow's authentication here); ``task_links``
    finds the Airflow task log of a source's run (the plugin reads Airflow's database);
    ``warm`` starts building the events and fused tables in the background right away,
    so the first visitors do not wait for them (seconds with a year of events)."""
    app = FastAPI(
        title="Defence news",
        description="Cooperation events and per-source ingest health, read from the store.",
        dependencies=list(dependencies or ()),
    )

    def open_store() -> ObjectStore:
        try:
            return store_factory()
        except Exception as error:  # settings or connection problem: a clear page, not a 500
            log.exception("defence-news UI could not open the store")
            raise StoreUnavailable(f"{type(error).__name__}: {error}") from error

    if warm:
        threading.Thread(target=_warm, args=(store_factory,), daemon=True).start()

    @app.exception_handler(StoreUnavailable)
    async def _store_unavailable(request: Request, error: StoreUnavailable) -> Response:
        return _failure(request, 503, "The object store could not be opened", str(error))

    @app.exception_handler(Warming)
    async def _warming(request: Request, error: Warming) -> Response:
        headers = {"Retry-After": str(error.retry_after)}
        if _wants_data(request):
            body = {"error": "Warming up", "detail": str(error), "retry_after": error.retry_after}
            return JSONResponse(body, status_code=503, headers=headers)
        page = html.warming_page(str(error), error.retry_after)
        return HTMLResponse(page, status_code=503, headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def _refused(request: Request, error: StarletteHTTPException) -> Response:
        # Airflow's login check refuses before any route runs: a browser gets a page
        # with the way to Airflow's sign-in, a program gets the usual JSON answer.
        if error.status_code in (401, 403) and not _wants_data(request):
            page = html.refused_page(error.status_code, str(error.detail), str(request.url))
            return HTMLResponse(page, status_code=error.status_code, headers=error.headers)
        return await http_exception_handler(request, error)

    @app.exception_handler(BadFilter)
    async def _bad_filter(request: Request, error: BadFilter) -> Response:
        return _failure(request, 422, "Bad filter", str(error))

    @app.get("/", include_in_schema=False)
    def index() -> RedirectResponse:
        # Relative, so it works under Airflow's /defence-news/ mount as well as at /.
        return RedirectResponse("events", status_code=307)

    @app.get("/events", response_class=HTMLResponse)
    def events_html(query: Query) -> HTMLResponse:
        return HTMLResponse(html.events_page(data.load_events(open_store(), query)))

    @app.get("/fused", response_class=HTMLResponse)
    def fused_html(query: Query) -> HTMLResponse:
        view = data.load_events(open_store(), query, kind="fused")
        return HTMLResponse(html.events_page(view))

    @app.get("/api/events")
    def events_json(query: Query) -> Response:
        return _json(data.load_events(open_store(), query).to_dict())

    @app.get("/api/fused")
    def fused_json(query: Query) -> Response:
        return _json(data.load_events(open_store(), query, kind="fused").to_dict())

    @app.get("/export/{kind}")
    def export_rows(kind: str, query: Query, format: str = "csv") -> StreamingResponse:
        kind = _kind(kind)
        if format not in export.FORMATS:
            raise BadFilter(f"format must be one of {', '.join(export.FORMATS)}, not {format!r}")
        store = open_store()
        if format == "csv":
            batches = data.matching_batches(store, query, kind, export.csv_columns(kind))
            body = export.csv_bytes(batches)
        else:
            batches = data.matching_batches(store, query, kind, export.JSON_COLUMNS, as_json=True)
            body = export.jsonl_bytes(batches)
        name = f"defence-news-{'fused-events' if kind == 'fused' else 'events'}.{format}"
        return StreamingResponse(
            body,
            media_type=MEDIA_TYPES[format],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @app.get("/charts", response_class=HTMLResponse)
    def charts_html(request: Request, query: Query) -> HTMLResponse:
        kind = _kind(request.query_params.get("kind"))
        store = open_store()
        view = _counted(store, query, kind)
        weekly = data.weekly_by_category(store, query, kind)
        pairs = data.pair_counts(store, query, kind)
        return HTMLResponse(html.charts_page(kind, view, weekly, pairs))

    @app.get("/country", response_class=HTMLResponse)
    def country_html(request: Request, query: Query) -> HTMLResponse:
        kind = _kind(request.query_params.get("kind"))
        code = country_code(request.query_params.get("code") or None, "code")
        if code is None:
            raise BadFilter("code is required: a country code like KHM")
        store = open_store()
        view = _counted(store, replace(query, country=code), kind)
        partners = data.partners_by_month(store, query, kind, code)
        kinds = data.kinds_of(store, query, kind, code)
        return HTMLResponse(html.country_page(code, kind, view, partners, kinds))

    @app.get("/health", response_class=HTMLResponse)
    def health_html(silent_runs: str | None = None) -> HTMLResponse:
        view = load_health(
            open_store(), silent_runs=parse_silent_runs(silent_runs), task_links=task_links
        )
        return HTMLResponse(html.health_page(view))

    @app.get("/api/health")
    def health_json(silent_runs: str | None = None) -> Response:
        view = load_health(
            open_store(), silent_runs=parse_silent_runs(silent_runs), task_links=task_links
        )
        return _json(view.to_dict())

    return app


def _warm(store_factory: StoreFactory) -> None:
    try:
        store = store_factory()
        for kind in data.KINDS:
            CACHE.warm(store, kind)  # starts each table's build on a thread of its own
    except Exception:  # the pages will say what is wrong when asked
        log.exception("defence-news UI: warming the tables failed")


def _counted(store: ObjectStore, query: EventQuery, kind: str) -> data.EventsView:
    """The total and facets of ``query`` without its rows (charts, country page)."""
    view = data.load_events(store, replace(query, page=1, page_size=1), kind=kind)
    view.events, view.query = [], query
    return view


def _json(value: dict[str, Any]) -> Response:
    """JSON straight from ``json.dumps``: FastAPI's own encoder walks every nested value
    in Python first, which costs more than the query for a page of 200 events."""
    body = json.dumps(value, ensure_ascii=False, default=_plain)
    return Response(body, media_type="application/json")


def _plain(value: Any) -> str:
    """Timestamps and dates of a snapshot row (anything else JSON lacks) as ISO text."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _wants_data(request: Request) -> bool:
    """The JSON API and the exports answer errors in JSON; the pages in HTML."""
    path = request.url.path.rstrip("/").split("/")
    return "api" in path[-2:-1] or "export" in path[-2:-1]


def _failure(request: Request, status: int, title: str, message: str) -> Response:
    if _wants_data(request):
        return JSONResponse({"error": title, "detail": message}, status_code=status)
    return HTMLResponse(html.error_page(title, message), status_code=status)


def create_default_app() -> FastAPI:
    """The app over ``defence_news.settings.open_store`` (CLI, scripts; no Airflow)."""
    from defence_news.settings import open_store

    return create_app(open_store, warm=True)
