"""The progress bar every long bcrm command shows, so they all read alike."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


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
