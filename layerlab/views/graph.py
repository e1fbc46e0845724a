"""Pictures of the model: a container's layer stack, layer sharing, the storage driver's directories, a build step.

Every function returns a matplotlib Figure drawn in inches (see style.py) with a
deterministic layout: the same model always gives the same coordinates. Figures
are not registered with pyplot, so nothing is shown twice and a figure is freed
with its last reference. Each artist that stands for part of the model carries a
gid ('band:L4', 'chip:/data', 'host:vol1', 'node:<chain_id>', ...) that tests and
widgets can look up.

>>> from layerlab import Engine
>>> eng = Engine()
>>> c = eng.run(eng.build("FROM busybox\\nCOPY a /a\\n", {"a": "1"}), volumes={"v": "/data"})
>>> fig = stack_picture(c)
>>> "read-write layer" in [t.get_text() for t in fig.texts]
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import LayerlabError
from ..fs import paths
from ..fs.entries import Dir, File, Opaque, Symlink, Whiteout
from ..image.model import Image
from ..runtime.drivers import cache_id, link_id
from .style import (BODY, HEAD, INK, MUTED, ROLES, SMALL, TINY, TITLE, WIDTH, Sheet, figure_png, fit_choice,
                    fit_text, join_fitting, legend_height, text_width)
from .summary import (StackRow, config_note, count_text, find_base, highlights, host_path_text, image_size,
                      is_container, keyword, layer_parts, layer_size, mounts_of, short_digest, short_instruction,
                      size_text, stack_rows)

__all__ = ["stack_picture", "sharing_graph", "driver_picture", "build_step_picture", "figure_png"]

PAD = 0.14          # text inset inside a band
GAP = 0.07          # between bands of one group
GROUP_GAP = 0.24    # between the merged view, the container's layers and the image's layers
TALL, THIN, BASE = 0.62, 0.36, 0.84


# -- bands: what one row of a stack shows -----------------------------------------------------------------
@dataclass
class Band:
    """One drawn row of a stack: a role (colour), a title line and a detail line, text on the right."""

    role: str
    title: str
    detail: str = ""
    right: str = ""
    right2: str = ""
    height: float = TALL
    gid: str = ""
    group: str = "image"
    badge: str = ""
    badge_role: str = ""
    note: str = ""             # a third line (makes the band taller)
    current: bool = False
    top: float = 0.0           # filled in when drawn
    titles: tuple = ()         # shorter wordings of the title, tried (also a size smaller) before cutting it


def _row_band(row: StackRow) -> Band:
    """The band of one image row."""
    if row.role == "config":
        return Band("config", row.instruction, config_note(row.instruction), "0 B", height=THIN,
                    gid=f"band:config:{row.instruction}")
    if row.role == "base":
        extra = row.steps - row.layers
        steps = f" + {count_text(extra, 'config step')}" if extra else ""
        detail = f"base image: {count_text(row.layers, 'layer')}{steps} · {count_text(row.entries, 'entry')}"
        span = f"L0–L{row.layers - 1}" if row.layers > 1 else "L0"
        return Band("base", f"FROM {row.name}", detail, size_text(row.size),
                    f"{span} · chain_id {short_digest(row.chain_id)}", height=BASE, gid="band:base",
                    note=f"shared by every image built FROM {row.name}")
    if row.layer is None:   # every_step_a_layer: a config step drawn as Docker 1.x stored it
        return Band("layer", row.instruction, "2015: its own image with its own json, and an empty tar", "0 B",
                    gid=f"band:2015:{row.instruction}")
    return Band("layer", row.instruction, "   ".join(layer_parts(row.layer)), size_text(row.size),
                f"{row.label} · diff_id {short_digest(row.diff_id)}", gid=f"band:{row.label}")


def _fold(bands: list[Band], rows: list[StackRow], max_rows: int) -> list[Band]:
    """Keep the top and the bottom of a long image; the middle becomes one 'fold' band."""
    if len(bands) <= max_rows:
        return bands
    keep_top = max(1, max_rows - 3)
    middle = rows[keep_top:len(rows) - 2]
    layers = [r for r in middle if r.role != "config"]
    size = sum(r.size for r in middle)
    configs = len(middle) - len(layers)
    detail = f"{count_text(len(layers), 'layer')} ({size_text(size)})" + (
        f" and {count_text(configs, 'config-only step')}" if configs else "")
    fold = Band("fold", f"… {count_text(len(middle), 'more step')} folded", detail + " · max_rows= shows more",
                height=THIN + 0.1, gid="band:fold")
    return bands[:keep_top] + [fold] + bands[len(bands) - 2:]


def _init_detail(layer) -> tuple[str, str]:
    """The init layer's entries: the empty placeholders, then the mtab symlink and the mount-point directories."""
    empty, links, dirs = [], [], []
    parents = {paths.parent(p) for p in layer.entries}
    for path, entry in layer.entries.items():
        if isinstance(entry, File) and entry.size == 0:
            empty.append(path)
        elif isinstance(entry, Symlink):
            links.append(f"{path} → {entry.target}")
        elif isinstance(entry, Dir) and path not in parents:
            dirs.append(path)
    first = "empty: " + " ".join(sorted(empty, key=lambda p: (not p.startswith("/etc"), p.count("/"), p)))
    second = "   ".join(links + (["mount points " + " ".join(dirs)] if dirs else []))
    return first, second


def _rw_detail(container) -> str:
    """What the read-write layer holds: copy-ups with bytes, whiteouts, new files."""
    items, more = highlights(container.rw_layer(), container.lower, container.rootfs.copy_ups, limit=6)
    words = {"copied up": "copy-up", "added": "new", "modified": "replaced"}
    mount_points = {m.destination for m in container.mounts}
    items.sort(key=lambda i: isinstance(i.entry, Dir))
    parts = []
    for item in items:
        if item.kind == "whiteout":
            parent, base = paths.split(item.path)
            parts.append(f"whiteout {paths.join(parent, '.wh.' + base)}")
        elif item.kind == "opaque":
            parts.append(f"opaque {item.path}/")
        elif isinstance(item.entry, Dir):
            parts.append(f"{'mount point' if item.path in mount_points else 'new dir'} {item.path}/")
        else:
            parts.append(f"{words.get(item.kind, item.kind)} {item.path} ({size_text(item.size)})")
    if more:
        parts.append(f"+{more} more")
    return "   ".join(parts) if parts else "empty: nothing written yet"


def _visible_from(obj, image: Image, index: int, candidates: list[str], snap=None) -> list[str]:
    """The candidates the merged view really takes from layer index (not hidden later, not under a mount); snap is
    the merged view when the caller has it already (a container's view() is a copy: take it once)."""
    if snap is None:
        snap = obj.view() if is_container(obj) else image.rootfs
    out = []
    for path in candidates:
        try:
            if snap.origin(path) != index:
                continue
        except LayerlabError:
            continue
        if is_container(obj) and obj.fs.mount_at(path) is not None:
            continue
        out.append(path)
    return out


# well-known files that say what a base is (its distribution, its shell, its users), in the order they are shown
TELLING = ("/etc/os-release", "/bin/sh", "/etc/passwd", "/bin/bash", "/usr/bin/env", "/etc/issue")


