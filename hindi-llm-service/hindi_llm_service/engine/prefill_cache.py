"""Recently prefilled prompts, so a prompt sent again (retries, the same story asked by many) skips its prefill.

Prefill is the expensive part of a request on CPU (every prompt token through the model); a hit costs a copy.
"""

from __future__ import annotations

from collections import OrderedDict

from hindi_llm_service.engine.batch import Prefilled

Key = tuple[str | None, tuple[int, ...]]  # (adapter, prompt ids): an adapter changes the KV cache


class PrefillCache:
    """A small LRU of prefilled prompts (only the worker thread uses it)."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[Key, Prefilled] = OrderedDict()
        self.hits = 0

    def get(self, key: Key) -> Prefilled | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            self.hits += 1
        return entry

    def put(self, key: Key, entry: Prefilled) -> None:
        if self._capacity == 0:
            return
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)
