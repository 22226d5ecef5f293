"""Which model writes a story, and one OpenAI-protocol client type for all of them."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import cast

from openai import AsyncOpenAI, AsyncStream, Timeout, omit
from openai.types.chat import ChatCompletionChunk, ChatCompletionMessageParam

from story_service.settings import Settings
from storyscape_common.clients.internal import internal_headers
from storyscape_common.clients.local_llm import local_llm_client
from storyscape_common.internal_auth import Identity, InternalTokenSigner
from storyscape_common.registry import HINDI_LLM_SERVICE


@dataclass(frozen=True)
class ChatRoute:
    """A model on an OpenAI-compatible endpoint; our own endpoint (`signer` set) wants an internal token per call."""

    name: str
    client: AsyncOpenAI
    model: str
    signer: InternalTokenSigner | None = None
    # Sent only to our own model server (vLLM's extension to the protocol; OpenAI has no such field).
    repetition_penalty: float | None = None

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
        """Yield text pieces as the model produces them; closing the iterator closes the HTTP stream. A `seed` asks
        for another sample than the last one (OpenAI and our own model server both take it)."""
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
        self.local_hindi = ChatRoute(HINDI_LLM_SERVICE, local, settings.hindi_model, signer, penalty)
        self.local_english = ChatRoute(HINDI_LLM_SERVICE, local, settings.local_english_model, signer, penalty)
        self.openai: ChatRoute | None = None
        self._clients = [local]
        if settings.openai_api_key:
            remote = AsyncOpenAI(api_key=settings.openai_api_key, base_url=settings.openai_base_url or None, timeout=timeout, max_retries=0)
            self.openai = ChatRoute("openai", remote, settings.english_model)
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
