"""Text views: the layer stack, the merged tree with provenance, docker-style tables and layer changesets.

Every function returns a string or a Table (which prints the way the docker CLI
prints). Nothing depends on memory addresses, the wall clock or random ids, so an
output can be compared in a test and stored in an executed notebook. No plotting
library is imported here.

>>> from layerlab import Image, HistoryEntry, Layer, WHITEOUT
>>> img = Image(layers=(Layer.from_spec({"/etc/motd": "hi\\n", "/bin/sh": "#!"}),
...                     Layer.from_spec({"/etc/motd": WHITEOUT, "/app/run.sh": "echo hi\\n"})),
...             history=(HistoryEntry("ADD rootfs.tar /"), HistoryEntry("COPY run.sh /app/"),
...                      HistoryEntry('CMD ["/app/run.sh"]', empty_layer=True)))
>>> print(layer_stack(img))
LAYER   CREATED BY            SIZE   DIFF ID        CONTENT
-       CMD ["/app/run.sh"]   0B     empty_layer    config only (Cmd)
L1      COPY run.sh /app/     8B     0eee235ebf57   1 file, 1 whiteout
L0      ADD rootfs.tar /      5B     27999f30fb1d   2 files
"""

from __future__ import annotations

import fnmatch
from ..fs import paths
from ..fs.entries import Dir, File, Opaque, Symlink, Whiteout
from ..fs.layer import Layer
from ..fs.snapshot import Snapshot
from ..fs.union import merge
from ..image.model import Image
from ..tables import Table, human_size
from .summary import (classify, config_note, count_text, fit, host_path_text, is_container, mounts_of,
                      short_digest, short_instruction, stack_rows, steps_of)

__all__ = ["layer_stack", "merged_tree", "history_table", "diff_text", "ps_table", "images_table",
           "system_df_table", "mounts_table", "changeset_table"]


# -- the layer stack -------------------------------------------------------------------------------------
def _content(row, container=None) -> str:
    """What a row holds, in a few words."""
    if row.role == "config":
        return config_note(row.instruction).replace("empty_layer: ", "")
    if row.role == "base":
        extra = row.steps - row.layers
        steps = f" + {count_text(extra, 'config step')}" if extra else ""
        return f"base image: {count_text(row.layers, 'layer')}{steps}"
    layer = row.layer
    if row.role == "rw":
        items = classify(layer, container.lower, container.rootfs.copy_ups)
        counts: dict[str, int] = {}
        for item in items:
            if item.kind != "dir":
                counts[item.kind] = counts.get(item.kind, 0) + 1
        order = ("added", "modified", "copied up", "whiteout", "opaque")
        return ", ".join(f"{counts[k]} {k}" for k in order if k in counts) or "empty"
    if layer is None or layer.is_empty:
        return "empty"
    files = whiteouts = opaques = dirs = 0
    for entry in layer.entries.values():
        if isinstance(entry, Whiteout):
            whiteouts += 1
        elif isinstance(entry, Opaque):
            opaques += 1
        elif isinstance(entry, Dir):
            dirs += 1
        else:
            files += 1
    parts = [count_text(n, w) for n, w in ((files, "file"), (whiteouts, "whiteout"), (opaques, "opaque dir")) if n]
    return ", ".join(parts) or count_text(dirs, "dir")


