"""How fast the UI answers with a big store: every page and API call, timed.

Generates 100,000 events over 30 days of hourly intervals (720 Parquet objects),
a fused snapshot of their happenings, and 30 days of ingest manifests for 20
sources (14,400 manifests) into a temporary local store, then calls each page and
API route of the app in-process (FastAPI's TestClient: routing, validation,
DuckDB, rendering; no network).

First, the first request after a start, each in a fresh process (as a started or
restarted server is): the app is constructed with its warm-up (as the plugin's
is when the API server starts) and ``/events`` is asked at once, then again
every 0.1 s until it answers with rows, then ``/fused`` likewise. Printed: the
first answer (its status, its latency and how long after the app was
constructed it came) and the first answer with rows. Three starts: cold (no
saved tables: the tables are read from the 720 objects), a restart over the
tables the cold start saved, and a restart after 24 new hourly objects.

Then, per call, the first answer in this process and the fastest of several warm
answers, against the 1 s target, and what a new hourly object costs the next
request; beside them, measured in the same run over the same store by a child
process, the UI before issue 11 (``--peer``) on the calls it can answer.

    python benchmarks/bench_ui.py [--events 100000] [--days 30] [--sources 20] [--rounds 5]
                                  [--peer 98ef66f]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "include"), str(ROOT)]

from defence_news.extract.schema import EVENT_ARROW_SCHEMA  # noqa: E402
from defence_news.fetch.manifest import RunManifest  # noqa: E402
from defence_news.interval import Interval  # noqa: E402
from defence_news.models import CATEGORIES, STATUSES, UrlOutcome  # noqa: E402
from defence_news.pipeline import INGEST_DAG_ID  # noqa: E402
from defence_news.store import LocalStore, keys  # noqa: E402
from defence_news.store.records import write_parquet  # noqa: E402

TARGET_SECONDS = 1.0
PEER_REVISION = "98ef66f"  # main before issue 11: the UI that read one ingest day in Python
COUNTRIES = [
    "KHM",
    "USA",
    "CHN",
    "RUS",
    "IND",
    "FRA",
    "DEU",
    "GBR",
    "JPN",
    "KOR",
    "AUS",
    "VNM",
    "THA",
    "IDN",
    "PHL",
    "MYS",
    "SGP",
    "PAK",
    "TUR",
    "ISR",
    "EGY",
    "SAU",
    "ARE",
    "BRA",
    "ZAF",
    "NGA",
    "KEN",
    "POL",
    "UKR",
    "ITA",
]
VERBS = ("signed", "held", "planned", "announced", "suspended", "agreed", "hosted", "joined")
NOUNS = ("memorandum", "joint drill", "naval exercise", "training course", "visit", "dialogue")


def event_row(rng: random.Random, index: int, interval: Interval, sources: list[str]) -> dict:
    first, second = rng.sample(COUNTRIES, 2)
    happened = interval.start.date() - timedelta(days=rng.randint(0, 120))
    sentence = (
        f"The forces of {first} and {second} {rng.choice(VERBS)} a {rng.choice(NOUNS)} "
        f"number {index} near the border."
    )
    source = rng.choice(sources)
    return {
        "event_id": f"ev{index:07d}",
        "category": rng.choice(CATEGORIES),
        "status": rng.choice(STATUSES),
        "actors": [
            {"name": f"{first} army", "country": first, "sector": "MIL", "role": "initiator"},
            {"name": f"{second} navy", "country": second, "sector": "MIL", "role": "recipient"},
        ],
        "evidence": {
            "sentence": sentence,
            "char_start": 0,
            "char_end": len(sentence),
            "triggers": [sentence.split()[5]],
        },
        "article": {
            "article_id": f"art{index:07d}",
            "url": f"https://{source}.example/a/{index}",
            "source_id": source,
            "publisher": source,
            "published_at": interval.start.isoformat(),
            "title": f"Article {index}",
        },
        "extractor": {"name": "rules", "version": "bench"},
        "people": [{"name": f"General {index % 97}", "country": first}],
        "event_name": None,
        "when": {"start": happened.isoformat(), "end": None, "precision": "day", "text": None},
        "where": {"country": second, "place": None},
        "confidence": round(rng.uniform(0.3, 1.0), 2),
        "schema_version": "1.0",
    }


def fused_rows(events: list[dict]) -> list[dict]:
    """One happening per (category, pair, day): the outlets that reported it."""
    groups: dict[tuple, list[dict]] = {}
    for event in events:
        pair = tuple(sorted(a["country"] for a in event["actors"]))
        groups.setdefault((event["category"], pair, event["when"]["start"]), []).append(event)
    rows = []
    for number, ((category, pair, start), members) in enumerate(groups.items()):
        first_seen = min(m["article"]["published_at"] for m in members)
        rows.append(
            {
                "fused_id": f"f{number:07d}",
                "category": category,
                "status": members[-1]["status"],
                "countries": list(pair),
                "start": start,
                "end": None,
                "precision": "day",
                "event_name": None,
                "people": sorted({p["name"] for m in members for p in m["people"]}),
                "event_ids": [m["event_id"] for m in members],
                "article_ids": [m["article"]["article_id"] for m in members],
                "evidence": [
                    {
                        "event_id": m["event_id"],
                        "article_id": m["article"]["article_id"],
                        "url": m["article"]["url"],
                        "source_id": m["article"]["source_id"],
                        "published_at": m["article"]["published_at"],
                        "sentence": m["evidence"]["sentence"],
                        "char_start": 0,
                        "char_end": m["evidence"]["char_end"],
                        "confidence": m["confidence"],
                        "duplicate_of": None,
                    }
                    for m in members
                ],
                "confidence": max(m["confidence"] for m in members),
                "schema_version": "1.0",
                "first_reported": first_seen,
                "last_reported": max(m["article"]["published_at"] for m in members),
                "outlets": sorted({m["article"]["source_id"] for m in members}),
                "status_history": [
                    {
                        "status": m["status"],
                        "first_seen": m["article"]["published_at"],
                        "event_id": m["event_id"],
                    }
                    for m in members
                ],
                "extractor_versions": ["rules bench"],
            }
        )
    return rows


def fill(store: LocalStore, n_events: int, days: int, n_sources: int, now: datetime) -> dict:
    rng = random.Random(11)
    sources = [f"outlet-{n:02d}" for n in range(n_sources)]
    end = now.replace(minute=0, second=0, microsecond=0)
    intervals = [
        Interval(end - timedelta(hours=h + 1), end - timedelta(hours=h)) for h in range(days * 24)
    ]
    per_interval = -(-n_events // len(intervals))
    everything: list[dict] = []
    written = 0
    for interval in intervals:
        rows = [
            event_row(rng, written + i, interval, sources)
            for i in range(min(per_interval, n_events - written))
        ]
        written += len(rows)
        write_parquet(store, keys.events_key(interval), rows, EVENT_ARROW_SCHEMA)
        everything.extend(rows)
        for n, source in enumerate(sources):
            store.put(
                keys.manifest_key(INGEST_DAG_ID, interval, source),
                manifest(
                    rng, source, interval, dead=(n == 0 and interval.end > end - timedelta(days=2))
                ),
            )
    snapshot = fused_rows(everything)
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    from defence_news.ui.tables import _snapshot_key

    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(snapshot), buffer, compression="zstd")
    store.put(_snapshot_key(end.date()), buffer.getvalue())
    return {
        "events": written,
        "fused": len(snapshot),
        "intervals": len(intervals),
        "manifests": len(intervals) * len(sources),
        "newest": intervals[0],
    }


def manifest(rng: random.Random, source: str, interval: Interval, dead: bool) -> bytes:
    if dead:  # an unreachable feed for the last two days
        return RunManifest(
            source,
            interval,
            [],
            source_errors=[f"feed https://{source}.example/rss: http_503"],
            failure="none of 1 feeds or sitemaps could be read",
        ).to_json()
    outcomes = [
        UrlOutcome(f"https://{source}.example/{interval.slug}/{n}", "article", status_code=200)
        for n in range(rng.randint(0, 6))
    ]
    outcomes += [
        UrlOutcome(f"https://{source}.example/{interval.slug}/f{n}", "failed", reason="http_404")
        for n in range(rng.randint(0, 2))
    ]
    return RunManifest(source, interval, outcomes).to_json()


def calls(today: date) -> list[tuple[str, str]]:
    """(label, path) of every timed call; event dates relative to ``today``."""
    two_months = (today - timedelta(days=90)).isoformat(), (today - timedelta(days=30)).isoformat()
    month = (today - timedelta(days=60)).isoformat(), (today - timedelta(days=31)).isoformat()
    recent = (today - timedelta(days=30)).isoformat()
    ingest = (today - timedelta(days=15)).isoformat()
    return [
        ("events page, no filter", "/events"),
        (
            "events page, event dates + country",
            f"/events?event_from={two_months[0]}&event_to={two_months[1]}&country=KHM",
        ),
        (
            "events page, pair + category + min conf.",
            "/events?pair=KHM-USA&category=exercise&min_confidence=0.5",
        ),
        ("events page, free text", "/events?q=memorandum+number+12"),
        ("events page, ingest dates, page 40", f"/events?ingest_from={ingest}&page=40"),
        (
            "events API, event dates + status",
            f"/api/events?event_from={recent}&status=occurred&page_size=200",
        ),
        ("fused page (snapshot), no filter", "/fused"),
        ("fused page, country + source", "/fused?country=CHN&source=outlet-03"),
        ("fused API, event dates", f"/api/fused?event_from={recent}"),
        ("charts, events", "/charts"),
        ("charts, fused, filtered", f"/charts?kind=fused&event_from={recent}&country=RUS"),
        ("country page KHM", "/country?code=KHM"),
        ("health page (24 runs x 20 sources)", "/health"),
        ("health API", "/api/health"),
        (
            "export CSV, one country and month",
            f"/export/events?format=csv&country=IND&event_from={month[0]}&event_to={month[1]}",
        ),
        ("export JSON Lines, one pair", "/export/fused?format=jsonl&pair=DEU-FRA"),
        ("export CSV, all events", "/export/events?format=csv"),
    ]


# The UI before issue 11 (its pages read one ingest day and list at most 1,000 rows;
# it has no event-date filter, charts or exports): the calls it can answer.
PEER_CALLS = {
    "events page, no filter": "/events",
    "events page, event dates + country": "/events?country=KHM",
    "events API, event dates + status": "/api/events?status=occurred",
    "fused page (snapshot), no filter": "/fused",
    "health page (24 runs x 20 sources)": "/health",
    "health API": "/api/health",
}
PEER_SCRIPT = """
import json, statistics, sys, time
from fastapi.testclient import TestClient
from defence_news.store import LocalStore
from defence_news.ui.app import create_app
store = LocalStore(sys.argv[1])
client = TestClient(create_app(lambda: store))
out = {}
for label, path in json.loads(sys.argv[2]).items():
    def one():
        started = time.perf_counter()
        response = client.get(path)
        return time.perf_counter() - started, response.status_code, len(response.content)
    first, status, size = one()
    warm = [one()[0] for _ in range(int(sys.argv[3]))]
    out[label] = [first, min(warm), statistics.median(warm), status, size]