def _merged_items(obj, image: Image, n_base: int = 0) -> list[str]:
    """A few paths of the merged view with where they come from, the telling ones first: what the read-write layer
    changed, the mount points (volumes, bind mounts), files of the image's top layers, then a well-known file of
    the base; never the alphabetically first files of a big base layer.

    >>> from layerlab import Engine
    >>> eng = Engine()
    >>> c = eng.run(eng.build("FROM busybox\\nCOPY a /a\\n", {"a": "1"}), volumes={"v": "/data"})
    >>> _ = eng.exec(c, "echo x > /etc/conf")
    >>> _merged_items(c, c.image, n_base=1)
    ['/etc/conf ← rw', '/data/ ⇐ volume', '/a ← L1 (COPY)', '/bin/sh ← L0 (base)', '/etc/passwd ← L0 (base)']
    """
    items = []
    container = obj if is_container(obj) else None
    snap = container.view() if container is not None else image.rootfs
    if container is not None:
        copied = {c.path for c in obj.rootfs.copy_ups}
        for path, entry in sorted(obj.rootfs.upper.items(), key=lambda kv: paths.sort_key(kv[0])):
            if isinstance(entry, Whiteout):
                items.append(f"{path} hidden (whiteout)")
            elif isinstance(entry, Opaque):
                items.append(f"{path}/ opaque")
            elif not isinstance(entry, Dir) and not any(m.destination == path for m in obj.mounts):
                items.append(f"{path} ← rw" + (" (copied up)" if path in copied else ""))
        items += [f"{m.destination}/ ⇐ volume" if m.type == "volume" else f"{m.destination} ⇐ bind mount"
                  for m in mounts_of(container, internal=False)]
    else:
        items += [f"{v.rstrip('/') or '/'}/ ⇐ volume (VOLUME)" for v in sorted(image.config.volumes)]
    first_own = max(n_base, 1)   # layers below it are the base: only well-known files are sampled from them
    sampled = 0
    for i in range(len(image.layers) - 1, first_own - 1, -1):
        layer = image.layers[i]
        files = _visible_from(obj, image, i, [p for p, e in layer.entries.items()
                                              if not isinstance(e, (Dir, Whiteout))][:50], snap)
        word = keyword(short_instruction(layer.created_by))
        items += [f"{p} ← L{i}" + (f" ({word})" if word else "") for p in files[:2]]
        items += [f"{p} hidden by L{i}" for p in layer.whiteouts[:1]]
        sampled += bool(files or layer.whiteouts)
        if sampled == 3:
            break
    if image.layers:
        known = [(p, i) for p, i in ((p, _origin(obj, image, p, snap)) for p in TELLING)
                 if i is not None and i < first_own]
        for path, i in known[:2]:
            word = "base" if i < n_base else keyword(short_instruction(image.layers[i].created_by))
            items.append(f"{path} ← L{i}" + (f" ({word})" if word else ""))
        if not items:   # a bottom layer with none of the well-known files, and nothing else: its first files
            files = _visible_from(obj, image, 0, [p for p, e in image.layers[0].entries.items()
                                                  if not isinstance(e, (Dir, Whiteout))][:50], snap)
            items += [f"{p} ← L0" for p in files[:2]]
    return items


def _origin(obj, image: Image, path: str, snap) -> int | None:
    """The image layer the merged view snap takes a file (not a directory) from; None when it is absent, a
    directory, under a mount, or from the container's own layers."""
    try:
        i = snap.origin(path)
        entry = snap.get(path)
    except LayerlabError:
        return None
    if i is None or entry is None or isinstance(entry, (Dir, Whiteout)) or not 0 <= i < len(image.layers):
        return None
    if is_container(obj) and obj.fs.mount_at(path) is not None:
        return None
    return i


# -- drawing a stack ------------------------------------------------------------------------------------------
def _draw_band(sheet, band: Band, x0: float, x1: float, top: float) -> None:
    """One band: box, title (bold), detail line, size and digest on the right, an optional badge."""
    role = ROLES[band.role]
    w = x1 - x0
    edge = ROLES["current"].fill if band.current else None
    sheet.box(x0, top, w, band.height, role, lw=2.8 if band.current else 1.0, edge=edge, gid=band.gid,
              dashed=False if band.current else None)
    color = role.text
    soft = MUTED if role.text == INK else color
    one_line = band.height <= THIN + 0.11
    right_size = SMALL if one_line else BODY
    right_w = text_width(band.right, right_size, not one_line) + 0.2 if band.right else 0
    right2_w = text_width(band.right2, TINY) + 0.2 if band.right2 else 0
    badge_w = text_width(band.badge, TINY, True) + 0.16 if band.badge else 0
    room1 = w - 2 * PAD - right_w - (badge_w + 0.12 if badge_w else 0)    # the title line
    room2 = w - 2 * PAD - right2_w                                          # the detail line
    if one_line:
        y = top - band.height / 2
        title = fit_text(band.title, room1 * 0.6 if band.detail else room1, BODY, True)
        sheet.label(x0 + PAD, y, title, BODY, color=color, bold=True, gid=band.gid)
        if band.detail:
            start = x0 + PAD + text_width(title, BODY, True) + 0.25
            sheet.label(start, y, fit_text(band.detail, x0 + PAD + room1 - start, SMALL), SMALL, color=soft,
                        italic=True, gid=band.gid)
        if band.right:
            sheet.label(x1 - PAD, y, band.right, SMALL, color=soft, ha="right", gid=band.gid)
        badge_y = y
    else:
        y1, y2 = top - 0.21, top - 0.43
        title, size = fit_choice([band.title, *band.titles], room1, (HEAD, BODY) if band.titles else (HEAD,), True)
        sheet.label(x0 + PAD, y1, title, size, color=color, bold=True, gid=band.gid)
        if band.detail:
            sheet.label(x0 + PAD, y2, fit_text(band.detail, room2, SMALL), SMALL, color=color, gid=band.gid)
        if band.note:
            sheet.label(x0 + PAD, y2 - 0.2, fit_text(band.note, w - 2 * PAD, SMALL), SMALL, color=color,
                        italic=True, gid=band.gid)
        if band.right:
            sheet.label(x1 - PAD, y1, band.right, BODY, color=color, bold=True, ha="right", gid=band.gid)
        if band.right2:
            sheet.label(x1 - PAD, y2, band.right2, TINY, color=color, ha="right", gid=band.gid)
        badge_y = y1
    if band.badge:
        brole = ROLES[band.badge_role or "current"]
        bx = x1 - PAD - right_w - badge_w
        sheet.box(bx, badge_y + 0.1, badge_w, 0.2, brole, radius=0.04, lw=0.8, zorder=2.5, gid=band.gid)
        sheet.label(bx + badge_w / 2, badge_y, band.badge, TINY, color=brole.text, bold=True, ha="center",
                    gid=band.gid)


def _draw_stack(sheet, bands: list[Band], x0: float, x1: float, top: float) -> float:
    """Draw bands from top down (a bigger gap between groups); returns the bottom y."""
    y = top
    previous = None
    for band in bands:
        if previous is not None:
            y -= GROUP_GAP if band.group != previous.group else GAP
        band.top = y
        _draw_band(sheet, band, x0, x1, y)
        y -= band.height
        previous = band
    return y


def _bracket(sheet, x: float, top: float, bottom: float, text: str, gid: str) -> None:
    """A vertical bracket left of the stack with a rotated label: on one line when it fits, else its words on two
    lines ('image' / 'read-only'), else its first word alone, smaller if need be; never cut."""
    sheet.line([x + 0.06, x, x, x + 0.06], [top, top, bottom, bottom], gid=gid)
    room = (top - bottom - 0.06) * 0.97
    head, _, tail = text.partition(" ")
    lines = None
    for option in ([text], [head, tail.strip("()")] if tail else None, [head]):
        for size in (SMALL, TINY):
            if option and all(text_width(line, size) <= room for line in option):
                lines = option, size
                break
        if lines:
            break
    if lines is None:
        lines = [fit_text(head, room, TINY)], TINY
    option, size = lines
    for k, line in enumerate(option):   # the first line outermost, the second nearer the bracket
        sheet.label(x - 0.1 - 0.15 * (len(option) - 1 - k), (top + bottom) / 2, line, size, color=MUTED,
                    rotation=90, ha="center", gid=gid)


