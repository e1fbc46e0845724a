"""Exercises of notebook 11 (your own images), on the sample image buildah built (notebooks/data)."""

from __future__ import annotations

import pathlib
import re
from functools import lru_cache
from typing import Any

from ...analysis import wasted_files
from ..answers import byte_count
from ..core import Feedback, exercise

SAMPLE = pathlib.Path(__file__).resolve().parents[3] / "notebooks" / "data" / "sample-buildah.tar"
DELETED = "/app/data.bin"


@lru_cache(maxsize=None)
def sample_model() -> dict:
    """What the checks compare with: wasted files, the layer whose whiteout deletes DELETED, layer count.

    Read from the sample archive when it is there (a source checkout); the figures it holds otherwise.
    """
    if SAMPLE.exists():
        from ...formats import load_image

        img = load_image(SAMPLE)
        wasted = {w.path: w for w in wasted_files(img)}
        deleted_by = next(o.by for o in wasted[DELETED].occurrences if o.how == "deleted")
        shipped_in = wasted[DELETED].layers[0]
        return {"wasted": {p: w.size for p, w in wasted.items()}, "deleted_by": deleted_by,
                "shipped_in": shipped_in, "layers": len(img.layers),
                "created_by": [layer.created_by for layer in img.layers]}
    return {"wasted": {"/app/data.bin": 300_000, "/app/run.sh": 71}, "deleted_by": 2, "shipped_in": 1, "layers": 6,
            "created_by": ["ADD busybox rootfs /", "", "/bin/sh -c rm /app/data.bin", "", "", ""]}


# -- 11.1 -----------------------------------------------------------------------------------------------------
@exercise("11.1", hints=[
    "`docker history` prints <missing> in the IMAGE column when no LOCAL image matches that step.",
    "A loaded archive brings one image (the top one) and all of its layers: check `len(sample.layers)` against "
    "the config's `rootfs.diff_ids`.",
])
def _missing(answer):
    if isinstance(answer, bool) or not isinstance(answer, (int, str)):
        return Feedback.wrong("Answer with a number of layers, such as 0, 1 or 8.")
    try:
        value = int(str(answer).strip())
    except ValueError:
        return Feedback.wrong("Answer with a number of layers, such as 0, 1 or 8.")
    layers = sample_model()["layers"]
    if value == 0:
        return Feedback.right(f"Yes: none. All {layers} layers are in the archive, each checked against its DiffID "
                              "when it was loaded. <missing> only means there is no local image ID for that step: "
                              "buildah's intermediate images stayed on the machine that built it.")
    return Feedback.wrong(f"Not {value}: <missing> is not about layers.",
                          "It means no local image matches that step. Every layer the config lists was loaded and "
                          "its digest checked, or load_image would have refused the file.")


# -- 11.2 -----------------------------------------------------------------------------------------------------
def _layer_index(answer: Any, created_by: list[str]) -> int | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int):
        return answer
    if isinstance(answer, str):
        text = answer.strip()
        m = re.fullmatch(r"(?:L|layer\s*)?(\d+)", text, flags=re.IGNORECASE)
        if m:
            return int(m.group(1))
        words = text.lower().removeprefix("run ").strip()
        for i, c in enumerate(created_by):
            if len(words) >= 4 and words in c.lower():
                return i
    return None


@exercise("11.2", hints=[
    "The bytes of /app/data.bin are in the layer that added it; the delete is a whiteout in another layer.",
    "Look for the member `app/.wh.data.bin`: `changeset_table(sample, i)` lists a layer's tar members, and "
    "`merged_tree(sample, '/app', changes=True)` says where the whiteout is.",
    "Layers are numbered from 0, the base, as in L0, L1, ...",
])
def _deletes(answer):
    model = sample_model()
    index = _layer_index(answer, model["created_by"])
    if index is None:
        return Feedback.wrong("Answer with the layer's index, such as 3 or 'L3' (layers count from 0 at the base).")
    if index == model["deleted_by"]:
        return Feedback.right(f"Yes: layer {index} holds the whiteout app/.wh.data.bin. The 300,000 bytes stay in "
                              f"layer {model['shipped_in']}, which every pull still downloads.")
    if index == model["shipped_in"]:
        return Feedback.wrong(f"Layer {index} is where the file's bytes are: it ADDS /app/data.bin.",
                              "Which later layer holds the whiteout that hides it?")
    if not 0 <= index < model["layers"]:
        return Feedback.wrong(f"The sample has {model['layers']} layers, L0 to L{model['layers'] - 1}.")
    return Feedback.wrong(f"Layer {index} does not touch /app/data.bin.",
                          "Look for the layer whose changeset holds a whiteout member.")


# -- 11.3 -----------------------------------------------------------------------------------------------------
@exercise("11.3", hints=[
    "Wasted bytes are copies a later layer hides: by a whiteout (a delete) or by a new copy of the same path.",
    "Look at the history: one step deletes a file that an earlier step added, and one step changes a mode.",
    "The chmod layer holds a whole new copy of /app/run.sh, so the COPY layer's copy is hidden too.",
])
def _wasted(answer):
    model = sample_model()["wasted"]
    total = sum(model.values())
    value = byte_count(answer)
    if value is None:
        return Feedback.wrong("Answer with a number of bytes, such as 123456, or a size with a unit ('123kB').")
    if value == total:
        parts = " + ".join(f"{size:,} ({path})" for path, size in sorted(model.items(), key=lambda kv: -kv[1]))
        return Feedback.right(f"Yes: {parts} = {total:,} bytes.")
    big = model.get(DELETED, 0)
    small = total - big
    if value == 0:
        return Feedback.wrong("Not 0: the image deletes a file, and deleting never removes the bytes from the layer "
                              "that added them.")
    if value == big:
        return Feedback.wrong(f"Close: {big:,} is the deleted data file. One more copy is hidden.",
                              "`RUN chmod 755 /app/run.sh` copied the whole script into a new layer: the COPY "
                              "layer's copy is hidden by it.")
    if value == small:
        return Feedback.wrong(f"{small:,} is the hidden copy of run.sh; what about the file the image deletes?")
    if value == big + 2 * small:
        return Feedback.wrong("One copy too many: the chmod layer's copy of run.sh is the one containers see, so only "
                              "the COPY layer's copy is wasted.")
    if abs(value - total) <= 0.01 * total:
        return Feedback.wrong(f"Close, but the tools count exact bytes: {value:,} is not it.",
                              "Add the exact sizes of the hidden copies (the history table shows layer sizes).")
    return Feedback.wrong(f"Not {value:,}.", "Find the copies later layers hide: one deleted file and one file "
                          "replaced by a chmod.")
