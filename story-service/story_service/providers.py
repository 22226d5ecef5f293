"""Which model writes a story, and one OpenAI-protocol client type for all of them.

Each model server takes at most a set number of this process's generations at a time
(`STORY_MAX_CONCURRENT_GENERATIONS_*`). A route that is full answers like a busy provider (`RouteBusy`, a 503 with
`Retry-After`) before any model call: the saga tries the next route, and with none left the client gets
503 `upstream_unavailable` + `Retry-After`.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass
from typing import cast

import httpx2  # the HTTP library under openai 3 (its errors carry httpx2 requests and responses)
from openai import APIStatusError, AsyncOpenAI, AsyncStream, Timeout, omit
from openai.types.chat import ChatCompletionChunk, ChatCompletionMessageParam

from story_service.settings import Settings
from storyscape_common.clients.internal import internal_headers
from storyscape_common.clients.local_llm import local_llm_client
from storyscape_common.internal_auth import Identity, InternalTokenSigner
from storyscape_common.registry import HINDI_LLM_SERVICE

# A full route frees a slot when any of its stories ends; we cannot know when, so a short wait.
BUSY_RETRY_AFTER_SECONDS = 5


class GenerationSlots:
    """How many generations one model server is running for this process, and how many it may."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.running = 0

    def take(self) -> bool:
        if self.running >= self.cap:
            return False
        self.running += 1
        return True

    def give_back(self) -> None:
        self.running -= 1


class RouteBusy(APIStatusError):
    """The route already runs its cap of generations. Shaped as the provider's own 503 with `Retry-After`, so the
    saga treats it as any busy provider: the next route is tried, and with none left the client gets a 503."""

    def __init__(self, route: ChatRoute) -> None:
        request = httpx2.Request("POST", f"{route.client.base_url}chat/completions")
        headers = {"retry-after": str(BUSY_RETRY_AFTER_SECONDS)}
        response = httpx2.Response(503, headers=headers, request=request)
        super().__init__(f"{route.name} is running its {route.slots.cap if route.slots else 0} generations", response=response, body=None)


@dataclass(frozen=True)
class ChatRoute:
    """A model on an OpenAI-compatible endpoint; our own endpoint (`signer` set) wants an internal token per call."""

    name: str
    client: AsyncOpenAI
    model: str
    signer: InternalTokenSigner | None = None
    # Sent only to our own model server (vLLM's extension to the protocol; OpenAI has no such field).
    repetition_penalty: float | None = None
    # Shared by the routes to one model server; None: no cap.
    slots: GenerationSlots | None = None

    async def stream_text(
        self,
        *,
        messages: list[dict[str, str]],
        max_tokens: int,
        temperature: float,
        top_p: float,
        identity: Identity,
        seed: int | None = None,
    ) -> AsyncGenerator[str, None]:
        """Yield text pieces as the model produces them; closing the iterator closes the HTTP stream and frees the
        route's slot. A `seed` asks for another sample than the last one (OpenAI and our own model server both take
        it). Raises RouteBusy, before calling the model, when the route runs its cap of generations."""
        if self.slots is not None and not self.slots.take():
            raise RouteBusy(self)
        try:
            # aclosing: closing this generator must close the model's HTTP stream now, not when it is collected.
            stream = self.model_stream(
                messages=messages, max_tokens=max_tokens, temperature=temperature, top_p=top_p, identity=identity, seed=seed
            )
            async with aclosing(stream) as pieces:
                async for piece in pieces:
                    yield piece
        finally:
            if self.slots is not None:
                self.slots.give_back()

    async def model_stream(
        self,
        *,
        messages: list[dict[str, str]],
        max_tokens: int,
        temperature: float,
        top_p: float,
        identity: Identity,
        seed: int | None,
    ) -> AsyncGenerator[str, None]:
        headers = {"X-Request-ID": identity.request_id}
        if self.signer is not None:
            headers |= internal_headers(self.signer, identity=identity, audience=HINDI_LLM_SERVICE)
        stream: AsyncStream[ChatCompletionChunk] = await self.client.chat.completions.create(
            model=self.model,
            messages=cast("list[ChatCompletionMessageParam]", messages),
            max_tokens=max_tokens,
            temperature=temperature,
            top_p=top_p,
            seed=omit if seed is None else seed,
            stream=True,
            extra_headers=headers,
            extra_body={"repetition_penalty": self.repetition_penalty} if self.repetition_penalty else None,
        )
        async with stream:
            async for chunk in stream:
                for choice in chunk.choices:
                    if choice.delta.content:
                        yield choice.delta.content


class ModelRouter:
    """Builds the clients once and answers, per language, the routes to try in order (before the first token)."""

    def __init__(self, settings: Settings, signer: InternalTokenSigner) -> None:
        timeout = Timeout(connect=5.0, read=settings.token_timeout_seconds, write=30.0, pool=10.0)
        local = local_llm_client(base_url=settings.hindi_llm_url, timeout=timeout)
        penalty = settings.local_repetition_penalty if settings.local_repetition_penalty != 1.0 else None
        # Both languages share one hindi-llm-service, so they share its cap.
        local_slots = GenerationSlots(settings.max_concurrent_generations_hindi_llm)
        self.local_hindi = ChatRoute(HINDI_LLM_SERVICE, local, settings.hindi_model, signer, penalty, local_slots)
        self.local_english = ChatRoute(HINDI_LLM_SERVICE, local, settings.local_english_model, signer, penalty, local_slots)
        self.openai: ChatRoute | None = None
        self._clients = [local]
        if settings.openai_api_key:
            remote = AsyncOpenAI(api_key=settings.openai_api_key, base_url=settings.openai_base_url or None, timeout=timeout, max_retries=0)
            self.openai = ChatRoute(
                "openai", remote, settings.english_model, slots=GenerationSlots(settings.max_concurrent_generations_openai)
            )
            self._clients.append(remote)

    def routes_for(self, language: str) -> list[ChatRoute]:
        if language == "hi":
            return [self.local_hindi]
        if self.openai is not None:
            return [self.openai, self.local_english]
        return [self.local_english]

    async def aclose(self) -> None:
        for client in self._clients:
            await client.close()