def _stack_height(bands: list[Band]) -> float:
    h, previous = 0.0, None
    for band in bands:
        if previous is not None:
            h += GROUP_GAP if band.group != previous.group else GAP
        h += band.height
        previous = band
    return h


@dataclass
class _Mounts:
    """A group of mounts drawn as one chip in the merged view and one box on the host side."""

    role: str
    chip: str
    title: str
    lines: list[str] = field(default_factory=list)
    gid: str = ""

    @property
    def height(self) -> float:
        """The host box: the title, then its lines."""
        return 0.4 + HOST_LINE * max(1, len(self.lines))


HOST_TEXT_W = WIDTH - 0.15 - 6.42 - 0.24    # the text width of a host box (right of the stack ending at x = 6.0)


def _volume_holds(container, m) -> str:
    """What a volume's directory holds, by name when that fits a host box line, else counted: 'holds 1 file, 11 B'.

    >>> from layerlab import Engine
    >>> eng = Engine()
    >>> c = eng.run("busybox", volumes={"v": "/data"})
    >>> _ = eng.exec(c, "echo hello notes > /data/notes.db")
    >>> _volume_holds(c, c.mounts[-1] if c.mounts[-1].destination == "/data" else c.mounts[0])
    'holds notes.db (12 B)'
    """
    try:
        names = container.host.listdir(m.host_path)
    except Exception:
        names = []
    if not names:
        return "empty"
    files = dirs = size = 0
    shown = []
    for name in names:
        try:
            st = container.host.stat(paths.join(m.host_path, name))
        except Exception:
            files += 1
            shown.append(name)
            continue
        if st.kind == "dir":
            dirs += 1
            shown.append(f"{name}/")
        else:
            files += 1
            size += st.size
            shown.append(f"{name} ({size_text(st.size)})")
    named = "holds " + ", ".join(shown)
    if len(shown) <= 3 and text_width(named, TINY) <= HOST_TEXT_W * 0.97:
        return named
    counted = [count_text(files, "file")] if files else []
    counted += [count_text(dirs, "dir")] if dirs else []
    return "holds " + ", ".join(counted) + (f", {size_text(size)}" if files else "")


def _mount_groups(container, internal: bool) -> list[_Mounts]:
    groups = []
    for m in mounts_of(container, internal=False):
        host = host_path_text(m, container)
        at = f"at {m.destination} ({m.mode})"
        if m.type == "volume":
            holds = _volume_holds(container, m)
            lines = [f"{at} · {holds}"] if text_width(f"{at} · {holds}", TINY) <= HOST_TEXT_W * 0.97 else [at, holds]
            if m.anonymous:   # its name is a 64-digit id: 12 digits in the title, <id> in the path
                host = host.replace(m.source, "<id>")
                title = f"volume {m.source[:12]}"
                lines = ["anonymous: Docker named it at random"] + [host] + lines
            else:
                title = f"volume {m.source}"
                lines = [host] + lines
            groups.append(_Mounts("volume", m.destination, title, lines, f"host:{m.source}"))
        else:
            groups.append(_Mounts("bind", m.destination, "bind mount", [host, at], f"host:{m.destination}"))
    hidden = [m for m in mounts_of(container) if m.internal]
    if internal and hidden:
        names = [paths.basename(m.destination) for m in hidden]
        folder = paths.parent(host_path_text(hidden[0], container))
        groups.append(_Mounts("bind", "/etc/" + ", ".join(names), "host files (bind mounts)",
                              [folder + "/", "over the init layer's empty placeholders"], "host:etc"))
    return groups


def stack_picture(obj, *, engine=None, base="auto", every_step_a_layer: bool = False, mounts: bool = True,
                  internal_mounts: bool = True, max_rows: int = 14, title: str | None = None):
    """The classic picture of a container's filesystem (or an image's): image layers as bands with their
    instruction, true size and short diff_id, config-only steps thin and dashed, the base image folded into one
    band, the init and read-write layers on top, the merged view above, and volumes and bind mounts on the host
    side with arrows to their mount points. every_step_a_layer draws the image as Docker 1.x (2015) kept it.

    >>> from layerlab import Engine
    >>> eng = Engine()
    >>> img = eng.build("FROM busybox\\nCOPY a /a\\nCMD [\\"sh\\"]\\n", {"a": "1"})
    >>> texts = [t.get_text() for t in stack_picture(img).texts]
    >>> "FROM busybox:latest" in texts, 'CMD ["sh"]' in texts
    (True, True)
    """
    container = obj if is_container(obj) else None
    image = container.image if container is not None else obj
    rows = stack_rows(image, engine=engine, base=base if base is not None else None,
                      every_step_a_layer=every_step_a_layer)
    bands = _fold([_row_band(r) for r in rows], rows, max_rows)
    if not image.layers and not image.history:
        bands = [Band("config", "FROM scratch", "no layers: an empty image", "0 B", height=THIN, gid="band:scratch")]

    groups = _mount_groups(container, internal_mounts) if container is not None and mounts else []
    x0 = 0.62
    x1 = 6.0 if groups else WIDTH - 0.2

    # the merged view: a heading row, then one row per mount chip (items on the left, chips on the right)
    if container is not None:
        heads = ("what the process sees: one merged tree", "what the process sees")
        right = f"virtual size {size_text(image_size(image) + container.size)}"
    else:
        heads = ("what a container of this image sees: one merged tree", "what a container of this image sees")
        right = count_text(len(image.rootfs), "path")
    n_rows = max(1, len(groups))
    merged = Band("merged", heads[0], "", right, height=HEAD_ROW + CHIP_PITCH * n_rows + 0.06, gid="band:merged",
                  group="merged", titles=heads[1:])
    top_bands = [merged]
    if container is not None:
        rw = container.rw_layer()
        placeholders, extras = _init_detail(container.init)
        top_bands += [Band("rw", "read-write layer", _rw_detail(container), size_text(container.size),
                           count_text(len(rw), "entry"), gid="band:rw", group="container"),
                      Band("init", "init layer", placeholders, size_text(container.init.size), gid="band:init",
                           group="container", note=extras, height=BASE if extras else TALL)]
    all_bands = top_bands + bands

    # size the figure
    title_h = 0.78
    stack_h = _stack_height(all_bands)
    host_h = HOST_TOP + sum(g.height + HOST_GAP for g in groups) if groups else 0
    legend_roles = _legend_roles(all_bands, groups)
    legend_h = legend_height(legend_roles, WIDTH - 0.4)
    height = title_h + max(stack_h, host_h) + 0.3 + legend_h
    sheet = Sheet(WIDTH, height)

    # title
    if title is None:
        name = _image_name(image, engine, container)
        if every_step_a_layer:
            what = f"Image {name} as Docker 1.x (2015) stored it"
            titles = [f"{what}: every instruction its own layer", f"{what}: a layer per instruction", what]
        elif container is not None:
            what = f"Container {container.name} of image {name}"
            titles = [f"{what}: layers, init layer, read-write layer, mounts", f"{what}: its layers and mounts",
                      what, f"Container {container.name}"]
        else:
            titles = [f"Image {name}: its layers, base first at the bottom", f"Image {name}: its layers",
                      f"Image {name}"]
    else:
        titles = [title]
    _draw_title(sheet, titles)
    sheet.label(0.2, -0.55, fit_text(_subtitle(image, container, groups), WIDTH - 0.4, SMALL), SMALL,
                color=MUTED, gid="subtitle")

    top = -title_h
    bottom = _draw_stack(sheet, all_bands, x0, x1, top)
    chips = _draw_chips(sheet, groups, merged, x1)
    chip_w = max((x1 - 0.1 - cx for cx, _ in chips), default=0)
    room = x1 - x0 - 2 * PAD - (chip_w + 0.2 if chips else 0)
    n_base = next((r.layers for r in rows if r.role == "base"), 0)
    for r, line in enumerate(_wrap(_merged_items(obj, image, n_base), room, SMALL, n_rows)):
        sheet.label(x0 + PAD, merged.top - HEAD_ROW - CHIP_PITCH / 2 - r * CHIP_PITCH, line, SMALL,
                    gid="band:merged")

    # brackets: which bands belong to the container and which to the image
    image_bands = [b for b in all_bands if b.group == "image"]
    if container is not None:
        _bracket(sheet, 0.42, top_bands[1].top, top_bands[2].top - top_bands[2].height, "container",
                 "bracket:container")
    if image_bands:
        _bracket(sheet, 0.42, image_bands[0].top, image_bands[-1].top - image_bands[-1].height, "image (read-only)",
                 "bracket:image")

    if groups:
        _draw_host(sheet, groups, chips, merged, x1)
    sheet.legend(legend_roles, 0.2, min(bottom, top - host_h) - 0.3, WIDTH - 0.4)
    return sheet.fig


