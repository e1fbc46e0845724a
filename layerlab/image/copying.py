"""COPY and ADD: which source files land where, with which owner and mode (Docker's copy rules).

- A source directory copies its contents, not itself.
- A single source file goes to dest, or into dest when dest ends with '/' or is a directory.
- Several sources need a directory dest ending with '/'.
- Missing parents of dest are created; files are owned 0:0 unless --chown; modes and
  mtimes come from the source unless --chmod.
- ADD extracts a local tar (plain, gzip, bzip2, xz) into dest; a URL is not extracted.

>>> from layerlab.fs.union import merge
>>> from layerlab.fs.layer import Layer
>>> from layerlab.fs.worktree import WorkTree
>>> ctx = merge([Layer.from_spec({"/src/app.py": "print()", "/src/lib/util.py": "x = 1", "/run.sh": "echo"})])
>>> tree = WorkTree(merge([Layer.from_spec({"/app/": DIR})]))
>>> copy_into(tree, ctx, ["src"], "/app/", command="COPY src /app/")
['/app/app.py', '/app/lib', '/app/lib/util.py']
"""

from __future__ import annotations

import bz2
import fnmatch
import gzip
import lzma
import posixpath
from ..errors import BuildError, FilesystemError, LayerlabError
from ..fs import paths
from ..fs.content import Content, Inline
from ..fs.entries import Dir, Entry, File, HardLink, Symlink, is_dir
from ..fs.layer import Layer
from ..fs.snapshot import Snapshot


def owner(tree, spec: str | None) -> tuple[int, int] | None:
    """Resolve 'user[:group]' (names or ids) through the image's /etc/passwd and /etc/group.

    >>> from layerlab.fs.union import merge
    >>> from layerlab.fs.layer import Layer
    >>> snap = merge([Layer.from_spec({"/etc/passwd": "app:x:1000:1000::/home/app:/bin/sh\\n",
    ...                                "/etc/group": "app:x:1000:\\nstaff:x:50:\\n"})])
    >>> owner(snap, "app"), owner(snap, "app:staff"), owner(snap, "33:33")
    ((1000, 1000), (1000, 50), (33, 33))
    """
    if not spec:
        return None
    user, _, group = spec.partition(":")
    passwd = _table(tree, "/etc/passwd")
    groups = _table(tree, "/etc/group")
    if user.isdigit():
        uid = int(user)
        gid = next((int(f[3]) for f in passwd if len(f) > 3 and f[2] == user and f[3].isdigit()), uid)
    else:
        row = next((f for f in passwd if f and f[0] == user), None)
        if row is None or len(row) < 4:
            raise BuildError(f"unable to find user {user}: no matching entries in passwd file "
                             "(add the user in an earlier RUN, or use a numeric uid)")
        uid, gid = int(row[2]), int(row[3])
    if group:
        if group.isdigit():
            gid = int(group)
        else:
            row = next((f for f in groups if f and f[0] == group), None)
            if row is None or len(row) < 3:
                raise BuildError(f"unable to find group {group}: no matching entries in group file")
            gid = int(row[2])
    return uid, gid


def _table(tree, path: str) -> list[list[str]]:
    try:
        text = tree.read(path).decode("utf-8", "replace")
    except (FilesystemError, LayerlabError):
        return []
    return [line.split(":") for line in text.splitlines() if line and not line.startswith("#")]


def parse_chmod(value: str | None, profile: str) -> int | None:
    """An octal --chmod value (BuildKit only)."""
    if value is None:
        return None
    if profile != "buildkit":
        raise BuildError("the --chmod option requires BuildKit: the classic builder does not support it")
    try:
        mode = int(value, 8)
    except ValueError:
        mode = -1
    if not 0 <= mode <= 0o7777:
        raise BuildError(f"invalid chmod parameter: '{value}'. it should be octal string and between 0 and 07777")
    return mode


# -- finding the sources ---------------------------------------------------------------------------
def match_sources(context: Snapshot, source: str, *, ignored: tuple[str, ...] = ()) -> list[str]:
    """The context paths a COPY source names (wildcards allowed; '..' stays inside the context)."""
    pattern = paths.normalize("/" + source)
    if not any(ch in pattern for ch in "*?["):
        if context.get(pattern) is None and not context.lexists(pattern):
            return []
        return [pattern]
    parts = pattern.strip("/").split("/")
    found = ["/"]
    for part in parts:
        nxt = []
        for base in found:
            entry = context.get(base)
            if not isinstance(entry, Dir):
                continue
            for name in context.listdir(base):
                if fnmatch.fnmatchcase(name, part):
                    nxt.append(paths.join(base, name))
        found = nxt
    return sorted(found, key=paths.sort_key)


