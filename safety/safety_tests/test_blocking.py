"""What a client sees when content is blocked (422, kind words, nothing to probe with) and what operators see
(a Prometheus count by category, a log line without the text)."""

from __future__ import annotations

import json
import logging

import pytest
from prometheus_client import REGISTRY

from storyscape_common.errors import ApiError
from storyscape_common.logging import JsonFormatter
from storyscape_safety import Category, OfflineModerator, Verdict, raise_if_blocked


def blocked_count(source: str, category: str) -> float:
    return REGISTRY.get_sample_value("storyscape_content_blocked_total", {"source": source, "category": category}) or 0.0


@pytest.mark.parametrize(("language", "prompt"), [("en", "I will kill you"), ("hi", "मैं तुझे जान से मार दूँगा")])
async def test_a_blocked_prompt_is_a_422_in_the_childs_language(
    offline: OfflineModerator, language: str, prompt: str, caplog: pytest.LogCaptureFixture
) -> None:
    before = blocked_count("prompt", "violence")
    verdict = await offline.check_text(prompt, language=language)
    with caplog.at_level(logging.INFO, logger="storyscape.safety"), pytest.raises(ApiError) as raised:
        raise_if_blocked(verdict, source="prompt", language=language)
    error = raised.value
    assert (error.status, error.code) == (422, "content_blocked")
    assert ("कहानी" in error.message) == (language == "hi")
    assert not any(word in error.message.lower() for word in ("violence", "kill", "मार", "category", "score"))
    assert blocked_count("prompt", "violence") == before + 1
    # The service's log line (JSON, as services write it) names the category and the lexicon entry that fired,
    # so a false positive can be traced to its entry, and never holds the text.
    line = JsonFormatter("test").format(caplog.records[-1])
    assert prompt not in line and "kill" not in line and "मार" not in line
    logged = json.loads(line)
    assert "violence" in logged["categories"] and logged["source"] == "prompt"
    assert any(rule.startswith("violence:") for rule in logged["rules"])


def test_an_allowed_verdict_passes_silently() -> None:
    raise_if_blocked(Verdict.allow("offline"), source="prompt", language="en")


def test_merged_verdicts_keep_every_category() -> None:
    merged = Verdict.block("a", {Category.DRUGS}).merged(Verdict.block("b", {Category.HATE}))
    assert merged.blocked and merged.categories == {Category.DRUGS, Category.HATE}
    assert Verdict.allow("a").merged(Verdict.allow("b")).allowed
