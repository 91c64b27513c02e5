"""Airflow UI plugin: the defence-news events and source-health pages.

Mounts the library's FastAPI app (``defence_news.ui``) on the API server at
``/defence-news`` and adds two nav entries that show its pages inside the
Airflow UI. The app is built on its first request, so importing this file (as
every Airflow component does) costs no FastAPI or pyarrow import.
"""

from __future__ import annotations

from typing import Any

from airflow.plugins_manager import AirflowPlugin

from defence_news.ui.lazy import LazyASGIApp

URL_PREFIX = "/defence-news"
# Relative hrefs (no leading slash): the UI resolves them against its base URL,
# so the views keep working when Airflow is served under a sub-path.
EVENTS_HREF = "defence-news/events"
HEALTH_HREF = "defence-news/health"


def build_app() -> Any:
    """The UI app over the store the Airflow ``aws`` connection opens, behind
    Airflow's own login: every route requires an authenticated Airflow user."""
    from airflow.api_fastapi.core_api.security import get_user
    from fastapi import Depends

    from defence_news.adapters.airflow import open_store
    from defence_news.ui.app import create_app

    return create_app(open_store, dependencies=[Depends(get_user)])


class DefenceNewsPlugin(AirflowPlugin):
    name = "defence_news"
    fastapi_apps = [  # noqa: RUF012 (Airflow reads these class attributes)
        {
            "app": LazyASGIApp(build_app, "defence_news_ui"),
            "url_prefix": URL_PREFIX,
            "name": "Defence news",
        }
    ]
    external_views = [  # noqa: RUF012
        {
            "name": "Defence events",
            "href": EVENTS_HREF,
            "url_route": "defence-news-events",
            "destination": "nav",
            "category": "browse",
        },
        {
            "name": "Defence source health",
            "href": HEALTH_HREF,
            "url_route": "defence-news-health",
            "destination": "nav",
            "category": "browse",
        },
    ]