def missing_source_error(profile: str, source: str, ignored: tuple[str, ...]) -> BuildError:
    """The error each builder gives for a COPY source that is not in the context."""
    was_ignored = any(i == source.strip("/") or i.startswith(source.strip("/") + "/") for i in ignored)
    why = " (it is excluded by .dockerignore)" if was_ignored else ""
    if profile == "buildkit":
        return BuildError(f'failed to compute cache key: failed to calculate checksum of ref: "/{source.strip("/")}": '
                          f"not found{why}")
    return BuildError(f"COPY failed: file not found in build context or excluded by .dockerignore: "
                      f"stat {source.strip('/')}: file does not exist{why}")


# -- copying ------------------------------------------------------------------------------------------
def copy_into(tree, source_tree, sources: list[str], dest: str, *, command: str = "", chown: tuple | None = None,
              chmod: int | None = None, add: bool = False, profile: str = "buildkit",
              ignored: tuple[str, ...] = (), urls: dict | None = None) -> list[str]:
    """Apply one COPY/ADD to a WorkTree; return the destination paths written, sorted."""
    tree.command = command
    dest_is_dir_syntax = dest.endswith("/") or dest.endswith("/.") or dest in (".", "")
    dest = paths.normalize(dest)
    resolved: list[tuple[str, str]] = []  # (kind, source path or url)
    for source in sources:
        if add and source.startswith(("http://", "https://")):
            resolved.append(("url", source))
            continue
        matches = match_sources(source_tree, source, ignored=ignored)
        if not matches:
            raise missing_source_error(profile, source, ignored)
        resolved.extend(("path", m) for m in matches)
    many = len(resolved) > 1 or any(k == "path" and is_dir(source_tree.get(p)) for k, p in resolved)
    if len(resolved) > 1 and not dest_is_dir_syntax and not tree.is_dir(dest):
        raise BuildError(f"When using {'ADD' if add else 'COPY'} with more than one source file, the "
                         "destination must be a directory and end with a /")
    written: list[str] = []
    into_dir = dest_is_dir_syntax or many or tree.is_dir(dest)
    if into_dir:
        _mkdirs(tree, dest, chown)
    links: dict[str, str] = {}          # hard-linked source inode (its primary path) -> first copy made
    dir_times: list[tuple[str, int]] = []
    for kind, src in resolved:
        if kind == "url":
            written += _add_url(tree, src, dest, into_dir, chown, chmod, urls or {})
            continue
        entry = source_tree.get(src) or source_tree.entry(src)
        if isinstance(entry, Symlink):  # a symlink named as a source is followed
            real = source_tree.resolve(src)
            entry = source_tree.get(real)
            if entry is None:
                raise missing_source_error(profile, src, ignored)
            src_for_walk = real
        else:
            src_for_walk = src
        if isinstance(entry, Dir):
            for path, child in source_tree.walk(src_for_walk):
                target = paths.join(dest, _relative(path, src_for_walk))
                written.append(_put(tree, target, child, source_tree, path, chown, chmod, links))
                if isinstance(child, Dir):
                    dir_times.append((target, child.mtime))
        elif add and isinstance(entry, File) and _archive(entry.content) is not None:
            written += _extract(tree, _archive(entry.content), dest, chown)
        else:
            target = paths.join(dest, paths.basename(src)) if into_dir else dest
            if not into_dir:
                _mkdirs(tree, paths.parent(target), None)
            written.append(_put(tree, target, entry, source_tree, src, chown, chmod, links))
    _restore_dir_times(tree, dir_times)
    return sorted(set(written), key=paths.sort_key)


def _relative(path: str, top: str) -> str:
    """path below top, without a leading '/' (top may be the root itself, as in `COPY . /dest`).

    >>> _relative("/src/lib/a.py", "/src"), _relative("/notes.txt", "/")
    ('lib/a.py', 'notes.txt')
    """
    return path[len(top):].lstrip("/") if top != "/" else path.lstrip("/")


def _restore_dir_times(tree, dir_times: list[tuple[str, int]]) -> None:
    """Give copied directories their source mtime once their children are written.

    Writing a child bumps its directory's mtime, so the copiers set directory
    times last: BuildKit's copier calls copyFileInfo after copyDirectory
    (tonistiigi/fsutil copy/copy.go), and Docker's tar extraction sets directory
    times after the whole archive (go-archive archive.go, Untar).
    """
    for target, mtime in reversed(dir_times):
        tree.utime(target, mtime)


def _mkdirs(tree, directory: str, chown) -> None:
    if tree.is_dir(directory):
        return
    uid, gid = chown or (0, 0)
    for anc in reversed([directory] + paths.ancestors(directory)):
        if anc == "/" or tree.is_dir(anc):
            continue
        if tree.lexists(anc):
            raise BuildError(f"cannot copy to {directory}: {anc} exists in the image and is not a directory")
        own = (uid, gid) if anc == directory else (0, 0)
        tree.mkdir(anc, 0o755, uid=own[0], gid=own[1])
        tree.chmod(anc, 0o755)


