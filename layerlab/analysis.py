"""Image analysis in the manner of dive: per-layer changes, wasted bytes, efficiency, largest files, sharing.

Everything here is a plain function over an Image (or Layers) returning frozen
values, so a notebook can show them as tables and a test can compare them.

>>> import layerlab as ll
>>> img = ll.Image(layers=(ll.Layer.from_spec({"/big": "x" * 1000}, created_by="ADD big /"),
...                        ll.Layer.from_spec({"/big": ll.WHITEOUT}, created_by="RUN rm /big")))
>>> wasted_bytes(img), efficiency(img)
(1000, 0.0)
>>> [(w.path, w.size, w.how) for w in wasted_files(img)]
[('/big', 1000, ('deleted',))]

Three notions of "modified" (SEMANTICS.md section 9) live side by side:
`stat_changes` (what `docker diff` reports), `upperdir_changes` (what `docker
commit` stores) and `content_changes` (what dive shows: content hash, mode and
owner); `three_notions` puts them in one table.

Two notions of "wasted" too. `wasted_bytes` counts every copy of a file that a
later layer hides (overwrite, chmod, delete), once per (path, layer): the
bytes an image ships but no container can see. dive's own "wasted" figure
(`DiveEfficiency.wasted_bytes`) adds up *every* copy of a path that appears in
two or more layers, the surviving one included. Both are in the Report.
"""

from __future__ import annotations

import json
import os
import re
import tarfile
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Mapping

from .errors import FormatError, LayerlabError, NotFoundError
from .fs import paths
from .fs.entries import Device, Dir, Entry, File, HardLink, Opaque, Symlink, Whiteout
from .fs.layer import Layer
from .fs.snapshot import Snapshot
from .fs.union import merge
from .image.model import Image
from .tables import Table, human_size

__all__ = [
    "CIResult", "Change", "DiveEfficiency", "DiveInefficiency", "LargeFile", "LayerRow", "Notion", "Occurrence",
    "Report", "SharedLayer", "Sharing", "TreeRow", "WastedFile", "check_ci", "container_notions",
    "content_changes", "dive_efficiency", "efficiency", "inspect_image", "largest_files", "layer_notions",
    "layer_rows", "layer_sharing", "parse_bytes", "render_tree", "short_command", "stat_changes",
    "three_notions", "tree_rows", "upperdir_changes", "wasted_bytes", "wasted_files",
]

Progress = Callable[[int, int, str], None]


# -- small helpers ------------------------------------------------------------------------------------
def short_command(created_by: str, width: int = 60) -> str:
    """A history string cut down for a table: shell and `#(nop)` prefixes dropped, spaces collapsed, cut at width.

    >>> short_command('/bin/sh -c #(nop)  CMD ["./run.sh"]'), short_command("COPY run.sh / # buildkit")
    ('CMD ["./run.sh"]', 'COPY run.sh /')
    >>> short_command("RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit", width=30)
    'RUN apt-get update && apt-get…'
    """
    text = " ".join(created_by.split())
    if text.startswith("/bin/sh -c #(nop) "):
        text = text[len("/bin/sh -c #(nop) "):]
    elif text.startswith("/bin/sh -c "):
        text = "RUN " + text[len("/bin/sh -c "):]
    elif text.startswith("RUN /bin/sh -c "):
        text = "RUN " + text[len("RUN /bin/sh -c "):]
    if text.endswith(" # buildkit"):
        text = text[: -len(" # buildkit")]
    return text if len(text) <= width else text[: width - 1] + "…"


def _same_content(a: Entry, b: Entry) -> bool:
    """dive's test for "unmodified": same type, same content hash (or link target), same mode, uid and gid."""
    if (a.kind == "opaque" and b.kind == "dir") or (a.kind == "dir" and b.kind == "opaque"):
        pass
    elif a.kind != b.kind:
        return False
    if (a.mode, a.uid, a.gid) != (b.mode, b.uid, b.gid):
        return False
    if isinstance(a, File):
        return a.size == b.size and a.content == b.content
    if isinstance(a, (Symlink, HardLink)):
        return a.target == b.target
    if isinstance(a, Device):
        return (a.devtype, a.major, a.minor) == (b.devtype, b.major, b.minor)
    return True


def _after(lower: Snapshot, layer: Layer) -> Snapshot:
    return lower.apply(layer)


def _file_bytes(layer: Layer) -> int:
    """Bytes of regular files in a layer, as tar headers count them (what dive calls a layer's size)."""
    return sum(e.size for e in layer.entries.values() if isinstance(e, File))


def _member_count(layer: Layer) -> int:
    """Members of the layer's tar: of the stored tar for a loaded layer, else of the canonical tar."""
    from .fs.tarcodec import members

    source = getattr(layer, "_source", None)
    if isinstance(source, (str, os.PathLike)):
        try:
            with tarfile.open(os.fspath(source), "r:*") as tf:
                return sum(1 for _ in tf)
        except (OSError, tarfile.TarError, EOFError):
            pass
    return len(members(layer))


