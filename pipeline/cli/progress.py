"""The progress bar every long bcrm command shows, so they all read alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

if TYPE_CHECKING:
    from pipeline.devtools.settling import Snapshot


def progress_bar(show: bool = True, console: Console | None = None) -> Progress:
    """Description, bar, done/total, a free-text `detail` field, elapsed time."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        disable=not show,
        console=console,
    )


def settle_bar(progress: Progress, bar: TaskID) -> Callable[[Snapshot], None]:
    """A `wait_until_settled` observer that shows documents settled out of those seen."""

    def show(seen: Snapshot) -> None:
        progress.update(
            bar,
            total=max(seen.documents_total, 1),
            completed=seen.documents_settled,
            detail=f"orders {seen.subjects_fetched} fetched",
        )

    return show


class PhaseBars:
    """A `PhaseView` on a progress bar: one row per phase, added when the phase starts
    with its total fixed, so a row's total never grows; announcements print above."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._rows: dict[str, TaskID] = {}
        self._empty: set[str] = set()

    def announce(self, text: str) -> None:
        self._progress.console.print(text)

    def start(self, phase: str, total: int, unit: str) -> None:
        """A phase with nothing to do shows as complete rather than as 0 of 0."""
        if total == 0:
            self._empty.add(phase)
        self._rows[phase] = self._progress.add_task(
            phase, total=max(total, 1), completed=int(total == 0), detail=unit
        )

    def advance(self, phase: str, done: int) -> None:
        if phase not in self._empty:
            self._progress.update(self._rows[phase], completed=done)


def count_bar(progress: Progress, bar: TaskID) -> Callable[[int, int], None]:
    """An `on_progress(done, total)` callback that moves `bar`."""

    def show(done: int, total: int) -> None:
        progress.update(bar, completed=done, total=total)

    return show
