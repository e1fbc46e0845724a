"""Read a .dockerignore file and decide which context paths it excludes, as moby/patternmatcher does.

Patterns use Go's ``filepath.Match`` syntax (``*``, ``?``, ``[a-z]``, ``[^a]``,
backslash escapes) plus ``**`` for any number of directories. The last
pattern that matches a path decides, so a later ``!pattern`` re-includes what
an earlier pattern excluded; a pattern that matches a directory also matches
everything below it.

>>> ignore = DockerIgnore(read_dockerignore("# build output\\n/dist\\n*.log\\n!keep.log\\n**/__pycache__\\n"))
>>> [p for p in ("dist/app.js", "app.log", "keep.log", "src/pkg/__pycache__/m.pyc", "src/main.py")
...  if ignore.matches(p)]
['dist/app.js', 'app.log', 'src/pkg/__pycache__/m.pyc']
"""

from __future__ import annotations

import posixpath
import re
import warnings
from dataclasses import dataclass, field
from typing import Iterable

from ..errors import DockerfileError

_EXACT, _PREFIX, _SUFFIX, _REGEXP = "exact", "prefix", "suffix", "regexp"


@dataclass(frozen=True)
class Pattern:
    """One cleaned pattern; exclusion marks a ``!pattern`` that re-includes what it matches.

    >>> read_dockerignore("!/docs/../README.md")
    (Pattern(text='README.md', exclusion=True, line=1),)
    """

    text: str
    exclusion: bool = False
    line: int | None = None
    kind: str = field(default=_EXACT, repr=False, compare=False)
    regex: re.Pattern[str] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def parse(cls, pattern: str, line: int | None = None) -> Pattern:
        """Clean and check one pattern the way patternmatcher.New does; refuse a malformed one."""
        text = _clean(pattern.strip())
        exclusion = text.startswith("!")
        if exclusion:
            if text == "!":
                raise _error('illegal exclusion pattern: "!"', line)
            text = text[1:]
        if not _valid_glob(text):
            raise _error(f'syntax error in pattern "{text}"', line)
        kind, regex = _compile(text, line)
        return cls(text, exclusion, line, kind, regex)

    def matches(self, path: str) -> bool:
        """Whether this pattern alone matches the cleaned, slash-separated path (parents not considered)."""
        if self.kind == _EXACT:
            return path == self.text
        if self.kind == _PREFIX:
            return path.startswith(self.text[:-2])
        if self.kind == _SUFFIX:
            suffix = self.text[2:]
            return path.endswith(suffix) or (suffix.startswith("/") and path == suffix[1:])
        return self.regex.match(path) is not None


def read_dockerignore(text: str) -> tuple[Pattern, ...]:
    """The patterns of a .dockerignore file as ignorefile.ReadAll reads them: no comments or blanks, no leading '/'."""
    patterns = []
    for number, line in enumerate(text.removeprefix("\ufeff").split("\n"), 1):
        line = line.removesuffix("\r")
        if line.startswith("#"):
            continue  # only a '#' in the first column starts a comment
        line = line.strip()
        if line == "":
            continue
        exclusion = line.startswith("!")
        if exclusion:
            line = line[1:].strip()
        if line:
            line = _clean(line)
            if len(line) > 1 and line.startswith("/"):
                line = line[1:]
        patterns.append(Pattern.parse("!" + line if exclusion else line, number))
    return tuple(patterns)


class DockerIgnore:
    """The exclusion rules of a build context: the last pattern matching a path (or one of its parents) decides."""

    def __init__(self, patterns: Iterable[Pattern | str]):
        self.patterns = tuple(p if isinstance(p, Pattern) else Pattern.parse(p)
                              for p in patterns if isinstance(p, Pattern) or p.strip())

    def __repr__(self) -> str:
        return f"DockerIgnore({[('!' if p.exclusion else '') + p.text for p in self.patterns]})"

    def matches(self, path: str) -> bool:
        """Whether the context path (relative to the context root, '/'-separated) is excluded from the build context."""
        path = _clean(path).lstrip("/") or "."
        if path == ".":
            return False  # the context root itself is never excluded
        parents = posixpath.dirname(path).split("/") if "/" in path else []
        matched = False
        for pattern in self.patterns:
            if pattern.exclusion != matched:
                continue  # an inclusion cannot change a match, an exclusion only undoes one
            if pattern.matches(path) or any(pattern.matches("/".join(parents[:i + 1]))
                                            for i in range(len(parents))):
                matched = not pattern.exclusion
        return matched


def _compile(text: str, line: int | None) -> tuple[str, re.Pattern[str] | None]:
    """How patternmatcher matches a pattern: exactly, by prefix (``dir/**``), by suffix (``**/name``) or by regex."""
    source, kind = "^", _EXACT
    i = 0
    while i < len(text):
        start, ch = i, text[i]
        i += 1
        if ch == "*" and text.startswith("*", i):
            i += 1
            if text.startswith("/", i):
                i += 1  # '**/' is treated as '**'
            if i == len(text):
                if kind == _EXACT:
                    kind = _PREFIX
                else:
                    source, kind = source + ".*", _REGEXP
            else:
                source, kind = source + "(.*/)?", _REGEXP
            if start == 0:
                kind = _SUFFIX
        elif ch == "*":
            source, kind = source + "[^/]*", _REGEXP
        elif ch == "?":
            source, kind = source + "[^/]", _REGEXP
        elif ch in ".+()|{}$":
            source += "\\" + ch
        elif ch == "\\":  # _valid_glob made sure a character follows
            source, kind = source + "\\" + text[i], _REGEXP
            i += 1
        elif ch in "[]":
            source, kind = source + ch, _REGEXP
        else:
            source += ch
    if kind != _REGEXP:
        return kind, None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # '[[' is a literal '[' for Go as for Python
            return kind, re.compile(source + r"\Z")
    except re.error:
        raise _error(f'syntax error in pattern "{text}"', line) from None


def _valid_glob(pattern: str) -> bool:
    """Whether Go's filepath.Match accepts the pattern's syntax: closed, non-empty classes and no trailing backslash."""
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        i += 1
        if ch == "\\":
            if i == len(pattern):
                return False
            i += 1
        elif ch == "[":
            if pattern.startswith("^", i):
                i += 1
            ranges = 0
            while True:
                if pattern.startswith("]", i) and ranges:
                    i += 1
                    break
                i = _class_char(pattern, i)
                if i < 0:
                    return False
                if pattern[i] == "-":
                    i = _class_char(pattern, i + 1)
                    if i < 0:
                        return False
                ranges += 1
    return True


def _class_char(pattern: str, i: int) -> int:
    """The index after one character of a class (escapes allowed), or -1 when Go reports a bad pattern."""
    if i >= len(pattern) or pattern[i] in "-]":
        return -1
    if pattern[i] == "\\":
        i += 1
        if i >= len(pattern):
            return -1
    i += 1
    return i if i < len(pattern) else -1


def _clean(path: str) -> str:
    """Go's filepath.Clean on a slash-separated path."""
    cleaned = posixpath.normpath(path) if path else "."
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def _error(reason: str, line: int | None) -> DockerfileError:
    """A DockerfileError naming .dockerignore and the line when the pattern came from the file."""
    error = DockerfileError(reason if line is None else f".dockerignore:{line}: {reason}")
    error.filename, error.line, error.reason = (None if line is None else ".dockerignore"), line, reason
    return error
