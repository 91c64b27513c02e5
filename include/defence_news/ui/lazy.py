"""An ASGI app built on first use, so importing the plugin stays cheap.

Airflow imports plugins in every component (scheduler, workers, DAG
processor); only the API server ever serves the app, so FastAPI and pyarrow
are imported there: when the server starts (``BuildOnStartup``), or else when
the first request arrives.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[..., Awaitable[Any]], Callable[..., Awaitable[Any]]], Any]

log = logging.getLogger(__name__)


class LazyASGIApp:
    def __init__(self, build: Callable[[], ASGIApp], name: str) -> None:
        self._build = build
        self._app: ASGIApp | None = None
        self._lock = threading.Lock()
        self.name = name

    @property
    def app(self) -> ASGIApp:
        with self._lock:
            if self._app is None:
                self._app = self._build()
            return self._app

    @property
    def built(self) -> bool:
        return self._app is not None

    def build_now(self) -> None:
        """Build the app unless it is built. A failure is logged, not raised: the
        server still starts, and the first request tries again and shows why."""
        try:
            self.app  # noqa: B018 (the property builds)
        except Exception:
            log.exception("%s could not be built at start; the first request tries again", self)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)

    def __repr__(self) -> str:
        state = "built" if self.built else "not built yet"
        return f"<LazyASGIApp {self.name} ({state})>"


class BuildOnStartup:
    """ASGI middleware for the host app (Airflow's ``fastapi_root_middlewares``): when
    the server starts, it builds ``lazy``, whose app then starts reading the store in
    the background; the server's start pays for that, not its first visitor. A
    mounted app never receives the lifespan messages itself (Airflow passes them to
    mounted FastAPI apps only), hence a middleware. Requests pass straight through."""

    def __init__(self, app: ASGIApp, lazy: LazyASGIApp) -> None:
        self.app = app
        self.lazy = lazy

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            # Before the server accepts connections: half a second of imports, once.
            self.lazy.build_now()
        await self.app(scope, receive, send)
