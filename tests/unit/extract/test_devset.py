"""The development set is well formed, covers every case, and the extractor meets the targets."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import yaml

from defence_news.models import CATEGORIES, STATUSES

ROOT = Path(__file__).resolve().parents[3]
DEVSET = ROOT / "seeds" / "devset" / "passages.yaml"


def _eval_module():
    spec = importlib.util.spec_from_file_location(
        "eval_events", ROOT / "benchmarks" / "eval_events.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["eval_events"] = module
    spec.loader.exec_module(module)
    return module


def test_devset_is_large_and_covers_every_category_and_status() -> None:
    passages = yaml.safe_load(DEVSET.read_text("utf-8"))["passages"]
    assert len(passages) >= 80
    assert len({p["id"] for p in passages}) == len(passages)
    events = [e for p in passages for e in p.get("events") or []]
    assert {e["category"] for e in events} == set(CATEGORIES)
    assert {e["status"] for e in events} == set(STATUSES)
    assert sum(1 for p in passages if not p.get("events")) >= 15  # tricky negatives
    assert sum(1 for p in passages if len(p.get("events") or []) >= 2) >= 15  # multi-event
    for event in events:
        assert event["category"] in CATEGORIES and event["status"] in STATUSES
        assert len(set(event["countries"])) >= 2


def test_extractor_meets_the_targets_on_the_devset() -> None:
    evaluation = _eval_module()
    score = evaluation.evaluate(evaluation.load_devset("all"))
    tp, fp, fn = sum(score.tp.values()), sum(score.fp.values()), sum(score.fn.values())
    _, _, f1 = evaluation.prf(tp, fp, fn)
    assert f1 >= evaluation.TARGET_F1, score.errors
    assert score.status_right / score.status_total >= evaluation.TARGET_STATUS_ACCURACY
