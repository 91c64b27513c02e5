"""Train the extractor's learned decisions on the real-text corpus (``make train-events``).

Trains on every article of ``seeds/realtext/gold.jsonl`` whose split is ``dev`` (blind
parts never), calibrates out of fold, and writes
``include/defence_news/extract/data/events-model.json`` with the training data's
fingerprint. Prints the cross-validated figures of rules alone and rules plus learning,
and the features that weigh most in each model.

    python benchmarks/train_events.py [--splits dev] [--out PATH] [--folds 5] [--search]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from dataclasses import replace
from pathlib import Path

from defence_news.extract.evaluation import Score, gold_events, match_article, predicted_events
from defence_news.extract.learn.model import MODEL_FILE, BinaryModel, EventModel
from defence_news.extract.learn.training import (
    FOLDS,
    Hyper,
    TrainingArticle,
    cross_validate,
    train,
    written_passages,
)
from defence_news.realtext import load_corpus

ROOT = Path(__file__).resolve().parents[1]
MODEL_PATH = ROOT / "include" / "defence_news" / "extract" / "data" / MODEL_FILE
PASSAGES = ROOT / "seeds" / "devset" / "passages.yaml"
SEARCH_GRID = {
    "party_threshold": (0.5, 0.6, 0.7),
    "event_threshold": (0.2, 0.3, 0.4),
    "event_c": (0.25, 0.5, 1.0),
}


def training_articles(splits: list[str]) -> list[TrainingArticle]:
    corpus = load_corpus(splits)
    missing = [a.id for a in corpus if a.text is None]
    if missing:
        print(f"train: no cached text for {len(missing)} articles: {', '.join(missing)}")
        print("       (python -m defence_news realtext status says how to refill them)")
    return [TrainingArticle(a.id, a.text, a.published, a.record) for a in corpus if a.text]


def out_of_fold_f1(
    articles: list[TrainingArticle], extra: list[TrainingArticle], hyper: Hyper, folds: int
) -> float:
    predictions = cross_validate(articles, hyper, folds, extra=extra).predictions
    score = Score()
    for article in articles:
        events = predicted_events(predictions.get(article.id, []))
        score.add(match_article(gold_events(article.gold), events))
    return score.prf()[2]


def search(articles: list[TrainingArticle], extra: list[TrainingArticle], folds: int) -> Hyper:
    """The grid's best settings by cross-validated event F1."""
    best: tuple[float, Hyper] | None = None
    keys = list(SEARCH_GRID)
    for values in itertools.product(*(SEARCH_GRID[k] for k in keys)):
        hyper = replace(Hyper(), **dict(zip(keys, values, strict=True)))
        f1 = out_of_fold_f1(articles, extra, hyper, folds)
        print(f"  {dict(zip(keys, values, strict=True))}: F1 {f1:.3f}")
        if best is None or f1 > best[0]:
            best = (f1, hyper)
    assert best is not None
    return best[1]


def _top_features(model: BinaryModel, count: int) -> str:
    ranked = sorted(model.weights.items(), key=lambda item: -abs(item[1]))[:count]
    return ", ".join(f"{name} {weight:+.2f}" for name, weight in ranked)


def report(model: EventModel) -> None:
    trained = model.trained_on
    print(
        f"trained on {trained['articles']} articles, {trained['events']} events "
        f"(and {trained['passages']} written passages); "
        f"fingerprint {trained['fingerprint'][:16]}"
    )
    print(f"party model, strongest features: {_top_features(model.party, 12)}")
    print(f"event model, strongest features: {_top_features(model.event, 12)}")
    print(f"calibration: {len(model.calibration.scores)} steps")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", nargs="+", default=["dev"], help="splits to train on")
    parser.add_argument("--out", default=str(MODEL_PATH), help="model file to write")
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--search", action="store_true", help="grid-search the settings")
    parser.add_argument("--no-passages", action="store_true", help="leave out the written passages")
    args = parser.parse_args(argv)
    if any(split.startswith("blind") for split in args.splits):
        print("train: a blind part is measured, never trained on", file=sys.stderr)
        return 2
    articles = training_articles(args.splits)
    if not articles:
        print("train: no article with its text cached", file=sys.stderr)
        return 1
    extra = [] if args.no_passages else written_passages(PASSAGES)
    started = time.perf_counter()
    hyper = search(articles, extra, args.folds) if args.search else Hyper()
    print(f"settings: {hyper}")
    model = train(articles, hyper, args.folds, lambda line: print(f"  {line}"), extra)
    model.save(Path(args.out))
    report(model)
    print(f"wrote {args.out} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
