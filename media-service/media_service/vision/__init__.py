"""From photo to words: `await provider.describe(cleaned_image_bytes, language="hi")` -> ImageDescription.

`create_vision_provider(openai_api_key=...)` gives gpt-4o (falling back to the local analyser) when a key
is set, else the local analyser (YOLOv3-tiny + colours, light, composition). Pass images that went through
`media_service.uploads.clean_upload` first.
"""

from media_service.vision.base import DetectedObject, ImageDescription, Language, VisionProvider
from media_service.vision.fallback import FallbackVision, create_vision_provider
from media_service.vision.local import LocalAnalyser
from media_service.vision.openai_vision import OpenAIVision

__all__ = [
    "DetectedObject",
    "FallbackVision",
    "ImageDescription",
    "Language",
    "LocalAnalyser",
    "OpenAIVision",
    "VisionProvider",
    "create_vision_provider",
]