print(json.dumps(out))
"""


def peer_figures(revision: str, store_root: Path, rounds: int) -> dict[str, list] | str:
    """The peer's figures, measured in a child process running ``revision``'s UI package
    on today's library; a message instead when that revision cannot be had."""
    with tempfile.TemporaryDirectory(prefix="bench-ui-peer-") as folder:
        package = Path(folder) / "defence_news"
        shutil.copytree(ROOT / "include" / "defence_news", package)
        shutil.rmtree(package / "ui")
        (package / "ui").mkdir()
        listed = subprocess.run(
            ["git", "ls-tree", "--name-only", revision, "include/defence_news/ui/"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if listed.returncode != 0 or not listed.stdout.strip():
            return f"peer {revision} not found in this checkout ({listed.stderr.strip()})"
        for name in listed.stdout.split():
            text = subprocess.run(
                ["git", "show", f"{revision}:{name}"], cwd=ROOT, capture_output=True, check=True
            ).stdout
            (package / "ui" / Path(name).name).write_bytes(text)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([folder, str(ROOT)])}
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                PEER_SCRIPT,
                str(store_root),
                json.dumps(PEER_CALLS),
                str(rounds),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=1800,
        )
        if result.returncode != 0:
            return f"peer {revision} failed: {result.stderr.strip()[-500:]}"
        return json.loads(result.stdout.strip().splitlines()[-1])


