"""Exercises of notebook 01 (Dockerfile, image, container): counting layers, empty_layer steps and <missing>.

The model answers come from building the seed Dockerfile with each builder profile.

>>> _check_added_layers(1).ok, _check_added_layers(3).ok, _check_2015_layers(3).ok
(True, False, True)
"""

from __future__ import annotations

import re
from functools import lru_cache

from ...engine import Engine
from ...image.dockerfile import parse_dockerfile
from ..core import Feedback, exercise

SEED = 'FROM ubuntu:14.04\nADD run.sh /\nVOLUME /data\nCMD ["./run.sh"]\n'
RUN_SH = '#!/bin/sh\necho "run.sh was here" >> /data/log.txt\n'
KEYWORDS = ("FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME",
            "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL")


@lru_cache(maxsize=None)
def seed_build(profile: str) -> Engine:
    """An engine that built the seed Dockerfile (tag seed) with a builder profile."""
    eng = Engine(profile=profile)
    eng.build(SEED, {"run.sh": RUN_SH}, tag="seed")
    return eng


def _added(profile: str) -> tuple[int, int]:
    """(layers the seed adds, layers of ubuntu:14.04) under a profile."""
    eng = seed_build(profile)
    total = len(eng.resolve_image("seed").layers)
    base = len(eng.resolve_image("ubuntu:14.04").layers)
    return total - base, base


def _count(answer) -> int | None:
    """A whole number given as an int or a string of digits; None otherwise."""
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int):
        return answer
    if isinstance(answer, float) and answer.is_integer():
        return int(answer)
    if isinstance(answer, str) and answer.strip().isdigit():
        return int(answer.strip())
    return None


def _not_a_count(answer) -> Feedback:
    return Feedback.wrong(f"I expected a whole number such as 2, not {answer!r}.")


# -- 01.1 ------------------------------------------------------------------------------------------------
def _check_added_layers(answer) -> Feedback:
    n = _count(answer)
    if n is None:
        return _not_a_count(answer)
    model, base = _added("buildkit")
    steps = len(parse_dockerfile(SEED).instructions) - 1
    if n == model:
        return Feedback.right(
            f"Yes: {model} layer. Of the {steps} instructions after FROM only ADD changes files; VOLUME and CMD "
            "change only the image config and are recorded as empty_layer history entries.")
    if n == steps:
        return Feedback.wrong(
            f"{n} is one layer per instruction after FROM. That was true of the 2015 engine, not of BuildKit: "
            "which of ADD, VOLUME and CMD actually change a file?")
    if n == steps + 1:
        return Feedback.wrong(f"{n} counts FROM as well. FROM adds no layer of its own: it starts from "
                              f"ubuntu:14.04's {base} layers, and the question asks what the seed adds on top.")
    if n == model + base:
        return Feedback.wrong(f"{n} is the image's total: ubuntu:14.04's {base} layers plus what the seed adds. "
                              "How many does the seed add?")
    if n == 0:
        return Feedback.wrong("ADD copies run.sh into the image: a file appears, so at least one layer is made.")
    if n < 0:
        return Feedback.wrong("A count of layers cannot be negative.")
    return Feedback.wrong(f"Not {n}. Go through ADD, VOLUME and CMD and ask of each: does it add or change a file?")


# -- 01.2 ------------------------------------------------------------------------------------------------
def _keywords(answer) -> list[str] | None:
    """Instruction keywords named in an answer: keywords, whole lines, or line numbers of the seed."""
    lines = {ins.line: ins.keyword for ins in parse_dockerfile(SEED).instructions}
    items = [answer] if isinstance(answer, (str, int)) else answer
    if not isinstance(items, (list, tuple, set, frozenset)):
        return None
    out = []
    for item in items:
        if isinstance(item, bool):
            return None
        if isinstance(item, int):
            if item not in lines:
                return None
            out.append(lines[item])
        elif isinstance(item, str):
            found = []
            for part in re.split(r"[,;\n]|\band\b", item):
                words = part.split()
                if words and all(w.upper() in KEYWORDS for w in words):
                    found.extend(w.upper() for w in words)          # "VOLUME CMD"
                elif words and words[0].upper() in KEYWORDS:
                    found.append(words[0].upper())                  # 'CMD ["./run.sh"]'
            if not found:
                return None
            out.extend(found)
        else:
            return None
    return out


