"""``python -m defence_news extract --in FILE.jsonl --out FILE.jsonl``: events without Airflow.

Input lines: ``{"id", "text", "published"?}``. Output lines:
``{"id", "events": [Event.to_dict()...], "reason"?}``; a line that cannot be
read gives an empty result with a reason, and the run goes on.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from defence_news.extract.core import MODES, extract_from_text
from defence_news.extract.fusion import fuse_events
from defence_news.models import Event


def add_extract_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "extract",
        help="extract cooperation events from JSON Lines of texts",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--in", dest="input", required=True, help="input JSONL ('-' for stdin)")
    parser.add_argument("--out", dest="output", required=True, help="output JSONL ('-' for stdout)")
    parser.add_argument("--fused-out", dest="fused_output", help="also write fused events (JSONL)")
    parser.add_argument(
        "--mode",
        choices=MODES,
        default="auto",
        help="rules: the grammar alone; learned: the grammar proposes, the trained model "
        "decides; auto (default): learned when a model is packaged",
    )
    parser.set_defaults(handler=run_extract)


def _result_line(
    line_number: int, raw: str, mode: str = "auto"
) -> tuple[dict[str, Any], list[Event]]:
    try:
        record = json.loads(raw)
    except json.JSONDecodeError:
        return {"id": f"line-{line_number}", "events": [], "reason": "bad_json"}, []
    if not isinstance(record, dict):
        return {"id": f"line-{line_number}", "events": [], "reason": "bad_record"}, []
    doc_id = str(record.get("id") or f"line-{line_number}")
    text = record.get("text")
    if not isinstance(text, str):
        return {"id": doc_id, "events": [], "reason": "empty_text"}, []
    result = extract_from_text(text, doc_id=doc_id, published=record.get("published"), mode=mode)
    line: dict[str, Any] = {"id": doc_id, "events": [e.to_dict() for e in result.events]}
    if result.reason:
        line["reason"] = result.reason
    return line, result.events


def extract_lines(
    lines: Iterable[str], mode: str = "auto"
) -> Iterator[tuple[dict[str, Any], list[Event]]]:
    for number, raw in enumerate(lines, start=1):
        if raw.strip():
            yield _result_line(number, raw, mode)


def _open(path: str, mode: str) -> TextIO:
    if path == "-":
        return sys.stdin if "r" in mode else sys.stdout
    if "w" in mode:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return open(path, mode, encoding="utf-8")


def run_extract(args: argparse.Namespace) -> int:
    source, sink = _open(args.input, "r"), _open(args.output, "w")
    all_events: list[Event] = []
    documents = with_events = 0
    try:
        for line, events in extract_lines(source, args.mode):
            sink.write(json.dumps(line, ensure_ascii=False) + "\n")
            documents += 1
            with_events += bool(events)
            all_events.extend(events)
    finally:
        for stream in (source, sink):
            if stream not in (sys.stdin, sys.stdout):
                stream.close()
    if args.fused_output:
        with _open(args.fused_output, "w") as fused_sink:
            for fused in fuse_events(all_events):
                fused_sink.write(json.dumps(fused.to_dict(), ensure_ascii=False) + "\n")
    print(
        f"extract: {documents} documents, {with_events} with events, {len(all_events)} events",
        file=sys.stderr,
    )
    return 0
