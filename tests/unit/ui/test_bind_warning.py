"""``python -m defence_news ui`` says so, loudly, when it listens beyond loopback.

The standalone pages have no login: bound to 0.0.0.0, ``::`` or a LAN address,
anyone on that network can read them. Serving itself is replaced by a stand-in
that records where it would listen.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from defence_news.cli import main


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[dict[str, Any]]:
    """Where uvicorn was asked to listen, instead of listening."""
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    monkeypatch.setenv("DEFENCE_NEWS_STORE", "local")
    monkeypatch.setenv("DEFENCE_NEWS_LOCAL_ROOT", str(tmp_path))
    return calls


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.5"])
def test_beyond_loopback_warns_on_stderr_and_in_the_log(
    host: str,
    served: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="defence_news.ui"):
        assert main(["ui", "--host", host, "--port", "8091"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("defence_news ui: WARNING:")
    for said in (host, "8091", "no login", "anyone", "127.0.0.1"):
        assert said in err, f"the warning does not say {said!r}"
    # The log carries the same words, for whoever reads the logs rather than the terminal.
    assert [record.levelname for record in caplog.records] == ["WARNING"]
    assert err == f"defence_news ui: WARNING: {caplog.records[0].getMessage()}\n"
    assert served == [{"host": host, "port": 8091, "log_level": "warning"}]


def test_all_interfaces_is_called_what_it_is(
    served: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    main(["ui", "--host", "0.0.0.0"])
    assert "every network interface" in capsys.readouterr().err


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_stays_silent(
    host: str,
    served: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="defence_news.ui"):
        assert main(["ui", "--host", host]) == 0
    assert capsys.readouterr().err == ""
    assert caplog.records == []
    assert served[0]["host"] == host
