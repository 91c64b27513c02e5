"""``python -m defence_news ...``: every stage runnable without Airflow."""

from defence_news.cli import main

raise SystemExit(main())
