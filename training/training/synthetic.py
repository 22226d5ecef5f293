"""`synthesize`: new stories from any OpenAI-compatible chat endpoint, written as corpus records.

Every (genre, story idea, age group, repeat) is one job with an id derived from the model and the job, so a rerun
skips the jobs already in the output file and retries the ones that failed. The story-service prompts are used,
so the synthetic stories look like what the product asks for.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import random
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from openai import AsyncOpenAI, OpenAIError

from storyscape_common.catalog import genre_label
from storyscape_common.story_prompts import max_tokens_for, story_messages
from training.config import SyntheticConfig, TrainingConfig
from training.dataset.corpus import Record, append_jsonl, record_ids

logger = logging.getLogger(__name__)
TITLE_PREFIX = re.compile(r"^\s*(?:#+\s*|\*+\s*)?(?:title|शीर्षक)\s*[:：-]\s*", re.IGNORECASE)


@dataclass(frozen=True)
class StoryJob:
    id: str
    genre: str
    idea: str
    age_group: str
    seed: int


def story_ideas(synthetic: SyntheticConfig) -> list[tuple[str, str]]:
    """(genre, idea) pairs: the configured ideas, plus the templates filled in for every listed genre."""
    pairs = [(genre, idea) for genre, ideas in synthetic.ideas.items() for idea in ideas]
    for genre in synthetic.genres:
        label = genre_label(genre, synthetic.language)
        pairs += [(genre, template.format(genre=label)) for template in synthetic.idea_templates]
    return pairs


def story_jobs(synthetic: SyntheticConfig, *, seed: int) -> list[StoryJob]:
    """Every job, in a seeded shuffled order (so a capped run still spreads over genres and ages)."""
    jobs = []
    for genre, idea in story_ideas(synthetic):
        for age_group in synthetic.age_groups:
            for repeat in range(synthetic.stories_per_idea):
                key = "|".join([synthetic.model, synthetic.language, genre, age_group, idea, str(repeat)])
                digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
                jobs.append(StoryJob(f"syn-{digest[:16]}", genre, idea, age_group, int(digest[16:24], 16)))
    random.Random(seed).shuffle(jobs)
    return jobs[: synthetic.max_stories] if synthetic.max_stories else jobs


def split_title(content: str) -> tuple[str, str]:
    """The first non-empty line is the title (markdown and "Title:" marks trimmed); the rest is the story."""
    lines = content.strip().splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return "", ""
    title = TITLE_PREFIX.sub("", lines[0]).strip(" *#\"'“”")
    return title, "\n".join(lines[1:]).strip()


async def write_story(client: AsyncOpenAI, synthetic: SyntheticConfig, job: StoryJob) -> Record:
    """One chat completion → one corpus record (raises when the reply holds no story)."""
    response = await client.chat.completions.create(
        model=synthetic.model,
        messages=story_messages(  # type: ignore[arg-type]
            language=synthetic.language, age_group=job.age_group, genres=[job.genre], prompt=job.idea
        ),
        temperature=synthetic.temperature,
        max_tokens=synthetic.max_tokens or max_tokens_for(language=synthetic.language, age_group=job.age_group),
        seed=job.seed,
    )
    title, text = split_title(response.choices[0].message.content or "")
    if not title or not text:
        raise ValueError("the reply has no title line and story")
    model = response.model or synthetic.model
    return {
        "id": job.id,
        "title": title,
        "text": text,
        "language": synthetic.language,
        "genre": job.genre,
        "age_group": job.age_group,
        "source": f"synthetic:{model}",
        "model": model,
    }


async def run_synthesize(config: TrainingConfig) -> dict[str, Any]:
    """Write the missing stories with at most `concurrency` requests in flight; returns outcome counts."""
    if config.synthetic is None:
        raise ValueError("the config has no synthetic section")
    synthetic = config.synthetic
    done = await asyncio.to_thread(record_ids, synthetic.out)
    jobs = [job for job in story_jobs(synthetic, seed=config.seed) if job.id not in done]
    outcomes: Counter[str] = Counter(skipped=len(done))
    gate, write_lock = asyncio.Semaphore(synthetic.concurrency), asyncio.Lock()
    client = AsyncOpenAI(
        base_url=synthetic.base_url,
        api_key=os.environ.get(synthetic.api_key_env) or "unused",
        timeout=synthetic.timeout_seconds,
        max_retries=synthetic.max_retries,
    )

    async def one(job: StoryJob) -> None:
        async with gate:
            try:
                record = await write_story(client, synthetic, job)
            except (OpenAIError, ValueError) as error:
                outcomes["failed"] += 1
                logger.warning("story %s (%s, %s) failed: %s", job.id, job.genre, job.age_group, error)
                return
        async with write_lock:
            await asyncio.to_thread(append_jsonl, synthetic.out, [record])
        outcomes["written"] += 1

    async with client:
        await asyncio.gather(*(one(job) for job in jobs))
    return {"out": str(synthetic.out), "jobs": len(jobs) + len(done), "outcomes": dict(sorted(outcomes.items()))}
