"""LayerInspector: pick a layer of an image (or a container's init and read-write layers) and see its changeset.

A base layer holds thousands of entries: the tables show the first members in
tar order (the same rows `changeset_table` and `member_names` give, computed from
just those entries) and count the rest, so picking a 13,000-entry layer stays fast.

>>> from layerlab import Engine
>>> eng = Engine()
>>> img = eng.build('FROM busybox\\nRUN rm /bin/ls && echo hi > /etc/motd\\n', tag="demo")
>>> i = LayerInspector(img, engine=eng)
>>> i
LayerInspector: L1 of 2 layers - RUN rm /bin/ls && echo hi > /etc/motd - 3 B, 1 added, 1 whiteout
>>> i.select(0).index, i.layer is img.layers[0]
(0, True)
"""

from __future__ import annotations

import heapq

from ...fs import paths
from ...fs.entries import Opaque, Whiteout
from ...fs.layer import Layer
from ...fs.tarcodec import chain_id, member_names
from ...fs.union import merge
from ..summary import classify, count_text, layer_size, short_instruction, size_text
from .common import CSS, SOFT, LabWidget, column, default_engine, esc, heading, html_pre, is_container, raw_pre

__all__ = ["LayerInspector", "first_members"]

SHOWN = 40


def _member_key(path: str, entry) -> list[str]:
    """The sort key the layer tar gives the (first) member of an entry (tarcodec.members' order)."""
    if isinstance(entry, Whiteout):
        parent, base = paths.split(path)
        path = paths.join(parent, ".wh." + base)
    return path.strip("/").split("/") if path != "/" else [""]


def first_members(layer: Layer, n: int) -> Layer:
    """A layer of the entries whose tar members come first: its changeset_table and member_names are the first
    rows of the whole layer's (every entry becomes its members on its own)."""
    if len(layer) <= n:
        return layer
    chosen = heapq.nsmallest(n, layer.entries.items(), key=lambda kv: _member_key(*kv))
    return Layer(chosen, created_by=layer.created_by)


def member_count(layer: Layer) -> int:
    """How many tar members the layer has (an opaque directory is its header plus the marker)."""
    n = 0
    for entry in layer.entries.values():
        n += 2 if isinstance(entry, Opaque) and entry.header else 1
    return n


class _Row:
    """One layer the dropdown offers: its label, the Layer, the tree below it, and its digests."""

    def __init__(self, label: str, instruction: str, layer: Layer, below, chain: str | None, note: str = "",
                 copy_ups=()):
        self.label, self.instruction, self.layer, self.below = label, instruction, layer, below
        self.chain, self.note, self.copy_ups = chain, note, copy_ups


