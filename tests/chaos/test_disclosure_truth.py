"""Holding as-of answers against the emulator's change log: only an `exact` that names a
text the store did not show at the moment is confidently wrong."""

from __future__ import annotations

from typing import Any

from pipeline.devtools.chaos.disclosure_truth import AnswerCheck, ChangeLog, sha256

TERMS = "https://store.example.com/terms/"
LOG = ChangeLog(
    [
        {"at": 100.0, "kind": "page", "subject": 7, "content": {"body": "<p>A</p>"}},
        {"at": 100.0, "kind": "checkout_terms", "subject": 1,
         "content": {"order_terms_and_conditions_type": "link",
                     "order_terms_and_conditions_link": TERMS,
                     "order_terms_and_conditions_textarea": "ignored"}},
        {"at": 100.0, "kind": "privacy", "subject": 0, "content": {"policy_url": "https://p/0"}},
        {"at": 100.0, "kind": "privacy", "subject": 1, "content": {"policy_url": None}},
        {"at": 200.0, "kind": "page", "subject": 7, "content": {"body": "<p>B</p>"}},
        {"at": 300.0, "kind": "page", "subject": 7, "content": {"body": "<p>A</p>"}},
        {"at": 400.0, "kind": "page", "subject": 7, "content": None},
    ]
)  # fmt: skip


def test_the_text_live_at_a_moment_is_the_last_change_before_it() -> None:
    assert LOG.text_at("page", "7", 99.0) is None
    assert LOG.text_at("page", "7", 150.0) == "<p>A</p>"
    assert LOG.text_at("page", "7", 250.0) == "<p>B</p>"
    assert LOG.text_at("page", "7", 350.0) == "<p>A</p>"
    assert LOG.text_at("page", "7", 450.0) == ""  # deleted: no text
    assert LOG.text_at("checkout_terms", "1", 150.0) == TERMS  # a link's text is the link
    assert LOG.text_at("privacy", "1", 150.0) == "https://p/0"  # inherited from the store


def _answer(state: str, *texts: str) -> dict[str, Any]:
    versions = [{"content_sha256": sha256(text)} for text in texts]
    disclosure = {"kind": "page", "subject": "7", "state": state, "versions": versions}
    return {"order_id": 5, "disclosures": [disclosure]}


def test_only_an_exact_answer_naming_another_text_is_wrong() -> None:
    check = AnswerCheck()
    check.judge(LOG, _answer("exact", "<p>B</p>"), 250.0)
    check.judge(LOG, _answer("exact", "<p>A</p>"), 350.0)  # the same text again: right
    check.judge(LOG, _answer("ambiguous", "<p>A</p>"), 250.0)  # admits the gap
    check.judge(LOG, _answer("unknown"), 50.0)
    assert check.wrong == []
    check.judge(LOG, _answer("exact", "<p>A</p>"), 250.0)
    assert len(check.wrong) == 1 and "order 5: page 7 answered exact" in check.wrong[0]
    assert check.by_state == {"exact": 3, "ambiguous": 1, "unknown": 1}
