"""The fleet's Prometheus metrics, read from Redis at scrape time.

Counters are what the workers added up as things happened (`pipeline/core/counters.py`);
gauges are read from the state the pipeline keeps anyway: dead letters still waiting,
the rate governor's window, the pollers' checkpoints and the stage queues. Nothing lives
in this process, so any number of exporters may run and a restart loses nothing.
"""

from __future__ import annotations

import collections
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import redis
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector, CollectorRegistry

from pipeline.core import keys, registry
from pipeline.core.counters import DURATION_BUCKETS, bucket_label, labelled, unlabelled
from pipeline.core.deadletters import DeadLetterFilter, DeadLetterStore
from pipeline.core.ledger import STAGE_NAMES
from pipeline.core.queues import queue_depths
from pipeline.core.redis_values import text
from pipeline.core.stages import CONTROL
from pipeline.integrations.bigcommerce.governor import tokens_left
from pipeline.ops.status import checkpoint_lags
from pipeline.runtime.log import log_event


@dataclass(frozen=True)
class _Counter:
    """A counter kept as a Redis hash, one field per `flow:label` value."""

    name: str
    doc: str
    label: str
    key: str


_COUNTERS = (
    _Counter(
        "bcrm_records_declared_total",
        "Records newly uploaded and declared in the ECM, per flow and document kind.",
        "kind",
        keys.METRICS_DECLARED,
    ),
    _Counter(
        "bcrm_records_adopted_total",
        "Declares that found their record already in the ECM (uploaded by an earlier run "
        "that did not finish) and adopted it, per flow and document kind.",
        "kind",
        keys.METRICS_ADOPTED,
    ),
    _Counter(
        "bcrm_stage_retries_total",
        "Retries scheduled after transient errors, per flow and stage (control: beat's jobs).",
        "stage",
        keys.METRICS_RETRIES,
    ),
    _Counter(
        "bcrm_dead_letters_total",
        "Stage runs given up on and filed as dead letters, per flow and stage.",
        "stage",
        keys.METRICS_DEAD_LETTERS,
    ),
    _Counter(
        "bcrm_redriven_total",
        "Messages sent again by the re-drive job because the one a producer or the stage "
        "before sent was lost with a worker or the broker, per flow and the stage resent.",
        "stage",
        keys.METRICS_REDRIVEN,
    ),
)
_STAGE_LABELS = (*STAGE_NAMES, CONTROL.name)


def _known(label: str) -> set[tuple[str, str]]:
    """Label values shown even before their first event, so rates start from 0: every
    registered flow's kinds, or every stage of every registered flow."""
    flows = registry.flows()
    if label == "kind":
        return {(name, kind) for name, flow in flows.items() for kind in flow.kinds}
    return {(name, stage) for name in flows for stage in _STAGE_LABELS}


def _decoded(raw: dict[bytes, bytes]) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in raw.items()}


