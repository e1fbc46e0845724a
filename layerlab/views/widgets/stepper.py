"""BuildStepper: edit a Dockerfile and run it one instruction at a time, watching the stack grow.

>>> from layerlab import Engine
>>> s = BuildStepper('FROM busybox\\nCOPY a /a\\nCMD ["sh"]\\n', {"a": "hello\\n"}, engine=Engine(), tag="demo")
>>> s
BuildStepper: 0 of 3 steps run - next FROM busybox
>>> _ = s.step(), s.step()
>>> s, s.current_line
(BuildStepper: step 2 of 3 - COPY a /a (layer, 6 B), 2)
>>> s.text = 'FROM busybox\\nFROBNICATE\\n'     # does not parse: the text stays, the last good build too
>>> s.error, len(s.steps)
('line 2: unknown instruction: FROBNICATE', 2)
"""

from __future__ import annotations

import pathlib
import re

from ...errors import LayerlabError
from ...tables import human_size
from ..summary import config_note, count_text, image_size, layer_size, short_instruction, size_text
from .common import (CSS, MUTED, PURPLE, PURPLE_TINT, VERMILLION, VERMILLION_TEXT, VERMILLION_TINT,
                     LabWidget, default_engine, esc, first_line, focus_dirs, heading, html_pre, picture_view, png,
                     raw_pre, tree_around, tree_html, column)

__all__ = ["BuildStepper"]

MAX_OUTPUT_LINES = 6


def _instruction_text(ins) -> str:
    """The instruction on one line: continuation backslashes dropped, whitespace collapsed."""
    return " ".join(re.sub(r"\\[ \t]*\r?\n", " ", ins.original).split())


def step_summary(step) -> str:
    """A step in a few words: '(layer, 30 B)', '(config)', '(base image, 5 layers, 197 MB)'."""
    cached = ", CACHED" if step.cached else ""
    if step.kind == "from":
        return f"(base image, {count_text(len(step.image.layers), 'layer')}, {size_text(image_size(step.image))})"
    if step.kind == "layer" and step.layer is not None:
        return f"(layer, {size_text(layer_size(step.layer))}{cached})"
    return f"(config{cached})"


