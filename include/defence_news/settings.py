"""Where the pipeline writes and what it reads: settings read from the environment.

Read at call time (never at import), so a DAG file stays cheap to parse and a
test can change the environment between runs. A blank variable means its
default (compose and shells often pass ``VAR=``). A bad value raises
``SettingsError``, whose message names the variable, the value and what is
expected: the CLI prints it as one line and an Airflow task fails with it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast
from urllib.parse import urlsplit

StoreKind = Literal["local", "s3"]
STORE_KINDS: tuple[StoreKind, ...] = ("local", "s3")

# The project root when running from a checkout: include/defence_news/ -> ../../
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class SettingsError(ValueError):
    """A setting from the environment is invalid; the message says which and why."""


def invalid(variable: str, raw: str, expected: str) -> SettingsError:
    """The one wording of every bad setting: ``VAR='value' is not valid: <expected>``."""
    return SettingsError(f"{variable}={raw!r} is not valid: {expected}")


def env_value(env: Mapping[str, str], variable: str) -> str | None:
    """``variable`` without surrounding spaces; None when it is unset or blank."""
    return (env.get(variable) or "").strip() or None


def env_url(env: Mapping[str, str], variable: str, example: str) -> str | None:
    """An http(s) URL with a host, or None when unset; ``example`` shows the form."""
    raw = env_value(env, variable)
    if raw is not None and not _is_http_url(raw):
        raise invalid(variable, raw, f"expected an http:// or https:// URL, such as {example}")
    return raw


def _is_http_url(raw: str) -> bool:
    try:
        parts = urlsplit(raw)
        _ = parts.port  # a port that is not a number raises ValueError only when read
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


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
    def from_env(cls, env: Mapping[str, str] | None = None) -> StoreSettings:
        env = dict(os.environ if env is None else env)
        kind = _store_kind(env)
        bucket = env_value(env, "DEFENCE_NEWS_S3_BUCKET")
        if kind == "s3" and not bucket:
            raise SettingsError(
                "DEFENCE_NEWS_STORE='s3' needs DEFENCE_NEWS_S3_BUCKET: "
                "expected the name of the bucket to write to"
            )
        local_root = env_value(env, "DEFENCE_NEWS_LOCAL_ROOT")
        return cls(
            kind=kind,
            local_root=Path(local_root) if local_root else cls.local_root,
            bucket=bucket,
            prefix=env_value(env, "DEFENCE_NEWS_S3_PREFIX") or "",
            aws_conn_id=env_value(env, "DEFENCE_NEWS_AWS_CONN_ID") or cls.aws_conn_id,
            endpoint_url=env_url(env, "DEFENCE_NEWS_S3_ENDPOINT_URL", "http://127.0.0.1:9000"),
        )


def _store_kind(env: Mapping[str, str]) -> StoreKind:
    raw = env_value(env, "DEFENCE_NEWS_STORE") or "local"
    if raw.lower() not in STORE_KINDS:
        raise invalid("DEFENCE_NEWS_STORE", raw, "expected 'local' or 's3' (default 'local')")
    return cast(StoreKind, raw.lower())


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
    def from_env(cls, env: Mapping[str, str] | None = None) -> SourceSelection:
        env = dict(os.environ if env is None else env)
        raw = env.get("DEFENCE_NEWS_SOURCES") or "registry"
        names = tuple(name.strip() for name in raw.split(",") if name.strip()) or ("registry",)
        seed_url = env_url(env, "DEFENCE_NEWS_SEED_URL", cls.seed_url) or cls.seed_url
        return cls(names=names, seed_url=seed_url.rstrip("/"))


def ui_cache_folder(env: Mapping[str, str] | None = None) -> Path | None:
    """Where the UI keeps its DuckDB tables, so a restarted server need not read the
    whole store again (``DEFENCE_NEWS_UI_CACHE``): a folder, or ``off`` for memory
    only; by default ``defence-news/ui`` in the user's cache folder (``XDG_CACHE_HOME``,
    else ``~/.cache``). Deleting it is always safe: the tables are rebuilt."""
    env = dict(os.environ if env is None else env)
    raw = env_value(env, "DEFENCE_NEWS_UI_CACHE")
    if raw is not None:
        return None if raw.lower() == "off" else Path(raw).expanduser()
    base = env_value(env, "XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "defence-news" / "ui"


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
