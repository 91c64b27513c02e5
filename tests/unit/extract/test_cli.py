"""`python -m defence_news extract`: JSON Lines in, events out, bad lines reported."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

from defence_news.cli import main
from defence_news.extract import cli, extract_from_text
from defence_news.extract.core import MAX_TEXT_CHARS

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "seeds" / "000_daa3c69061294fcf.txt"


def _write_input(path: Path) -> None:
    lines = [
        json.dumps({"id": "seed", "text": SEED.read_text("utf-8"), "published": "2024-06-18"}),
        json.dumps({"id": "empty", "text": ""}),
        "this is not json",
        json.dumps({"id": "no-text"}),
        "",
        json.dumps({"text": "Japan and Germany held joint fighter drills over Hokkaido."}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_extract_command_writes_one_line_per_input(tmp_path: Path) -> None:
    source, out, fused = (
        tmp_path / "in.jsonl",
        tmp_path / "out" / "events.jsonl",
        tmp_path / "f.jsonl",
    )
    _write_input(source)
    code = main(["extract", "--in", str(source), "--out", str(out), "--fused-out", str(fused)])
    assert code == 0
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [row["id"] for row in rows] == ["seed", "empty", "line-3", "no-text", "line-5", "line-6"]
    assert [row["line"] for row in rows] == [1, 2, 3, 4, 5, 6]
    assert len(rows[0]["events"]) == 4 and "reason" not in rows[0]
    assert rows[0]["events"][0]["article"]["published_at"] == "2024-06-18"
    assert [row.get("reason") for row in rows[1:5]] == [
        "empty_text",
        "invalid_json",
        "missing_text",
        "blank_line",
    ]
    assert [e["category"] for e in rows[5]["events"]] == ["exercise"]
    fused_rows = [json.loads(line) for line in fused.read_text("utf-8").splitlines()]
    assert len(fused_rows) == 5


def test_module_entry_point_runs_without_airflow(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_input(source)
    done = subprocess.run(
        [sys.executable, "-m", "defence_news", "extract", "--in", str(source), "--out", str(out)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stderr.strip().splitlines()[-1] == (
        "extract: 6 lines read, 5 events from 2 lines; "
        "3 lines with problems: blank_line 1, invalid_json 1, missing_text 1"
    )
    assert len(out.read_text("utf-8").splitlines()) == 6


def test_the_mode_chooses_the_grammar_alone_or_the_learned_decisions(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    _write_input(source)
    names = {}
    for mode in ("rules", "learned"):
        out = tmp_path / f"{mode}.jsonl"
        assert main(["extract", "--in", str(source), "--out", str(out), "--mode", mode]) == 0
        seed = json.loads(out.read_text("utf-8").splitlines()[0])
        names[mode] = {e["extractor"]["name"] for e in seed["events"]}
    assert names == {"rules": {"defence_news.rules"}, "learned": {"defence_news.rules+learned"}}


GOOD_TEXT = "Indian and French navies began the Varuna joint exercise off Goa on Monday."
DEEP = b"[" * 100_000 + b"]" * 100_000
HUGE_NUMBER = b"9" * 5000  # over Python's int-string conversion limit (4300 digits)


def _good(doc_id: str) -> bytes:
    return json.dumps({"id": doc_id, "text": GOOD_TEXT, "published": "2024-06-18"}).encode()


def _record(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def _run(tmp_path: Path, content: bytes) -> list[dict]:
    """The output rows of a run on ``content``; fails unless the run completes and every
    output line is valid UTF-8 JSON."""
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(content)
    assert main(["extract", "--in", str(source), "--out", str(out)]) == 0
    text = out.read_bytes().decode("utf-8")  # strict: a lone surrogate would fail here
    assert text.endswith("\n")
    return [json.loads(line) for line in text.split("\n")[:-1]]


def _categories(row: dict) -> list[str]:
    return [event["category"] for event in row["events"]]


HOSTILE = [
    pytest.param(b"", "line-2", "blank_line", id="blank"),
    pytest.param(b" \t \x0c ", "line-2", "blank_line", id="whitespace-only"),
    pytest.param(b'{"id": "nul", "text": "a\x00b"}', "line-2", "invalid_json", id="nul-byte"),
    pytest.param(b'{"id": "l1", "text": "Bogot\xe1"}', "line-2", "invalid_utf8", id="latin-1"),
    pytest.param(b"\x89PNG\r\x1a\x00\x00\xff\xd8\xff\xe0", "line-2", "invalid_utf8", id="binary"),
    pytest.param(b"this is not json", "line-2", "invalid_json", id="not-json"),
    pytest.param(b'{"id": "cut", "text": "Indian and', "line-2", "invalid_json", id="truncated"),
    pytest.param(b'["Indian", "French"]', "line-2", "bad_record", id="array"),
    pytest.param(b'"Indian and French navies"', "line-2", "bad_record", id="string"),
    pytest.param(_record(id="no-text"), "no-text", "missing_text", id="missing-text"),
    pytest.param(_record(id="null", text=None), "null", "missing_text", id="null-text"),
    pytest.param(_record(id="num", text=42), "num", "bad_text", id="text-number"),
    pytest.param(_record(id="list", text=[GOOD_TEXT]), "list", "bad_text", id="text-list"),
    pytest.param(_record(id=["a"], text=GOOD_TEXT), "line-2", "bad_id", id="id-list"),
    pytest.param(_record(id=True, text=GOOD_TEXT), "line-2", "bad_id", id="id-bool"),
    pytest.param(_record(id={"n": 1}, text=GOOD_TEXT), "line-2", "bad_id", id="id-object"),
    pytest.param(b'{"id": NaN, "text": "x"}', "line-2", "bad_id", id="id-nan"),
    pytest.param(b'{"id": "a\\ud800b", "text": "x"}', "a\ufffdb", "bad_id", id="id-surrogate"),
    pytest.param(DEEP, "line-2", "too_deep", id="deep-array"),
    pytest.param(b'{"id": "d", "text": "x", "x": ' + DEEP + b"}", "line-2", "too_deep", id="deep"),
    pytest.param(_record(id="empty", text=""), "empty", "empty_text", id="empty-text"),
    pytest.param(
        _record(id="huge", text=GOOD_TEXT * (MAX_TEXT_CHARS // len(GOOD_TEXT) + 1)),
        "huge",
        "too_long",
        id="over-size-limit",
    ),
]


@pytest.mark.parametrize(("line", "doc_id", "reason"), HOSTILE)
def test_a_hostile_line_gets_its_own_line_and_the_next_one_its_events(
    tmp_path: Path, line: bytes, doc_id: str, reason: str
) -> None:
    rows = _run(tmp_path, _good("before") + b"\n" + line + b"\n" + _good("after") + b"\n")
    assert [(row["line"], row["id"]) for row in rows] == [(1, "before"), (2, doc_id), (3, "after")]
    assert (rows[1]["events"], rows[1]["reason"]) == ([], reason)
    assert _categories(rows[0]) == _categories(rows[2]) == ["exercise"]


def test_crlf_line_endings_give_the_same_rows(tmp_path: Path) -> None:
    lines = [_good("a"), b"", b"not json", _good("b")]
    unix = _run(tmp_path, b"\n".join(lines) + b"\n")
    windows = _run(tmp_path, b"\r\n".join(lines) + b"\r\n")
    assert windows == unix
    assert [row.get("reason") for row in windows] == [None, "blank_line", "invalid_json", None]


def test_a_byte_order_mark_at_the_start_of_the_file_is_not_part_of_the_first_record(
    tmp_path: Path,
) -> None:
    rows = _run(tmp_path, b"\xef\xbb\xbf" + _good("first") + b"\n" + _good("second"))
    assert [(row["id"], _categories(row)) for row in rows] == [
        ("first", ["exercise"]),
        ("second", ["exercise"]),
    ]


def test_a_lone_surrogate_in_the_text_is_replaced_and_the_events_kept(tmp_path: Path) -> None:
    text = GOOD_TEXT.replace("Varuna", "Varuna\\ud800")
    line = b'{"id": "s", "published": "2024-06-18", "text": "' + text.encode() + b'"}'
    rows = _run(tmp_path, line + b"\n" + _good("after") + b"\n")
    assert _categories(rows[0]) == _categories(rows[1]) == ["exercise"]
    assert "Varuna\ufffd joint" in rows[0]["events"][0]["evidence"]["sentence"]


def test_a_number_longer_than_python_reads_by_default_keeps_the_record(tmp_path: Path) -> None:
    views = b'{"id": "views", "text": "%s", "views": %s}' % (GOOD_TEXT.encode(), HUGE_NUMBER)
    number_id = b'{"id": %s, "text": "%s"}' % (HUGE_NUMBER, GOOD_TEXT.encode())
    rows = _run(tmp_path, views + b"\n" + number_id + b"\n")
    assert [(row["id"], _categories(row)) for row in rows] == [
        ("views", ["exercise"]),
        ("9" * 5000, ["exercise"]),
    ]


def test_a_number_id_is_kept_even_when_zero(tmp_path: Path) -> None:
    rows = _run(tmp_path, _record(id=0, text=GOOD_TEXT) + b"\n" + _record(id=17, text=GOOD_TEXT))
    assert [row["id"] for row in rows] == ["0", "17"]


@pytest.mark.parametrize(
    ("published", "text"),
    [
        ("9999-12-31", "Indian and French navies will begin the Varuna joint exercise tomorrow."),
        ("0001-01-01", "Indian and French navies began the Varuna joint exercise yesterday."),
    ],
)
def test_a_publication_date_at_the_end_of_the_calendar_leaves_the_day_unknown(
    tmp_path: Path, published: str, text: str
) -> None:
    line = _record(id="edge", text=text, published=published)
    rows = _run(tmp_path, line + b"\n" + _good("after") + b"\n")
    assert _categories(rows[0]) == _categories(rows[1]) == ["exercise"]
    assert rows[0]["events"][0]["when"]["start"] is None  # no such day as 10000-01-01
    assert rows[0]["events"][0]["article"]["published_at"] == published


def test_a_line_over_the_size_limit_is_skipped_without_reading_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "MAX_LINE_BYTES", 1000)
    rows = _run(tmp_path, _good("a") + b"\n" + b"x" * 5000 + b"\n" + _good("b") + b"\n")
    assert [(row["id"], row.get("reason")) for row in rows] == [
        ("a", None),
        ("line-2", "line_too_long"),
        ("b", None),
    ]


def test_an_unexpected_fault_in_one_line_is_reported_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def faulty(text: str, **kwargs: object) -> object:
        if kwargs["doc_id"] == "boom":
            raise RuntimeError("a bug in the extractor")
        return extract_from_text(text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "extract_from_text", faulty)
    rows = _run(tmp_path, _good("boom") + b"\n" + _good("after") + b"\n")
    assert [(row["id"], row["events"], row["reason"]) for row in rows[:1]] == [
        ("boom", [], "internal_error:RuntimeError")
    ]
    assert _categories(rows[1]) == ["exercise"]


def test_the_summary_counts_lines_events_and_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(tmp_path, b"\n".join([_good("a"), b"", b"\xff", b"[]", b"", _good("b")]))
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "extract: 6 lines read, 2 events from 2 lines; "
        "4 lines with problems: bad_record 1, blank_line 2, invalid_utf8 1"
    )


def test_files_that_cannot_be_opened_stop_the_run_with_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing, source = tmp_path / "missing.jsonl", tmp_path / "in.jsonl"
    source.write_bytes(_good("a"))
    assert main(["extract", "--in", str(missing), "--out", str(tmp_path / "o.jsonl")]) != 0
    assert f"cannot open {missing}" in capsys.readouterr().err
    under_a_file = source / "out.jsonl"
    assert main(["extract", "--in", str(source), "--out", str(under_a_file)]) != 0
    assert f"cannot open {under_a_file}" in capsys.readouterr().err


def test_every_hostile_line_through_the_module_entry_point(tmp_path: Path) -> None:
    lines = [b"\xef\xbb\xbf" + _good("first")]
    for case in HOSTILE:
        lines += [case.values[0], _good("good")]
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(b"\r\n".join(lines))  # CRLF, and no newline after the last line
    done = subprocess.run(
        [sys.executable, "-m", "defence_news", "extract", "--in", str(source), "--out", str(out)],
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_bytes().decode("utf-8").split("\n")[:-1]]
    assert [row["line"] for row in rows] == list(range(1, len(lines) + 1))
    assert [row.get("reason") for row in rows[1::2]] == [case.values[2] for case in HOSTILE]
    assert all(_categories(row) == ["exercise"] for row in rows[::2])
    assert b"lines with problems" in done.stderr


def test_each_result_is_written_as_soon_as_its_line_is_read() -> None:
    # A run killed mid-way keeps what it wrote: the first result comes out while the
    # input is still open.
    process = subprocess.Popen(
        [sys.executable, "-m", "defence_news", "extract", "--in", "-", "--out", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        # Python buffers a pipe unless told not to: the command itself must flush.
        env={k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(_good("first") + b"\n")
        process.stdin.flush()
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "no output while the input stays open"
        assert _categories(json.loads(process.stdout.readline())) == ["exercise"]
    finally:
        process.stdin.close()
        process.wait(timeout=60)
    assert process.returncode == 0


def test_a_long_run_reports_progress_on_stderr_never_in_the_output(tmp_path: Path, capsys) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(b'{"id": "x", "text": ""}\n' * 2500)  # fast lines: no text
    assert main(["extract", "--in", str(source), "--out", str(out)]) == 0
    progress = [line for line in capsys.readouterr().err.splitlines() if "/s" in line]
    assert [line.split(",")[0] for line in progress] == [
        "extract lines: 1000",
        "extract lines: 2000",
        "extract lines: 2500",
    ]
    assert len(out.read_text().splitlines()) == 2500
