"""Views of the model: text (tables, trees, stacks) and pictures (matplotlib, networkx).

This is the only package that imports matplotlib, networkx or ipywidgets, and it
imports them lazily: `import layerlab.views` and `layerlab.views.text` stay light;
the picture functions load their libraries on first use.

Text (text.py), each returns a str or a docker-style Table:
    layer_stack(image_or_container, base=None|"auto")   the stack, top first
    merged_tree(obj, top="/", depth=, match=, layer=, changes=, per_dir=, max_lines=)
    changeset_table(layer_or_image_or_container, index=None, lower=None, limit=None)
    history_table, diff_text, ps_table, images_table, system_df_table, mounts_table
Pictures (graph.py), each returns a matplotlib Figure (style.py holds the palette and sizes):
    stack_picture(image_or_container, engine=None, base="auto", every_step_a_layer=False, mounts=True)
    sharing_graph(engine)           driver_picture(obj, "overlay2" | "aufs")
    build_step_picture(build, step=None)                figure_png(fig) -> PNG bytes

>>> import layerlab.views as views
>>> callable(views.layer_stack) and callable(views.stack_picture)
True
"""

from __future__ import annotations

from .text import (changeset_table, diff_text, history_table, images_table, layer_stack, merged_tree,
                   mounts_table, ps_table, system_df_table)

_PICTURES = ("stack_picture", "sharing_graph", "driver_picture", "build_step_picture", "figure_png")

__all__ = ["changeset_table", "diff_text", "history_table", "images_table", "layer_stack", "merged_tree",
           "mounts_table", "ps_table", "system_df_table", *_PICTURES]


def __getattr__(name: str):
    if name in _PICTURES:
        from . import graph
        return getattr(graph, name)
    raise AttributeError(f"module 'layerlab.views' has no attribute {name!r}")
