"""Article metadata (title, authors, publication date, language) beside trafilatura's.

Gold: ``seeds/parse-gold/metadata-*.jsonl`` (one record per page of the
article-extraction benchmark, keys id, title, authors, published, offset_given,
language, note); the scoring rules are ``defence_news.parse.evaluation``'s.

    python benchmarks/bench_metadata.py                 # the table (bench_parse.py prints it too)
    python benchmarks/bench_metadata.py --errors        # and every page where ours is wrong

Both parsers read the same pages in the same process, one after the other:
- defence_news: ``parse_article`` (the pipeline's call) with no language filter;
  a page it rejects gives no metadata and counts as wrong;
- trafilatura: ``bare_extraction(with_metadata=True)`` with its defaults (as a new
  user calls it); its language is py3langid on its own text, which is what its
  ``target_language`` filter computes (its default metadata has no language).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from defence_news.parse.evaluation import PageScore, score_page, summarise

REPO_ROOT = Path(__file__).resolve().parents[1]
GOLD_DIR = REPO_ROOT / "seeds" / "parse-gold"
GOLD_GLOB = "metadata-*.jsonl"
# Targets from issue 12.
STRICT_LABEL = "defence_news*"
TARGETS = {"title_exact": 0.95, "author_f1": 0.95, "day": 0.98, "language": 0.98}

Prediction = dict[str, Any]
Adapter = Callable[[str, str], Prediction]


def load_gold(gold_dir: Path = GOLD_DIR) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Gold records by page id, and a line per record that could not be read."""
    records: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for path in sorted(gold_dir.glob(GOLD_GLOB)):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                problems.append(f"{path.name}:{number}: not JSON (being written?)")
                continue
            if not isinstance(record, dict) or not isinstance(record.get("id"), str):
                problems.append(f"{path.name}:{number}: no id")
                continue
            if record["id"] in records:
                problems.append(f"{path.name}:{number}: {record['id'][:12]} given twice, last kept")
            records[record["id"]] = record
    return records, problems


