"""Exercises of notebook 08 (the build cache).

08.1 predicts which steps are CACHED after an edit to one file of the context; 08.2 predicts the first step
that misses after a build argument changes. The models rebuild the same Dockerfiles in a fresh engine.

>>> _check_cached({2, 3, 4}).ok, _check_cached([2, 3, 4, 5]).ok
(True, False)
>>> _check_first_miss(5).ok, _check_first_miss("RUN echo $VERSION > /app/version").ok
(True, False)
"""

from __future__ import annotations

import re
from functools import lru_cache

from ...engine import Engine
from ..core import Feedback, exercise

EX1_DOCKERFILE = """FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY static/ ./static/
COPY app.py .
CMD ["python", "app.py"]
"""
EX1_CONTEXT = {"requirements.txt": "flask\n", "app.py": "print('hello')\n", "static/style.css": "body { }\n"}
EX1_EDITED = dict(EX1_CONTEXT, **{"static/style.css": "body { color: teal; }\n"})

EX2_DOCKERFILE = """FROM busybox
ARG VERSION=1.0
COPY app.sh /app/app.sh
LABEL stage=demo
RUN mkdir -p /opt/cache
RUN echo $VERSION > /app/version
CMD ["/app/app.sh"]
"""
EX2_CONTEXT = {"app.sh": "#!/bin/sh\ncat /app/version\n"}


@lru_cache(maxsize=None)
def rebuild(which: str) -> tuple[tuple[int, str, bool | None, str], ...]:
    """(line, instruction, cached, reason) of each step of the second build of exercise 08.1 or 08.2."""
    eng = Engine()
    if which == "08.1":
        eng.build(EX1_DOCKERFILE, EX1_CONTEXT)
        build = eng.builder(EX1_DOCKERFILE, EX1_EDITED)
    else:
        eng.build(EX2_DOCKERFILE, EX2_CONTEXT)
        build = eng.builder(EX2_DOCKERFILE, EX2_CONTEXT, build_args={"VERSION": "2.0"})
    build.run()
    return tuple((s.line, s.instruction.original, s.cached, s.reason) for s in build.steps)


def _lines_of(answer, steps) -> set[int] | str:
    """Line numbers from ints, digit strings or instruction texts."""
    if isinstance(answer, (int, str)) and not isinstance(answer, bool):
        answer = [answer]
    if not isinstance(answer, (list, tuple, set, frozenset)):
        return (f"Give the line numbers as a set such as {{2, 3}} (or the instructions as strings), not "
                f"{type(answer).__name__}.")
    by_text = {re.sub(r"\s+", " ", text.strip()).lower(): line for line, text, _, _ in steps}
    out = set()
    for item in answer:
        if isinstance(item, bool):
            return f"{item!r} is not a line number."
        if isinstance(item, str) and item.strip().isdigit():
            item = int(item.strip())
        if isinstance(item, int):
            if not any(line == item for line, *_ in steps):
                return f"The Dockerfile has lines 1 to {len(steps)}; there is no line {item}."
            out.add(item)
        elif isinstance(item, str):
            key = re.sub(r"\s+", " ", item.strip()).lower()
            if key not in by_text:
                return f"{item!r} is not one of the Dockerfile's instructions: use the line numbers."
            out.add(by_text[key])
        else:
            return f"I could not read {item!r} as a line number."
    return out


def _check_cached(answer) -> Feedback:
    steps = rebuild("08.1")
    cached = {line for line, _, c, _ in steps if c is True}
    neither = {line for line, _, c, _ in steps if c is None}
    got = _lines_of(answer, steps)
    if isinstance(got, str):
        return Feedback.wrong(got)
    notes = []
    if got & neither:
        notes.append("(FROM and CMD are neither CACHED nor BUILT in BuildKit: FROM just names the base and CMD "
                     "only changes the config; I left them out)")
    got -= neither
    if got == cached:
        return Feedback.right(
            f"Yes: lines {', '.join(map(str, sorted(cached)))} stay CACHED.",
            "The COPY of static/ is the first step whose input changed (its checksum differs), so it rebuilds, and "
            "every step after it rebuilds too (rule 27), even COPY app.py whose file did not change.",
            "pip install stays cached because requirements.txt comes before static/.", *notes)
    text = {line: t for line, t, _, _ in steps}
    details = []
    for line in sorted(got - cached):
        if text[line].startswith("COPY static"):
            details.append(f"line {line} ({text[line]}) copies the edited style.css: its checksum differs, so it "
                           "misses (rule 26).")
        else:
            details.append(f"line {line} ({text[line]}) comes after a step that missed, so it rebuilds although "
                           "its own input did not change (rule 27).")
    for line in sorted(cached - got):
        details.append(f"line {line} ({text[line]}) is CACHED: it comes before the first change, so its parent "
                       "and its own input are the same as last time.")
    return Feedback.wrong(f"Not quite: you said {sorted(got)}.", *details, *notes)


exercise("08.1", hints=[
    "Find the first step whose own input changed: which instruction copies static/style.css?",
    "Every step before it keeps its cache; every step after it rebuilds (rule 27).",
    "FROM and CMD are neither CACHED nor BUILT here: leave them out.",
])(_check_cached)


def _check_first_miss(answer) -> Feedback:
    steps = rebuild("08.2")
    first = next(line for line, _, c, _ in steps if c is False)
    if isinstance(answer, (list, tuple, set, frozenset)):
        if len(answer) != 1:
            return Feedback.wrong("Give ONE line: the first step that misses.")
        answer = next(iter(answer))
    got = _lines_of(answer, steps)
    if isinstance(got, str):
        return Feedback.wrong(got)
    line = next(iter(got))
    text = {ln: t for ln, t, _, _ in steps}
    if line == first:
        return Feedback.right(
            f"Yes: line {first}, `{text[first]}`, although it never mentions $VERSION.",
            "Every RUN sees the build arguments declared before it as environment variables, so a changed ARG is "
            "'used' by the first RUN after it (rule 29).",
            "The COPY keeps its cache (its key is the files' checksum), and LABEL is config-only in BuildKit.")
    reasons = {
        "ARG": "the ARG instruction itself has no cache step in BuildKit: a changed value misses where it is first "
               "used, not where it is declared (rule 29).",
        "COPY": "COPY's cache key is its instruction and the files' checksum; app.sh did not change and COPY does "
                "not see build arguments.",
        "LABEL": "LABEL only changes the config: BuildKit has no cache step for it.",
        "FROM": "FROM does not depend on VERSION (an ARG declared after FROM is not visible to it).",
        "CMD": "CMD is config-only; and something misses earlier.",
    }
    keyword = text[line].split()[0]
    if keyword == "RUN" and line > first:
        why = (f"`{text[line]}` uses $VERSION, but an earlier RUN already sees VERSION as an environment variable: "
               "every RUN after an ARG uses it implicitly (rule 29).")
    else:
        why = reasons.get(keyword, f"line {line} is not the first miss.")
    return Feedback.wrong(f"Not line {line}: {why}")


exercise("08.2", hints=[
    "Which steps can see VERSION at all? FROM, COPY and LABEL do not use it here.",
    "A RUN gets every build argument declared before it as an environment variable, whether it mentions it or not.",
])(_check_first_miss)
