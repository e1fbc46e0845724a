"""DriverView: one container (or image) as overlay2, aufs and vfs would keep it under /var/lib/docker.

The layouts come from `layerlab.runtime.drivers`. They list every entry of every
directory, so a vfs layout of a 13,000-file image takes a second to compute: the
view computes the driver it shows first, then (prefetch=True) the other drivers'
layouts and pictures while the kernel is idle, one piece at a time, on the
kernel's own thread (the model's lazily built indexes and matplotlib are not
shared with other threads), so switching later is quick. Disk usage per driver
is worked out from the layers directly (union drivers: each layer once; vfs: a
full copy of the merged tree per layer), which is what the layouts add up to.

>>> from layerlab import Engine
>>> eng = Engine()
>>> c = eng.run("busybox")
>>> _ = eng.exec(c, "rm /bin/ls")
>>> d = DriverView(c, engine=eng, prefetch=False)
>>> d.show("aufs").driver
'aufs'
>>> print(d)
DriverView: aufs - container of busybox, 3 layer directories, 4.26 MB on disk (overlay2 4.26 MB, vfs 12.8 MB)
"""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import LayerlabError
from ...fs.entries import Dir, File, Symlink, Whiteout
from ...fs.union import merge
from ..summary import count_text, image_size, short_instruction, size_text
from .common import CSS, SOFT, LabWidget, esc, heading, html_pre, is_container, later, picture_view, png

try:  # the storage drivers module (absent in an older checkout: the view then shows sizes only)
    from ...runtime import drivers as _drivers
except ImportError:  # pragma: no cover
    _drivers = None

__all__ = ["DriverView", "DRIVERS", "Usage", "usage"]

DRIVERS = ("overlay2", "aufs", "vfs")
BAR_FILL = "#222222"          # the vfs picture's byte bars: dark ink, readable on every role's colour
ON_DISK_LINES = 24            # the "On disk" pane shows whole lines: 24 of them, then it scrolls


@dataclass(frozen=True)
class Usage:
    """Bytes one driver stores for a container (or an image): the image's directories, and the container's own."""

    driver: str
    image: int
    container: int
    directories: int

    @property
    def total(self) -> int:
        return self.image + self.container


_COPIES: dict[str, list[tuple[int, int]]] = {}


def _full_copies(image) -> list[tuple[int, int]]:
    """(entries, bytes) of the merged tree up to each layer of an image: what vfs stores per layer."""
    hit = _COPIES.get(image.id)
    if hit is not None:
        return hit
    out, snap = [], None
    for layer in image.layers:
        snap = merge([layer]) if snap is None else snap.apply(layer)
        out.append((len(snap), snap.size))
    if len(_COPIES) > 16:
        _COPIES.clear()
    _COPIES[image.id] = out
    return out


def usage(obj, driver: str) -> Usage:
    """What a driver stores for a container or an image (layer directories only; mounts are not storage).

    overlay2 and aufs keep each layer's changeset once; vfs keeps a full copy
    of the merged tree for every layer, the init layer and the container.
    """
    container = obj if is_container(obj) else None
    image = container.image if container is not None else obj
    if driver not in DRIVERS:
        raise LayerlabError(f"unknown storage driver {driver!r}: choose one of {', '.join(DRIVERS)}")
    if driver == "vfs":
        img_bytes = sum(size for _, size in _full_copies(image))
        own = (container.lower.size + container.view().size) if container is not None else 0
    else:
        img_bytes = image_size(image)
        own = (container.init.size + container.size) if container is not None else 0
    dirs = len(image.layers) + (2 if container is not None else 0)
    return Usage(driver, img_bytes, own, dirs)


