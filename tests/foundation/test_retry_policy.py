from pipeline.core.stages import CONTROL, STAGES, RetryPolicy
from pipeline.runtime import settings


def test_backoff_grows_with_full_jitter_and_never_passes_the_cap() -> None:
    cap = settings().retry_backoff_max
    policy = RetryPolicy(max_retries=5, base_s=0.5)
    first = [policy.countdown(0, cap) for _ in range(200)]
    later = [policy.countdown(6, cap) for _ in range(200)]
    assert all(0 <= c <= 0.5 for c in first)
    assert all(0 <= c <= cap for c in later)
    assert max(later) > max(first)


def test_a_server_requested_delay_is_honoured_up_to_the_cap() -> None:
    cap = settings().retry_backoff_max
    policy = RetryPolicy(max_retries=5)
    assert policy.countdown(0, cap, retry_after=cap / 2) >= cap / 2
    assert policy.countdown(0, cap, retry_after=cap * 10) == cap


def test_every_stage_and_beats_jobs_have_a_bounded_policy() -> None:
    assert [stage.name for stage in STAGES] == ["fetch", "publish", "render", "classify", "declare"]
    assert all(0 < s.retry.max_retries <= 10 for s in (*STAGES, CONTROL))


def test_publish_is_an_entry_stage_on_the_io_group_that_fans_out() -> None:
    """The publish stage's derivations: its queue, its worker group, and chains (a publish
    task is followed by nothing; fetch is still followed by nothing, not by publish)."""
    from pipeline.core.canvas import next_task
    from pipeline.core.stages import PROGRESS, following_stage, worker_queues

    assert "publish" in worker_queues("io") and "publish" not in worker_queues("cpu")
    assert PROGRESS.index("published") < PROGRESS.index("rendered")
    assert following_stage("fetch") == following_stage("publish") == STAGES[2]
    assert next_task("bcrm.publish.change") is None
    assert next_task("bcrm.fetch.order") is None
    assert next_task("bcrm.render.document") == "bcrm.classify.document"
    assert next_task("bcrm.declare.document") is None
