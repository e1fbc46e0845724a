"""Storage drivers: the same image or container as overlay2, aufs and vfs lay it out under /var/lib/docker.

Everything here is computed from the model (layers, the init layer, the
container's read-write layer), never stored: a layout is a frozen picture.

- overlay2 (moby `daemon/graphdriver/overlay2/overlay.go`): one directory per
  layer, `<cache-id>/{diff/,link,lower,work/,committed}`, a short link name in
  `l/` for each; a deleted path is a character device 0/0 in `diff/`, an opaque
  directory carries the xattr `trusted.overlay.opaque=y`; a container is
  mounted with `index=off,lowerdir=...,upperdir=...,workdir=...` on `merged/`.
- aufs (moby `daemon/graphdriver/aufs/aufs.go`, removed in Docker 24):
  `diff/<id>/` per layer with `.wh.<name>` files and `.wh..wh..opq`,
  `layers/<id>` listing the parents, `mnt/<id>/`; a branch mounted read-write
  holds aufs's own `.wh..wh.aufs`, `.wh..wh.orph/` and `.wh..wh.plnk/`.
- vfs (moby `daemon/graphdriver/vfs/driver.go`): `dir/<id>/` is a FULL copy of
  the merged tree for every layer: no union filesystem, no whiteouts, and the
  disk bill that shows why union filesystems exist.

>>> from layerlab.fs.layer import Layer
>>> from layerlab.fs.entries import WHITEOUT, OPAQUE
>>> layer = Layer.from_spec({"/etc/motd": WHITEOUT, "/srv/": OPAQUE, "/srv/new": "x"})
>>> [(e.path, e.ls_mode, e.marking) for e in diff_entries(layer.entries, "overlay2")]
[('etc', 'drwxr-xr-x', ''), ('etc/motd', 'c---------', 'whiteout'), ('srv', 'drwxr-xr-x', 'opaque'), ('srv/new', '-rw-r--r--', '')]
>>> [(e.path, e.marking) for e in diff_entries(layer.entries, "aufs")]
[('etc', ''), ('etc/.wh.motd', 'whiteout'), ('srv', ''), ('srv/.wh..wh..opq', 'opaque'), ('srv/new', '')]
"""

from __future__ import annotations

import base64
import hashlib
import re
import stat as _stat
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from ..errors import LayerlabError
from ..fs import paths
from ..fs.content import Content
from ..fs.entries import Device, Dir, Entry, File, HardLink, Opaque, Symlink, Whiteout
from ..fs.snapshot import Snapshot

DOCKER_ROOT = "/var/lib/docker"
DRIVERS = ("overlay2", "aufs", "vfs")

OPAQUE_XATTR = ("trusted.overlay.opaque", b"y")
"""The xattr overlayfs reads to treat a directory in upperdir as opaque (Linux overlayfs.rst)."""

AUFS_WH_PREFIX = ".wh."
AUFS_OPAQUE = ".wh..wh..opq"
AUFS_BASE = ".wh..wh.aufs"        # every whiteout in a read-write branch is a hard link to it
AUFS_ORPH = ".wh..wh.orph"        # orphaned files of a read-write branch
AUFS_PLNK = ".wh..wh.plnk"        # pseudo-links: keeps hard links of lower files across copy-up
AUFS_WH_MODE = 0o444              # aufs WH_MASK (fs/aufs/whout.c)
AUFS_META_DIR_MODE = 0o700        # au_whdir: S_IRWXU

OVERLAY_MOUNT_PREFIX = "index=off,"
"""Docker adds index=off when the kernel has /sys/module/overlay/parameters/index (every kernel since 4.13)."""

AUFS_MOUNT_SUFFIX = ",dio,xino=/dev/shm/aufs.xino,dirperm1"
"""The options moby's aufsMount appends to the branch list (dirperm1 where aufs supports it)."""


# -- identities ----------------------------------------------------------------------------------------
def cache_id(key: str) -> str:
    """A layer's directory name under the driver root: 64 hex digits, as Docker's random cache-ids are.

    Docker draws them at random; layerlab derives them from the layer's ChainID
    (or the container id) so the same model always has the same picture.

    >>> len(cache_id("sha256:abc")), cache_id("sha256:abc") == cache_id("sha256:abc")
    (64, True)
    """
    return hashlib.sha256(("cache-id:" + key).encode()).hexdigest()


