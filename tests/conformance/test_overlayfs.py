"""layerlab's overlay2 layout against the kernel's overlayfs (SEMANTICS rules 10, 11, 13).

For each operation: lay out a container the way layerlab's overlay2 driver
says Docker does (image layers and the init layer as `diff/` directories, the
`l/` links, an empty upperdir and workdir), write those directories to disk,
mount them with layerlab's own mount option string, do the operation through
the real mount and through layerlab's WorkTree, then compare the real upperdir
with layerlab's upperdir (`layout(...).dir("upperdir")`) and with
`WorkTree.upper_layer()`. The merged views are compared before and after.

Differences that cannot be removed are stated as rules below, each with its
reason; nothing else is ignored.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from layerlab import Engine, Layer
from layerlab.fs import paths
from layerlab.fs.entries import Dir, File, HardLink, Opaque, Symlink, Whiteout
from layerlab.image.model import HistoryEntry, Image, ImageConfig
from layerlab.runtime.drivers import DOCKER_ROOT, OPAQUE_XATTR, layout

from .conftest import need, skip_or_fail, snapshot_tree, tree_diff, tree_of

T0 = 1_600_000_000          # every fixture entry's mtime
UMASK = 0o022


def _f(data, mode=0o644):
    return File(data, mode=mode, mtime=T0)


def _d(mode=0o755):
    return Dir(mode=mode, mtime=T0)


BASE = Layer({
    "/etc": _d(), "/etc/motd": _f("hi\n"), "/etc/conf": _f("c\n"),
    "/gone": _f("g\n"), "/big": _f(b"x" * 100_000),
    "/d": _d(), "/d/a": _f("a\n"), "/d/sub": _d(0o750), "/d/sub/b": _f("b\n"),
    "/ren": _d(), "/ren/top": _f("t\n", 0o600), "/ren/y": _d(), "/ren/y/z": _f("z\n"),
    "/hl": _f("h\n"), "/sl": Symlink("etc/motd", mtime=T0),
    "/whited": _f("w\n"), "/opq": _d(), "/opq/old": _f("o\n"),
}, created_by="fixture base")
TOP = Layer({
    "/whited": Whiteout(mtime=T0), "/opq": Opaque(mode=0o755, mtime=T0), "/opq/new": _f("n\n"),
    "/etc": _d(), "/etc/added": _f("added\n"),
}, created_by="fixture top: a whiteout and an opaque directory in a lower layer")
IMAGE = Image(layers=(BASE, TOP), config=ImageConfig(cmd=("sh",)),
              history=(HistoryEntry("fixture base"), HistoryEntry("fixture top")))


@dataclass(frozen=True)
class Op:
    """One operation, as a shell command in the real mount and as WorkTree calls in layerlab."""

    id: str
    shell: str
    model: object
    upper: dict            # expected upperdir: relative path -> what `ls -l`/getfattr show, in short
    kept: frozenset = frozenset()   # upperdir entries that keep the mtime of the entry below (MTIME_RULE)


def _rm_rf_mkdir(t):
    t.rmtree("/d")
    t.mkdir("/d", 0o777)


OPS = [
    Op("modify-lower-file", "echo more >> etc/motd", lambda t: t.write("/etc/motd", "more\n", append=True),
       {"etc": "dir", "etc/motd": "file 8"}, frozenset({"etc"})),
    Op("chmod-lower-file", "chmod 600 etc/conf", lambda t: t.chmod("/etc/conf", 0o600),
       {"etc": "dir", "etc/conf": "file 2 0600"}, frozenset({"etc", "etc/conf"})),
    Op("chmod-copies-up-whole", "chmod 640 big", lambda t: t.chmod("/big", 0o640), {"big": "file 100000 0640"},
       frozenset({"big"})),
    Op("delete-lower-file", "rm gone", lambda t: t.unlink("/gone"), {"gone": "char 0:0"}),
    Op("rm-rf-and-mkdir", "rm -rf d && mkdir d", _rm_rf_mkdir, {"d": "dir opaque"}),
    Op("rename-lower-dir", "mv ren ren2", lambda t: t.rename("/ren", "/ren2"),
       {"ren": "char 0:0", "ren2": "dir", "ren2/top": "file 2 0600", "ren2/y": "dir", "ren2/y/z": "file 2"}),
    Op("hard-link-lower-file", "ln hl hl2", lambda t: t.link("/hl", "/hl2"), {"hl": "file 2", "hl2": "file 2"},
       frozenset({"hl"})),
    Op("write-new-file", "echo new > etc/new", lambda t: t.write("/etc/new", "new\n"),
       {"etc": "dir", "etc/new": "file 4"}),
    Op("symlink", "ln -s etc/motd sl2", lambda t: t.symlink("etc/motd", "/sl2"), {"sl2": "symlink etc/motd"}),
    Op("delete-in-opaque-lower-dir", "rm opq/new", lambda t: t.unlink("/opq/new"),
       {"opq": "dir", "opq/new": "char 0:0"}),
]


# -- the rules for what cannot be compared --------------------------------------------------------------
KERNEL_XATTRS = {
    "trusted.overlay.origin": "a copied-up object's file handle of its lower inode (set when the lower fs "
                              "can encode handles); the kernel's own record, not part of the layer",
    "trusted.overlay.impure": "marks an upper directory holding copied-up or moved entries; bookkeeping",
    "trusted.overlay.uuid": "the upper root's filesystem uuid (kernels 6.6+); bookkeeping on the root",
}
"""overlayfs bookkeeping xattrs: Docker's differ reads none of them, layerlab does not model them. Any other
trusted.overlay.* xattr (redirect, metacopy) would mean the mount behaves unlike Docker's and fails the test."""

