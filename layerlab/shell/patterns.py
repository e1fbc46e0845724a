"""Shell patterns (globs, case, ${x%pat}, find -name) and POSIX regular expressions, as Python regexes.

>>> import re
>>> bool(re.fullmatch(glob_regex("*.t[xy]t"), "notes.txt")), bool(re.fullmatch(glob_regex("[!a]?"), "ab"))
(True, False)
>>> posix_regex(r"\\(ab\\)\\{2\\}c+", extended=False)
'(ab){2}c\\\\+'
"""

from __future__ import annotations

import re
from functools import lru_cache

CLASSES = {
    "alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z", "lower": "a-z",
    "space": r" \t\n\r\f\v", "blank": r" \t", "punct": r"!-/:-@\[-`{-~", "xdigit": "0-9A-Fa-f",
    "print": r" -~", "graph": r"!-~", "cntrl": r"\x00-\x1f\x7f", "word": r"\w",
}

GLOB_CHARS = frozenset("*?[")


def has_glob(pattern: str) -> bool:
    """True when an (escaped) pattern has an unescaped *, ? or [."""
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c in GLOB_CHARS:
            return True
        i += 1
    return False


def escape_glob(text: str) -> str:
    """Backslash every character that is special in a pattern (for quoted text)."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


def unescape(pattern: str) -> str:
    out = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            out.append(pattern[i + 1])
            i += 2
        else:
            out.append(pattern[i])
            i += 1
    return "".join(out)


def _bracket(pattern: str, i: int, negate_chars: str) -> tuple[str, int] | None:
    """Translate a bracket expression starting after '['; None when it is not closed."""
    j = i
    neg = False
    if j < len(pattern) and pattern[j] in negate_chars:
        neg = True
        j += 1
    items = []
    first = True
    while j < len(pattern):
        c = pattern[j]
        if c == "]" and not first:
            body = "".join(items)
            return ("[^" if neg else "[") + body + "]", j + 1
        first = False
        if c == "[" and pattern.startswith("[:", j):
            end = pattern.find(":]", j + 2)
            if end > 0 and pattern[j + 2:end] in CLASSES:
                items.append(CLASSES[pattern[j + 2:end]])
                j = end + 2
                continue
        if c == "\\" and j + 1 < len(pattern):
            items.append(re.escape(pattern[j + 1]))
            j += 2
            continue
        if c == "-" and items and j + 1 < len(pattern) and pattern[j + 1] != "]":
            items.append("-")
            j += 1
            continue
        items.append("\\" + c if c in "\\^[]" else c)
        j += 1
    return None


@lru_cache(maxsize=512)
def glob_regex(pattern: str, *, dotall: bool = True) -> str:
    """A shell pattern (backslash escapes literal characters) as a Python regex for fullmatch."""
    out = []
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
        elif c == "*":
            out.append(".*" if dotall else "[^/]*")
            i += 1
        elif c == "?":
            out.append("." if dotall else "[^/]")
            i += 1
        elif c == "[":
            res = _bracket(pattern, i + 1, "!^")
            if res is None:
                out.append(r"\[")
                i += 1
            else:
                out.append(res[0])
                i = res[1]
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


@lru_cache(maxsize=512)
def glob_compile(pattern: str, flags: int = 0) -> re.Pattern:
    return re.compile(glob_regex(pattern), re.DOTALL | flags)


def fnmatch(name: str, pattern: str, *, icase: bool = False) -> bool:
    return glob_compile(pattern, re.IGNORECASE if icase else 0).fullmatch(name) is not None


@lru_cache(maxsize=256)
def posix_regex(pattern: str, extended: bool = False) -> str:
    """A POSIX basic (BRE) or extended (ERE) regular expression as a Python regex (GNU extensions kept)."""
    out = []
    i = 0
    n = len(pattern)
    start = True  # at the start of the expression or a group: '*' is literal in a BRE
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            d = pattern[i + 1]
            i += 2
            if not extended and d in "(){}+?|":
                out.append(d)
                start = d in "(|"
                continue
            if d == "<":
                out.append(r"\b(?=\w)")
            elif d == ">":
                out.append(r"\b(?<=\w)")
            elif d in "wWsSbB":
                out.append("\\" + d)
            elif d == "n":
                out.append(r"\n")
            elif d == "t":
                out.append(r"\t")
            elif d.isdigit():
                out.append("\\" + d)
            else:
                out.append(re.escape(d))
            start = False
            continue
        if c == "[":
            res = _bracket(pattern, i + 1, "^")
            if res is None:
                out.append(r"\[")
                i += 1
            else:
                out.append(res[0])
                i = res[1]
            start = False
            continue
        if c == "*":
            out.append(r"\*" if start else "*")
            i += 1
            start = False
            continue
        if not extended and c in "(){}+?|":
            out.append("\\" + c)
            i += 1
            start = False
            continue
        if extended and c in "({":
            if c == "{" and not re.match(r"\{\d*(,\d*)?\}", pattern[i:]):
                out.append(r"\{")
                i += 1
                continue
            out.append(c)
            i += 1
            start = c == "("
            continue
        if extended and c == "|":
            out.append(c)
            i += 1
            start = True
            continue
        if c == "^":
            out.append("^" if start or (out and out[-1] in ("(", "|")) or extended else r"\^")
            i += 1
            continue
        if c == "$":
            rest = pattern[i + 1:]
            is_anchor = extended or not rest or rest.startswith("\\)") or rest.startswith("\\|")
            out.append("$" if is_anchor else r"\$")
            i += 1
            start = False
            continue
        if c in ".+?)}":
            out.append(c)
        else:
            out.append(re.escape(c))
        i += 1
        start = False
    return "".join(out)


def compile_posix(pattern: str, *, extended: bool = False, icase: bool = False, fixed: bool = False,
                  word: bool = False, line: bool = False) -> re.Pattern:
    rx = re.escape(pattern) if fixed else posix_regex(pattern, extended)
    if word:
        rx = r"(?<!\w)(?:" + rx + r")(?!\w)"
    if line:
        rx = r"^(?:" + rx + r")$"
    return re.compile(rx, re.IGNORECASE if icase else 0)
