"""gpt-4o vision through the official client: the photo as a data URL, a short child-safe description back."""

from __future__ import annotations

import base64

from openai import AsyncOpenAI
from openai.types.chat import ChatCompletionMessageParam

from media_service.uploads import sniff_format
from media_service.vision.base import ImageDescription, Language

DEFAULT_MODEL = "gpt-4o"
INSTRUCTIONS = {
    "en": (
        "Describe this photo in two or three short, plain English sentences for a children's story writer: "
        "the main things or animals, the setting, colours and time of day. Describe only what you can see; "
        "never guess names or identities of people. If you cannot tell what it shows, say so."
    ),
    "hi": (
        "इस तस्वीर का वर्णन दो-तीन छोटे, सरल हिन्दी (देवनागरी) वाक्यों में कीजिए, बच्चों की कहानी लिखने वाले के लिए: "
        "मुख्य चीज़ें या जानवर, जगह, रंग और दिन का समय। केवल वही बताइए जो दिख रहा है; लोगों के नाम या पहचान का "
        "अनुमान कभी न लगाइए। अगर समझ न आए कि तस्वीर में क्या है, तो साफ़ बताइए।"
    ),
}


class OpenAIVision:
    name = "openai"

    def __init__(self, *, api_key: str, base_url: str | None = None, model: str = DEFAULT_MODEL, timeout_s: float = 30.0) -> None:
        self.model = model
        self._client = AsyncOpenAI(api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=1)

    async def aclose(self) -> None:
        await self._client.close()

    async def describe(self, image: bytes, *, language: Language) -> ImageDescription:
        url = f"data:image/{sniff_format(image) or 'jpeg'};base64,{base64.b64encode(image).decode('ascii')}"
        messages: list[ChatCompletionMessageParam] = [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": INSTRUCTIONS[language]},
                    {"type": "image_url", "image_url": {"url": url, "detail": "low"}},
                ],
            }
        ]
        response = await self._client.chat.completions.create(model=self.model, messages=messages, max_tokens=200, temperature=0.2)
        text = (response.choices[0].message.content or "").strip()
        return ImageDescription(text, language, self.name, recognised=bool(text))
