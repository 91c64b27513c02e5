"""Throughput of event extraction on seed-length articles, one process on one core.

Corpora: the seed document itself; the offline seed site's article bodies (news
prose like the seed); dev-set passages packed to the seed's length (dense: ~16
events per article, a stress test); and the mix of all three, against which the
target is checked. Prints articles per second of CPU time in one process, and
peak memory (max RSS, and the Python heap peak by tracemalloc on a short pass).

    python benchmarks/bench_events.py [--articles 1000] [--check]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import yaml

from defence_news.extract import extract_from_text

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_daa3c69061294fcf.txt"
DEVSET = ROOT / "seeds" / "devset" / "passages.yaml"
GOLDENS = ROOT / "seeds" / "goldens"
TARGET_ARTICLES_PER_SECOND = 200
WARM_UP_ARTICLES = 20  # compiles the gazetteer and rules once, outside the timing
TRACEMALLOC_ARTICLES = 100  # tracemalloc slows Python down, so it gets its own short pass


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


def _run(corpus: list[tuple[str, str]], count: int) -> int:
    events = 0
    for i in range(count):
        published, text = corpus[i % len(corpus)]
        events += len(extract_from_text(text, doc_id=f"bench-{i}", published=published).events)
    return events


def _measure(name: str, corpus: list[tuple[str, str]], count: int) -> float:
    mean_chars = sum(len(t) for _, t in corpus) / len(corpus)
    _run(corpus, WARM_UP_ARTICLES)
    cpu_started = time.process_time()
    events = _run(corpus, count)
    cpu = time.process_time() - cpu_started
    rate = count / cpu
    print(
        f"{name:<10} {len(corpus):>3} distinct, mean {mean_chars:>5.0f} chars, "
        f"{events / count:>5.1f} events/article: {rate:>5.0f} articles/s per core"
    )
    return rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000, help="per corpus")
    parser.add_argument("--check", action="store_true", help="exit 1 below the target")
    args = parser.parse_args(argv)
    print(f"seed document: {len(SEED.read_text('utf-8'))} chars; one process, cpu time")
    rates = {name: _measure(name, docs, args.articles) for name, docs in corpora().items()}
    tracemalloc.start()
    _run(corpora()["mix"], TRACEMALLOC_ARTICLES)
    _, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    max_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak memory: max RSS {max_rss_mib:.1f} MiB, Python heap peak {heap_peak / 2**20:.2f} MiB"
    )
    passed = rates["mix"] >= TARGET_ARTICLES_PER_SECOND
    verdict = "PASS" if passed else "BELOW TARGET"
    print(f"target >= {TARGET_ARTICLES_PER_SECOND} articles/s per core on the mix: {verdict}")
    return 0 if passed or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