class BuildStepper(LabWidget):
    """A Dockerfile editor with Step / Run all / Back / Reset, the numbered Dockerfile with the current
    instruction highlighted, the step log, the build-step picture and the merged tree around what changed."""

    def __init__(self, dockerfile: str, context=None, *, engine=None, profile: str = "buildkit",
                 tag: str | None = None, path=None, tree: bool = True):
        self.engine = engine if engine is not None else default_engine()
        self.profile = profile
        self.tag = tag
        self.tree = tree
        self.path = pathlib.Path(path) if path is not None else None
        self.original = dockerfile
        self._context = context
        self._build = None
        self._error = ""
        self._error_line: int | None = None
        self._error_detail = ""
        self._image = None
        self._pictures: dict = {}
        self._quiet = False
        text = dockerfile
        if self.path is not None and self.path.exists():
            text = self.path.read_text()
        self._text = text
        self._save()
        try:
            self._build = self._new_build(text)
        except LayerlabError as exc:
            self._set_error(exc)
        self._make_view()
        self._refresh()

    # -- state ---------------------------------------------------------------------------------------------
    @property
    def text(self) -> str:
        """The Dockerfile as the learner wrote it (it may not parse: see error)."""
        return self._text

    @text.setter
    def text(self, value: str) -> None:
        self._set_text(str(value))

    @property
    def context(self):
        return self._context

    @context.setter
    def context(self, value) -> None:
        """New build context files: the build starts again (the engine's cache decides what is CACHED)."""
        self._context = value
        self.reset()

    @property
    def build(self):
        """The current layerlab Build (the last one that parsed), or None when no text has parsed yet."""
        return self._build

    @property
    def steps(self) -> list:
        return list(self._build.steps) if self._build is not None else []

    @property
    def image(self):
        """The image after the last step run (the finished image once the build is done), None before step 1."""
        if self._build is None or not self._build.steps:
            return None
        if self._build.done:
            return self._build.image
        return self._build.steps[-1].image

    @property
    def error(self) -> str:
        """'' or 'line N: what went wrong' (a parse error or a failed step)."""
        return self._error

    @property
    def error_line(self) -> int | None:
        return self._error_line

    @property
    def current_line(self) -> int | None:
        """The Dockerfile line of the last step run, or None before the first step."""
        steps = self.steps
        return steps[-1].line if steps else None

    @property
    def done(self) -> bool:
        return self._build is not None and self._build.done

    @property
    def picture(self) -> bytes:
        """The PNG shown now."""
        return bytes(self.image_view.value)

    # -- actions -----------------------------------------------------------------------------------------------
    def step(self):
        """Run the next instruction; returns its Step, or None when finished or when it failed (see error)."""
        build = self._build
        if build is None or build.done:
            self._refresh()
            return None
        if build.text != self._text:          # the editor holds text that does not parse
            self._refresh()
            return None
        try:
            step = build.step()
        except LayerlabError as exc:
            self._set_error(exc)
            self._save()
            self._refresh()
            return None
        self._clear_error()
        if build.done:
            self._image = self.engine.finish(build)
        self._save()
        self._refresh()
        return step

    def run_all(self):
        """Run every remaining step; returns the image, or None when a step failed."""
        self._quiet = True
        try:
            while self._build is not None and not self._build.done:
                if self.step() is None:
                    break
        finally:
            self._quiet = False
        self._refresh()
        return self._build.image if self.done else None

    def back(self):
        """Undo the last step (the engine's cache keeps what it learned); returns the step undone."""
        undone = self._build.back() if self._build is not None else None
        if self._build is not None and self._build.text == self._text:
            self._clear_error()
        self._refresh()
        return undone

    def reset(self) -> None:
        """Start the build again from step 0 (from the editor's text when it parses, else the last good one)."""
        text = self._text
        try:
            self._build = self._new_build(text)
            self._clear_error()
        except LayerlabError as exc:
            self._set_error(exc)
            if self._build is not None:
                self._build = self._new_build(self._build.text)
        self._refresh()

    def revert(self) -> None:
        """Back to the Dockerfile the widget was created with (and a fresh build)."""
        self._set_text(self.original)
        self.reset()

    # -- internals -----------------------------------------------------------------------------------------------
    def _new_build(self, text: str):
        return self.engine.builder(text, self._context, tag=self.tag, profile=self.profile)

    def _set_text(self, value: str) -> None:
        if value == self._text:
            return
        self._text = value
        self._save()
        try:
            build = self._new_build(value)
        except LayerlabError as exc:
            self._set_error(exc)
        else:
            self._build = build
            self._clear_error()
        if getattr(self, "editor", None) is not None and self.editor.value != value:
            self._syncing = True
            try:
                self.editor.value = value
            finally:
                self._syncing = False
        self._refresh()

    def _set_error(self, exc: LayerlabError) -> None:
        line = getattr(exc, "line", None)
        reason = getattr(exc, "reason", None) or first_line(str(exc))
        self._error_line = line if isinstance(line, int) and line > 0 else None
        self._error = f"line {line}: {reason}" if self._error_line else str(reason)
        self._error_detail = str(exc)

    def _clear_error(self) -> None:
        self._error, self._error_line, self._error_detail = "", None, ""

    def _save(self) -> None:
        if self.path is not None:
            if not self.path.exists() or self.path.read_text() != self._text:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.path.write_text(self._text)

    # -- the view --------------------------------------------------------------------------------------------------
    def _make_view(self) -> None:
        import ipywidgets as w

        self._syncing = False
        rows = max(6, min(24, len(self._text.splitlines()) + 2))
        self.editor = w.Textarea(value=self._text, rows=rows, continuous_update=False,
                                 layout=w.Layout(width="100%", margin="0"))
        self.editor.add_class("ll-editor")
        self.editor.observe(self._on_edit, "value")
        self.listing = w.HTML(layout=w.Layout(width="100%", margin="0"))
        self.listing.add_class("ll-listing")
        self.step_button = w.Button(description="Step", icon="step-forward", tooltip="run the next instruction",
                                    button_style="primary", layout=w.Layout(width="92px"))
        self.run_button = w.Button(description="Run all", icon="forward", tooltip="run every remaining instruction",
                                   layout=w.Layout(width="92px"))
        self.back_button = w.Button(description="Back", icon="step-backward", tooltip="undo the last step",
                                    layout=w.Layout(width="92px"))
        self.reset_button = w.Button(description="Reset", icon="undo", tooltip="start the build again from step 0",
                                     layout=w.Layout(width="92px"))
        for button, cls, action in ((self.step_button, "ll-step", self.step), (self.run_button, "ll-run-all",
                                    self.run_all), (self.back_button, "ll-back", self.back),
                                    (self.reset_button, "ll-reset", self.reset)):
            button.add_class(cls)
            button.on_click(lambda _b, action=action: action())
        self.status = w.HTML(layout=w.Layout(flex="1 1 auto", margin="0 0 0 10px"))
        self.status.add_class("ll-status")
        self.image_view = picture_view("ll-build-picture")
        self.log = w.HTML(layout=w.Layout(width="100%", margin="0"))
        self.log.add_class("ll-log")
        self.tree_view = w.HTML(layout=w.Layout(width="100%", margin="0"))
        self.tree_view.add_class("ll-tree")
        intro = w.HTML(CSS + '<div style="font-size:13px;margin-bottom:4px"><b>Build stepper</b> · edit the '
                       "Dockerfile on the left (click outside the box to apply), then <b>Step</b> runs the next "
                       "instruction: the right shows which line ran, the picture shows the image so far.</div>")
        editor_box = w.VBox([heading("Dockerfile (edit here)"), self.editor], layout=column("44%"))
        listing_box = w.VBox([heading("Line by line: ▶ marks the step just run"), self.listing],
                             layout=column("56%", last=True))
        buttons = w.HBox([self.step_button, self.run_button, self.back_button, self.reset_button, self.status],
                         layout=w.Layout(align_items="center", margin="6px 0"))
        lower = [w.VBox([heading("Step log"), self.log], layout=column("50%", last=not self.tree))]
        if self.tree:
            lower.append(w.VBox([heading("Merged tree around what the step changed"), self.tree_view],
                                layout=column("50%", last=True)))
        self.widget = w.VBox([intro, w.HBox([editor_box, listing_box]), buttons, self.image_view, w.HBox(lower)],
                             layout=w.Layout(width="100%"))
        self.widget.add_class("ll-root")
        self.widget.add_class("ll-build-stepper")

    def _on_edit(self, change) -> None:
        if self._syncing:
            return
        self._set_text(change["new"])

    def _refresh(self) -> None:
        if self._quiet or getattr(self, "listing", None) is None:
            return
        build = self._build
        steps = self.steps
        # the picture, tree and log first, the listing's highlight last: when the highlight moves, all is there
        self.image_view.value = self._picture()
        if self.tree:
            self.tree_view.value = self._tree_html()
        self.log.value = self._log_html()
        self.status.value = self._status_html()
        self.step_button.disabled = build is None or build.done
        self.run_button.disabled = build is None or build.done
        self.back_button.disabled = not steps
        self.listing.value = self._listing_html()

    def _listing_html(self) -> str:
        build = self._build
        lines = self._text.splitlines() or [""]
        current = set()
        done: dict[int, object] = {}
        next_line = None
        if build is not None and build.text == self._text:
            for s in build.steps:
                if not s.trigger:
                    done[s.instruction.line] = s
            if build.steps and not build.steps[-1].trigger:      # an ONBUILD trigger has no line here
                last = build.steps[-1].instruction
                current = set(range(last.line, max(last.line, last.end_line) + 1))
            ins = build.next_instruction
            next_line = ins.line if ins is not None and not build.done else None
        width = len(str(len(lines)))
        spans: dict[int, int] = {}          # continuation line -> the line its instruction starts on
        if build is not None and build.text == self._text:
            for _, ins in build.plan:
                for k in range(ins.line + 1, max(ins.line, ins.end_line) + 1):
                    spans[k] = ins.line
        # one grid row per line: number | marker | text (wraps, keeps its indentation) | badge (never clipped)
        grid = (f"display:grid;grid-template-columns:calc({width}ch + 10px) 1.4em minmax(0,1fr) max-content;"
                "column-gap:0;align-items:start;padding:1px 6px 1px 4px;border-left:4px solid transparent")
        rows = []
        for n, text in enumerate(lines, 1):
            classes = ["ll-line"]
            style = grid
            marker, badge = " ", ""
            if n in current:
                classes.append("ll-current")
                style += f";background:{PURPLE_TINT};border-left-color:{PURPLE};font-weight:600"
                marker = "▶" if n not in spans else " "
            if n in spans:
                classes.append("ll-continued")
            if n == self._error_line:
                classes.append("ll-error-line")
                style += f";background:{VERMILLION_TINT};border-left-color:{VERMILLION}"
                marker = "✗"
            if n in done:
                badge = _badge(done[n])
            elif n == next_line:
                badge = f'<span class="ll-badge ll-badge-config" style="color:{MUTED}">next</span>'
            elif n in spans and (spans[n] in done or spans[n] == next_line):
                badge = f'<span class="ll-badge-cont" style="color:{MUTED};font-size:11px;margin-left:6px">' \
                        f"↳ line {spans[n]}</span>"
            rows.append(f'<div class="{" ".join(classes)}" data-line="{n}" style="{style}">'
                        f'<span style="color:{MUTED};text-align:right;padding-right:10px;user-select:none">{n}</span>'
                        f'<span style="color:{PURPLE}">{marker}</span>'
                        f'<span class="ll-line-text" style="white-space:pre-wrap;overflow-wrap:anywhere;'
                        f'min-width:0">{esc(text) or " "}</span>'
                        f'<span style="white-space:nowrap">{badge}</span></div>')
            if n == self._error_line:
                rows.append(_error_row(self._error, width))
        if self._error and self._error_line is None:
            rows.insert(0, _error_row(self._error, width))
        if build is not None and build.text != self._text:
            rows.append(f'<div style="color:{MUTED};font-size:11px;margin:4px 8px 0 8px">the text above does not parse: '
                        f"the build below is the last good one ({count_text(len(build.steps), 'step')} run)</div>")
        return ('<div style="font-family:var(--jp-code-font-family,monospace);font-size:12.5px;line-height:1.5;'
                'border:1px solid #E0E0E0;border-radius:4px;padding:4px 0;background:#FFF;color:#222;'
                'overflow-x:auto">' + "".join(rows) + "</div>")

    def _total(self) -> int:
        build = self._build
        return max(len(build.steps), len(build.plan)) if build is not None else 0

    def _status_html(self) -> str:
        if self._error:
            return (f'<span class="ll-error" style="color:{VERMILLION_TEXT};font-weight:600">✗ {esc(self._error)}'
                    "</span>")
        build = self._build
        if build is None:
            return ""
        if not build.steps:
            nxt = build.next_instruction
            return (f"<span>{count_text(self._total(), 'step')} to run · next: <code>"
                    f"{esc(_instruction_text(nxt)) if nxt else ''}</code></span>")
        step = build.steps[-1]
        text = f"<b>step {step.number} of {self._total()}</b>: <code>{esc(_instruction_text(step.instruction))}</code>"
        text += f" · {esc(_verdict(step))}"
        if build.done:
            tag = f" as <b>{esc(build.tag)}</b>" if getattr(build, "tag", None) else ""
            text += f" · <span style='color:#007A5A'>done: image stored{tag}</span>"
        return f"<span>{text}</span>"

    def _log_html(self) -> str:
        build = self._build
        if build is None:
            return raw_pre(esc("no build yet: the Dockerfile does not parse"), height="360px", wrap=True)
        out = []
        for s in build.steps:
            out.append(_log_line(f"<b>{esc(f'{s.number:>2}  {_instruction_text(s.instruction)}')}</b>", 0, 4))
            out.append(_log_line(esc(_log_detail(s)), 4))
            if s.cached:
                # a cache hit reuses the layer: the command did not run, so there is no output to show
                if s.output.strip():
                    out.append(_log_line('<span class="ll-cache-hit" style="color:#555">│ cache hit: not run, '
                                         "so no output</span>", 4))
                continue
            lines = s.output.splitlines()
            for line in lines[:MAX_OUTPUT_LINES]:
                out.append(_log_line(f'<span style="color:#555">│ {esc(line)}</span>', 4))
            extra = len(lines) - MAX_OUTPUT_LINES
            if extra > 0:
                out.append(_log_line(f'<span style="color:#777">│ … {count_text(extra, "more line")} of output</span>',
                                     4))
        ran = {id(s.instruction) for s in build.steps}
        pending = [ins for _, ins in build.plan if id(ins) not in ran]
        for k, ins in enumerate(pending):
            n = len(build.steps) + k + 1
            word = "next" if k == 0 else "to run"
            out.append(_log_line(f'<span style="color:#888">{esc(f"{n:>2}  {_instruction_text(ins)}")}   ({word})'
                                 "</span>", 0, 4))
        if build.done:
            img = build.image
            tag = f" tagged {build.tag}" if getattr(build, "tag", None) else ""
            out.append(_log_line(f'<span style="color:#007A5A"><b>{esc(f"built {img.short_id}{tag}: ")}'
                                 f"{esc(count_text(len(img.layers), 'layer'))}, {esc(human_size(image_size(img)))}"
                                 "</b></span>", 0, 4))
        if build.steps:
            out.append(_log_line(f'<span class="ll-layer-count" style="color:#555">{esc(layer_count(build.steps))}'
                                 "</span>", 0, 4))
        if self._error_detail and self._error_line is not None and build.text == self._text:
            out.append(_log_line(f'<span style="color:{VERMILLION_TEXT}">{esc(self._error_detail)}</span>', 0, 4))
        return raw_pre("".join(out), height="360px", wrap=True)

    def _picture(self) -> bytes:
        from .. import graph

        build = self._build
        if build is None:
            key = ("none",)
        elif not build.steps:
            key = ("plan", id(build))
        else:
            key = ("step", id(build.steps[-1]))
        hit = self._pictures.get(key)
        if hit is not None:
            return hit[1]
        if build is None:
            data = png(_plan_picture([], "no build yet: the Dockerfile does not parse"))
        elif not build.steps:
            data = png(_plan_picture([_instruction_text(ins) for _, ins in build.plan],
                                     f"Build plan: {count_text(len(build.plan), 'step')}, none run yet"))
        else:
            data = png(graph.build_step_picture(build))
        if len(self._pictures) > 32:
            self._pictures.clear()
        self._pictures[key] = (build, data)      # the build is kept so id() stays unique
        return data

    def _tree_html(self) -> str:
        build = self._build
        if build is None or not build.steps:
            return html_pre("(the merged tree appears after the first step)", height="360px")
        step = build.steps[-1]
        img = step.image
        if step.kind == "layer" and step.layer is not None and not step.layer.is_empty:
            tops = focus_dirs(step.layer.entries)
            label = f"L{len(img.layers) - 1}"
            head = f"step {step.number} wrote {label} ({size_text(layer_size(step.layer))}); the tree around it:"
        else:
            tops = ["/"]
            note = config_note(short_instruction(_instruction_text(step.instruction)))
            head = (f"step {step.number} changed no file ({note})" if step.kind == "config"
                    else f"step {step.number}: the base image's top directory")
        notes = _touches_lower(step, build)
        changed = list(step.layer.entries) if step.kind == "layer" and step.layer is not None else []
        blocks = [tree_around(img, top, changed, changes=notes) for top in tops]
        labels = [f"L{i}  {short_instruction(l.created_by, 60)}" for i, l in enumerate(img.layers)]
        return tree_html(blocks, before=[head], after=labels[-4:])

    # -- text -------------------------------------------------------------------------------------------------------
    def describe(self) -> str:
        build = self._build
        if build is None:
            return f"BuildStepper: no build - {self._error}"
        steps = build.steps
        if not steps:
            nxt = build.next_instruction
            text = f"BuildStepper: 0 of {self._total()} steps run" + (
                f" - next {_instruction_text(nxt)}" if nxt is not None else "")
        else:
            s = steps[-1]
            text = f"BuildStepper: step {s.number} of {self._total()} - {_instruction_text(s.instruction)} " \
                   f"{step_summary(s)}"
            if build.done:
                text += " - done" + (f", tagged {build.tag}" if getattr(build, "tag", None) else "")
        if self._error:
            text += f" - error at {self._error}" if self._error_line else f" - error: {self._error}"
        return text


