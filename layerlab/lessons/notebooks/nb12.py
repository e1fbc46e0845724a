"""Exercises of notebook 12 (capstone): a quiz across the course, a layer count and a docker diff."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ...engine import Engine
from ...fs.content import Synthetic
from ..core import Feedback, exercise

# -- 12.1: true or false ---------------------------------------------------------------------------------------
STATEMENTS = (
    ("A", "Every Dockerfile instruction makes a layer.", False,
     "ENV, LABEL, EXPOSE, CMD and friends change only the config: they are `empty_layer` history entries "
     "(notebook 01, SEMANTICS section 5)."),
    ("B", "Deleting a file in a later RUN step makes the image smaller.", False,
     "the later layer adds a whiteout; the bytes stay in the layer below and every pull downloads them "
     "(notebooks 03 and 10)."),
    ("C", "`<missing>` in `docker history` means a layer is missing from the image.", False,
     "it means no local image ID matches that step; every layer is there (notebook 11)."),
    ("D", "`RUN chmod 755` on a 20 MB file adds about 20 MB to the image.", True,
     "a metadata change copies the whole lower file up into the new layer (notebook 04, SEMANTICS 13)."),
    ("E", "What a container writes under a volume's mount point ends up in its read-write layer.", False,
     "a volume is a directory on the host: the write never touches the container's layers, and `docker diff` "
     "does not see it (notebooks 05 and 09)."),
    ("F", "`docker export` keeps an image's layers and history.", False,
     "export writes ONE flat tar of the merged view: no layers, no whiteouts, no config, no history; `docker save` "
     "keeps them (notebooks 07 and 10)."),
    ("G", "With overlay2, two images built FROM the same base store the base's layers on disk once.", True,
     "layers are content-addressed and shared; only vfs keeps a full copy per layer (notebook 09)."),
    ("H", "`docker diff` compares a container with its init layer, not with the image.", True,
     "the read-write layer is diffed against the `-init` layer, so the init files never show up "
     "(notebook 06, SEMANTICS 14)."),
)

_TRUE = {"t", "true", "y", "yes", "1", "v", "✓", "✔"}
_FALSE = {"f", "false", "n", "no", "0", "x", "✗", "✘"}


def _truth(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _verdicts(answer: Any) -> list[bool | None] | None:
    n = len(STATEMENTS)
    if isinstance(answer, str):
        compact = re.sub(r"[\s,;]", "", answer)
        if len(compact) == n and all(ch.lower() in "tf" for ch in compact):
            return [ch.lower() == "t" for ch in compact]
        words = [w for w in re.split(r"[\s,;]+", answer.strip()) if w]
        if len(words) == n:
            return [_truth(w) for w in words]
        return None
    if isinstance(answer, dict):
        out = []
        for letter, *_ in STATEMENTS:
            key = next((k for k in answer if str(k).strip().upper() == letter), None)
            out.append(None if key is None else _truth(answer[key]))
        return out
    if isinstance(answer, (list, tuple)) and len(answer) == n:
        return [_truth(v) for v in answer]
    return None


@exercise("12.1", hints=[
    "Each statement is one of the course's misconceptions or one of its facts: for each, think of the cell that "
    "showed it with numbers.",
    "Three of the eight statements are true.",
    "The true ones are about copy-up, sharing on disk, and what `docker diff` compares with.",
])
def _quiz(answer):
    verdicts = _verdicts(answer)
    if verdicts is None:
        return Feedback.wrong(f"Answer with {len(STATEMENTS)} verdicts in order A to H: a string such as "
                              "'TFTFTFTF', a list [True, False, ...], or a dict {'A': False, ...}.")
    unread = [STATEMENTS[i][0] for i, v in enumerate(verdicts) if v is None]
    if unread:
        return Feedback.wrong(f"I cannot read your verdict for {', '.join(unread)}: use True/False (or T/F).")
    wrong = [(letter, text, truth, why) for (letter, text, truth, why), v in zip(STATEMENTS, verdicts)
             if v != truth]
    if not wrong:
        return Feedback.right(f"All {len(STATEMENTS)} right: you can tell the course's misconceptions from its facts.")
    details = [f"{letter} is {'TRUE' if truth else 'FALSE'}: {why}" for letter, _, truth, why in wrong]
    right = len(STATEMENTS) - len(wrong)
    return Feedback.wrong(f"{right} of {len(STATEMENTS)} right. Look again at:", *details)


# -- 12.2 and 12.3: one Dockerfile, a container of it ---------------------------------------------------------
QUIZ_DOCKERFILE = """FROM busybox
ENV APP=/app
WORKDIR /app
COPY data.bin .
RUN chmod 600 data.bin
LABEL owner=me
EXPOSE 8080
CMD ["sh"]
"""
QUIZ_CONTEXT = {"data.bin": Synthetic(2_000_000, "nb12/data")}
QUIZ_COMMAND = "rm /app/data.bin && echo x > /tmp/t"


@lru_cache(maxsize=None)
def quiz_model() -> tuple[int, frozenset]:
    """(layers the quiz Dockerfile adds to busybox under BuildKit, docker diff after QUIZ_COMMAND)."""
    eng = Engine()
    img = eng.build(QUIZ_DOCKERFILE, QUIZ_CONTEXT, tag="quiz")
    base = eng.resolve_image("busybox")
    c = eng.run("quiz", "sh", name="final")
    eng.exec(c, QUIZ_COMMAND)
    return len(img.layers) - len(base.layers), frozenset(eng.diff(c))


@exercise("12.2", hints=[
    "Sort the instructions after FROM into those that change files and those that change only the config.",
    "COPY and RUN always make a layer under BuildKit; ENV, LABEL, EXPOSE and CMD never do.",
    "WORKDIR makes a layer under BuildKit for any path but `/` (it creates the directory).",
])
def _layers(answer):
    added, _ = quiz_model()
    if isinstance(answer, bool) or not isinstance(answer, (int, str)):
        return Feedback.wrong("Answer with a number of layers, such as 5.")
    try:
        value = int(str(answer).strip())
    except ValueError:
        return Feedback.wrong("Answer with a number of layers, such as 5.")
    if value == added:
        return Feedback.right(f"Yes: {added} layers: WORKDIR /app, COPY data.bin and RUN chmod. ENV, LABEL, EXPOSE "
                              "and CMD are config-only (empty_layer) steps.")
    if value == 7:
        return Feedback.wrong("Not 7: not every instruction makes a layer.",
                              "ENV, LABEL, EXPOSE and CMD change only the image config.")
    if value == added - 1:
        return Feedback.wrong(f"Not {value}: one file-changing step is easy to miss.",
                              "WORKDIR /app creates the directory /app: BuildKit records it as a layer.")
    if value == 8 or value == 8 + 1:
        return Feedback.wrong(f"Not {value}: the question counts the layers added on top of busybox, and only "
                              "those steps that change files.")
    return Feedback.wrong(f"Not {value}.", "Go through the 7 instructions after FROM and ask of each: does it "
                          "change a file?")


def _changes(answer: Any) -> set[tuple[str, str]] | None:
    items: list
    if isinstance(answer, str):
        items = [line for line in answer.splitlines() if line.strip()]
    elif isinstance(answer, (list, tuple, set, frozenset)):
        items = list(answer)
    else:
        return None
    out = set()
    for item in items:
        if isinstance(item, str):
            parts = item.split(None, 1)
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            parts = [str(item[0]), str(item[1])]
        else:
            return None
        if len(parts) != 2 or parts[0].strip().upper() not in ("A", "C", "D"):
            return None
        path = "/" + parts[1].strip().strip("/")
        out.add((parts[0].strip().upper(), path))
    return out


@exercise("12.3", hints=[
    "`docker diff` lists A (added), C (changed) and D (deleted) paths of the read-write layer.",
    "Every ancestor directory of a change is reported as C (SEMANTICS 16), but not `/` itself.",
    "A deleted file is a D, even though a whiteout was added for it.",
])
def _diff(answer):
    _, model = quiz_model()
    got = _changes(answer)
    if got is None:
        return Feedback.wrong("Answer with the lines of `docker diff`, such as ['C /etc', 'A /etc/x'], or pairs "
                              "[('C', '/etc'), ...].")
    if got == model:
        return Feedback.right("Yes: " + ", ".join(f"{k} {p}" for k, p in sorted(model, key=lambda kp: kp[1])) +
                              ". The parents of each change are C; the whiteout shows as a D.")
    details = []
    for k, p in sorted(model - got, key=lambda kp: kp[1]):
        other = next((g for g in got if g[1] == p), None)
        if other is not None:
            details.append(f"{p} is {k}, not {other[0]}")
        elif k == "C":
            details.append(f"C {p} is missing: every parent directory of a change is reported as changed")
        else:
            details.append(f"{k} {p} is missing")
    for k, p in sorted(got - model, key=lambda kp: kp[1]):
        if any(m[1] == p for m in model):
            continue
        if p == "/":
            details.append("`/` itself is never listed")
        elif p.startswith("/etc/") or p == "/.dockerenv":
            details.append(f"{p} is an init-layer file: docker diff compares with the init layer, so it never shows")
        else:
            details.append(f"{k} {p} is not in the diff: the command did not touch it")
    return Feedback.wrong("Not quite.", *details)
