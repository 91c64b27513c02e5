"""Cooperation events on real published articles (``make eval-real``).

Scores the extractor against ``seeds/realtext/gold.jsonl`` (``../shared/EVENTS.md``):
P/R/F1 per kind, status accuracy on matched events, and errors by kind, for rules alone
and rules plus learning side by side, on the development part and on each blind part.

- dev: rules plus learning is cross-validated (each article extracted by a model trained
  on the other folds, never on itself), so its figures are honest too;
- blind parts: the shipped model (``extract/data/events-model.json``, trained on dev only).
  A blind part is measured once per round, then folded into dev (seeds/realtext/README.md).

It also prints the reliability table of the learned confidences on each blind part, and
with ``--baseline REV`` the extractor of an earlier revision beside them.

    python benchmarks/eval_real.py [--parts dev blind1 ...] [--baseline d98848a] [--errors]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from baseline import BEFORE_REAL_TEXT, checkout, run_with

from defence_news.extract import extract_from_text
from defence_news.extract.evaluation import (
    Score,
    gold_events,
    match_article,
    party_error,
    predicted_events,
    reliability,
)
from defence_news.extract.learn.model import packaged_model
from defence_news.extract.learn.training import TrainingArticle, cross_validate, written_passages
from defence_news.realtext import load_corpus

ROOT = Path(__file__).resolve().parents[1]
PASSAGES = ROOT / "seeds" / "devset" / "passages.yaml"
TARGET_F1 = 0.80
TARGET_STATUS = 0.90
CALIBRATION_FLOOR = 0.8  # of the events given at least this confidence...
CALIBRATION_TARGET = 0.8  # ... at least this share must be right

Predictions = dict[str, list[dict[str, Any]]]


def _extract_all(articles: list[TrainingArticle], mode: str) -> Predictions:
    found: Predictions = {}
    for article in articles:
        result = extract_from_text(
            article.text, doc_id=article.id, published=article.published, mode=mode
        )
        found[article.id] = [event.to_dict() for event in result.events]
    return found


def _extract_baseline(articles: list[TrainingArticle], rev: str) -> Predictions:
    """The extractor of ``rev``, through its own ``extract`` command."""
    include = checkout(rev)
    with tempfile.TemporaryDirectory() as folder:
        source, sink = Path(folder) / "in.jsonl", Path(folder) / "out.jsonl"
        lines = [
            json.dumps({"id": a.id, "text": a.text, "published": a.published}) for a in articles
        ]
        source.write_text("\n".join(lines) + "\n", "utf-8")
        run_with(
            include, ["-m", "defence_news", "extract", "--in", str(source), "--out", str(sink)]
        )
        rows = [json.loads(line) for line in sink.read_text("utf-8").splitlines() if line]
    return {row["id"]: row.get("events") or [] for row in rows}


def score(articles: list[TrainingArticle], predictions: Predictions) -> Score:
    total = Score()
    for article in articles:
        events = predicted_events(predictions.get(article.id, []))
        total.add(match_article(gold_events(article.gold), events))
    return total


def _party_errors(articles: list[TrainingArticle], predictions: Predictions) -> Counter[str]:
    errors: Counter[str] = Counter()
    for article in articles:
        gold = gold_events(article.gold)
        events = predicted_events(predictions.get(article.id, []))
        match = match_article(gold, events)
        for i, event in enumerate(events):
            if i not in match.matched_predictions:
                kind = party_error(event, gold, match)
                if kind:
                    errors[kind] += 1
    return errors


def _row(label: str, figures: list[tuple[float, float, float, int]]) -> str:
    cells = "".join(f"  {p:5.3f} {r:5.3f} {f:5.3f} {n:4d}" for p, r, f, n in figures)
    return f"  {label:<15}{cells}"


def print_part(
    name: str,
    articles: list[TrainingArticle],
    systems: dict[str, Predictions],
) -> dict[str, Score]:
    scores = {label: score(articles, found) for label, found in systems.items()}
    gold = sum(len(a.gold.get("events") or []) for a in articles)
    print(f"\n== {name}: {len(articles)} articles, {gold} gold events")
    header = "".join(f"  {label:<22}" for label in systems)
    print(f"  {'':<15}{header}")
    print(f"  {'kind':<15}" + "  P     R     F1    tp  " * len(systems))
    kinds = sorted({k for s in scores.values() for k in s.kinds()})
    for kind in kinds:
        print(_row(kind, [(*s.prf(kind), s.tp[kind]) for s in scores.values()]))
    print(_row("ALL events", [(*s.prf(), sum(s.tp.values())) for s in scores.values()]))
    status = "".join(
        f"  {s.status_accuracy:5.3f} ({s.status_right}/{s.status_total})      "
        for s in scores.values()
    )
    print(f"  {'status acc.':<15}{status}")
    for label, found in systems.items():
        s = scores[label]
        parties = _party_errors(articles, found)
        print(
            f"  {label}: missed {dict(s.missed)}; wrong {dict(s.wrong)}; "
            f"wrong parties: {dict(parties)}"
        )
    return scores


def print_reliability(name: str, articles: list[TrainingArticle], found: Predictions) -> None:
    pairs = []
    for article in articles:
        events = found.get(article.id, [])
        match = match_article(gold_events(article.gold), predicted_events(events))
        pairs += [
            (float(e["confidence"]), i in match.matched_predictions) for i, e in enumerate(events)
        ]
    table = reliability(pairs)
    print(f"\n  reliability of the learned confidence on {name}:")
    print("    confidence   events  right  share")
    for row in table.rows:
        share = f"{row.share:5.2f}" if row.events else "    -"
        print(f"    {row.low:.1f}-{row.high:.1f}     {row.events:6d} {row.right:6d}  {share}")
    above = table.at_least(CALIBRATION_FLOOR)
    verdict = "PASS" if above.events and above.share >= CALIBRATION_TARGET else "BELOW TARGET"
    print(
        f"    confidence >= {CALIBRATION_FLOOR}: {above.right}/{above.events} right "
        f"({above.share:.2f}; target >= {CALIBRATION_TARGET}): {verdict}"
    )


def _articles(split: str) -> list[TrainingArticle]:
    corpus = load_corpus([split])
    missing = [a.id for a in corpus if a.text is None]
    if missing:
        print(f"{split}: no cached text for {len(missing)} of {len(corpus)}: {', '.join(missing)}")
        print("  (python -m defence_news realtext status says how to refill them)")
    return [TrainingArticle(a.id, a.text, a.published, a.record) for a in corpus if a.text]


def _verdict(scores: dict[str, Score], label: str) -> str:
    s = scores[label]
    f1 = s.prf()[2]
    ok = f1 >= TARGET_F1 and s.status_accuracy >= TARGET_STATUS
    return (
        f"{label}: F1 {f1:.3f} (target >= {TARGET_F1}), status {s.status_accuracy:.3f} "
        f"(target >= {TARGET_STATUS}): {'PASS' if ok else 'BELOW TARGET'}"
    )


def evaluate_part(split: str, baseline: str | None, show_errors: bool) -> None:
    articles = _articles(split)
    if not articles:
        return
    systems: dict[str, Predictions] = {}
    if baseline:
        systems[f"before ({baseline})"] = _extract_baseline(articles, baseline)
    systems["rules alone"] = _extract_all(articles, "rules")
    if split == "dev":
        extra = written_passages(PASSAGES)
        model = packaged_model()
        hyper = model.trained_on.get("hyper") if model else None
        learned = cross_validate(articles, _hyper(hyper), extra=extra).predictions
        label = "rules + learning (cv)"
    else:
        learned = _extract_all(articles, "learned")
        label = "rules + learning"
    systems[label] = learned
    scores = print_part(split, articles, systems)
    for name in systems:
        print(f"  {_verdict(scores, name)}")
    if split != "dev":
        print_reliability(split, articles, learned)
    if show_errors:
        _print_errors(articles, learned)


def _hyper(values: dict[str, Any] | None):
    from defence_news.extract.learn.training import Hyper

    return Hyper(**values) if values else Hyper()


def _print_errors(articles: list[TrainingArticle], found: Predictions) -> None:
    for article in articles:
        events = found.get(article.id, [])
        gold = gold_events(article.gold)
        match = match_article(gold, predicted_events(events))
        misses = [g for i, g in enumerate(gold) if i not in match.matched_gold]
        extras = [e for i, e in enumerate(events) if i not in match.matched_predictions]
        for g in misses:
            print(f"  {article.id} MISSED {g.category}/{g.status} {sorted(g.countries)}")
        for e in extras:
            countries = sorted(a["country"] for a in e["actors"])
            print(f"  {article.id} EXTRA  {e['category']}/{e['status']} {countries}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="+", help="splits to score (default: every split)")
    parser.add_argument(
        "--baseline",
        nargs="?",
        const=BEFORE_REAL_TEXT,
        help=f"also score an earlier revision's extractor (default {BEFORE_REAL_TEXT})",
    )
    parser.add_argument("--errors", action="store_true", help="list every missed/extra event")
    args = parser.parse_args(argv)
    splits = args.parts or list(dict.fromkeys(a.split for a in load_corpus()))
    for split in splits:
        evaluate_part(split, args.baseline, args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