def layer_stack(obj, *, engine=None, base=None, width: int = 44) -> Table:
    """The layers of an image or a container, top first: read-write and init layers, image layers with their
    instruction, size and short diff_id, config-only steps marked; base="auto" folds the base image into one row.

    >>> from layerlab import Engine
    >>> eng = Engine()
    >>> c = eng.run(eng.build("FROM busybox\\nCOPY a /a\\nCMD [\\"sh\\"]\\n", {"a": "hello\\n"}))
    >>> _ = eng.exec(c, "echo x > /etc/conf && rm /a")
    >>> print(layer_stack(c, base="auto"))
    LAYER   CREATED BY            SIZE     DIFF ID        CONTENT
    rw      (read-write layer)    2B       -              1 added, 1 whiteout
    init    (init layer)          12B      -              6 files
    -       CMD ["sh"]            0B       empty_layer    config only (Cmd)
    L1      COPY a /a             6B       ...            1 file
    base    FROM busybox:latest   4.26MB   ...            base image: 1 layer
    """
    container = obj if is_container(obj) else None
    rows = stack_rows(obj, engine=engine, base=base)
    cells, data = [], []
    for row in rows:
        if row.role in ("rw", "init"):
            shown, diff = f"({row.instruction})", "-"
        elif row.role == "config":
            shown, diff = fit(row.instruction, width), "empty_layer"
        else:
            shown, diff = fit(row.instruction, width), short_digest(row.chain_id if row.role == "base"
                                                                    else row.diff_id)
        content = _content(row, container)
        cells.append([row.label, shown, human_size(row.size), diff, content])
        data.append({"layer": row.label, "role": row.role, "created_by": row.instruction, "size": row.size,
                     "diff_id": row.diff_id, "chain_id": row.chain_id, "content": content})
    return Table(["LAYER", "CREATED BY", "SIZE", "DIFF ID", "CONTENT"], cells, data=data)


# -- the merged tree ----------------------------------------------------------------------------------------
class _Tree:
    """What merged_tree needs of an image, a container, a snapshot or a list of layers."""

    def __init__(self, obj):
        self.container = obj if is_container(obj) else None
        self.mounts: dict[str, object] = {}
        self.host = None
        if self.container is not None:
            c = self.container
            self.snap = c.view()
            self.layers = list(c.image.layers)
            n = len(self.layers)
            self.labels = {i: f"L{i}" for i in range(n)} | {n: "init", n + 1: "rw"}
            self.about = self._layer_words(c.image) | {"init": "init layer (mount points and empty placeholders)",
                                                        "rw": "read-write layer (what the container wrote)"}
            self.mounts = {m.destination: m for m in c.mounts}
            self.host = c.host
            self.lower = c.lower
            self.upper = c.rootfs.upper
            self.copy_ups = {u.path: u.size for u in c.rootfs.copy_ups}
        else:
            if isinstance(obj, Image):
                self.snap, self.layers, words = obj.rootfs, list(obj.layers), self._layer_words(obj)
            elif isinstance(obj, Snapshot):
                self.snap, self.layers = obj, list(obj.layers)
                words = {f"L{i}": short_instruction(l.created_by) for i, l in enumerate(self.layers)}
            else:
                self.layers = list(obj)
                self.snap = merge(self.layers)
                words = {f"L{i}": short_instruction(l.created_by) for i, l in enumerate(self.layers)}
            self.labels = {i: f"L{i}" for i in range(len(self.layers))}
            self.about = words
            self.lower = None
            self.upper = {}
            self.copy_ups = {}

    @staticmethod
    def _layer_words(image: Image) -> dict[str, str]:
        out = {}
        for h, layer, i in steps_of(image):
            if layer is not None:
                out[f"L{i}"] = short_instruction(h.created_by if h is not None else layer.created_by) or "(no history)"
        return out

    def label(self, path: str) -> str:
        return self.labels.get(self.snap.origin(path), "")

    def mount_at(self, path: str):
        for dest, m in self.mounts.items():
            if paths.is_under(path, dest):
                return m
        return None

    def children(self, path: str, mount) -> list[tuple[str, str, object, str]]:
        """(name, path, entry, label) of a directory's children; under a mount they come from the host."""
        if mount is not None:
            rest = path[len(mount.destination):]
            host_dir = mount.host_path + rest
            try:
                names = self.host.listdir(host_dir)
            except Exception:
                return []
            tag = mount.source if mount.type == "volume" else "bind"
            return [(name, paths.join(path, name), self.host.entry(paths.join(host_dir, name)), tag)
                    for name in names]
        return [(paths.basename(p), p, e, self.labels.get(self.snap.origin(p), ""))
                for p, e in self.snap.children(path)]


def _mount_words(m, container) -> str:
    what = f"volume {m.source}" if m.type == "volume" else "bind mount"
    return f"⇐ {what} {host_path_text(m, container)}"


