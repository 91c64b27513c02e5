"""Fetch benchmark: 2,000 pages from 20 simulated hosts, polite fetching vs a naive loop.

A separate server process listens on 20 loopback ports (one simulated news
host each, keep-alive HTTP/1.1, with robots.txt and an RSS feed) and stamps
every request on arrival. Three phases fetch the same 2,000 pages:

- ``client``: defence_news.fetch.PoliteClient over all URLs (robots.txt,
  per-host rate and concurrency), bodies dropped as they arrive;
- ``collect``: collect_source for 20 sources at once, as the mapped Airflow
  tasks run: feed discovery, fetching, WARC archive and seen-URL state in a
  local store, pages kept for the parse stage;
- ``naive``: ``requests.get`` in a loop, no politeness, host by host as a
  crawler reading one feed after another finds them.

The run prints throughput, peak memory and, per host, the highest request
rate the server saw against the limit, and fails if a polite phase exceeded it.

Observed rate: the most requests the server received in any closed window of
``WINDOW_SECONDS``, minus one (a window holds N+1 fence posts of N gaps),
divided by the window. An evenly spaced stream at the limit measures exactly
the limit, and arrival jitter smaller than one gap cannot inflate it; a burst
of 100 requests in a quarter of a second measures 99 req/s.

    python benchmarks/bench_fetch.py [--hosts 20] [--pages 2000] [--rate 8]
"""

from __future__ import annotations

import argparse
import bisect
import dataclasses
import json
import multiprocessing
import resource
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

from defence_news.fetch import FetchSettings, PoliteClient, collect_source
from defence_news.fetch.client import iter_results
from defence_news.interval import Interval
from defence_news.sources import Source
from defence_news.store import LocalStore

WINDOW_SECONDS = 1.0
# The whole benchmark must end well within two minutes; each phase gets this at most.
PHASE_BUDGET_SECONDS = 35.0
# The server process exits on its own after this, even if the benchmark is killed.
SERVER_LIFETIME_SECONDS = 150.0
PAGE_PARAGRAPHS = 40  # about 15 KB of HTML per page, a typical article page without assets
STATS_PATH = "/__stats"
RESET_PATH = "/__reset"


# -- the simulated hosts (server process) -----------------------------------------------


class _Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrivals: dict[int, list[float]] = {}
        self.in_flight: dict[int, int] = {}
        self.max_in_flight: dict[int, int] = {}

    def start(self, port: int) -> None:
        with self.lock:
            self.arrivals.setdefault(port, []).append(time.monotonic())
            self.in_flight[port] = self.in_flight.get(port, 0) + 1
            self.max_in_flight[port] = max(self.max_in_flight.get(port, 0), self.in_flight[port])

    def end(self, port: int) -> None:
        with self.lock:
            self.in_flight[port] -= 1

    def snapshot(self) -> dict[str, dict[str, object]]:
        with self.lock:
            return {
                str(port): {"arrivals": times, "max_in_flight": self.max_in_flight.get(port, 0)}
                for port, times in self.arrivals.items()
            }

    def reset(self) -> None:
        with self.lock:
            self.arrivals.clear()
            self.max_in_flight.clear()


def _page(port: int, number: int) -> bytes:
    paragraphs = "".join(
        f"<p>Host {port} report {number}, paragraph {k}: the defence ministry confirmed the "
        "delivery schedule for the patrol vessels and the joint training programme.</p>"
        for k in range(PAGE_PARAGRAPHS)
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>Report {number}</title></head><body><article>{paragraphs}</article></body></html>"
    ).encode()


def _feed(port: int, numbers: range) -> bytes:
    published = format_datetime(datetime.now(UTC) - timedelta(minutes=30), usegmt=True)
    items = "".join(
        f"<item><title>Report {n}</title><link>http://127.0.0.1:{port}/page/{n}</link>"
        f"<pubDate>{published}</pubDate></item>"
        for n in numbers
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Bench wire</title>'
        f"{items}</channel></rss>"
    ).encode()


