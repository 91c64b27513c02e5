"""An ASGI app built on its first request, so importing the plugin stays cheap.

Airflow imports plugins in every component (scheduler, workers, DAG
processor); only the API server ever serves the app, so FastAPI and pyarrow
are imported there, when the first request arrives.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[..., Awaitable[Any]], Callable[..., Awaitable[Any]]], Any]


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

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)

    def __repr__(self) -> str:
        state = "built" if self._app is not None else "not built yet"
        return f"<LazyASGIApp {self.name} ({state})>"