def _log_line(inner_html: str, indent: int, hang: int = 2) -> str:
    """One line of the step log: it wraps, its wrapped part indented hang more than its first line."""
    return (f'<div class="ll-log-line" style="padding-left:{indent + hang}ch;text-indent:-{hang}ch">'
            f"{inner_html}</div>")


def layer_count(steps) -> str:
    """What the steps run so far did to the layer stack: new layers built, layers reused from the cache (a cache
    hit adds no new layer: it reuses one), steps that only changed the config.

    >>> from types import SimpleNamespace as S
    >>> layer_count([S(kind="from", cached=None, layer=None), S(kind="layer", cached=True, layer=1),
    ...              S(kind="layer", cached=False, layer=1), S(kind="config", cached=None, layer=None)])
    'so far: 1 new layer built, 1 layer reused from the cache, 1 config-only step'
    """
    built = sum(1 for s in steps if s.kind == "layer" and s.layer is not None and not s.cached)
    reused = sum(1 for s in steps if s.kind == "layer" and s.layer is not None and s.cached)
    config = sum(1 for s in steps if s.kind == "config" or (s.kind == "layer" and s.layer is None))
    parts = [f"{count_text(built, 'new layer')} built"]
    parts.append(f"{count_text(reused, 'layer')} reused from the cache")
    if config:
        parts.append(count_text(config, "config-only step"))
    return "so far: " + ", ".join(parts)


