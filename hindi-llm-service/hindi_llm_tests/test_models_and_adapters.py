"""GET /v1/models and choosing a LoRA adapter by model name."""

from __future__ import annotations

import httpx
import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam
from storyscape_devtools.testing import TestKeys

from hindi_llm_tests.conftest import ADAPTER, BASE_MODEL, Served
from hindi_llm_tests.utils.clients import internal_token, openai_client

MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Tell me a story about a fox."}]


async def test_models_lists_the_base_model_and_each_adapter(served: Served, keys: TestKeys) -> None:
    async with openai_client(served.server, internal_token(keys)) as client:
        page = await client.models.list()
    cards = {model.id: model for model in page.data}
    assert set(cards) == {BASE_MODEL, ADAPTER}
    assert all(card.object == "model" for card in cards.values())
    assert cards[ADAPTER].model_dump().get("parent") == BASE_MODEL


async def test_an_adapter_changes_the_answer_and_the_base_model_comes_back(served: Served, keys: TestKeys) -> None:
    async with openai_client(served.server, internal_token(keys)) as client:

        async def greedy(model: str) -> str:
            completion = await client.chat.completions.create(model=model, messages=MESSAGES, max_tokens=16, temperature=0)
            assert completion.model == model
            return completion.choices[0].message.content or ""

        base, tuned, base_again = await greedy(BASE_MODEL), await greedy(ADAPTER), await greedy(BASE_MODEL)
    assert tuned != base
    assert base_again == base


async def test_an_unknown_model_is_404_in_the_api_error_shape(served: Served, keys: TestKeys) -> None:
    async with openai_client(served.server, internal_token(keys)) as client:
        with pytest.raises(openai.NotFoundError):
            await client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    async with httpx.AsyncClient(base_url=served.url) as http:
        response = await http.post(
            "/v1/chat/completions",
            json={"model": "gpt-4o", "messages": MESSAGES},
            headers={"Authorization": f"Bearer {internal_token(keys)}"},
        )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert response.json()["error"]["request_id"] == response.headers["x-request-id"]
