"""The UI tests ask as patient clients: a shared, loaded machine can take longer than
the UI's wait (``WAIT_SECONDS``) to build even a small table, and a first request
would then be a 503 (correctly, but not what those tests are about). The tests of
the 503 and of answers from a table that is catching up put the real wait back."""

from __future__ import annotations

import pytest

PATIENT_SECONDS = 60.0


def be_patient(monkeypatch: pytest.MonkeyPatch) -> None:
    from defence_news.ui import tables

    monkeypatch.setattr(tables, "WAIT_SECONDS", PATIENT_SECONDS)
