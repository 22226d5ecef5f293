"""StoryScape child safety: one moderation interface for prompts, photos, stories, streams and captions.

from storyscape_safety import create_moderator, raise_if_blocked
moderator = create_moderator()                      # SAFETY_* settings; OpenAI if a key is set
verdict = await moderator.check_text(prompt, language="hi")
raise_if_blocked(verdict, source="prompt", language="hi")   # 422 content_blocked, metric, log
"""

from storyscape_safety.blocking import (
    BLOCKED,
    ContentBlocked,
    blocked_message,
    content_blocked_error,
    raise_if_blocked,
    record_block,
)
from storyscape_safety.fallback import FallbackModerator
from storyscape_safety.offline import OfflineModerator, UnreadableImage
from storyscape_safety.openai_provider import OpenAIModerator
from storyscape_safety.settings import SafetySettings, create_moderator
from storyscape_safety.stream import StreamGuard
from storyscape_safety.types import Category, Moderator, Verdict

__all__ = [
    "BLOCKED",
    "Category",
    "ContentBlocked",
    "FallbackModerator",
    "Moderator",
    "OfflineModerator",
    "OpenAIModerator",
    "SafetySettings",
    "StreamGuard",
    "UnreadableImage",
    "Verdict",
    "blocked_message",
    "content_blocked_error",
    "create_moderator",
    "raise_if_blocked",
    "record_block",
]
