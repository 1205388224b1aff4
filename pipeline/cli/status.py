"""`bcrm status`: is work flowing, and where is it stuck?"""

from __future__ import annotations

import json
from typing import Any

import click

from pipeline.runtime.session import connected
from pipeline.runtime.settings import load_settings

HEADINGS = {
    "queues": "Messages waiting, per queue",
    "owed": "Work owed (handed to the pipeline, chain not ended)",
    "ledger": "Records, by state",
    "flows": "Records, by state and flow",
    "archive": "Records archived (archive index), per flow",
    "dead_letters": "Dead letters",
}
NAMES = {
    "unacknowledged": "unacked (delivered to a worker, not yet acknowledged)",
    "dead": "waiting (`bcrm dlq list`)",
    "replayed": "replayed",
    "dead_lettered": "dead-lettered",
    "units": "units",
    "oldest_with_nothing_in_flight_s": "oldest with nothing queued or in flight (s)",
}


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def status(as_json: bool) -> None:
    """Queue depths, unacknowledged messages, ledger counts, dead letters and, per store,
    when each stream was last polled successfully and how many polls ran; then what needs
    attention and the command that deals with it."""
    with connected(load_settings()):
        from pipeline.ops.status import attention, collect_status

        # Sections are keyed by name, except `attention`, which is numbered.
        report: dict[str, dict[Any, Any]] = collect_status()
        report["attention"] = dict(enumerate(attention(report), start=1))
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(render(report), nl=False)


def render(report: dict[str, dict[str, Any]]) -> str:
    """The report in plain words, one section after another."""
    lines: list[str] = []
    for section, heading in HEADINGS.items():
        lines.append(f"{heading}:")
        width = max((len(NAMES.get(name, name)) for name in report[section]), default=0)
        for name, value in report[section].items():
            shown = (
                "  ".join(f"{NAMES.get(k, k)} {v}" for k, v in value.items())
                if isinstance(value, dict)
                else "none"
                if value is None
                else value
            )
            lines.append(f"  {NAMES.get(name, name):<{width}}  {shown}")
    lines.append("Stores:")
    for store, facts in report["stores"].items():
        lines.append(f"  {store}")
        lines += [f"    {line}" for line in _store_lines(facts)]
    findings = report.get("attention", {})
    lines.append("Needs attention:" if findings else "Nothing needs attention.")
    lines += [f"  {number}. {finding}" for number, finding in findings.items()]
    return "\n".join(lines) + "\n"


def _store_lines(facts: dict[str, Any]) -> list[str]:
    from pipeline.ops.status import ago

    lines = []
    for name, lag in facts.items():
        if not name.endswith("_lag_s"):
            continue
        stream = name.removesuffix("_lag_s")
        polled = "no successful poll yet" if lag is None else f"last polled {ago(lag)}"
        lines.append(f"{stream:<10} {polled}, {facts.get(f'{stream}_polls', 0)} polls so far")
    for audit in ("reconcile", "fixity"):
        lines.append(f"{audit:<10} last run: {facts[f'last_{audit}']}")
    return lines
