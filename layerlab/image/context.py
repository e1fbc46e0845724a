"""The build context: the files `docker build` sends to the builder, as a tree, minus .dockerignore.

A context is a dict of {relative path: text, bytes or entry} or a directory on
disk. In a dict, text starting with '#!' is a script and gets mode 0755, as if
you had run chmod +x on it; give a File entry for any other mode. Keys that are URLs stand for what `ADD <url>` would download (the
simulator has no network).

>>> ctx = BuildContext.of({"run.sh": "#!/bin/sh\\necho hi\\n", "logs/x.log": "", ".dockerignore": "*.log\\n**/*.log"})
>>> ctx.tree.listdir("/"), ctx.ignored
(['.dockerignore', 'run.sh'], ('logs/x.log',))
"""

from __future__ import annotations

import os
import stat as statmod
from dataclasses import dataclass, field
from typing import Mapping

from ..errors import BuildError
from ..fs import paths
from ..fs.content import BlobSlice, Inline, as_content
from ..fs.entries import Dir, Entry, File, Symlink
from ..fs.layer import Layer
from ..fs.snapshot import Snapshot
from ..fs.union import merge
from .dockerignore import DockerIgnore, read_dockerignore

CONTEXT_MTIME = 1_767_225_600  # 2026-01-01T00:00:00Z: files given as a dict get this mtime
INLINE_LIMIT = 1 << 20


def _is_url(key: str) -> bool:
    return key.startswith(("http://", "https://"))


@dataclass(frozen=True)
class BuildContext:
    """The files a build can COPY or ADD, rooted at '/', and the URLs it can ADD."""

    tree: Snapshot
    urls: Mapping[str, bytes] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()
    dockerignore: DockerIgnore | None = None
    source: str = "dict"

    @classmethod
    def of(cls, context: "Mapping | str | os.PathLike | BuildContext | None") -> "BuildContext":
        """Make a context from a dict, a directory path, or None (an empty context)."""
        if isinstance(context, BuildContext):
            return context
        if context is None:
            return cls(merge([]))
        if isinstance(context, Mapping):
            return _from_mapping(context)
        if isinstance(context, (str, os.PathLike)):
            return _from_directory(os.fspath(context))
        raise BuildError(f"the build context must be a dict of files or a directory path, not "
                         f"{type(context).__name__}")

    def read_text(self, name: str) -> str | None:
        """The text of a file at the context root (for example the Dockerfile), or None."""
        path = "/" + name.lstrip("/")
        if self.tree.get(path) is None:
            return None
        return self.tree.read(path).decode("utf-8", "replace")

    @property
    def size(self) -> int:
        """Bytes of file content sent to the builder."""
        return self.tree.size


def _ignore_of(files: dict[str, Entry]) -> DockerIgnore | None:
    entry = files.get("/.dockerignore")
    if not isinstance(entry, File):
        return None
    return DockerIgnore(read_dockerignore(entry.content.read().decode("utf-8", "replace")))


def _filtered(files: dict[str, Entry], source: str, urls: dict) -> BuildContext:
    ignore = _ignore_of(files)
    kept, ignored = {}, []
    for path, entry in files.items():
        rel = path.lstrip("/")
        if ignore is not None and rel not in ("Dockerfile", ".dockerignore") and ignore.matches(rel):
            if not isinstance(entry, Dir):
                ignored.append(rel)
            continue
        kept[path] = entry
    tree = merge([Layer(kept.items())])
    return BuildContext(tree, urls, tuple(sorted(ignored)), ignore, source)


def _from_mapping(context: Mapping) -> BuildContext:
    files: dict[str, Entry] = {}
    urls: dict[str, bytes] = {}
    for key, value in context.items():
        if not isinstance(key, str):
            raise BuildError(f"build context key {key!r} is not a path: use names like 'run.sh' or 'src/app.py'")
        if _is_url(key):
            urls[key] = as_content(value).read() if not isinstance(value, File) else value.content.read()
            continue
        is_dir = key.endswith("/")
        path = paths.normalize("/" + key.strip("/")) if key.strip("/") else "/"
        if path == "/":
            continue
        if isinstance(value, (Dir, File, Symlink)):
            entry = value
        elif is_dir:
            entry = Dir(mtime=CONTEXT_MTIME)
        else:
            content = as_content(value)
            executable = content.read(2) == b"#!"  # scripts behave as if you had run chmod +x on them
            entry = File(content, mode=0o755 if executable else 0o644, mtime=CONTEXT_MTIME)
        files[path] = entry
    return _filtered(files, "dict", urls)


def _from_directory(root: str) -> BuildContext:
    if not os.path.isdir(root):
        raise BuildError(f"build context {os.path.basename(root) or root!r} is not a directory: give the folder "
                         "that holds your Dockerfile and files")
    files: dict[str, Entry] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, root)
        base = "/" if rel_dir == "." else "/" + rel_dir.replace(os.sep, "/")
        for name in dirnames + sorted(filenames):
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            meta = dict(mode=st.st_mode & 0o7777, mtime=int(st.st_mtime))
            path = paths.join(base, name)
            if statmod.S_ISDIR(st.st_mode):
                files[path] = Dir(**meta)
            elif statmod.S_ISLNK(st.st_mode):
                files[path] = Symlink(os.readlink(full), **meta)
            elif statmod.S_ISREG(st.st_mode):
                if st.st_size <= INLINE_LIMIT:
                    with open(full, "rb") as f:
                        content = Inline(f.read())
                else:
                    content = BlobSlice(full, 0, st.st_size)
                files[path] = File(content, **meta)
    return _filtered(files, root, {})
