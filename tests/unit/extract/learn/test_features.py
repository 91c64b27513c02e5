"""The features a reader can check against the sentence."""

from __future__ import annotations

from defence_news.extract.core import analyse, document_candidates
from defence_news.extract.learn.features import (
    all_party_features,
    candidate_features,
    status_features,
)


def _candidates(text: str, published: str = "2024-06-18"):
    ctx = analyse(text, published)
    assert not isinstance(ctx, str)
    return ctx, document_candidates(ctx, keep_all=True)


def test_a_named_party_and_a_country_of_the_context() -> None:
    ctx, candidates = _candidates(
        "Cambodia's army chief met Chinese officers last year. "
        "The drills with the US have not been held since 2016."
    )
    drills = next(c for c in candidates if c.category == "exercise")
    features = all_party_features(ctx, drills)
    assert features["USA"]["source=sentence"] == 1
    assert features["USA"]["w-1=the"] == 1 and features["USA"]["w+1=have"] == 1
    context_only = [code for code, f in features.items() if "source=previous" in f]
    assert "CHN" in context_only


def test_a_backdrop_and_a_list_of_participants() -> None:
    ctx, candidates = _candidates(
        "Troops from Thailand, Singapore, Japan and Indonesia joined the drills near the "
        "border with Myanmar amid tensions with China."
    )
    drills = next(c for c in candidates if c.category == "exercise")
    features = all_party_features(ctx, drills)
    assert all("exercise&in_list" in features[c] for c in ("THA", "SGP", "JPN", "IDN"))
    assert "backdrop" in features["CHN"]
    assert "exercise&in_list" not in features["CHN"]


def test_an_event_s_features_name_its_trigger_date_and_parties() -> None:
    ctx, candidates = _candidates("Vietnam and Japan will sign a logistics agreement next month.")
    agreement = next(c for c in candidates if c.category == "agreement")
    features = candidate_features(ctx, agreement, {"VNM": 0.9, "JPN": 0.8})
    assert features["cat=agreement"] == 1
    assert features["date=future"] == 1
    assert features["weakest_party_prob"] == 0.8
    status = status_features(ctx, agreement, "planned")
    assert status["rule=planned"] == 1 and status["sentence_future"] == 1
