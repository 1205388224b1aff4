"""Fleet-wide event counters in Redis, added to by the workers as things happen.

Prometheus scrapes one exporter (`bcrm metrics serve`), not every pool process of every
node, so the counts live in Redis: every worker on every host adds to the same numbers,
and they outlive worker restarts. Each function only queues its increments on the
caller's pipeline, so an event's counters ride a round trip the stage makes anyway.
"""

from __future__ import annotations

import math
from bisect import bisect_left

from redis.client import Pipeline

from pipeline.core import keys

# Upper bounds (seconds) of the stage duration histogram: from a classify (milliseconds)
# to a declare behind a slow ECM, up to the hard time limit.
DURATION_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, math.inf)


def bucket_label(bound: float) -> str:
    """A bucket's `le` label, also its field in Redis."""
    return "+Inf" if math.isinf(bound) else repr(bound)


def labelled(flow: str, name: str) -> str:
    """The hash field of one flow's count of one stage or kind: `commerce:declare`."""
    return f"{flow}:{name}"


def unlabelled(field: str) -> tuple[str, str]:
    """(flow, stage or kind) of a hash field; counts from before flows had none."""
    flow, _, name = field.rpartition(":")
    return flow, name


def stage_completed(pipe: Pipeline, flow: str, stage: str, seconds: float) -> None:
    """One successful run of `stage` that took `seconds`: its bucket and the sum."""
    key = keys.metrics_stage_duration(labelled(flow, stage))
    bound = DURATION_BUCKETS[bisect_left(DURATION_BUCKETS, seconds)]
    pipe.hincrby(key, bucket_label(bound), 1)
    pipe.hincrbyfloat(key, "sum", seconds)
    pipe.sadd(keys.METRICS_DURATION_LABELS, labelled(flow, stage))


def record_declared(pipe: Pipeline, flow: str, kind: str, adopted: bool) -> None:
    """A record of `kind` filed in the ECM: a new upload, or an earlier run's adopted."""
    target = keys.METRICS_ADOPTED if adopted else keys.METRICS_DECLARED
    pipe.hincrby(target, labelled(flow, kind), 1)


def stage_retried(pipe: Pipeline, flow: str, stage: str) -> None:
    pipe.hincrby(keys.METRICS_RETRIES, labelled(flow, stage), 1)


def stage_dead_lettered(pipe: Pipeline, flow: str, stage: str) -> None:
    pipe.hincrby(keys.METRICS_DEAD_LETTERS, labelled(flow, stage), 1)


def stage_redriven(pipe: Pipeline, flow: str, stage: str) -> None:
    """The re-drive job sent `stage`'s message again (`pipeline.core.redrive`)."""
    pipe.hincrby(keys.METRICS_REDRIVEN, labelled(flow, stage), 1)