HEAD_ROW, CHIP_PITCH = 0.36, 0.28
HOST_TOP, HOST_GAP = 0.3, 0.14
HOST_LINE = 0.21    # a line of a host box; a box with n lines under its title is 0.4 + n * HOST_LINE tall


def _draw_title(sheet, titles: list[str]) -> None:
    """The figure's title: the first wording that fits whole (at the title size, then a size smaller)."""
    text, size = fit_choice(titles, WIDTH - 0.4, (TITLE, HEAD), True)
    sheet.label(0.2, -0.26, text, size, bold=True, gid="title")


def _wrap(items: list[str], width: float, size: float, rows: int) -> list[str]:
    """Items (samples, most telling first) joined with three spaces into at most rows lines of width inches; the
    items that do not fit are left out (a lone item too long for a line is cut).

    >>> _wrap(["/a ← rw", "/b ← rw", "/c ← L1"], 1.0, 8.0, 1)
    ['/a ← rw   /b ← rw']
    """
    lines, current = [], []
    for item in items:
        if len(lines) == rows:
            break
        if text_width("   ".join(current + [item]), size) <= width * 0.97:
            current.append(item)
            continue
        if current:
            if len(lines) == rows - 1:   # the last line is full: a shorter item further on may still fit
                continue
            lines.append("   ".join(current))
            current = []
        if text_width(item, size) <= width * 0.97:
            current = [item]
        else:
            lines.append(fit_text(item, width, size))
    if current and len(lines) < rows:
        lines.append("   ".join(current))
    return lines[:rows] or ["(empty)"]


def _draw_chips(sheet, groups: list[_Mounts], merged: Band, x1: float) -> list[tuple[float, float]]:
    """One chip per mount group at the right end of the merged view's rows; returns (left x, centre y) of each."""
    out = []
    for i, g in enumerate(groups):
        role = ROLES[g.role]
        text = fit_text(g.chip, 2.4, TINY, True)
        w = text_width(text, TINY, True) + 0.2
        cx1, cy = x1 - 0.1, merged.top - HEAD_ROW - CHIP_PITCH / 2 - i * CHIP_PITCH
        sheet.box(cx1 - w, cy + 0.11, w, 0.22, role, radius=0.04, lw=0.8, zorder=2, gid=f"chip:{g.chip}")
        sheet.label(cx1 - w + 0.1, cy, text, TINY, color=role.text, bold=True, gid=f"chip:{g.chip}")
        out.append((cx1 - w, cy))
    return out


def _draw_host(sheet, groups: list[_Mounts], chips, merged: Band, x1: float) -> None:
    """Boxes on the host side, each with an arrow to its mount point's chip in the merged view."""
    hx0, hx1 = x1 + 0.42, WIDTH - 0.15
    sheet.label(hx0, merged.top - 0.1, "on the host", BODY, bold=True, gid="host")
    y = merged.top - HOST_TOP
    for g, (_, cy) in zip(groups, chips):
        role = ROLES[g.role]
        sheet.box(hx0, y, hx1 - hx0, g.height, role, gid=g.gid)
        sheet.label(hx0 + 0.12, y - 0.19, fit_text(g.title, hx1 - hx0 - 0.24, BODY, True), BODY, color=role.text,
                    bold=True, gid=g.gid)
        for j, line in enumerate(g.lines):
            sheet.label(hx0 + 0.12, y - 0.43 - j * HOST_LINE, fit_text(line, hx1 - hx0 - 0.24, TINY), TINY,
                        color=role.text, gid=g.gid)
        mid = y - g.height / 2
        sheet.arrow((hx0, mid), (x1 - 0.09, cy), role.line, rad=0.15 if mid < cy else -0.15, gid=f"arrow:{g.chip}")
        y -= g.height + HOST_GAP


def _legend_roles(bands: list[Band], groups: list[_Mounts]) -> list[str]:
    present = {b.role for b in bands} | {g.role for g in groups}
    order = ["merged", "rw", "init", "layer", "base", "config", "fold", "volume", "bind"]
    return [r for r in order if r in present]


def _image_name(image: Image, engine, container) -> str:
    if container is not None and container.image_ref:
        return container.image_ref
    if engine is not None:
        tags = engine.tags_of(image.id)
        if tags:
            return tags[0]
    return image.short_id


def _subtitle(image: Image, container, groups) -> str:
    layers = len(image.layers)
    configs = sum(1 for h in image.history if h.empty_layer)
    parts = [f"{count_text(layers, 'image layer')} ({size_text(image_size(image))})"]
    if configs:
        parts.append(f"{count_text(configs, 'config-only step')}")
    if container is not None:
        parts.append(f"init layer ({size_text(container.init.size)})")
        parts.append(f"read-write layer ({size_text(container.size)})")
        volumes = [m for m in container.mounts if m.type == "volume"]
        binds = [m for m in container.mounts if m.type == "bind"]
        if volumes or binds:
            parts.append(", ".join(p for p in (count_text(len(volumes), "volume") if volumes else "",
                                              count_text(len(binds), "bind mount") if binds else "") if p))
    parts.append(f"image ID {image.short_id}")
    return " · ".join(parts)


# -- layer sharing ---------------------------------------------------------------------------------------------
@dataclass
class _Node:
    """A node of the sharing graph: a run of layers, an image or a container, with its lines of text."""

    key: str
    kind: str                      # 'layer', 'image' or 'container'
    title: str
    lines: list[str]
    role: str
    level: int = 0
    x: float = 0.0
    order: tuple = ()


def _sharing_model(engine, containers: bool, all: bool):
    """A networkx DiGraph: layer chain_ids (parent -> child), each image under its top layer, each container under
    its image; runs of layers used by the same images folded into one node."""
    import networkx as nx

    images = {}
    for image_id, img in sorted(engine.images.items()):
        tags = engine.tags_of(image_id)
        used = any(c.image.id == image_id for c in engine.containers.values())
        if tags or all or used:
            images[image_id] = (img, tags)
    users: dict[str, set[str]] = {}
    layer_of: dict[str, tuple[int, object, str | None]] = {}
    for image_id, (img, _) in images.items():
        chains = img.chain_ids if img.layers else []
        for i, (chain, layer) in enumerate(zip(chains, img.layers)):
            users.setdefault(chain, set()).add(image_id)
            layer_of.setdefault(chain, (i, layer, chains[i - 1] if i else None))
    g = nx.DiGraph()
    for chain, (i, layer, parent) in layer_of.items():
        g.add_node(chain, kind="layer", index=i, layer=layer, users=frozenset(users[chain]))
        if parent is not None:
            g.add_edge(parent, chain)
    # fold runs: a layer whose only child is a layer used by exactly the same images joins that child's node
    runs: dict[str, list[str]] = {}
    for chain in sorted(layer_of, key=lambda c: layer_of[c][0]):
        parent = layer_of[chain][2]
        if (parent is not None and parent in runs and g.out_degree(parent) == 1
                and g.nodes[parent]["users"] == g.nodes[chain]["users"]
                and not any(images[i][0].chain_ids[-1] == parent for i in users[parent])):
            run = runs.pop(parent)
            runs[chain] = run + [chain]
        else:
            runs[chain] = [chain]
    folded = nx.DiGraph()
    top_of = {}
    for top, run in runs.items():
        for chain in run:
            top_of[chain] = top
        folded.add_node(top, kind="layer", run=run, users=g.nodes[top]["users"])
    for top, run in runs.items():
        parent = layer_of[run[0]][2]
        if parent is not None:
            folded.add_edge(top_of[parent], top)
    for image_id, (img, tags) in images.items():
        key = "image:" + image_id
        folded.add_node(key, kind="image", image=img, tags=tags)
        if img.layers:
            folded.add_edge(top_of[img.chain_ids[-1]], key)
    if containers:
        for c in sorted(engine.containers.values(), key=lambda c: c.name):
            if c.image.id in images:
                folded.add_node("container:" + c.id, kind="container", container=c)
                folded.add_edge("image:" + c.image.id, "container:" + c.id)
    return folded, layer_of