# -- per-layer rows -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LayerRow:
    """One layer as dive's layer panel shows it, with content-based change counts against the layers below."""

    index: int
    created_by: str
    diff_id: str
    size: int
    files: int
    added: int
    modified: int
    removed: int
    unchanged: int
    members: int

    def to_json(self) -> dict:
        return {"index": self.index, "created_by": self.created_by, "diff_id": self.diff_id, "size": self.size,
                "files": self.files, "added": self.added, "modified": self.modified, "removed": self.removed,
                "unchanged": self.unchanged, "members": self.members}


def _content_verdicts(lower: Snapshot, layer: Layer, upper: Snapshot) -> dict[str, str]:
    """{path: 'A' | 'C' | 'D' | '='} judged by content: '=' is a path the layer carries unchanged."""
    out: dict[str, str] = {}
    candidates: set[str] = set()
    for path in layer.entries:
        if path != "/":
            candidates.add(path)
            candidates.update(a for a in paths.ancestors(path) if a != "/")
    for path in sorted(candidates, key=paths.sort_key):
        after = upper.get(path)
        if after is None:
            continue
        before = lower.get(path)
        if before is None:
            out[path] = "A"
        elif path in layer.entries:
            out[path] = "=" if _same_content(before, after) else "C"
    for path in lower.paths():
        if upper.get(path) is None:
            out[path] = "D"
    return out


def _rows(image: Image, progress: Progress | None = None) -> Iterator[tuple[LayerRow, Snapshot, Snapshot]]:
    lower = merge([])
    total = len(image.layers)
    for index, layer in enumerate(image.layers):
        upper = _after(lower, layer)
        verdicts = _content_verdicts(lower, layer, upper)
        counts = {k: 0 for k in "ACD="}
        for v in verdicts.values():
            counts[v] += 1
        row = LayerRow(index, layer.created_by, layer.diff_id, layer.size, layer.file_count, counts["A"],
                       counts["C"], counts["D"], counts["="], _member_count(layer))
        if progress is not None:
            progress(index + 1, total, f"layer {index}")
        yield row, lower, upper
        lower = upper


def layer_rows(image: Image) -> tuple[LayerRow, ...]:
    """A row per layer: size, files, added/modified/removed paths by content (hash, mode, owner), tar members.

    >>> import layerlab as ll
    >>> img = ll.Image(layers=(ll.Layer.from_spec({"/etc/a": "1", "/etc/b": "2"}),
    ...                        ll.Layer.from_spec({"/etc/a": "1", "/etc/b": "X", "/etc/c": ll.WHITEOUT})))
    >>> [(r.added, r.modified, r.removed, r.unchanged) for r in layer_rows(img)]
    [(3, 0, 0, 0), (0, 1, 0, 1)]
    """
    return tuple(row for row, _, _ in _rows(image))


# -- wasted bytes -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Occurrence:
    """One hidden copy of a file: shipped in `layer`, hidden by layer `by`, 'deleted' or 'replaced'."""

    layer: int
    size: int
    by: int
    how: str

    def to_json(self) -> dict:
        return {"layer": self.layer, "size": self.size, "by": self.by, "how": self.how}


@dataclass(frozen=True)
class WastedFile:
    """A path whose copies in lower layers are hidden by later ones; size counts each (path, layer) once."""

    path: str
    size: int
    occurrences: tuple[Occurrence, ...]

    @property
    def layers(self) -> tuple[int, ...]:
        """The layers that ship a hidden copy."""
        return tuple(o.layer for o in self.occurrences)

    @property
    def how(self) -> tuple[str, ...]:
        """'deleted' and/or 'replaced', in layer order, without repeats."""
        return tuple(dict.fromkeys(o.how for o in self.occurrences))

    def to_json(self) -> dict:
        return {"path": self.path, "size": self.size, "occurrences": [o.to_json() for o in self.occurrences]}


def _wasted_from(snapshot: Snapshot) -> tuple[WastedFile, ...]:
    grouped: dict[str, list[Occurrence]] = {}
    for s in snapshot.shadowed():
        grouped.setdefault(s.path, []).append(Occurrence(s.layer, s.size, s.by, s.how))
    out = [WastedFile(p, sum(o.size for o in occ), tuple(sorted(occ, key=lambda o: (o.layer, o.by))))
           for p, occ in grouped.items()]
    return tuple(sorted(out, key=lambda w: (-w.size, paths.sort_key(w.path))))


def wasted_files(image: Image) -> tuple[WastedFile, ...]:
    """Files shipped in a layer but hidden by a later overwrite, metadata change or delete, biggest first.

    >>> import layerlab as ll
    >>> img = ll.Image(layers=(ll.Layer.from_spec({"/a": "1234"}), ll.Layer.from_spec({"/a": "56"}),
    ...                        ll.Layer.from_spec({"/a": ll.WHITEOUT})))
    >>> [(w.path, w.size, w.layers, w.how) for w in wasted_files(img)]
    [('/a', 6, (0, 1), ('replaced', 'deleted'))]
    """
    return _wasted_from(image.rootfs)


def wasted_bytes(image: Image) -> int:
    """Bytes of hidden copies, each (path, layer) counted once: what deleting or overwriting never gave back."""
    return sum(w.size for w in wasted_files(image))