def link_id(cache: str) -> str:
    """The 26-character name overlay2 gives a layer in `l/` (base32, like overlayutils.GenerateID).

    >>> link = link_id(cache_id("sha256:abc"))
    >>> len(link), link.isupper() or link.isdigit()
    (26, True)
    """
    digest = hashlib.sha256(("link:" + cache).encode()).digest()
    return base64.b32encode(digest).decode()[:26]


# -- what is on disk -----------------------------------------------------------------------------------
def ls_mode(kind: str, mode: int) -> str:
    """The `ls -l` mode string of an entry.

    >>> ls_mode("char", 0), ls_mode("dir", 0o1777), ls_mode("file", 0o4755)
    ('c---------', 'drwxrwxrwt', '-rwsr-xr-x')
    """
    ifmt = {"dir": _stat.S_IFDIR, "file": _stat.S_IFREG, "symlink": _stat.S_IFLNK, "char": _stat.S_IFCHR,
            "block": _stat.S_IFBLK, "fifo": _stat.S_IFIFO}[kind]
    return _stat.filemode(ifmt | mode)


@dataclass(frozen=True)
class DiskEntry:
    """One entry inside a driver directory, in the driver's own on-disk form.

    path is relative to the directory (`etc/.wh.motd`); kind is the on-disk
    type (dir, file, symlink, char, block, fifo); marking says what a marker
    means to the driver (whiteout, opaque, aufs metadata) and stands_for names
    the container path it acts on.
    """

    path: str
    kind: str
    mode: int
    size: int = 0
    uid: int = 0
    gid: int = 0
    mtime: int = 0
    target: str = ""
    rdev: tuple[int, int] | None = None
    xattrs: tuple[tuple[str, bytes], ...] = ()
    link: str = ""
    marking: str = ""
    stands_for: str = ""
    content: Content | None = field(default=None, compare=False, repr=False)

    @property
    def ls_mode(self) -> str:
        return ls_mode(self.kind, self.mode)

    @property
    def sha256(self) -> str:
        """The hex sha256 of a regular file's bytes ('' for anything else)."""
        return self.content.sha256 if self.content is not None else ""

    @property
    def bytes_on_disk(self) -> int:
        """Apparent bytes this name adds (a hard link's second name adds none)."""
        if self.link or self.kind not in ("file", "symlink"):
            return 0
        return self.size

    def describe(self) -> str:
        """One line of a listing: mode, size (or major,minor), name, and what a marker means."""
        size = f"{self.rdev[0]},{self.rdev[1]}" if self.rdev is not None else str(self.size)
        name = self.path + ("/" if self.kind == "dir" else "")
        if self.kind == "symlink":
            name += " -> " + self.target
        if self.link:
            name += " (hard link to " + self.link + ")"
        note = ""
        if self.marking == "whiteout":
            note = f"whiteout: deletes {self.stands_for}"
        elif self.marking == "opaque":
            how = "trusted.overlay.opaque=y" if self.kind == "dir" else "opaque marker"
            note = f"opaque ({how}): hides the lower content of {self.stands_for}"
        elif self.marking:
            note = self.marking
        line = f"{self.ls_mode} {size:>9} {name}"
        return f"{line}    {note}" if note else line


@dataclass(frozen=True)
class DiskDir:
    """A directory a driver keeps: its host path, its role, which layer it holds and what is inside.

    role is in the driver's vocabulary: overlay2 `lowerdir`, `upperdir`,
    `workdir`, `merged`, `diff` (a layer no container mounts), `links`; aufs
    `ro+wh` and `rw` branches, `mnt`, `diff`; vfs `dir`.
    """

    path: str
    role: str
    layer: str = ""
    created_by: str = ""
    mode: int = 0o755
    entries: tuple[DiskEntry, ...] = ()

    @property
    def size(self) -> int:
        """Apparent bytes of file content and symlink targets inside, each inode once."""
        return sum(e.bytes_on_disk for e in self.entries)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def entry(self, path: str) -> DiskEntry:
        """The entry at a path relative to this directory."""
        rel = path.strip("/")
        for e in self.entries:
            if e.path == rel:
                return e
        raise LayerlabError(f"{self.path} has no entry {rel!r}: its entries are "
                            f"{', '.join(e.path for e in self.entries[:8]) or 'none'}"
                            f"{' ...' if len(self.entries) > 8 else ''}")

    def has(self, path: str) -> bool:
        rel = path.strip("/")
        return any(e.path == rel for e in self.entries)

    @property
    def whiteouts(self) -> tuple[DiskEntry, ...]:
        return tuple(e for e in self.entries if e.marking == "whiteout")

    @property
    def opaques(self) -> tuple[DiskEntry, ...]:
        return tuple(e for e in self.entries if e.marking == "opaque")


