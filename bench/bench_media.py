"""media-service with its offline providers on this machine: illustration and narration jobs per minute, narration
real-time factor per language (400-word stories), and how long after the request a story's last picture is ready.

`images_after_completed_p95_s` (story.completed → last story.image) is read on story-service's SSE stream, one
story at a time, with its real neighbours on loopback (`story_images.py`); `images_after_request_p95_s` is the
media-side part under load (every story's pictures asked for at once).

Usage: .venv/bin/python bench/bench_media.py [--stories 12] [--narrations 6] [--completed 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

from storyscape_devtools.testing import LiveServer, free_port, new_test_keys

from media_service.main import create_app
from media_service.narration.providers import EspeakNarrator
from media_service.settings import Settings
from story_images import completed_to_last_image, start_stack
from storyscape_common.clients.media import MediaClient
from storyscape_common.contracts.media import IllustrationsCreate, StoryText
from storyscape_common.internal_auth import Identity

HINDI_SENTENCES = [
    "एक घने जंगल में एक समझदार हाथी रहता था।",
    "उसका सबसे अच्छा दोस्त एक नटखट बंदर था।",
    "हर सुबह दोनों नदी के किनारे 12 मीठे आम खाते थे।",
    "एक दिन आसमान में काले बादल छा गए और तेज़ बारिश होने लगी।",
    "बंदर डर गया, पर हाथी ने उसे अपनी पीठ पर बैठा लिया।",
    "उन्होंने मिलकर छोटे जानवरों को सुरक्षित जगह पहुँचाया।",
]
ENGLISH_SENTENCES = [
    "Mira built a small rocket in her garden from old boxes and bright paint.",
    "On the third night, the rocket hummed and rose towards the moon.",
    "A friendly robot waved at her from a silver crater.",
    "Together they counted 25 stars and named each one after a friend.",
    "When the sun came up, they flew home just in time for breakfast.",
    "Mira smiled, because the best adventures start with a little courage.",
]


def caller(user_id: str, request_id: str) -> Identity:
    return Identity(user_id=user_id, request_id=request_id, issuer="storyscape:gateway", token="")


def story_of(sentences: list[str], words: int) -> str:
    text: list[str] = []
    while sum(len(s.split()) for s in text) < words:
        text.append(sentences[len(text) % len(sentences)])
    return " ".join(text)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def narration_rtf(language: str, sentences: list[str]) -> tuple[float, float, float]:
    """(real-time factor, seconds of audio, seconds to make it) for a 400-word story; warm engine."""
    narrator = EspeakNarrator()
    await narrator.narrate(sentences[0], language=language)
    started = time.perf_counter()
    narration = await narrator.narrate(story_of(sentences, 400), language=language)
    took = time.perf_counter() - started
    return took / narration.duration_s, narration.duration_s, took


async def follow(media: MediaClient, story_id: str, user_id: str, started: float) -> float:
    """Seconds from the request to the story's last finished job, as the event stream reports it."""
    last = started
    async for job in media.job_updates(story_id, identity=caller(user_id, "bench"), timeout_s=600):
        if job.finished:
            last = time.perf_counter()
    return last - started


async def job_throughput(media: MediaClient, *, stories: int, kind: str) -> tuple[float, list[float]]:
    """Submit `stories` stories' jobs at once; (jobs per minute, per-story seconds to its last result)."""
    user_id, ids = f"bench-{uuid.uuid4().hex[:8]}", []
    for n in range(stories):
        story_id = str(uuid.uuid4())
        hindi = n % 2 == 0
        text = story_of(HINDI_SENTENCES if hindi else ENGLISH_SENTENCES, 400 if kind == "narration" else 150)
        story = StoryText(
            title="हाथी और बंदर" if hindi else "Mira's rocket", text=text, language="hi" if hindi else "en", genres=["animals"]
        )
        await media.register_story(story_id, story, identity=caller(user_id, "bench"))
        ids.append(story_id)
    started = time.perf_counter()
    for story_id in ids:
        if kind == "narration":
            await media.request_narration(story_id, identity=caller(user_id, "bench"))
        else:
            await media.request_illustrations(story_id, IllustrationsCreate(ai_images=True), identity=caller(user_id, "bench"))
    waits = await asyncio.gather(*(follow(media, story_id, user_id, started) for story_id in ids))
    jobs = stories * (1 if kind == "narration" else 2)
    return jobs / (max(waits) / 60), list(waits)