# -- dive's efficiency ------------------------------------------------------------------------------------
class _Node:
    """A node of dive's per-layer file tree (dive/filetree/file_node.go): mutable, private to this module."""

    __slots__ = ("name", "parent", "children", "size", "is_dir")

    def __init__(self, name: str, parent: "_Node | None", size: int = 0, is_dir: bool = False):
        self.name, self.parent, self.size, self.is_dir = name, parent, size, is_dir
        self.children: dict[str, _Node] = {}

    def copy(self, parent: "_Node | None" = None) -> "_Node":
        new = _Node(self.name, parent, self.size, self.is_dir)
        new.children = {k: c.copy(new) for k, c in self.children.items()}
        return new

    def visit(self, *, leaves_only: bool) -> Iterator["_Node"]:
        """dive's VisitDepthChildFirst: children by name (Go byte order), then the node; never the root."""
        for name in sorted(self.children):
            yield from self.children[name].visit(leaves_only=leaves_only)
        if self.parent is not None and (not leaves_only or not self.children):
            yield self

    def path(self) -> str:
        """dive's Path(): names from the root, the node's own '.wh.' prefix dropped."""
        names, cur = [], self
        while cur.parent is not None:
            name = cur.name
            if cur is self and name.startswith(".wh."):
                name = name[4:]
            names.append(name)
            cur = cur.parent
        return ("/" + "/".join(reversed(names))).replace("//", "/")


def _add_path(root: _Node, path: str, size: int, is_dir: bool) -> None:
    """dive's AddPath: intermediate nodes get an empty payload; an opaque marker is never added."""
    names = [n for n in path.strip("/").split("/") if n]
    node = root
    for i, name in enumerate(names):
        child = node.children.get(name)
        if child is None:
            if name.startswith(".wh..wh.."):
                return
            child = _Node(name, node)
            node.children[name] = child
        node = child
        if i == len(names) - 1:
            node.size, node.is_dir = size, is_dir


def _get_node(root: _Node, path: str) -> _Node | None:
    node = root
    for name in path.strip("/").split("/"):
        if not name:
            continue
        node = node.children.get(name)
        if node is None:
            return None
    return node


def _dive_tree(layer: Layer) -> _Node:
    """The tree dive builds from a layer tar: one node per member, sizes from the tar headers."""
    root = _Node("", None)
    for path, entry in layer.entries.items():
        if path == "/":
            continue  # the member './' is skipped by dive
        if isinstance(entry, Whiteout):
            parent, name = paths.split(path)
            _add_path(root, paths.join(parent, ".wh." + name), 0, False)
        elif isinstance(entry, Opaque) and not entry.header:
            _add_path(root, paths.join(path, ".wh..wh..opq"), 0, False)  # only the marker: 'path' stays empty
        else:
            _add_path(root, path, entry.size if isinstance(entry, File) else 0, isinstance(entry, Dir))
    return root


def _stack(tree: _Node, upper: _Node) -> None:
    """dive's Stack: whiteouts remove their path; every other node (intermediate ones too) is added over."""
    for node in list(upper.visit(leaves_only=False)):
        path = node.path()
        if node.name.startswith(".wh."):
            found = _get_node(tree, path)
            if found is not None and found.parent is not None:
                del found.parent.children[found.name]
        else:
            _add_path(tree, path, node.size, node.is_dir)


@dataclass(frozen=True)
class DiveInefficiency:
    """A path dive saw in two or more layers: its cumulative size and the layers it appeared in."""

    path: str
    cumulative_size: int
    count: int
    layers: tuple[int, ...]

    def to_json(self) -> dict:
        return {"path": self.path, "cumulative_size": self.cumulative_size, "count": self.count,
                "layers": list(self.layers)}


@dataclass(frozen=True)
class DiveEfficiency:
    """dive's score, its wasted bytes (cumulative size of every repeated path) and the repeated paths."""

    score: float
    wasted_bytes: int
    inefficiencies: tuple[DiveInefficiency, ...]