class DriverView(LabWidget):
    """The same container through overlay2, aufs and vfs (ToggleButtons): the layout text, a picture, and the
    disk usage of each driver side by side."""

    def __init__(self, container, *, engine=None, driver: str | None = None, prefetch: bool = True):
        self.engine = engine
        self.subject = container
        self.container = container if is_container(container) else None
        self.image = self.container.image if self.container is not None else container
        first = driver or (engine.driver if engine is not None else "overlay2")
        if first not in DRIVERS:
            raise LayerlabError(f"unknown storage driver {first!r}: choose one of {', '.join(DRIVERS)}")
        self._driver = first
        self._layouts: dict[str, tuple] = {}
        self._pictures: dict[str, tuple] = {}
        self._usage = None
        self._make_view()
        self._refresh()
        if prefetch:
            later(self._warm, 0.5)

    # -- state ---------------------------------------------------------------------------------------------
    @property
    def driver(self) -> str:
        return self._driver

    @property
    def layout(self):
        """The drivers.DriverLayout shown (None without layerlab.runtime.drivers)."""
        return self._layout(self._driver)

    @property
    def layout_text(self) -> str:
        lay = self.layout
        return lay.render(max_entries=4) if lay is not None else ""

    @property
    def usage(self) -> dict[str, Usage]:
        """Disk usage of every driver for this container, by driver name."""
        key = self._key()
        if self._usage is None or self._usage[0] != key:
            self._usage = (key, {d: usage(self.subject, d) for d in DRIVERS})
        return dict(self._usage[1])

    @property
    def picture(self) -> bytes:
        return bytes(self.image_view.value)

    def show(self, driver: str) -> "DriverView":
        """Show the container as another driver keeps it: 'overlay2', 'aufs' or 'vfs'."""
        if driver not in DRIVERS:
            raise LayerlabError(f"unknown storage driver {driver!r}: choose one of {', '.join(DRIVERS)}")
        self._driver = driver
        self._refresh()
        return self

    def refresh(self) -> "DriverView":
        """Redraw after the container changed (a switch of driver notices changes by itself)."""
        self._refresh()
        return self

    # -- layouts ----------------------------------------------------------------------------------------------
    def _key(self) -> tuple:
        c = self.container
        if c is None:
            return (self.image.id,)
        return (c.id, c.state, len(c.execs), len(c.rootfs.copy_ups), c.size)

    def _compute(self, driver: str):
        if self.container is not None:
            return _drivers.container_layout(self.container, driver)
        return _drivers.image_layout(self.image, driver)

    def _layout(self, driver: str):
        if _drivers is None:
            return None
        key = self._key()
        hit = self._layouts.get(driver)
        if hit is not None and hit[0] == key:
            return hit[1]
        lay = self._compute(driver)
        self._layouts[driver] = (key, lay)
        return lay

    def _next_piece(self):
        """The next thing to prepare: a driver's layout, then its picture; None when all are ready."""
        key = self._key()
        for d in DRIVERS:
            if _drivers is not None and self._layouts.get(d, (None,))[0] != key:
                return self._layout, d
            if self._pictures.get(d, (None,))[0] != key:
                return self._picture, d
        return None

    def _warm(self) -> None:
        """Prepare one piece while the kernel is idle, then come back for the next."""
        piece = self._next_piece()
        if piece is not None:
            piece[0](piece[1])
            later(self._warm, 0.05)

    def wait(self) -> "DriverView":
        """Prepare every driver's layout and picture now (what idle time does; tests and benchmarks use it)."""
        piece = self._next_piece()
        while piece is not None:
            piece[0](piece[1])
            piece = self._next_piece()
        return self

    # -- the view ----------------------------------------------------------------------------------------------
    def _make_view(self) -> None:
        import ipywidgets as w

        self.toggle = w.ToggleButtons(options=list(DRIVERS), value=self._driver,
                                      tooltips=["overlay2: one directory per layer, overlayfs stacks them",
                                                "aufs: branches, .wh. files for whiteouts (removed in Docker 24)",
                                                "vfs: a full copy per layer, no union filesystem"])
        self.toggle.add_class("ll-driver-toggle")
        self.toggle.observe(self._on_toggle, "value")
        self.refresh_button = w.Button(description="Refresh", icon="refresh", tooltip="redraw after new commands",
                                       layout=w.Layout(width="96px"))
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.usage_view = w.HTML(layout=w.Layout(width="100%"))
        self.usage_view.add_class("ll-usage")
        self.image_view = picture_view("ll-driver-picture")
        self.layout_view = w.HTML(layout=w.Layout(width="100%"))
        self.layout_view.add_class("ll-layout")
        what = f"container {self.container.name}" if self.container is not None else f"image {self.image.short_id}"
        intro = w.HTML(CSS + '<div style="font-size:13px;margin-bottom:4px"><b>Storage drivers</b> · the same '
                       f"{esc(what)} as each driver stores it under <code>/var/lib/docker</code>: pick one.</div>")
        self.widget = w.VBox([intro, w.HBox([self.toggle, self.refresh_button], layout=w.Layout(align_items="center")),
                              self.usage_view, self.image_view,
                              heading("On disk (cache ids cut to 12 digits; markers always listed)"), self.layout_view],
                             layout=w.Layout(width="100%"))
        self.widget.add_class("ll-root")
        self.widget.add_class("ll-driver-view")

    def _on_toggle(self, change) -> None:
        if change["new"] and change["new"] != self._driver:
            self.show(change["new"])

    def _refresh(self) -> None:
        if self.toggle.value != self._driver:
            self.toggle.value = self._driver
        self.usage_view.value = self._usage_html()
        self.image_view.value = self._picture(self._driver)
        lay = self._layout(self._driver)
        text = lay.render(max_entries=4) if lay is not None else "(layerlab.runtime.drivers is not available)"
        self.layout_view.value = html_pre(text, lines=ON_DISK_LINES)       # last: when it changes, all is there

    def _usage_html(self) -> str:
        all_usage = self.usage
        top = max(u.total for u in all_usage.values()) or 1
        rows = []
        for d in DRIVERS:
            u = all_usage[d]
            width = max(0.5, 100 * u.total / top)
            current = d == self._driver
            colour = "#0072B2" if d != "vfs" else "#D55E00"
            weight = "700" if current else "400"
            split = (f"image {size_text(u.image)} + container {size_text(u.container)}" if self.container is not None
                     else f"{count_text(len(self.image.layers), 'layer')}")
            mark = "▶ " if current else ""
            rows.append(f'<tr style="font-weight:{weight}"><td style="padding:1px 8px 1px 0">{mark}'
                        f'{d}</td><td style="width:420px;padding:1px 6px"><div style="background:{colour};'
                        f'height:12px;width:{width:.1f}%;border-radius:2px"></div></td><td style="padding:1px 8px;'
                        f'text-align:right;white-space:nowrap">{esc(size_text(u.total))}</td><td style="color:{SOFT};'
                        f'white-space:nowrap">{esc(split)}</td></tr>')
        ratio = all_usage["vfs"].total / all_usage["overlay2"].total if all_usage["overlay2"].total else 0
        words = (f"vfs stores {ratio:.1f}× what overlay2 stores: it copies the whole tree for every layer"
                 if ratio else "")
        return (f'<div style="margin:6px 0"><b>Disk usage on the host</b> (layer directories; shared with other '
                f'images on a real host) <table style="border-collapse:collapse;font-size:12px;margin-top:3px">'
                f'{"".join(rows)}</table><div style="color:{SOFT};font-size:12px">{esc(words)}</div></div>')

    def _picture(self, driver: str) -> bytes:
        from .. import graph

        key = self._key()
        hit = self._pictures.get(driver)
        if hit is not None and hit[0] == key:
            return hit[1]
        if driver == "vfs":
            fig = vfs_picture(self.subject, engine=self.engine)
        else:
            fig = graph.driver_picture(self.subject, driver, engine=self.engine)
        data = png(fig)
        self._pictures[driver] = (key, data)
        return data

    # -- text ---------------------------------------------------------------------------------------------------------
    def describe(self) -> str:
        u = self.usage
        others = ", ".join(f"{d} {size_text(u[d].total)}" for d in DRIVERS if d != self._driver)
        what = f"container of {self.container.image_ref}" if self.container is not None else \
            f"image {self.image.short_id}"
        cur = u[self._driver]
        return (f"DriverView: {self._driver} - {what}, {count_text(cur.directories, 'layer directory')}, "
                f"{size_text(cur.total)} on disk ({others})")