# A started server (a fresh process): construct the app with its warm-up, ask at once,
# then every POLL seconds until the answer has rows. Prints one JSON line.
START_SCRIPT = """
import json, sys, time
started = time.perf_counter()
from fastapi.testclient import TestClient
from defence_news.store import LocalStore
from defence_news.ui.app import create_app
imports = time.perf_counter() - started
store = LocalStore(sys.argv[1])
constructed = time.perf_counter()
client = TestClient(create_app(lambda: store, warm=True))
out = {"imports": imports, "calls": {}}
for path in ("/events", "/fused"):
    answers = []
    while True:
        sent = time.perf_counter()
        response = client.get(path)
        done = time.perf_counter()
        answers.append([done - constructed, done - sent, response.status_code,
                        response.headers.get("retry-after"), "id=\\"pending\\"" in response.text])
        if response.status_code != 503 or len(answers) > 3000:
            break
        time.sleep(float(sys.argv[2]))
    out["calls"][path] = answers
print(json.dumps(out))
"""
POLL_SECONDS = 0.1


def start_figures(store_root: Path, tables: Path) -> dict[str, Any]:
    """A fresh process starting the app over ``store_root`` with its tables in
    ``tables``: when it first answered each of START_SCRIPT's calls, and how."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "include"), str(ROOT)]),
        "DEFENCE_NEWS_UI_CACHE": str(tables),
    }
    result = subprocess.run(
        [sys.executable, "-c", START_SCRIPT, str(store_root), str(POLL_SECONDS)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def print_start(label: str, figures: dict[str, Any]) -> int:
    """One start's rows; returns how many first answers missed the target."""
    slow = 0
    for path, answers in figures["calls"].items():
        after, latency, status, retry, pending = answers[0]
        data_after, data_latency, _, _, _ = answers[-1]
        slow += latency >= TARGET_SECONDS
        said = f"{status}" + (f" warming up, Retry-After {retry}" if status == 503 else "")
        said += " (rows from before the change)" if pending else ""
        print(
            f"{label:<34}{path:<8}{after:>7.3f}s{latency:>8.3f}s  {said:<35}"
            f"{data_after:>7.3f}s{data_latency:>8.3f}s{len(answers) - 1:>6}"
        )
        label = ""
    return slow


