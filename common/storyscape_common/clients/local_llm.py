"""An OpenAI-protocol client for our own hindi-llm-service (story-service's local routes, prompt-service's offline
suggestions). Needs the `openai` extra: `storyscape-common[openai]`."""

from __future__ import annotations

import httpx2  # the OpenAI SDK's HTTP library
from openai import AsyncOpenAI, DefaultAsyncHttpxClient, Timeout

from storyscape_common.clients.internal import KEEPALIVE_SECONDS

# The service authenticates each call with our internal token (sent per request), so the SDK's key is unused.
UNUSED_API_KEY = "internal-token-per-request"


def local_llm_client(*, base_url: str, timeout: Timeout, max_connections: int = 1000) -> AsyncOpenAI:
    """No retries (callers decide what to try next), and idle connections let go before the server closes them."""
    limits = httpx2.Limits(max_connections=max_connections, max_keepalive_connections=100, keepalive_expiry=KEEPALIVE_SECONDS)
    return AsyncOpenAI(
        base_url=base_url, api_key=UNUSED_API_KEY, timeout=timeout, max_retries=0, http_client=DefaultAsyncHttpxClient(limits=limits)
    )
