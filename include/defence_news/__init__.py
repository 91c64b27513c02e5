"""Defence-news pipeline library: runs without Airflow."""

__version__ = "0.1.0"
