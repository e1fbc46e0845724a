"""ContainerPlayground: a shell prompt into a simulated container, with docker diff and copy-on-write in view.

The volume toggle recreates the container, because Docker cannot add or remove
a mount on an existing container: the old one is removed (`docker rm -fv`: its
read-write layer and anonymous volumes go, the named volume stays), a new one is
created from the same image with or without the volume, and the command history
is replayed in it. So the same commands can be compared with and without the
volume; and a named volume keeps what earlier runs wrote (a replayed `>>` appends
again), exactly as it would with Docker.

>>> from layerlab import Engine
>>> eng = Engine()
>>> p = ContainerPlayground("busybox", engine=eng, volumes={"vol1": "/data"})
>>> rec = p.run("echo hi > /etc/motd2 && mkdir -p /data && echo x > /data/f")
>>> p
ContainerPlayground: 1 command in a container of busybox - 3 changes, 0 B copied up, volume vol1 at /data
>>> p.diff_lines                       # /data/f went to the volume, not to the read-write layer
['A /data', 'C /etc', 'A /etc/motd2']
>>> p.toggle_volume("vol1", "/data")   # a new container without the volume; the history is replayed
False
>>> p.diff_lines
['A /data', 'A /data/f', 'C /etc', 'A /etc/motd2']
"""

from __future__ import annotations

import tarfile
from dataclasses import dataclass

from ...errors import LayerlabError
from ...fs import paths
from ...runtime.container import ExecRecord
from ..summary import count_text, size_text
from .common import (CSS, GREEN, MUTED, PURPLE_TINT, VERMILLION_TEXT, LabWidget, default_engine, engine_of, esc,
                     focus_dirs, heading, html_pre, is_container, later, note, picture_view, png, raw_pre,
                     tree_around, tree_html, column)

__all__ = ["ContainerPlayground", "ExportSummary", "export_summary"]


@dataclass(frozen=True)
class ExportSummary:
    """What `docker export` writes for a container: members, bytes, and whiteouts (always none)."""

    members: int
    tar_bytes: int
    whiteouts: int
    files: int

    def __str__(self) -> str:
        words = "no whiteouts" if not self.whiteouts else count_text(self.whiteouts, "whiteout")
        return (f"docker export: one flat tar of {count_text(self.members, 'member')} ({size_text(self.tar_bytes)}, "
                f"{count_text(self.files, 'file')}), {words}: deleted files are simply absent")


