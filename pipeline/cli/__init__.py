"""The `bcrm` command line.

Every command validates the settings first and turns the errors an operator can fix
(bad variable, no Redis, port in use) into one line on stderr and a non-zero exit.
"""

from __future__ import annotations

from typing import Any

import click
import redis

from pipeline.cli.backfill import backfill
from pipeline.cli.bench import bench
from pipeline.cli.campaigns import campaigns
from pipeline.cli.cases import cases
from pipeline.cli.changes import changes
from pipeline.cli.chaos import chaos
from pipeline.cli.config import config
from pipeline.cli.demo import demo
from pipeline.cli.disclosures import disclosures
from pipeline.cli.dlq import dlq
from pipeline.cli.ecm import ecm
from pipeline.cli.embedded_redis import redis_group
from pipeline.cli.exits import EXIT_USAGE
from pipeline.cli.fixity import fixity
from pipeline.cli.fleet import beat, worker
from pipeline.cli.flower import flower
from pipeline.cli.index import index_group, record_group, records_group
from pipeline.cli.metrics import metrics
from pipeline.cli.recalls import recalls
from pipeline.cli.reconcile import reconcile
from pipeline.cli.record_pdf import record_pdf
from pipeline.cli.retention import retention
from pipeline.cli.sandbox import sandbox
from pipeline.cli.status import status
from pipeline.cli.summaries import summaries
from pipeline.cli.webhooks import webhooks
from pipeline.runtime import NoRedisError
from pipeline.runtime.embedded_redis import EmbeddedRedisError
from pipeline.runtime.session import RedisUnusableError
from pipeline.runtime.settings import SettingsError

OPERATOR_ERRORS = (
    SettingsError,
    NoRedisError,
    RedisUnusableError,
    EmbeddedRedisError,
    redis.ConnectionError,
)


class _Bcrm(click.Group):
    """A group that reports operator errors as one line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OPERATOR_ERRORS as exc:
            click.echo(f"bcrm: {exc}", err=True)
            ctx.exit(EXIT_USAGE)


@click.group(cls=_Bcrm, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """bcrm: BigCommerce commerce records into OpenText Extended ECM Records Management."""


main.add_command(config)
main.add_command(redis_group)
main.add_command(worker)
main.add_command(beat)
main.add_command(status)
main.add_command(dlq)
main.add_command(demo)
main.add_command(webhooks)
main.add_command(summaries)
main.add_command(changes)
main.add_command(retention)
main.add_command(ecm)
main.add_command(backfill)
main.add_command(bench)
main.add_command(reconcile)
main.add_command(fixity)
main.add_command(flower)
main.add_command(metrics)
main.add_command(chaos)
main.add_command(index_group)
main.add_command(cases)
record_group.add_command(record_pdf)
main.add_command(record_group)
main.add_command(records_group)
main.add_command(sandbox)
main.add_command(disclosures)
main.add_command(recalls)
main.add_command(campaigns)