def timed(client: Any, path: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    response = client.get(path)
    size = len(response.content)
    return time.perf_counter() - started, response.status_code, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--sources", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--peer", default=PEER_REVISION, help="revision of the UI to compare with")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from defence_news.ui.app import create_app

    with tempfile.TemporaryDirectory(prefix="bench-ui-") as folder:
        store = LocalStore(Path(folder) / "store")
        tables = Path(folder) / "ui-tables"
        os.environ["DEFENCE_NEWS_UI_CACHE"] = str(tables)  # this process's app too
        print(f"machine load average (1, 5, 15 min) at the start: {_load()}")
        started = time.perf_counter()
        now = datetime.now(UTC)
        made = fill(store, args.events, args.days, args.sources, now)
        print(
            f"store: {made['events']:,} events in {made['intervals']} interval objects, "
            f"{made['fused']:,} fused events in one snapshot, {made['manifests']:,} manifests "
            f"({time.perf_counter() - started:.0f} s to generate)"
        )
        peer = peer_figures(args.peer, store.root, args.rounds) if args.peer else "no peer"

        print(
            "\nthe first request after a start, in a fresh process each ('after': since the app "
            "was constructed;\nasked at once, then every "
            f"{POLL_SECONDS} s until it has rows; a browser reloads after Retry-After)"
        )
        print(
            f"{'start':<34}{'call':<8}{'first answer: after, latency, status':<53}"
            f"{'first with rows: after, latency, 503s'}"
        )
        cold = start_figures(store.root, tables)
        slow = print_start("cold: no saved tables", cold)
        slow += print_start("restart: the tables saved above", start_figures(store.root, tables))
        newest: Interval = made["newest"]
        rng = random.Random(5)
        for hour in range(24):
            arrival = Interval(
                newest.end + timedelta(hours=hour), newest.end + timedelta(hours=hour + 1)
            )
            rows = [
                event_row(rng, 10**7 + hour * 1000 + i, arrival, ["outlet-01"]) for i in range(140)
            ]
            write_parquet(store, keys.events_key(arrival), rows, EVENT_ARROW_SCHEMA)
        slow += print_start("restart: 24 new hourly objects", start_figures(store.root, tables))
        print(
            f"(python and the imports took {cold['imports']:.2f} s before each app was "
            "constructed; in Airflow the API server's start pays them)"
        )

        client = TestClient(create_app(lambda: store))
        print(
            f"\n{'call':<42}{'first':>8}{'warm best':>10}{'median':>8}{'bytes':>12}  target"
            f"   | peer {args.peer}: first, warm best, bytes"
        )
        for label, path in calls(now.date()):
            first, status, size = timed(client, path)
            warm = [timed(client, path)[0] for _ in range(args.rounds)]
            if status != 200:
                print(f"{label:<42} HTTP {status}")
                slow += 1
                continue
            ok = max(warm) < TARGET_SECONDS and first < TARGET_SECONDS
            slow += not ok
            print(
                f"{label:<42}{first:>7.3f}s{min(warm):>9.3f}s{statistics.median(warm):>7.3f}s"
                f"{size:>12,}  {'< 1 s' if ok else 'OVER '}  | {_peer_cell(peer, label)}"
            )
        if isinstance(peer, str):
            print(f"peer: {peer}")
        last = newest.end + timedelta(hours=24)
        arrival = Interval(last, last + timedelta(hours=1))
        rows = [event_row(rng, 10**8 + i, arrival, ["outlet-01"]) for i in range(140)]
        write_parquet(store, keys.events_key(arrival), rows, EVENT_ARROW_SCHEMA)
        refresh, _, _ = timed(client, "/events")
        again, _, _ = timed(client, "/events")
        print(
            f"\na new hourly events object: the next request brings the table up to date in "
            f"{refresh:.3f} s (reads only the new object); the one after answers in {again:.3f} s"
        )
        print(f"machine load average (1, 5, 15 min) at the end: {_load()}")
        print(
            f"{slow} answer(s) over {TARGET_SECONDS:.0f} s (first answers after each start, and "
            f"per call the first in this process and the worst of {args.rounds} warm rounds); "
            "'first' per call is the first in a process whose tables were saved by the starts "
            "above. During a cold start the first answer is a 503 until the tables are built"
        )
    return 0


def _load() -> str:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{load} on {os.cpu_count()} cores"


def _peer_cell(peer: dict[str, list] | str, label: str) -> str:
    if isinstance(peer, str) or label not in peer:
        return "-"
    first, best, _, status, size = peer[label]
    if status != 200:
        return f"HTTP {status}"
    return f"{first:.3f}s {best:.3f}s {size:,}"


if __name__ == "__main__":
    raise SystemExit(main())