def _annotations(tree: _Tree) -> tuple[dict[str, str], dict[str, list[tuple[str, str]]]]:
    """Notes on visible paths (copied up, replaces, opaque) and hidden lines per directory (whiteouts)."""
    notes: dict[str, str] = {}
    hidden: dict[str, list[tuple[str, str]]] = {}
    deleted_from = {(s.path, s.by): s.layer for s in tree.snap.shadowed() if s.how == "deleted"}
    for s in tree.snap.shadowed():
        if s.how == "replaced" and tree.snap.get(s.path) is not None:
            notes.setdefault(s.path, f"replaces L{s.layer}'s copy")
    stacks = [(f"L{k}", k, layer) for k, layer in enumerate(tree.layers)]
    if tree.container is not None:
        stacks.append(("rw", None, Layer(tree.upper.items())))
    for label, k, layer in stacks:
        for path, entry in layer.entries.items():
            parent, base = paths.split(path)
            if isinstance(entry, Whiteout) and tree.snap.get(path) is None:
                if k is None:
                    below = tree.lower.get(path)
                    was = tree.labels.get(tree.lower.origin(path)) if below is not None else None
                else:
                    was = deleted_from.get((path, k))
                    was = f"L{was}" if was is not None else None
                hides = f", hides {was}'s copy" if was else ""
                member = paths.to_member(paths.join(parent, ".wh." + base))
                hidden.setdefault(parent, []).append((base, f"✗ whiteout in {label} ({member}){hides}"))
            elif isinstance(entry, Opaque) and tree.snap.get(path) is not None:
                notes[path] = f"opaque in {label}: lower children hidden"
    for path, size in tree.copy_ups.items():
        if tree.snap.get(path) is not None:
            was = tree.labels.get(tree.lower.origin(path), "a lower layer")
            notes[path] = f"copied up from {was} ({human_size(size)})"
    if tree.container is not None:
        for path, entry in tree.upper.items():
            if path in notes or isinstance(entry, (Dir, Whiteout)):
                continue
            below = tree.lower.get(path)
            if below is not None:
                notes[path] = f"replaces {tree.labels.get(tree.lower.origin(path), 'a lower layer')}'s copy"
    return notes, hidden