def export_summary(container) -> ExportSummary:
    """The member count and exact byte size of the tar `docker export` writes, without writing it.

    One member per path of the merged view (what export_layer tars); a header is one 512-byte block unless tarfile
    needs a PAX header for it (a long or non-ASCII name or link, xattrs, a large id or time), and then it is
    measured with tarfile itself.
    """
    from ...fs.entries import Dir, File, HardLink, Symlink
    from ...fs.tarcodec import members

    block = tarfile.BLOCKSIZE
    total = count = whiteouts = files = 0
    for path, entry in container.view().walk():
        if path == "/":
            continue
        count += 1
        name = path.lstrip("/") + ("/" if isinstance(entry, Dir) else "")
        link = entry.target if isinstance(entry, Symlink) else (
            paths.to_member(entry.target) if isinstance(entry, HardLink) else "")
        size = entry.size if isinstance(entry, File) else 0
        plain = (len(name) <= 100 and name.isascii() and len(link) <= 100 and link.isascii() and not entry.xattrs
                 and 0 <= entry.uid < 8 ** 7 and 0 <= entry.gid < 8 ** 7 and type(entry.mtime) is int
                 and 0 <= entry.mtime < 8 ** 11 and size < 8 ** 11)
        if plain:
            total += block
        else:
            from ...fs.layer import Layer
            info = members(Layer([(path, entry)]))[-1][1]
            total += len(info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape"))
        if size:
            files += 1
            total += size + (-size % block)
        elif isinstance(entry, File):
            files += 1
        if paths.basename(path).startswith(".wh."):
            whiteouts += 1
    return ExportSummary(count, total + 2 * block, whiteouts, files)


class ContainerPlayground(LabWidget):
    """A command box (Enter runs), the history, the output, `docker diff`, the merged tree around what changed,
    the copy-up counter, the container's stack picture, and Commit / Export / volume buttons."""

    def __init__(self, image_or_ref_or_container, *, engine=None, volumes=None, name: str | None = None,
                 context=None):
        source = image_or_ref_or_container
        if is_container(source):
            self.engine = engine if engine is not None else engine_of(source)
            self._container = self.engine.container(source)
            self.image_ref = source.image_ref
            name = name or source.name       # a recreated container (volume toggle) keeps the name
        else:
            self.engine = engine if engine is not None else default_engine()
            if isinstance(source, str) and ("\n" in source.strip() or source.lstrip().upper().startswith("FROM ")):
                source = self.engine.build(source, context)     # a Dockerfile: build it first
                self.image_ref = source.short_id
            else:
                self.image_ref = source if isinstance(source, str) else source.short_id
            self._container = self.engine.run(source, volumes=volumes, name=name)
        self.image = self._container.image
        self.name = name
        self._history: list[str] = []
        self._last: ExecRecord | None = None
        self._last_changes: list[str] = []
        self._focus: list[str] = ["/"]
        self._changed_paths: list[str] = []
        self._diff_cache = None
        self._tree_cache = None
        self._export_cache = None
        self._upper_key = None
        self._previous_diff: list[str] = self._diff_now()
        self._picture_key = None
        self._message = ""
        self.last_commit = None
        self.last_export: ExportSummary | None = None
        self._make_view()
        self._refresh()

    # -- state --------------------------------------------------------------------------------------------------
    @property
    def container(self):
        return self._container

    @property
    def history(self) -> list[str]:
        """The commands run here, oldest first."""
        return list(self._history)

    @property
    def copied_bytes(self) -> int:
        """Bytes copied up from lower layers into the read-write layer so far."""
        return self._container.copied_bytes

    @property
    def copy_ups(self) -> list:
        """Every copy-up so far: path, bytes, the command that triggered it and why (CopyUp records)."""
        return list(self._container.rootfs.copy_ups)

    @property
    def diff_lines(self) -> list[str]:
        """`docker diff` now, one 'A /path' line each (also after commands run outside the widget)."""
        return self._diff_now()

    @property
    def last(self) -> ExecRecord | None:
        return self._last

    @property
    def volume_mounts(self) -> list[tuple[str, str]]:
        """(volume name, container path) of every named or anonymous volume mounted."""
        return sorted((m.source, m.destination) for m in self._container.mounts if m.type == "volume")

    @property
    def picture(self) -> bytes:
        return bytes(self.image_view.value)

    # -- actions ------------------------------------------------------------------------------------------------
    def run(self, command: str) -> ExecRecord:
        """Run a shell command in the container (`docker exec`); every view updates."""
        command = str(command).strip()
        if not command:
            return ExecRecord("", 0, "", "")
        before = self._state()
        record = self._exec(command)
        self._history.append(command)
        self._after_command(record, written=self._written_since(before))
        return record

    def commit(self, tag: str | None = None):
        """`docker commit`: the read-write layer becomes a new image layer; its history is shown."""
        from ..text import history_table

        img = self.engine.commit(self._container, tag or None)
        self.last_commit = img
        table = history_table(img, engine=self.engine)
        what = f"committed {img.short_id}" + (f" as {tag}" if tag else "")
        self._message = (f'<div class="ll-commit"><b>{esc(what)}</b>: the read-write layer is now the top layer '
                         f'of a new image (docker history, newest first):{html_pre(str(table))}</div>')
        self._refresh(views=False)
        return img

    def export(self) -> bytes:
        """`docker export`: the container's filesystem as one flat tar (no layers, no whiteouts); the bytes."""
        data = self.engine.export(self._container)
        self.last_export = self._show_export()
        return data

    def show_export(self) -> ExportSummary:
        """What the Export button shows: the tar's member count and size, computed without writing it."""
        return self._show_export()

    def toggle_volume(self, name: str = "vol1", path: str = "/data") -> bool:
        """Recreate the container with the named volume at path mounted, or without it; replay the history.
        Returns True when the volume is mounted now."""
        path = paths.normalize(path)
        old = self._container
        kept = [m for m in old.mounts if not m.internal and not m.anonymous and m.type in ("volume", "bind")]
        mounted = any(m.type == "volume" and m.source == name and m.destination == path for m in kept)
        specs = [f"{m.source}:{m.destination}" + (":ro" if m.read_only else "") for m in kept
                 if m.destination != path]
        if not mounted:
            specs.append(f"{name}:{path}")
        config, image = old.config, old.image.config
        self.engine.rm(old, force=True, volumes=True)
        self._container = self.engine.run(
            old.image if old.image_ref == old.image.short_id else old.image_ref, list(config.cmd or ()) or None,
            volumes=specs or None, name=self.name, entrypoint=config.entrypoint if config.entrypoint != image.entrypoint
            else None, env=[e for e in config.env if e not in image.env] or None,
            workdir=config.working_dir if config.working_dir != image.working_dir else None,
            user=config.user if config.user != image.user else None)
        record = None
        for command in self._history:
            record = self._exec(command)
        before = self._previous_diff
        now = self._diff_now()
        state = "mounted" if not mounted else "unmounted"
        anon = [d for s, d in self.volume_mounts if d == path and s != name]
        extra = " (the image declares VOLUME there, so Docker mounts an anonymous volume instead)" if anon else ""
        replay = f", {count_text(len(self._history), 'command')} replayed" if self._history else ""
        gone = [line for line in before if line not in now]
        lost = f"; gone from docker diff: {', '.join(gone[:4])}{' …' if len(gone) > 4 else ''}" if gone else ""
        self._after_command(record, replayed=True)
        self._message = note(f"volume {name} {state} at {path}: new container {self._container.name}{replay}{extra}"
                             f"{lost}", css_class="ll-note ll-volume-note")
        self._refresh(views=False)
        return not mounted

    # -- internals ---------------------------------------------------------------------------------------------
    def _exec(self, command: str) -> ExecRecord:
        try:
            return self.engine.exec(self._container, command)
        except LayerlabError as exc:
            return ExecRecord(command, 126, "", f"{exc}\n")

    def _after_command(self, record: ExecRecord | None, replayed: bool = False, written=None) -> None:
        """written: the paths the command wrote (read-write layer and volumes); None after a replay (the new
        container's changes are then what docker diff gained, and the volume paths the command names)."""
        self._last = record
        now = self._diff_now()
        before = set(self._previous_diff)
        if written is None:
            fresh = [line for line in now if line not in before]
            changed = [line[2:] for line in fresh] + self._volume_writes(record)
        else:
            # what THIS command wrote, even when docker diff already listed it (a file written again)
            fresh = [line for line in now if line not in before or line[2:] in written]
            changed = list(written)
        self._last_changes = fresh
        if changed:
            self._focus = focus_dirs(changed)
        self._changed_paths = changed        # nothing written: the tree stays where it was, nothing highlighted
        self._previous_diff = now
        if not replayed:
            self._message = ""
        self._refresh()

    def _diff_now(self) -> list[str]:
        """`docker diff` lines, computed again only when the read-write layer changed (ls or cat change nothing)."""
        c = self._container
        upper = c.rootfs.upper
        key = (c.id, tuple((path, id(entry)) for path, entry in upper.items()))
        self._upper_key = key
        if self._diff_cache is not None and self._diff_cache[0] == key:
            return list(self._diff_cache[1])
        now = [str(change) for change in c.changes()]
        self._diff_cache = (key, now, upper)      # upper keeps the entries alive, so their ids stay theirs
        return list(now)

    def _state(self) -> tuple[dict, dict]:
        """The read-write layer and the volumes' files now, by entry (entries are replaced, never changed in
        place, so an entry that is not the same object is a write)."""
        c = self._container
        volumes = {}
        for m in c.mounts:
            if m.internal or m.type != "volume" or not c.host.lexists(m.host_path):
                continue
            for p, e in c.host.walk(m.host_path):
                volumes[paths.normalize(m.destination + p[len(m.host_path):])] = e
        return c.rootfs.upper, volumes

    def _written_since(self, before: tuple[dict, dict]) -> list[str]:
        """The paths written, created or removed since the _state before (the entries compared by identity)."""
        out = []
        for old, new in zip(before, self._state()):
            out += [p for p in new if old.get(p) is not new[p]] + [p for p in old if p not in new]
        return sorted(set(out), key=paths.sort_key)

    def _volume_writes(self, record: ExecRecord | None) -> list[str]:
        """Container paths under a volume mount that the command names (writes there skip docker diff)."""
        if record is None:
            return []
        out = []
        for m in self._container.mounts:
            if m.internal or m.type != "volume":
                continue
            for word in record.command.replace(">", " ").replace(";", " ").split():
                if word == m.destination or word.startswith(m.destination + "/"):
                    out.append(paths.normalize(word))
        return out

    def _show_export(self) -> ExportSummary:
        self._diff_now()
        key = (self._upper_key, self._container.id)
        if self._export_cache is None or self._export_cache[0] != key:
            self._export_cache = (key, export_summary(self._container))
        summary = self._export_cache[1]
        self.last_export = summary
        check = "✓ no whiteouts" if not summary.whiteouts else f"✗ {summary.whiteouts} whiteouts"
        self._message = (f'<div class="ll-export"><b>docker export</b> → one flat tar: '
                         f"{summary.members:,} members, {esc(size_text(summary.tar_bytes))}, "
                         f'<span style="color:{GREEN};font-weight:600">{check}</span>: deleted files are simply '
                         "absent, there are no layers to hide them from; volume content is not included.</div>")
        self._refresh(views=False)
        return summary

    # -- the view ------------------------------------------------------------------------------------------------
    def _make_view(self) -> None:
        import ipywidgets as w

        # continuous_update=False: the typed text reaches the kernel in one message, on Enter (or on leaving the
        # box). Enter also sends a 'submit' event, just BEFORE that message: so Enter marks the box, and the text
        # that arrives next runs. If none arrives (the text was already sent when the box lost focus), the
        # marked text runs a moment later. Leaving the box alone never runs anything.
        self.command = w.Text(placeholder="type a shell command, e.g. echo hi >> /etc/motd, and press Enter",
                              continuous_update=False, layout=w.Layout(flex="1 1 auto"))
        self.command.add_class("ll-command")
        self._enter = False
        self.command.observe(self._on_value, "value")
        try:
            self.command._submission_callbacks.register_callback(lambda _w: self._on_enter())
        except AttributeError:  # pragma: no cover - a future ipywidgets without the submit event
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.command.on_submit(lambda _w: self._on_enter())
        self.run_button = w.Button(description="Run", icon="play", button_style="primary",
                                   layout=w.Layout(width="80px"))
        self.run_button.add_class("ll-run")
        self.run_button.on_click(lambda _b: self._submit())
        self.history_view = w.Select(options=[], rows=2, layout=w.Layout(width="100%", margin="0"))
        self.history_view.add_class("ll-history")
        self.history_view.observe(self._on_pick, "value")
        self.output = w.HTML(layout=w.Layout(width="100%", margin="0"))
        self.output.add_class("ll-output")
        self.history_hint = w.HTML(note("(no command yet: the commands you run are listed here, oldest first; "
                                        "pick one to put it back in the command box)"),
                                   layout=w.Layout(width="100%", margin="0"))
        self.history_hint.add_class("ll-history-hint")
        self.counter = w.HTML(layout=w.Layout(width="100%", margin="0"))
        self.counter.add_class("ll-counter")
        self.image_view = picture_view("ll-container-picture")
        self.diff_view = w.HTML(layout=w.Layout(width="100%", margin="0"))
        self.diff_view.add_class("ll-diff")
        self.tree_view = w.HTML(layout=w.Layout(width="100%", margin="0"))
        self.tree_view.add_class("ll-tree")
        self.copyups_view = w.HTML(layout=w.Layout(width="100%", margin="0 0 4px 0"))
        self.copyups_view.add_class("ll-copyups")
        self.tag_box = w.Text(placeholder="tag (optional)", layout=w.Layout(width="160px"))
        self.commit_button = w.Button(description="Commit", icon="camera", tooltip="docker commit",
                                      layout=w.Layout(width="96px"))
        self.commit_button.add_class("ll-commit-button")
        self.commit_button.on_click(lambda _b: self.commit(self.tag_box.value.strip() or None))
        self.export_button = w.Button(description="Export", icon="archive", tooltip="docker export",
                                      layout=w.Layout(width="96px"))
        self.export_button.add_class("ll-export-button")
        self.export_button.on_click(lambda _b: self._show_export())
        self.volume_button = w.ToggleButton(layout=w.Layout(width="auto"), icon="hdd-o")
        self.volume_button.add_class("ll-volume")
        self.volume_button.observe(self._on_volume, "value")
        self._volume_spec = self._default_volume()
        self.result = w.HTML(layout=w.Layout(width="100%", margin="0"))
        self.result.add_class("ll-result")
        intro = w.HTML(CSS + '<div style="font-size:13px;margin-bottom:4px"><b>Container playground</b> · '
                       "commands run in the container's shell; watch <code>docker diff</code>, the copy-ups and "
                       "the read-write layer change. Pick a command in the history to run it again.</div>")
        prompt = w.HBox([w.HTML('<span style="font-family:monospace;font-size:14px;margin-right:4px">$</span>'),
                         self.command, self.run_button], layout=w.Layout(align_items="center"))
        top = w.HBox([w.VBox([heading("History, oldest first (pick one to run it again)"), self.history_hint,
                              self.history_view],
                             layout=column("32%")),
                      w.VBox([heading("Output of the last command"), self.output], layout=column("68%", last=True))])
        lower = w.HBox([w.VBox([heading("docker diff (new lines highlighted)"), self.diff_view],
                               layout=column("32%")),
                        w.VBox([heading("Merged tree around what changed"), self.tree_view],
                               layout=column("68%", last=True))])
        actions = w.HBox([self.commit_button, self.tag_box, self.export_button, self.volume_button],
                         layout=w.Layout(align_items="center", margin="2px 0 6px 0"))
        self.widget = w.VBox([intro, prompt, actions, self.result, top, self.counter, self.copyups_view, lower,
                              self.image_view], layout=w.Layout(width="100%"))
        self.widget.add_class("ll-root")
        self.widget.add_class("ll-container-playground")

    def _default_volume(self) -> tuple[str, str]:
        named = [(m.source, m.destination) for m in self._container.mounts if m.type == "volume" and not m.anonymous]
        return named[0] if named else ("vol1", "/data")

    def _submit(self) -> None:
        self._enter = False
        text = self.command.value
        if text.strip():
            self._syncing = True
            try:
                self.command.value = ""
            finally:
                self._syncing = False
            self.run(text)

    def _on_enter(self) -> None:
        self._enter = True
        later(self._enter_fallback, 0.3)

    def _enter_fallback(self) -> None:
        if self._enter:
            self._submit()

    def _on_value(self, change) -> None:
        if self._enter and not getattr(self, "_syncing", False) and str(change["new"]).strip():
            self._submit()

    def _on_pick(self, change) -> None:
        if change["new"] and not getattr(self, "_syncing", False):
            self._enter = False
            self.command.value = change["new"]

    def _on_volume(self, change) -> None:
        if getattr(self, "_syncing", False):
            return
        name, path = self._volume_spec
        self.toggle_volume(name, path)

    def _refresh(self, views: bool = True) -> None:
        c = self._container
        self.result.value = self._message
        if not views:
            return
        self._syncing = True
        try:
            self.history_view.options = list(self._history)         # oldest first, as p.history
            self.history_view.value = None
            self.history_view.rows = max(2, min(7, len(self._history)))
            self.history_view.layout.display = "" if self._history else "none"
            self.history_hint.layout.display = "none" if self._history else ""
            name, path = self._volume_spec
            mounted = (name, path) in [(m.source, m.destination) for m in c.mounts if m.type == "volume"]
            self.volume_button.value = mounted
            self.volume_button.description = (f"volume {name} at {path}: mounted · click to unmount" if mounted
                                              else f"volume {name} at {path}: not mounted · click to mount")
            self.volume_button.tooltip = (
                f"{'Unmount' if mounted else 'Mount'} volume {name} at {path}: Docker cannot change the mounts of a "
                f"container, so this removes the container (docker rm -f), runs a new one from the same image "
                f"{'without' if mounted else 'with'} -v {name}:{path} and replays the history in it. Files written "
                f"under {path} go to the volume when it is mounted, to the read-write layer (docker diff) when not.")
            self.volume_button.button_style = "success" if mounted else ""
        finally:
            self._syncing = False
        self.image_view.value = self._picture()       # the diff last: when it changes, everything else is there
        self.output.value = self._output_html()
        self.counter.value = self._counter_html()
        self.copyups_view.value = self._copyups_html()
        self.tree_view.value = self._tree_html()
        self.diff_view.value = self._diff_html()

    def _output_html(self) -> str:
        r = self._last
        if r is None:
            return html_pre(f"(no command yet: the container {self._container.name} is "
                            f"{self._container.state})", height="150px")
        body = f"<b>{esc(f'$ {r.command}')}</b>\n" + esc(r.stdout)
        if r.stderr:
            body += f'<span style="color:{VERMILLION_TEXT}">{esc(r.stderr)}</span>'
        if r.exit_code:
            body += f'<span style="color:{VERMILLION_TEXT}">(exit code {r.exit_code})</span>'
        elif not r.stdout and not r.stderr:
            body += f'<span style="color:{MUTED}">(no output; exit code 0)</span>'
        return raw_pre(body.rstrip("\n"), height="150px")

    def _counter_html(self) -> str:
        ups = self._container.rootfs.copy_ups
        total = self._container.copied_bytes
        rw = self._container.size
        if not ups:
            words = "nothing copied up yet: writing a file that exists in a lower layer copies it up whole first"
        else:
            words = f"{count_text(len(ups), 'copy-up')}, {size_text(total)} copied up from the image's layers"
        return (f'<div class="ll-counter-text" style="font-size:13px;margin:6px 0 2px 0;padding:4px 8px;'
                f'background:{PURPLE_TINT};border-radius:4px;color:#222"><b>copy-on-write:</b> {esc(words)} · '
                f"read-write layer {esc(size_text(rw))} · {count_text(len(self._previous_diff), 'change')} in "
                "docker diff</div>")

    def _copyups_html(self) -> str:
        ups = self._container.rootfs.copy_ups
        if not ups:
            return ""
        last = set(id(u) for u in (self._last.copy_ups if self._last is not None else ()))
        rows = []
        for u in ups[-8:]:
            line = f"{u.path}  {size_text(u.size)}  ({u.reason})  ← {u.command}"
            rows.append(f"<b>{esc(line)}</b>" if id(u) in last else esc(line))
        more = len(ups) - 8
        if more > 0:
            rows.insert(0, esc(f"… {count_text(more, 'earlier copy-up')}"))
        return raw_pre("\n".join(rows), height="120px")

    def _diff_html(self) -> str:
        if not self._previous_diff:
            if len(self._container.rootfs.upper):
                return html_pre("(docker diff reports nothing, yet the read-write layer is not empty: it holds "
                                f"{count_text(len(self._container.rootfs.upper), 'entry')} that docker diff does "
                                "not report, such as a file copied up whose content and times did not change)",
                                height="300px", wrap=True)
            return html_pre("(no changes: the read-write layer is empty)", height="300px", wrap=True)
        fresh = set(self._last_changes)
        rows = []
        colours = {"A": GREEN, "C": "#8F6A00", "D": VERMILLION_TEXT}
        for line in self._previous_diff:
            style = f"color:{colours.get(line[0], '#222')}"
            if line in fresh:
                style += f";font-weight:700;background:{PURPLE_TINT}"
            rows.append(f'<span class="ll-diff-line" style="{style}">{esc(line)}</span>')
        return raw_pre("\n".join(rows), height="300px", wrap=True)

    def _tree_html(self) -> str:
        key = (self._upper_key, tuple(self._focus), tuple(self._changed_paths), self._volume_state())
        if self._tree_cache is not None and self._tree_cache[0] == key:
            return self._tree_cache[1]
        html = self._draw_tree()
        self._tree_cache = (key, html)
        return html

    def _volume_state(self) -> tuple:
        """What the volumes and bind mounts hold (their files, by identity): writes there skip docker diff."""
        host = self._container.host
        out = []
        for m in self._container.mounts:
            if not m.internal:
                files = tuple((p, e) for p, e in host.walk(m.host_path)) if host.lexists(m.host_path) else ()
                out.append((m.destination, files))
        return tuple(out)

    def _draw_tree(self) -> str:
        c = self._container
        blocks = []
        for top in self._focus[:2]:
            try:
                blocks.append(tree_around(c, top, self._changed_paths,
                                          keep=[line[2:] for line in self._previous_diff]))
            except LayerlabError as exc:
                blocks.append([(f"{top}: {exc}", False)])
        shown = {w for block in blocks for line, _ in block for w in ("rw", "init") if f"  {w}" in line}
        legend = {"rw": "rw    read-write layer (what the container wrote)",
                  "init": "init  init layer (mount points and empty placeholders)"}
        tail = [legend[k] for k in ("rw", "init") if k in shown] + ["L0…   image layers, base first"]
        if self._changed_paths:
            head = "highlighted: on the way to what the last command changed"
        elif self._last is not None and self._focus != ["/"]:
            head = "the last command changed no file: the tree stays where an earlier command wrote"
        else:
            head = "the container's top directory"
        return tree_html(blocks, before=[head], after=tail, height="300px")

    def _picture(self) -> bytes:
        from .. import graph

        c = self._container
        key = (self._upper_key, c.state, tuple(sorted((m.source, m.destination) for m in c.mounts)),
               self._volume_state())
        if key == self._picture_key:
            return bytes(self.image_view.value)
        data = png(graph.stack_picture(c, engine=self.engine))
        self._picture_key = key
        return data

    # -- text ----------------------------------------------------------------------------------------------------------
    def describe(self) -> str:
        vols = [f"volume {s} at {d}" for s, d in self.volume_mounts
                if not any(m.anonymous and m.source == s for m in self._container.mounts)]
        anon = sum(1 for m in self._container.mounts if m.type == "volume" and m.anonymous)
        if anon:
            vols.append(count_text(anon, "anonymous volume"))
        tail = (", " + ", ".join(vols)) if vols else ""
        return (f"ContainerPlayground: {count_text(len(self._history), 'command')} in a container of {self.image_ref}"
                f" - {count_text(len(self._diff_now()), 'change')}, {size_text(self.copied_bytes)} copied up{tail}")
