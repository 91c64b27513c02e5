"""Throughput of event extraction, one process on one core, beside today's extractor.

Corpora: the seed document itself; the offline seed site's article bodies (news prose
like the seed); development passages packed to the seed's length (dense: ~16 events per
article, a stress test); and the mix of all three, against which the target is checked.
Prints articles per second of CPU time (the best of five equal rounds, as ``timeit``
does: a busy host only ever slows a round down) and peak memory (max RSS, and the Python heap peak
by tracemalloc on a short pass) for the current extractor (rules + learning, and rules
alone) and, measured in the same run by the same code in a child process, the extractor
of an earlier revision (``--baseline``, by default the one before issue 8).

    python benchmarks/bench_events.py [--articles 1000] [--baseline d98848a] [--check]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_daa3c69061294fcf.txt"
DEVSET = ROOT / "seeds" / "devset" / "passages.yaml"
GOLDENS = ROOT / "seeds" / "goldens"
TARGET_ARTICLES_PER_SECOND = 150
TARGET_PEAK_MIB = 200
WARM_UP_ARTICLES = 20  # compiles the gazetteer, rules and model once, outside the timing
TRACEMALLOC_ARTICLES = 100  # tracemalloc slows Python down, so it gets its own short pass
ROUNDS = 5  # the articles of a corpus are timed in this many rounds; the fastest counts


def dense_corpus() -> list[tuple[str, str]]:
    """Dev-set passages packed to the seed's length: ~16 events per article, a stress test."""
    seed_length = len(SEED.read_text("utf-8"))
    passages = yaml.safe_load(DEVSET.read_text("utf-8"))["passages"]
    corpus: list[tuple[str, str]] = []
    chunk: list[str] = []
    for passage in passages:
        chunk.append(passage["text"])
        if sum(len(p) for p in chunk) >= seed_length:
            corpus.append((str(passage["published"]), "\n\n".join(chunk)))
            chunk = []
    return corpus


def site_corpus() -> list[tuple[str, str]]:
    """Article bodies of the offline seed site (news prose of the seed's kind), if present."""
    corpus = []
    for page in sorted(GOLDENS.glob("*.json")):
        if page.name.endswith(".events.json"):
            continue
        record = json.loads(page.read_text("utf-8"))
        if record.get("body"):
            corpus.append((record.get("published_at") or "2024-06-18", record["body"]))
    return corpus


def corpora() -> dict[str, list[tuple[str, str]]]:
    found = {"seed": [("2024-06-18", SEED.read_text("utf-8"))], "dense-dev": dense_corpus()}
    site = site_corpus()
    if site:
        found["seed-site"] = site
    found["mix"] = [doc for docs in found.values() for doc in docs]
    return found


def _extractor(mode: str | None):
    """``extract_from_text`` in a mode; an earlier revision's takes no mode."""
    from defence_news.extract import extract_from_text

    if mode is None:
        return extract_from_text
    return lambda text, **kw: extract_from_text(text, mode=mode, **kw)


def _run(extract, corpus: list[tuple[str, str]], count: int) -> int:
    events = 0
    for i in range(count):
        published, text = corpus[i % len(corpus)]
        events += len(extract(text, doc_id=f"bench-{i}", published=published).events)
    return events


def measure(mode: str | None, articles: int) -> dict[str, Any]:
    """Rates per corpus and peak memory for one extractor, in this process."""
    extract = _extractor(mode)
    rates: dict[str, Any] = {}
    for name, corpus in corpora().items():
        _run(extract, corpus, WARM_UP_ARTICLES)
        per_round = max(1, articles // ROUNDS)
        timings = []
        events = 0
        for _ in range(ROUNDS):
            started = time.process_time()
            events += _run(extract, corpus, per_round)
            timings.append(time.process_time() - started)
        rates[name] = {"rate": per_round / min(timings), "events": events / (per_round * ROUNDS)}
    tracemalloc.start()
    _run(extract, corpora()["mix"], TRACEMALLOC_ARTICLES)
    _, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "rates": rates,
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "heap_peak_mib": heap_peak / 2**20,
    }


def _in_child(include: Path | None, mode: str | None, articles: int) -> dict[str, Any]:
    """One extractor measured in a fresh process (its own memory peak, its own code)."""
    from baseline import run_with

    args = [str(Path(__file__)), "--child", "--articles", str(articles)]
    if mode:
        args += ["--mode", mode]
    library = include or ROOT / "include"
    return json.loads(run_with(library, args).stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000, help="per corpus")
    parser.add_argument("--baseline", default=None, help="revision to measure beside")
    parser.add_argument("--no-baseline", action="store_true", help="skip the earlier revision")
    parser.add_argument("--check", action="store_true", help="exit 1 below a target")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--mode", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.mode, args.articles)))
        return 0
    from baseline import BEFORE_REAL_TEXT, checkout

    systems: dict[str, dict[str, Any]] = {}
    systems["rules + learning"] = _in_child(None, "learned", args.articles)
    systems["rules alone"] = _in_child(None, "rules", args.articles)
    if not args.no_baseline:
        rev = args.baseline or BEFORE_REAL_TEXT
        systems[f"before ({rev})"] = _in_child(checkout(rev), None, args.articles)
    _print(systems, args.articles)
    learned = systems["rules + learning"]
    rate = learned["rates"]["mix"]["rate"]
    peak = learned["max_rss_mib"]
    passed = rate >= TARGET_ARTICLES_PER_SECOND and peak <= TARGET_PEAK_MIB
    print(
        f"target >= {TARGET_ARTICLES_PER_SECOND} articles/s per core on the mix and peak "
        f"<= {TARGET_PEAK_MIB} MiB (rules + learning): {'PASS' if passed else 'BELOW TARGET'}"
    )
    return 0 if passed or not args.check else 1


def _print(systems: dict[str, dict[str, Any]], articles: int) -> None:
    print(
        f"{articles} articles per corpus in {ROUNDS} rounds; one process each, CPU time of the "
        "fastest round; articles/s per core"
    )
    names = list(systems)
    print(f"{'corpus':<11}" + "".join(f"{name:>22}" for name in names))
    for corpus in next(iter(systems.values()))["rates"]:
        figures = [systems[n]["rates"][corpus] for n in names]
        cells = "".join(f"{f['rate']:>11.0f} ({f['events']:4.1f} ev)" for f in figures)
        print(f"{corpus:<11}{cells}")
    print(f"{'max RSS MiB':<11}" + "".join(f"{systems[n]['max_rss_mib']:>22.1f}" for n in names))
    print(f"{'heap MiB':<11}" + "".join(f"{systems[n]['heap_peak_mib']:>22.2f}" for n in names))


if __name__ == "__main__":
    sys.exit(main())
