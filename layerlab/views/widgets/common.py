"""What every widget shares: the display protocol, PNG pictures, small HTML pieces, the default engine.

A widget object is not an ipywidgets.Widget itself: it holds its ipywidgets root
in `.widget` and displays it through `_repr_mimebundle_`, with its own short,
deterministic text/plain repr (what nbval compares; the widget view is skipped).

>>> html_pre("a < b")
'<pre class="ll-pre" style="...">a &lt; b</pre>'
>>> focus_dirs(["/etc", "/etc/conf", "/etc/motd"])
['/etc']
"""

from __future__ import annotations

import html
import sys
from collections import Counter
from typing import Iterable

from ...errors import LayerlabError
from ...fs import paths

# Okabe-Ito, as in the pictures (style.py); pale tints for backgrounds behind dark text.
PURPLE, PURPLE_TINT = "#CC79A7", "#F5E1EC"
VERMILLION, VERMILLION_TINT, VERMILLION_TEXT = "#D55E00", "#FBE5D9", "#8A3B00"
BLUE, SKY_TINT = "#0072B2", "#E3F1FA"
GREEN = "#007A5A"
INK, MUTED = "#222222", "#6A6A6A"
SOFT = "var(--jp-content-font-color2, #555)"      # secondary text outside the light boxes (follows the theme)

PRE_STYLE = ("margin:0;padding:6px 8px;font-family:var(--jp-code-font-family,monospace);font-size:12px;"
             "line-height:1.4;white-space:pre;overflow:auto;max-height:{height};color:#222;background:#FAFAFA;"
             "border:1px solid #E0E0E0;border-radius:4px")

CSS = """<style>
.ll-root { font-family: var(--jp-ui-font-family, sans-serif); color: var(--jp-content-font-color1, #222); }
.ll-root .ll-editor textarea { font-family: var(--jp-code-font-family, monospace); font-size: 13px;
  line-height: 1.45; }
.ll-root .ll-command input { font-family: var(--jp-code-font-family, monospace); font-size: 13px; }
.ll-root .ll-history select { font-family: var(--jp-code-font-family, monospace); font-size: 12px; }
.ll-root .ll-heading { font-weight: 600; font-size: 12px; color: var(--jp-content-font-color2, #444);
  margin: 2px 0 3px 0; }
.ll-root .ll-picture img, .ll-root img.ll-picture { max-width: 100%; height: auto; }
.ll-root .widget-html-content { line-height: 1.35; min-width: 0; max-width: 100%; }
.ll-root .widget-html { min-width: 0; max-width: 100%; }
.ll-root .ll-pre { max-width: 100%; box-sizing: border-box; }
.ll-badge { display: inline-block; padding: 0 5px; border-radius: 3px; font-size: 11px; font-weight: 600;
  line-height: 1.5; margin-left: 6px; }
.ll-badge-cached { background: #222; color: #fff; }
.ll-badge-built { background: #fff; color: #222; border: 1px solid #222; }
.ll-badge-config { background: #fff; color: #555; border: 1px dashed #777; }
.ll-badge-base { background: #56B4E9; color: #111; }
</style>"""


# -- display --------------------------------------------------------------------------------------------
class LabWidget:
    """Base of the widgets: `.widget` is the ipywidgets root; the repr is short text that never changes by itself."""

    widget = None

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude, **kwargs) or {}
        bundle = dict(bundle)
        bundle["text/plain"] = repr(self)
        return bundle

    def _ipython_display_(self):
        """IPython calls this before _repr_mimebundle_: the same bundle, published as display_data."""
        from IPython.display import display
        display(self._repr_mimebundle_(), raw=True)

    def describe(self) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.describe()


def png(fig) -> bytes:
    """The figure as PNG bytes (figure_png), then the figure is closed so nothing keeps its memory."""
    from ..style import figure_png

    try:
        return figure_png(fig)
    finally:
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:
            pyplot.close(fig)
        fig.clf()


def picture_view(css_class: str):
    """An ipywidgets.Image for a picture (never an Output widget: nbval cannot compare those)."""
    import ipywidgets as w

    view = w.Image(format="png", layout=w.Layout(max_width="100%", width="auto", height="auto"))
    view.add_class("ll-picture")
    view.add_class(css_class)
    return view


def column(share: str, *, last: bool = False):
    """The Layout of one column of a row: a share of the width, never wider (long lines scroll inside)."""
    import ipywidgets as w

    gap = "0" if last else "0 12px 0 0"
    return w.Layout(flex=f"1 1 {share}", width=share, min_width="0", margin=gap, overflow="hidden")