@dataclass(frozen=True)
class DiskFile:
    """A small metadata file a driver writes (overlay2 `link`, `lower`, `committed`; aufs `layers/<id>`)."""

    path: str
    text: str
    mode: int = 0o644
    role: str = ""


@dataclass(frozen=True)
class DriverLayout:
    """An image, a container or a whole engine as one storage driver keeps it on disk."""

    driver: str
    subject: str
    root: str
    dirs: tuple[DiskDir, ...]
    files: tuple[DiskFile, ...] = ()
    mount_options: str | None = None
    graph_driver: dict | None = None

    def with_role(self, role: str) -> tuple[DiskDir, ...]:
        """Every directory with a role, in stack order (the lowest layer first)."""
        return tuple(d for d in self.dirs if d.role == role)

    def dir(self, role: str) -> DiskDir:
        """The one directory with a role (upperdir, workdir, merged, rw ...)."""
        found = self.with_role(role)
        if len(found) != 1:
            have = sorted({d.role for d in self.dirs})
            raise LayerlabError(f"the {self.driver} layout of {self.subject} has {len(found)} directories with "
                                f"role {role!r}, not one: use with_role({role!r}) or one of {', '.join(have)}")
        return found[0]

    def at(self, path: str) -> DiskDir:
        """The directory at a host path."""
        for d in self.dirs:
            if d.path == path:
                return d
        raise LayerlabError(f"no directory {path} in the {self.driver} layout of {self.subject}")

    def file(self, path: str) -> DiskFile:
        """The metadata file at a host path."""
        for f in self.files:
            if f.path == path:
                return f
        raise LayerlabError(f"no file {path} in the {self.driver} layout of {self.subject}: the files are "
                            + ", ".join(f.path for f in self.files))

    @property
    def size(self) -> int:
        """Apparent bytes of content in every directory the driver stores (mounts not counted)."""
        return sum(d.size for d in self.dirs if d.role not in ("merged", "mnt"))

    def render(self, max_entries: int = 6) -> str:
        """A short, deterministic `tree`-like text of the layout; markers are always listed."""
        return render(self, max_entries=max_entries)

    def __str__(self) -> str:
        return self.render()


# -- layer content in each driver's on-disk form ------------------------------------------------------
def _plain(rel: str, entry: Entry, lookup: Callable[[str], Entry | None]) -> DiskEntry:
    meta = dict(uid=entry.uid, gid=entry.gid, mtime=entry.mtime, xattrs=tuple(entry.xattrs))
    if isinstance(entry, Dir):
        return DiskEntry(rel, "dir", entry.mode, **meta)
    if isinstance(entry, File):
        return DiskEntry(rel, "file", entry.mode, entry.size, content=entry.content, **meta)
    if isinstance(entry, Symlink):
        return DiskEntry(rel, "symlink", 0o777, entry.size, target=entry.target, **meta)
    if isinstance(entry, HardLink):
        target = lookup(entry.target)
        if isinstance(target, HardLink):
            target = lookup(target.target)
        size = target.size if isinstance(target, File) else 0
        content = target.content if isinstance(target, File) else None
        return DiskEntry(rel, "file", entry.mode, size, link=entry.target.lstrip("/"), content=content, **meta)
    if isinstance(entry, Device):
        rdev = (entry.major, entry.minor) if entry.devtype != "fifo" else None
        return DiskEntry(rel, entry.devtype, entry.mode, rdev=rdev, **meta)
    raise LayerlabError(f"/{rel}: a {entry.kind} has no plain on-disk form (whiteouts and opaque markers are "
                        "written by diff_entries)")


