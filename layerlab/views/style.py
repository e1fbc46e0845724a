"""One look for every picture: the Okabe-Ito palette, one font family, sizes for a ~900 px notebook column.

Pictures are drawn in inches: a figure WIDTH inches wide at DPI dots per inch is
900 px, the width of a JupyterLab notebook column, so a 9 pt label stays readable
without zooming. Each role of the model (read-write layer, init layer, image layer,
base image, config-only step, volume, bind mount) has one colour in every picture.

>>> PALETTE["vermillion"], ROLES["rw"].fill, ROLES["config"].dashed
('#D55E00', '#D55E00', True)
>>> ROLES["pending"].dotted, ROLES["config"].fill != ROLES["pending"].fill
(True, True)
>>> fit_text("a very long instruction indeed", 1.0, BODY).endswith("…")
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
PALETTE = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7",
}
INK = "#222222"          # text and outlines
MUTED = "#5A5A5A"        # secondary text
PAPER = "#FFFFFF"
MERGED = "#F0F0F0"       # the merged view: neutral, it is made of all the others
CONFIG = "#E6F0F7"       # a config-only step: a pale tint of the image layers' blue (a step of the image, no layer)
FAINT = "#767676"        # text of things that do not exist yet (4.5:1 on white, the WCAG AA minimum)

FONT = "DejaVu Sans"     # one family everywhere (ships with matplotlib, so every machine has it)
TITLE, HEAD, BODY, SMALL, TINY = 12.5, 10.5, 9.0, 8.0, 7.5
WIDTH, DPI = 9.0, 100    # 900 px
DASHED, DOTTED = (0, (4, 2.5)), (0, (1, 2))   # outlines: exists but holds no files / does not exist yet


@dataclass(frozen=True)
class Role:
    """How one kind of thing is drawn: fill, outline, text colour, line colour for arrows, dashed, dotted or solid.

    Dashed outlines mark what exists but holds no files (a config-only step, the workdir); dotted outlines mark
    what does not exist yet (a step not run, a directory made only when a container is created)."""

    fill: str
    text: str
    line: str
    label: str
    dashed: bool = False
    edge: str = INK
    dotted: bool = False


ROLES = {
    "merged": Role(MERGED, INK, INK, "merged view (what the process sees)"),
    "rw": Role(PALETTE["vermillion"], PAPER, PALETTE["vermillion"], "read-write layer (container)"),
    "init": Role(PALETTE["orange"], INK, PALETTE["orange"], "init layer (container)"),
    "layer": Role(PALETTE["blue"], PAPER, PALETTE["blue"], "image layer"),
    "base": Role(PALETTE["sky_blue"], INK, PALETTE["sky_blue"], "base image layers"),
    "config": Role(CONFIG, INK, MUTED, "config-only step (empty_layer, 0 B)", dashed=True, edge=MUTED),
    "fold": Role("#F7F7F7", MUTED, MUTED, "steps folded to save space", dashed=True, edge=MUTED),
    "volume": Role(PALETTE["bluish_green"], PAPER, PALETTE["bluish_green"], "volume (on the host)"),
    "bind": Role(PALETTE["yellow"], INK, "#8F8500", "bind mount (on the host)"),
    "work": Role(PAPER, INK, MUTED, "workdir (overlayfs scratch)", dashed=True, edge=MUTED),
    "whiteout": Role(INK, PAPER, INK, "whiteout"),
    "current": Role(PALETTE["reddish_purple"], INK, PALETTE["reddish_purple"], "current step"),
    "image": Role(PAPER, INK, PALETTE["blue"], "image (tag)", edge=PALETTE["blue"]),
    "container": Role(PALETTE["vermillion"], PAPER, PALETTE["vermillion"], "container (its read-write layer)"),
    "shared": Role(PALETTE["sky_blue"], INK, PALETTE["sky_blue"], "layer shared by several images"),
    "single": Role(PALETTE["blue"], PAPER, PALETTE["blue"], "layer of one image"),
    "pending": Role(PAPER, FAINT, FAINT, "step not run yet", dotted=True, edge="#8C8C8C"),
    "future": Role(PAPER, FAINT, FAINT, "made when a container is created", dotted=True, edge="#8C8C8C"),
    "cached": Role(INK, PAPER, INK, "cache hit (CACHED)"),
    "built": Role(PAPER, INK, INK, "built: cache miss"),
    "entry": Role(PAPER, INK, INK, "file or directory"),
    "chardev": Role(INK, PAPER, INK, "whiteout: char device 0/0"),
    "whfile": Role(INK, PAPER, INK, "whiteout: .wh.<name> (hard link to .wh..wh.aufs)"),
    "meta": Role(PAPER, MUTED, MUTED, "aufs bookkeeping", dashed=True, edge=MUTED),
    "xattr": Role(PAPER, INK, INK, "opaque directory", dashed=True),
}


# -- text: measured and drawn from a cache of glyph bitmaps ---------------------------------------------------
# matplotlib's Agg text path shapes and renders every glyph of every label on every draw, which costs
# ~0.1 ms a glyph; a stack picture has over a thousand. Glyphs are rendered once here (with matplotlib's
# own FreeType and hinting, so they look the same) and pasted into one bitmap per label.
@lru_cache(maxsize=4)
def _font(bold: bool, italic: bool):
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    prop = font_manager.FontProperties(family=FONT, weight="bold" if bold else "normal",
                                       style="italic" if italic else "normal")
    return FT2Font(font_manager.findfont(prop))


def _flags():
    from matplotlib.backends.backend_agg import get_hinting_flag
    return get_hinting_flag()


@lru_cache(maxsize=16384)
def _glyph(ch: str, size: float, bold: bool, italic: bool, dpi: float):
    """(alpha bitmap, left, top, hinted advance in pixels) of one character."""
    import numpy as np
    from matplotlib.ft2font import RenderMode

    font = _font(bold, italic)
    font.set_size(size, dpi)
    font._set_transform(np.array([[0x10000, 0], [0, 0x10000]]), [0, 0])
    index = font.get_char_index(ord(ch))
    advance = font.load_glyph(index, _flags()).horiAdvance / 64
    bitmap = font._render_glyph(index, _flags(), RenderMode.NORMAL)
    return np.array(bitmap.buffer, dtype=np.uint8), bitmap.left, bitmap.top, advance


@lru_cache(maxsize=64)
def _metrics(size: float, bold: bool, italic: bool, dpi: float) -> tuple[float, float]:
    """Ascent and descent (negative) of the font in pixels: one baseline for every line, descenders or not."""
    font = _font(bold, italic)
    font.set_size(size, dpi)
    scale = size * dpi / 72 / font.units_per_EM
    return font.ascender * scale, font.descender * scale


def text_width(text: str, size: float, bold: bool = False, italic: bool = False) -> float:
    """Width in inches of a one-line text in FONT at size points, as it is drawn at DPI.

    >>> text_width("MM", 10) > text_width("ii", 10)
    True
    """
    return sum(_glyph(ch, size, bold, italic, DPI)[3] for ch in text) / DPI


def fit_text(text: str, width: float, size: float, bold: bool = False, italic: bool = False) -> str:
    """text cut with '…' so it fits width inches (with 3% to spare for other resolutions).

    >>> fit_text("short", 5, BODY)
    'short'
    """
    width *= 0.97
    if text_width(text, size, bold, italic) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if text_width(text[:mid].rstrip() + "…", size, bold, italic) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…" if lo else ""


def fit_choice(options: list[str], width: float, sizes: tuple[float, ...], bold: bool = False,
               italic: bool = False) -> tuple[str, float]:
    """The first option (the preferred wording first) that fits width inches whole at one of the sizes (biggest
    first); when none fits, the first option cut with '…' at the smallest size. Returns (text, size).

    >>> fit_choice(["a long wording that will not fit", "short"], 1.0, (BODY, SMALL))
    ('short', 9.0)
    >>> fit_choice(["wording", "w"], text_width("wording", SMALL) * 1.1, (BODY, SMALL))
    ('wording', 8.0)
    """
    for text in options:
        for size in sizes:
            if text_width(text, size, bold, italic) <= width * 0.97:
                return text, size
    return fit_text(options[0], width, sizes[-1], bold, italic), sizes[-1]


def join_fitting(parts: list[str], width: float, size: float, sep: str = "   ", bold: bool = False) -> str:
    """As many whole parts as fit width, then '+N more'.

    >>> join_fitting(["a", "b", "c"], 10, BODY)
    'a   b   c'
    """
    out: list[str] = []
    for i, part in enumerate(parts):
        rest = len(parts) - i - 1
        trial = sep.join(out + [part]) + (f"{sep}+{rest} more" if rest else "")
        if text_width(trial, size, bold) > width * 0.97:
            if not out:
                return fit_text(part, width, size, bold)
            return sep.join(out) + f"{sep}+{len(parts) - i} more"
        out.append(part)
    return sep.join(out)


def _text_class():
    """A matplotlib Text that measures and draws itself from the glyph cache on Agg canvases (as usual elsewhere)."""
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

    class CachedText(Text):
        def _style(self, dpi: float):
            prop = self.get_fontproperties()
            return prop.get_size_in_points(), prop.get_weight() == "bold", prop.get_style() == "italic", dpi

        def _place(self, dpi: float) -> tuple[float, float, float, float, float]:
            """(left x, baseline y, width, ascent, descent) in display pixels; unrotated, or centred when rotated."""
            if self.get_rotation() not in (0.0, 90.0):
                raise TypeError("only horizontal and vertical labels are cached")
            style = self._style(dpi)
            pen = sum(_glyph(ch, *style)[3] for ch in self.get_text())
            ascent, descent = _metrics(*style)
            px, py = self.get_transform().transform(self.get_unitless_position())
            ha, va = self.get_horizontalalignment(), self.get_verticalalignment()
            if self.get_rotation() == 90.0:
                if (ha, va) != ("center", "center"):
                    raise TypeError("vertical labels are cached centred only")
                return px, py, pen, ascent, descent
            left = px - {"left": 0.0, "center": pen / 2, "right": pen}[ha]
            base = {"center": py - (ascent + descent) / 2, "baseline": py, "center_baseline": py,
                    "top": py - ascent, "bottom": py - descent}[va]
            return left, base, pen, ascent, descent

        def get_window_extent(self, renderer=None, dpi=None):
            if dpi is not None or self.figure is None or not self.get_text():
                return super().get_window_extent(renderer, dpi)
            try:
                left, base, pen, ascent, descent = self._place(self.figure.dpi)
            except (TypeError, KeyError):
                return super().get_window_extent(renderer, dpi)
            if self.get_rotation() == 90.0:
                w = ascent - descent
                return Bbox([[left - w / 2, base - pen / 2], [left + w / 2, base + pen / 2]])
            return Bbox([[left, base + descent], [left + pen, base + ascent]])

        def draw(self, renderer):
            if not self.get_visible() or self.get_text() == "":
                return
            if type(renderer).__name__ != "RendererAgg":  # svg, pdf and other backends: draw the usual way
                return super().draw(renderer)
            try:
                image, x, y = self._bitmap(renderer)
            except Exception:  # another matplotlib: draw the usual way
                return super().draw(renderer)
            gc = renderer.new_gc()
            gc.set_foreground(self.get_color())
            gc.set_alpha(self.get_alpha())
            renderer._renderer.draw_text_image(image, x, y, 0, gc)
            gc.restore()
            self.stale = False

        def _bitmap(self, renderer):
            """One grey-level bitmap of the whole label, pasted from cached glyphs, and where it goes."""
            import numpy as np
            from matplotlib.backends.backend_agg import RendererAgg

            if not isinstance(renderer, RendererAgg):
                raise TypeError("not an Agg renderer")
            style = self._style(renderer.dpi)
            left, base, _, _, _ = self._place(renderer.dpi)
            glyphs, pen, top, bottom = [], 0.0, 0, 0
            for ch in self.get_text():
                buf, offset, gtop, advance = _glyph(ch, *style)
                glyphs.append((buf, int(round(pen)) + offset, gtop))
                top, bottom = max(top, gtop), min(bottom, gtop - buf.shape[0])
                pen += advance
            margin = max([0] + [-x for _, x, _ in glyphs])
            width = int(max([pen] + [x + b.shape[1] for b, x, _ in glyphs])) + margin + 1
            image = np.zeros((top - bottom, width), np.uint8)
            for buf, x, gtop in glyphs:
                if buf.size:
                    row, col = top - gtop, x + margin
                    region = image[row:row + buf.shape[0], col:col + buf.shape[1]]
                    np.maximum(region, buf[:region.shape[0], :region.shape[1]], out=region)
            if self.get_rotation() == 90.0:
                image = np.ascontiguousarray(np.rot90(image))
                rows, cols = image.shape
                return image, int(round(left - cols / 2)), int(round(renderer.height - base + rows / 2))
            y_top = renderer.height - (round(base) + top)
            return image, int(round(left)) - margin, int(y_top + image.shape[0])

    return CachedText


@lru_cache(maxsize=1)
def CachedText():
    return _text_class()


@lru_cache(maxsize=64)
def _prop(size: float, bold: bool, italic: bool):
    from matplotlib.font_manager import FontProperties
    return FontProperties(family=FONT, size=size, weight="bold" if bold else "normal",
                          style="italic" if italic else "normal")


# -- a sheet: a figure measured in inches, y = 0 at the top -----------------------------------------------------
class Sheet:
    """A Figure (not registered with pyplot, so it never leaks or shows twice) drawn in inches from the top-left
    corner, y growing downwards as negative numbers. Artists go straight onto the figure: no axes, no autoscale.

    >>> sheet = Sheet(2, 1)
    >>> _ = sheet.label(0.1, -0.5, "hello", gid="greeting")
    >>> [t.get_text() for t in sheet.fig.texts], sheet.fig.texts[0].get_gid()
    (['hello'], 'greeting')
    """

    def __init__(self, width: float, height: float):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.transforms import Affine2D

        self.width, self.height = width, height
        self.fig = Figure(figsize=(width, height), dpi=DPI, facecolor=PAPER)
        FigureCanvasAgg(self.fig)
        fig = self.fig
        fig._repr_png_ = lambda: figure_png(fig)  # a returned figure shows as a picture, whatever the backend
        # the inline backend saves with bbox_inches="tight": a sheet is laid out to the edge, so tight is all of it
        fig.get_tightbbox = lambda *args, **kwargs: fig.bbox_inches
        self.transform = Affine2D().translate(0, height) + self.fig.dpi_scale_trans
        # IPython's inline display skips a figure with no axes and no lines: give every sheet one, invisible.
        self.line([0, 0], [0, 0], lw=0, gid="sheet")

    def _add(self, artist, gid):
        artist.set_transform(self.transform)
        if gid:
            artist.set_gid(gid)
        self.fig.add_artist(artist)
        return artist

    def box(self, x: float, y: float, w: float, h: float, role: Role, *, dashed: bool | None = None,
            lw: float = 1.0, edge: str | None = None, radius: float = 0.06, zorder: float = 1,
            fill: str | None = None, alpha: float | None = None, gid=None):
        """A rounded box whose top-left corner is (x, y)."""
        from matplotlib.patches import FancyBboxPatch

        dotted = role.dotted and dashed is None
        dashed = role.dashed if dashed is None else dashed
        style = DOTTED if dotted else DASHED if dashed else "solid"
        radius = min(radius, w / 2, h / 2)
        patch = FancyBboxPatch((x + radius, y - h + radius), w - 2 * radius, h - 2 * radius,
                               boxstyle=f"round,pad={radius}", facecolor=fill or role.fill,
                               edgecolor=edge or role.edge, linewidth=lw,
                               linestyle=style, zorder=zorder, alpha=alpha)
        return self._add(patch, gid)

    def label(self, x: float, y: float, text: str, size: float = BODY, *, color: str = INK, bold: bool = False,
              italic: bool = False, ha: str = "left", va: str = "center", rotation: float = 0,
              zorder: float = 3, alpha: float | None = None, gid=None):
        """One line of text in FONT, drawn fast from the glyph cache."""
        t = CachedText()(x, y, text, fontproperties=_prop(size, bold, italic), color=color, ha=ha, va=va,
                         rotation=rotation, zorder=zorder, alpha=alpha, clip_on=False)
        t.set_transform(self.transform)
        if gid:
            t.set_gid(gid)
        t.set_figure(self.fig)
        self.fig.texts.append(t)
        t._remove_method = self.fig.texts.remove
        return t

    def arrow(self, start: tuple[float, float], end: tuple[float, float], color: str, *, rad: float = 0.0,
              lw: float = 1.6, dashed: bool = False, zorder: float = 4, gid=None):
        """An arrow from start to end (curved when rad is not 0)."""
        from matplotlib.patches import FancyArrowPatch

        patch = FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=color, linewidth=lw,
                                connectionstyle=f"arc3,rad={rad}", linestyle="--" if dashed else "-",
                                shrinkA=0, shrinkB=1, zorder=zorder)
        return self._add(patch, gid)

    def line(self, xs, ys, color: str = MUTED, *, lw: float = 1.2, dashed: bool = False, zorder: float = 2,
             gid=None):
        """A polyline through the points (xs[i], ys[i])."""
        from matplotlib.lines import Line2D

        line = Line2D(xs, ys, color=color, linewidth=lw, linestyle="--" if dashed else "-", solid_capstyle="butt",
                      zorder=zorder)
        line.set_transform(self.transform)
        if gid:
            line.set_gid(gid)
        line.set_figure(self.fig)
        self.fig.lines.append(line)
        line._remove_method = self.fig.lines.remove
        return line

    def legend(self, roles: list[str], x: float, y: float, width: float, size: float = SMALL) -> float:
        """A legend of role swatches flowing left to right from (x, y); returns the height it took."""
        sw, sh, gap, step = 0.26, 0.15, 0.28, 0.27
        cx, cy = x, y
        for name in roles:
            role = ROLES[name]
            need = sw + 0.08 + text_width(role.label, size) + gap
            if cx > x and cx + need - gap > x + width:
                cx, cy = x, cy - step
            self.box(cx, cy + sh / 2, sw, sh, role, radius=0.02, lw=0.8, gid=f"legend:{name}")
            self.label(cx + sw + 0.08, cy, role.label, size, gid=f"legend:{name}")
            cx += need
        return y - cy + step


def legend_height(roles: list[str], width: float, size: float = SMALL) -> float:
    """The height Sheet.legend will take for these roles."""
    sw, gap, step = 0.26, 0.28, 0.27
    cx, rows = 0.0, 1
    for name in roles:
        need = sw + 0.08 + text_width(ROLES[name].label, size) + gap
        if cx > 0 and cx + need - gap > width:
            cx, rows = 0.0, rows + 1
        cx += need
    return rows * step


def figure_png(fig, dpi: float | None = None) -> bytes:
    """The figure as PNG bytes (what a notebook shows, or an ipywidgets.Image value)."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi or DPI, facecolor=fig.get_facecolor())
    return buf.getvalue()