def heading(text: str):
    import ipywidgets as w

    out = w.HTML(f'<div class="ll-heading">{esc(text)}</div>')
    return out


def esc(text: str) -> str:
    return html.escape(str(text), quote=True)


LINE_PX = 17      # the line height of a block that scrolls by whole lines (see html_pre's lines)


def _pre_style(height: str, wrap: bool, lines: int | None) -> str:
    style = PRE_STYLE.format(height=height)
    if wrap:
        style = style.replace("white-space:pre;", "white-space:pre-wrap;overflow-wrap:anywhere;")
    if lines:
        # whole lines only: the box that scrolls (padding box: 6px + content + 6px) is 6px + `lines` whole lines
        # high, so no half line shows at its bottom edge and a short text keeps its bottom padding
        style = style.replace("line-height:1.4;", f"line-height:{LINE_PX}px;").replace(
            f"max-height:{height};", f"max-height:{lines * LINE_PX - 6}px;box-sizing:content-box;")
    return style


def html_pre(text: str, *, height: str = "none", css_class: str = "", wrap: bool = False,
             lines: int | None = None) -> str:
    """Text in a monospace block (escaped); wrap=True wraps long lines instead of scrolling sideways;
    lines=N scrolls by whole lines in a box N lines high (instead of height)."""
    cls = f"ll-pre {css_class}".strip()
    return f'<pre class="{cls}" style="{_pre_style(height, wrap, lines)}">{esc(text)}</pre>'


def raw_pre(inner_html: str, *, height: str = "none", css_class: str = "", wrap: bool = False,
            lines: int | None = None) -> str:
    """Already escaped HTML in a monospace block (wrap and lines as in html_pre)."""
    cls = f"ll-pre {css_class}".strip()
    return f'<pre class="{cls}" style="{_pre_style(height, wrap, lines)}">{inner_html}</pre>'


def note(text: str, *, color: str = SOFT, css_class: str = "ll-note") -> str:
    return f'<div class="{css_class}" style="color:{color};font-size:12px;margin:2px 0">{esc(text)}</div>'


def first_line(text: str, width: int = 160) -> str:
    line = str(text).strip().splitlines()[0] if str(text).strip() else ""
    return line if len(line) <= width else line[:width - 1] + "…"


def _event_loop():
    """The event loop of the IPython kernel this runs in, or None (plain Python, tests, a script)."""
    import asyncio

    kernelbase = sys.modules.get("ipykernel.kernelbase")
    if kernelbase is None or not kernelbase.Kernel.initialized():
        return None
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def later(callback, delay: float) -> None:
    """Call back after delay seconds on the kernel's event loop (at once outside a kernel, as in tests)."""
    loop = _event_loop()
    if loop is None:
        callback()
        return

    def guarded():
        try:
            callback()
        except Exception:  # pragma: no cover - shown in the kernel's log, never raised into the event loop
            import traceback
            traceback.print_exc()

    loop.call_later(delay, guarded)


# -- engines ------------------------------------------------------------------------------------------------
def default_engine():
    """The engine the %docker magics talk to (layerlab.magic.engine()): widgets and magics share images."""
    from ... import magic

    return magic.engine()


def engine_of(container):
    """The Engine holding a container (it knows its containers; a container does not know its engine)."""
    import gc

    from ...engine import Engine

    candidates = [default_engine()]
    for ref in gc.get_referrers(container):
        if isinstance(ref, dict) and ref.get(getattr(container, "id", None)) is container:
            for owner in gc.get_referrers(ref):
                if isinstance(owner, Engine):
                    candidates.append(owner)
                elif isinstance(owner, dict) and owner.get("containers") is ref:
                    candidates += [e for e in gc.get_referrers(owner) if isinstance(e, Engine)]
    for eng in candidates:
        if eng.containers.get(container.id) is container:
            return eng
    raise LayerlabError(f"container {container.name} belongs to no engine this widget can find: pass engine=")


def is_container(obj) -> bool:
    from ...runtime.container import Container
    return isinstance(obj, Container)


