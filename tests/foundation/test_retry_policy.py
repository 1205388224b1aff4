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
    assert [stage.name for stage in STAGES] == ["fetch", "render", "classify", "declare"]
    assert all(0 < s.retry.max_retries <= 10 for s in (*STAGES, CONTROL))
