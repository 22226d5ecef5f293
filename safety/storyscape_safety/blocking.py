"""What a service does with a blocked verdict: one error for the client, one metric, one log line.

The client sees a kind message in its language and nothing else: no category, no score, no matched word,
since any of those would help someone probe the filter. The metric and the log carry the categories and the
rule that fired (a lexicon entry's `<category>:<line>`, a classifier, a provider category), never the text,
so a false positive can be found and fixed.
"""

from __future__ import annotations

import logging

from prometheus_client import Counter

from storyscape_common.errors import ApiError
from storyscape_safety.types import Verdict

logger = logging.getLogger("storyscape.safety")

BLOCKED = Counter(
    "storyscape_content_blocked_total",
    "Content refused by moderation, by what was checked and category",
    ["source", "category"],
)

MESSAGES = {
    "en": "Let's try a different idea! This one isn't right for a children's story.",
    "hi": "चलो, कोई और मज़ेदार विचार आज़माएँ! यह बच्चों की कहानी के लिए ठीक नहीं है।",
}


class ContentBlocked(Exception):
    """Raised by the stream helper (and usable by callers) when content is refused."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__("content blocked")
        self.verdict = verdict


def blocked_message(language: str | None) -> str:
    return MESSAGES.get(language or "en", MESSAGES["en"])


def content_blocked_error(language: str | None) -> ApiError:
    """422 `content_blocked` with the child-appropriate message (the API's error shape)."""
    return ApiError(422, "content_blocked", blocked_message(language))


def record_block(verdict: Verdict, *, source: str) -> None:
    """Count and log a blocked check. `source` says what was checked: prompt, image, story, stream, caption..."""
    for category in sorted(verdict.categories):
        BLOCKED.labels(source=source, category=category.value).inc()
    logger.info(
        "content blocked",
        extra={
            "fields": {
                "source": source,
                "categories": sorted(c.value for c in verdict.categories),
                "rules": sorted(verdict.rules),
                "provider": verdict.provider,
            }
        },
    )


def raise_if_blocked(verdict: Verdict, *, source: str, language: str | None) -> None:
    """The usual one-liner in a route: record and raise the 422 when the verdict is blocked."""
    if verdict.blocked:
        record_block(verdict, source=source)
        raise content_blocked_error(language) from ContentBlocked(verdict)
