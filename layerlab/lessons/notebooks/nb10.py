"""Exercises of notebook 10 (slimming images): the cost of chmod then rm, a .dockerignore, a squashed image."""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from typing import Any

from ...analysis import wasted_bytes
from ...engine import Engine
from ...fs.content import Synthetic
from ..answers import byte_count, words
from ..core import Feedback, exercise

# -- 10.1: a .dockerignore ----------------------------------------------------------------------------------
IGNORE_FILE = ".git\nnotes\ntests/\n*.md\n!README.md\n"
IGNORE_CONTEXT = {
    "app.py": "print('hello')\n", "requirements.txt": "flask\n", "README.md": "# app\n", "CHANGES.md": "v1: first\n",
    "docs/guide.md": "How to use the app.\n", ".git/HEAD": "ref: refs/heads/main\n", ".git/config": "[core]\n",
    "notes/todo.txt": "ship it\n", "tests/test_app.py": "def test_app():\n    pass\n", ".dockerignore": IGNORE_FILE,
}
IGNORE_DOCKERFILE = "FROM busybox\nCOPY . /app\n"

# -- 10.2: COPY, chmod, rm ----------------------------------------------------------------------------------
CHMOD_THEN_RM = ("FROM busybox\nCOPY data.bin /opt/data.bin\nRUN chmod 600 /opt/data.bin\n"
                 "RUN rm /opt/data.bin\n")
CHMOD_CONTEXT = {"data.bin": Synthetic(1_000_000, "nb10/data")}

# -- 10.3: the naive build, flattened (the notebook's "naive" variant, built by the classic builder) ----------
APP_CONTEXT = {
    "build.sh": "#!/bin/sh\nmkdir -p /out\ndd if=/dev/zero of=/out/app bs=1k count=5000 2>/dev/null\n",
    "README.md": "# app\n",
    ".git/objects/pack/pack-1.pack": Synthetic(3_000_000, "nb10/git-pack"),
    "notes/dataset.csv": Synthetic(2_000_000, "nb10/dataset"),
}
NAIVE = """FROM debian:bookworm-slim
RUN apt-get update
RUN apt-get install -y make curl
COPY . /src
RUN sh /src/build.sh
RUN chmod 755 /out/app
RUN rm -rf /var/lib/apt/lists/*
CMD ["/out/app"]
"""
MULTI_STAGE = """FROM debian:bookworm-slim AS build
RUN apt-get update && apt-get install -y make curl && rm -rf /var/lib/apt/lists/*
COPY build.sh /src/build.sh
RUN sh /src/build.sh

FROM debian:bookworm-slim
COPY --from=build --chmod=755 /out/app /usr/local/bin/app
CMD ["app"]
"""


@lru_cache(maxsize=None)
def chmod_model() -> int:
    """Wasted bytes of CHMOD_THEN_RM."""
    return wasted_bytes(Engine().build(CHMOD_THEN_RM, CHMOD_CONTEXT))


@lru_cache(maxsize=None)
def ignore_model() -> frozenset[str]:
    """The files under /app (relative to it) after COPY . with IGNORE_FILE."""
    img = Engine().build(IGNORE_DOCKERFILE, IGNORE_CONTEXT)
    return frozenset(p[len("/app/"):] for p, e in img.rootfs.walk("/app") if e.kind == "file")


@lru_cache(maxsize=None)
def squash_model() -> tuple[int, int, int, int]:
    """(squashed size, naive size, naive wasted bytes, multi-stage size)."""
    eng = Engine()
    naive = eng.build(NAIVE, APP_CONTEXT, tag="app:classic", profile="classic")
    c = eng.run("app:classic", "true", name="flattener")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "flat.tar")
        eng.export(c, path)
        flat = eng.import_(path, "app:squashed")
    multi = eng.build(MULTI_STAGE, APP_CONTEXT)
    return flat.size, naive.size, wasted_bytes(naive), multi.size


def _close(value: int, target: int, tolerance: float) -> bool:
    return abs(value - target) <= tolerance * max(target, 1)


# -- 10.1 -----------------------------------------------------------------------------------------------------
def _files(answer: Any) -> set[str] | None:
    items = words(answer)
    if items is None:
        return None
    out = set()
    for p in items:
        for prefix in ("/app/", "app/", "./", "/"):
            if p.startswith(prefix):
                p = p[len(prefix):]
        out.add(p.rstrip("/"))
    return out


