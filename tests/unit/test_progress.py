"""Progress: plain lines in logs, a bar on a terminal."""

from __future__ import annotations

import io
import logging

import pytest

from defence_news.progress import Progress, track


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_off_a_terminal_a_line_every_n_items_and_one_at_the_end(caplog) -> None:
    caplog.set_level(logging.INFO, logger="defence_news.progress")
    with Progress("extract", 250, every=100, stream=io.StringIO()) as progress:
        for _ in range(250):
            progress.advance()
    lines = [r.getMessage() for r in caplog.records]
    assert [line.split(",")[0] for line in lines] == [
        "extract: 100/250 (40%)",
        "extract: 200/250 (80%)",
        "extract: 250/250 (100%)",
    ]
    assert lines[-1].endswith("(done)") and "/s" in lines[-1]


def test_no_repeated_final_line_when_the_count_ends_on_a_step(caplog) -> None:
    caplog.set_level(logging.INFO, logger="defence_news.progress")
    assert list(track(range(200), "lines", every=100)) == list(range(200))
    assert [r.getMessage().split(",")[0] for r in caplog.records] == [
        "lines: 100/200 (50%)",
        "lines: 200/200 (100%)",
    ]


def test_a_failure_midway_says_where_it_stopped(caplog) -> None:
    caplog.set_level(logging.INFO, logger="defence_news.progress")
    with pytest.raises(RuntimeError), Progress("fuse", None, every=2, stream=io.StringIO()) as p:
        p.advance(2)
        p.advance(1)
        raise RuntimeError("store gone")
    assert caplog.records[-1].getMessage().startswith("fuse: 3, ")
    assert caplog.records[-1].getMessage().endswith("(stopped)")


def test_on_a_terminal_a_bar_with_counts_and_rate(caplog) -> None:
    caplog.set_level(logging.INFO, logger="defence_news.progress")
    screen = Terminal()
    with Progress("re-extract", 40, every=10, stream=screen) as progress:
        for _ in range(40):
            progress.advance()
    drawn = screen.getvalue()
    assert "re-extract" in drawn and "40/40" in drawn and "/s" in drawn
    assert caplog.records == []  # the bar replaces the log lines


def test_a_command_prints_its_lines_and_short_work_prints_nothing() -> None:
    out = io.StringIO()
    with Progress("extract", None, every=2, stream=out, lines_to_stream=True) as progress:
        progress.advance(5)
    assert out.getvalue().splitlines()[0].startswith("extract: 5, ")
    quiet = io.StringIO()
    with Progress("extract", None, every=100, stream=quiet, lines_to_stream=True) as progress:
        progress.advance(5)
    assert quiet.getvalue() == ""
