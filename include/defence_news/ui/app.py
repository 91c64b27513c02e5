"""The FastAPI app: events and source-health pages, and the same data as JSON.

Routes (relative to wherever the app is mounted):
  GET /               -> redirect to events
  GET /events         HTML, filters: date, interval, category, status, country, source
  GET /health         HTML, per-source ingest health of the recent intervals (date=)
  GET /fused          HTML, fused events (one row per happening, all its sources), same filters
  GET /api/events     JSON of the events page
  GET /api/fused      JSON of the fused-events page
  GET /api/health     JSON of the health page

The store is opened per request through ``store_factory`` so settings and
Airflow connections are read at call time, never at import.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, params
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from defence_news.store import ObjectStore
from defence_news.ui import html
from defence_news.ui.data import BadFilter, EventFilters, load_events, load_health

log = logging.getLogger(__name__)

StoreFactory = Callable[[], ObjectStore]


class StoreUnavailable(RuntimeError):
    """The configured store could not be opened (bad settings, missing connection...)."""


def event_filters(
    date: str | None = None,
    interval: str | None = None,
    category: str | None = None,
    status: str | None = None,
    country: str | None = None,
    source: str | None = None,
) -> EventFilters:
    """The event filters from the query string (a FastAPI dependency)."""
    return EventFilters.from_query(
        date=date,
        interval=interval,
        category=category,
        status=status,
        country=country,
        source=source,
    )


Filters = Annotated[EventFilters, Depends(event_filters)]


def create_app(
    store_factory: StoreFactory, *, dependencies: Sequence[params.Depends] | None = None
) -> FastAPI:
    """The UI app over the store ``store_factory`` opens; ``dependencies`` guard every
    route (the Airflow plugin passes Airflow's authentication here)."""
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

    @app.exception_handler(StoreUnavailable)
    async def _store_unavailable(request: Any, error: StoreUnavailable) -> Response:
        return _failure(request, 503, "The object store could not be opened", str(error))

    @app.exception_handler(BadFilter)
    async def _bad_filter(request: Any, error: BadFilter) -> Response:
        return _failure(request, 400, "Bad filter", str(error))

    @app.get("/", include_in_schema=False)
    def index() -> RedirectResponse:
        # Relative, so it works under Airflow's /defence-news/ mount as well as at /.
        return RedirectResponse("events", status_code=307)

    @app.get("/events", response_class=HTMLResponse)
    def events_html(filters: Filters) -> HTMLResponse:
        return HTMLResponse(html.events_page(load_events(open_store(), filters)))

    @app.get("/api/events")
    def events_json(filters: Filters) -> dict[str, Any]:
        return load_events(open_store(), filters).to_dict()

    @app.get("/fused", response_class=HTMLResponse)
    def fused_html(filters: Filters) -> HTMLResponse:
        return HTMLResponse(html.events_page(load_events(open_store(), filters, fused=True)))

    @app.get("/api/fused")
    def fused_json(filters: Filters) -> dict[str, Any]:
        return load_events(open_store(), filters, fused=True).to_dict()

    @app.get("/health", response_class=HTMLResponse)
    def health_html(date: str | None = Query(default=None)) -> HTMLResponse:
        return HTMLResponse(html.health_page(load_health(open_store(), date or None)))

    @app.get("/api/health")
    def health_json(date: str | None = Query(default=None)) -> dict[str, Any]:
        return load_health(open_store(), date or None).to_dict()

    return app


def _failure(request: Any, status: int, title: str, message: str) -> Response:
    if request.url.path.rstrip("/").split("/")[-2:-1] == ["api"]:
        return JSONResponse({"error": title, "detail": message}, status_code=status)
    return HTMLResponse(html.error_page(title, message), status_code=status)


def create_default_app() -> FastAPI:
    """The app over ``defence_news.settings.open_store`` (CLI, scripts; no Airflow)."""
    from defence_news.settings import open_store

    return create_app(open_store)
