"""Synthetic stories through a real OpenAI-protocol server on loopback: prompts, model tags, resume, concurrency."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from storyscape_devtools.testing import LiveServer

from storyscape_common.story_prompts import max_tokens_for, story_messages
from training.config import TrainingConfig
from training.dataset.corpus import read_jsonl
from training.dataset.prepare import run_prepare
from training.synthetic import run_synthesize, split_title
from training_tests.utils.chat_server import ChatServerLog, chat_completions_app
from training_tests.utils.corpus import tiny_config

MODEL = "story-writer-test"
FAILING_IDEA = "टूटा हुआ विचार"


@pytest.fixture
def chat_server() -> Iterator[tuple[ChatServerLog, str]]:
    log = ChatServerLog(failing_ideas={FAILING_IDEA})
    with LiveServer(chat_completions_app(log)) as server:
        yield log, server.url


def synthetic_config(tmp_path: Path, url: str, **extra: object) -> TrainingConfig:
    synthetic = {
        "base_url": f"{url}/v1",
        "model": MODEL,
        "out": str(tmp_path / "synthetic.jsonl"),
        "language": "hi",
        "age_groups": ["3-5", "9-12"],
        "concurrency": 2,
        "max_retries": 0,
        "temperature": 0.7,
        "ideas": {"animals": ["एक गिलहरी जो उड़ना चाहती थी", FAILING_IDEA]},
        "genres": ["nature", "science"],
        "idea_templates": ["{genre} की एक कहानी जिसमें बारिश होती है"],
        **extra,
    }
    return tiny_config(tmp_path / "run", sources=[tmp_path / "synthetic.jsonl"], synthetic=synthetic)


async def test_stories_are_written_with_story_service_prompts(tmp_path: Path, chat_server: tuple[ChatServerLog, str]) -> None:
    log, url = chat_server
    summary = await run_synthesize(synthetic_config(tmp_path, url))

    # 4 ideas × 2 age groups; the failing idea fails in both age groups.
    assert summary["outcomes"] == {"failed": 2, "skipped": 0, "written": 6}
    records = read_jsonl(tmp_path / "synthetic.jsonl")
    assert len(records) == 6
    asked = {request["messages"][-1]["content"]: request for request in log.requests}
    for record in records:
        assert record["model"] == MODEL and record["source"] == f"synthetic:{MODEL}"
        assert record["language"] == "hi" and record["title"].startswith("कहानी ")
        matching = [
            request
            for request in asked.values()
            if request["messages"]
            == story_messages(language="hi", age_group=record["age_group"], genres=[record["genre"]], prompt=_idea_of(request))
        ]
        assert matching, record
    genres = {(r["genre"], r["age_group"]) for r in records}
    assert genres == {(g, a) for g in ("animals", "nature", "science") for a in ("3-5", "9-12")}
    assert {request["max_tokens"] for request in log.requests} == {
        max_tokens_for(language="hi", age_group="3-5"),
        max_tokens_for(language="hi", age_group="9-12"),
    }
    assert len({request["seed"] for request in log.requests}) == 8
    assert "प्रकृति की एक कहानी जिसमें बारिश होती है" in "".join(asked)


def _idea_of(request: dict[str, object]) -> str:
    content = request["messages"][-1]["content"]  # type: ignore[index]
    return str(content).split("कहानी का विचार: ", 1)[1].removeprefix('"').removesuffix('"')  # the idea is quoted


async def test_requests_in_flight_stay_within_the_concurrency(tmp_path: Path, chat_server: tuple[ChatServerLog, str]) -> None:
    log, url = chat_server
    await run_synthesize(synthetic_config(tmp_path, url, concurrency=3, stories_per_idea=2))
    assert len(log.requests) == 16
    assert log.most_in_flight == 3


async def test_a_rerun_writes_only_what_is_missing(tmp_path: Path, chat_server: tuple[ChatServerLog, str]) -> None:
    log, url = chat_server
    config = synthetic_config(tmp_path, url)
    await run_synthesize(config)

    log.failing_ideas.clear()
    log.requests.clear()
    second = await run_synthesize(config)
    assert second["outcomes"] == {"skipped": 6, "written": 2}
    assert all(FAILING_IDEA in request["messages"][-1]["content"] for request in log.requests)
    assert len(log.requests) == 2

    log.requests.clear()
    third = await run_synthesize(config)
    assert log.requests == [] and third["outcomes"] == {"skipped": 8}
    assert len({r["id"] for r in read_jsonl(tmp_path / "synthetic.jsonl")}) == 8


async def test_max_stories_caps_a_run(tmp_path: Path, chat_server: tuple[ChatServerLog, str]) -> None:
    log, url = chat_server
    summary = await run_synthesize(synthetic_config(tmp_path, url, max_stories=3))
    assert summary["jobs"] == 3 and len(log.requests) == 3


async def test_synthetic_stories_flow_into_prepare(tmp_path: Path, chat_server: tuple[ChatServerLog, str]) -> None:
    _, url = chat_server
    config = synthetic_config(tmp_path, url)
    await run_synthesize(config)
    run_prepare(config)
    card = (config.prepared_dir / "dataset_card.md").read_text(encoding="utf-8")
    assert f"| synthetic:{MODEL} |" in card
    kept = [r for name in ("stage1", "stage2", "stage3", "eval") for r in read_jsonl(config.prepared_dir / f"{name}.jsonl")]
    assert kept and all(r["model"] == MODEL for r in kept)


def test_titles_are_read_from_common_reply_shapes() -> None:
    assert split_title("## शीर्षक: चाँद की सैर\n\nएक रात...") == ("चाँद की सैर", "एक रात...")
    assert split_title("\n**Title: The Moon Trip**\nOne night...") == ("The Moon Trip", "One night...")
    assert split_title("सिर्फ़ एक पंक्ति") == ("सिर्फ़ एक पंक्ति", "")