def diff_entries(entries: Mapping[str, Entry], driver: str, *, rw_branch: bool = False,
                 lookup: Callable[[str], Entry | None] | None = None) -> tuple[DiskEntry, ...]:
    """A changeset (layer entries or an upperdir) as the driver writes it in a layer's diff directory.

    overlay2: a whiteout is a character device 0/0, an opaque directory has
    `trusted.overlay.opaque=y`. aufs: a whiteout is an empty `.wh.<name>`
    file and an opaque directory holds `.wh..wh..opq`; a read-write branch
    (rw_branch) also holds aufs's metadata, and its whiteouts are hard links
    to `.wh..wh.aufs` with mode 0444.
    """
    if driver not in ("overlay2", "aufs"):
        raise LayerlabError(f"diff_entries is for the union drivers overlay2 and aufs, not {driver!r}: vfs keeps "
                            "full copies (use snapshot_entries)")

    def find(path: str) -> Entry | None:
        found = entries.get(path)
        return found if found is not None or lookup is None else lookup(path)

    out: list[DiskEntry] = []
    for path, entry in entries.items():
        if path == "/":
            continue
        rel = path.lstrip("/")
        meta = dict(uid=entry.uid, gid=entry.gid, mtime=entry.mtime)
        if isinstance(entry, Whiteout):
            if driver == "overlay2":
                out.append(DiskEntry(rel, "char", 0, rdev=(0, 0), marking="whiteout", stands_for=path, **meta))
            else:
                parent, name = paths.split(path)
                wh = paths.join(parent, AUFS_WH_PREFIX + name).lstrip("/")
                mode = AUFS_WH_MODE if rw_branch else entry.mode
                out.append(DiskEntry(wh, "file", mode, link=AUFS_BASE if rw_branch else "", marking="whiteout",
                                     stands_for=path, **meta))
        elif isinstance(entry, Opaque):
            if driver == "overlay2":
                xattrs = tuple(x for x in entry.xattrs if x[0] != OPAQUE_XATTR[0]) + (OPAQUE_XATTR,)
                out.append(DiskEntry(rel, "dir", entry.mode, xattrs=xattrs, marking="opaque", stands_for=path,
                                     **meta))
            else:
                out.append(DiskEntry(rel, "dir", entry.mode, xattrs=tuple(entry.xattrs), **meta))
                out.append(DiskEntry(paths.join(path, AUFS_OPAQUE).lstrip("/"), "file",
                                     AUFS_WH_MODE if rw_branch else entry.mode & 0o777, link=AUFS_BASE if rw_branch else "",
                                     marking="opaque", stands_for=path, **meta))
        else:
            out.append(_plain(rel, entry, find))
    present = {e.path for e in out}
    for e in list(out):   # a layer tar may omit parents: extracting it makes them 0755 (go-archive createTarFile)
        parent = paths.parent("/" + e.path).lstrip("/")
        while parent and parent not in present:
            present.add(parent)
            out.append(DiskEntry(parent, "dir", 0o755))
            parent = paths.parent("/" + parent).lstrip("/")
    if driver == "aufs" and rw_branch:
        out += [DiskEntry(AUFS_BASE, "file", AUFS_WH_MODE, marking="aufs metadata: the inode every whiteout "
                          "links to"),
                DiskEntry(AUFS_ORPH, "dir", AUFS_META_DIR_MODE, marking="aufs metadata: orphans"),
                DiskEntry(AUFS_PLNK, "dir", AUFS_META_DIR_MODE, marking="aufs metadata: pseudo-links")]
    return tuple(sorted(out, key=lambda e: paths.sort_key("/" + e.path)))


def snapshot_entries(snap: Snapshot) -> tuple[DiskEntry, ...]:
    """A merged tree as plain files on disk (what vfs stores for every layer, and what `merged/` shows)."""
    return tuple(_plain(p.lstrip("/"), e, snap.get) for p, e in snap.walk())


# -- the layouts ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Layer:
    """One layer of a stack as a driver sees it: its cache id, label and content."""

    cache: str
    label: str
    created_by: str
    entries: Mapping[str, Entry]
    below: Snapshot | None      # the merged view under it (for hard links that point down)
    merged: Callable[[], Snapshot]  # the merged view up to and including it (vfs)
    rw_branch: bool = False     # mounted read-write once (init and container layers)


