"""What the command groups that act in the ECM as a person share (`bcrm changes`, `bcrm
recalls`): a client logged in as the configured user, and the ECM's refusals as one line.

The client has a ticket of its own, not the fleet's shared one: the audit trail must name
this person (the maker, the approver, the recall's opener or decider).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from pipeline.cli.options import OperatorError
from pipeline.runtime.settings import Settings

if TYPE_CHECKING:
    from pipeline.integrations.otcs.client import OTCSClient


def as_user(config: Settings) -> OTCSClient:
    """A client logged in as BCRM_OTCS_USERNAME."""
    from pipeline.integrations.otcs.client import OTCSClient

    if not (config.otcs_url and config.otcs_username and config.otcs_password):
        raise OperatorError("set BCRM_OTCS_URL, BCRM_OTCS_USERNAME and BCRM_OTCS_PASSWORD")
    return OTCSClient(config.otcs_url, config.otcs_username, config.otcs_password)


class EcmCommands(click.Group):
    """The ECM refusing the user (a wrong password, a missing workspace type or category)
    is one line and exit 2, like every operator error."""

    def invoke(self, ctx: click.Context) -> Any:
        from pipeline.integrations.otcs.errors import NotConfigured, OTCSRefused

        try:
            return super().invoke(ctx)
        except (OTCSRefused, NotConfigured) as exc:
            raise OperatorError(f"the ECM refused: {exc}") from None
