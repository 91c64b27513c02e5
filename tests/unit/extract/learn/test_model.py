"""Linear models over named features: the arithmetic, the file, and the packaged model."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from defence_news.extract.learn.features import FEATURE_VERSION
from defence_news.extract.learn.model import (
    BinaryModel,
    Calibration,
    EventModel,
    MulticlassModel,
    packaged_model,
)
from defence_news.realtext import GOLD_PATH, read_gold


def _model() -> EventModel:
    return EventModel(
        party=BinaryModel({"rule_party=True": 2.0, "source=document": -3.0}, -0.5, 0.6),
        event=BinaryModel({"weakest_party_prob": 4.0}, -2.0, 0.3),
        status=MulticlassModel(
            ("occurred", "planned"),
            {"occurred": {"cue=occurred": 1.5}, "planned": {"cue=planned": 2.5}},
            {"occurred": 0.2, "planned": 0.0},
        ),
        calibration=Calibration((0.0, 0.5, 0.8), (0.1, 0.4, 0.9)),
        trained_on={"articles": 3, "events": 4, "fingerprint": "ab" * 32},
    )


def test_a_binary_model_is_a_logistic_function_of_its_weighted_features() -> None:
    party = _model().party
    assert party.score({"rule_party=True": 1}) == pytest.approx(1 / (1 + math.exp(-1.5)))
    assert party.score({"source=document": 1}) < 0.05
    assert party.score({"unknown feature": 1}) == pytest.approx(1 / (1 + math.exp(0.5)))


def test_a_multiclass_model_gives_probabilities_that_sum_to_one() -> None:
    status = _model().status
    probabilities = status.probabilities({"cue=planned": 1})
    assert sum(probabilities.values()) == pytest.approx(1.0)
    assert status.predict({"cue=planned": 1}) == "planned"
    assert status.predict({}) == "occurred"  # the bias alone


def test_the_status_model_overrules_the_grammar_only_with_a_clear_lead() -> None:
    model = _model()
    assert model.decide_status({"cue=planned": 1}, "occurred") == "planned"
    weak = {"cue=planned": 0.3}  # planned leads, but by less than the margin
    assert model.status.predict(weak) == "planned"
    assert model.decide_status(weak, "occurred") == "occurred"


def test_calibration_maps_a_score_to_the_share_right_at_that_score() -> None:
    calibration = _model().calibration
    assert calibration(0.2) == 0.1
    assert calibration(0.79) == 0.4
    assert calibration(0.95) == 0.9
    assert Calibration()(0.42) == 0.42  # no table: the score itself


def test_the_model_file_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    model = _model()
    model.save(path)
    again = EventModel.load(path)
    assert again.to_dict() == model.to_dict()
    features = {"rule_party=True": 1, "cue=planned": 1, "weakest_party_prob": 0.7}
    assert again.party.score(features) == model.party.score(features)
    assert again.status.probabilities(features) == model.status.probabilities(features)


def test_a_model_built_on_other_features_is_refused(tmp_path: Path) -> None:
    data = _model().to_dict() | {"feature_version": "0"}
    with pytest.raises(ValueError, match="retrain"):
        EventModel.from_dict(data)
    with pytest.raises(ValueError, match="format"):
        EventModel.from_dict(_model().to_dict() | {"format": 99})


def test_the_packaged_model_was_trained_on_the_development_articles() -> None:
    model = packaged_model()
    assert model is not None, "no data/events-model.json: run make train-events"
    assert model.feature_version == FEATURE_VERSION
    dev = [r for r in read_gold(GOLD_PATH) if r.get("split", "dev") == "dev"]
    assert model.trained_on["articles"] == len(dev)
    assert model.trained_on["events"] == sum(len(r["events"]) for r in dev)
    assert len(model.trained_on["fingerprint"]) == 64
    # The calibration table is monotone: a higher score is never a lower share right.
    rates = list(model.calibration.rates)
    assert rates == sorted(rates)
    json.dumps(model.to_dict())  # plain JSON, nothing else
