"""Exercises of notebook 07 (docker save versus docker export).

07.1 predicts how many layer tars `docker save` writes for an image; 07.2 predicts whether the whiteout of a
deleted file survives `docker export`.

>>> _check_layer_count(4).ok, _check_layer_count(7).ok
(True, False)
>>> _check_whiteout(False).ok, _check_whiteout("yes").ok
(True, False)
"""

from __future__ import annotations

import re
from functools import lru_cache

from ...engine import Engine
from ...fs.entries import File
from ...image.model import Image
from ..core import Feedback, exercise

EX1_DOCKERFILE = """FROM busybox
ENV MODE=prod
COPY app.sh /app/app.sh
RUN chmod 755 /app/app.sh
LABEL team=blue
RUN echo ready > /app/status
CMD ["/app/app.sh"]
"""
EX1_CONTEXT = {"app.sh": File(b"#!/bin/sh\necho hello\n", mode=0o644)}


@lru_cache(maxsize=None)
def layer_model() -> tuple[int, int, int, int]:
    """Exercise 07.1: (layer tars, base image layers, instructions after FROM, blobs in the OCI layout)."""
    eng = Engine()
    img = eng.build(EX1_DOCKERFILE, EX1_CONTEXT, tag="ex1")
    base = len(eng.resolve_image("busybox").layers)
    instructions = sum(1 for line in EX1_DOCKERFILE.splitlines() if line.strip() and not line.startswith("FROM"))
    blobs = len({layer.diff_id for layer in img.layers}) + 2   # + the config and the manifest
    return len(img.layers), base, instructions, blobs


def _as_int(answer) -> int | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int):
        return answer
    if isinstance(answer, str) and answer.strip().isdigit():
        return int(answer.strip())
    return None


def _check_layer_count(answer) -> Feedback:
    layers, base, instructions, blobs = layer_model()
    if isinstance(answer, Image):
        n = len(answer.layers)
    else:
        n = _as_int(answer)
    if n is None:
        return Feedback.wrong(f"Answer with a whole number of layer tars, such as 3 (you gave {answer!r}).")
    if n == layers:
        return Feedback.right(
            f"Yes: {layers} layer tars - {base} from busybox, then one each for COPY, RUN chmod and RUN echo.",
            "ENV, LABEL and CMD only change the config: they are empty_layer entries in the history, and a save "
            "writes no tar for them.")
    details = []
    if n in (instructions, instructions + 1):
        which = "every instruction after FROM" if n == instructions else "every instruction, FROM included,"
        details.append(f"{n} counts {which} as a layer. ENV, LABEL and CMD change only the image config "
                       "(empty_layer history entries): no layer tar.")
    if n == blobs:
        details.append(f"{blobs} is also the number of blobs in the OCI layout: the layers plus the config and "
                       "the manifest. The question asks for the layers only.")
    if details:
        return Feedback.wrong(f"Not {n}.", *details)
    if n == layers - base:
        details.append(f"the {base} layer of the base image is saved too: `docker save` writes every layer the "
                       "image needs, so that `docker load` works on a machine that has nothing.")
    elif n < layers:
        details.append("count the base image's layer and each instruction that changes files.")
    else:
        details.append("only instructions that change files make a layer.")
    return Feedback.wrong(f"Not {n}.", *details)


exercise("07.1", hints=[
    "A save holds every layer of the image, the base image's included.",
    "Which instructions change files, and which change only the config (ENV, LABEL, CMD)?",
])(_check_layer_count)


# -- 07.2 --------------------------------------------------------------------------------------------------------
_NO = {"no", "n", "false", "gone", "dropped", "lost", "absent", "it does not", "does not", "doesn't", "nope"}
_YES = {"yes", "y", "true", "kept", "survives", "it survives", "it does", "present"}


def _check_whiteout(answer) -> Feedback:
    if isinstance(answer, str):
        word = re.sub(r"[.!]+$", "", answer.strip().lower())
        verdict = False if word in _NO else True if word in _YES else None
    elif isinstance(answer, (bool, int)) and answer in (0, 1):
        verdict = bool(answer)
    else:
        verdict = None
    if verdict is None:
        return Feedback.wrong(f"Answer True (the whiteout survives) or False (it does not), not {answer!r}.")
    if verdict is False:
        return Feedback.right(
            "Right: no .wh. file survives. `docker export` walks the merged view, where the deleted file is "
            "simply absent; whiteouts only make sense on top of a lower layer, and an export has none.",
            "So the tar cannot say that /etc/motd was ever there, nor that it was deleted.")
    return Feedback.wrong(
        "No: an export has no layers, so it has nothing for a whiteout to hide. It is one flat tar of the merged "
        "view, and in the merged view the deleted file is simply absent (SEMANTICS 23).")


exercise("07.2", hints=[
    "A whiteout hides a file in a LOWER layer. How many layers does an exported tar have?",
    "`docker export` writes what the container sees: its merged view.",
])(_check_whiteout)