def dive_efficiency(layers: Iterable[Layer]) -> DiveEfficiency:
    """The efficiency score exactly as dive computes it (wagoodman/dive, dive/filetree/efficiency.go).

    Every layer tar becomes a tree (one node per member; parents the tar lacks
    are empty nodes). For every *leaf* of every layer's tree, in dive's walk
    order, the leaf's path (a whiteout's '.wh.' dropped) gets a size: the tar
    header size for a file (0 for directories, links and devices); for a
    whiteout, 0 when the path below was not a directory in dive's stacked tree
    of the lower layers, else the sum of every size under it. Per path:

        cumulative(path) = sum of its sizes        minimum(path) = smallest of its sizes

        score = sum(minimum) / sum(cumulative)     (1.0 when sum(cumulative) == 0)

    and dive's wasted bytes = sum(cumulative) over paths seen in 2+ layers.
    dive's quirks are kept: opaque markers are ignored; a whiteout of a path
    dive cannot find stops that layer's walk and leaves the path with minimum
    -1; deleting a whole directory counts once, at the directory's path.

    >>> import layerlab as ll
    >>> trees = [ll.Layer.from_spec({"/etc/nginx/nginx.conf": "x" * 2000, "/etc/nginx/public": "x" * 3000}),
    ...          ll.Layer.from_spec({"/etc/nginx/nginx.conf": "y" * 5000, "/etc/athing": "x" * 10000}),
    ...          ll.Layer.from_spec({"/etc/nginx": ll.WHITEOUT})]
    >>> result = dive_efficiency(trees)      # dive's own TestEfficency rows
    >>> result.score, [(i.path, i.cumulative_size, i.layers) for i in result.inefficiencies]
    (0.75, [('/etc/nginx/nginx.conf', 7000, (0, 1))])
    """
    trees = [_dive_tree(layer) for layer in layers]
    cumulative: dict[str, int] = {}
    minimum: dict[str, int] = {}
    seen_in: dict[str, list[int]] = {}
    for index, tree in enumerate(trees):
        stacked = None
        for node in tree.visit(leaves_only=True):
            path = node.path()
            if path not in cumulative:
                cumulative[path], minimum[path], seen_in[path] = 0, -1, []
            if node.name.startswith(".wh."):
                if stacked is None:  # StackTreeRange(trees, 0, index-1): a copy of tree 0, then 0..index-1
                    stacked = trees[0].copy()
                    for lower in trees[:index]:
                        _stack(stacked, lower)
                before = _get_node(stacked, path)
                if before is None:
                    break  # dive's visitor returns an error here and the rest of this layer is not visited
                size = sum(n.size for n in before.visit(leaves_only=False)) if before.is_dir else 0
            else:
                size = node.size
            cumulative[path] += size
            if minimum[path] < 0 or size < minimum[path]:
                minimum[path] = size
            seen_in[path].append(index)
    discovered = sum(cumulative.values())
    score = 1.0 if discovered == 0 else sum(minimum.values()) / discovered
    repeated = [DiveInefficiency(p, cumulative[p], len(seen_in[p]), tuple(seen_in[p]))
                for p in cumulative if len(seen_in[p]) >= 2]
    repeated.sort(key=lambda d: (-d.cumulative_size, paths.sort_key(d.path)))
    return DiveEfficiency(score, sum(d.cumulative_size for d in repeated), tuple(repeated))


def efficiency(image: Image) -> float:
    """dive's efficiency score of an image (see dive_efficiency); 1.0 for an image that never hides a byte.

    >>> import layerlab as ll
    >>> efficiency(ll.Image(layers=(ll.Layer.from_spec({"/a": "1"}), ll.Layer.from_spec({"/b": "2"}))))
    1.0
    """
    return dive_efficiency(image.layers).score


# -- largest files and the tree -----------------------------------------------------------------------------
@dataclass(frozen=True)
class LargeFile:
    """A visible file of the merged view: its size and the layer that supplies it."""

    path: str
    size: int
    layer: int

    def to_json(self) -> dict:
        return {"path": self.path, "size": self.size, "layer": self.layer}


def largest_files(image: Image, n: int = 10) -> tuple[LargeFile, ...]:
    """The n biggest visible files, biggest first (hard links to a file are not counted again)."""
    snap = image.rootfs
    files = [LargeFile(p, e.size, snap.origin(p)) for p, e in snap.walk() if isinstance(e, File)]
    files.sort(key=lambda f: (-f.size, paths.sort_key(f.path)))
    return tuple(files[:n])


@dataclass(frozen=True)
class TreeRow:
    """One path of the merged tree: kind, size (a directory's is the sum below it), supplying layer, depth."""

    path: str
    kind: str
    size: int
    layer: int
    depth: int
    last: tuple[bool, ...]
    target: str | None = None

    def to_json(self) -> dict:
        out = {"path": self.path, "kind": self.kind, "size": self.size, "layer": self.layer}
        if self.target is not None:
            out["target"] = self.target
        return out


def tree_rows(image: Image) -> tuple[TreeRow, ...]:
    """Every visible path in walk order, with what `tree` needs to draw it (last-child flags per level)."""
    snap = image.rootfs
    walked = list(snap.walk())
    totals: dict[str, int] = {}
    for path, entry in reversed(walked):   # children before their parents
        totals[path] = totals.get(path, 0) + (entry.size if isinstance(entry, (File, Symlink)) else 0)
        parent = paths.parent(path)
        totals[parent] = totals.get(parent, 0) + totals[path]
    last_child: dict[str, str] = {}
    for path, _ in walked:
        last_child[paths.parent(path)] = path
    rows = []
    for path, entry in walked:
        chain = [path] + [a for a in paths.ancestors(path) if a != "/"]
        flags = tuple(last_child[paths.parent(p)] == p for p in reversed(chain))
        kind = "dir" if isinstance(entry, Dir) else entry.kind
        target = entry.target if isinstance(entry, (Symlink, HardLink)) else None
        rows.append(TreeRow(path, kind, totals.get(path, 0), snap.origin(path), len(chain), flags, target))
    return tuple(rows)