MTIME_RULE = ("an entry copied up without a write keeps the lower entry's mtime (overlayfs copies it up with "
              "its times); any other mtime is a clock reading: the wall clock on the real side, layerlab's "
              "simulated clock in the model, so only WHETHER the mtime was kept is compared")

RENAME_RULE = ("Docker mounts without redirect_dir (the kernel default here), so rename(2) of a merged "
               "directory fails with EXDEV and mv copies the tree with its attributes and removes the old one: "
               "layerlab's rename models that result (a whiteout and a full copy)")


# -- writing layerlab's on-disk form --------------------------------------------------------------------
def write_dir(disk_dir, target: Path) -> None:
    """Write a DiskDir's entries into target exactly as described: types, modes, owners, xattrs, mtimes."""
    target.mkdir(parents=True, exist_ok=True)
    os.chmod(target, disk_dir.mode)
    for e in disk_dir.entries:
        path = target / e.path
        if e.kind == "dir":
            path.mkdir()
        elif e.kind == "file" and e.link:
            os.link(target / e.link, path)
        elif e.kind == "file":
            with open(path, "wb") as f:
                for chunk in e.content.chunks():
                    f.write(chunk)
        elif e.kind == "symlink":
            os.symlink(e.target, path)
        elif e.kind == "char":
            os.mknod(path, stat.S_IFCHR | e.mode, os.makedev(*e.rdev))
        else:
            raise AssertionError(f"{e.path}: the fixture has no {e.kind}")
        if e.kind != "symlink":
            os.chmod(path, e.mode)
        os.chown(path, e.uid, e.gid, follow_symlinks=False)
        for name, value in e.xattrs:
            os.setxattr(path, name, value, follow_symlinks=False)
    for e in sorted(disk_dir.entries, key=lambda e: e.path.count("/"), reverse=True):
        if not e.link:
            os.utime(target / e.path, (e.mtime, e.mtime), follow_symlinks=False)


def materialize(lay, root: Path) -> str:
    """Write a container's overlay2 layout under root; return the mount data with root in place of Docker's."""
    docker = f"{DOCKER_ROOT}/overlay2"
    for d in lay.dirs:
        where = Path(str(root) + d.path[len(docker):])
        if d.role == "links":
            where.mkdir(parents=True)
            for e in d.entries:
                os.symlink(e.target, where / e.path)
        elif d.role in ("workdir", "work"):
            where.mkdir(parents=True, mode=d.mode)           # empty: the kernel makes work/work on mount
        elif d.role != "merged":
            write_dir(d, where)
    for f in lay.files:
        Path(str(root) + f.path[len(docker):]).write_text(f.text)
    return lay.mount_options.replace(docker, str(root))