def _handler_class(recorder: _Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real news sites serve

        def do_GET(self) -> None:
            port = self.server.server_address[1]
            if self.path == STATS_PATH:
                return self._send(200, "application/json", json.dumps(recorder.snapshot()).encode())
            if self.path == RESET_PATH:
                recorder.reset()
                return self._send(200, "text/plain", b"reset")
            recorder.start(port)  # every request counts against the host's limit
            try:
                self._answer(port)
            finally:
                recorder.end(port)

        def _answer(self, port: int) -> None:
            if self.path == "/robots.txt":
                return self._send(200, "text/plain", b"User-agent: *\nAllow: /\n")
            if self.path.startswith("/feed.xml?"):
                query = dict(part.split("=", 1) for part in self.path.split("?", 1)[1].split("&"))
                numbers = range(int(query["first"]), int(query["total"]), int(query["step"]))
                return self._send(200, "application/rss+xml", _feed(port, numbers))
            try:
                number = int(self.path.rsplit("/", 1)[-1])
            except ValueError:
                return self._send(404, "text/plain", b"not found")
            return self._send(200, "text/html; charset=utf-8", _page(port, number))

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # 4,000 access-log lines would drown the report

    return Handler


def _serve(hosts: int, ports_out: multiprocessing.Queue, stop: multiprocessing.Event) -> None:
    recorder = _Recorder()
    handler = _handler_class(recorder)
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), handler) for _ in range(hosts)]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ports_out.put([server.server_address[1] for server in servers])
    stop.wait(SERVER_LIFETIME_SECONDS)
    for server in servers:
        server.shutdown()


# -- measuring ----------------------------------------------------------------------------