def render_tree(image: Image) -> str:
    """The merged tree drawn like `tree`, each line prefixed with its size and the layer it comes from.

    >>> import layerlab as ll
    >>> img = ll.Image(layers=(ll.Layer.from_spec({"/etc/motd": "hi\\n", "/bin/sh": ll.Symlink("busybox")}),
    ...                        ll.Layer.from_spec({"/etc/issue": "x" * 1234})))
    >>> print(render_tree(img))
       SIZE   LAYER  PATH
      1.24kB         /
         7B   0      ├── bin
         7B   0      │   └── sh -> busybox
      1.24kB  0      └── etc
      1.23kB  1          ├── issue
         3B   0          └── motd
    """
    rows = tree_rows(image)
    lines = [f"{'SIZE':>8}   LAYER  PATH",
             f"{human_size(sum(r.size for r in rows if r.depth == 1)):>8}{'':9}/"]
    for row in rows:
        prefix = "".join("    " if last else "│   " for last in row.last[:-1])
        branch = "└── " if row.last[-1] else "├── "
        name = paths.basename(row.path) + (f" -> {row.target}" if row.kind == "symlink" else "")
        if row.kind == "hardlink":
            name += f" => {row.target}"
        layer = str(row.layer) if row.layer >= 0 else ""
        lines.append(f"{human_size(row.size):>8}  {layer:<6} {prefix}{branch}{name}")
    return "\n".join(lines)


# -- three notions of "modified" ----------------------------------------------------------------------------
@dataclass(frozen=True, order=True)
class Change:
    """One changed path under one notion: kind is 'A' (added), 'C' (changed) or 'D' (deleted)."""

    path: str
    kind: str

    def __str__(self) -> str:
        return f"{self.kind} {self.path}"


class _Upper:
    """The two things runtime.changes needs from a WorkTree: the upper entries and the merged view."""

    def __init__(self, lower: Snapshot, layer: Layer):
        self.upper = dict(layer.entries)
        self._snap = lower.apply(layer)
        self.lower = lower

    def snapshot(self) -> Snapshot:
        return self._snap


def _sorted(found: Mapping[str, str]) -> tuple[Change, ...]:
    return tuple(Change(p, k) for p, k in sorted(found.items(), key=lambda kv: paths.sort_key(kv[0])))


def stat_changes(lower: Snapshot, layer: Layer) -> tuple[Change, ...]:
    """`docker diff`'s notion: type, mode, owner, size or mtime differ; every ancestor of a change is 'C'.

    >>> import layerlab as ll
    >>> lower = ll.merge([ll.Layer.from_spec({"/etc/motd": ll.File("hi", mtime=1)})])
    >>> [str(c) for c in stat_changes(lower, ll.Layer.from_spec({"/etc/motd": ll.File("hi", mtime=2)}))]
    ['C /etc', 'C /etc/motd']
    """
    from .runtime.changes import changes

    return _sorted({c.path: c.kind for c in changes(_Upper(lower, layer), lower)})


def upperdir_changes(lower: Snapshot, layer: Layer) -> tuple[Change, ...]:
    """`docker commit`'s notion: every path in the upper layer, copied up or not; a whiteout is 'D'.

    >>> import layerlab as ll
    >>> lower = ll.merge([ll.Layer.from_spec({"/etc/motd": "hi"})])
    >>> [str(c) for c in upperdir_changes(lower, ll.Layer.from_spec({"/etc/motd": "hi", "/etc/x": ll.WHITEOUT}))]
    ['C /etc/motd', 'D /etc/x']
    """
    found = {}
    for path, entry in layer.entries.items():
        if isinstance(entry, Whiteout):
            found[path] = "D"
        else:
            found[path] = "C" if lower.get(path) is not None else "A"
    return _sorted(found)


def content_changes(lower: Snapshot, layer: Layer) -> tuple[Change, ...]:
    """dive's notion: content hash, type, mode, uid or gid differ; mtime and untouched parents do not count.

    >>> import layerlab as ll
    >>> lower = ll.merge([ll.Layer.from_spec({"/etc/motd": ll.File("hi", mtime=1)})])
    >>> content_changes(lower, ll.Layer.from_spec({"/etc/motd": ll.File("hi", mtime=2)}))
    ()
    """
    verdicts = _content_verdicts(lower, layer, lower.apply(layer))
    return _sorted({p: k for p, k in verdicts.items() if k != "="})


@dataclass(frozen=True)
class Notion:
    """One path judged three ways: by stat (docker diff), by upperdir (commit), by content (dive); None = unchanged."""

    path: str
    stat: str | None
    upperdir: str | None
    content: str | None

    def to_json(self) -> dict:
        return {"path": self.path, "stat": self.stat, "upperdir": self.upperdir, "content": self.content}


def three_notions(lower: Snapshot, layer: Layer) -> tuple[Notion, ...]:
    """Every path any notion calls modified, with each notion's verdict side by side.

    >>> import layerlab as ll
    >>> lower = ll.merge([ll.Layer.from_spec({"/bin/tool": ll.File("x" * 100, mode=0o644)})])
    >>> for n in three_notions(lower, ll.Layer.from_spec({"/bin/tool": ll.File("x" * 100, mode=0o755)})):
    ...     print(n.path, n.stat, n.upperdir, n.content)
    /bin C None None
    /bin/tool C C C
    """
    verdicts = {"stat": stat_changes(lower, layer), "upperdir": upperdir_changes(lower, layer),
                "content": content_changes(lower, layer)}
    table: dict[str, dict[str, str]] = {}
    for notion, found in verdicts.items():
        for change in found:
            table.setdefault(change.path, {})[notion] = change.kind
    return tuple(Notion(p, v.get("stat"), v.get("upperdir"), v.get("content"))
                 for p, v in sorted(table.items(), key=lambda kv: paths.sort_key(kv[0])))


