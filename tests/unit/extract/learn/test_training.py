"""Training on a small fixture: alignment, the three models, calibration, the file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from defence_news.extract import extract_from_text
from defence_news.extract.core import analyse, document_candidates
from defence_news.extract.learn.model import EventModel
from defence_news.extract.learn.training import (
    Hyper,
    TrainingArticle,
    align,
    fingerprint,
    fit_calibration,
    halting,
    train,
    written_passages,
)

ROOT = Path(__file__).resolve().parents[4]
PASSAGES = ROOT / "seeds" / "devset" / "passages.yaml"
FIXTURE_SIZE = 60  # passages: enough for every decision to see both answers


@pytest.fixture(scope="module")
def fixture() -> list[TrainingArticle]:
    return [dataclasses.replace(a, weight=1.0) for a in written_passages(PASSAGES)][:FIXTURE_SIZE]


@pytest.fixture(scope="module")
def model(fixture: list[TrainingArticle]) -> EventModel:
    return train(fixture, Hyper(), folds=3)


def test_a_candidate_is_aligned_to_the_gold_event_it_tells() -> None:
    text = (
        "Japan and the Philippines signed a reciprocal access agreement in Manila on Monday. "
        "The two countries will also hold joint naval drills next month."
    )
    ctx = analyse(text, "2024-07-09")
    assert not isinstance(ctx, str)
    candidates = document_candidates(ctx, keep_all=True)
    gold = [
        {"category": "exercise", "status": "planned", "actors": ["JPN", "PHL"]},
        {"category": "agreement", "status": "occurred", "actors": ["JPN", "PHL"]},
    ]
    aligned = align(candidates, [halting(ctx, c) for c in candidates], gold)
    told = {
        (c.category, gold[i]["category"])
        for c, i in zip(candidates, aligned, strict=True)
        if i is not None
    }
    assert told == {("agreement", "agreement"), ("exercise", "exercise")}


def test_a_halt_aligns_with_the_suspension_it_tells() -> None:
    text = "Colombia suspended all purchases of weapons from Israel on Thursday."
    ctx = analyse(text, "2024-03-01")
    assert not isinstance(ctx, str)
    candidates = document_candidates(ctx, keep_all=True)
    gold = [{"category": "suspension", "status": "suspended", "actors": ["COL", "ISR"]}]
    aligned = align(candidates, [halting(ctx, c) for c in candidates], gold)
    assert 0 in aligned


def test_training_makes_three_models_and_records_what_it_learned_from(
    model: EventModel, fixture: list[TrainingArticle]
) -> None:
    assert model.party.weights and model.event.weights
    assert set(model.status.classes) >= {"occurred", "planned"}
    assert model.trained_on["articles"] == FIXTURE_SIZE
    assert model.trained_on["events"] == sum(len(a.gold["events"]) for a in fixture)
    assert model.trained_on["fingerprint"] == fingerprint(fixture, Hyper())
    # Named parties weigh for, countries only the article offers against.
    assert model.party.weights.get("rule_party=True", 0) > 0


def test_the_trained_file_round_trips_and_extracts_the_same(
    model: EventModel, tmp_path: Path
) -> None:
    path = tmp_path / "events-model.json"
    model.save(path)
    again = EventModel.load(path)
    assert again.to_dict() == model.to_dict()
    text = "Vietnam and Japan signed a memorandum of understanding on defence logistics."

    def found(m: EventModel) -> list[dict]:
        result = extract_from_text(
            text, doc_id="t", published="2024-06-18", mode="learned", model=m
        )
        return [e.to_dict() for e in result.events]

    assert found(again) == found(model)
    assert found(model), "a plain signing is an event"


def test_training_is_reproducible(fixture: list[TrainingArticle], model: EventModel) -> None:
    assert train(fixture, Hyper(), folds=3).to_dict() == model.to_dict()


def test_the_fingerprint_changes_with_the_training_data(fixture: list[TrainingArticle]) -> None:
    changed = [dataclasses.replace(fixture[0], text=fixture[0].text + " "), *fixture[1:]]
    assert fingerprint(changed, Hyper()) != fingerprint(fixture, Hyper())
    assert fingerprint(fixture, Hyper(event_c=2.0)) != fingerprint(fixture, Hyper())


def test_calibration_is_monotone_and_fitted_on_what_was_right() -> None:
    pairs = [(0.1, False), (0.2, False), (0.3, True), (0.5, False), (0.6, True), (0.9, True)]
    calibration = fit_calibration(pairs)
    rates = [calibration(score) for score in (0.0, 0.25, 0.55, 0.95)]
    assert rates == sorted(rates)
    assert calibration(0.95) == 1.0
    assert calibration(0.1) == 0.0
