"""Reading a learner's answer: sizes and lists given in whatever form a learner types them."""

from __future__ import annotations

import re
from typing import Any

from ..analysis import parse_bytes
from ..errors import LayerlabError

SIZE_HINT = "answer with a number of bytes (an int such as 1_000_000) or a size such as '12MB' or '50 MiB'"


def byte_count(answer: Any) -> int | None:
    """A size as bytes: an int, or text such as '52MB', '50 MiB', '1_000' or '210MB (virtual 319MB)'; else None.

    >>> byte_count("50 MiB"), byte_count("210MB (virtual 319MB)"), byte_count(2.0), byte_count(True)
    (52428800, 210000000, 2, None)
    """
    if isinstance(answer, bool):
        return None
    if isinstance(answer, (int, float)):
        return int(answer)
    if isinstance(answer, str):
        text = answer.strip().replace(" ", "").replace("_", "")
        if "(" in text:          # copied from `docker ps -s`: the SIZE part
            text = text.split("(", 1)[0]
        try:
            return parse_bytes(text)
        except LayerlabError:
            return None
    return None


def require_bytes(answer: Any) -> int:
    """byte_count, or a LayerlabError saying how to answer (check() shows it as feedback)."""
    got = byte_count(answer)
    if got is None:
        raise LayerlabError(f"{SIZE_HINT} (you gave {answer!r})")
    return got


def words(answer: Any) -> list[str] | None:
    """The items of a list: a list, tuple or set of strings, or one string split at spaces, commas and quotes.

    >>> words("['a', 'b'], c;d"), words({"x"}), words([1])
    (['a', 'b', 'c', 'd'], ['x'], None)
    """
    if isinstance(answer, str):
        return [w for w in re.split(r"[\s,;\[\]{}'\"]+", answer) if w]
    if isinstance(answer, (list, tuple, set, frozenset)) and all(isinstance(item, str) for item in answer):
        return [item.strip() for item in answer]
    return None


def near(got: int, expected: int, tolerance: float) -> bool:
    """Within a relative tolerance of the expected number (answers read off rounded tables)."""
    return abs(got - expected) <= tolerance * max(expected, 1)
