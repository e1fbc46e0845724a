"""The build cache: a step is reused when its parent and its inputs are the same (SEMANTICS section 8).

A key covers the parent (classic: the parent image; BuildKit: the parent
filesystem state), the instruction text and the inputs that the text alone does
not show: the checksum of copied files (content and metadata, mtime ignored),
the build arguments and environment a RUN sees. A miss explains itself.

>>> cache = BuildCache()
>>> k = cache.key("p", "RUN apt-get update", {})
>>> cache.get(k) is None, cache.explain("p", "RUN apt-get update", {}, parent_rebuilt=False)
(True, 'never built before')
>>> _ = cache.put("p", "RUN apt-get update", {}, None)
>>> cache.explain("q", "RUN apt-get update", {}, parent_rebuilt=True)
'an earlier step was rebuilt, so every step after it rebuilds (rule 27)'
>>> cache.explain("q", "RUN make", {}, parent_rebuilt=True)
'never built before'
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class CacheEntry:
    """What a finished step left in the cache: enough to replay it without running it."""

    key: str
    parent: str
    text: str
    inputs: tuple[tuple[str, str], ...]
    result: Any = field(compare=False)


class BuildCache:
    """Steps already built, by key, and by parent (to explain a miss)."""

    def __init__(self):
        self._entries: dict[str, CacheEntry] = {}
        self._by_parent: dict[str, list[CacheEntry]] = defaultdict(list)
        self._texts: set[str] = set()

    @staticmethod
    def key(parent: str, text: str, inputs: Mapping[str, str]) -> str:
        """The cache key of a step."""
        blob = json.dumps([parent, text, sorted(inputs.items())], separators=(",", ":"))
        return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()

    def get(self, key: str) -> CacheEntry | None:
        return self._entries.get(key)

    def put(self, parent: str, text: str, inputs: Mapping[str, str], result: Any) -> CacheEntry:
        key = self.key(parent, text, inputs)
        entry = CacheEntry(key, parent, text, tuple(sorted(inputs.items())), result)
        if key not in self._entries:
            self._by_parent[parent].append(entry)
        self._texts.add(text)
        self._entries[key] = entry
        return entry

    def explain(self, parent: str, text: str, inputs: Mapping[str, str], *, parent_rebuilt: bool) -> str:
        """Why a step is not in the cache, in the words of the cache rules."""
        siblings = self._by_parent.get(parent, [])
        if not siblings:
            if parent_rebuilt and text in self._texts:
                return "an earlier step was rebuilt, so every step after it rebuilds (rule 27)"
            return "never built before"
        same_text = [s for s in siblings if s.text == text]
        if not same_text:
            return "the instruction changed"
        before = dict(same_text[-1].inputs)
        changed = sorted(k for k in set(before) | set(inputs) if before.get(k) != inputs.get(k))
        return "changed since the cached build: " + ", ".join(_describe(k, before.get(k), inputs.get(k))
                                                              for k in changed)

    def clear(self) -> int:
        """Forget everything (`docker builder prune -a`); returns how many steps were dropped."""
        n = len(self._entries)
        self._entries.clear()
        self._by_parent.clear()
        self._texts.clear()
        return n

    def __len__(self) -> int:
        return len(self._entries)


def _describe(name: str, old: str | None, new: str | None) -> str:
    if name == "files":
        return "the copied files (their checksum differs)"
    if name.startswith("arg:"):
        return f"build argument {name[4:]} ({old!r} -> {new!r}; an ARG misses at its first use, rule 29)"
    if name.startswith("env:"):
        return f"environment variable {name[4:]} ({old!r} -> {new!r})"
    return f"{name} ({old!r} -> {new!r})"
