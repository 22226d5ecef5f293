"""GET /v1/models and choosing a LoRA adapter by model name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam
from storyscape_devtools.testing import TestKeys
from storyscape_devtools.tiny_llama import build_tiny_llama

from hindi_llm_service.settings import Settings
from hindi_llm_tests.conftest import ADAPTER, BASE_MODEL, Served, serve
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


async def test_a_second_base_model_is_served_beside_the_first(
    make_settings: Callable[..., Settings], keys: TestKeys, tmp_path: Path
) -> None:
    """Offline, Hindi comes from one base (with our adapter) and English from another; one service serves both."""
    other = build_tiny_llama(tmp_path / "other-llama", seed=7, endless=True)
    with serve(make_settings(extra_model_paths=[other])) as running:
        async with openai_client(running.server, internal_token(keys)) as client:
            cards = {model.id: model.model_dump() for model in (await client.models.list()).data}

            async def greedy(model: str) -> str:
                completion = await client.chat.completions.create(model=model, messages=MESSAGES, max_tokens=12, temperature=0)
                assert completion.model == model
                return completion.choices[0].message.content or ""

            answers = {model: await greedy(model) for model in (BASE_MODEL, ADAPTER, "other-llama")}
    assert set(cards) == {BASE_MODEL, ADAPTER, "other-llama"}
    assert cards["other-llama"].get("parent") is None and cards[ADAPTER]["parent"] == BASE_MODEL
    assert len(set(answers.values())) == 3  # three different models answered, each by its own name


def test_two_served_models_may_not_share_a_name(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    clash = tmp_path / ADAPTER
    clash.mkdir()
    with pytest.raises(ValueError, match="its own name"):
        make_settings(extra_model_paths=[clash])


def test_vllm_drops_the_default_companion_model_and_refuses_a_configured_one(tmp_path: Path) -> None:
    """vLLM serves one base per process: the default English companion is dropped quietly (a production vLLM
    settings with no HINDI_LLM_EXTRA_MODEL_PATHS must start), one asked for explicitly is an error."""
    assert Settings(environment="development", engine="vllm").extra_model_paths == []
    with pytest.raises(ValueError, match="needs the transformers engine"):
        Settings(environment="development", engine="vllm", extra_model_paths=[tmp_path])
