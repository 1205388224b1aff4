"""`bcrm dlq`: look at, replay and purge dead letters."""

from __future__ import annotations

import json
import sys
import time
from typing import TypedDict, Unpack

import click

from pipeline.core.deadletters import DeadLetter, DeadLetterFilter
from pipeline.core.stages import BY_NAME
from pipeline.runtime.session import connected
from pipeline.runtime.settings import load_settings

# Every entry the filters match: `bcrm status` counts them all, and `purge --all` must
# leave none behind for status to keep counting.
EVERY = 10**9


class FilterOptions(TypedDict):
    """What `_filter_options` adds to a command's keyword arguments."""

    stage: str | None
    error_type: str | None
    record_prefix: str | None
    older_than: float | None
    status: str


def _filter_options(fn: click.decorators.FC) -> click.decorators.FC:
    options = [
        click.option(
            "--stage",
            type=click.Choice(list(BY_NAME)),
            help="Only this stage.",
        ),
        click.option("--error-type", help="Only this exception type, e.g. PermanentError."),
        click.option("--record", "record_prefix", help="Only record keys starting with this."),
        click.option(
            "--older-than", type=float, help="Only entries at least this many seconds old."
        ),
        click.option(
            "--status",
            type=click.Choice(["dead", "replayed", "any"]),
            default="dead",
            show_default=True,
            help="Entry status.",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _where(
    stage: str | None,
    error_type: str | None,
    record_prefix: str | None,
    older_than: float | None,
    status: str,
) -> DeadLetterFilter:
    return DeadLetterFilter(
        stage=stage,
        error_type=error_type,
        record_prefix=record_prefix,
        older_than_s=older_than,
        status=None if status == "any" else status,
    )


@click.group()
def dlq() -> None:
    """Dead letters: stage runs that failed for good, with their context."""


@dlq.command(name="list")
@_filter_options
@click.option("--json", "as_json", is_flag=True, help="Print as JSON lines.")
def dlq_list(as_json: bool, **filters: Unpack[FilterOptions]) -> None:
    """List dead letters, oldest first."""
    with connected(load_settings()):
        from pipeline.runtime import services

        entries = services.dead_letters().list(_where(**filters), limit=EVERY)
    for entry in entries:
        if as_json:
            click.echo(json.dumps({k: v for k, v in vars(entry).items() if k != "traceback"}))
        else:
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.failed_at))
            click.echo(
                f"{entry.id}  {when}  {entry.stage:<8} {entry.status:<8} "
                f"{entry.exception_type:<20} {entry.record_key}  {entry.exception[:80]}"
            )
    if not as_json:
        click.echo(f"{len(entries)} dead letter(s)", err=True)


@dlq.command(name="show")
@click.argument("entry_id")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON (traceback as one string).")
def dlq_show(entry_id: str, as_json: bool) -> None:
    """Show one dead letter in full: what failed, on which record, and the traceback."""
    with connected(load_settings()):
        from pipeline.runtime import services

        entry = services.dead_letters().get(entry_id)
    if entry is None:
        click.echo(f"bcrm: no dead letter {entry_id}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(vars(entry), indent=2))
        return
    click.echo(_readable(entry), nl=False)


def _when(moment: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(moment))


def _readable(entry: DeadLetter) -> str:
    """The entry as an operator reads it: facts aligned, then the traceback as Python
    printed it, line by line."""
    facts = [
        ("status", entry.status + (f" ({_when(entry.replayed_at)})" if entry.replayed_at else "")),
        ("failed at", _when(entry.failed_at)),
        ("flow", entry.flow or "-"),
        ("stage", entry.stage),
        ("record", entry.record_key or "-"),
        ("task", f"{entry.task_name} {entry.task_id}".strip()),
        ("attempts", str(entry.attempts)),
        ("error", f"{entry.exception_type}: {entry.exception}"),
        ("args", json.dumps(entry.args)),
        ("kwargs", json.dumps(entry.kwargs)),
    ]
    lines = [f"dead letter {entry.id}"]
    lines += [f"  {name:<10} {value}" for name, value in facts]
    lines += ["", "traceback:"]
    lines += [f"  {line}" for line in (entry.traceback or "(none kept)").rstrip().splitlines()]
    lines += ["", f"replay: bcrm dlq replay {entry.id}    purge: bcrm dlq purge {entry.id}"]
    return "\n".join(lines) + "\n"


@dlq.command(name="replay")
@click.argument("entry_ids", nargs=-1)
@click.option("--all", "replay_all", is_flag=True, help="Replay every entry the filters match.")
@_filter_options
def dlq_replay(
    entry_ids: tuple[str, ...], replay_all: bool, **filters: Unpack[FilterOptions]
) -> None:
    """Re-send dead-lettered stages and the rest of their canvas; each entry at most once."""
    if not entry_ids and not replay_all:
        raise click.UsageError("name entry ids or use --all")
    with connected(load_settings()):
        from pipeline.core.canvas import replay_canvas
        from pipeline.runtime import services

        store = services.dead_letters()
        ids = list(entry_ids) or [e.id for e in store.list(_where(**filters), limit=EVERY)]
        sent = sum(store.replay(entry_id, replay_canvas) for entry_id in ids)
    click.echo(f"replayed {sent} of {len(ids)} (the rest were already replayed or absent)")


@dlq.command(name="purge")
@click.argument("entry_ids", nargs=-1)
@click.option("--all", "purge_all", is_flag=True, help="Purge every entry the filters match.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_filter_options
def dlq_purge(
    entry_ids: tuple[str, ...], purge_all: bool, yes: bool, **filters: Unpack[FilterOptions]
) -> None:
    """Delete dead letters for good."""
    if not entry_ids and not purge_all:
        raise click.UsageError("name entry ids or use --all")
    with connected(load_settings()):
        from pipeline.runtime import services

        store = services.dead_letters()
        ids = list(entry_ids) or [e.id for e in store.list(_where(**filters), limit=EVERY)]
        if not yes and not click.confirm(f"purge {len(ids)} dead letter(s)?"):
            sys.exit(1)
        purged = store.purge(ids)
    click.echo(f"purged {purged}")