def merged_tree(obj, top: str = "/", *, depth: int | None = None, match: str | None = None, layer=None,
                changes: bool = False, mounts: bool = True, per_dir: int = 25, max_lines: int = 300,
                legend: bool = True) -> str:
    """The merged tree with the layer that supplies each path (L0 base, ..., init, rw); mount points show their
    host source. depth, match (a glob on the path, or on the name when it has no '/'), layer ('L4', 'rw', 4)
    and per_dir keep a 5,000-file image readable; changes=True adds copy-ups, whiteouts and opaque markers.

    >>> from layerlab import Image, HistoryEntry, Layer, WHITEOUT
    >>> img = Image(layers=(Layer.from_spec({"/etc/motd": "hi\\n", "/bin/sh": "#!"}),
    ...                     Layer.from_spec({"/etc/motd": WHITEOUT, "/app/run.sh": "echo hi\\n"})),
    ...             history=(HistoryEntry("ADD rootfs.tar /"), HistoryEntry("COPY run.sh /app/")))
    >>> print(merged_tree(img, changes=True))
    /
    ├── app/                 L1
    │   └── run.sh           L1
    ├── bin/                 L0
    │   └── sh               L0
    └── etc/                 L0
        └── motd             ✗ whiteout in L1 (etc/.wh.motd), hides L0's copy
    <BLANKLINE>
    L0  ADD rootfs.tar /
    L1  COPY run.sh /app/
    """
    tree = _Tree(obj)
    top = paths.normalize(top)
    real = tree.snap.resolve(top)
    if tree.snap.get(real) is None and tree.mount_at(real) is None:
        return f"{top}: no such path in the merged view"
    notes, hidden = _annotations(tree) if changes else ({}, {})
    want_layer = f"L{layer}" if isinstance(layer, int) else layer

    keep: set[str] | None = None
    if match is not None or want_layer is not None:
        keep = set()
        pattern = match or "*"
        by_name = "/" not in pattern

        def visit_all(path: str, mount) -> None:
            for name, child, entry, label in tree.children(path, mount):
                m = tree.mounts.get(child) if mounts and tree.mounts else None
                inner = m if m is not None else mount
                ok = fnmatch.fnmatchcase(name if by_name else child, pattern)
                if want_layer is not None:
                    ok = ok and label == want_layer
                if ok:
                    keep.add(child)
                    keep.update(paths.ancestors(child))
                if isinstance(entry, Dir) and (inner is None or isinstance(entry, Dir)):
                    visit_all(child, inner)

        visit_all(real, tree.mount_at(real) if mounts else None)

    rows: list[tuple[str, str]] = []
    truncated = [False]
    used: set[str] = set()

    def marker(path: str, label: str, entry) -> str:
        parts = []
        if label:
            parts.append(label)
            used.add(label)
        m = tree.mounts.get(path) if mounts else None
        if m is not None:
            parts.append(_mount_words(m, tree.container))
        if path in notes:
            parts.append(notes[path])
        return "  ".join(parts)

    def add(left: str, right: str) -> bool:
        if len(rows) >= max_lines:
            truncated[0] = True
            return False
        rows.append((left, right))
        return True

    def walk(path: str, prefix: str, level: int, mount) -> None:
        kids = [(n, p, e, lab, False) for n, p, e, lab in tree.children(path, mount)]
        if keep is not None:
            kids = [k for k in kids if k[1] in keep]
        for name, text in hidden.get(path, ()):
            if keep is None or (want_layer is None and fnmatch.fnmatchcase(name, match or "*")):
                kids.append((name, paths.join(path, name), None, text, True))
        kids.sort(key=lambda k: (k[0], k[4]))
        shown, rest = kids[:per_dir], kids[per_dir:]
        for i, (name, child, entry, label, is_hidden) in enumerate(shown):
            last = i == len(shown) - 1 and not rest
            branch = "└── " if last else "├── "
            if is_hidden:
                if not add(prefix + branch + name, label):
                    return
                continue
            m = tree.mounts.get(child) if mounts else None
            inner = m if m is not None else mount
            is_dir = isinstance(entry, Dir)
            name_text = name + ("/" if is_dir else "")
            if isinstance(entry, Symlink):
                name_text += f" -> {entry.target}"
            if is_dir and depth is not None and level + 1 >= depth:
                count = len(tree.children(child, inner))
                if count:
                    name_text += f" ({count_text(count, 'entry')})"
            if not add(prefix + branch + name_text, marker(child, label, entry)):
                return
            if is_dir and (depth is None or level + 1 < depth):
                walk(child, prefix + ("    " if last else "│   "), level + 1, inner)
        if rest:
            counts: dict[str, int] = {}
            for _, _, _, label, is_hidden in rest:
                key = "hidden" if is_hidden else (label or "?")
                counts[key] = counts.get(key, 0) + 1
            ordered = sorted(counts.items(), key=_label_order)
            if len(ordered) <= 4:
                summary = ", ".join(f"{k} {v}" for k, v in ordered)
                used.update(k for k, _ in ordered if k not in ("hidden", "?"))
            else:
                summary = f"from {len(ordered)} layers: {ordered[0][0]} … {ordered[-1][0]}"
            add(prefix + "└── " + f"… {len(rest)} more", summary)

    root_label = tree.label(real) if real != "/" else ""
    root_text = top if top == "/" else top + "/"
    add(root_text, marker(real, root_label, tree.snap.get(real)) if real != "/" else "")
    walk(real, "", 0, tree.mount_at(real) if mounts else None)

    width = min(max(len(left) for left, _ in rows), 56)
    lines = [(left.ljust(width) + "  " + right).rstrip() if right else left for left, right in rows]
    if truncated[0]:
        lines.append(f"… stopped at {max_lines} lines: narrow the view with top=, depth=, match= or layer=")
    if legend and used:
        lines.append("")
        shown = sorted(used, key=lambda l: _label_order((l, 0)))
        if len(shown) > LEGEND_MAX:
            lines.append(f"({len(shown) - LEGEND_MAX + 1} layer labels not listed: layer_stack() names them all)")
            shown = shown[:LEGEND_MAX - 1]
        for label in shown:
            about = tree.about.get(label)
            if about is None and tree.container is not None:
                m = next((m for m in tree.mounts.values() if m.source == label), None)
                about = f"volume {label} (on the host)" if m is not None else None
                if label == "bind":
                    about = "a file or directory bind-mounted from the host"
            if about:
                lines.append(f"{label.ljust(4)}  {fit(about, 72)}")
    return "\n".join(lines)


