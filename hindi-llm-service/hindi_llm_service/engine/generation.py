"""Building a worker `Generation` for a request, with a thread-safe way to hand its deltas back to the event loop."""

from __future__ import annotations

import asyncio

from hindi_llm_service.engine.base import GenerationDelta, GenerationRequest
from hindi_llm_service.engine.sampling import request_generator
from hindi_llm_service.engine.text_stream import Decoder, TextStream
from hindi_llm_service.engine.worker import Generation


def new_generation(
    *,
    request: GenerationRequest,
    prompt_ids: list[int],
    max_tokens: int,
    decoder: Decoder,
    results: asyncio.Queue[GenerationDelta | BaseException],
) -> Generation:
    """A generation whose deltas land in `results` on the calling event loop."""
    loop = asyncio.get_running_loop()
    generation: Generation

    def emit(item: GenerationDelta | BaseException) -> None:
        try:
            loop.call_soon_threadsafe(results.put_nowait, item)
        except RuntimeError:  # the loop is closed: nobody is listening any more
            generation.cancelled.set()

    generation = Generation(
        prompt_ids=prompt_ids,
        adapter=request.adapter,
        max_tokens=max_tokens,
        temperature=request.temperature,
        top_p=request.top_p,
        frequency_penalty=request.frequency_penalty,
        presence_penalty=request.presence_penalty,
        repetition_penalty=request.repetition_penalty,
        generator=request_generator(request.seed),
        text=TextStream(decoder, request.stop),
        emit=emit,
        user=request.user,
    )
    return generation
