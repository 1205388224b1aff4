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
            detail=f"orders {len(seen.fetches['fetched'])} fetched",
        )

    return show


def count_bar(progress: Progress, bar: TaskID) -> Callable[[int, int], None]:
    """An `on_progress(done, total)` callback that moves `bar`."""

    def show(done: int, total: int) -> None:
        progress.update(bar, completed=done, total=total)

    return show