# -- the vfs picture ---------------------------------------------------------------------------------------------
def _changes_chips(layer, limit: int = 3) -> list[tuple[str, str]]:
    """What one full copy has that the copy below lacks ('+ path') or lacks that it had ('- path'), a few chips."""
    added, gone = [], []
    parents = {p.rsplit("/", 1)[0] or "/" for p in layer.entries}
    for path, entry in layer.entries.items():
        if isinstance(entry, Whiteout):
            gone.append(path)
        elif isinstance(entry, (File, Symlink)) or (isinstance(entry, Dir) and path not in parents):
            added.append(path)
    chips = [(f"− {p.lstrip('/')}", "fold") for p in gone[:limit]]
    chips += [(f"+ {p.lstrip('/')}", "entry") for p in added[:max(0, limit - len(chips))]]
    more = len(added) + len(gone) - len(chips)
    return chips + ([(f"+{more:,} more", "meta")] if more > 0 else [])


def vfs_picture(obj, *, engine=None):
    """vfs: one full copy of the merged tree per layer (init and container layers too), no whiteouts."""
    from ..style import BODY, ROLES, SMALL, TINY, TITLE, WIDTH, Sheet, fit_text, legend_height, text_width
    from ..summary import find_base

    container = obj if is_container(obj) else None
    image = container.image if container is not None else obj
    copies = _full_copies(image)
    found = find_base(image, engine, "auto")
    n_base = found.layers if found is not None else 0
    rows = []   # (role, name, where, entries, bytes, chips)
    if container is not None:
        view = container.view()
        rw = container.rw_layer("vfs")
        rows.append(("rw", "container layer", "dir/<rw> · read-write", len(view), view.size,
                     _changes_chips(rw) if not rw.is_empty else [("same as the copy below", "entry")]))
        rows.append(("init", "init layer", "dir/<rw>-init", len(container.lower), container.lower.size,
                     _changes_chips(container.init)))
    for i in range(len(image.layers) - 1, -1, -1):
        layer = image.layers[i]
        entries, size = copies[i]
        chips = [("first copy: the whole base layer", "entry")] if i == 0 else _changes_chips(layer)
        rows.append(("base" if i < n_base else "layer", f"L{i}",
                     f"dir/<L{i}> · {short_instruction(layer.created_by) or 'layer'}", entries, size, chips))
    total = sum(r[4] for r in rows)
    union = image_size(image) + ((container.init.size + container.size) if container is not None else 0)
    row_h, gap, x0, x1, label_w = 0.56, 0.08, 0.2, WIDTH - 0.2, 2.35
    roles = [r for r in ("rw", "init", "layer", "base") if any(x[0] == r for x in rows)]
    legend_h = legend_height(roles, WIDTH - 0.4)
    height = 0.9 + len(rows) * (row_h + gap) + 0.55 + legend_h
    sheet = Sheet(WIDTH, height)
    what = f"container {container.name}" if container is not None else f"image {image.short_id}"
    sheet.label(0.2, -0.26, fit_text(f"vfs: every layer of {what} is a full copy of the tree", WIDTH - 0.4, TITLE,
                                     True), TITLE, bold=True, gid="title")
    sheet.label(0.2, -0.55, fit_text(f"no union mount and no whiteouts: a deleted file is simply absent from the next "
                                     f"copy · {size_text(total)} on disk, {size_text(union)} with overlay2",
                                     WIDTH - 0.4, SMALL), SMALL, color="#5A5A5A", gid="subtitle")
    y = -0.85
    biggest = max([r[4] for r in rows] + [1])
    for role_name, name, where, entries, size, chips in rows:
        role = ROLES[role_name]
        sheet.box(x0, y, x1 - x0, row_h, role, gid=f"dir:{name}")
        sheet.label(x0 + 0.12, y - 0.18, fit_text(f"{name} · {size_text(size)}", label_w + 0.6, BODY, True), BODY,
                    color=role.text, bold=True, gid=f"dir:{name}")
        sheet.label(x0 + 0.12, y - 0.39, fit_text(" · ".join([where.split(" · ")[0], count_text(entries, 'entry')]
                                                             + where.split(" · ")[1:]), label_w + 0.6, TINY),
                    TINY, color=role.text, gid=f"dir:{name}")
        bar_x = x0 + label_w + 0.75
        track_w = x1 - 0.15 - bar_x
        bar_w = track_w * size / biggest
        # a white track the width of the biggest copy, filled in dark ink in proportion to this copy's bytes
        # (the fill was the pale "merged" tint before: on a full-width bar it looked like an empty track)
        sheet.box(bar_x, y - 0.08, track_w, 0.12, ROLES["merged"], fill="#FFFFFF", radius=0.02, lw=0.5, zorder=2,
                  gid=f"bar:{name}:track")
        sheet.box(bar_x, y - 0.08, max(bar_w, 0.04), 0.12, ROLES["merged"], fill=BAR_FILL, radius=0.02, lw=0.5,
                  zorder=3, gid=f"bar:{name}")
        cx, cy = bar_x, y - 0.38
        for text, chip in chips:
            crole = ROLES[chip]
            w = text_width(text, TINY) + 0.16
            if cx + w > x1 - 0.1:
                break
            sheet.box(cx, cy + 0.1, w, 0.2, crole, radius=0.03, lw=0.6, zorder=2, gid=f"dir:{name}:chip")
            sheet.label(cx + 0.08, cy, text, TINY, color=crole.text, gid=f"dir:{name}:chip")
            cx += w + 0.08
        y -= row_h + gap
    footer = (f"bars: bytes in each directory (each is a whole tree; a full bar is {size_text(biggest)}) · chips: "
              "+ added, − absent compared with the copy below")
    sheet.label(0.2, y - 0.15, fit_text(footer, WIDTH - 0.4, SMALL), SMALL, color="#5A5A5A", gid="footer")
    sheet.legend(roles, 0.2, y - 0.45, WIDTH - 0.4)
    return sheet.fig