class LayerInspector(LabWidget):
    """A dropdown of layers (instruction, size); the chosen layer's changeset (added / modified / whiteout /
    opaque), its raw tar member names and its digests (diff_id, chain_id, tar size)."""

    def __init__(self, image_or_container, *, engine=None, index: int | None = None):
        self.engine = engine
        obj = image_or_container
        if isinstance(obj, str):
            obj = (engine if engine is not None else default_engine()).resolve_image(obj, pull=False)
        self.subject = obj
        self.container = obj if is_container(obj) else None
        self.image = self.container.image if self.container is not None else obj
        self._below_cache: dict[int, object] = {}
        self._details: dict[int, dict] = {}
        self._rw_key = self._rw_hold = None
        self._rows = self._make_rows()
        self._index = len(self.image.layers) - 1 if self.container is None else len(self._rows) - 1
        if index is not None:
            self._index = self._normalize(index)
        self._make_view()
        self._refresh()

    # -- state -----------------------------------------------------------------------------------------------
    @property
    def index(self) -> int:
        """The chosen layer: 0 the base layer ... len(image.layers)-1; a container adds init, then rw."""
        return self._index

    @property
    def layer(self) -> Layer:
        return self._rows[self._index].layer

    @property
    def label(self) -> str:
        return self._rows[self._index].label

    @property
    def labels(self) -> list[str]:
        return [r.label for r in self._rows]

    @property
    def details(self) -> dict:
        """What is shown for the chosen layer: diff_id, chain_id, tar_size, members, counts, changeset text."""
        return dict(self._detail(self._index))

    def select(self, index) -> "LayerInspector":
        """Show another layer: an index (negative counts from the top) or a label ('L2', 'init', 'rw')."""
        self._index = self._normalize(index)
        self._refresh()
        return self

    def refresh(self) -> "LayerInspector":
        """Show the container's read-write layer as it is now (select does this by itself)."""
        self._refresh()
        return self

    def _sync_rw(self) -> None:
        """A container keeps writing: the rw row follows its upperdir (a new Layer only when it changed)."""
        c = self.container
        if c is None:
            return
        upper = c.rootfs.upper
        key = tuple((path, id(entry)) for path, entry in upper.items())
        if key == self._rw_key:
            return
        self._rw_key, self._rw_hold = key, upper
        driver = self.engine.driver if self.engine is not None else "overlay2"
        row = self._rows[-1]
        row.layer, row.copy_ups = c.rw_layer(driver), tuple(c.rootfs.copy_ups)
        self._details.pop(len(self._rows) - 1, None)
        if getattr(self, "dropdown", None) is not None:
            self._syncing = True
            try:
                self.dropdown.options = [self._option(i) for i in range(len(self._rows))]
                self.dropdown.value = self._index
            finally:
                self._syncing = False

    # -- internals --------------------------------------------------------------------------------------------
    def _normalize(self, index) -> int:
        from ...errors import LayerlabError

        if isinstance(index, str):
            if index in self.labels:
                return self.labels.index(index)
            raise LayerlabError(f"no layer {index!r}: choose one of {', '.join(self.labels)}")
        n = len(self._rows)
        if not -n <= int(index) < n:
            raise LayerlabError(f"layer index {index} is out of range: this stack has {n} layers (0 to {n - 1})")
        return int(index) % n

    def _below(self, i: int):
        """The merged tree under image layer i (None under the base layer)."""
        if i == 0:
            return None
        if i not in self._below_cache:
            prev = self._below_cache.get(i - 1) if i > 1 else None
            self._below_cache[i] = prev.apply(self.image.layers[i - 1]) if prev is not None else merge(
                self.image.layers[:i])
        return self._below_cache[i]

    def _make_rows(self) -> list[_Row]:
        img = self.image
        rows = []
        chains = img.chain_ids
        for i, layer in enumerate(img.layers):
            rows.append(_Row(f"L{i}", short_instruction(layer.created_by) or "(no created_by)", layer, i, chains[i]))
        c = self.container
        if c is not None:
            driver = self.engine.driver if self.engine is not None else "overlay2"
            rw = c.rw_layer(driver)
            rows.append(_Row("init", "init layer (mount points and empty placeholders)", c.init, "image", None,
                             "never part of an image: docker commit leaves it out"))
            rows.append(_Row("rw", f"read-write layer of container {c.name}", rw, "lower", "commit",
                             "what docker commit would add as the next layer", c.rootfs.copy_ups))
        return rows

    def _lower_of(self, row: _Row):
        if row.below == "image":
            return self.container.image.rootfs
        if row.below == "lower":
            return self.container.lower
        return self._below(row.below)

    def _detail(self, i: int) -> dict:
        row = self._rows[i]
        hit = self._details.get(i)
        if hit is not None and hit["layer"] is row.layer:
            return hit
        from ..text import changeset_table

        layer = row.layer
        lower = self._lower_of(row)
        head = first_members(layer, SHOWN)
        table = changeset_table(head, lower=lower)
        names = member_names(head)
        total = member_count(layer)
        counts: dict[str, int] = {}
        listed: dict[tuple[str, str], int] = {}
        for item in classify(layer, lower, row.copy_ups):
            if item.kind != "dir":
                counts[item.kind] = counts.get(item.kind, 0) + 1
            key = _listed_kind(item)
            listed[key] = listed.get(key, 0) + 1
        if row.chain == "commit":
            chain = chain_id(self.image.diff_ids + [layer.diff_id])
        else:
            chain = row.chain
        detail = {"layer": layer, "label": row.label, "instruction": row.instruction, "diff_id": layer.diff_id,
                  "chain_id": chain, "tar_size": layer.tar_size, "size": layer_size(layer), "members": total,
                  "counts": counts, "listed": listed, "changeset": str(table), "member_names": names, "note": row.note}
        self._details[i] = detail
        return detail

    def _option(self, i: int) -> tuple[str, int]:
        row = self._rows[i]
        text = f"{row.label:<5} {short_instruction(row.instruction, 58)}  ·  {size_text(layer_size(row.layer))}"
        return text, i

    # -- the view -----------------------------------------------------------------------------------------------
    def _make_view(self) -> None:
        import ipywidgets as w

        self.dropdown = w.Dropdown(options=[self._option(i) for i in range(len(self._rows))], value=self._index,
                                   description="layer", layout=w.Layout(width="720px"))
        self.dropdown.add_class("ll-layer-dropdown")
        self.dropdown.observe(self._on_pick, "value")
        self.digests = w.HTML(layout=w.Layout(width="100%"))
        self.digests.add_class("ll-digests")
        self.changeset = w.HTML(layout=w.Layout(width="100%", margin="0"))
        self.changeset.add_class("ll-changeset")
        self.members = w.HTML(layout=w.Layout(width="100%", margin="0"))
        self.members.add_class("ll-members")
        what = "container" if self.container is not None else "image"
        intro = w.HTML(CSS + '<div style="font-size:13px;margin-bottom:4px"><b>Layer inspector</b> · pick a layer '
                       f"of the {what}: its changeset against the layers below, the raw names in its tar, and the "
                       "digests that identify it.</div>")
        self.widget = w.VBox([intro, self.dropdown, self.digests,
                              w.HBox([w.VBox([heading("Changeset (what this layer changes)"), self.changeset],
                                             layout=column("62%")),
                                      w.VBox([heading("tar -tf layer.tar (raw member names)"), self.members],
                                             layout=column("38%", last=True))])],
                             layout=w.Layout(width="100%"))
        self.widget.add_class("ll-root")
        self.widget.add_class("ll-layer-inspector")

    def _on_pick(self, change) -> None:
        if getattr(self, "_syncing", False):
            return
        if change["new"] is not None and change["new"] != self._index:
            self.select(change["new"])

    def _refresh(self) -> None:
        self._sync_rw()
        d = self._detail(self._index)
        if self.dropdown.value != self._index:
            self.dropdown.value = self._index
        counts = _listed_text(d["listed"])
        chain = d["chain_id"] or "none: the init layer is never committed"
        chain_note = " (what docker commit would give)" if self._rows[self._index].chain == "commit" else ""
        content = f"{size_text(d['size'])} in {count_text(len(d['layer']), 'entry')}: {counts or 'no changes'}"
        rows = [("created by", d["instruction"]), ("content", content),
                ("diff_id", d["diff_id"] + "   (sha256 of the uncompressed tar)"),
                ("chain_id", chain + chain_note + ("   (names this layer and every layer below it)"
                                                   if d["chain_id"] else "")),
                ("tar size", f"{d['tar_size']:,} bytes ({size_text(d['tar_size'])}) in "
                             f"{count_text(d['members'], 'member')}")]
        if d["note"]:
            rows.append(("note", d["note"]))
        table = "".join(f'<tr><td style="padding:1px 10px 1px 0;color:{SOFT};white-space:nowrap;vertical-align:top">'
                        f'{esc(k)}</td><td style="font-family:var(--jp-code-font-family,monospace);font-size:12px;'
                        f'word-break:break-all">{esc(v)}</td></tr>' for k, v in rows)
        self.digests.value = (f'<div style="margin:6px 0"><table style="border-collapse:collapse">{table}</table>'
                              "</div>")
        rest = d["members"] - len(d["member_names"])
        text = d["changeset"] + (f"\n… {count_text(rest, 'more member')}" if rest > 0 else "")
        self.changeset.value = html_pre(text, height="420px")
        names = "\n".join(d["member_names"]) + (f"\n… {count_text(rest, 'more member')}" if rest > 0 else "")
        self.members.value = raw_pre(esc(names), height="420px")

    # -- text -----------------------------------------------------------------------------------------------------
    def describe(self) -> str:
        self._sync_rw()
        d = self._detail(self._index)
        counts = _counts(d["counts"])
        n = len(self.image.layers)
        where = f"{d['label']} of {count_text(n, 'layer')}" if d["label"].startswith("L") else (
            f"{d['label']} layer of container {self.container.name}")
        return (f"LayerInspector: {where} - {short_instruction(d['instruction'], 60)} - {size_text(d['size'])}"
                + (f", {counts}" if counts else ", no changes"))


