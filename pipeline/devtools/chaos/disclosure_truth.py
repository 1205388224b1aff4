"""What the store really showed, from the BigCommerce emulator's change log
(`GET /admin/disclosures/changes`), held against bcrm's as-of answers.

The log has every change to a page, the checkout terms or the privacy settings with the
store's time and the content after it (the seeded state enters it as created). The text
of a disclosure is hashed as issue 13 defines `content_sha256`: a page's `body`, the terms
text (the link when the type is a link), the privacy policy URL (the channel's own, else
the store-wide one). A deleted page has no text.

An answer is **confidently wrong** when it says `exact` and names a version whose text
is not the one live at the moment; `ambiguous` and `unknown` admit what bcrm did not see
and are never wrong (they are counted, to show how often the evidence sufficed).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

STORE_WIDE = 0


def _text(kind: str, content: Mapping[str, Any] | None) -> str | None:
    """The disclosure's text in one logged content; None where it defers to the store."""
    if content is None:
        return ""
    if kind == "page":
        return str(content.get("body") or "")
    if kind == "checkout_terms":
        field_name = (
            "order_terms_and_conditions_link"
            if content.get("order_terms_and_conditions_type") == "link"
            else "order_terms_and_conditions_textarea"
        )
        return str(content.get(field_name) or "")
    url = content.get("policy_url")
    return None if url is None else str(url)


@dataclass(frozen=True)
class ChangeLog:
    """The emulator's log, oldest first."""

    changes: Sequence[Mapping[str, Any]]

    def _last(self, kind: str, subject: int, moment: float) -> Mapping[str, Any] | None:
        found = None
        for change in self.changes:
            if change["at"] > moment:
                break
            if (change["kind"], int(change["subject"])) == (kind, subject):
                found = change
        return found

    def text_at(self, kind: str, subject: str, moment: float) -> str | None:
        """The text live at `moment` (unix seconds, the store's clock); None if the log
        holds nothing of that disclosure by then."""
        change = self._last(kind, int(subject), moment)
        if change is None:
            return None
        text = _text(kind, change["content"])
        if text is None and kind == "privacy":
            inherited = self._last(kind, STORE_WIDE, moment)
            text = _text(kind, inherited["content"]) if inherited else None
        return text

    def distinct_texts(self) -> int:
        """Texts the store showed, per disclosure (a text shown twice counts once)."""
        seen = {
            (c["kind"], int(c["subject"]), _text(c["kind"], c["content"]))
            for c in self.changes
            if int(c["subject"]) != STORE_WIDE or c["kind"] == "page"
        }
        return len(seen)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class AnswerCheck:
    """Every answer of every order, by state, and the confidently wrong ones."""

    by_state: Counter[str] = field(default_factory=Counter)
    unchecked: int = 0
    wrong: list[str] = field(default_factory=list)

    def judge(self, log: ChangeLog, answer: Mapping[str, Any], placed_at: float) -> None:
        """Hold one order's answer (`bcrm disclosures as-of --order`) against the log."""
        for disclosure in answer["disclosures"]:
            self.by_state[disclosure["state"]] += 1
            if disclosure["state"] != "exact":
                continue
            kind, subject = disclosure["kind"], disclosure["subject"]
            truth = log.text_at(kind, subject, placed_at)
            if truth is None:
                self.unchecked += 1
                continue
            [version] = disclosure["versions"]
            if version["content_sha256"] != sha256(truth):
                self.wrong.append(
                    f"order {answer['order_id']}: {kind} {subject} answered exact "
                    f"{version['content_sha256'][:12]}, the store showed {sha256(truth)[:12]}"
                )