def load_pages(data_dir: Path, ids: Iterable[str]) -> list[tuple[str, str, str]]:
    """(id, url, html) of the benchmark pages with these ids, sorted by id."""
    truth = json.loads((data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(ids):
        if page_id not in truth:
            continue
        with gzip.open(data_dir / "html" / f"{page_id}.html.gz", "rt", encoding="utf-8") as f:
            pages.append((page_id, truth[page_id].get("url") or "", f.read()))
    return pages


def project_metadata(html: str, url: str) -> Prediction:
    from defence_news.parse import parse_article

    result = parse_article(html, url, source_id="bench", languages=())
    article = result.article
    if article is None:
        return _rejected_page(result)
    published: Any = article.published_at
    if published is not None and result.published_precision == "day":
        published = published.date()  # the page gave a date alone: no instant to compare
    return {
        "title": article.title,
        "authors": list(article.authors),
        "published": published,
        "language": article.language,
    }


def _rejected_page(result: Any) -> Prediction:
    """A page the parser read but rejected (a paywall stub): the metadata it read, marked."""
    metadata = result.rejected_metadata
    if metadata is None:
        return {"rejected": result.reason}
    found = metadata.fields
    published: Any = found.published_at
    if published is not None and not metadata.published_has_time:
        published = published.date()
    return {
        "title": found.title,
        "authors": list(found.authors),
        "published": published,
        "language": result.rejected_language,
        "rejected": result.reason,
    }


def trafilatura_metadata(html: str, url: str) -> Prediction:
    import py3langid
    import trafilatura

    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False
    )
    if document is None:
        return {}
    authors = [a.strip() for a in (document.author or "").split(";") if a.strip()]
    text = document.text or ""
    return {
        "title": document.title,
        "authors": authors,
        "published": document.date,
        "language": py3langid.classify(text)[0] if text.strip() else None,
    }


ADAPTERS: dict[str, Adapter] = {
    "defence_news": project_metadata,
    "trafilatura": trafilatura_metadata,
}


def run_adapter(
    adapter: Adapter, pages: list[tuple[str, str, str]]
) -> tuple[dict[str, Prediction], float]:
    """Predictions by page id, and the seconds the adapter took over all pages."""
    adapter(pages[0][2], pages[0][1])  # warm-up: lazy imports, models
    predictions: dict[str, Prediction] = {}
    started = time.perf_counter()
    for page_id, url, html in pages:
        try:
            predictions[page_id] = adapter(html, url)
        except Exception as error:  # an adapter failure is a wrong page, not a stopped bench
            predictions[page_id] = {"error": f"{type(error).__name__}: {error}"[:200]}
    return predictions, time.perf_counter() - started


def score(gold: dict[str, dict[str, Any]], predictions: dict[str, Prediction]) -> list[PageScore]:
    return [score_page(gold[page_id], predictions[page_id]) for page_id in sorted(predictions)]


def table(rows: dict[str, tuple[dict[str, Any], float]]) -> list[str]:
    header = (
        f"{'metadata':<14} {'pages':>5} {'title exact':>11} {'author F1':>9} {'day':>6} "
        f"{'minute (pages)':>14} {'language':>8} {'docs/s':>7}"
    )
    lines = [header, "-" * len(header)]
    for label, (summary, seconds) in rows.items():
        pages = summary["pages"]
        minute = f"{summary['minute']:.3f} ({summary['minute_pages']})"
        lines.append(
            f"{label:<14} {pages:>5} {summary['title_exact']:>11.3f} {summary['author_f1']:>9.3f} "
            f"{summary['day']:>6.3f} {minute:>14} {summary['language']:>8.3f} "
            f"{pages / seconds if seconds else 0:>7.1f}"
        )
    return lines


def verdict(summary: dict[str, Any]) -> tuple[bool, list[str]]:
    lines, met = [], True
    for key, target in TARGETS.items():
        ok = summary.get(key, 0.0) >= target
        met = met and ok
        lines.append(
            f"{key} {summary.get(key, 0.0):.3f} (target >= {target}): {'met' if ok else 'NOT met'}"
        )
    return met, lines


def error_lines(
    gold: dict[str, dict[str, Any]],
    predictions: dict[str, Prediction],
    scores: list[PageScore],
) -> list[str]:
    """One block per page where a field is wrong: gold beside prediction."""
    lines = []
    for page in scores:
        wrong = [
            name
            for name, bad in (
                ("title", not page.title),
                ("authors", page.authors < 1.0),
                ("day", not page.day),
                ("minute", page.day and page.minute is False),
                ("language", not page.language),
            )
            if bad
        ]
        if not wrong:
            continue
        expected, found = gold[page.page_id], predictions[page.page_id]
        lines.append(f"{page.page_id[:12]} {' '.join(wrong)}")
        for name in wrong:
            name = "published" if name in ("day", "minute") else name
            value = found.get(name)
            value = value.isoformat() if hasattr(value, "isoformat") else value
            lines.append(f"    {name}: gold {expected.get(name)!r} / ours {value!r}")
        for extra in ("rejected", "error"):
            if extra in found:
                lines.append(f"    {extra}: {found[extra]}")
    return lines


def run(data_dir: Path, *, show_errors: bool = False) -> tuple[bool, list[str], dict[str, Any]]:
    """The table, target lines and results as JSON-ready data."""
    gold, problems = load_gold()
    pages = load_pages(data_dir, gold)
    if not pages:
        return False, [f"no gold records in {GOLD_DIR}/{GOLD_GLOB} match pages in {data_dir}"], {}
    rows, results, ours, rejected = {}, {}, None, []
    for label, adapter in ADAPTERS.items():
        predictions, seconds = run_adapter(adapter, pages)
        scores = score(gold, predictions)
        rows[label] = (summarise(scores), seconds)
        results[label] = {"summary": rows[label][0], "seconds": seconds}
        if label == "defence_news":
            ours = (predictions, scores)
            strict = {k: {} if "rejected" in v else v for k, v in predictions.items()}
            rows[STRICT_LABEL] = (summarise(score(gold, strict)), seconds)
            rejected = sorted(str(v["rejected"]) for v in predictions.values() if "rejected" in v)
    met, target_lines = verdict(rows["defence_news"][0])
    lines = [f"gold: {len(gold)} records, {len(pages)} pages", *problems, *table(rows)]
    lines += [
        f"{STRICT_LABEL}: the same run, the {len(rejected)} pages parse_article rejects as not "
        f"articles ({', '.join(rejected) or 'none'}) counted wrong; defence_news scores the "
        "metadata it read on them",
        "",
    ]
    lines += target_lines
    if show_errors and ours is not None:
        lines += ["", "pages where defence_news is wrong:", *error_lines(gold, *ours)]
    return met, lines, results


def main(argv: list[str] | None = None) -> int:
    from bench_parse import bench_dir

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--errors", action="store_true", help="list the pages ours gets wrong")
    args = parser.parse_args(argv)
    data_dir = bench_dir() / "data"
    if not (data_dir / "ground-truth.json").is_file():
        print(f"benchmark data not found at {data_dir} (set BENCH_DIR)", file=sys.stderr)
        return 2
    met, lines, _ = run(data_dir, show_errors=args.errors)
    print("\n".join(lines))
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