def layer_notions(image: Image, index: int) -> tuple[Notion, ...]:
    """three_notions for one image layer against the layers below it."""
    if not -len(image.layers) <= index < len(image.layers):
        raise NotFoundError(f"layer {index} does not exist: the image has {len(image.layers)} layers "
                            f"(0 to {len(image.layers) - 1})")
    index %= len(image.layers)
    return three_notions(merge(image.layers[:index]), image.layers[index])


def container_notions(container) -> tuple[Notion, ...]:
    """three_notions for a container: its read-write layer (the upperdir) against image + init layer."""
    return three_notions(container.lower, container.rw_layer("overlay2"))


def notions_table(notions: Iterable[Notion]) -> Table:
    """The three verdicts as a docker-style table ('-' where a notion sees no change)."""
    return Table(["PATH", "STAT (docker diff)", "UPPERDIR (commit)", "CONTENT (dive)"],
                 [[n.path, n.stat or "-", n.upperdir or "-", n.content or "-"] for n in notions])


# -- layer sharing --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SharedLayer:
    """A layer stored once (keyed by chain_id) and the images that use it."""

    chain_id: str
    diff_id: str
    size: int
    created_by: str
    images: tuple[str, ...]

    def to_json(self) -> dict:
        return {"chain_id": self.chain_id, "diff_id": self.diff_id, "size": self.size,
                "created_by": self.created_by, "images": list(self.images)}


@dataclass(frozen=True)
class Sharing:
    """Layers of a set of images keyed by chain_id: what is stored once, and what that saves."""

    layers: tuple[SharedLayer, ...]
    images: tuple[tuple[str, int, int], ...]   # (name, size, shared size)

    @property
    def shared(self) -> tuple[SharedLayer, ...]:
        """Layers used by more than one image."""
        return tuple(layer for layer in self.layers if len(layer.images) > 1)

    @property
    def total_size(self) -> int:
        """What the images would take if nothing were shared: the sum of their sizes."""
        return sum(size for _, size, _ in self.images)

    @property
    def stored_size(self) -> int:
        """What they take with each chain_id stored once."""
        return sum(layer.size for layer in self.layers)

    @property
    def saved(self) -> int:
        return self.total_size - self.stored_size

    def table(self) -> Table:
        """Per image, like `docker system df -v`: SIZE, SHARED SIZE, UNIQUE SIZE."""
        return Table(["IMAGE", "SIZE", "SHARED SIZE", "UNIQUE SIZE"],
                     [[n, human_size(s), human_size(sh), human_size(s - sh)] for n, s, sh in self.images])

    def to_json(self) -> dict:
        return {"layers": [layer.to_json() for layer in self.layers],
                "images": [{"name": n, "size": s, "shared_size": sh} for n, s, sh in self.images],
                "total_size": self.total_size, "stored_size": self.stored_size, "saved": self.saved}


def layer_sharing(images) -> Sharing:
    """Which images share which layers (by chain_id: same layer on the same parents) and the bytes saved.

    images is a {name: Image} mapping, an iterable of Images (named by short ID) or an Engine (its tags).

    >>> import layerlab as ll
    >>> base = ll.Layer.from_spec({"/bin/sh": "x" * 100})
    >>> a = ll.Image(layers=(base, ll.Layer.from_spec({"/a": "1"})))
    >>> b = ll.Image(layers=(base, ll.Layer.from_spec({"/b": "22"})))
    >>> s = layer_sharing({"a": a, "b": b})
    >>> [(l.size, l.images) for l in s.shared], s.total_size, s.stored_size, s.saved
    ([(100, ('a', 'b'))], 203, 103, 100)
    """
    if hasattr(images, "images") and hasattr(images, "tags_of"):   # an Engine
        engine = images
        named = {}
        for image_id, img in engine.images.items():
            tags = engine.tags_of(image_id)
            named[tags[0] if tags else img.short_id] = img
    elif isinstance(images, Mapping):
        named = dict(images)
    else:
        named = {img.short_id: img for img in images}
    users: dict[str, list[str]] = {}
    info: dict[str, tuple[str, int, str]] = {}
    for name, img in named.items():
        for chain, layer in zip(img.chain_ids, img.layers):
            users.setdefault(chain, [])
            if name not in users[chain]:
                users[chain].append(name)
            info.setdefault(chain, (layer.diff_id, layer.size, layer.created_by))
    layers = tuple(SharedLayer(ch, info[ch][0], info[ch][1], info[ch][2], tuple(users[ch])) for ch in users)
    rows = []
    for name, img in named.items():
        shared = sum(layer.size for ch, layer in zip(img.chain_ids, img.layers) if len(users[ch]) > 1)
        rows.append((name, img.size, shared))
    return Sharing(layers, tuple(rows))