LEGEND_MAX = 12


def _label_order(item) -> tuple:
    label = item[0]
    if label.startswith("L") and label[1:].isdigit():
        return (0, int(label[1:]), "")
    return ({"init": 1, "rw": 2}.get(label, 3), 0, label)


# -- docker-style tables -------------------------------------------------------------------------------------
def history_table(obj, *, engine=None, no_trunc: bool = False) -> Table:
    """`docker history`, newest first: the engine's table for a reference, or for a bare Image the same columns
    but CREATED (an image alone has no 'now' to count from).

    >>> from layerlab import Image, HistoryEntry, Layer
    >>> img = Image(layers=(Layer.from_spec({"/a": "1"}),), history=(HistoryEntry("COPY a /"),
    ...             HistoryEntry('CMD ["sh"]', empty_layer=True)))
    >>> print(history_table(img))
    IMAGE          CREATED BY   SIZE   COMMENT
    d41ef7e58b52   CMD ["sh"]   0B
    <missing>      COPY a /     1B
    """
    if engine is not None:
        return engine.history(obj if isinstance(obj, str) else obj.id, no_trunc=no_trunc)
    image = obj
    rows = []
    for h, layer, _ in reversed(steps_of(image)):
        created_by = h.created_by if h is not None else layer.created_by
        if not no_trunc and len(created_by) > 45:
            created_by = created_by[:44] + "…"
        rows.append(["<missing>", created_by, human_size(layer.size if layer is not None else 0),
                     h.comment if h is not None else layer.comment])
    if rows:
        rows[0][0] = image.id if no_trunc else image.short_id
    return Table(["IMAGE", "CREATED BY", "SIZE", "COMMENT"], rows)


def diff_text(container) -> str:
    """`docker diff`: one 'A', 'C' or 'D' line per changed path, against the init layer.

    >>> from layerlab import Engine
    >>> eng = Engine()
    >>> c = eng.run("busybox")
    >>> _ = eng.exec(c, "echo x > /etc/conf && rm /etc/motd 2>/dev/null; rm /bin/ls")
    >>> print(diff_text(c))
    C /bin
    D /bin/ls
    C /etc
    A /etc/conf
    """
    return "\n".join(str(change) for change in container.changes())


def ps_table(engine, *, all: bool = False, size: bool = False) -> Table:
    """`docker ps` (-a, -s) from the engine.

    >>> from layerlab import Engine
    >>> eng = Engine()
    >>> c = eng.run("busybox", "sleep infinity", name="web")
    >>> print(ps_table(eng))
    CONTAINER ID   IMAGE     COMMAND            CREATED         STATUS         PORTS   NAMES
    ...            busybox   "sleep infinity"   9 seconds ago   Up 9 seconds           web
    """
    return engine.ps(all=all, size=size)


def images_table(engine, *, all: bool = False) -> Table:
    """`docker images` from the engine (all=True adds untagged intermediate images).

    >>> from layerlab import Engine
    >>> eng = Engine()
    >>> _ = eng.pull("busybox")
    >>> print(images_table(eng))
    REPOSITORY   TAG      IMAGE ID       CREATED       SIZE
    busybox      latest   ...   2 years ago   4.26MB
    """
    return engine.images_table(all=all)


def system_df_table(engine, *, verbose: bool = False) -> Table:
    """`docker system df` (verbose: the images part of `-v`, with shared and unique sizes).

    >>> from layerlab import Engine
    >>> eng = Engine()
    >>> _ = eng.build("FROM busybox\\nCOPY a /a\\n", {"a": "1"}, tag="app")
    >>> print(system_df_table(eng, verbose=True))
    REPOSITORY   TAG      IMAGE ID       CREATED                  SIZE     SHARED SIZE   UNIQUE SIZE   CONTAINERS
    app          latest   ...   Less than a second ago   4.26MB   4.26MB        1B            0
    busybox      latest   ...   2 years ago              4.26MB   4.26MB        0B            0
    """
    return engine.system_df_verbose() if verbose else engine.system_df()