def _touches_lower(step, build) -> bool:
    """Does the step's layer delete or replace something below (then the tree notes whiteouts and copies)?"""
    from ...fs.entries import Dir, Opaque, Whiteout

    layer = step.layer
    if step.kind != "layer" or layer is None:
        return False
    k = build.steps.index(step)
    below = build.steps[k - 1].image.rootfs if k > 0 else None
    for path, entry in layer.entries.items():
        if isinstance(entry, (Whiteout, Opaque)):
            return True
        if below is not None and not isinstance(entry, Dir) and below.get(path) is not None:
            return True
    return False


def _verdict(step) -> str:
    if step.kind == "from":
        return f"base image: {count_text(len(step.image.layers), 'layer')}, {size_text(image_size(step.image))}"
    if step.cached:
        what = "CACHED"
    elif step.cached is False:
        what = "BUILT" + (f" ({step.reason})" if step.reason else "")
    else:
        what = "config only"
    if step.kind == "layer" and step.layer is not None:
        return f"{what} · new layer, {size_text(layer_size(step.layer))}"
    return what


def _log_detail(step) -> str:
    if step.kind == "from":
        return f"base image · {count_text(len(step.image.layers), 'layer')} · {size_text(image_size(step.image))}"
    verdict = "CACHED" if step.cached else ("BUILT" if step.cached is False else "")
    reason = f": {step.reason}" if step.cached is False and step.reason else ""
    if step.kind == "layer" and step.layer is not None:
        where = f"layer L{len(step.image.layers) - 1} · {size_text(layer_size(step.layer))}"
        copied = f" · copied up {', '.join(c.path for c in step.copy_ups[:3])}" if step.copy_ups else ""
        return f"{verdict}{reason} · {where}{copied}"
    note = config_note(short_instruction(step.history.created_by)) if step.history is not None else "config only"
    return f"{verdict}{reason} · {note}" if verdict else note


