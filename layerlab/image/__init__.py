"""Images: the model (Image, ImageConfig, HistoryEntry), Dockerfiles, the builder and base images."""

from .model import SCRATCH, HistoryEntry, Image, ImageConfig

__all__ = ["SCRATCH", "HistoryEntry", "Image", "ImageConfig"]
