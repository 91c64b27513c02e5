"""Adapters between the library and the systems that run it (Airflow)."""
