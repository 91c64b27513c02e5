"""Evaluate event extraction on the annotated development set (``make eval-events``).

Prints precision, recall and F1 per category and overall (an event matches when
its category and its set of countries are both right), status accuracy on
matched events, and P/R/F1 for country pairs alone. With ``--goldens`` it also
scores the seed site's ``seeds/goldens/*.events.json`` (optional events count
neither way when missed, and an accepted status counts as right).

    python benchmarks/eval_events.py [--split dev|heldout|blind8|...|all] [--errors] [--goldens]

Every ``split`` named in the development set is scored on its own (blind batches are
measured under their own split name before they are tuned on).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from defence_news.extract import extract_from_text
from defence_news.models import CATEGORIES

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT / "seeds" / "devset" / "passages.yaml"
GOLDENS = ROOT / "seeds" / "goldens"
TARGET_F1 = 0.85
TARGET_STATUS_ACCURACY = 0.90


@dataclass(frozen=True)
class Gold:
    category: str
    countries: frozenset[str]
    statuses: frozenset[str]
    optional: bool = False


@dataclass
class Doc:
    doc_id: str
    text: str
    published: str | None
    gold: list[Gold]


@dataclass
class Score:
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    status_right: int = 0
    status_total: int = 0
    pair_tp: int = 0
    pair_fp: int = 0
    pair_fn: int = 0
    errors: list[str] = field(default_factory=list)


def devset_splits() -> list[str]:
    """Split names in the order they first appear in the development set."""
    data = yaml.safe_load(DEVSET.read_text("utf-8"))
    names = [item.get("split", "dev") for item in data["passages"]]
    return list(dict.fromkeys(names))


def load_devset(split: str) -> list[Doc]:
    data = yaml.safe_load(DEVSET.read_text("utf-8"))
    docs = []
    for item in data["passages"]:
        if split != "all" and item.get("split", "dev") != split:
            continue
        gold = [
            Gold(e["category"], frozenset(e["countries"]), frozenset([e["status"]]))
            for e in item.get("events") or []
        ]
        docs.append(Doc(item["id"], item["text"], str(item["published"]), gold))
    return docs


def load_goldens() -> list[Doc]:
    docs = []
    for events_file in sorted(GOLDENS.glob("*.events.json")):
        page = json.loads(
            events_file.with_name(events_file.name.replace(".events", "")).read_text()
        )
        gold = [
            Gold(
                e["category"],
                frozenset(e["countries"]),
                frozenset(e.get("accepted_statuses") or [e["status"]]),
                bool(e.get("optional")),
            )
            for e in json.loads(events_file.read_text())
        ]
        docs.append(Doc(events_file.stem, page.get("body") or "", page.get("published_at"), gold))
    return docs


def _score_doc(doc: Doc, score: Score) -> None:
    result = extract_from_text(doc.text, doc_id=doc.doc_id, published=doc.published)
    predicted = [(e.category, frozenset(e.countries), e.status) for e in result.events]
    unmatched = list(range(len(predicted)))
    for gold in doc.gold:
        hit = next(
            (i for i in unmatched if predicted[i][:2] == (gold.category, gold.countries)), None
        )
        if hit is None:
            if not gold.optional:
                score.fn[gold.category] += 1
                score.errors.append(f"{doc.doc_id} MISSED {gold.category} {sorted(gold.countries)}")
            continue
        unmatched.remove(hit)
        score.tp[gold.category] += 1
        score.status_total += 1
        if predicted[hit][2] in gold.statuses:
            score.status_right += 1
        else:
            score.errors.append(
                f"{doc.doc_id} STATUS {gold.category} {sorted(gold.countries)}: "
                f"got {predicted[hit][2]}, want {'/'.join(sorted(gold.statuses))}"
            )
    for i in unmatched:
        score.fp[predicted[i][0]] += 1
        score.errors.append(
            f"{doc.doc_id} EXTRA {predicted[i][0]} {sorted(predicted[i][1])} {predicted[i][2]}"
        )
    gold_pairs = {g.countries for g in doc.gold if not g.optional}
    optional_pairs = {g.countries for g in doc.gold if g.optional}
    predicted_pairs = {p[1] for p in predicted}
    score.pair_tp += len(gold_pairs & predicted_pairs)
    score.pair_fn += len(gold_pairs - predicted_pairs)
    score.pair_fp += len(predicted_pairs - gold_pairs - optional_pairs)


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def evaluate(docs: Iterable[Doc]) -> Score:
    score = Score()
    for doc in docs:
        _score_doc(doc, score)
    return score


def report(title: str, score: Score, show_errors: bool) -> dict[str, Any]:
    print(f"\n== {title}")
    print(f"{'category':<15}{'P':>7}{'R':>7}{'F1':>7}{'tp':>5}{'fp':>5}{'fn':>5}")
    for category in CATEGORIES:
        tp, fp, fn = score.tp[category], score.fp[category], score.fn[category]
        if tp + fp + fn:
            p, r, f = prf(tp, fp, fn)
            print(f"{category:<15}{p:>7.3f}{r:>7.3f}{f:>7.3f}{tp:>5}{fp:>5}{fn:>5}")
    tp, fp, fn = sum(score.tp.values()), sum(score.fp.values()), sum(score.fn.values())
    p, r, f = prf(tp, fp, fn)
    print(f"{'ALL events':<15}{p:>7.3f}{r:>7.3f}{f:>7.3f}{tp:>5}{fp:>5}{fn:>5}")
    pp, pr, pf = prf(score.pair_tp, score.pair_fp, score.pair_fn)
    counts = f"{score.pair_tp:>5}{score.pair_fp:>5}{score.pair_fn:>5}"
    print(f"{'country pairs':<15}{pp:>7.3f}{pr:>7.3f}{pf:>7.3f}{counts}")
    accuracy = score.status_right / score.status_total if score.status_total else 1.0
    matched = f"{score.status_right}/{score.status_total}"
    print(f"status accuracy on matched events: {accuracy:.3f} ({matched})")
    if show_errors:
        for line in score.errors:
            print("  " + line)
    return {"f1": f, "status_accuracy": accuracy}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=[*devset_splits(), "all"], default="all")
    parser.add_argument("--errors", action="store_true", help="list every miss and extra")
    parser.add_argument("--goldens", action="store_true", help="also score seeds/goldens")
    parser.add_argument("--check", action="store_true", help="exit 1 below the targets")
    args = parser.parse_args(argv)
    splits = devset_splits() if args.split == "all" else [args.split]
    results = {}
    for split in splits:
        docs = load_devset(split)
        results[split] = report(
            f"devset split={split} ({len(docs)} passages)", evaluate(docs), args.errors
        )
    if args.split == "all":
        docs = load_devset("all")
        results["all"] = report(f"devset all ({len(docs)} passages)", evaluate(docs), False)
    if args.goldens:
        docs = load_goldens()
        report(f"seed-site goldens ({len(docs)} articles)", evaluate(docs), args.errors)
    print(f"\ntargets: event F1 >= {TARGET_F1}, status accuracy >= {TARGET_STATUS_ACCURACY}")
    for name, result in results.items():
        ok = result["f1"] >= TARGET_F1 and result["status_accuracy"] >= TARGET_STATUS_ACCURACY
        print(
            f"  {name:<8} F1 {result['f1']:.3f}  status {result['status_accuracy']:.3f}  "
            f"{'PASS' if ok else 'BELOW TARGET'}"
        )
    final = results.get("all") or results[splits[0]]
    passed = final["f1"] >= TARGET_F1 and final["status_accuracy"] >= TARGET_STATUS_ACCURACY
    return 0 if passed or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
