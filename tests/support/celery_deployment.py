"""What Airflow's CeleryExecutor needs on this machine, for tests and benchmarks alike.

PostgreSQL on 127.0.0.1:5432 (trust auth, user ``postgres``) holds a fresh metadata
database per deployment, created here and dropped after; Redis on 127.0.0.1:6379 is the
broker. Used by the e2e fixtures (``tests/e2e/conftest.py``) and by ``make bench-scale``
(``benchmarks/bench_scale.py``), so nothing here imports pytest: the caller decides
whether a missing service is a skip or a line in a report.
"""

from __future__ import annotations

import importlib
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

PG = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)
# The modules the Celery deployment imports, and what to install when one is missing.
MODULES = {
    "airflow.providers.celery": "apache-airflow-providers-celery",
    "psycopg2": "psycopg2 (Postgres driver)",
}


def reachable(address: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(address, timeout=1):
            return True
    except OSError:
        return False


def celery_unavailable(env: Mapping[str, str] | None = None) -> str | None:
    """Why a Celery deployment cannot run here, or None when it can.

    The modules are imported in this process; with ``env``, in a child process with that
    environment instead (importing Airflow creates folders in its home, so a caller that
    has not chosen one yet passes the environment its deployment will use)."""
    if not reachable(PG):
        return f"PostgreSQL is not reachable on {PG[0]}:{PG[1]}"
    if not reachable(REDIS):
        return f"Redis is not reachable on {REDIS[0]}:{REDIS[1]}"
    for module, package in MODULES.items():
        if env is None:
            try:
                importlib.import_module(module)
            except ImportError as error:
                return f"{package} does not import ({error})"
            continue
        probe = subprocess.run(
            [sys.executable, "-c", f"import {module}"],
            env=dict(env),
            capture_output=True,
            text=True,
        )
        if probe.returncode != 0:
            last = (probe.stderr.strip().splitlines() or ["?"])[-1]
            return f"{package} does not import ({last})"
    return None


@dataclass(frozen=True)
class PostgresDatabase:
    """One metadata database on the local PostgreSQL server."""

    name: str

    @property
    def where(self) -> str:
        return f"postgres@{PG[0]}:{PG[1]}/{self.name}"

    def connect(self) -> Any:  # a psycopg2 connection
        import psycopg2

        return psycopg2.connect(host=PG[0], port=PG[1], user="postgres", dbname=self.name)

    def celery_settings(self) -> dict[str, str]:
        """Airflow's settings for CeleryExecutor over this database and the Redis broker."""
        return {
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://{self.where}",
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CELERY__BROKER_URL": f"redis://{REDIS[0]}:{REDIS[1]}/0",
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql://{self.where}",
        }


@contextmanager
def fresh_postgres_database(prefix: str) -> Iterator[PostgresDatabase]:
    """A new, empty database named ``prefix`` plus a random suffix; dropped on exit, with
    any connection still open to it."""
    import psycopg2

    database = PostgresDatabase(f"{prefix}_{uuid.uuid4().hex[:8]}")
    admin = psycopg2.connect(host=PG[0], port=PG[1], user="postgres", dbname="postgres")
    admin.autocommit = True
    try:
        admin.cursor().execute(f"CREATE DATABASE {database.name}")
        try:
            yield database
        finally:
            admin.cursor().execute(f"DROP DATABASE IF EXISTS {database.name} WITH (FORCE)")
    finally:
        admin.close()
