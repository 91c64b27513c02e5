"""The document-level scorer (EVENTS.md), its error kinds and the reliability table."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from defence_news.extract.evaluation import (
    Score,
    ScoredEvent,
    error_kind,
    event_kind,
    gold_events,
    match_article,
    party_error,
    predicted_events,
    reliability,
    same_countries,
)

SHARED_SCORER = Path(__file__).resolve().parents[4] / "shared" / "eval" / "score_articles.py"
GOLD = {
    "id": "a1",
    "events": [
        {"category": "agreement", "status": "occurred", "actors": ["JPN", "PHL"]},
        {"category": "suspension", "status": "suspended", "actors": ["COL", "ISR"]},
        {"category": "exercise", "status": "ongoing", "actors": ["USA", "THA", "SGP", "JPN"]},
        {"category": "visit", "status": "planned", "actors": ["IND", "VNM"]},
    ],
}


def _predicted(*events: tuple[str, str, list[str]]) -> list[dict]:
    return [
        {"category": c, "status": s, "actors": [{"country": x} for x in countries]}
        for c, s, countries in events
    ]


PREDICTED = _predicted(
    ("agreement", "planned", ["PHL", "JPN"]),  # right, status wrong
    ("arms_transfer", "suspended", ["ISR", "COL"]),  # a halt by status is a suspension
    ("exercise", "ongoing", ["USA", "THA", "SGP"]),  # 3 of 4: Jaccard 0.75
    ("visit", "planned", ["IND", "CHN"]),  # wrong parties
    ("agreement", "occurred", ["JPN", "PHL"]),  # a repeat
)


def test_kinds_countries_and_halts() -> None:
    assert event_kind("exercise", "suspended") == "suspension"
    assert event_kind("suspension", "planned") == "suspension"
    assert event_kind("exercise", "planned") == "exercise"
    assert same_countries(frozenset({"A", "B", "C", "D"}), frozenset({"A", "B", "C"}))
    assert not same_countries(frozenset({"A", "B"}), frozenset({"A", "B", "C"}))
    assert same_countries(frozenset({"A", "B", "C", "D"}), frozenset({"A", "B"}))  # 0.5
    assert not same_countries(frozenset({"A", "B", "C", "D"}), frozenset({"A", "E"}))


def test_matching_is_greedy_one_to_one_and_status_is_scored_on_matches() -> None:
    score = Score()
    score.add(match_article(gold_events(GOLD), predicted_events(PREDICTED)))
    precision, recall, f1 = score.prf()
    assert (sum(score.tp.values()), sum(score.fp.values()), sum(score.fn.values())) == (3, 2, 1)
    assert precision == pytest.approx(3 / 5) and recall == pytest.approx(3 / 4)
    assert f1 == pytest.approx(2 * 0.6 * 0.75 / 1.35)
    assert score.status_accuracy == pytest.approx(2 / 3)
    assert score.missed == {"parties": 1} and score.wrong == {"parties": 2}


def test_errors_say_what_went_wrong() -> None:
    gold = gold_events(GOLD)
    predicted = predicted_events(PREDICTED)
    match = match_article(gold, predicted)
    assert party_error(predicted[3], gold, match) == "extra+missing"
    assert party_error(predicted[4], gold, match) == "repeat"
    other = ScoredEvent("training", "occurred", frozenset({"JPN", "PHL"}))
    assert error_kind(other, gold) == "kind"
    assert error_kind(ScoredEvent("training", "occurred", frozenset({"X", "Y"})), gold) == (
        "unmatched"
    )


def test_the_reliability_table_counts_what_was_right_per_confidence() -> None:
    table = reliability([(0.1, False), (0.3, True), (0.35, False), (0.85, True), (0.9, True)])
    assert [(row.events, row.right) for row in table.rows] == [
        (1, 0),
        (2, 1),
        (0, 0),
        (0, 0),
        (2, 2),
    ]
    above = table.at_least(0.8)
    assert (above.events, above.right, above.share) == (2, 2, 1.0)


@pytest.mark.skipif(not SHARED_SCORER.exists(), reason="../shared/eval/ is not beside the project")
def test_the_figures_are_the_shared_scorer_s(tmp_path: Path, capsys) -> None:
    gold_path, pred_path = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    gold_path.write_text(json.dumps(GOLD) + "\n", "utf-8")
    pred_path.write_text(json.dumps({"id": "a1", "events": PREDICTED}) + "\n", "utf-8")
    spec = importlib.util.spec_from_file_location("score_articles", SHARED_SCORER)
    assert spec and spec.loader
    shared = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shared)
    argv = sys.argv
    sys.argv = ["score_articles.py", str(gold_path), str(pred_path), "--json"]
    try:
        shared.main()
    finally:
        sys.argv = argv
    theirs = json.loads(capsys.readouterr().out)
    score = Score()
    score.add(match_article(gold_events(GOLD), predicted_events(PREDICTED)))
    precision, recall, f1 = score.prf()
    assert (precision, recall, f1) == pytest.approx((theirs["P"], theirs["R"], theirs["F1"]))
    assert score.status_accuracy == pytest.approx(theirs["status_acc"])