# -- CI rules (dive --ci) ----------------------------------------------------------------------------------------
_BYTE_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "ki": 1 << 10, "kib": 1 << 10, "m": 1000 ** 2,
               "mb": 1000 ** 2, "mi": 1 << 20, "mib": 1 << 20, "g": 1000 ** 3, "gb": 1000 ** 3, "gi": 1 << 30,
               "gib": 1 << 30, "t": 1000 ** 4, "tb": 1000 ** 4, "ti": 1 << 40, "tib": 1 << 40,
               "p": 1000 ** 5, "pb": 1000 ** 5, "pi": 1 << 50, "pib": 1 << 50, "e": 1000 ** 6, "eb": 1000 ** 6,
               "ei": 1 << 60, "eib": 1 << 60}


def parse_bytes(text: str) -> int:
    """A size the way dive reads one (go-humanize ParseBytes): SI 'MB', IEC 'MiB', bare numbers, commas.

    >>> parse_bytes("20MB"), parse_bytes("20 MiB"), parse_bytes("1,000"), parse_bytes("1.5k")
    (20000000, 20971520, 1000, 1500)
    """
    m = re.match(r"^([0-9.,]*)(.*)$", str(text))
    number, unit = m.group(1).replace(",", ""), m.group(2).strip().lower()
    try:
        value = float(number)
    except ValueError:
        raise LayerlabError(f"{text!r} is not a size: write a number with an optional unit such as 20MB, "
                            "500kB or 1GiB") from None
    if unit not in _BYTE_UNITS:
        raise LayerlabError(f"{text!r} has an unknown unit {unit!r}: use B, kB, MB, GB (1000s) or KiB, MiB, "
                            "GiB (1024s)")
    return int(value * _BYTE_UNITS[unit])