async def measure_after_completed(stories: int) -> list[float]:
    """Seconds from `story.completed` to the last `story.image` on story-service's stream, for each story
    (one at a time, AI pictures and neutral ones alternately)."""
    keys = new_test_keys()
    with tempfile.TemporaryDirectory() as state, ExitStack() as stack:
        story_url = start_stack(stack, keys, Path(state))
        await completed_to_last_image(story_url, keys, ai_images=True)  # warm-up: fonts, artwork, model
        return [await completed_to_last_image(story_url, keys, ai_images=n % 2 == 0) for n in range(stories)]


async def main(stories: int, narrations: int, completed: int) -> None:
    keys, port = new_test_keys(), free_port()
    with tempfile.TemporaryDirectory() as state:
        settings = Settings(
            _env_file=None, environment="test", internal_public_keys=keys.public_keys, port=port,
            local_dir=str(Path(state) / "objects"), database_url=f"sqlite:///{state}/media.db",
            public_base_url=f"http://127.0.0.1:{port}", url_signing_secret=uuid.uuid4().hex * 2, job_poll_s=0.2,
        )  # fmt: skip
        with LiveServer(create_app(settings), port=port) as live:
            media = MediaClient(base_url=live.url, signer=keys.signer("story-service"))
            illustrations_per_min, picture_waits = await job_throughput(media, stories=stories, kind="illustration")
            narrations_per_min, _ = await job_throughput(media, stories=narrations, kind="narration")
            await media.aclose()
    rtf_hi, audio_hi, took_hi = await narration_rtf("hi", HINDI_SENTENCES)
    rtf_en, audio_en, took_en = await narration_rtf("en", ENGLISH_SENTENCES)
    after_completed = await measure_after_completed(completed)
    completed_p50, completed_p95 = percentile(after_completed, 0.5), percentile(after_completed, 0.95)
    request_p95 = percentile(picture_waits, 0.95)

    print(f"media-service, offline providers, SQLite, one worker ({stories} stories x 2 pictures, {narrations} narrations)")
    print(f"{'figure':<44}{'value':>12}")
    print(f"{'illustration jobs per minute':<44}{illustrations_per_min:>12.1f}")
    print(f"{'narration jobs per minute (400 words)':<44}{narrations_per_min:>12.1f}")
    print(f"{'narration RTF hi (400 words)':<44}{rtf_hi:>12.4f}   ({took_hi:.2f} s for {audio_hi:.1f} s of audio)")
    print(f"{'narration RTF en (400 words)':<44}{rtf_en:>12.4f}   ({took_en:.2f} s for {audio_en:.1f} s of audio)")
    print(f"{'request -> last picture p95 (s), all at once':<44}{request_p95:>12.2f}")
    print(f"{'story.completed -> last story.image p50 (s)':<44}{completed_p50:>12.2f}   ({completed} stories, one at a time)")
    print(f"{'story.completed -> last story.image p95 (s)':<44}{completed_p95:>12.2f}")
    figures = {
        "illustrations_per_min": round(illustrations_per_min, 1),
        "narrations_per_min": round(narrations_per_min, 1),
        "narration_rtf_hi": round(rtf_hi, 4),
        "narration_rtf_en": round(rtf_en, 4),
        "images_after_completed_p95_s": round(completed_p95, 2),
        "images_after_request_p95_s": round(request_p95, 2),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=12, help="stories illustrated (2 pictures each)")
    parser.add_argument("--narrations", type=int, default=6, help="400-word stories narrated")
    parser.add_argument("--completed", type=int, default=10, help="stories streamed through story-service for the after-completed figure")
    args = parser.parse_args()
    asyncio.run(main(args.stories, args.narrations, args.completed))
