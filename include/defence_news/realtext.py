"""The real-text corpus: annotated published articles, facts in git, texts in a cache.

``seeds/realtext/gold.jsonl`` holds one line per article: its URL, the query that
finds it again in the stored public pages, publisher, date, split and gold events
(``../shared/EVENTS.md``). The article texts are other people's words and stay out
of git, in ``.cache/realtext/<id>.txt``; ``python -m defence_news realtext status``
lists what the cache lacks and ``realtext put`` fills it (see ``seeds/realtext/README.md``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
GOLD_PATH = PROJECT_ROOT / "seeds" / "realtext" / "gold.jsonl"
CACHE_DIR = PROJECT_ROOT / ".cache" / "realtext"

# The stored pages' excerpts may open with the page's date as " date 2024-02-29 " (or
# " date 2017-05 "): a marker of the store, not article text.
_DATE_MARKER = re.compile(r"^\s*date (\d{4}-\d{2}(?:-\d{2})?)\s+")


@dataclass(frozen=True)
class GoldArticle:
    """One annotated article: its facts (the gold line) and, when cached, its text."""

    id: str
    split: str
    record: dict[str, Any]
    text: str | None

    @property
    def published(self) -> str | None:
        return self.record.get("published")

    @property
    def events(self) -> list[dict[str, Any]]:
        return self.record.get("events") or []


def read_gold(path: Path = GOLD_PATH) -> list[dict[str, Any]]:
    """Gold lines in file order; a line that is not a JSON object is an error naming it."""
    records = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        if not isinstance(record, dict) or "id" not in record:
            raise ValueError(f"{path}:{number}: not a gold article line")
        records.append(record)
    return records


def cached_text(article_id: str, cache_dir: Path = CACHE_DIR) -> str | None:
    path = cache_dir / f"{article_id}.txt"
    return path.read_text("utf-8") if path.is_file() else None


def load_corpus(
    splits: Iterable[str] | None = None,
    gold_path: Path = GOLD_PATH,
    cache_dir: Path = CACHE_DIR,
) -> list[GoldArticle]:
    """Articles of the given splits (all when None), with their cached text or None."""
    wanted = set(splits) if splits is not None else None
    articles = []
    for record in read_gold(gold_path):
        split = str(record.get("split", "dev"))
        if wanted is not None and split not in wanted:
            continue
        text = cached_text(str(record["id"]), cache_dir)
        articles.append(GoldArticle(str(record["id"]), split, record, text))
    return articles


def clean_excerpt(excerpt: str) -> tuple[str, str | None]:
    """The article text of a stored excerpt, and the date its marker gives (if any)."""
    match = _DATE_MARKER.match(excerpt)
    if match is None:
        return excerpt.strip(), None
    return excerpt[match.end() :].strip(), match.group(1)


def put_excerpt(entry: dict[str, Any], cache_dir: Path = CACHE_DIR) -> Path:
    """Store one excerpt (``{"id", "excerpt", ...}``) as ``<id>.txt`` in the cache."""
    article_id = str(entry.get("id") or "")
    excerpt = entry.get("excerpt")
    if not re.fullmatch(r"[A-Za-z0-9_-]+", article_id):
        raise ValueError(f"bad article id {article_id!r}")
    if not isinstance(excerpt, str) or not excerpt.strip():
        raise ValueError(f"{article_id}: no excerpt text")
    text, _ = clean_excerpt(excerpt)
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{article_id}.txt"
    path.write_text(text + "\n", "utf-8")
    return path


def _entries(paths: list[str]) -> Iterator[dict[str, Any]]:
    """Entries of JSON files, or of ``<id>.txt`` files holding one excerpt as it is.

    A plain text file spares the copier JSON escaping of a long excerpt: its name is
    the article id and its whole content the excerpt.
    """
    for name in paths:
        if name.endswith(".txt"):
            yield {"id": Path(name).stem, "excerpt": Path(name).read_text("utf-8")}
            continue
        raw = sys.stdin.read() if name == "-" else Path(name).read_text("utf-8")
        data = json.loads(raw)
        yield from data if isinstance(data, list) else [data]


def _status(args: argparse.Namespace) -> int:
    articles = load_corpus(gold_path=Path(args.gold), cache_dir=Path(args.cache))
    by_split: Counter[str] = Counter()
    cached: Counter[str] = Counter()
    for article in articles:
        by_split[article.split] += 1
        cached[article.split] += article.text is not None
    for split, total in by_split.items():
        print(f"{split:>8}: {cached[split]}/{total} texts cached")
    missing = [a for a in articles if a.text is None]
    for article in missing:
        print(f"missing {article.id}: query {article.record.get('query')!r}")
        print(f"        url {article.record.get('url')}")
    return 1 if missing and args.strict else 0


def _put(args: argparse.Namespace) -> int:
    for entry in _entries(args.files):
        print(f"stored {put_excerpt(entry, Path(args.cache))}")
    return 0


def add_realtext_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "realtext",
        help="the real-text corpus: which texts the cache lacks, and storing them",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--gold", default=str(GOLD_PATH), help="gold JSONL")
    parser.add_argument("--cache", default=str(CACHE_DIR), help="the text cache folder")
    actions = parser.add_subparsers(dest="action", required=True)
    status = actions.add_parser("status", help="texts cached per split; the missing ones")
    status.add_argument("--strict", action="store_true", help="exit 1 when a text is missing")
    status.set_defaults(handler=_status)
    put = actions.add_parser(
        "put",
        help='store excerpts from JSON files of {"id", "url", "excerpt"} ("-": stdin)'
        " or from <id>.txt files holding the excerpt as it is",
    )
    put.add_argument("files", nargs="+")
    put.set_defaults(handler=_put)
