"""``python -m defence_news extract --in FILE.jsonl --out FILE.jsonl``: events without Airflow.

Input lines: ``{"id", "text", "published"?}``. Output: exactly one line per input line,
in order, ``{"id", "line", "events": [Event.to_dict()...], "reason"?}``; ``id`` is
``line-N`` where the line gives none that can be used. A line that cannot be read gives
empty events and a reason (blank_line, invalid_utf8, invalid_json, too_deep,
bad_record, bad_id, missing_text, bad_text, line_too_long, internal_error:<Type>),
and the run goes on. Exit code 0 when the run completed, bad lines or not; non-zero
when a file cannot be opened.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from defence_news.extract.core import MODES, extract_from_text
from defence_news.extract.fusion import fuse_events
from defence_news.models import Event

# Room for a record that carries its page's HTML beside the text (the parse stage takes
# pages of up to 20 M characters); a longer line is a dump, skipped unread so it cannot
# exhaust memory.
MAX_LINE_BYTES = 64 * 1024 * 1024
_SKIP_CHUNK_BYTES = 1024 * 1024
# Lone surrogates come from JSON escapes such as "\ud800"; they cannot be written as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")
_REPLACEMENT = "\ufffd"


class _BadLine(Exception):
    """A line the extractor cannot be given: ``reason`` goes into its output line."""

    def __init__(self, reason: str, doc_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.doc_id = doc_id


@dataclass(frozen=True)
class LineResult:
    """One input line's outcome; ``output`` is its JSON line, ready to write."""

    output: bytes
    events: list[Event]
    reason: str | None
    problem: bool  # the line itself was unusable (not the extractor finding nothing)


PROGRESS_EVERY = 1000  # lines between two progress lines when stderr is not a terminal


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


def read_lines(source: IO[bytes]) -> Iterator[bytes | None]:
    """The lines of a JSON Lines stream, split at LF only (the JSON Lines rule; a CR
    before it is JSON whitespace). None stands for a line over MAX_LINE_BYTES."""
    while raw := source.readline(MAX_LINE_BYTES + 1):
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            _skip_rest_of_line(source)
            yield None
        else:
            yield raw


def _skip_rest_of_line(source: IO[bytes]) -> None:
    while chunk := source.readline(_SKIP_CHUNK_BYTES):
        if chunk.endswith(b"\n"):
            return


def _decode(raw: bytes | None) -> str:
    if raw is None:
        raise _BadLine("line_too_long")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _BadLine("invalid_utf8") from None
    # Some Windows tools start a file with a BOM (and files joined together carry it
    # mid-file); JSON refuses it, the record after it is fine.
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise _BadLine("blank_line")
    return text


def _parse_int(digits: str) -> int | Decimal:
    # Python refuses int() of over 4300 digits (a guard against slow conversion); JSON
    # sets no limit, and Decimal reads any length in linear time, so the record is kept.
    try:
        return int(digits)
    except ValueError:
        return Decimal(digits)


def _parse(text: str) -> dict[str, Any]:
    try:
        record = json.loads(text, parse_int=_parse_int)
    except RecursionError:  # nesting deeper than the parser's recursion allows
        raise _BadLine("too_deep") from None
    except ValueError:  # json.JSONDecodeError and its kin
        raise _BadLine("invalid_json") from None
    if not isinstance(record, dict):
        raise _BadLine("bad_record")
    return record


def _doc_id(record: dict[str, Any], number: int) -> str:
    value = record.get("id")
    if value is None or value == "":
        return f"line-{number}"
    if isinstance(value, str):
        if _SURROGATE.search(value):
            # Echoed repaired, but not used: two broken ids would become one.
            raise _BadLine("bad_id", _SURROGATE.sub(_REPLACEMENT, value))
        return value
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(value)
    raise _BadLine("bad_id")


def _text(record: dict[str, Any], doc_id: str) -> str:
    text = record.get("text")
    if text is None:
        raise _BadLine("missing_text", doc_id)
    if not isinstance(text, str):
        raise _BadLine("bad_text", doc_id)
    # Same length, so the evidence offsets still point into the text as given.
    return _SURROGATE.sub(_REPLACEMENT, text)


def _encode(row: dict[str, Any]) -> bytes:
    line = json.dumps(row, ensure_ascii=False, allow_nan=False)
    # Valid UTF-8 whatever the extractor copied from the input.
    return (_SURROGATE.sub(_REPLACEMENT, line) + "\n").encode("utf-8")


