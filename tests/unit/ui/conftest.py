from __future__ import annotations

import pytest

from tests.support.ui import be_patient


@pytest.fixture(autouse=True)
def patient_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    be_patient(monkeypatch)
