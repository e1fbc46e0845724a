"""Notebook widgets: build a Dockerfile step by step, play in a container, inspect layers, compare drivers.

    from layerlab.views.widgets import BuildStepper, ContainerPlayground, LayerInspector, DriverView

    s = BuildStepper(dockerfile, context=None, *, engine=None, profile="buildkit", tag=None, path=None, tree=True)
    s.step() -> Step | None; s.run_all() -> Image | None; s.back() -> Step | None; s.reset(); s.revert()
    s.text (get/set), s.context (get/set), s.build, s.steps, s.image, s.error, s.error_line, s.current_line,
    s.done, s.picture (PNG bytes), s.widget

    p = ContainerPlayground(image_or_ref_or_container_or_dockerfile, *, engine=None, volumes=None, name=None,
                            context=None)
    p.run(command) -> ExecRecord; p.history; p.container; p.copied_bytes; p.copy_ups; p.diff_lines
    p.commit(tag=None) -> Image; p.export() -> bytes; p.show_export() -> ExportSummary
    p.toggle_volume(name="vol1", path="/data") -> bool (mounted now?)

    i = LayerInspector(image_or_container_or_ref, *, engine=None, index=None)
    i.select(index_or_label); i.layer; i.index; i.label; i.labels; i.details

    d = DriverView(container_or_image, *, engine=None, driver=None, prefetch=True)
    d.show("overlay2" | "aufs" | "vfs"); d.driver; d.layout; d.layout_text; d.usage; d.refresh(); d.wait()

Each object shows itself in a notebook (its ipywidgets root is `.widget`) and has a short,
deterministic text/plain repr, the only part of a widget output nbval compares. Pictures are
PNGs in ipywidgets.Image views (never Output widgets). engine=None means the engine the
`%docker` magics use (`layerlab.magic.engine()`), so widgets and magics see the same images;
a container passed without an engine is looked up in the engines that hold it.

This package imports ipywidgets and matplotlib; nothing outside layerlab.views imports it.
"""

from __future__ import annotations

from .driverview import DriverView, Usage, usage, vfs_picture
from .inspector import LayerInspector
from .playground import ContainerPlayground, ExportSummary, export_summary
from .stepper import BuildStepper

__all__ = ["BuildStepper", "ContainerPlayground", "DriverView", "ExportSummary", "LayerInspector", "Usage",
           "export_summary", "usage", "vfs_picture"]
