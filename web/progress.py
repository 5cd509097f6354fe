"""Progress for long work (demo data, rebuilds): a bar with rate and time left, on stderr; with
CARELEDGER_LOG_FORMAT=json, a log line every few seconds instead (a bar's frames would break
the JSON lines a log collector reads)."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn,
)
from rich.text import Text

from web.settings import json_logs


class _Rate(ProgressColumn):
    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:>9,.0f} {self.unit}/s")


class Reporter:
    """What long work calls to say how far it is: `advance(n)` after each piece."""

    def __init__(self, progress: Progress | None = None, task: int | None = None) -> None:
        self._progress, self._task = progress, task

    def advance(self, n: int = 1) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, n)

    def describe(self, text: str) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=text)


class _Logged(Reporter):
    """Progress as log records: one every `every` seconds while the work goes on, one at its end."""

    def __init__(self, description: str, total: int | None, unit: str, every: float) -> None:
        super().__init__()
        self.description, self.total, self.unit, self.every = description, total, unit, every
        self.done = 0
        self.started = self._said = time.monotonic()

    def advance(self, n: int = 1) -> None:
        self.done += n
        if time.monotonic() - self._said >= self.every:
            self.say("progress")

    def describe(self, text: str) -> None:
        self.description = text

    def say(self, message: str) -> None:
        self._said = now = time.monotonic()
        rate = self.done / (now - self.started) if now > self.started else 0.0
        left = (self.total - self.done) / rate if self.total and rate else None
        logging.getLogger("careledger").info(message, extra={
            "work": self.description, "done": self.done, "total": self.total, "unit": self.unit,
            "per_s": round(rate, 1), "seconds_left": None if left is None else round(left)})


@contextmanager
def progress_bar(description: str, total: int | None, unit: str = "events") -> Iterator[Reporter]:
    if json_logs():
        reporter = _Logged(description, total, unit, every=float(os.environ.get("CARELEDGER_PROGRESS_SECONDS", "5")))
        yield reporter
        reporter.say("done")
        return
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), _Rate(unit),
        TextColumn("ETA"), TimeRemainingColumn(), console=Console(stderr=True),
    ) as progress:
        yield Reporter(progress, progress.add_task(description, total=total))


SILENT = Reporter()
