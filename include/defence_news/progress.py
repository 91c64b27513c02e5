"""Progress of long work: a bar on a terminal, plain periodic lines elsewhere.

On a terminal (the stream is a TTY) rich draws a bar with the count, the rate and
the time left. Anywhere else (an Airflow task log, CI, a pipe) a bar would be noise
or lost, so a plain line ``<label>: 1200/5000 (24%), 310.2/s`` goes to the logger
every ``every`` items and at the end; a task log then shows how far a long task got.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import IO, TypeVar

T = TypeVar("T")

log = logging.getLogger("defence_news.progress")


class Progress:
    """Counts items of one piece of work; ``advance`` after each (or each batch)."""

    def __init__(
        self,
        label: str,
        total: int | None = None,
        *,
        every: int = 100,
        stream: IO[str] | None = None,
        logger: logging.Logger | None = None,
        lines_to_stream: bool = False,
    ) -> None:
        self.label = label
        self.total = total
        self.every = max(1, every)
        self.done = 0
        self._stream = stream if stream is not None else sys.stderr
        self._log = logger or log
        self._lines_to_stream = lines_to_stream
        self._started = time.monotonic()
        self._next_line = self.every
        self._logged_at = -1  # the count the last plain line showed
        self._bar = None
        self._task = None

    @property
    def on_terminal(self) -> bool:
        isatty = getattr(self._stream, "isatty", None)
        return bool(isatty and isatty())

    def __enter__(self) -> Progress:
        self._started = time.monotonic()
        if self.on_terminal:
            self._start_bar()
        return self

    def _start_bar(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.progress import (
            Progress as RichProgress,
        )

        self._bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=Console(file=self._stream),
            transient=False,
        )
        self._bar.start()
        self._task = self._bar.add_task(self.label, total=self.total, rate="")

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self._bar is not None:
            self._bar.update(self._task, advance=count, rate=f"{self.rate:.1f}/s")
        elif self.done >= self._next_line:
            self._say(self.line())
            self._logged_at = self.done
            self._next_line = (self.done // self.every + 1) * self.every

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self._started
        return self.done / elapsed if elapsed > 0 else 0.0

    def line(self) -> str:
        """``label: done/total (share), rate``: what a log shows of the work so far."""
        if self.total:
            share = f" ({100 * self.done / self.total:.0f}%)"
            return f"{self.label}: {self.done}/{self.total}{share}, {self.rate:.1f}/s"
        return f"{self.label}: {self.done}, {self.rate:.1f}/s"

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
        elif self._logged_at >= 0 and self.done != self._logged_at:
            self._say(self.line() + (" (stopped)" if kind else " (done)"))

    def _say(self, line: str) -> None:
        if self._lines_to_stream:
            print(line, file=self._stream, flush=True)
        else:
            self._log.info(line)


def track(
    items: Iterable[T], label: str, total: int | None = None, *, every: int = 100
) -> Iterator[T]:
    """Each item of ``items``, counted by a ``Progress``."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with Progress(label, total, every=every) as progress:
        for item in items:
            yield item
            progress.advance()
