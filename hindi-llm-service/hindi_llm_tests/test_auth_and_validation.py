"""Only callers with a valid internal token are served; malformed requests get 422 in the API error shape."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam
from storyscape_devtools.testing import TestKeys, new_test_keys

from hindi_llm_tests.conftest import BASE_MODEL, Served
from hindi_llm_tests.utils.clients import SERVICE, internal_token, openai_client

MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "hello"}]


def post_chat(served: Served, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{served.url}/v1/chat/completions", json=body, headers=headers)


async def test_the_openai_client_with_a_bad_token_gets_401(served: Served) -> None:
    async with openai_client(served.server, "not-a-token") as client:
        with pytest.raises(openai.AuthenticationError) as caught:
            await client.chat.completions.create(model=BASE_MODEL, messages=MESSAGES)
    assert caught.value.status_code == 401


@pytest.mark.parametrize("case", ["missing", "other_key", "other_audience"])
def test_requests_without_a_valid_internal_token_are_refused(served: Served, keys: TestKeys, case: str) -> None:
    headers = {
        "missing": {},
        "other_key": {"Authorization": f"Bearer {internal_token(new_test_keys())}"},
        "other_audience": keys.bearer(user_id="user-1", audience="history-service"),
    }[case]
    for response in (
        post_chat(served, {"model": BASE_MODEL, "messages": MESSAGES}, headers),
        httpx.get(f"{served.url}/v1/models", headers=headers),
    ):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({"model": BASE_MODEL, "messages": []}, "messages"),
        ({"model": BASE_MODEL, "messages": [{"role": "robot", "content": "hi"}]}, "role"),
        ({"model": BASE_MODEL, "messages": [{"role": "user"}]}, "content"),
        ({"messages": MESSAGES}, "model"),
        ({"model": BASE_MODEL, "messages": MESSAGES, "max_tokens": 0}, "max_tokens"),
        ({"model": BASE_MODEL, "messages": MESSAGES, "max_tokens": 100_000}, "max_tokens"),
        ({"model": BASE_MODEL, "messages": MESSAGES, "temperature": 2.5}, "temperature"),
        ({"model": BASE_MODEL, "messages": MESSAGES, "stop": ["a", "b", "c", "d", "e"]}, "stop"),
        ({"model": BASE_MODEL, "messages": MESSAGES, "n": 2}, "n"),
    ],
)
def test_malformed_requests_get_422(served: Served, keys: TestKeys, body: dict[str, Any], mentions: str) -> None:
    response = post_chat(served, body, keys.bearer(user_id="user-1", audience=SERVICE))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert mentions in error["message"]
