"""What the views say about the model: short instructions and digests, the base image, the rows of a stack.

Plain Python over layerlab's values (no plotting library), shared by the text
views and the pictures so both always tell the same story.

>>> short_instruction('/bin/sh -c #(nop)  CMD ["/bin/bash"]')
'CMD ["/bin/bash"]'
>>> short_digest("sha256:6bbe51bbca6ffb8fbc5a8a7ebca5b487dbdd92ad760220eadf0f56ec789ddebe")
'6bbe51bbca6f'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from ..fs import paths
from ..fs.entries import Dir, File, HardLink, Opaque, Symlink, Whiteout
from ..fs.layer import Layer
from ..image.model import HistoryEntry, Image
from ..tables import human_size

NOP = "/bin/sh -c #(nop)"
SH = "/bin/sh -c "
_DIGEST = re.compile(r"\b((?:sha256:|file:|dir:|multi:)?)([0-9a-f]{64})\b")
_ARGS_PREFIX = re.compile(r"^\|\d+ (?:\S+=\S* )*")

# The config field each metadata instruction changes (what an empty_layer step records).
CONFIG_FIELDS = {"CMD": "Cmd", "ENTRYPOINT": "Entrypoint", "ENV": "Env", "LABEL": "Labels", "EXPOSE": "ExposedPorts",
                 "USER": "User", "VOLUME": "Volumes", "WORKDIR": "WorkingDir", "STOPSIGNAL": "StopSignal",
                 "SHELL": "Shell", "HEALTHCHECK": "Healthcheck", "ONBUILD": "OnBuild", "MAINTAINER": "Author",
                 "ARG": "build args only", "RUN": "nothing: the command changed no file"}


# -- words and numbers --------------------------------------------------------------------------------
def short_digest(digest: str | None, n: int = 12) -> str:
    """The first n hex digits of a 'sha256:...' digest, as docker prints IDs ('' for None).

    >>> short_digest("sha256:" + "ab" * 32, 8)
    'abababab'
    """
    if not digest:
        return ""
    return digest.split(":", 1)[-1][:n]


def size_text(n: int) -> str:
    """Docker's decimal units with a space, for pictures.

    >>> size_text(0), size_text(30), size_text(196_594_737)
    ('0 B', '30 B', '197 MB')
    """
    text = human_size(n)
    return re.sub(r"^([\d.]+)(\D+)$", r"\1 \2", text)


def count_text(n: int, word: str) -> str:
    """'1 file', '12,112 files'.

    >>> count_text(1, "file"), count_text(12112, "entry")
    ('1 file', '12,112 entries')
    """
    plural = word[:-1] + "ies" if word.endswith("y") else word + "s"
    return f"{n:,} {word if n == 1 else plural}"


def fit(text: str, width: int) -> str:
    """text cut to width characters with '…' when longer.

    >>> fit("RUN apt-get update", 10)
    'RUN apt-g…'
    """
    if width <= 0:
        return ""
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def short_instruction(created_by: str, width: int | None = None) -> str:
    """A history `created_by` as the Dockerfile line a learner wrote: no '/bin/sh -c #(nop)', '# buildkit' or
    64-digit hashes, whitespace collapsed, cut to width.

    >>> short_instruction("/bin/sh -c #(nop) ADD file:" + "276b5d943a4d" * 5 + "8c4c in / ")
    'ADD file:276b5d943a4d… in /'
    >>> short_instruction("/bin/sh -c set -xe \\t\\t&& echo '#!/bin/sh' > /usr/sbin/policy-rc.d", width=30)
    "RUN set -xe && echo '#!/bin/s…"
    >>> short_instruction("RUN /bin/sh -c apt-get update # buildkit"), short_instruction("ADD run.sh / # buildkit")
    ('RUN apt-get update', 'ADD run.sh /')
    """
    text = created_by.strip()
    if text.endswith("# buildkit"):
        text = text[:-len("# buildkit")].rstrip()
    if text.startswith(NOP):
        text = text[len(NOP):].strip()
    elif text.startswith("|") and SH in text and _ARGS_PREFIX.match(text):
        text = "RUN " + text[_ARGS_PREFIX.match(text).end():].removeprefix(SH)
    elif text.startswith(SH):
        text = "RUN " + text[len(SH):]
    elif text.startswith("RUN " + SH):
        text = "RUN " + text[len("RUN " + SH):]
    text = _DIGEST.sub(lambda m: m.group(1) + m.group(2)[:12] + "…", text)
    text = " ".join(text.split())
    return fit(text, width) if width else text


def keyword(instruction: str) -> str:
    """The Dockerfile keyword of a shortened instruction ('' when it has none).

    >>> keyword('CMD ["./run.sh"]'), keyword("# debian.sh --arch amd64")
    ('CMD', '')
    """
    word = instruction.split(" ", 1)[0]
    return word if word.isupper() and word.isalpha() else ""


def config_note(instruction: str) -> str:
    """What an empty_layer step changed, for a label.

    >>> config_note('VOLUME [/data]')
    'empty_layer: config only (Volumes)'
    """
    field = CONFIG_FIELDS.get(keyword(instruction))
    return f"empty_layer: config only ({field})" if field else "empty_layer: config only"


# -- what a layer holds ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Item:
    """One path of a changeset, classified against the tree below it."""

    kind: str        # 'added', 'modified', 'copied up', 'whiteout', 'opaque' or 'dir' (an unchanged parent)
    path: str
    size: int = 0
    entry: object = None

    def __str__(self) -> str:
        if self.kind == "whiteout":
            return f"whiteout {self.path}"
        if self.kind == "opaque":
            return f"opaque {self.path}/"
        if isinstance(self.entry, Dir):
            return f"{self.kind} {self.path}/"
        return f"{self.kind} {self.path} ({size_text(self.size)})"


def classify(layer: Layer, lower=None, copy_ups: Iterable = ()) -> list[Item]:
    """Every path of a layer as added / modified / copied up / whiteout / opaque / dir, parents first.

    lower is the Snapshot the layer sits on (None: everything counts as added).

    >>> from layerlab import merge, WHITEOUT
    >>> base = merge([Layer.from_spec({"/etc/motd": "hi", "/etc/issue": "x"})])
    >>> [str(i) for i in classify(Layer.from_spec({"/etc/motd": WHITEOUT, "/etc/issue": "yy", "/new": "1"}), base)]
    ['modified /etc/issue (2 B)', 'whiteout /etc/motd', 'added /new (1 B)']
    """
    copied = {c.path: c.size for c in copy_ups}
    items = []
    for path, entry in layer.entries.items():
        below = lower.get(path) if lower is not None else None
        if isinstance(entry, Whiteout):
            items.append(Item("whiteout", path, 0, entry))
        elif isinstance(entry, Opaque):
            items.append(Item("opaque", path, 0, entry))
        elif isinstance(entry, Dir):
            items.append(Item("dir" if isinstance(below, Dir) else "added", path, 0, entry))
        else:
            size = entry.size if isinstance(entry, (File, Symlink)) else 0
            if path in copied:
                kind = "copied up"
            elif below is not None:
                kind = "modified"
            else:
                kind = "added"
            items.append(Item(kind, path, size, entry))
    return items


def highlights(layer: Layer, lower=None, copy_ups: Iterable = (), limit: int = 3) -> tuple[list[Item], int]:
    """The few paths worth naming in a picture (changes first, parents left out) and how many more there are.

    >>> from layerlab import merge, WHITEOUT
    >>> items, more = highlights(Layer.from_spec({"/etc/motd": WHITEOUT, "/etc/conf": "x"}),
    ...                          merge([Layer.from_spec({"/etc/motd": "hi"})]))
    >>> [str(i) for i in items], more
    (['added /etc/conf (1 B)', 'whiteout /etc/motd'], 0)
    """
    items = classify(layer, lower, copy_ups)
    has_child = {paths.parent(i.path) for i in items}
    order = {"copied up": 0, "modified": 1, "added": 2, "whiteout": 3, "opaque": 4}
    chosen = [i for i in items if i.kind != "dir" and not (isinstance(i.entry, Dir) and i.kind == "added"
                                                            and i.path in has_child)]
    chosen.sort(key=lambda i: (order.get(i.kind, 9), paths.sort_key(i.path)))
    return chosen[:limit], max(0, len(chosen) - limit)


_SIZES: dict[int, tuple[Layer, int]] = {}


def layer_size(layer: Layer) -> int:
    """layer.size, remembered: a base layer of 13,000 entries takes milliseconds to add up, and a widget redraws
    the same layers again and again (layers are immutable, so the number never changes).

    >>> layer_size(Layer.from_spec({"/a": "12"}))
    2
    """
    hit = _SIZES.get(id(layer))
    if hit is not None and hit[0] is layer:
        return hit[1]
    if len(_SIZES) >= 1024:
        _SIZES.clear()
    size = layer.size
    _SIZES[id(layer)] = (layer, size)
    return size


def image_size(image: Image) -> int:
    """Image.size (the sum of its layers' sizes), from the remembered layer sizes."""
    return sum(layer_size(layer) for layer in image.layers)


# -- the base image ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Base:
    """The image a stack was built FROM: its name and how many history entries and layers it contributes."""

    name: str
    history: int
    layers: int

    @property
    def config_steps(self) -> int:
        return self.history - self.layers


def _key(h: HistoryEntry) -> tuple:
    return (h.created_by, h.empty_layer, h.created)


@lru_cache(maxsize=1)
def _catalog_histories() -> tuple[tuple[str, tuple], ...]:
    """(reference, history keys) of the built-in base images, read without loading their layers."""
    try:
        from ..image.bases import _IMAGES
    except ImportError:  # pragma: no cover - the catalog moved
        return ()
    out = []
    try:
        for ref, spec in _IMAGES.items():
            history = tuple(_key(HistoryEntry.from_json(h)) for h in spec.get("history") or ())
            if history:
                out.append((ref, history))
    except (AttributeError, TypeError, KeyError):  # pragma: no cover - the catalog changed shape
        return ()
    return tuple(out)


def find_base(image: Image, engine=None, base="auto") -> Base | None:
    """The base image of an image: given (an Image, a reference), or found ("auto") as the longest tagged
    image of the engine, or built-in base image, whose history is a proper prefix of this one's.

    >>> from layerlab import Engine
    >>> eng = Engine()
    >>> img = eng.build("FROM busybox\\nCOPY a /a\\n", {"a": "1"})
    >>> find_base(img)
    Base(name='busybox:latest', history=1, layers=1)
    >>> find_base(img, base=None) is None
    True
    """
    if base is None or base is False:
        return None
    history = tuple(_key(h) for h in image.history)
    if isinstance(base, Image) or (isinstance(base, str) and base != "auto"):
        if isinstance(base, str):
            if engine is None:
                from ..engine import catalog_image
                other = catalog_image(_canonical(base))
            else:
                other = engine.resolve_image(base, pull=False)
            name = base
        else:
            other = base
            name = _name_in(engine, other) or other.short_id
        n = len(other.history)
        if n >= len(history) or history[:n] != tuple(_key(h) for h in other.history):
            return None
        return Base(name, n, len(other.layers))
    best: Base | None = None
    if engine is not None:
        chains = image.chain_ids
        for image_id, other in engine.images.items():
            tags = engine.tags_of(image_id)
            n = len(other.history)
            if not tags or not n or n >= len(history) or (best and n <= best.history):
                continue
            if history[:n] != tuple(_key(h) for h in other.history):
                continue
            if other.layers and chains[:len(other.layers)] != other.chain_ids:
                continue
            best = Base(tags[0], n, len(other.layers))
    for ref, keys in _catalog_histories():
        n = len(keys)
        if n < len(history) and history[:n] == keys and (best is None or n > best.history):
            layers = sum(1 for k in keys if not k[1])
            if layers <= len(image.layers):
                best = Base(ref, n, layers)
    return best


def _canonical(ref: str) -> str:
    from ..image.bases import canonical_reference
    return canonical_reference(ref)


def _name_in(engine, image: Image) -> str:
    if engine is None:
        return ""
    tags = engine.tags_of(image.id)
    return tags[0] if tags else ""


# -- the rows of a stack, top first --------------------------------------------------------------------------
@dataclass(frozen=True)
class StackRow:
    """One band of a layer stack: a read-write, init, image or base layer, or a config-only step."""

    role: str                     # 'rw', 'init', 'layer', 'config', 'base'
    label: str                    # 'rw', 'init', 'L4', '-' or 'base'
    instruction: str              # the step as a learner wrote it (shortened created_by)
    size: int = 0
    diff_id: str | None = None
    chain_id: str | None = None
    layer: Layer | None = None
    history: HistoryEntry | None = None
    index: int | None = None      # the image layer's index, base = 0
    layers: int = 0               # for 'base': how many layers it stands for
    steps: int = 0                # for 'base': how many history entries
    entries: int = 0              # paths in the layer(s)
    name: str = ""                # for 'base': the base image's reference

    @property
    def is_layer(self) -> bool:
        return self.role != "config"


def steps_of(image: Image) -> list[tuple[HistoryEntry | None, Layer | None, int | None]]:
    """(history entry, layer, layer index) base first; empty_layer entries have no layer.

    An image whose history does not match its layers (an import, a hand-made image) gets one step per layer.
    """
    hist = image.history
    if not hist or sum(1 for h in hist if not h.empty_layer) != len(image.layers):
        return [(None, layer, i) for i, layer in enumerate(image.layers)]
    out, layers = [], iter(enumerate(image.layers))
    for h in hist:
        if h.empty_layer:
            out.append((h, None, None))
        else:
            i, layer = next(layers)
            out.append((h, layer, i))
    return out


def is_container(obj) -> bool:
    """True for a Container (it has an init layer and a read-write tree)."""
    return hasattr(obj, "rootfs") and hasattr(obj, "init") and hasattr(obj, "image")


def image_rows(image: Image, *, base: Base | None = None, every_step_a_layer: bool = False) -> list[StackRow]:
    """The rows of an image, top first; the base's steps folded into one 'base' row when base is given.

    every_step_a_layer draws the image as Docker 1.x (2015) stored it: each config step its own 0-byte layer.

    >>> from layerlab import Layer, HistoryEntry, Image
    >>> img = Image(layers=(Layer.from_spec({"/a": "1"}),), history=(HistoryEntry("COPY a /"), HistoryEntry(
    ...     'CMD ["sh"]', empty_layer=True)))
    >>> [(r.label, r.instruction, r.role) for r in image_rows(img)]
    [('-', 'CMD ["sh"]', 'config'), ('L0', 'COPY a /', 'layer')]
    """
    steps = steps_of(image)
    chains = image.chain_ids if image.layers else []
    rows: list[StackRow] = []
    start = 0
    if base is not None and 0 < base.history <= len(steps):
        folded = steps[:base.history]
        layers = [layer for _, layer, _ in folded if layer is not None]
        top = base.layers - 1
        rows.append(StackRow("base", "base", f"FROM {base.name}", sum(layer_size(l) for l in layers),
                             image.diff_ids[top] if top >= 0 else None, chains[top] if top >= 0 else None,
                             None, None, None, base.layers, base.history, sum(len(l) for l in layers), base.name))
        start = base.history
    for h, layer, i in steps[start:]:
        text = short_instruction(h.created_by if h is not None else layer.created_by)
        if layer is None:
            role = "layer" if every_step_a_layer else "config"
            rows.append(StackRow(role, "-", text, 0, None, None, None, h))
        else:
            rows.append(StackRow("layer", f"L{i}", text or "(no created_by)", layer_size(layer), layer.diff_id,
                                 chains[i],
                                 layer, h, i, entries=len(layer)))
    rows.reverse()
    return rows


def container_rows(container) -> list[StackRow]:
    """The read-write and init rows of a container, top first."""
    rw = container.rw_layer()
    init = container.init
    return [StackRow("rw", "rw", "read-write layer", container.size, None, None, rw, None, None,
                     entries=len(rw)),
            StackRow("init", "init", "init layer", init.size, None, None, init, None, None, entries=len(init))]


def stack_rows(obj, *, engine=None, base=None, every_step_a_layer: bool = False) -> list[StackRow]:
    """Every row of an image's or a container's stack, top first (base: None, "auto", an Image or a name).

    >>> from layerlab import Engine
    >>> eng = Engine()
    >>> c = eng.run(eng.build("FROM busybox\\nCOPY a /a\\n", {"a": "1"}))
    >>> [r.label for r in stack_rows(c)], [r.label for r in stack_rows(c, base="auto")]
    (['rw', 'init', 'L1', 'L0'], ['rw', 'init', 'L1', 'base'])
    """
    image = obj.image if is_container(obj) else obj
    found = find_base(image, engine, base) if base is not None else None
    rows = container_rows(obj) if is_container(obj) else []
    return rows + image_rows(image, base=found, every_step_a_layer=every_step_a_layer)


# -- mounts ---------------------------------------------------------------------------------------------------------
def host_path_text(mount, container=None) -> str:
    """A mount's host path with the container's 64-digit id written as <id> (ids are not for reading).

    >>> from layerlab import Mount
    >>> host_path_text(Mount("bind", "/x", "/etc/hosts", "/var/lib/docker/containers/" + "a" * 64 + "/hosts"))
    '/var/lib/docker/containers/<id>/hosts'
    """
    text = mount.host_path
    if container is not None:
        text = text.replace(container.id, "<id>")
    return re.sub(r"/containers/[0-9a-f]{64}/", "/containers/<id>/", text)


def mounts_of(container, *, internal: bool = True) -> list:
    """A container's mounts sorted by destination (the hosts/hostname/resolv.conf bind mounts when internal)."""
    return sorted((m for m in container.mounts if internal or not m.internal), key=lambda m: m.destination)


def layer_parts(layer: Layer, limit: int = 2) -> list[str]:
    """A layer's content in a few phrases: named files when few, else a count and the top directories by bytes.

    >>> from layerlab import WHITEOUT
    >>> layer_parts(Layer.from_spec({"/run.sh": "echo hi", "/etc/motd": WHITEOUT}))
    ['/run.sh (7 B)', 'whiteout /etc/motd']
    >>> layer_parts(Layer.from_spec({"/usr/bin/a": "1" * 50, "/usr/lib/b": "2", "/bin/c": "3"}))
    ['3 files in /usr /bin']
    >>> layer_parts(Layer({}))
    ['empty tar: no file changed']
    """
    if layer.is_empty:
        return ["empty tar: no file changed"]
    files, whiteouts, opaques, dirs = [], [], [], []
    for path, entry in layer.entries.items():
        if isinstance(entry, Whiteout):
            whiteouts.append(path)
        elif isinstance(entry, Opaque):
            opaques.append(path)
        elif isinstance(entry, Dir):
            dirs.append(path)
        else:
            files.append((path, entry))
    parts = []
    if 0 < len(files) <= limit:
        for path, entry in files:
            if isinstance(entry, Symlink):
                parts.append(f"{path} → {entry.target}")
            elif isinstance(entry, HardLink):
                parts.append(f"{path} (hard link)")
            else:
                parts.append(f"{path} ({size_text(entry.size)})")
    elif files:
        tops: dict[str, int] = {}
        for path, entry in files:
            top = "/" + path.split("/", 2)[1] if path.count("/") > 1 else path
            tops[top] = tops.get(top, 0) + (entry.size if isinstance(entry, (File, Symlink)) else 0)
        ranked = sorted(tops, key=lambda t: (-tops[t], t))[:4]
        parts.append(f"{count_text(len(files), 'file')} in {' '.join(ranked)}")
    if 0 < len(whiteouts) <= limit:
        parts += [f"whiteout {p}" for p in whiteouts]
    elif whiteouts:
        parts.append(f"{count_text(len(whiteouts), 'whiteout')} in {paths.parent(whiteouts[0])}")
    parts += [f"opaque {p}/" for p in opaques]
    if not parts and dirs:
        parts.append(f"{count_text(len(dirs), 'directory')}: {', '.join(d + '/' for d in dirs[:3])}")
    return parts
