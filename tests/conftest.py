"""Test-wide setup: an isolated Airflow home, before anything imports Airflow.

Airflow reads its configuration when first imported, so these variables must
be set here, at collection time, not in a fixture.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="defence-news-airflow-"))

os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(PROJECT_ROOT / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(PROJECT_ROOT / "plugins")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_AIRFLOW_HOME}/airflow.db"
# The UI keeps its tables in files between runs: the tests' go to a folder of their own.
_UI_TABLES = tempfile.mkdtemp(prefix="defence-news-ui-tables-")
os.environ["DEFENCE_NEWS_UI_CACHE"] = _UI_TABLES
atexit.register(shutil.rmtree, _UI_TABLES, ignore_errors=True)
# Tests never read real credentials from the machine.
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ.pop("AWS_PROFILE", None)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3 API over HTTP on loopback (moto's server mode, own process)."""
    from tests.support.servers import moto_s3_server

    with moto_s3_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def seed_site() -> Iterator[str]:
    """The offline seed site served over HTTP on loopback; yields its base URL."""
    from defence_news.seedsite import serve_seed_site

    with serve_seed_site(port=0) as site:
        yield site.base_url
