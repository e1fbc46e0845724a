"""Flat filesystem tars (`docker export`): one layer, no config, no history.

Loading one gives what `docker import` gives: an image of a single layer whose
history and original layers are gone. ExportedImage marks it, so a notebook
can say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..image.model import Image
from .archive import DirSource
from .blobs import load_layer
from .spool import DEFAULT_MAX_BYTES, Cache


@dataclass(frozen=True)
class ExportedImage(Image):
    """An image made from a flat export tar: one layer, no history (like `docker import`)."""

    source: str = ""

    @property
    def is_export(self) -> bool:
        return True


def is_export(image: Image) -> bool:
    """True when an image came from a flat export, so its history and layer structure are gone.

    >>> is_export(Image()), is_export(ExportedImage())
    (False, True)
    """
    return isinstance(image, ExportedImage)


def read_export(path: str, *, cache: Cache, max_bytes: int = DEFAULT_MAX_BYTES) -> ExportedImage:
    """The single-layer image a flat filesystem tar stands for (gzip-compressed tars are accepted)."""
    import os
    folder, name = os.path.split(os.path.realpath(path))
    layer = load_layer(DirSource(folder), name, cache=cache, max_bytes=max_bytes)
    return ExportedImage(layers=(layer,), history=(), source=name)
