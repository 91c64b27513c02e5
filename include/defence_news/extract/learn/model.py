"""Linear models over named features, stored as plain JSON and applied in pure Python.

A trained model is a weight per feature name (per class for the status model), a bias,
and a decision threshold; its file also records what it was trained on (the training
data's fingerprint, article and event counts) and a calibration table that maps its
event scores to the share of events found right at that score. Reading it needs no
machine-learning library; training it does (``training.py``, scikit-learn).
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from defence_news.extract.learn.features import FEATURE_VERSION, Features

MODEL_FORMAT = 1
MODEL_FILE = "events-model.json"


@dataclass(frozen=True)
class BinaryModel:
    weights: dict[str, float]
    bias: float
    threshold: float = 0.5

    def score(self, features: Features) -> float:
        return _sigmoid(self.bias + _dot(self.weights, features))

    def to_dict(self) -> dict[str, Any]:
        return {"weights": self.weights, "bias": self.bias, "threshold": self.threshold}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BinaryModel:
        return cls(dict(data["weights"]), float(data["bias"]), float(data["threshold"]))


@dataclass(frozen=True)
class MulticlassModel:
    classes: tuple[str, ...]
    weights: dict[str, dict[str, float]]  # class -> feature -> weight
    bias: dict[str, float]
    # feature -> its weight for each class, in ``classes`` order: one pass over a
    # candidate's features scores every class (derived from ``weights``).
    by_feature: dict[str, tuple[float, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = {name for weights in self.weights.values() for name in weights}
        table = {
            name: tuple(self.weights[label].get(name, 0.0) for label in self.classes)
            for name in names
        }
        object.__setattr__(self, "by_feature", table)

    def probabilities(self, features: Features) -> dict[str, float]:
        totals = [self.bias[label] for label in self.classes]
        get = self.by_feature.get
        for name, value in features.items():
            row = get(name)
            if row is not None:
                for i, weight in enumerate(row):
                    totals[i] += weight * value
        scores = dict(zip(self.classes, totals, strict=True))
        top = max(scores.values())
        exp = {label: math.exp(score - top) for label, score in scores.items()}
        total = sum(exp.values())
        return {label: value / total for label, value in exp.items()}

    def predict(self, features: Features) -> str:
        probabilities = self.probabilities(features)
        return max(probabilities, key=probabilities.__getitem__)

    def to_dict(self) -> dict[str, Any]:
        return {"classes": list(self.classes), "weights": self.weights, "bias": self.bias}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MulticlassModel:
        return cls(tuple(data["classes"]), dict(data["weights"]), dict(data["bias"]))


@dataclass(frozen=True)
class Calibration:
    """Monotone map from a raw event score to the share found right (isotonic steps)."""

    scores: tuple[float, ...] = ()
    rates: tuple[float, ...] = ()

    def __call__(self, score: float) -> float:
        if not self.scores:
            return score
        index = bisect_right(self.scores, score) - 1
        return self.rates[max(0, index)]

    def to_dict(self) -> dict[str, Any]:
        return {"scores": list(self.scores), "rates": list(self.rates)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        return cls(tuple(data["scores"]), tuple(data["rates"]))


@dataclass(frozen=True)
class EventModel:
    """The three learned decisions: which offered countries are parties, whether a
    candidate is an event, and its status."""

    party: BinaryModel
    event: BinaryModel
    status: MulticlassModel
    calibration: Calibration = field(default_factory=Calibration)
    trained_on: dict[str, Any] = field(default_factory=dict)
    feature_version: str = FEATURE_VERSION
    # The status model overrules the grammar only when it is this much surer of another
    # status: on real text it is right more often than the grammar only then.
    status_margin: float = 0.3

    def decide_status(self, features: Features, rule_status: str) -> str:
        probabilities = self.status.probabilities(features)
        best = max(probabilities, key=probabilities.__getitem__)
        lead = probabilities[best] - probabilities.get(rule_status, 0.0)
        return best if lead > self.status_margin else rule_status

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": MODEL_FORMAT,
            "feature_version": self.feature_version,
            "trained_on": self.trained_on,
            "party": self.party.to_dict(),
            "event": self.event.to_dict(),
            "status": self.status.to_dict(),
            "calibration": self.calibration.to_dict(),
            "status_margin": self.status_margin,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EventModel:
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"model format {data.get('format')!r}, expected {MODEL_FORMAT}")
        if data.get("feature_version") != FEATURE_VERSION:
            raise ValueError(
                f"model built on features v{data.get('feature_version')}, "
                f"the extractor computes v{FEATURE_VERSION}: retrain (make train-events)"
            )
        return cls(
            party=BinaryModel.from_dict(data["party"]),
            event=BinaryModel.from_dict(data["event"]),
            status=MulticlassModel.from_dict(data["status"]),
            calibration=Calibration.from_dict(data.get("calibration") or {}),
            trained_on=dict(data.get("trained_on") or {}),
            feature_version=str(data["feature_version"]),
            status_margin=float(data.get("status_margin", 0.3)),
        )

    def save(self, path: Path) -> None:
        text = json.dumps(self.to_dict(), indent=1, sort_keys=True, ensure_ascii=False)
        path.write_text(text + "\n", "utf-8")

    @classmethod
    def load(cls, path: Path) -> EventModel:
        return cls.from_dict(json.loads(path.read_text("utf-8")))


def _dot(weights: dict[str, float], features: Features) -> float:
    """Sum of weight x value over the features that have a weight (the hot path)."""
    get = weights.get
    total = 0.0
    for name, value in features.items():
        weight = get(name)
        if weight is not None:
            total += weight * value
    return total


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@lru_cache(maxsize=1)
def packaged_model() -> EventModel | None:
    """The model shipped with the extractor (``data/events-model.json``), if any."""
    path = resources.files("defence_news.extract").joinpath("data", MODEL_FILE)
    if not path.is_file():
        return None
    return EventModel.from_dict(json.loads(path.read_text("utf-8")))