def mounts_table(container, *, internal: bool = False) -> Table:
    """A container's mounts (what `docker inspect` lists), with host paths; internal adds the hosts files.

    >>> from layerlab import Engine
    >>> eng = Engine()
    >>> print(mounts_table(eng.run("busybox", volumes={"vol1": "/data"})))
    TYPE     SOURCE   DESTINATION   HOST PATH                            MODE
    volume   vol1     /data         /var/lib/docker/volumes/vol1/_data   rw
    """
    rows = []
    for m in mounts_of(container, internal=internal):
        source = m.source if m.type == "volume" else host_path_text(m, container)
        rows.append([m.type, source, m.destination, host_path_text(m, container), m.mode])
    return Table(["TYPE", "SOURCE", "DESTINATION", "HOST PATH", "MODE"], rows)


# -- a layer's changeset -----------------------------------------------------------------------------------------
def _changeset_source(obj, index, lower):
    """(layer, lower snapshot, copy-ups) for a Layer, an Image (+ index) or a Container."""
    if is_container(obj):
        return obj.rw_layer(), obj.lower, obj.rootfs.copy_ups
    if isinstance(obj, Image):
        if not obj.layers:
            return Layer({}), None, ()
        i = len(obj.layers) - 1 if index is None else index % len(obj.layers)
        below = merge(obj.layers[:i]) if i else None
        return obj.layers[i], below, ()
    if isinstance(lower, Image):
        lower = lower.rootfs
    elif isinstance(lower, (list, tuple)):
        lower = merge(list(lower))
    return obj, lower, ()


def changeset_table(obj, index: int | None = None, *, lower=None, limit: int | None = None) -> Table:
    """A layer's changeset, one row per raw tar member: added / modified / whiteout / opaque, for a Layer (against
    lower), an Image's layer (index, default the top) or a container's read-write layer.

    >>> from layerlab import Layer, OPAQUE, WHITEOUT, merge
    >>> below = merge([Layer.from_spec({"/etc/motd": "hi\\n", "/etc/issue": "x", "/opt/old": "1"})])
    >>> print(changeset_table(Layer.from_spec({"/etc/motd": WHITEOUT, "/etc/issue": "Debian\\n",
    ...                                        "/opt/": OPAQUE, "/opt/new": "2"}), lower=below))
    MEMBER             KIND       PATH         SIZE
    etc/.wh.motd       whiteout   /etc/motd
    etc/issue          modified   /etc/issue   7B
    opt/               modified   /opt
    opt/.wh..wh..opq   opaque     /opt
    opt/new            added      /opt/new     1B
    """
    from ..fs.tarcodec import members

    layer, below, copy_ups = _changeset_source(obj, index, lower)
    items = {item.path: item for item in classify(layer, below, copy_ups)}
    rows = []
    all_members = members(layer)
    shown = all_members if limit is None else all_members[:limit]
    for name, _, _ in shown:
        base = name.rstrip("/").rsplit("/", 1)[-1]
        if base == ".wh..wh..opq":
            path = paths.from_member(name.rsplit("/", 1)[0] if "/" in name else "./")
            rows.append([name, "opaque", path, ""])
            continue
        if base.startswith(".wh."):
            parent = name.rsplit("/", 1)[0] if "/" in name.rstrip("/") else ""
            path = paths.join(paths.from_member(parent) if parent else "/", base[len(".wh."):])
            rows.append([name, "whiteout", path, ""])
            continue
        path = paths.from_member(name) if name != "./" else "/"
        item = items.get(path)
        entry = item.entry if item is not None else None
        if isinstance(entry, Opaque):
            kind = "modified" if below is not None and isinstance(below.get(path), Dir) else "added"
        elif item is None or item.kind == "dir":
            kind = "modified"
        elif item.kind == "copied up":
            kind = "modified (copied up)"
        else:
            kind = item.kind
        size = human_size(entry.size) if isinstance(entry, (File, Symlink)) else ""
        rows.append([name, kind, path, size])
    if limit is not None and len(all_members) > limit:
        rows.append(["…", count_text(len(all_members) - limit, "more member"), "", ""])
    return Table(["MEMBER", "KIND", "PATH", "SIZE"], rows)
