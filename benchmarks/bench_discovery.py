"""Feed and sitemap discovery: correctness and speed of three readers, side by side, in
one run over the same documents.

- before: the hand-written lxml reader before issue 13 (benchmarks/discovery_before.py);
- libraries: each library as a plain adapter would use it: feedparser on the feed bytes,
  ultimate-sitemap-parser (usp) on the sitemap bytes exactly as its own fetcher hands
  them to its parsers (gunzip, UTF-8, expat; child sitemaps listed, not fetched). Links
  are resolved against the document's URL for both, as the project would;
- shipped: ``parse_discovery_document`` (feedparser for feeds, lxml for sitemaps).

Correctness is scored against the expectations that tests/unit/fetch/
test_discovery_fixtures.py asserts (tests/unit/fetch/discovery_cases.py): per fixture,
whether every URL, date (to the second), title, child sitemap and the presence of a
problem is as expected, and over all fixtures the URLs found right, missed and wrong.
Speed: the fixtures, a 1,000-item RSS feed and a 20,000-URL news sitemap (written by
tests/unit/fetch/feed_builders.py), best of several rounds of CPU time.

    python benchmarks/bench_discovery.py [--rounds 5] [--details]
"""

from __future__ import annotations

import argparse
import io
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "include"), str(ROOT), str(ROOT / "benchmarks")]

import discovery_before  # noqa: E402
import feedparser  # noqa: E402
from usp.fetch_parse import PlainTextSitemapParser, XMLSitemapParser  # noqa: E402
from usp.helpers import gunzip  # noqa: E402
from usp.objects.sitemap import IndexXMLSitemap, InvalidSitemap  # noqa: E402
from usp.web_client.abstract_client import LocalWebClient  # noqa: E402

from defence_news.fetch.discovery import parse_discovery_document  # noqa: E402
from tests.unit.fetch.discovery_cases import (  # noqa: E402
    BASE,
    CASES,
    FEED_CASES,
    SITEMAP_CASES,
    Case,
)
from tests.unit.fetch.feed_builders import IN_INTERVAL, news_sitemap, rss  # noqa: E402

USP_MAX_BYTES = 100 * 1024 * 1024  # usp's own uncompressed ceiling


@dataclass
class Read:
    """What a reader found in one document, in the shape the cases describe."""

    items: list[tuple[str, datetime | None, str | None]] = field(default_factory=list)
    children: list[tuple[str, datetime | None]] = field(default_factory=list)
    problem: str | None = None


ReaderOf = Callable[[bytes, str, bool], Read]  # (body, its URL, is it a sitemap?) -> found


