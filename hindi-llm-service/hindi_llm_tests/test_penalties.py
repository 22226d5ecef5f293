"""Repetition, frequency and presence penalties: what they do to the next token, and that the API honours them."""

from __future__ import annotations

import torch
from openai.types.chat import ChatCompletionMessageParam
from storyscape_devtools.testing import TestKeys

from hindi_llm_service.engine.sampling import penalised, repetition_penalised
from hindi_llm_tests.conftest import BASE_MODEL, Served
from hindi_llm_tests.utils.clients import internal_token, openai_client


def test_a_seen_token_becomes_less_likely_whatever_the_sign_of_its_logit() -> None:
    logits = torch.tensor([2.0, -1.0, 0.5, 1.5])
    adjusted = repetition_penalised(logits, [0, 1, 1], 2.0)
    assert adjusted.tolist() == [1.0, -2.0, 0.5, 1.5]  # 0 and 1 were seen; 2 and 3 untouched
    assert int(torch.argmax(adjusted)) == 3  # the unseen token now wins
    assert logits.tolist() == [2.0, -1.0, 0.5, 1.5]  # the caller's logits are left alone


def test_frequency_counts_every_occurrence_and_presence_counts_once() -> None:
    logits = torch.zeros(3)
    assert penalised(logits, [2, 2, 2, 1], frequency=0.5, presence=0.25).tolist() == [0.0, -0.75, -1.75]
    assert penalised(logits, [], frequency=1.0, presence=1.0).tolist() == [0.0, 0.0, 0.0]


async def test_the_api_takes_a_repetition_penalty_and_greedy_output_stops_repeating(served: Served, keys: TestKeys) -> None:
    messages: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Tell me a story about a fox."}]
    async with openai_client(served.server, internal_token(keys)) as client:

        async def greedy(**extra: float) -> str:
            completion = await client.chat.completions.create(
                model=BASE_MODEL,
                messages=messages,
                max_tokens=48,
                temperature=0,
                extra_body=extra or None,
            )
            return completion.choices[0].message.content or ""

        plain, penalised_text, plain_again = await greedy(), await greedy(repetition_penalty=1.8), await greedy()
    assert plain == plain_again  # greedy: the same without the penalty
    assert penalised_text != plain
    assert len(set(penalised_text)) > len(set(plain))  # the penalised answer uses more different characters
