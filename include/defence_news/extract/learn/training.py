"""Training the learned decisions on annotated articles (scikit-learn, logistic regression).

Gold is per article (``seeds/realtext/gold.jsonl``): its events' kind, countries and
status, and for most the span of the sentence that states them. The grammar's candidates
are aligned to the gold events (``align``); from the alignment come three training sets:

- party: every country a candidate offers, labelled by whether its gold event has it;
- event: every candidate with the parties the party model would choose (cross-fitted,
  so that the event model sees the party model's real mistakes), labelled by whether
  that choice makes an event the scorer counts right;
- status: the aligned candidates, labelled by their gold event's status.

Hyper-parameters are chosen by cross-validation over articles; the calibration table
maps out-of-fold event scores to the share of events that were right.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defence_news.extract.context import Candidate, DocContext
from defence_news.extract.core import analyse, document_candidates, extract_from_text
from defence_news.extract.evaluation import (
    HALT_STATUSES,
    event_kind,
    gold_events,
    match_article,
    predicted_events,
    same_countries,
)
from defence_news.extract.learn.decide import choose_parties, party_probabilities
from defence_news.extract.learn.features import (
    FEATURE_VERSION,
    Features,
    all_party_features,
    candidate_features,
    note_sentence_categories,
    status_features,
)
from defence_news.extract.learn.model import (
    BinaryModel,
    Calibration,
    EventModel,
    MulticlassModel,
)
from defence_news.extract.status import final_status
from defence_news.models import STATUSES

FOLDS = 5
SEED = 20261201
MANY = 3
# The project's own written passages (seeds/devset/) are trained on beside the real
# articles, at this weight: they teach the grammar's intended readings on clean prose,
# but real prose is what the model is measured on.
PASSAGE_WEIGHT = 1.0


@dataclass(frozen=True)
class TrainingArticle:
    """What training needs of an article: its text, publication date and gold line."""

    id: str
    text: str
    published: str | None
    gold: dict[str, Any]
    weight: float = 1.0  # of its training rows (passages written for the project weigh less)


@dataclass(frozen=True)
class Hyper:
    party_c: float = 0.5
    event_c: float = 0.5
    status_c: float = 1.0
    party_threshold: float = 0.6
    event_threshold: float = 0.45
    status_margin: float = 0.3


@dataclass
class Rows:
    features: list[Features] = field(default_factory=list)
    labels: list[Any] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)

    def add(self, features: Features, label: Any, weight: float = 1.0) -> None:
        self.features.append(features)
        self.labels.append(label)
        self.weights.append(weight)

    def extend(self, other: Rows) -> None:
        self.features += other.features
        self.labels += other.labels
        self.weights += other.weights


@dataclass
class Prepared:
    """An article analysed once: its context, every candidate, and their alignment."""

    article: TrainingArticle
    ctx: DocContext | None
    candidates: list[Candidate]
    halts: list[bool]  # a halt cue in the candidate's sentence
    aligned: list[int | None]  # gold event index per candidate


def written_passages(path: Path, weight: float = PASSAGE_WEIGHT) -> list[TrainingArticle]:
    """The development passages written for the project, as training articles."""
    import yaml

    passages = yaml.safe_load(path.read_text("utf-8"))["passages"]
    articles = []
    for passage in passages:
        events = [
            {"category": e["category"], "status": e["status"], "actors": list(e["countries"])}
            for e in passage.get("events") or []
        ]
        published = str(passage["published"]) if passage.get("published") else None
        gold = {"id": passage["id"], "events": events}
        articles.append(
            TrainingArticle(f"passage:{passage['id']}", passage["text"], published, gold, weight)
        )
    return articles


# --- alignment ------------------------------------------------------------------------


def halting(ctx: DocContext, candidate: Candidate) -> bool:
    """A halt cue (cancelled, suspended...) in the candidate's sentence: "the exercise was
    postponed" can tell a suspension whatever its trigger's category."""
    sentence = candidate.sentence
    return any(
        ctx.words(pattern, sentence.start, sentence.end)
        for status, pattern in ctx.rules.status_cues
        if status in HALT_STATUSES
    )