def _badge(step) -> str:
    if step.kind == "from":
        return '<span class="ll-badge ll-badge-base">base</span>'
    if step.cached:
        return '<span class="ll-badge ll-badge-cached">CACHED</span>'
    if step.kind == "layer":
        size = size_text(layer_size(step.layer)) if step.layer is not None else ""
        return f'<span class="ll-badge ll-badge-built">BUILT · layer {esc(size)}</span>'
    return '<span class="ll-badge ll-badge-config">config</span>'


def _error_row(message: str, width: int) -> str:
    return (f'<div class="ll-error" style="margin:0 0 2px {width + 3}ch;padding:2px 8px;color:{VERMILLION_TEXT};'
            f'background:{VERMILLION_TINT};border-radius:3px;white-space:pre-wrap;font-weight:600">'
            f"✗ {esc(message)}</div>")


def _plan_picture(instructions: list[str], title: str):
    """Before the first step: the instructions still to run, as dashed bands (the build picture's 'pending')."""
    from ..style import BODY, ROLES, SMALL, TITLE, WIDTH, Sheet, fit_text

    shown = instructions[:8]
    row = 0.42
    height = 0.95 + max(1, len(shown)) * (row + 0.08) + (0.3 if len(instructions) > len(shown) else 0) + 0.2
    sheet = Sheet(WIDTH, height)
    sheet.label(0.2, -0.26, fit_text(title, WIDTH - 0.4, TITLE, True), TITLE, bold=True, gid="title")
    sheet.label(0.2, -0.55, "press Step to run the first instruction; each step adds a band to this picture",
                SMALL, color="#5A5A5A", gid="subtitle")
    y = -0.85
    for k, text in enumerate(reversed(shown)):
        number = len(shown) - k
        sheet.box(0.62, y, WIDTH - 0.82, row, ROLES["pending"], gid=f"band:pending:{number}")
        sheet.label(0.31, y - row / 2, str(number), SMALL, bold=True, color="#5A5A5A", ha="center",
                    gid=f"step:{number}")
        sheet.label(0.76, y - row / 2, fit_text(text, WIDTH - 2.4, BODY), BODY, color="#5A5A5A",
                    gid=f"band:pending:{number}")
        if number == 1:
            sheet.label(WIDTH - 0.35, y - row / 2, "next step", SMALL, color="#5A5A5A", ha="right")
        y -= row + 0.08
    if len(instructions) > len(shown):
        sheet.label(0.76, y - 0.12, f"… {count_text(len(instructions) - len(shown), 'more step')}", SMALL,
                    color="#5A5A5A")
    return sheet.fig