def _image_stack(img) -> list[_Layer]:
    from ..fs.union import merge

    out, snaps = [], {}

    def merged_upto(i):
        def get():
            if i not in snaps:
                snaps[i] = merge(img.layers[:i + 1]) if i == 0 or i - 1 not in snaps else snaps[i - 1].apply(
                    img.layers[i])
            return snaps[i]
        return get

    for i, (chain, layer) in enumerate(zip(img.chain_ids, img.layers)):
        below = merge(img.layers[:i]) if i and any(isinstance(e, HardLink) for e in layer.entries.values()) \
            else None
        out.append(_Layer(cache_id(chain), f"image layer {i}", layer.created_by, layer.entries, below,
                          merged_upto(i)))
    return out


def _container_stack(c) -> list[_Layer]:
    rw = cache_id("rw:" + c.id)
    lower = c.lower
    return _image_stack(c.image) + [
        _Layer(rw + "-init", "init layer", c.init.created_by, c.init.entries, c.image.rootfs, lambda: lower,
               rw_branch=True),
        _Layer(rw, "container layer", " ".join(c.command), c.rootfs.upper, lower, c.view, rw_branch=True),
    ]


def _overlay2(stack: list[_Layer], root: str, *, mounted: Callable[[], Snapshot] | None, top_role: str,
              container: bool) -> tuple[list[DiskDir], list[DiskFile], list[tuple[str, str]]]:
    dirs, files, links = [], [], []
    for i, layer in enumerate(stack):
        base = f"{root}/{layer.cache}"
        is_top = i == len(stack) - 1
        role = top_role if is_top else ("lowerdir" if container else "diff")
        lookup = layer.below.get if layer.below is not None else None
        dirs.append(DiskDir(f"{base}/diff", role, layer.label, layer.created_by, 0o755,
                            diff_entries(layer.entries, "overlay2", lookup=lookup)))
        link = link_id(layer.cache)
        links.append((link, f"../{layer.cache}/diff"))
        files.append(DiskFile(f"{base}/link", link, 0o644, "link"))
        if i > 0:
            chain = [f"l/{link_id(x.cache)}" for x in reversed(stack[:i])]
            files.append(DiskFile(f"{base}/lower", ":".join(chain), 0o644, "lower"))
            work = (DiskEntry("work", "dir", 0),) if layer.rw_branch else ()
            dirs.append(DiskDir(f"{base}/work", "workdir" if is_top and container else "work", layer.label,
                                layer.created_by, 0o700, work))
        if not is_top:
            files.append(DiskFile(f"{base}/committed", "", 0o600, "committed"))
    if mounted is not None:
        top = stack[-1]
        view = mounted()
        dirs.append(DiskDir(f"{root}/{top.cache}/merged", "merged", "merged view", top.created_by,
                            view.get("/").mode if view.get("/") is not None else 0o755, snapshot_entries(view)))
    return dirs, files, links


def _aufs(stack: list[_Layer], root: str, *, mounted: Callable[[], Snapshot] | None, container: bool
          ) -> tuple[list[DiskDir], list[DiskFile]]:
    dirs, files = [], []
    for i, layer in enumerate(stack):
        is_top = i == len(stack) - 1
        role = ("rw" if is_top else "ro+wh") if container else "diff"
        lookup = layer.below.get if layer.below is not None else None
        dirs.append(DiskDir(f"{root}/diff/{layer.cache}", role, layer.label, layer.created_by, 0o755,
                            diff_entries(layer.entries, "aufs", rw_branch=layer.rw_branch, lookup=lookup)))
        parents = "".join(x.cache + "\n" for x in reversed(stack[:i]))
        files.append(DiskFile(f"{root}/layers/{layer.cache}", parents, 0o644, "layers"))
        shows = snapshot_entries(mounted()) if is_top and mounted is not None else ()
        dirs.append(DiskDir(f"{root}/mnt/{layer.cache}", "mnt", layer.label, layer.created_by, 0o755, shows))
    return dirs, files


def _vfs(stack: list[_Layer], root: str) -> list[DiskDir]:
    return [DiskDir(f"{root}/dir/{layer.cache}", "dir", layer.label, layer.created_by, 0o755,
                    snapshot_entries(layer.merged())) for layer in stack]


def _links_dir(root: str, links: Iterable[tuple[str, str]]) -> DiskDir:
    entries = tuple(sorted((DiskEntry(name, "symlink", 0o777, len(target), target=target) for name, target in links),
                           key=lambda e: e.path))
    return DiskDir(f"{root}/l", "links", "", "", 0o700, entries)