def _compatible(candidate: Candidate, halts: bool, gold: dict[str, Any]) -> bool:
    """Could this candidate tell this gold event (as the scorer sees it)?"""
    if candidate.category == gold["category"]:
        return True
    if event_kind(gold["category"], gold["status"]) != "suspension":
        return False
    # A halt: "suspended purchases" (arms_transfer, suspended) tells a suspension.
    return candidate.category == "suspension" or halts


def _covers(gold_actors: frozenset[str], offered: frozenset[str]) -> int:
    """How well the offered countries can form the gold set: 0 if they cannot."""
    shared = len(gold_actors & offered)
    if len(gold_actors) < MANY:
        return shared if gold_actors <= offered else 0
    return shared if shared >= 2 and shared * 2 >= len(gold_actors) else 0


def _overlaps_evidence(candidate: Candidate, gold: dict[str, Any]) -> bool:
    span = gold.get("evidence")
    if not span:
        return False
    start, end = span
    return candidate.sentence.start < end and start < candidate.sentence.end


def align(
    candidates: Sequence[Candidate], halts: Sequence[bool], gold: list[dict[str, Any]]
) -> list[int | None]:
    """The gold event each candidate tells, or None.

    A candidate tells a gold event when its category can be the event's kind and its
    sentence offers the event's countries. Where the gold gives the evidence sentence,
    candidates in that sentence are preferred; a candidate that could tell several gold
    events tells the one whose countries it covers best."""
    best: list[tuple[int, int] | None] = [None] * len(candidates)
    for gi, event in enumerate(gold):
        actors = frozenset(event["actors"])
        fits = []
        for ci, candidate in enumerate(candidates):
            if not _compatible(candidate, halts[ci], event):
                continue
            cover = _covers(actors, frozenset(candidate.potential))
            if cover:
                fits.append((ci, cover, _overlaps_evidence(candidate, event)))
        if any(in_evidence for _, _, in_evidence in fits):
            fits = [fit for fit in fits if fit[2]]
        for ci, _, in_evidence in fits:
            named = _named_here(candidates[ci], actors)
            score = named * 3 + 2 * in_evidence + _kind_agreement(candidates[ci], event)
            # Of two gold events alike but for their status, the one the grammar reads.
            score += 0.5 * (candidates[ci].status == event["status"])
            if best[ci] is None or score > best[ci][1]:
                best[ci] = (gi, score)
    return [b[0] if b else None for b in best]


def _named_here(candidate: Candidate, actors: frozenset[str]) -> int:
    """Gold countries the candidate's own sentence names (not only its context)."""
    return sum(
        1
        for code in actors
        if code in candidate.potential
        and candidate.potential[code].source in ("sentence", "person", "rule")
    )


def _kind_agreement(candidate: Candidate, gold: dict[str, Any]) -> int:
    """2 when the candidate as the grammar reads it is of the gold's kind ("suspended
    purchases" and a suspension), 1 for the same category only."""
    if event_kind(candidate.category, candidate.status) == event_kind(
        gold["category"], gold["status"]
    ):
        return 2
    return 1 if candidate.category == gold["category"] else 0


# --- rows -----------------------------------------------------------------------------


def prepare(article: TrainingArticle) -> Prepared:
    ctx = analyse(article.text, article.published)
    if isinstance(ctx, str):
        return Prepared(article, None, [], [], [])
    candidates = document_candidates(ctx, keep_all=True)
    note_sentence_categories(ctx, candidates)
    halts = [halting(ctx, c) for c in candidates]
    aligned = align(candidates, halts, article.gold["events"])
    return Prepared(article, ctx, candidates, halts, aligned)


def party_rows(prepared: Iterable[Prepared]) -> Rows:
    rows = Rows()
    for item in prepared:
        assert item.ctx is not None or not item.candidates
        for candidate, gi in zip(item.candidates, item.aligned, strict=True):
            if gi is None:
                continue
            actors = set(item.article.gold["events"][gi]["actors"])
            for code, features in all_party_features(item.ctx, candidate).items():
                rows.add(features, int(code in actors), item.article.weight)
    return rows


def _matches_some_gold(
    candidate: Candidate, halts: bool, parties: frozenset[str], gold: list[dict]
) -> bool:
    return any(
        _compatible(candidate, halts, event) and same_countries(frozenset(event["actors"]), parties)
        for event in gold
    )


