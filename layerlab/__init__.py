"""layerlab: container image layers, whiteouts and copy-on-write, simulated faithfully.

>>> import layerlab as ll
>>> base = ll.Layer.from_spec({"/etc/motd": "hi\\n"})
>>> ll.merge([base, ll.Layer.from_spec({"/etc/motd": ll.WHITEOUT})]).exists("/etc/motd")
False
"""

from .errors import (BuildError, ConflictError, DigestMismatchError, DockerfileError, FilesystemError,
                     FormatError, LayerError, LayerlabError, LimitExceededError, NotFoundError, PathError,
                     ShellError, SymlinkLoopError, UnsafeArchiveError)
from .fs.content import BlobSlice, Content, Inline, Synthetic
from .fs.entries import DIR, OPAQUE, WHITEOUT, Device, Dir, File, HardLink, Opaque, Symlink, Whiteout
from .fs.layer import Layer
from .fs.snapshot import Shadowed, Snapshot, Stat
from .fs.tarcodec import EMPTY_LAYER_DIFF_ID, chain_id, member_names, sha256_digest
from .fs.union import diff, merge
from .image.dockerfile import parse_dockerfile
from .image.model import SCRATCH, HistoryEntry, Image, ImageConfig
from .runtime.container import Container
from .runtime.mounts import Mount
from .engine import Engine


def load_image(path, **options) -> Image:
    """Open a docker-save tarball, an OCI layout (directory or tar) or an exported filesystem tar as an Image."""
    from .formats import load_image as _load

    return _load(path, **options)


from .analysis import (container_notions, dive_efficiency, efficiency, inspect_image, largest_files,
                       layer_notions, layer_rows, layer_sharing, three_notions, wasted_bytes, wasted_files)


def load_ipython_extension(ipython) -> None:
    """`%load_ext layerlab`: the %docker and %%dockerfile magics (see layerlab.magic)."""
    from .magic import load_ipython_extension as _load

    _load(ipython)


def unload_ipython_extension(ipython) -> None:
    """`%unload_ext layerlab`."""
    from .magic import unload_ipython_extension as _unload

    _unload(ipython)


__version__ = "0.1.0"

__all__ = [
    "BlobSlice", "BuildError", "Container", "Engine", "HistoryEntry", "Image", "ImageConfig", "Mount", "SCRATCH",
    "load_image", "parse_dockerfile", "ConflictError", "Content", "DIR", "Device", "DigestMismatchError", "Dir",
    "DockerfileError", "EMPTY_LAYER_DIFF_ID", "File", "FilesystemError", "FormatError", "HardLink",
    "Inline", "Layer", "LayerError", "LayerlabError", "LimitExceededError", "NotFoundError", "OPAQUE",
    "Opaque", "PathError", "Shadowed", "ShellError", "Snapshot", "Stat", "Symlink", "SymlinkLoopError",
    "Synthetic", "UnsafeArchiveError", "WHITEOUT", "Whiteout", "chain_id", "diff", "member_names",
    "merge", "sha256_digest",
    "container_notions", "dive_efficiency", "efficiency", "inspect_image", "largest_files", "layer_notions",
    "layer_rows", "layer_sharing", "three_notions", "wasted_bytes", "wasted_files",
    "load_ipython_extension", "unload_ipython_extension",
]