@dataclass
class PhaseResult:
    name: str
    ok: int
    elapsed: float
    peak_bytes: int
    stats: dict[str, dict[str, object]]

    @property
    def pages_per_second(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0


def observed_rate(arrivals: list[float], window: float = WINDOW_SECONDS) -> float:
    """Max requests in any closed ``window`` seconds, minus the fence post, per second."""
    times = sorted(arrivals)
    most = 0
    for index, start in enumerate(times):
        most = max(most, bisect.bisect_right(times, start + window) - index)
    return max(0, most - 1) / window


def run_phase(
    name: str, fetch_all: Callable[[], int], stats_url: str, reset_url: str
) -> PhaseResult:
    requests.get(reset_url, timeout=5)
    tracemalloc.start()
    started = time.monotonic()
    ok = fetch_all()
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    stats = requests.get(stats_url, timeout=5).json()
    return PhaseResult(name, ok, elapsed, peak, stats)


def polite_fetch(urls: list[str], settings: FetchSettings) -> Callable[[], int]:
    def fetch_all() -> int:
        deadline = time.monotonic() + PHASE_BUDGET_SECONDS
        ok = 0
        with PoliteClient(settings) as client:
            for result in iter_results(client, urls):
                ok += result.ok  # bodies are dropped as they come: memory stays flat
                if time.monotonic() > deadline:
                    raise SystemExit("polite phase over its time budget")
        return ok

    return fetch_all


def collect_fetch(
    ports: list[int], pages: int, settings: FetchSettings, store_root: Path
) -> Callable[[], int]:
    sources = [
        Source(
            id=f"bench_{index:02d}",
            name=f"Bench host {index}",
            publisher="Benchmark",
            homepage=f"http://127.0.0.1:{port}/",
            feeds=(
                f"http://127.0.0.1:{port}/feed.xml?first={index}&step={len(ports)}&total={pages}",
            ),
            max_per_run=500,
        )
        for index, port in enumerate(ports)
    ]
    interval = Interval.last_days(1)
    store = LocalStore(store_root)
    per_source = dataclasses.replace(settings, max_workers=settings.per_host_concurrency)

    def fetch_all() -> int:
        with ThreadPoolExecutor(max_workers=len(sources)) as pool:
            collections = list(
                pool.map(lambda s: collect_source(s, interval, store, settings=per_source), sources)
            )
        problems = [error for c in collections for error in c.source_errors]
        if problems:
            raise SystemExit(f"collect phase: {problems[:3]}")
        return sum(len(collection.pages) for collection in collections)

    return fetch_all


def naive_fetch(urls: list[str]) -> Callable[[], int]:
    def fetch_all() -> int:
        deadline = time.monotonic() + PHASE_BUDGET_SECONDS
        ok = 0
        for url in urls:
            ok += requests.get(url, timeout=10).status_code == 200
            if time.monotonic() > deadline:
                break
        return ok

    return fetch_all


# -- report -------------------------------------------------------------------------------


def report(phases: list[PhaseResult], ports: list[int], limit: float, concurrency: int) -> bool:
    """Print the comparison; True if every polite phase held every host's limits."""

    def stat(phase: PhaseResult, port: int) -> dict[str, object]:
        return phase.stats.get(str(port), {})

    rates = {
        phase.name: {port: observed_rate(stat(phase, port).get("arrivals", [])) for port in ports}
        for phase in phases
    }
    in_flight = {
        phase.name: max(int(stat(phase, port).get("max_in_flight", 0)) for port in ports)
        for phase in phases
    }
    rows: list[tuple[str, list[str]]] = [
        ("pages fetched", [f"{p.ok}" for p in phases]),
        ("elapsed (s)", [f"{p.elapsed:.1f}" for p in phases]),
        ("pages/s", [f"{p.pages_per_second:.1f}" for p in phases]),
        ("peak Python memory (MiB)", [f"{p.peak_bytes / 2**20:.1f}" for p in phases]),
        ("max host rate (req/s)", [f"{max(rates[p.name].values()):.2f}" for p in phases]),
        (
            "hosts over the limit",
            [f"{sum(r > limit for r in rates[p.name].values())}/{len(ports)}" for p in phases],
        ),
        ("max in flight per host", [f"{in_flight[p.name]}" for p in phases]),
    ]
    header = "".join(f"{p.name:>12}" for p in phases)
    print(f"\n{'':<28}{header}   (limit {limit:g} req/s, {concurrency} connections per host)")
    for label, values in rows:
        print(f"{label:<28}" + "".join(f"{value:>12}" for value in values))
    print(
        f"ceiling for a polite crawl: {len(ports)} hosts x {limit:g} req/s = "
        f"{len(ports) * limit:g} requests/s (robots.txt and feeds included)"
    )
    names = [p.name for p in phases]
    print(f"\n{'host':<18}" + "".join(f"{name + ' req/s':>16}" for name in names) + f"{'limit':>8}")
    for port in ports:
        cells = "".join(f"{rates[name][port]:>16.2f}" for name in names)
        print(f"127.0.0.1:{port:<8}{cells}{limit:>8g}")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"\nprocess max RSS (all phases): {usage.ru_maxrss / 1024:.0f} MiB")
    polite = [p for p in phases if p.name != "naive"]
    return all(
        max(rates[p.name].values()) <= limit and in_flight[p.name] <= concurrency for p in polite
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=8.0, help="per-host limit, requests/s")
    parser.add_argument("--concurrency", type=int, default=2, help="per-host connections")
    args = parser.parse_args(argv)

    context = multiprocessing.get_context("spawn")
    ports_queue, stop = context.Queue(), context.Event()
    server = context.Process(target=_serve, args=(args.hosts, ports_queue, stop), daemon=True)
    server.start()
    try:
        ports = ports_queue.get(timeout=30)
        # Grouped by host, the way a crawler reading one feed after another finds them.
        urls = [
            f"http://127.0.0.1:{port}/page/{n}"
            for index, port in enumerate(ports)
            for n in range(index, args.pages, len(ports))
        ]
        stats_url = f"http://127.0.0.1:{ports[0]}{STATS_PATH}"
        reset_url = f"http://127.0.0.1:{ports[0]}{RESET_PATH}"
        settings = FetchSettings(
            per_host_rate=args.rate,
            per_host_concurrency=args.concurrency,
            max_workers=args.hosts * args.concurrency,
            allow_private=True,  # the simulated hosts are on loopback
        )
        print(f"{args.pages} pages from {args.hosts} hosts on 127.0.0.1")
        with tempfile.TemporaryDirectory(prefix="bench-fetch-") as store_root:
            phases = [
                run_phase("client", polite_fetch(urls, settings), stats_url, reset_url),
                run_phase(
                    "collect",
                    collect_fetch(ports, args.pages, settings, Path(store_root)),
                    stats_url,
                    reset_url,
                ),
                run_phase("naive", naive_fetch(urls), stats_url, reset_url),
            ]
        held = report(phases, ports, args.rate, args.concurrency)
    finally:
        stop.set()
        server.join(timeout=10)
    if any(phase.ok != args.pages for phase in phases[:2]) or not held:
        print("FAIL: a page was not fetched or a host limit was exceeded", file=sys.stderr)
        return 1
    print("OK: every page fetched; no host exceeded its rate or connection limit when polite")
    return 0


if __name__ == "__main__":
    sys.exit(main())