def event_rows(prepared: Iterable[Prepared], party_model: BinaryModel, threshold: float) -> Rows:
    rows = Rows()
    for item in prepared:
        for candidate, halts in zip(item.candidates, item.halts, strict=True):
            assert item.ctx is not None
            probabilities = party_probabilities(item.ctx, candidate, party_model)
            choice = choose_parties(candidate, probabilities, threshold)
            if len(choice.parties) < 2:
                continue
            chosen = dataclasses.replace(candidate, parties=choice.parties)
            label = _matches_some_gold(
                candidate, halts, frozenset(choice.parties), item.article.gold["events"]
            )
            features = candidate_features(item.ctx, chosen, choice.probabilities)
            rows.add(features, int(label), item.article.weight)
    return rows


def status_rows(prepared: Iterable[Prepared]) -> Rows:
    rows = Rows()
    for item in prepared:
        for candidate, gi in zip(item.candidates, item.aligned, strict=True):
            if gi is None:
                continue
            assert item.ctx is not None
            spec = item.ctx.rules.categories[candidate.category]
            rule = final_status(
                spec, candidate.status, candidate.when, item.ctx.published, candidate.sentence.text
            )
            gold_status = item.article.gold["events"][gi]["status"]
            features = status_features(item.ctx, candidate, rule)
            rows.add(features, gold_status, item.article.weight)
    return rows


# --- fitting --------------------------------------------------------------------------


def _fit_logistic(rows: Rows, c: float, multiclass: bool = False):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform(rows.features)
    model = LogisticRegression(C=c, max_iter=2000, solver="lbfgs")
    model.fit(matrix, rows.labels, sample_weight=rows.weights)
    return vectorizer.get_feature_names_out(), model


def _weights(names: Sequence[str], coefficients: Sequence[float]) -> dict[str, float]:
    return {str(name): round(float(w), 5) for name, w in zip(names, coefficients, strict=True) if w}


def fit_binary(rows: Rows, c: float, threshold: float) -> BinaryModel:
    if len(set(rows.labels)) < 2:
        label = rows.labels[0] if rows.labels else 0
        return BinaryModel({}, 10.0 if label else -10.0, threshold)
    names, model = _fit_logistic(rows, c)
    return BinaryModel(_weights(names, model.coef_[0]), float(model.intercept_[0]), threshold)


def fit_status(rows: Rows, c: float) -> MulticlassModel:
    labels = sorted(set(rows.labels))
    if len(labels) < 2:
        only = labels[0] if labels else "occurred"
        return MulticlassModel((only,), {only: {}}, {only: 0.0})
    names, model = _fit_logistic(rows, c, multiclass=True)
    classes = [str(label) for label in model.classes_]
    if len(classes) == 2:  # scikit-learn keeps one row of weights for two classes
        weights = {classes[1]: _weights(names, model.coef_[0]), classes[0]: {}}
        bias = {classes[1]: float(model.intercept_[0]), classes[0]: 0.0}
    else:
        weights = {
            label: _weights(names, row) for label, row in zip(classes, model.coef_, strict=True)
        }
        bias = {label: float(b) for label, b in zip(classes, model.intercept_, strict=True)}
    return MulticlassModel(tuple(classes), weights, bias)


def _folds(items: Sequence[Any], folds: int, seed: int = SEED) -> list[list[int]]:
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    return [order[i::folds] for i in range(folds)]


def _cross_fitted_party_rows(prepared: list[Prepared], hyper: Hyper, folds: int) -> Rows:
    """Event rows whose party choices come from party models that never saw them."""
    rows = Rows()
    for held_out in _folds(prepared, folds, SEED + 1):
        held = set(held_out)
        train = [p for i, p in enumerate(prepared) if i not in held]
        party = fit_binary(party_rows(train), hyper.party_c, hyper.party_threshold)
        held_items = [prepared[i] for i in held_out]
        rows.extend(event_rows(held_items, party, hyper.party_threshold))
    return rows


def fit_models(prepared: list[Prepared], hyper: Hyper, folds: int = FOLDS) -> EventModel:
    """The three models, trained on these articles (no calibration)."""
    party = fit_binary(party_rows(prepared), hyper.party_c, hyper.party_threshold)
    events = _cross_fitted_party_rows(prepared, hyper, folds)
    event = fit_binary(events, hyper.event_c, hyper.event_threshold)
    status = fit_status(status_rows(prepared), hyper.status_c)
    return EventModel(
        party=party,
        event=event,
        status=status,
        status_margin=hyper.status_margin,
    )


