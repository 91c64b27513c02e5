"""Where the pipeline writes and what it reads: settings read from the environment.

Read at call time (never at import), so a DAG file stays cheap to parse and a
test can change the environment between runs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

StoreKind = Literal["local", "s3"]

# The project root when running from a checkout: include/defence_news/ -> ../../
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class StoreSettings:
    """The object store: a local folder by default, S3 with one setting."""

    kind: StoreKind = "local"
    local_root: Path = PROJECT_ROOT / "data" / "store"
    bucket: str | None = None
    prefix: str = ""
    aws_conn_id: str = "aws_default"
    endpoint_url: str | None = (
        None  # only for use outside Airflow (CLI); Airflow reads the connection
    )

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> StoreSettings:
        env = dict(os.environ if env is None else env)
        kind = env.get("DEFENCE_NEWS_STORE", "local").strip().lower()
        if kind not in ("local", "s3"):
            raise ValueError(f"DEFENCE_NEWS_STORE must be 'local' or 's3', not {kind!r}")
        bucket = env.get("DEFENCE_NEWS_S3_BUCKET") or None
        if kind == "s3" and not bucket:
            raise ValueError("DEFENCE_NEWS_STORE=s3 needs DEFENCE_NEWS_S3_BUCKET")
        return cls(
            kind=kind,  # type: ignore[arg-type]
            local_root=Path(env.get("DEFENCE_NEWS_LOCAL_ROOT") or cls.local_root),
            bucket=bucket,
            prefix=env.get("DEFENCE_NEWS_S3_PREFIX", ""),
            aws_conn_id=env.get("DEFENCE_NEWS_AWS_CONN_ID", "aws_default"),
            endpoint_url=env.get("DEFENCE_NEWS_S3_ENDPOINT_URL") or None,
        )


@dataclass(frozen=True)
class SourceSelection:
    """Which sources a run covers: the registry, the offline seed site, or named ids.

    ``DEFENCE_NEWS_SOURCES`` is ``registry`` (default: every enabled entry of
    sources.yaml), ``seed`` (the offline seed site at ``DEFENCE_NEWS_SEED_URL``)
    or a comma-separated list of registry ids (``seed`` may be one of them).
    """

    names: tuple[str, ...] = ("registry",)
    seed_url: str = "http://127.0.0.1:8765"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> SourceSelection:
        env = dict(os.environ if env is None else env)
        raw = env.get("DEFENCE_NEWS_SOURCES", "registry")
        names = tuple(name.strip() for name in raw.split(",") if name.strip()) or ("registry",)
        return cls(names=names, seed_url=env.get("DEFENCE_NEWS_SEED_URL", cls.seed_url).rstrip("/"))


def open_store(settings: StoreSettings | None = None):  # -> ObjectStore
    """The configured store, for use outside Airflow (CLI, scripts, tests).

    Inside Airflow, ``defence_news.adapters.airflow.open_store`` builds the S3
    client from the Airflow ``aws`` connection instead of the environment.
    """
    from defence_news.store import LocalStore, S3Store

    settings = settings or StoreSettings.from_env()
    if settings.kind == "local":
        return LocalStore(settings.local_root)
    assert settings.bucket is not None  # checked in from_env
    return S3Store.from_params(
        settings.bucket, prefix=settings.prefix, endpoint_url=settings.endpoint_url
    )