def graph_driver_data(subject, driver: str) -> dict | None:
    """What `docker inspect` shows as GraphDriver.Data for an image or a container.

    overlay2 reports LowerDir (top to bottom, init layer first for a
    container), MergedDir, UpperDir and WorkDir; aufs and vfs report nothing
    (their GetMetadata returns nil, so Docker prints null).
    """
    _check_driver(driver)
    if driver != "overlay2":
        return None
    root = f"{DOCKER_ROOT}/overlay2"
    if hasattr(subject, "rootfs") and hasattr(subject, "init"):
        rw = cache_id("rw:" + subject.id)
        caches = [cache_id(x) for x in subject.image.chain_ids] + [rw + "-init", rw]
    else:
        if not subject.layers:
            return None
        caches = [cache_id(x) for x in subject.chain_ids]
    top = caches[-1]
    data = {"MergedDir": f"{root}/{top}/merged", "UpperDir": f"{root}/{top}/diff", "WorkDir": f"{root}/{top}/work"}
    if len(caches) > 1:
        data["LowerDir"] = ":".join(f"{root}/{x}/diff" for x in reversed(caches[:-1]))
    return dict(sorted(data.items()))


def _check_driver(driver: str) -> None:
    if driver not in DRIVERS:
        raise LayerlabError(f"unknown storage driver {driver!r}: choose one of {', '.join(DRIVERS)}")


def _is_container(subject) -> bool:
    return hasattr(subject, "rootfs") and hasattr(subject, "init") and hasattr(subject, "image")


def image_layout(img, driver: str, subject: str = "") -> DriverLayout:
    """An image's layers as a driver stores them (no container: nothing is mounted)."""
    _check_driver(driver)
    root = f"{DOCKER_ROOT}/{driver}"
    stack = _image_stack(img)
    label = subject or f"image {img.short_id}"
    if driver == "overlay2":
        dirs, files, links = _overlay2(stack, root, mounted=None, top_role="diff", container=False)
        dirs = [_links_dir(root, links)] + dirs if stack else dirs
        return DriverLayout(driver, label, root, tuple(dirs), tuple(files), None, graph_driver_data(img, driver))
    if driver == "aufs":
        dirs, files = _aufs(stack, root, mounted=None, container=False)
        return DriverLayout(driver, label, root, tuple(dirs), tuple(files), None, None)
    return DriverLayout(driver, label, root, tuple(_vfs(stack, root)), (), None, None)


def container_layout(c, driver: str) -> DriverLayout:
    """A container (image layers, init layer, read-write layer) as a driver stores and mounts it.

    The merged view (overlay2 `merged/`, aufs `mnt/<id>`) exists while the
    container runs: Docker unmounts it, and overlay2 removes `merged/`, when the
    container stops.
    """
    _check_driver(driver)
    root = f"{DOCKER_ROOT}/{driver}"
    stack = _container_stack(c)
    mounted = c.view if c.running else None
    subject = f"container {c.name}"
    if driver == "overlay2":
        dirs, files, links = _overlay2(stack, root, mounted=mounted, top_role="upperdir", container=True)
        top = stack[-1].cache
        lowers = ":".join(f"{root}/l/{link_id(x.cache)}" for x in reversed(stack[:-1]))
        options = (f"{OVERLAY_MOUNT_PREFIX}lowerdir={lowers},upperdir={root}/{top}/diff,"
                   f"workdir={root}/{top}/work")
        return DriverLayout(driver, subject, root, tuple([_links_dir(root, links)] + dirs), tuple(files), options,
                            graph_driver_data(c, driver))
    if driver == "aufs":
        dirs, files = _aufs(stack, root, mounted=mounted, container=True)
        top = stack[-1].cache
        branches = f"br:{root}/diff/{top}=rw" + "".join(f":{root}/diff/{x.cache}=ro+wh" for x in reversed(stack[:-1]))
        return DriverLayout(driver, subject, root, tuple(dirs), tuple(files), branches + AUFS_MOUNT_SUFFIX, None)
    return DriverLayout(driver, subject, root, tuple(_vfs(stack, root)), (), None, None)