@dataclass(frozen=True)
class CIResult:
    """One CI rule: its name as dive names it, whether it passed, and dive's message when it failed."""

    rule: str
    passed: bool
    message: str = ""

    def __str__(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'}: {self.rule}" + (f": {self.message}" if self.message else "")

    def to_json(self) -> dict:
        return {"rule": self.rule, "passed": self.passed, "message": self.message}


def check_ci(report: "Report", *, lowest_efficiency: float | None = None,
             highest_wasted_bytes: int | str | None = None,
             highest_user_wasted_percent: float | None = None) -> tuple[CIResult, ...]:
    """dive's --ci rules (runtime/ci/rules.go) on a report; a rule left as None is not checked.

    highest_user_wasted_percent is a ratio as in dive (0.1 means 10 %). The
    wasted bytes checked are the report's `wasted_bytes` (hidden copies).
    """
    out = []
    if lowest_efficiency is not None:
        ok = not (lowest_efficiency > report.efficiency)
        out.append(CIResult("lowestEfficiency", ok, "" if ok else
                            f"image efficiency is too low (efficiency={report.efficiency:.4f} < "
                            f"threshold={lowest_efficiency})"))
    if highest_wasted_bytes is not None:
        limit = parse_bytes(highest_wasted_bytes) if isinstance(highest_wasted_bytes, str) else highest_wasted_bytes
        ok = not (report.wasted_bytes > limit)
        out.append(CIResult("highestWastedBytes", ok, "" if ok else
                            f"too many bytes wasted (wasted-bytes={report.wasted_bytes} > threshold={limit})"))
    if highest_user_wasted_percent is not None:
        ok = not (highest_user_wasted_percent < report.user_wasted_percent)
        out.append(CIResult("highestUserWastedPercent", ok, "" if ok else
                            "too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes="
                            f"{report.user_wasted_percent:.4f} > threshold={highest_user_wasted_percent})"))
    return tuple(out)


# -- the report ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Report:
    """What `layerlab inspect` prints: summary, layers, wasted bytes, efficiency, largest files (and the tree)."""

    image_id: str
    tags: tuple[str, ...]
    format: str
    size: int
    layers: tuple[LayerRow, ...]
    efficiency: float
    wasted_bytes: int
    wasted: tuple[WastedFile, ...]
    dive: DiveEfficiency
    user_size: int
    largest: tuple[LargeFile, ...]
    source: str = ""
    image: Image | None = field(default=None, compare=False, repr=False)

    @property
    def user_wasted_percent(self) -> float:
        """wasted_bytes / bytes of every layer but the first (dive's 'user' bytes), as a ratio."""
        if not self.wasted_bytes:
            return 0.0
        return self.wasted_bytes / self.user_size if self.user_size else float("inf")

    def tree(self) -> tuple[TreeRow, ...]:
        return tree_rows(self.image) if self.image is not None else ()

    def to_json(self, *, tree: bool = False, ci: Iterable[CIResult] = ()) -> dict:
        """The report as JSON-ready data (sizes in bytes)."""
        out = {
            "image": {"id": self.image_id, "tags": list(self.tags), "format": self.format, "size": self.size,
                      "layers": len(self.layers), "source": self.source},
            "layers": [row.to_json() for row in self.layers],
            "efficiency": self.efficiency,
            "wasted_bytes": self.wasted_bytes,
            "user_size": self.user_size,
            "user_wasted_percent": self.user_wasted_percent,
            "wasted": [w.to_json() for w in self.wasted],
            "dive": {"score": self.dive.score, "wasted_bytes": self.dive.wasted_bytes,
                     "inefficiencies": [i.to_json() for i in self.dive.inefficiencies]},
            "largest": [f.to_json() for f in self.largest],
        }
        if tree:
            out["tree"] = [row.to_json() for row in self.tree()]
        ci = list(ci)
        if ci:
            out["ci"] = {"passed": all(r.passed for r in ci), "rules": [r.to_json() for r in ci]}
        return out

    def json(self, **options) -> str:
        return json.dumps(self.to_json(**options), indent=2)

    def render(self, *, tree: bool = False, ci: Iterable[CIResult] = (), max_wasted: int = 20) -> str:
        """The report as text: tables in the docker CLI's style."""
        tags = ", ".join(self.tags) or "<none>"
        parts = ["Image",
                 f"  ID:      {self.image_id}",
                 f"  Tags:    {tags}",
                 f"  Format:  {self.format}",
                 f"  Size:    {human_size(self.size)}",
                 f"  Layers:  {len(self.layers)}",
                 "", "Layers"]
        rows = [[r.index, human_size(r.size), r.files, r.added, r.modified, r.removed, r.members,
                 short_command(r.created_by, 44) or "<unknown>"] for r in self.layers]
        parts.append(_indent(Table(["LAYER", "SIZE", "FILES", "ADDED", "MODIFIED", "REMOVED", "MEMBERS",
                                    "CREATED BY"], rows)))
        parts += ["", "Wasted space (copies hidden by later layers)"]
        if self.wasted:
            wrows = [[human_size(w.size), w.path, " ".join(f"{o.layer}->{o.by}" for o in w.occurrences),
                      ", ".join(w.how)] for w in self.wasted[:max_wasted]]
            parts.append(_indent(Table(["WASTED", "PATH", "SHIPPED->HIDDEN BY", "HOW"], wrows)))
            if len(self.wasted) > max_wasted:
                parts.append(f"  ... and {len(self.wasted) - max_wasted} more")
        else:
            parts.append("  None")
        parts += ["",
                  f"Efficiency:           {self.efficiency * 100:.4f} %  (dive's score)",
                  f"Wasted bytes:         {human_size(self.wasted_bytes)} ({self.wasted_bytes} B)"
                  f"  (dive counts {human_size(self.dive.wasted_bytes)}: every copy of a repeated path)",
                  f"User wasted percent:  {_percent(self.user_wasted_percent)}"
                  f"  (of {human_size(self.user_size)} above the first layer)",
                  "", "Largest files"]
        if self.largest:
            parts.append(_indent(Table(["SIZE", "PATH", "LAYER"],
                                       [[human_size(f.size), f.path, f.layer] for f in self.largest])))
        else:
            parts.append("  None")
        if tree:
            parts += ["", "Tree", render_tree(self.image) if self.image is not None else "  (no image)"]
        ci = list(ci)
        if ci:
            parts += ["", "CI rules"] + [f"  {r}" for r in ci]
            parts.append(f"  Result: {'PASS' if all(r.passed for r in ci) else 'FAIL'}")
        return "\n".join(parts)

    def __str__(self) -> str:
        return self.render()


def _indent(table: Table) -> str:
    return "\n".join("  " + line for line in str(table).splitlines())


def _percent(ratio: float) -> str:
    return "inf %" if ratio == float("inf") else f"{ratio * 100:.4f} %"


def _choose(found, path, ref: str | None):
    from .formats.refs import matches

    label = os.path.basename(os.fspath(path))
    if not found:
        raise NotFoundError(f"{label} holds no image: its index lists none")
    if ref is not None:
        chosen = [(t, i) for t, i in found if matches(ref, t) or i.id == ref or i.short_id == ref]
        if not chosen:
            tags = sorted(t for ts, _ in found for t in ts)
            raise NotFoundError(f"no image tagged {ref!r} in {label} (it holds: "
                                f"{', '.join(tags) or 'untagged images only'})")
        return chosen[0]
    if len(found) > 1:
        names = ", ".join(" ".join(t) or i.short_id for t, i in found)
        raise FormatError(f"{label} holds {len(found)} images ({names}): pass ref= (or --ref) to choose one")
    return found[0]


def inspect_image(image, *, ref: str | None = None, tags: Iterable[str] = (), top: int = 10,
                  progress: Progress | None = None) -> Report:
    """Analyse an Image, or the image file at a path (any format load_image reads), into a Report.

    progress(done, total, what) is called once the file is read and after each layer is analysed.
    """
    source, fmt = "", "image"
    if not isinstance(image, Image):
        from .formats import detect_format, load_images

        source = os.fspath(image)
        fmt = detect_format(source)
        found_tags, image = _choose(load_images(source), source, ref)
        tags = tuple(found_tags) + tuple(t for t in tags if t not in found_tags)
        if progress is not None:
            progress(0, len(image.layers), "image read")
    rows, snap = [], merge([])
    for row, _, upper in _rows(image, progress):
        rows.append(row)
        snap = upper
    dive = dive_efficiency(image.layers)
    wasted = _wasted_from(snap)
    return Report(
        image_id=image.id, tags=tuple(tags), format=fmt, size=image.size, layers=tuple(rows),
        efficiency=dive.score, wasted_bytes=sum(w.size for w in wasted), wasted=wasted, dive=dive,
        user_size=sum(_file_bytes(layer) for layer in image.layers[1:]),
        largest=largest_files(image, top), source=source, image=image)