# --- cross-validation, calibration, fingerprint ---------------------------------------


@dataclass
class OutOfFold:
    """Every article's events as extracted by a model that never saw the article."""

    predictions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def extract_with(model: EventModel, article: TrainingArticle) -> list[dict[str, Any]]:
    result = extract_from_text(
        article.text, doc_id=article.id, published=article.published, mode="learned", model=model
    )
    return [event.to_dict() for event in result.events]


def cross_validate(
    articles: list[TrainingArticle],
    hyper: Hyper,
    folds: int = FOLDS,
    progress: Callable[[str], None] | None = None,
    seed: int = SEED,
    extra: Sequence[TrainingArticle] = (),
) -> OutOfFold:
    """Each article extracted by a model trained on the other folds (and ``extra``,
    articles that are trained on but never measured)."""
    prepared = [prepare(a) for a in articles]
    always = [prepare(a) for a in extra]
    found = OutOfFold()
    for number, held_out in enumerate(_folds(articles, folds, seed), start=1):
        held = set(held_out)
        model = fit_models([p for i, p in enumerate(prepared) if i not in held] + always, hyper)
        for i in held_out:
            found.predictions[articles[i].id] = extract_with(model, articles[i])
        if progress:
            progress(f"fold {number}/{folds}")
    return found


def calibration_pairs(
    articles: list[TrainingArticle], predictions: dict[str, list[dict[str, Any]]]
) -> list[tuple[float, bool]]:
    """(confidence, right) for every predicted event."""
    pairs = []
    for article in articles:
        events = predictions.get(article.id, [])
        match = match_article(gold_events(article.gold), predicted_events(events))
        right = match.matched_predictions
        pairs += [(float(e["confidence"]), i in right) for i, e in enumerate(events)]
    return pairs


def fit_calibration(pairs: list[tuple[float, bool]]) -> Calibration:
    """Isotonic steps from scores to the share right (monotone, fitted on out-of-fold)."""
    if len({right for _, right in pairs}) < 2:
        return Calibration()
    from sklearn.isotonic import IsotonicRegression

    pairs = sorted(pairs)
    scores = [s for s, _ in pairs]
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    rates = iso.fit_transform(scores, [float(r) for _, r in pairs])
    steps: list[tuple[float, float]] = []
    for score, rate in zip(scores, rates, strict=True):
        if not steps or round(float(rate), 4) != steps[-1][1]:
            steps.append((round(score, 4), round(float(rate), 4)))
    return Calibration(tuple(s for s, _ in steps), tuple(r for _, r in steps))


def fingerprint(articles: Iterable[TrainingArticle], hyper: Hyper) -> str:
    """A hash of exactly what the model learned from: gold lines, texts, settings."""
    digest = hashlib.sha256()
    digest.update(f"features:{FEATURE_VERSION};{dataclasses.asdict(hyper)}".encode())
    for article in sorted(articles, key=lambda a: a.id):
        digest.update(json.dumps(article.gold, sort_keys=True, ensure_ascii=False).encode())
        digest.update(hashlib.sha256(article.text.encode("utf-8")).digest())
    return digest.hexdigest()


def train(
    articles: list[TrainingArticle],
    hyper: Hyper = Hyper(),
    folds: int = FOLDS,
    progress: Callable[[str], None] | None = None,
    extra: Sequence[TrainingArticle] = (),
) -> EventModel:
    """The model to ship: trained on every article (and ``extra``), calibrated out of
    fold on ``articles``."""
    out_of_fold = cross_validate(articles, hyper, folds, progress, extra=extra)
    calibration = fit_calibration(calibration_pairs(articles, out_of_fold.predictions))
    model = fit_models([prepare(a) for a in [*articles, *extra]], hyper, folds)
    events = sum(len(a.gold.get("events") or []) for a in articles)
    trained_on = {
        "articles": len(articles),
        "events": events,
        "passages": len(extra),
        "fingerprint": fingerprint([*articles, *extra], hyper),
        "hyper": dataclasses.asdict(hyper),
        "statuses": list(STATUSES),
    }
    return dataclasses.replace(model, calibration=calibration, trained_on=trained_on)