def _failed(number: int, doc_id: str, reason: str) -> LineResult:
    row = {"id": doc_id, "line": number, "events": [], "reason": reason}
    return LineResult(_encode(row), [], reason, problem=True)


def _result_line(number: int, raw: bytes | None, mode: str) -> LineResult:
    try:
        record = _parse(_decode(raw))
        doc_id = _doc_id(record, number)
        text = _text(record, doc_id)
    except _BadLine as bad:
        return _failed(number, bad.doc_id or f"line-{number}", bad.reason)
    try:
        result = extract_from_text(
            text, doc_id=doc_id, published=record.get("published"), mode=mode
        )
        row: dict[str, Any] = {
            "id": doc_id,
            "line": number,
            "events": [e.to_dict() for e in result.events],
        }
        if result.reason:
            row["reason"] = result.reason
        return LineResult(_encode(row), result.events, result.reason, problem=False)
    except Exception as error:  # a fault on one text must not cost the other lines
        return _failed(number, doc_id, f"internal_error:{type(error).__name__}")


def extract_lines(lines: Iterable[bytes | None], mode: str = "auto") -> Iterator[LineResult]:
    """One result per line, in order, whatever the line holds."""
    for number, raw in enumerate(lines, start=1):
        try:
            result = _result_line(number, raw, mode)
        except Exception as error:  # last resort: the line keeps its place in the output
            result = _failed(number, f"line-{number}", f"internal_error:{type(error).__name__}")
        yield result


@dataclass
class RunSummary:
    lines: int = 0
    lines_with_events: int = 0
    events: list[Event] = field(default_factory=list)
    problems: Counter[str] = field(default_factory=Counter)

    def add(self, result: LineResult) -> None:
        self.lines += 1
        self.lines_with_events += bool(result.events)
        self.events.extend(result.events)
        if result.problem and result.reason:
            self.problems[result.reason] += 1

    def line(self) -> str:
        text = (
            f"extract: {self.lines} lines read, {len(self.events)} events "
            f"from {self.lines_with_events} lines; "
        )
        if not self.problems:
            return text + "no lines with problems"
        counts = ", ".join(f"{reason} {n}" for reason, n in sorted(self.problems.items()))
        return text + f"{self.problems.total()} lines with problems: {counts}"


def _open(path: str, mode: str) -> AbstractContextManager[IO[bytes]]:
    if path == "-":
        return nullcontext(sys.stdin.buffer if "r" in mode else sys.stdout.buffer)
    if "w" in mode:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return open(path, mode)  # closed by the caller's ExitStack


def _write_fused(sink: IO[bytes], events: list[Event]) -> None:
    for fused in fuse_events(events):
        sink.write(_encode(fused.to_dict()))


def _open_all(stack: ExitStack, paths: list[str]) -> list[IO[bytes]] | str:
    """The input then the outputs, opened before any work so that a bad path costs
    nothing; or the message saying which cannot be opened."""
    streams = []
    for index, path in enumerate(paths):
        try:
            streams.append(stack.enter_context(_open(path, "rb" if index == 0 else "wb")))
        except OSError as error:
            return f"extract: cannot open {path}: {error.strerror or error}"
    return streams


def _run(source: IO[bytes], sink: IO[bytes], mode: str, summary: RunSummary) -> None:
    from defence_news.progress import Progress

    # On stderr, never in the output: a bar on a terminal, else a line per 1,000.
    with Progress("extract lines", every=PROGRESS_EVERY, lines_to_stream=True) as progress:
        for result in extract_lines(read_lines(source), mode):
            sink.write(result.output)
            sink.flush()  # a run stopped mid-way keeps every result written so far
            summary.add(result)
            progress.advance()


def run_extract(args: argparse.Namespace) -> int:
    summary = RunSummary()
    paths = [args.input, args.output, *([args.fused_output] if args.fused_output else [])]
    with ExitStack() as stack:
        streams = _open_all(stack, paths)
        if isinstance(streams, str):
            print(streams, file=sys.stderr)
            return 2
        try:
            _run(streams[0], streams[1], args.mode, summary)
            if args.fused_output:
                _write_fused(streams[2], summary.events)
        except OSError as error:  # the disk filled, the pipe closed: the files failed
            print(f"extract: stopped after line {summary.lines}: {error}", file=sys.stderr)
            return 1
    print(summary.line(), file=sys.stderr)
    return 0
