"""Celery settings for bcrm: the reliable profile, every value from the environment.

Celery over Redis is at-least-once. These settings make the "at least" small and bounded
and leave exactly-once to our idempotent stages (see shared reference celery-reliability.md).
"""

from celery.schedules import crontab
from kombu import Exchange, Queue

from pipeline.core import registry
from pipeline.core.redrive import REDRIVE_INTERVAL_S
from pipeline.core.stages import QUEUES
from pipeline.runtime import redis_url, settings

_s = settings()

# --- Broker ------------------------------------------------------------------------------
broker_url = redis_url(_s)
# Workers may start before Redis (compose, systemd); keep trying instead of exiting.
broker_connection_retry_on_startup = True
broker_transport_options = {
    # An unacked message returns to its queue after this many seconds. Every task deadline
    # and retry countdown below is shorter, so a live task is never handed out twice.
    "visibility_timeout": _s.visibility_timeout,
    # kombu sweeps unacked messages every interval x throttle seconds (~100 s by default);
    # sweeping every few seconds is what brings a SIGKILLed worker's task back within ~30 s.
    "unacked_restore_interval": _s.restore_interval,
    "unacked_restore_throttle": 1,
}
# The visibility timeout must be set in all three places or the shortest default wins.
visibility_timeout = _s.visibility_timeout
result_backend_transport_options = {"visibility_timeout": _s.visibility_timeout}

# --- Results -----------------------------------------------------------------------------
# Our canvases are chains: each result travels in the next message, state lives in the
# ledger. No canvas needs a result backend, so none is configured and results are ignored.
result_backend = None
task_ignore_result = True

# --- Acknowledgement and redelivery ------------------------------------------------------
# Ack after the task ran, so a crash mid-task means redelivery, not loss.
task_acks_late = True
# A killed pool process (SIGKILL, OOM) is re-sent like a retry, bounded by the task's
# max_retries, instead of Celery's default ack (loss) or requeue-forever (poison loop).
# The re-send waits the task's default_retry_delay, which StageTask keeps short: Celery's
# 180 s default is past the visibility timeout and would be redelivered in a loop.
task_retry_on_worker_lost = True
# A stage that raised, or hit its hard time limit, has been dead-lettered by us: ack it
# rather than redeliver it into a loop (Celery 5.7 names for acks_on_failure_or_timeout).
task_acks_on_failure = True
task_acks_on_timeout = True
# One message per pool process: nothing waits unacked in a busy worker's buffer.
worker_prefetch_multiplier = 1

# --- Time limits (below the visibility timeout) --------------------------------------------
# Soft: the task gets SoftTimeLimitExceeded and is retried as a transient failure.
task_soft_time_limit = _s.task_soft_time_limit
# Hard: the pool process is killed and replaced; the task is dead-lettered with its context.
task_time_limit = _s.task_time_limit

# --- Shutdown and connection loss ----------------------------------------------------------
# On SIGTERM, let in-flight tasks finish for up to 10 s, then restore unacked messages to
# their queues at once instead of waiting out the visibility timeout.
worker_soft_shutdown_timeout = 10.0
worker_enable_soft_shutdown_on_idle = True
# After a broker connection loss a late-ack task's message is redelivered anyway; cancel
# the local copy rather than run the same task twice in parallel.
worker_cancel_long_running_tasks_on_connection_loss = True

# --- Serialization -------------------------------------------------------------------------
# JSON only: messages carry references (ids, hashes), never pickled objects.
task_serializer = "json"
result_serializer = "json"
accept_content = ["json"]
event_serializer = "json"

# --- Queues and routes: one queue per stage ------------------------------------------------
_exchange = Exchange("bcrm", type="direct")
task_queues = tuple(Queue(name, _exchange, routing_key=name) for name in QUEUES)
task_default_queue = "control"
task_default_exchange = "bcrm"
task_default_routing_key = "control"
task_create_missing_queues = False
# Task names are `bcrm.<stage>.<what>`; the stage names the queue.
task_routes = {f"bcrm.{name}.*": {"queue": name, "routing_key": name} for name in QUEUES}

# --- Worker hygiene ------------------------------------------------------------------------
# Recycle pool processes to bound slow leaks (celery #4843) and runaway memory.
worker_max_tasks_per_child = _s.max_tasks_per_child
worker_max_memory_per_child = _s.max_memory_per_child_kib
worker_concurrency = _s.worker_concurrency
# Hold few ETA (retry countdown) messages per worker; the rest wait in Redis.
worker_eta_task_limit = 100

# --- Monitoring ----------------------------------------------------------------------------
# Task events cost three publishes per task (received, started, succeeded), and a sent
# event one more per message, on every hop of every record (see README, Performance, P3).
# Flower switches workers' events on itself while it watches (`enable_events`, every few
# seconds), so they are off unless someone is looking; Flower then shows tasks from the
# moment a worker receives them. Our own metrics (`bcrm metrics`) need no events.
worker_send_task_events = False
task_send_sent_event = False
worker_hijack_root_logger = False
# Our events are already one JSON line each; print them as they are.
worker_redirect_stdouts = False

# --- Beat: pollers per configured store ----------------------------------------------------
# Each poll resumes from its checkpoint; a tick's message expires with the next one, so a
# backlog of ticks never piles up behind a slow poll.
# Every flow's producers (pollers, monthly jobs), then the jobs that watch them all.
beat_schedule = {
    name: entry for flow in registry.flows().values() for name, entry in flow.streams(_s).items()
}
beat_schedule["redrive-stalled"] = {
    "task": "bcrm.control.redrive_stalled",
    "schedule": REDRIVE_INTERVAL_S,
    "options": {"expires": REDRIVE_INTERVAL_S},
}
beat_schedule["retire-declared"] = {
    "task": "bcrm.control.retire_declared",
    "schedule": crontab(minute=0, hour=4),
}
beat_schedule.update(
    {
        f"{job}-{store_hash}": {
            "task": task,
            "schedule": crontab(minute=minute, hour=3),
            "args": [store_hash],
        }
        for store_hash in _s.store_tokens
        for job, task, minute in (
            ("reconcile", "bcrm.control.reconcile", 0),
            ("fixity-audit", "bcrm.control.fixity_audit", 30),
        )
    }
)