# -- reading the real upperdir --------------------------------------------------------------------------
def real_entries(directory: Path) -> dict[str, tuple]:
    """rel path -> (kind, mode, uid, gid, size, sha256/target/rdev, layer xattrs, mtime) of a real directory."""
    out = {}
    for rootdir, dirs, files in os.walk(directory):
        for name in sorted(dirs + files):
            full = os.path.join(rootdir, name)
            rel = os.path.relpath(full, directory)
            st = os.lstat(full)
            xattrs = {}
            for key in os.listxattr(full, follow_symlinks=False):
                if key in KERNEL_XATTRS:
                    continue
                assert key == OPAQUE_XATTR[0] or not key.startswith("trusted.overlay."), \
                    f"{rel}: unexpected overlayfs xattr {key}"
                xattrs[key] = os.getxattr(full, key, follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                row = ("dir", 0, "")
            elif stat.S_ISLNK(st.st_mode):
                row = ("symlink", st.st_size, os.readlink(full))
            elif stat.S_ISCHR(st.st_mode):
                row = ("char", 0, f"{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}")
            else:
                row = ("file", st.st_size, hashlib.sha256(Path(full).read_bytes()).hexdigest())
            out[rel] = (row[0], stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, row[1], row[2], xattrs,
                        int(st.st_mtime))
    return out


def model_entries(disk_dir) -> dict[str, tuple]:
    """The same shape for layerlab's DiskDir."""
    out = {}
    for e in disk_dir.entries:
        if e.kind == "dir":
            extra = ""
        elif e.kind == "symlink":
            extra = e.target
        elif e.kind == "char":
            extra = f"{e.rdev[0]}:{e.rdev[1]}"
        else:
            extra = e.sha256
        size = 0 if e.kind in ("dir", "char") else e.size
        mode = e.mode if e.kind != "symlink" else 0o777
        out[e.path] = (e.kind, mode, e.uid, e.gid, size, extra, dict(e.xattrs), e.mtime)
    return out


def short(row: tuple) -> str:
    """The row's short form used in Op.upper."""
    kind, mode, _, _, size, extra, xattrs, _ = row
    if kind == "dir":
        return "dir opaque" if xattrs.get(OPAQUE_XATTR[0]) == OPAQUE_XATTR[1] else "dir"
    if kind == "char":
        return f"char {extra}"
    if kind == "symlink":
        return f"symlink {extra}"
    return f"file {size}" + (f" {mode:04o}" if mode != 0o644 else "")


def link_groups(directory: Path) -> set[frozenset[str]]:
    by_inode: dict[int, set] = {}
    for rootdir, _, files in os.walk(directory):
        for name in files:
            full = os.path.join(rootdir, name)
            st = os.lstat(full)
            if stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
                by_inode.setdefault(st.st_ino, set()).add(os.path.relpath(full, directory))
    return {frozenset(g) for g in by_inode.values() if len(g) > 1}


def as_changeset(real: dict[str, tuple], groups: set[frozenset[str]]) -> dict[str, str]:
    """What Docker's differ makes of a real upperdir: char 0/0 -> whiteout, opaque xattr -> opaque."""
    out = {}
    for rel, row in real.items():
        kind = short(row).split(" ")[0]
        if kind == "char" and row[5] == "0:0":
            kind = "whiteout"
        elif short(row) == "dir opaque":
            kind = "opaque"
        out["/" + rel] = kind
    for group in groups:
        for other in sorted(group, key=lambda p: paths.sort_key("/" + p))[1:]:
            out["/" + other] = "hardlink"
    return out


# -- the mount --------------------------------------------------------------------------------------------
@pytest.fixture
def overlay_container():
    """A container laid out on disk and mounted with overlayfs; unmounted and removed afterwards, always."""
    need("mount", "umount")
    if os.geteuid() != 0:
        skip_or_fail("mounting overlayfs needs root")
    eng = Engine()
    c = eng.run(IMAGE, "sh")   # running: Docker mounts the rootfs while the container runs
    lay = layout(eng, c, "overlay2")
    root = Path(tempfile.mkdtemp(prefix="ll-ovl-"))
    merged = Path(str(root) + lay.dir("merged").path[len(f"{DOCKER_ROOT}/overlay2"):])
    mounted = False
    try:
        options = materialize(lay, root)
        merged.mkdir(mode=0o700)
        proc = subprocess.run(["mount", "-t", "overlay", "overlay", "-o", options, str(merged)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            skip_or_fail(f"mount -t overlay failed: {proc.stderr.strip()}")
        mounted = True
        upper = Path(str(root) + lay.dir("upperdir").path[len(f"{DOCKER_ROOT}/overlay2"):])
        yield eng, c, merged, upper
    finally:
        if mounted:
            if subprocess.run(["umount", str(merged)], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", str(merged)], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def test_the_kernel_merges_layerlabs_lowerdirs_into_layerlabs_view(overlay_container):
    """Whiteouts as 0/0 devices and opaque xattrs in lower diff dirs mean to the kernel what they mean to layerlab;
    the mount option string (init first, then image layers top to bottom, through l/ links) is accepted."""
    _, c, merged, upper = overlay_container
    assert tree_diff(tree_of(merged), snapshot_tree(c.view())) == []
    assert not (merged / "whited").exists() and sorted(os.listdir(merged / "opq")) == ["new"]
    assert os.listdir(upper) == []


@pytest.mark.parametrize("op", OPS, ids=[op.id for op in OPS])
def test_the_real_upperdir_matches_layerlabs(overlay_container, op):
    eng, c, merged, upper = overlay_container
    lower_mtimes = {p.lstrip("/"): e.mtime for p, e in c.lower.walk()}
    proc = subprocess.run(["sh", "-c", f"umask {UMASK:03o} && {op.shell}"], cwd=merged, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    op.model(c.rootfs)

    real = real_entries(upper)
    model = model_entries(layout(eng, c, "overlay2").dir("upperdir"))
    assert {rel: short(row) for rel, row in real.items()} == op.upper, "the real upperdir holds what the row says"
    drop_mtime = lambda d: {rel: row[:-1] for rel, row in d.items()}  # noqa: E731  (MTIME_RULE)
    assert drop_mtime(real) == drop_mtime(model)
    kept = {rel: (row[-1] == lower_mtimes.get(rel), model[rel][-1] == lower_mtimes.get(rel))
            for rel, row in real.items()}
    assert {rel: k for rel, k in kept.items() if k[0] != k[1]} == {}, MTIME_RULE
    assert {rel for rel, (real_kept, _) in kept.items() if real_kept} == op.kept
    assert link_groups(upper) == {frozenset(g) for g in _model_groups(c)}
    changes = {p: e.kind for p, e in c.rootfs.upper_layer().entries.items()}
    assert as_changeset(real, link_groups(upper)) == changes
    assert tree_diff(tree_of(merged), snapshot_tree(c.view())) == []


def _model_groups(c) -> list[set[str]]:
    upper = c.rootfs.upper_layer().entries
    groups: dict[str, set] = {}
    for p, e in upper.items():
        if isinstance(e, HardLink):
            groups.setdefault(e.target, {e.target.lstrip("/")}).add(p.lstrip("/"))
    return list(groups.values())


def test_renaming_a_lower_directory_is_exdev_without_redirect_dir(overlay_container):
    _, _, merged, _ = overlay_container
    try:
        os.rename(merged / "ren", merged / "ren3")
    except OSError as exc:
        assert exc.errno == 18, exc           # EXDEV
    else:
        pytest.skip("this kernel mounts overlayfs with redirect_dir=on by default; " + RENAME_RULE)
