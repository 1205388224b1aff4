"""`bcrm ecm check`: verify a Content Server before going live (see docs/going-live.md)."""

from __future__ import annotations

import json
import re
from typing import NoReturn

import click

from pipeline.cli.exits import EXIT_FAILED, EXIT_USAGE


@click.group()
def ecm() -> None:
    """The Content Server (OpenText Extended ECM) bcrm declares records in."""


@ecm.command(name="check")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def ecm_check(as_json: bool) -> None:
    """Check through the REST API (BCRM_OTCS_*) that the server has everything bcrm needs
    for retention.toml and BCRM_FLOWS: login, category and attributes, workspace types,
    classifications, RSIs with their country variants, folders, permissions, link types.
    One line per finding; exit 0 when all is there, 1 when something is missing or wrong,
    2 when the settings are incomplete or the server cannot be reached or refuses the login."""
    from pipeline.core import registry
    from pipeline.integrations.otcs.errors import (
        AuthenticationFailed,
        OTCSUnavailable,
        TicketRejected,
    )
    from pipeline.ops.ecm_check import check_ecm
    from pipeline.records.classify import default_plan
    from pipeline.runtime import clients, settings
    from pipeline.runtime.clients import EcmNotConfigured
    from schemas.retention import RetentionPlanError

    try:
        plan = default_plan()
        with clients.otcs_unshared() as otcs:
            findings = check_ecm(otcs, plan, registry.flows(), settings().otcs_root_id)
    except (EcmNotConfigured, RetentionPlanError, OSError) as error:
        _fail(f"bcrm ecm check: {error}")
    except AuthenticationFailed as error:
        _fail(f"bcrm ecm check: Content Server refused the login of BCRM_OTCS_USERNAME: {error}")
    except (OTCSUnavailable, TicketRejected) as error:
        _fail(f"bcrm ecm check: no usable answer from BCRM_OTCS_URL: {_reason(error)}")
    problems = [f for f in findings if not f.ok]
    if as_json:
        rows = [{"status": f.status, "what": f.what, "detail": f.detail} for f in findings]
        click.echo(json.dumps({"ok": not problems, "findings": rows}, indent=2))
    else:
        for finding in findings:
            click.echo(finding.line())
        verdict = f"{len(problems)} of {len(findings)} checks failed" if problems else "all there"
        click.echo(f"ecm check: {verdict}")
    if problems:
        raise SystemExit(EXIT_FAILED)


def _reason(error: Exception) -> str:
    """The socket's own words where requests buried them in a repr, else the message."""
    text = str(error)
    found = re.search(r"\[Errno -?\d+\] [^'\")\\]+", text)
    route = text.split(":", 1)[0]
    return f"{route}: {found.group(0)}" if found else text[:200]


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    raise SystemExit(EXIT_USAGE)