class FleetCollector(Collector):
    """Every `bcrm_` metric, collected from Redis on each scrape for the given stores."""

    def __init__(self, client: redis.Redis, stores: Sequence[str]) -> None:
        self._client = client
        self._stores = stores

    def collect(self) -> Iterator[Metric]:
        """All metrics, or only `bcrm_redis_up 0` when Redis does not answer: a scrape
        that fails outright would hide which of the two is down."""
        try:
            families = [*self._counters(), *self._gauges()]
        except redis.RedisError as exc:
            log_event("metrics.redis_unreachable", logging.WARNING, error=type(exc).__name__)
            families = []
        yield GaugeMetricFamily(
            "bcrm_redis_up", "1 if Redis answered this scrape, else 0.", value=int(bool(families))
        )
        yield from families

    def _counters(self) -> Iterator[Metric]:
        timed = sorted(
            {labelled(*pair) for pair in _known("stage")}
            | {text(m) for m in self._client.smembers(keys.METRICS_DURATION_LABELS)}
        )
        pipe = self._client.pipeline(transaction=False)
        for counter in _COUNTERS:
            pipe.hgetall(counter.key)
        for flow_stage in timed:
            pipe.hgetall(keys.metrics_stage_duration(flow_stage))
        hashes = [_decoded(raw) for raw in pipe.execute()]
        totals, durations = hashes[: len(_COUNTERS)], hashes[len(_COUNTERS) :]
        for counter, counts in zip(_COUNTERS, totals, strict=True):
            family = CounterMetricFamily(counter.name, counter.doc, labels=["flow", counter.label])
            values = {unlabelled(field): float(n) for field, n in counts.items()}
            for pair in sorted(_known(counter.label) | set(values)):
                family.add_metric(list(pair), values.get(pair, 0.0))
            yield family
        yield _durations({unlabelled(f): raw for f, raw in zip(timed, durations, strict=True)})

    def _gauges(self) -> Iterator[Metric]:
        dead = DeadLetterStore(self._client).list(DeadLetterFilter(status="dead"), limit=10**9)
        waiting = collections.Counter((entry.flow, entry.stage) for entry in dead)
        family = GaugeMetricFamily(
            "bcrm_dead_letters_waiting",
            "Dead letters not yet replayed or purged, per flow and stage.",
            labels=["flow", "stage"],
        )
        for pair in sorted(_known("stage") | set(waiting)):
            family.add_metric(list(pair), waiting[pair])
        yield family

        depths = queue_depths(self._client)
        unacked = depths.pop("unacknowledged")
        family = GaugeMetricFamily(
            "bcrm_queue_depth", "Messages waiting in each stage queue.", labels=["queue"]
        )
        for queue, depth in depths.items():
            family.add_metric([queue], depth)
        yield family
        yield GaugeMetricFamily(
            "bcrm_messages_unacknowledged",
            "Messages delivered to a worker and not yet acknowledged.",
            value=unacked,
        )
        yield from self._store_gauges()

    def _store_gauges(self) -> Iterator[Metric]:
        tokens = GaugeMetricFamily(
            "bcrm_governor_tokens_left",
            "Requests the fleet-wide rate governor may still send to the store in the "
            "current BigCommerce quota window (0 while paused after a 429).",
            labels=["store"],
        )
        lags = GaugeMetricFamily(
            "bcrm_checkpoint_lag_seconds",
            "Seconds since the last successful poll, per store and stream (orders, "
            "refunds); a quiet store polled on time stays low. As in `bcrm status`.",
            labels=["store", "stream"],
        )
        now = datetime.now(UTC)
        flow_counters: dict[str, CounterMetricFamily] = {}
        for store in self._stores:
            left = tokens_left(self._client, store)
            if left is not None:
                tokens.add_metric([store], left)
            for stream, lag in checkpoint_lags(self._client, store, now).items():
                if lag is not None:
                    lags.add_metric([store, stream], lag)
            for flow in registry.flows().values():
                for counter in flow.store_counters(self._client, store):
                    family = flow_counters.setdefault(
                        counter.name,
                        CounterMetricFamily(
                            counter.name, counter.doc, labels=["store", counter.label]
                        ),
                    )
                    for value, count in sorted(counter.values.items()):
                        family.add_metric([store, value], count)
        yield tokens
        yield lags
        yield from flow_counters.values()


def _durations(per_stage: dict[tuple[str, str], dict[str, str]]) -> HistogramMetricFamily:
    """The stored buckets hold each run once; Prometheus buckets are cumulative."""
    family = HistogramMetricFamily(
        "bcrm_stage_duration_seconds",
        "Run time of successful stage runs, per flow and stage.",
        labels=["flow", "stage"],
    )
    for (flow, stage), raw in sorted(per_stage.items()):
        cumulative, buckets = 0, []
        for bound in DURATION_BUCKETS:
            cumulative += int(raw.get(bucket_label(bound), 0))
            buckets.append((bucket_label(bound), float(cumulative)))
        family.add_metric([flow, stage], buckets, float(raw.get("sum", 0)))
    return family


def fleet_registry(client: redis.Redis, stores: Sequence[str]) -> CollectorRegistry:
    """A registry with the fleet's metrics only (no metrics of this process itself)."""
    registry = CollectorRegistry()
    registry.register(FleetCollector(client, stores))
    return registry