_ORDER = {"added": 0, "modified": 1, "copied up": 2, "whiteout": 3, "opaque": 4}


def _counts(counts: dict[str, int]) -> str:
    """'2 added, 1 modified, 3 whiteouts': adjectives stay, the noun whiteout takes its plural."""
    parts = []
    for kind, n in sorted(counts.items(), key=lambda kv: _ORDER.get(kv[0], 9)):
        parts.append(count_text(n, kind) if kind == "whiteout" else f"{n:,} {kind}")
    return ", ".join(parts)


# What the changeset table calls each path (a parent directory the layer carries is a 'modified' row there, a
# copied-up file a 'modified' one), split by what the path is: so the counts add up to the table's rows.
_LISTED_ORDER = ("added", "modified", "whiteout", "opaque")
_NOUNS = ("file", "symlink", "directory")


def _listed_kind(item) -> tuple[str, str]:
    """(the table's KIND, the noun) of one classified path: ('modified', 'directory'), ('whiteout', '');
    a copied-up file is ('modified', 'copied up file'): a modified file, said so."""
    from ...fs.entries import Dir, Symlink

    if item.kind in ("whiteout", "opaque"):
        return item.kind, ("" if item.kind == "whiteout" else "directory")
    if item.kind == "copied up":
        return "modified", "copied up file"
    kind = "modified" if item.kind == "dir" else item.kind
    noun = "directory" if isinstance(item.entry, Dir) else "symlink" if isinstance(item.entry, Symlink) else "file"
    return kind, noun