def _seconds(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def _from_discovery(discovery: Any) -> Read:
    return Read(
        [(i.url, _seconds(i.published_at), i.title) for i in discovery.items],
        [(url, _seconds(when)) for url, when in discovery.children],
        discovery.problem,
    )


def read_before(body: bytes, base: str) -> Read:
    return _from_discovery(discovery_before.parse_discovery_document(body, base))


def read_shipped(body: bytes, base: str) -> Read:
    return _from_discovery(parse_discovery_document(body, base))


def read_feedparser(body: bytes, base: str) -> Read:
    # The headers a server sends with a feed: its type (the charset left to feedparser's
    # detection) and where it is, for relative links.
    headers = {"content-type": "application/xml", "content-location": base}
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    read = Read(problem=str(parsed.get("bozo_exception")) if parsed.get("bozo") else None)
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            continue
        moment = entry.get("published_parsed") or entry.get("updated_parsed")
        when = datetime(*moment[:6], tzinfo=UTC) if moment else None
        read.items.append((urljoin(base, link), when, entry.get("title")))
    return read


def read_usp(body: bytes, base: str) -> Read:
    """usp's own path from fetched bytes to a parsed sitemap (SitemapFetcher.sitemap after
    the download), with a web client that fetches nothing: children are listed only."""
    data = body
    if body.startswith(b"\x1f\x8b"):
        try:
            data = gunzip(body, max_output_bytes=USP_MAX_BYTES)
        except Exception:  # usp's fetcher, too, falls back to the raw bytes
            data = body
    text = data.decode("utf-8-sig", errors="replace")
    arguments: dict[str, Any] = dict(
        url=base, content=text, recursion_level=0, web_client=LocalWebClient(), parent_urls=set()
    )
    if text[:20].strip().startswith("<"):
        sitemap = XMLSitemapParser(**arguments).sitemap()
    else:
        sitemap = PlainTextSitemapParser(**arguments).sitemap()
    if isinstance(sitemap, InvalidSitemap):
        return Read(problem=sitemap.reason)
    if isinstance(sitemap, IndexXMLSitemap):
        return Read(children=[(urljoin(base, s.url), None) for s in sitemap.sub_sitemaps])
    read = Read()
    for page in sitemap.pages:
        story = page.news_story
        when = story.publish_date if story else page.last_modified
        read.items.append((urljoin(base, page.url), _seconds(when), story.title if story else None))
    return read


def read_libraries(body: bytes, base: str, sitemap: bool) -> Read:
    return read_usp(body, base) if sitemap else read_feedparser(body, base)


# -- scoring ------------------------------------------------------------------------------


@dataclass
class Score:
    fixtures_right: int = 0
    urls_right: int = 0
    urls_missed: int = 0
    urls_wrong: int = 0  # listed by the reader, not in the document (or mangled)
    dates_right: int = 0
    titles_right: int = 0
    children_right: int = 0
    problems_right: int = 0
    raised: int = 0
    failures: list[str] = field(default_factory=list)


def score(case: Case, read: Read, into: Score) -> None:
    expected: Found = {url: (when, title) for url, when, title in case.items}
    found: Found = {url: (when, title) for url, when, title in read.items}
    into.urls_right += len(expected.keys() & found.keys())
    into.urls_missed += len(expected.keys() - found.keys())
    into.urls_wrong += len(found.keys() - expected.keys())
    for url in expected.keys() & found.keys():
        into.dates_right += expected[url][0] == found[url][0]
        into.titles_right += expected[url][1] == found[url][1]
    children_ok = read.children == list(case.children)
    into.children_right += bool(case.children) and children_ok
    problem_ok = (read.problem is None) == (case.problem is None)
    into.problems_right += problem_ok
    if read.items == list(case.items) and children_ok and problem_ok:
        into.fixtures_right += 1
    else:
        into.failures.append(_why(case, read, expected, found, children_ok, problem_ok))


Found = dict[str, tuple[datetime | None, str | None]]  # url -> (published, title)


def _why(
    case: Case, read: Read, expected: Found, found: Found, children_ok: bool, problem_ok: bool
) -> str:
    notes = []
    if missed := expected.keys() - found.keys():
        notes.append(f"missed {sorted(missed)}")
    if wrong := found.keys() - expected.keys():
        notes.append(f"wrong {sorted(wrong)}")
    common = expected.keys() & found.keys()
    if bad := [u for u in common if expected[u][0] != found[u][0]]:
        notes.append(f"dates {[(str(found[u][0]), str(expected[u][0])) for u in bad][:2]}")
    if bad := [u for u in common if expected[u][1] != found[u][1]]:
        notes.append(f"titles {[(found[u][1], expected[u][1]) for u in bad][:2]}")
    if not children_ok:
        notes.append(f"children {[u.rsplit('/', 1)[-1] for u, _ in read.children]}")
    if not problem_ok:
        notes.append(f"problem {read.problem!r:.60}, expected {case.problem!r}")
    if not notes:
        notes.append("order")
    return f"{case.fixture}: " + "; ".join(notes)


# -- speed --------------------------------------------------------------------------------


def large_documents() -> list[tuple[str, bytes, bool]]:
    feed = rss(
        [(f"https://wire.example/big/{n}", IN_INTERVAL - timedelta(minutes=n)) for n in range(1000)]
    )
    sitemap = news_sitemap([(f"https://wire.example/map/{n}", IN_INTERVAL) for n in range(20_000)])
    return [
        ("rss, 1,000 items", feed, False),
        ("news sitemap, 20,000 URLs", sitemap, True),
    ]


def cpu_seconds(run: Callable[[], object], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--details", action="store_true", help="list every fixture a reader got wrong"
    )
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # usp logs every oddity it meets at ERROR
    readers: dict[str, ReaderOf] = {
        "before": lambda body, base, sitemap: read_before(body, base),
        "libraries": read_libraries,
        "shipped": lambda body, base, sitemap: read_shipped(body, base),
    }
    bodies = [(case, case.body()) for case in CASES]
    groups = {"feeds": FEED_CASES, "sitemaps": SITEMAP_CASES}
    print(f"Discovery over {len(CASES)} fixtures: {len(FEED_CASES)} feeds, ", end="")
    print(f"{len(SITEMAP_CASES)} sitemaps")
    print("libraries = feedparser on feeds, ultimate-sitemap-parser on sitemaps\n")
    scores: dict[tuple[str, str], Score] = {}
    for name, reader in readers.items():
        for group, cases in groups.items():
            result = Score()
            for case, body in bodies:
                if case in cases:
                    read = _guarded(reader, body, case in SITEMAP_CASES, result)
                    score(case, read, result)
            scores[(name, group)] = result
    _print_scores(scores, groups)
    _print_speed(readers, bodies, args.rounds)
    for (name, group), result in scores.items():
        if result.failures and (args.details or name == "shipped"):
            print(f"\n{name} / {group}: {len(result.failures)} fixtures not fully right")
            for line in result.failures:
                print(f"  {line}")


def _guarded(reader: ReaderOf, body: bytes, sitemap: bool, into: Score) -> Read:
    """What the reader found; an exception (collect.py would lose the whole document to
    it, as an internal error) counts as a problem with nothing found."""
    try:
        return reader(body, BASE, sitemap)
    except Exception as error:
        into.raised += 1
        return Read(problem=f"raised {error!r}")


def _print_scores(
    scores: dict[tuple[str, str], Score], groups: dict[str, tuple[Case, ...]]
) -> None:
    columns = [f"{name}/{group}" for name, group in scores]
    print(f"{'':22}" + "".join(f"{c:>20}" for c in columns))
    expected_urls = {g: sum(len(c.items) for c in cases) for g, cases in groups.items()}
    with_children = {g: sum(bool(c.children) for c in cases) for g, cases in groups.items()}
    rows: list[tuple[str, Callable[[Score, str], str]]] = [
        ("fixtures fully right", lambda s, g: f"{s.fixtures_right}/{len(groups[g])}"),
        ("URLs found", lambda s, g: f"{s.urls_right}/{expected_urls[g]}"),
        ("URLs missed", lambda s, g: str(s.urls_missed)),
        ("URLs wrong", lambda s, g: str(s.urls_wrong)),
        ("dates right", lambda s, g: f"{s.dates_right}/{s.urls_right}"),
        ("titles right", lambda s, g: f"{s.titles_right}/{s.urls_right}"),
        ("indexes right", lambda s, g: f"{s.children_right}/{with_children[g]}"),
        ("problem as expected", lambda s, g: f"{s.problems_right}/{len(groups[g])}"),
        ("raised an exception", lambda s, g: str(s.raised)),
    ]
    for label, cell in rows:
        print(f"{label:22}" + "".join(f"{cell(s, g):>20}" for (_, g), s in scores.items()))


def _print_speed(
    readers: dict[str, ReaderOf],
    bodies: list[tuple[Case, bytes]],
    rounds: int,
) -> None:
    print(f"\nSpeed, CPU time (best of {rounds} rounds)")
    print(f"{'':34}" + "".join(f"{name:>16}" for name in readers))
    fixture_times = [
        cpu_seconds(
            lambda r=reader: [_guarded(r, b, c in SITEMAP_CASES, Score()) for c, b in bodies],
            rounds,
        )
        for reader in readers.values()
    ]
    per_second = "".join(f"{len(bodies) / t:>12.0f} /s " for t in fixture_times)
    print(f"{f'the {len(bodies)} fixtures (documents)':34}" + per_second)
    for label, body, sitemap in large_documents():
        times = [
            cpu_seconds(lambda r=reader, b=body, m=sitemap: r(b, BASE, m), rounds)
            for reader in readers.values()
        ]
        print(f"{label:34}" + "".join(f"{t * 1000:>13.1f} ms" for t in times))


if __name__ == "__main__":
    main()