def _sharing_nodes(g, layer_of, engine) -> dict[str, _Node]:
    """Titles, details, roles and levels of every node."""
    nodes: dict[str, _Node] = {}
    for key in g.nodes:
        data = g.nodes[key]
        if data["kind"] == "layer":
            run = data["run"]
            lo, hi = layer_of[run[0]][0], layer_of[run[-1]][0]
            size = sum(layer_size(layer_of[c][1]) for c in run)
            n_users = len(data["users"])
            shared = f"shared by {n_users} images" if n_users > 1 else "used by 1 image"
            if len(run) == 1:
                title = short_instruction(layer_of[run[0]][1].created_by) or f"layer L{lo}"
                lines = [f"L{lo} · {size_text(size)}", f"chain {short_digest(run[0], 8)}", shared]
            else:
                title = count_text(len(run), "layer")
                lines = [f"L{lo}–L{hi} · {size_text(size)}", f"top chain {short_digest(run[-1], 8)}", shared]
            nodes[key] = _Node(key, "layer", title, lines, "shared" if n_users > 1 else "single", order=(0, lo, key))
        elif data["kind"] == "image":
            img, tags = data["image"], data["tags"]
            title = ", ".join(tags) if tags else "<none>:<none>"
            nodes[key] = _Node(key, "image", title, [f"image {img.short_id}", size_text(image_size(img))], "image",
                               order=(1, title, key))
        else:
            c = data["container"]
            nodes[key] = _Node(key, "container", c.name, ["container", f"rw layer {size_text(c.size)}"], "container",
                               order=(2, c.name, key))
    for key in nx_topological(g):
        parents = list(g.predecessors(key))
        nodes[key].level = nodes[parents[0]].level + 1 if parents else 0
    return nodes