def engine_layout(engine, driver: str) -> DriverLayout:
    """Every image and container of an engine under one driver root, each layer directory once."""
    _check_driver(driver)
    root = f"{DOCKER_ROOT}/{driver}"
    seen: set[str] = set()
    dirs: list[DiskDir] = []
    files: list[DiskFile] = []
    links: list[tuple[str, str]] = []
    parts = [image_layout(img, driver) for img in engine.images.values()]
    parts += [container_layout(c, driver) for c in engine.containers.values()]
    for part in parts:
        for d in part.dirs:
            if d.role == "links":
                links += [(e.path, e.target) for e in d.entries]
                continue
            if d.path in seen:
                continue
            seen.add(d.path)
            dirs.append(d)
        for f in part.files:
            if f.path not in seen:
                seen.add(f.path)
                files.append(f)
    if driver == "overlay2" and links:
        dirs.insert(0, _links_dir(root, dict(links).items()))
    return DriverLayout(driver, "engine", root, tuple(dirs), tuple(files), None, None)


def layout(engine, subject=None, driver: str | None = None) -> DriverLayout:
    """The on-disk layout of a container, an image (object or reference) or, with no subject, the whole engine.

    driver defaults to the engine's own; another driver shows how it would
    store the same model.
    """
    driver = driver or engine.driver
    _check_driver(driver)
    if subject is None:
        return engine_layout(engine, driver)
    if _is_container(subject):
        return container_layout(engine.container(subject), driver)
    if isinstance(subject, str):
        from ..errors import NotFoundError
        try:
            return container_layout(engine.container(subject), driver)
        except NotFoundError:
            img = engine.resolve_image(subject, pull=False)
            return image_layout(img, driver, subject=f"image {subject}")
    return image_layout(subject, driver)


