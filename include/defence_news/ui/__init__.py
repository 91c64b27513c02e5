"""Browse the store: an events page and a per-source health page (FastAPI, no Airflow).

``defence_news.ui.app.create_app(store_factory)`` builds the app; the Airflow
plugin (plugins/defence_news_plugin.py) mounts it at ``/defence-news`` and
``python -m defence_news ui`` serves it on its own.
"""