def _two_lines(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """text on one line when it fits width inches, else broken at the last space that lets the first line fit
    (the second line cut with '…' only when it is still too long).

    >>> _two_lines("RUN mkdir /jobs && echo 1 > /jobs/a", text_width("RUN mkdir /jobs &&", BODY) * 1.1, BODY)
    ['RUN mkdir /jobs &&', 'echo 1 > /jobs/a']
    """
    if text_width(text, size, bold) <= width * 0.97:
        return [text]
    words = text.split(" ")
    for k in range(len(words) - 1, 0, -1):
        first = " ".join(words[:k])
        if text_width(first, size, bold) <= width * 0.97:
            return [first, fit_text(" ".join(words[k:]), width, size, bold)]
    return [fit_text(text, width, size, bold)]


def nx_topological(g) -> list[str]:
    """Nodes parents first, ties in a fixed order (networkx's lexicographical topological sort)."""
    import networkx as nx
    return list(nx.lexicographical_topological_sort(g))


def _tidy(g, nodes: dict[str, _Node]) -> int:
    """Bottom-up tree layout: leaves get consecutive slots in a sorted depth-first order, a parent sits over the
    middle of its children. Returns the number of slots."""
    slot = 0
    roots = sorted((n for n in g.nodes if g.in_degree(n) == 0), key=lambda n: nodes[n].order)
    stack = [(r, False) for r in reversed(roots)]
    while stack:
        key, done = stack.pop()
        kids = sorted(g.successors(key), key=lambda n: nodes[n].order)
        if not kids:
            nodes[key].x = slot
            slot += 1
        elif done:
            nodes[key].x = (nodes[kids[0]].x + nodes[kids[-1]].x) / 2
        else:
            stack.append((key, True))
            stack.extend((k, False) for k in reversed(kids))
    return max(slot, 1)


def sharing_graph(engine, *, containers: bool = True, all: bool = False, title: str | None = None):
    """Layers (by chain_id) as nodes, base at the bottom; each image and container points at what it uses, so a
    base shared by several images is drawn once. Runs of layers used by the same images fold into one node.

    >>> from layerlab import Engine
    >>> eng = Engine()
    >>> _ = eng.build("FROM busybox\\nCOPY a /a\\n", {"a": "1"}, tag="one")
    >>> _ = eng.build("FROM busybox\\nCOPY b /b\\n", {"b": "2"}, tag="two")
    >>> texts = [t.get_text() for t in sharing_graph(eng).texts]
    >>> "one:latest" in texts and "two:latest" in texts and "shared by 3 images" in texts
    True
    """
    g, layer_of = _sharing_model(engine, containers, all)
    nodes = _sharing_nodes(g, layer_of, engine)
    slots = _tidy(g, nodes)
    levels = max((n.level for n in nodes.values()), default=0) + 1
    pitch_x = min(2.3, (WIDTH - 0.4) / slots)
    node_w = min(2.1, pitch_x - 0.12)
    tsize = SMALL if pitch_x < 2.0 else BODY
    heads = {key: _two_lines(node.title, node_w - 0.16, tsize, True) for key, node in nodes.items()}
    node_h = 0.84 + (0.19 if any(len(h) > 1 for h in heads.values()) else 0)   # every node as tall as the tallest
    pitch_y = node_h + 0.34
    title_h, legend_roles = 0.8, ["shared", "single", "image", "container"]
    legend_h = legend_height(legend_roles, WIDTH - 0.4)
    height = title_h + levels * pitch_y + 0.35 + legend_h
    sheet = Sheet(WIDTH, height)

    stored = sum(layer_size(layer) for _, layer, _ in layer_of.values())
    image_nodes = [n for n in nodes.values() if n.kind == "image"]
    naive = sum(image_size(g.nodes[n.key]["image"]) for n in image_nodes)
    if title is None:
        title = (f"Layer sharing: {count_text(len(image_nodes), 'image')}, "
                 f"{count_text(sum(1 for n in nodes.values() if n.kind == 'container'), 'container')}, "
                 f"{count_text(len(layer_of), 'layer')} stored once")
    sheet.label(0.2, -0.26, fit_text(title, WIDTH - 0.4, TITLE, True), TITLE, bold=True, gid="title")
    sheet.label(0.2, -0.55, fit_text(f"on disk {size_text(stored)} of layers, where {size_text(naive)} would be "
                                     "needed if no image shared a layer · arrows point to what a thing sits on",
                                     WIDTH - 0.4, SMALL), SMALL, color=MUTED, gid="subtitle")

    left = (WIDTH - slots * pitch_x) / 2
    bottom = -title_h - levels * pitch_y

    def centre(n: _Node) -> tuple[float, float]:
        return left + (n.x + 0.5) * pitch_x, bottom + (n.level + 0.5) * pitch_y

    for key, node in sorted(nodes.items(), key=lambda kv: kv[1].order):
        cx, cy = centre(node)
        role = ROLES[node.role]
        sheet.box(cx - node_w / 2, cy + node_h / 2, node_w, node_h, role, lw=1.6 if node.kind == "image" else 1.0,
                  edge=role.edge, gid=f"node:{key}")
        head = heads[key]
        lines = head + node.lines
        first = cy + (len(lines) - 1) * 0.095
        for k, text in enumerate(lines):
            bold = k < len(head)
            size = tsize if bold else TINY
            sheet.label(cx, first - k * 0.19, fit_text(text, node_w - 0.16, size, bold), size, color=role.text,
                        bold=bold, italic=not bold and text.startswith(("shared", "used")), ha="center",
                        gid=f"node:{key}")
    for parent, child in sorted(g.edges, key=lambda e: (nodes[e[1]].order, nodes[e[0]].order)):
        (px, py), (cx, cy) = centre(nodes[parent]), centre(nodes[child])
        color = ROLES[nodes[child].role].line if nodes[child].kind != "layer" else MUTED
        land = px + max(-node_w / 3, min(node_w / 3, (cx - px) * 0.25))   # fan the arrows out over the parent
        sheet.arrow((cx, cy - node_h / 2), (land, py + node_h / 2), color, lw=1.3, gid=f"edge:{child}->{parent}")
    sheet.legend(legend_roles, 0.2, bottom - 0.3, WIDTH - 0.4)
    return sheet.fig


# -- the storage driver's directories ---------------------------------------------------------------------------
@dataclass
class _Dir:
    """One directory of a driver's layout: its role, names, and the entries drawn in it as chips."""

    role: str
    name: str
    where: str
    chips: list[tuple[str, str]]          # (text, chip role)
    more: int = 0
    gid: str = ""
    more_word: str = "more"
    link: str = ""                        # overlay2: the short symlink l/<id> to this diff/, shown at the right
    note: str = ""                        # a remark after the chips, in italics


def _on_disk(layer, driver: str, limit: int) -> tuple[list[tuple[str, str]], int]:
    """A layer's entries as the driver stores them on disk: whiteouts as 0/0 char devices and opaque directories
    with an xattr (overlay2), or as .wh. files (aufs). Changes first, then files, then directories."""
    chips = []
    parents = {paths.parent(p) for p in layer.entries}
    for path, entry in layer.entries.items():
        rel = path.lstrip("/")
        if isinstance(entry, Whiteout):
            if driver == "overlay2":
                chips.append((0, f"{rel}  c 0/0", "chardev"))
            else:
                parent, base = paths.split(path)
                chips.append((0, paths.join(parent, ".wh." + base).lstrip("/"), "whfile"))
        elif isinstance(entry, Opaque):
            if driver == "overlay2":
                chips.append((1, f"{rel}/  trusted.overlay.opaque=y", "xattr"))
            else:
                chips.append((1, f"{rel}/.wh..wh..opq", "whfile"))
        elif isinstance(entry, Dir):
            if path not in parents:
                chips.append((3, rel + "/", "entry"))
        elif isinstance(entry, Symlink):
            chips.append((2, f"{rel} → {entry.target}", "entry"))
        else:   # the size is written only for the few chips shown (a base layer has thousands of files)
            chips.append((2, (rel, entry.size if isinstance(entry, File) else 0), "entry"))
    chips.sort(key=lambda c: c[0])
    shown = [(text if isinstance(text, str) else f"{text[0]}  {size_text(text[1])}", role)
             for _, text, role in chips[:limit]]
    return shown, max(0, len(chips) - limit)


def _merged_chips(obj, image: Image, driver: str) -> tuple[list[tuple[str, str]], int]:
    """A few paths of the merged directory and the directory each comes from; the rest counted."""
    container = obj if is_container(obj) else None
    upper_name = "upperdir" if driver == "overlay2" else "branch 0"
    # the number of the top image layer's row: overlay2 counts lowerdirs from 1 (the init layer first in a
    # container); aufs counts branches from 0 (the read-write and init branches first in a container)
    offset = (2 if container is not None else 1) if driver == "overlay2" else (2 if container is not None else 0)

    def lower_name(i: int) -> str:
        k = len(image.layers) - 1 - i + offset
        return f"lowerdir {k}" if driver == "overlay2" else f"branch {k}"

    chips = []
    if container is not None:
        mounted = {m.destination: m for m in container.mounts if not m.internal}
        for path, entry in sorted(container.rootfs.upper.items(), key=lambda kv: paths.sort_key(kv[0])):
            rel = path.lstrip("/")
            if isinstance(entry, Whiteout):
                chips.append((f"{rel} ✗ hidden", "entry"))
            elif isinstance(entry, Opaque):
                chips.append((f"{rel}/ opaque", "entry"))
            elif not isinstance(entry, Dir):
                chips.append((f"{rel} ← {upper_name}", "entry"))
        for dest, m in sorted(mounted.items()):
            what = (f"volume {m.source[:12] if m.anonymous else m.source}" if m.type == "volume"
                    else "bind mount")
            chips.append((f"{dest.lstrip('/')}/ ⇐ {what}", "volume" if m.type == "volume" else "bind"))
    snap = container.view() if container is not None else image.rootfs
    for i in range(len(image.layers) - 1, -1, -1):
        if i == 0:   # the bottom layer: well-known files, not its alphabetically first ones (bin/[ …)
            files = [p for p in TELLING if _origin(obj, image, p, snap) == 0][:2] or _visible_from(
                obj, image, 0, [p for p, e in image.layers[0].entries.items()
                                if not isinstance(e, (Dir, Whiteout))][:50], snap)
        else:
            files = _visible_from(obj, image, i, [p for p, e in image.layers[i].entries.items()
                                                  if not isinstance(e, (Dir, Whiteout))][:50], snap)
        if files:
            chips += [(f"{p.lstrip('/')} ← {lower_name(i)}", "entry") for p in files[:2]]
            break
    return chips, len(snap)


def _driver_dirs(obj, driver: str, entries: int, engine, base) -> tuple[list[_Dir], str]:
    """The directories of the layout, top (merged) to bottom (the base layer), and the mount command."""
    container = obj if is_container(obj) else None
    image = container.image if container is not None else obj
    found = find_base(image, engine, base) if base is not None else None
    n_base = found.layers if found is not None else 0
    layer_dirs = []
    for i in range(len(image.layers) - 1, -1, -1):
        layer = image.layers[i]
        chips, more = _on_disk(layer, driver, entries)
        if layer.is_empty:
            chips = [("(empty directory)", "entry")]
        words = short_instruction(layer.created_by) or "layer"
        layer_dirs.append(_Dir("base" if i < n_base else "layer", f"L{i}", f"<L{i}>/diff · {words}", chips, more,
                               f"dir:L{i}", link="l/" + link_id(cache_id(image.chain_ids[i]))))
    dirs: list[_Dir] = []
    listing, total = _merged_chips(obj, image, driver)
    more = max(0, total - len(listing))
    if container is not None:
        upper, umore = _on_disk(container.rw_layer(), driver, entries + 2)
        init, imore = _on_disk(container.init, driver, entries)
    if driver == "overlay2":
        top = "<rw>" if container is not None else "<new>"
        dirs.append(_Dir("merged", "merged", f"{top}/merged · the union mount", listing, more, "dir:merged",
                         "more paths"))
        if container is not None:
            rw = cache_id("rw:" + container.id)
            dirs.append(_Dir("rw", "upperdir", "<rw>/diff · read-write layer", upper or [("(empty)", "entry")], umore,
                             "dir:upperdir", link="l/" + link_id(rw)))
            dirs.append(_Dir("work", "workdir", "<rw>/work · overlayfs scratch", [("work/  (scratch, empty)", "entry")],
                             0, "dir:workdir", note="copy-ups and whiteouts are prepared here, then moved into upperdir"))
            dirs.append(_Dir("init", "lowerdir 1", "<rw>-init/diff · init layer", init, imore, "dir:init",
                             link="l/" + link_id(rw + "-init")))
        else:
            dirs.append(_Dir("future", "upperdir", "<new>/diff · read-write layer", [], 0, "dir:upperdir",
                             note="no container yet: docker run makes it, and every write lands in it"))
            dirs.append(_Dir("future", "workdir", "<new>/work · overlayfs scratch", [], 0, "dir:workdir",
                             note="made with upperdir: overlayfs keeps an empty work/ in it"))
        for k, d in enumerate(layer_dirs):
            d.name = f"lowerdir {k + 1 + (1 if container is not None else 0)}"
            dirs.append(d)
        lowers = [d.link for d in dirs if d.name.startswith("lowerdir")]
        command = (f"mount -t overlay overlay -o index=off,lowerdir={':'.join(lowers) or '<empty>'},"
                   f"upperdir={top}/diff,workdir={top}/work {top}/merged")
    else:  # aufs
        dirs.append(_Dir("merged", "mnt", "<rw> mount point · the union", listing, more, "dir:merged", "more paths"))
        if container is not None:
            meta = (".wh..wh.aufs  .wh..wh.plnk/  .wh..wh.orph/", "meta")
            dirs.append(_Dir("rw", "branch 0 (rw)", "diff/<rw> · read-write layer",
                             (upper or [("(empty)", "entry")]) + [meta], umore, "dir:upperdir"))
            dirs.append(_Dir("init", "branch 1 (ro+wh)", "diff/<rw>-init · init layer", init, imore, "dir:init"))
        for k, d in enumerate(layer_dirs):
            d.name = f"branch {k + (2 if container is not None else 0)} (ro+wh)"
            d.where = d.where.replace("<L", "diff/<L").replace(">/diff", ">")
            d.link = ""
            dirs.append(d)
        branches = (["<rw>=rw", "<rw>-init=ro+wh"] if container is not None else []) + [
            f"<L{i}>=ro+wh" for i in range(len(image.layers) - 1, -1, -1)]
        command = f"mount -t aufs -o br={':'.join(branches) or '<empty>'} none <mnt>"
    return dirs, command


def driver_picture(obj, driver: str = "overlay2", *, entries: int = 4, engine=None, base="auto",
                   title: str | None = None):
    """What a storage driver keeps on disk for a container (or an image): overlay2's merged, upperdir, workdir and
    lowerdirs, or aufs's branches, each with a few of its real entries (whiteouts as 0/0 character devices or
    .wh. files, opaque directories by xattr or marker) and the mount command that stacks them.

    >>> from layerlab import Engine
    >>> eng = Engine()
    >>> c = eng.run("busybox")
    >>> _ = eng.exec(c, "rm /bin/ls")
    >>> texts = [t.get_text() for t in driver_picture(c).texts]
    >>> "upperdir" in texts and "bin/ls  c 0/0" in texts
    True
    >>> "bin/.wh.ls" in [t.get_text() for t in driver_picture(c, "aufs").texts]
    True
    """
    if driver not in ("overlay2", "aufs"):
        raise LayerlabError(f"no picture for storage driver {driver!r}: choose 'overlay2' or 'aufs'")
    container = obj if is_container(obj) else None
    image = container.image if container is not None else obj
    dirs, command = _driver_dirs(obj, driver, entries, engine, base)
    row_h, gap = 0.5, 0.08
    label_w = 2.15
    x0, x1 = 0.2, WIDTH - 0.2
    title_h = 0.8
    roles = [r for r in ("merged", "rw", "work", "future", "init", "layer", "base", "volume", "bind",
                         "chardev" if driver == "overlay2" else "whfile", "xattr", "meta")
             if any(d.role == r or any(c[1] == r for c in d.chips) for d in dirs)]
    legend_h = legend_height(roles, WIDTH - 0.4)
    cmd_lines = _wrap_words(command, x1 - x0, TINY)
    height = title_h + len(dirs) * (row_h + gap) + 0.25 + 0.2 * len(cmd_lines) + 0.25 + legend_h
    sheet = Sheet(WIDTH, height)
    if title is None:
        what = f"container {container.name}" if container is not None else f"image {_image_name(image, engine, None)}"
        title = (f"overlay2: the directories behind {what}" if driver == "overlay2"
                 else f"aufs: the branches behind {what}")
    sheet.label(0.2, -0.26, fit_text(title, WIDTH - 0.4, TITLE, True), TITLE, bold=True, gid="title")
    sub = ("lowerdirs are read-only and searched top first; every write lands in upperdir"
           if driver == "overlay2" else "branches are searched left to right in br=…; only branch 0 is writable")
    sheet.label(0.2, -0.55, fit_text(sub, WIDTH - 0.4, SMALL), SMALL, color=MUTED, gid="subtitle")
    y = -title_h
    for d in dirs:
        role = ROLES[d.role]
        sheet.box(x0, y, x1 - x0, row_h, role, gid=d.gid)
        sheet.label(x0 + 0.12, y - 0.17, fit_text(d.name, label_w - 0.2, BODY, True), BODY, color=role.text,
                    bold=True, gid=d.gid)
        sheet.label(x0 + 0.12, y - 0.36, fit_text(d.where, label_w - 0.2, TINY), TINY, color=role.text, gid=d.gid)
        cx, cy = x0 + label_w, y - row_h / 2
        end = x1 - 0.1
        if d.link:   # the short link overlay2 mounts this directory by (the names in the mount line below)
            sheet.label(end, cy, d.link, TINY, color=role.text, ha="right", gid=d.gid)
            end -= text_width(d.link, TINY) + 0.2
        for k, (text, chip) in enumerate(d.chips):
            crole = ROLES[chip]
            rest = len(d.chips) - k - 1 + d.more
            tail = text_width(f"+{rest:,} {d.more_word}", TINY) + 0.15 if rest else 0
            w = text_width(text, TINY) + 0.16
            if cx + w > end - tail:
                if k == 0:
                    text = fit_text(text, end - tail - cx - 0.16, TINY)
                    w = text_width(text, TINY) + 0.16
                else:
                    d.more += len(d.chips) - k
                    break
            sheet.box(cx, cy + 0.12, w, 0.24, crole, radius=0.03, lw=0.7, zorder=2, gid=f"{d.gid}:entry:{k}")
            sheet.label(cx + 0.08, cy, text, TINY, color=crole.text, gid=f"{d.gid}:entry:{k}")
            cx += w + 0.08
        if d.more:
            sheet.label(cx + 0.02, cy, f"+{d.more:,} {d.more_word}", TINY, color=role.text, gid=d.gid)
        elif d.note:
            sheet.label(cx + 0.02, cy, fit_text(d.note, end - cx - 0.02, TINY, italic=True), TINY, color=role.text,
                        italic=True, gid=d.gid)
        y -= row_h + gap
    y -= 0.15
    for line in cmd_lines:
        sheet.label(x0, y, line, TINY, color=INK, gid="command")
        y -= 0.2
    sheet.legend(roles, 0.2, y - 0.2, WIDTH - 0.4)
    return sheet.fig


def _wrap_words(text: str, width: float, size: float) -> list[str]:
    """A long command broken at ',' ':' and spaces into lines of width inches."""
    import re

    pieces = re.findall(r"[^,: ]+[,: ]?", text)
    lines, current = [], ""
    for piece in pieces:
        if current and text_width(current + piece, size) > width * 0.97:
            lines.append(current.rstrip())
            current = "    " + piece
        else:
            current += piece
    if current:
        lines.append(current.rstrip())
    return lines


# -- one step of a build ------------------------------------------------------------------------------------------
def _instruction_text(ins) -> str:
    """An instruction as the learner wrote it, on one line."""
    return " ".join(ins.original.split())


def _step_band(step, current: bool) -> Band:
    """The band of an executed step: a layer or a config-only step, with its cache verdict as a badge."""
    text = _instruction_text(step.instruction)
    verdicts = {True: ("CACHED", "cached"), False: ("BUILT", "built"), None: ("", "")}
    badge, badge_role = verdicts[step.cached]
    if step.kind == "layer" and step.layer is not None:
        detail = "   ".join(layer_parts(step.layer))
        if step.cached is False and step.reason:
            detail = f"{step.reason} · {detail}"
        return Band("layer", text, detail, size_text(layer_size(step.layer)),
                    f"diff_id {short_digest(step.layer.diff_id)}", gid=f"band:step:{step.number}", badge=badge,
                    badge_role=badge_role, current=current)
    note = config_note(short_instruction(step.history.created_by)) if step.history is not None else "no history entry"
    return Band("config", text, note, "0 B", height=THIN, gid=f"band:step:{step.number}", badge=badge,
                badge_role=badge_role, current=current)


def _pending(build, steps, stage: int) -> list[str]:
    """Instructions of the stage still to run, as written (steps after the shown one, then the unplanned rest)."""
    ran = {id(s.instruction) for s in build.steps}
    later = [_instruction_text(s.instruction) for s in steps]
    rest = [_instruction_text(ins) for st, ins in build.plan if st == stage and id(ins) not in ran]
    return later + rest


def build_step_picture(build, step: int | None = None, *, max_pending: int = 3, title: str | None = None):
    """The stack of a build after step N (default: the last step run): the step highlighted, each step marked
    CACHED or BUILT (with the reason), config-only steps thin and dashed, the steps still to run faded on top.

    >>> from layerlab import Engine
    >>> eng = Engine()
    >>> build = eng.builder("FROM busybox\\nCOPY a /a\\nCMD [\\"sh\\"]\\n", {"a": "1"})
    >>> _ = build.step(), build.step()
    >>> texts = [t.get_text() for t in build_step_picture(build).texts]
    >>> "COPY a /a" in texts, "BUILT" in texts, 'CMD ["sh"]' in texts
    (True, True, True)
    """

    if not build.steps:
        raise LayerlabError("the build has not run a step yet: call build.step() first")
    n = len(build.steps) if step is None else step
    if not 1 <= n <= len(build.steps):
        raise LayerlabError(f"step {n} has not run: this build has run steps 1 to {len(build.steps)}")
    current = build.steps[n - 1]
    stage = current.stage
    done = [s for s in build.steps[:n] if s.stage == stage]
    pending = _pending(build, [s for s in build.steps[n:] if s.stage == stage], stage)
    bands: list[Band] = []
    for k in range(min(len(pending), max_pending) - 1, -1, -1):
        bands.append(Band("pending", pending[k], "next step" if k == 0 else "not run yet", height=THIN,
                          gid=f"band:pending:{k}", group="pending"))
    if len(pending) > max_pending:
        bands.insert(0, Band("pending", f"… {count_text(len(pending) - max_pending, 'more step')} to run", "",
                             height=THIN, gid="band:pending:more", group="pending"))
    for s in reversed(done):
        if s.kind == "from":
            continue
        bands.append(_step_band(s, s is current))
    first = done[0]
    if first.kind == "from":
        base = first.image
        text = _instruction_text(first.instruction)
        if base.layers:
            entries = sum(len(l) for l in base.layers)
            bands.append(Band("base", text, f"base image: {count_text(len(base.layers), 'layer')} · "
                              f"{count_text(entries, 'entry')}", size_text(image_size(base)),
                              f"chain_id {short_digest(base.chain_ids[-1])}", height=TALL,
                              gid=f"band:step:{first.number}", current=first is current))
        else:
            bands.append(Band("config", text, "no layers: an empty start", "0 B", height=THIN,
                              gid=f"band:step:{first.number}", current=first is current))

    x0, x1 = 0.62, WIDTH - 0.2
    title_h = 0.8
    footer = _step_footer(current)
    roles = [r for r in ("current", "layer", "base", "config", "pending", "cached", "built")
             if r in {b.role for b in bands} | {b.badge_role for b in bands} | {"current"}]
    legend_h = legend_height(roles, WIDTH - 0.4)
    height = title_h + _stack_height(bands) + 0.2 + 0.22 * len(footer) + 0.3 + legend_h
    sheet = Sheet(WIDTH, height)
    total = max(len(build.steps), len(build.plan))
    if title is None:
        title = f"Build step {n} of {total}: {_instruction_text(current.instruction)}"
    sheet.label(0.2, -0.26, fit_text(title, WIDTH - 0.4, TITLE, True), TITLE, bold=True, gid="title")
    layers = [s for s in done if s.kind == "layer" and s.layer is not None]
    hits = sum(1 for s in done if s.cached)
    misses = sum(1 for s in done if s.cached is False)
    built = sum(1 for s in layers if not s.cached)
    reused = len(layers) - built
    stage_name = f"stage {current.stage_name or stage}" if len(build.dockerfile.stages) > 1 else "the image"
    sub = (f"{stage_name} after step {n}: {count_text(len(current.image.layers), 'layer')}, "
           f"{size_text(image_size(current.image))} · this build: {count_text(built, 'new layer')} built, "
           f"{reused} reused from the cache · cache: {hits} hit{'s' if hits != 1 else ''}, {misses} rebuilt")
    sheet.label(0.2, -0.55, fit_text(sub, WIDTH - 0.4, SMALL), SMALL, color=MUTED, gid="subtitle")
    bottom = _draw_stack(sheet, bands, x0, x1, -title_h)
    numbered = len(build.dockerfile.stages) == 1 and not any(s.trigger for s in build.steps)
    for band in bands:
        if band.gid.startswith("band:step:"):
            number, role = band.gid.rsplit(":", 1)[1], ROLES["current"] if band.current else ROLES["entry"]
        elif numbered and band.gid.startswith("band:pending:") and band.gid[-1].isdigit():
            number, role = str(n + 1 + int(band.gid.rsplit(":", 1)[1])), ROLES["pending"]
        else:
            continue
        cy = band.top - band.height / 2
        sheet.box(0.16, cy + 0.13, 0.3, 0.26, role, radius=0.12, lw=0.8, gid=f"step:{number}")
        sheet.label(0.31, cy, number, SMALL, bold=True, color=role.text, ha="center", gid=f"step:{number}")
    y = bottom - 0.3
    for line in footer:
        sheet.label(0.2, y, fit_text(line, WIDTH - 0.4, SMALL), SMALL, gid="footer")
        y -= 0.22
    sheet.legend(roles, 0.2, y - 0.15, WIDTH - 0.4)
    return sheet.fig


def _step_footer(step) -> list[str]:
    """What the current step did, in a sentence or two."""
    text = _instruction_text(step.instruction)
    if step.kind == "from":
        return [f"step {step.number}: {text} starts from {count_text(len(step.image.layers), 'layer')} "
                f"({size_text(image_size(step.image))})"]
    if step.cached:
        verdict = "CACHED: same parent and same instruction (and, for COPY/ADD, the same files), so no work was done"
    elif step.cached is False:
        verdict = f"BUILT: {step.reason}" if step.reason else "BUILT"
    else:
        verdict = "config only: BuildKit records it in the image config, nothing to cache"
    lines = [f"step {step.number}: {verdict}"]
    if step.copy_ups:
        lines.append("copied up: " + ", ".join(f"{c.path} ({size_text(c.size)})" for c in step.copy_ups[:4]))
    if step.output.strip() and not step.cached:     # a cache hit runs nothing, so it prints nothing
        lines.append("output: " + " ⏎ ".join(step.output.strip().splitlines()[:3]))
    return lines