def _listed_text(listed: dict[tuple[str, str], int]) -> str:
    """'1 added file, 1 modified file, 2 modified directories, 1 whiteout': every path the table lists, once.

    >>> _listed_text({("modified", "directory"): 1, ("modified", "file"): 1, ("whiteout", ""): 2})
    '1 modified file, 1 modified directory, 2 whiteouts'
    >>> _listed_text({("modified", "copied up file"): 1, ("modified", "file"): 1})
    '2 modified files (1 copied up)'
    """
    listed = dict(listed)
    copied = listed.pop(("modified", "copied up file"), 0)
    if copied:
        listed[("modified", "file")] = listed.get(("modified", "file"), 0) + copied
    parts = []
    for (kind, noun), n in sorted(listed.items(), key=lambda kv: (
            _LISTED_ORDER.index(kv[0][0]) if kv[0][0] in _LISTED_ORDER else 9,
            _NOUNS.index(kv[0][1]) if kv[0][1] in _NOUNS else 9)):
        if not noun:
            parts.append(count_text(n, kind))
            continue
        text = f"{n:,} {kind} {count_text(n, noun).split(' ', 1)[1]}"
        if copied and (kind, noun) == ("modified", "file"):
            text += f" ({copied:,} copied up)"
        parts.append(text)
    return ", ".join(parts)
