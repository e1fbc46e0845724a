"""Exercises of notebook 02 (the union view): lookup from the top, a file over a directory, shared layers.

>>> _check_motd("Hello from layer 1").ok, _check_srv(["/srv/data"]).ok, _check_shared("4.26MB").ok
(True, True, True)
"""

from __future__ import annotations

from functools import lru_cache

from ...engine import Engine
from ...errors import LayerlabError
from ...fs import paths
from ...fs.entries import Dir, File
from ...fs.layer import Layer
from ...fs.union import merge
from ...tables import human_size
from ..answers import byte_count, words
from ..core import Feedback, exercise


# -- the stacks of the notebook ----------------------------------------------------------------------------
@lru_cache(maxsize=None)
def motd_stack() -> tuple[Layer, Layer, Layer]:
    """Three layers: a base, a layer that rewrites /etc/motd, a layer that adds an app and its config."""
    return (
        Layer.from_spec({"/etc/motd": "Welcome to the base image\n", "/etc/hostname": "base\n",
                         "/bin/sh": File("#!busybox\n", mode=0o755)}, created_by="ADD rootfs.tar /"),
        Layer.from_spec({"/etc/motd": "Hello from layer 1\n"},
                        created_by="RUN echo 'Hello from layer 1' > /etc/motd"),
        Layer.from_spec({"/etc/app.conf": "port=8080\n", "/usr/local/bin/app": File("#!/bin/sh\n", mode=0o755)},
                        created_by="COPY app app.conf /"),
    )


@lru_cache(maxsize=None)
def replace_stack() -> tuple[Layer, Layer]:
    """Two layers: /srv/data and /opt/app are directories below; above, /opt/app stays a directory and /srv/data
    becomes a file."""
    return (
        Layer.from_spec({"/srv/data/a.txt": "a\n", "/srv/data/b.txt": "b\n", "/opt/app/config": "debug=0\n"},
                        created_by="ADD rootfs.tar /"),
        Layer.from_spec({"/opt/app/": Dir(mode=0o750), "/opt/app/plugin.so": "plugin\n",
                         "/srv/data": "just a file now\n"},
                        created_by="COPY . /"),
    )


SHARING = (
    ("api", 'FROM python:3.12-slim\nCOPY app.py /app/\nCMD ["python", "/app/app.py"]\n',
     {"app.py": "print('api')\n"}),
    ("worker", 'FROM python:3.12-slim\nCOPY worker.py /app/\nCMD ["python", "/app/worker.py"]\n',
     {"worker.py": "print('working')\n"}),
    ("web", 'FROM busybox\nCOPY index.html /www/\nCMD ["httpd", "-f", "-h", "/www"]\n',
     {"index.html": "<h1>hi</h1>\n"}),
)


@lru_cache(maxsize=None)
def sharing_engine() -> Engine:
    """An engine that built the three images of the sharing section."""
    eng = Engine()
    for tag, dockerfile, context in SHARING:
        eng.build(dockerfile, context, tag=tag)
    return eng


# -- 02.1 -------------------------------------------------------------------------------------------------
def _check_motd(answer) -> Feedback:
    layers = motd_stack()
    view = merge(list(layers))
    model = view.read("/etc/motd").decode()
    if not isinstance(answer, str):
        if isinstance(answer, int) and not isinstance(answer, bool) and answer == view.origin("/etc/motd"):
            return Feedback.wrong(f"Layer {answer} is the right layer. Now: what does its /etc/motd hold? Answer "
                                  "with the text, as a string.")
        return Feedback.wrong(f"Answer with the text that cat prints, as a string, not {answer!r}.")
    got = answer.strip()
    if got.lower().replace(" ", "") in {f"l{view.origin('/etc/motd')}", f"layer{view.origin('/etc/motd')}"}:
        return Feedback.wrong(f"{got} is the right layer. Now: what does its /etc/motd hold?")
    if got == model.strip():
        return Feedback.right(
            f"Yes: {model.strip()!r}. Lookup starts at the top: L2 has no /etc/motd, L1 has one, and the search "
            "stops there. L0's copy is still in the image, hidden below.")
    for i, layer in enumerate(layers):
        entry = layer.entries.get("/etc/motd")
        if isinstance(entry, File) and got == entry.content.read().decode().strip():
            return Feedback.wrong(
                f"That is L{i}'s copy. L1 also has /etc/motd, and lookup stops at the HIGHEST layer that has "
                "the path; the copies below it are hidden.")
    if got.lower() == model.strip().lower():
        return Feedback.right(f"Yes (mind the capitals: cat prints {model.strip()!r}).")
    return Feedback.wrong(f"cat does not print {got!r}. Which layers hold /etc/motd, and which of them is "
                          "highest?")