def _check_empty_steps(answer) -> Feedback:
    eng = seed_build("buildkit")
    img = eng.resolve_image("seed")
    own = img.history[len(eng.resolve_image("ubuntu:14.04").history):]
    model = [h.created_by.split()[0] for h in own if h.empty_layer]
    words = _keywords(answer)
    if words is None:
        return Feedback.wrong("Name the instructions, e.g. [\"ADD\"] or [\"VOLUME /data\"] (line numbers of the "
                              "Dockerfile work too, e.g. [2]).")
    got = set(words)
    if got == set(model):
        return Feedback.right(
            f"Yes: {' and '.join(model)}. They change only the image's json (Config.Volumes and Config.Cmd), so "
            "their history entries say empty_layer and no layer exists for them.")
    details = []
    if "ADD" in got:
        size = img.layers[-1].size
        details.append(f"ADD writes /run.sh ({size} bytes): its history entry has a real layer behind it.")
    if "FROM" in got:
        details.append("FROM makes no history entry of its own: the entries it brings are ubuntu:14.04's.")
    for word in sorted(got - set(model) - {"ADD", "FROM"}):
        details.append(f"the seed has no {word} instruction.")
    for word in model:
        if word not in got:
            details.append(f"{word} changes no file: what does it change instead?")
    return Feedback.wrong(f"Not quite: you named {', '.join(sorted(got)) or 'nothing'}.", *details)


# -- 01.3 ------------------------------------------------------------------------------------------------
def _check_2015_layers(answer) -> Feedback:
    n = _count(answer)
    if n is None:
        return _not_a_count(answer)
    model, base = _added("docker-2015")
    today, _ = _added("buildkit")
    if n == model:
        return Feedback.right(
            f"Yes: {model}. In 2015 every instruction after FROM became its own image with its own json and its "
            "own (possibly empty) layer tar: ADD, VOLUME and CMD.")
    if n == today:
        return Feedback.wrong(f"{n} is what BuildKit (and the classic builder) add today. The 2015 engine stored "
                              "EVERY instruction as its own layer, even one that changed no file.")
    if n == model + 1:
        return Feedback.wrong(f"{n} counts FROM too: FROM reuses the base image's layers and adds none.")
    if n == model + base:
        return Feedback.wrong(f"{n} is the image's total ({base} from ubuntu:14.04 plus the seed's). How many "
                              "does the seed add?")
    return Feedback.wrong(f"Not {n}. Count the instructions after FROM, and remember that in 2015 each one "
                          "became a layer.")


# -- 01.4 ------------------------------------------------------------------------------------------------
def _check_image_rows(answer) -> Feedback:
    n = _count(answer)
    if n is None:
        return _not_a_count(answer)
    table = seed_build("classic").history("seed")
    rows = [row["image"] for row in table]
    model = sum(1 for r in rows if r != "<missing>")
    own = len(parse_dockerfile(SEED).instructions) - 1
    buildkit = sum(1 for row in seed_build("buildkit").history("seed") if row["image"] != "<missing>")
    if n == model:
        return Feedback.right(
            f"Yes: {model} of {len(rows)} rows. The classic builder kept an image for each of the seed's {own} "
            "steps, and the pulled ubuntu:14.04 image is a local image too, so its top row (CMD [\"/bin/bash\"]) "
            f"shows its ID. Its {len(rows) - model} lower steps say <missing>, yet all their layers are there.")
    if n == own:
        return Feedback.wrong(f"{n} covers the seed's own steps. Which local image does the row just below them "
                              "(ubuntu's CMD [\"/bin/bash\"]) belong to?")
    if n == len(rows):
        return Feedback.wrong(f"{n} is every row. A pulled image arrives as layers plus ONE config: there is no "
                              "local image for the steps that built ubuntu:14.04, so those rows say <missing>.")
    if n == buildkit:
        return Feedback.wrong(f"{n} is what BuildKit shows: it keeps no intermediate images. The classic builder "
                              "does keep one per step.")
    return Feedback.wrong(f"Not {n}. A row shows an ID only when a local image ends at that step.")


exercise("01.1", hints=[
    "A layer exists only for a step that adds, changes or deletes files.",
    "ADD copies run.sh in. What do VOLUME and CMD change?",
    "VOLUME and CMD only edit the image config (its json).",
])(_check_added_layers)

exercise("01.2", hints=[
    "An empty_layer entry is a step that changed only the config, not the filesystem.",
    "Of ADD, VOLUME and CMD, which ones write a file?",
])(_check_empty_steps)

exercise("01.3", hints=[
    "The 2015 engine made no exception for steps that change only the json.",
    "Count the instructions after FROM.",
])(_check_2015_layers)

exercise("01.4", hints=[
    "IMAGE shows an ID when a local image ends at that step, and <missing> otherwise.",
    "The classic builder keeps an image for every step it runs.",
    "A pulled image is ONE local image, whatever history it carries.",
])(_check_image_rows)