# -- where to look in a tree ----------------------------------------------------------------------------------
def focus_dirs(changed: Iterable[str], limit: int = 2) -> list[str]:
    """The directories around a set of changed paths that a merged tree should open (at most limit).

    The parents of the deepest changed paths; when there are more than limit of
    them, one directory for each of the busiest top-level groups: their common
    ancestor, then down while one child holds 80% of the group's changes
    (`pip install` opens site-packages, not /usr).

    >>> focus_dirs(["/usr/lib/a", "/usr/lib/b", "/usr/bin/c", "/root/.cache/x"])
    ['/root/.cache', '/usr']
    >>> focus_dirs([])
    ['/']
    """
    found = {paths.normalize(p) for p in changed}
    found.discard("/")
    if not found:
        return ["/"]
    above: set[str] = set()
    for p in found:
        above.update(paths.ancestors(p))
    leaves = found - above
    parents = Counter(paths.parent(p) for p in leaves)
    if len(parents) <= limit:
        return sorted(parents)
    groups: dict[str, list[str]] = {}
    for parent, n in parents.items():
        top = "/" + parent.strip("/").split("/")[0] if parent != "/" else "/"
        groups.setdefault(top, []).extend([parent] * n)
    busiest = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:limit]
    return sorted(_descend(members, common_ancestor(set(members))) for _, members in busiest)


def _descend(dirs: list[str], start: str, share: float = 0.8) -> str:
    """From start, go down while one child directory holds at least share of dirs."""
    current = start
    while True:
        depth = 0 if current == "/" else current.count("/")
        below = Counter(d.split("/")[depth + 1] for d in dirs if d != current and paths.is_under(d, current))
        if not below:
            return current
        child, n = below.most_common(1)[0]
        if n < share * len(dirs):
            return current
        current = paths.join(current, child)


def tree_around(obj, top: str, changed: Iterable[str], *, keep: Iterable[str] = (), changes: bool = True,
                rows: int = 24) -> list[tuple[str, bool]]:
    """merged_tree of one directory (depth 1) as (line, on the way to a change) pairs; a long directory keeps
    only the entries on the way to what changed (or to the paths in keep, not highlighted) and counts the rest."""
    import re

    from ..text import merged_tree

    text = merged_tree(obj, top, depth=1, changes=changes, per_dir=100_000, max_lines=100_000, legend=False)
    lines = text.split("\n")
    head, body = lines[0], lines[1:]
    base = paths.normalize(top)
    depth = 0 if base == "/" else base.count("/")

    def names(found: Iterable[str]) -> set[str]:
        return {p.split("/")[depth + 1] for p in (paths.normalize(c) for c in found)
                if p != base and paths.is_under(p, base)}

    wanted = names(changed)
    kept = wanted | names(keep)

    def name_of(line: str) -> str:
        left = line[4:].split("  ")[0]
        return re.sub(r" \([\d,]+ entr(?:y|ies)\)$", "", left).split(" -> ")[0].rstrip("/")

    marked = [(line, name_of(line)) for line in body]
    if len(body) <= rows:
        return [(head, False)] + [(line, name in wanted) for line, name in marked]
    shown = [(line[4:], name in wanted) for line, name in marked if name in kept] or [
        (line[4:], False) for line, _ in marked[:rows - 1]]
    rest = len(body) - len(shown)
    out = [(head, False)] + [("├── " + line, hit) for line, hit in shown]
    out.append((f"└── … {rest:,} more {'entry' if rest == 1 else 'entries'} here, unchanged", False))
    return out


def tree_html(blocks: list, *, before: Iterable[str] = (), after: Iterable[str] = (), height: str = "360px") -> str:
    """Trees from tree_around in one monospace block, the lines on the way to a change highlighted."""
    out = [esc(line) for line in before]
    for k, block in enumerate(blocks):
        if k or out:
            out.append("")
        for line, hit in block:
            out.append(f'<span class="ll-tree-hit" style="background:{PURPLE_TINT};font-weight:700">{esc(line)}</span>'
                       if hit else esc(line))
    tail = list(after)
    if tail:
        out += [""] + [esc(line) for line in tail]
    return raw_pre("\n".join(out), height=height)


def common_ancestor(dirs: Iterable[str]) -> str:
    """The deepest directory containing every one of dirs.

    >>> common_ancestor(["/usr/lib/x", "/usr/lib/y/z"])
    '/usr/lib'
    """
    parts = [d.strip("/").split("/") if d != "/" else [] for d in dirs]
    if not parts:
        return "/"
    out = []
    for column in zip(*parts):
        if len(set(column)) != 1:
            break
        out.append(column[0])
    return "/" + "/".join(out)