@exercise("10.1", hints=[
    "Take the context file by file and run down the .dockerignore: the LAST line that matches a file decides.",
    "Patterns are anchored at the root of the context, like paths: `*.md` matches README.md and CHANGES.md, "
    "not docs/guide.md (that would need `**/*.md`).",
    "The .dockerignore file is part of the context too.",
])
def _ignore(answer):
    want = set(ignore_model())
    got = _files(answer)
    if got is None:
        return Feedback.wrong("Answer with a list or set of the files under /app, such as ['app.py', ...] (paths "
                              "relative to /app, or starting with /app/).")
    got.discard("")
    if got == want:
        return Feedback.right(f"Yes: {', '.join(sorted(want))}. `*.md` is anchored at the context root, "
                              "`!README.md` brings one back, and the .dockerignore itself is copied.")
    details = []
    for p in sorted(want - got):
        if p == ".dockerignore":
            details.append(".dockerignore is missing: it is part of the context, and COPY . copies it unless the "
                           "file lists itself")
        elif p == "docs/guide.md":
            details.append("docs/guide.md is missing: `*.md` matches at the top of the context only, so it keeps "
                           "docs/guide.md (`**/*.md` would exclude it)")
        elif p == "README.md":
            details.append("README.md is missing: the later line `!README.md` re-includes it")
        else:
            details.append(f"{p} is missing: no line of the .dockerignore matches it")
    for p in sorted(got - want):
        top = p.split("/", 1)[0]
        if top in (".git", "notes", "tests"):
            details.append(f"{p} is not copied: the line `{top}` excludes the directory and everything under it")
        elif p == "CHANGES.md":
            details.append("CHANGES.md is not copied: `*.md` excludes it and nothing brings it back")
        elif p in IGNORE_CONTEXT:
            details.append(f"{p} is excluded by the .dockerignore")
        else:
            details.append(f"{p} is not in the build context at all")
    return Feedback.wrong("Not quite.", *details)


# -- 10.2 -----------------------------------------------------------------------------------------------------
@exercise("10.2", hints=[
    "Count the bytes each layer ships: the COPY layer, the chmod layer and the rm layer.",
    "chmod changes only metadata, but a lower file is copied up WHOLE before its mode changes (SEMANTICS 13).",
    "The rm layer holds only a whiteout (0 bytes), and it hides every lower copy of the file.",
])
def _chmod(answer):
    model = chmod_model()
    value = byte_count(answer)
    if value is None:
        return Feedback.wrong("Answer with a number of bytes (2500000) or a size with a unit ('2.5MB').")
    if _close(value, model, 0.01):
        return Feedback.right(f"Yes: {model:,} bytes. The COPY layer ships the 1 MB file, the chmod layer ships a "
                              "second whole copy, and the rm layer's whiteout hides both: the image is 2 MB bigger "
                              "than busybox, and no container can see a byte of it.")
    if value == 0:
        return Feedback.wrong("Not 0: deleting a file in a later layer never removes it from the layers below.",
                              "The rm layer only adds a whiteout; the lower layers still ship their copies.")
    if _close(value, model // 2, 0.05):
        return Feedback.wrong(f"Not {value:,}: you counted the COPY's 1 MB copy.",
                              "chmod is not free: the whole file is copied up into the chmod layer first, so "
                              "there are two hidden copies.")
    if _close(value, model * 3 // 2, 0.05):
        return Feedback.wrong(f"Not {value:,}: the rm layer ships no bytes, only a whiteout.",
                              "Count the copies: one in the COPY layer, one in the chmod layer.")
    return Feedback.wrong(f"Not {value:,}.", "Add up the copies of /opt/data.bin that the final whiteout hides: "
                          "each is 1,000,000 bytes.")


# -- 10.3 -----------------------------------------------------------------------------------------------------
@exercise("10.3", hints=[
    "`docker export` writes the container's merged view: exactly what a process sees, one copy of each path.",
    "What a process cannot see are the hidden copies: the naive image's wasted bytes.",
    "So the flattened image is about the naive size minus the naive wasted bytes (the init layer's empty "
    "placeholders for /etc/hosts, /etc/hostname and /etc/resolv.conf change it by a few bytes).",
])
def _squash(answer):
    flat, naive, wasted, multi = squash_model()
    value = byte_count(answer)
    if value is None:
        return Feedback.wrong("Answer with a number of bytes or a size with a unit, such as '90MB'.")
    if _close(value, flat, 0.01):
        rest = naive - wasted - flat
        return Feedback.right(f"Yes: {flat:,} bytes: the naive {naive:,} minus its {wasted:,} wasted bytes "
                              f"(and {rest:,} bytes fewer again, because the export holds the init layer's empty "
                              "/etc/hostname and /etc/resolv.conf over the image's own and adds /etc/mtab).",
                              "Flattening drops the hidden copies, but make, curl, .git and notes/ are all still "
                              f"there: the multi-stage image is {multi:,} bytes.")
    if _close(value, naive, 0.01):
        return Feedback.wrong("That is the naive image's size: a flat export keeps one copy of each visible path, "
                              "not every layer's copies.", f"The naive image hides {wasted:,} bytes.")
    if _close(value, multi, 0.02):
        return Feedback.wrong("That is the multi-stage image: flattening removes only hidden copies, so the "
                              "build tools, .git and notes/ stay.")
    if value > naive:
        return Feedback.wrong(f"Not {value:,}: flattening never adds bytes.",
                              "Start from the naive size and take away what no container can see.")
    return Feedback.wrong(f"Not {value:,}.", f"The naive image is {naive:,} bytes and hides {wasted:,}: what "
                          "does a flat copy of its merged view keep?")