# -- disk usage ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DiskUsage:
    """Bytes a driver stores for an engine: per layer directory, per image, per container, and in all.

    Shared layer directories count once in the total; an image's figure counts
    all its layer directories; a container's counts its init and read-write
    directories. Bytes are apparent sizes of file content and symlink targets
    (a hard-linked inode once per directory); directory blocks are left out so
    the figures show content.
    """

    driver: str
    layers: tuple[tuple[str, int], ...]
    images: tuple[tuple[str, int], ...]
    containers: tuple[tuple[str, int], ...]
    total: int

    def ratio(self, other: "DiskUsage") -> float:
        """How many times other's total this total is."""
        if other.total == 0:
            raise LayerlabError(f"cannot compare with the {other.driver} usage: it stores 0 bytes")
        return self.total / other.total

    def render(self) -> str:
        """A short text table: each image and container, then the total."""
        from ..tables import human_size
        rows = [("IMAGE " + n, s) for n, s in self.images] + [("CONTAINER " + n, s) for n, s in self.containers]
        width = max([len(r[0]) for r in rows] + [5])
        ids = {name.removesuffix("/diff").removesuffix("/work") for name, _ in self.layers}
        lines = [f"{self.driver}: {len(ids)} layer directories" + (
            f" ({len(self.layers)} with their diff/ and work/)" if len(ids) != len(self.layers) else "")]
        lines += [f"  {name:<{width}}  {human_size(size):>8}" for name, size in rows]
        lines.append(f"  {'TOTAL':<{width}}  {human_size(self.total):>8}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


def disk_usage(engine, driver: str | None = None) -> DiskUsage:
    """What every image and container of an engine costs on disk under a driver.

    >>> from layerlab.engine import Engine
    >>> eng = Engine()
    >>> img = eng.build("FROM busybox\\nRUN echo hi > /hi\\n", tag="hi")
    >>> cs = [eng.create("hi") for _ in range(3)]
    >>> round(disk_usage(eng, "vfs").ratio(disk_usage(eng, "overlay2")))
    8
    """
    driver = driver or engine.driver
    _check_driver(driver)
    sizes: dict[str, int] = {}
    images = []
    for image_id, img in engine.images.items():
        part = image_layout(img, driver)
        stored = [d for d in part.dirs if d.role not in ("links", "merged", "mnt")]
        for d in stored:
            sizes[d.path] = d.size
        tags = sorted(t for t, i in engine.tags.items() if i == image_id)
        images.append((tags[0] if tags else img.short_id, sum(d.size for d in stored)))
    containers = []
    for c in engine.containers.values():
        part = container_layout(c, driver)
        own = [d for d in part.dirs if d.layer in ("init layer", "container layer")
               and d.role not in ("merged", "mnt")]
        for d in part.dirs:
            if d.role not in ("links", "merged", "mnt"):
                sizes[d.path] = d.size
        containers.append((c.name, sum(d.size for d in own)))
    return DiskUsage(driver, tuple(sorted(sizes.items())), tuple(sorted(images)), tuple(sorted(containers)),
                     sum(sizes.values()))


# -- text ----------------------------------------------------------------------------------------------
_HEX64 = re.compile(r"[0-9a-f]{64}")


def shorten(text: str) -> str:
    """Cut every 64-digit cache id in a text to its first 12 digits (for display only).

    >>> shorten("/var/lib/docker/overlay2/" + "ab" * 32 + "-init/diff")
    '/var/lib/docker/overlay2/abababababab…-init/diff'
    """
    return _HEX64.sub(lambda m: m.group(0)[:12] + "…", text)


def _entry_lines(d: DiskDir, indent: str, max_entries: int) -> list[str]:
    marked = [e for e in d.entries if e.marking]
    plain = [e for e in d.entries if not e.marking]
    shown = sorted(marked + plain[:max_entries], key=lambda e: paths.sort_key("/" + e.path))
    lines = [indent + shorten(e.describe()) for e in shown]
    hidden = len(plain) - min(len(plain), max_entries)
    if hidden:
        lines.append(indent + f"… {hidden} more")
    return lines


def render(lay: DriverLayout, max_entries: int = 6) -> str:
    """The layout as text: one block per layer, its directories with their role, entry count and size, at most
    max_entries plain entries each (whiteouts, opaque markers and aufs metadata are always listed), cache ids
    cut to 12 digits.

    >>> from layerlab.fs.layer import Layer
    >>> from layerlab.fs.entries import WHITEOUT
    >>> from layerlab.image.model import Image
    >>> img = Image(layers=(Layer.from_spec({"/etc/motd": "hi\\n"}, created_by="ADD rootfs.tar /"),
    ...                     Layer.from_spec({"/etc/motd": WHITEOUT}, created_by="RUN rm /etc/motd")))
    >>> print(image_layout(img, "aufs", "image demo").render())
    /var/lib/docker/aufs    (aufs, image demo)
    image layer 0: ADD rootfs.tar /
      diff/af4d8cae5bc7…/    diff, 2 entries, 3B
          drwxr-xr-x         0 etc/
          -rw-r--r--         3 etc/motd
      layers/af4d8cae5bc7…
      mnt/af4d8cae5bc7…/    mnt, 0 entries, 0B
    image layer 1: RUN rm /etc/motd
      diff/e5c158a58db4…/    diff, 2 entries, 0B
          drwxr-xr-x         0 etc/
          ----------         0 etc/.wh.motd    whiteout: deletes /etc/motd
      layers/e5c158a58db4… = "af4d8cae5bc7…"
      mnt/e5c158a58db4…/    mnt, 0 entries, 0B
    """
    from ..tables import human_size

    out = [f"{lay.root}    ({lay.driver}, {lay.subject})"]
    blocks: dict[str, list] = {}
    for item in list(lay.dirs) + list(lay.files):
        match = _HEX64.search(item.path[len(lay.root):])
        key = item.path[len(lay.root):][match.start():match.end() + 5].split("/")[0] if match else ""
        blocks.setdefault(key, []).append(item)
    for key, items in blocks.items():
        first = next((x for x in items if isinstance(x, DiskDir)), None)
        if key and first is not None and first.layer:
            title = first.layer + (f": {first.created_by}" if first.created_by else "")
            out.append(shorten(title if len(title) <= 100 else title[:99] + "…"))
        for item in sorted(items, key=lambda x: x.path):
            rel = shorten(item.path[len(lay.root) + 1:])
            if isinstance(item, DiskDir):
                out.append(f"  {rel}/    {item.role}, {len(item.entries)} entries, {human_size(item.size)}")
                out += _entry_lines(item, "      ", max_entries)
            else:
                text = shorten(item.text.strip().replace("\n", " "))
                out.append(f"  {rel}" + (f' = "{text}"' if text else ""))
    if lay.mount_options:
        out.append("mount: " + shorten(lay.mount_options))
    return "\n".join(out)
