"""The Airflow Assets the two DAGs share: the ingest DAG updates ``ARTICLES``,
the events DAG is scheduled on it and updates ``EVENTS``."""

from airflow.sdk import Asset

ARTICLES = Asset(name="defence_news_articles")
EVENTS = Asset(name="defence_news_events")
# The fuse DAG's daily snapshot of fused events (events_fused/snapshot=<day>/).
FUSED = Asset(name="defence_news_fused")