# -- 02.2 -------------------------------------------------------------------------------------------------
def _paths(answer, top: str) -> list[str] | None:
    items = words(answer)
    if items is None:
        return None
    out = []
    for item in items:
        if not isinstance(item, str):
            return None
        item = item.strip()
        try:
            out.append(paths.normalize(item if item.startswith("/") else f"{top}/{item}"))
        except LayerlabError:
            return None
    return out


def _check_srv(answer) -> Feedback:
    view = merge(list(replace_stack()))
    model = sorted(p for p, _ in view.walk("/srv"))
    got = _paths(answer, "/srv")
    if got is None:
        return Feedback.wrong(f"Answer with a list of paths such as [\"/srv/x\"], not {answer!r}.")
    got = sorted(set(got) - {"/srv"})
    if got == model:
        return Feedback.right(
            f"Yes: only {', '.join(model)}, a file. A file over a directory REPLACES it, children and all "
            "(SEMANTICS rule 2): a.txt and b.txt are gone without a single whiteout.",
            "/opt/app, a directory over a directory, merges instead: config from R0 and plugin.so from R1.")
    below = sorted(p for p in replace_stack()[0].entries if p.startswith("/srv/data/"))
    details = []
    kept = [p for p in got if p in below]
    if kept:
        details.append(f"{', '.join(kept)} would survive only if the two /srv/data merged. Only a directory over "
                       "a directory merges; R1's /srv/data is a file, so it replaces R0's directory and "
                       "everything in it.")
    for p in sorted(set(model) - set(got)):
        details.append(f"{p} is missing: R1 puts it there (a {view.stat(p).kind}).")
    for p in sorted(set(got) - set(model) - set(below)):
        details.append(f"no layer has {p}.")
    return Feedback.wrong(f"Not quite: you listed {got or 'nothing'}.", *details)


# -- 02.3 -------------------------------------------------------------------------------------------------
def _check_shared(answer) -> Feedback:
    eng = sharing_engine()
    row = next(r for r in eng.system_df_verbose() if r["repository"] == "web")
    img = eng.resolve_image("web")
    base = eng.resolve_image("busybox")
    shared = sum(layer.size for layer in base.layers)
    unique = img.size - shared
    n = byte_count(answer)
    if n is None:
        return Feedback.wrong(f"Answer with a size such as \"12B\" or \"4.26MB\" (or a number of bytes), not "
                              f"{answer!r}.")
    close = human_size(n) == row["shared_size"] or abs(n - shared) <= shared * 0.01
    if close:
        return Feedback.right(
            f"Yes: {row['shared_size']}. web's busybox layer ({shared:,} bytes) is also used by the busybox:latest "
            "image, which the build pulled into the engine. Only the COPY layer "
            f"({human_size(unique)}) is web's alone.")
    if n == 0:
        return Feedback.wrong("web is the only image you BUILT from busybox, but the build pulled busybox:latest "
                              "itself into the engine: `docker images` lists it. Does it use the same layer?")
    if n == unique or human_size(n) == human_size(unique):
        return Feedback.wrong(f"{human_size(unique)} is the UNIQUE SIZE: the COPY layer only web has. SHARED "
                              "SIZE counts the layers that some other image uses too.")
    python = eng.resolve_image("python:3.12-slim").size
    if abs(n - python) <= python * 0.01:
        return Feedback.wrong("That is the size of the python:3.12-slim layers that api and worker share. web is "
                              "built FROM busybox.")
    return Feedback.wrong(f"Not {human_size(n)}. Which of web's layers does another image in the engine also "
                          "use, and how big is it?")


exercise("02.1", hints=[
    "Look for /etc/motd in L2 first, then L1, then L0.",
    "The first layer (from the top) that has the path supplies it; the search stops there.",
])(_check_motd)

exercise("02.2", hints=[
    "In R1, /srv/data is a regular file.",
    "Only a directory over a directory merges; any other combination replaces the lower path (SEMANTICS rule 2).",
    "Replacing a directory removes it with everything in it.",
])(_check_srv)

exercise("02.3", hints=[
    "SHARED SIZE adds up the layers of web that another image in the engine also uses.",
    "`docker images` lists every image in the engine, including the ones the builds pulled.",
    "web is busybox's layer plus one small COPY layer.",
])(_check_shared)