def _put(tree, target: str, entry: Entry, source_tree: Snapshot, source_path: str, chown, chmod,
         links: dict[str, str] | None = None) -> str:
    """Copy one source entry to target, keeping its mode and mtime (symlinks included).

    Names of one hard-linked inode copied by the same COPY stay linked, as both
    Docker copiers do: BuildKit's copier looks each inode up in its `inodes`
    map and calls os.Link (tonistiigi/fsutil copy/copy.go, getLinkSource), and
    the classic builder copies through a tar that records the second name as
    a hard link (go-archive archive.go, addTarFile).
    """
    uid, gid = chown or (0, 0)
    existing = tree.lexists(target)
    if existing:
        current = tree.entry(target)
        if is_dir(current) and is_dir(entry):
            tree.chown(target, uid, gid)
            tree.chmod(target, chmod if chmod is not None else entry.mode)
            tree.utime(target, entry.mtime)
            return target
        tree.rmtree(target)
    if is_dir(entry):
        tree.mkdir(target, 0o755, uid=uid, gid=gid)
    elif isinstance(entry, Symlink):
        tree.symlink(entry.target, target, uid=uid, gid=gid)
        # lutimes: a copied symlink keeps its own mtime (go-archive createTarFile, fsutil copyFileInfo)
        tree.utime(target, int(entry.mtime), follow_symlinks=False)
        return target
    else:
        inode = None
        if links is not None and source_tree is not None:
            if isinstance(entry, HardLink):
                inode = entry.target
            elif isinstance(entry, File) and source_tree.links_to(source_path):
                inode = source_path
        if inode is not None and inode in links:
            tree.link(links[inode], target)
            return target
        if isinstance(entry, HardLink):
            entry = source_tree.file(source_path)
        tree.write(target, entry.content, uid=uid, gid=gid)
        if inode is not None:
            links[inode] = target
    tree.chmod(target, chmod if chmod is not None else entry.mode)
    tree.utime(target, entry.mtime)
    return target


def _archive(content: Content) -> bytes | None:
    """The decompressed bytes of a tar (plain, gzip, bzip2 or xz), or None when it is not one."""
    head = content.read(262)
    try:
        if head[:2] == b"\x1f\x8b":
            data = gzip.decompress(content.read())
        elif head[:3] == b"BZh":
            data = bz2.decompress(content.read())
        elif head[:6] == b"\xfd7zXZ\x00":
            data = lzma.decompress(content.read())
        else:
            data = None
    except (OSError, EOFError, lzma.LZMAError, ValueError):
        return None
    if data is None:
        data = content.read() if head[257:262] == b"ustar" else None
    elif data[257:262] != b"ustar":
        return None
    return data


def _extract(tree, data: bytes, dest: str, chown) -> list[str]:
    """ADD's auto-extraction: the archive's entries land under dest with their own owners and modes."""
    try:
        layer = Layer.from_tar(data)
    except LayerlabError as exc:
        raise BuildError(f"ADD could not extract the archive: {exc}") from None
    _mkdirs(tree, dest, chown)
    written = []
    dir_times = []
    for path, entry in layer.entries.items():
        if entry.kind in ("whiteout",):
            continue
        target = paths.join(dest, path.lstrip("/")) if path != "/" else dest
        if target == dest:
            continue
        _mkdirs(tree, paths.parent(target), None)
        if isinstance(entry, HardLink):
            tree.link(paths.join(dest, entry.target.lstrip("/")), target)
            written.append(target)
            continue
        written.append(_put(tree, target, entry, tree, target, chown or (entry.uid, entry.gid), None))
        if is_dir(entry):
            dir_times.append((target, entry.mtime))
    _restore_dir_times(tree, dir_times)
    return written


def _add_url(tree, url: str, dest: str, into_dir: bool, chown, chmod, urls: dict) -> list[str]:
    if url not in urls:
        raise BuildError(f"ADD {url}: the simulator has no network, so it cannot download files. Put the "
                         f"content in the build context under the URL as key, e.g. context={{'{url}': b'...'}}")
    name = posixpath.basename(url.split("?", 1)[0].rstrip("/")) or "__unnamed__"
    target = paths.join(dest, name) if into_dir else dest
    if not into_dir:
        _mkdirs(tree, paths.parent(target), None)
    entry = File(Inline(urls[url]), mode=0o600)
    return [_put(tree, target, entry, None, target, chown, chmod)]


from ..fs.entries import DIR  # noqa: E402  (doctest name)
