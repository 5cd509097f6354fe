"""Progress for long work (demo data, rebuilds): a bar with rate and time left, on stderr."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn,
)
from rich.text import Text


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


@contextmanager
def progress_bar(description: str, total: int | None, unit: str = "events") -> Iterator[Reporter]:
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), _Rate(unit),
        TextColumn("ETA"), TimeRemainingColumn(), console=Console(stderr=True),
    ) as progress:
        yield Reporter(progress, progress.add_task(description, total=total))


SILENT = Reporter()
