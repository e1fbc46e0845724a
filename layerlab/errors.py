"""Every error layerlab raises on bad input: each says which rule was broken and what to do."""

from __future__ import annotations


class LayerlabError(Exception):
    """The base of every error layerlab raises on bad input.

    >>> str(LayerlabError("boom"))
    'boom'
    """


class PathError(LayerlabError, ValueError):
    """A path that is not an absolute, NUL-free POSIX path inside the root."""


class LayerError(LayerlabError, ValueError):
    """A changeset that breaks a rule of the image-spec layer format."""


class UnsafeArchiveError(LayerError):
    """A tar member that would land outside the root (absolute, '..', link escaping)."""


class SymlinkLoopError(LayerlabError, OSError):
    """Too many levels of symbolic links (ELOOP) while resolving a path."""


class FilesystemError(LayerlabError, OSError):
    """A file operation the filesystem refuses (ENOENT, ENOTDIR, EISDIR, EEXIST, ENOTEMPTY)."""

    def __init__(self, message: str, path: str = "", code: str = ""):
        Exception.__init__(self, message)
        self.path = path
        self.code = code

    def __str__(self) -> str:
        return self.args[0] if self.args else ""


class DockerfileError(LayerlabError):
    """A Dockerfile that does not parse; the message reads like BuildKit's."""


class BuildError(LayerlabError):
    """A build step that failed: the message names the Dockerfile line."""


class ShellError(LayerlabError):
    """A command line the simulated shell cannot parse or run."""


class NotFoundError(LayerlabError, LookupError):
    """No such image, container, volume or reference."""


class ConflictError(LayerlabError):
    """The engine refuses an operation that would break another object (docker's 409)."""


class FormatError(LayerlabError, ValueError):
    """An image archive or layout that is not what it claims to be."""


class DigestMismatchError(FormatError):
    """A blob whose bytes do not hash to the digest that names it."""


class LimitExceededError(FormatError):
    """An archive that expands past a configured limit (a decompression bomb)."""
