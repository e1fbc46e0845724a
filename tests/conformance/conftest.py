"""Shared infrastructure for conformance tests: layerlab against real tools (buildah, podman, skopeo, umoci).

Every test in this folder is marked `conformance`. A missing tool skips the
test with its reason, unless LAYERLAB_REQUIRE_TOOLS=1 (CI sets it), which turns
the skip into a failure. Runners carry the global flags that work on a daemonless
root machine (see TOOLING.md): their own storage under one session directory,
runc, cgroupfs, file events.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from layerlab.fs.entries import Device, Dir, File, HardLink, Symlink

HERE = Path(__file__).parent
BUSYBOX = "/bin/busybox"
BASE_NAME = "localhost/base:latest"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(HERE):
            item.add_marker(pytest.mark.conformance)


def require_tools() -> bool:
    """True when a missing tool must fail the test instead of skipping it (CI sets LAYERLAB_REQUIRE_TOOLS=1)."""
    return os.environ.get("LAYERLAB_REQUIRE_TOOLS") == "1"


def skip_or_fail(reason: str):
    """Skip with reason, or fail when tools are required."""
    if require_tools():
        pytest.fail(f"{reason} (LAYERLAB_REQUIRE_TOOLS=1 turns this skip into a failure)", pytrace=False)
    pytest.skip(reason)


def need(*tools: str) -> None:
    """Skip (or fail) unless every named executable is on PATH."""
    for tool in tools:
        if shutil.which(tool) is None:
            skip_or_fail(f"{tool} is not installed (Debian: apt-get install -y {tool})")


class ToolError(AssertionError):
    """A real tool exited non-zero; the message holds its command line and stderr."""


@dataclass
class Tool:
    """A callable that runs a tool with fixed global flags and returns its stdout."""

    argv: tuple[str, ...]
    env: dict = field(default_factory=dict)

    def __call__(self, *args, cwd=None, input: bytes | None = None, timeout: int = 600, check: bool = True) -> str:
        cmd = [*self.argv, *map(str, args)]
        proc = subprocess.run(cmd, cwd=cwd, input=input, capture_output=True, timeout=timeout,
                              env={**os.environ, **self.env})
        if check and proc.returncode != 0:
            raise ToolError(f"`{' '.join(cmd)}` exited {proc.returncode}:\n"
                            f"{proc.stderr.decode(errors='replace')[-4000:]}")
        return proc.stdout.decode(errors="replace")

    @property
    def name(self) -> str:
        return os.path.basename(self.argv[0])


@pytest.fixture(scope="session")
def tools_root() -> Path:
    """A per-session directory holding every tool's storage and outputs, removed at the end.

    Its path is kept short on purpose: podman refuses a --runroot longer than 50
    characters ("the specified runroot is longer than 50 characters"), and
    pytest's own temporary paths grow past that.
    """
    import secrets
    import tempfile
    # podman also turns `oci:<path>` into an image name, so the path must be a valid reference:
    # lower-case letters and digits only (mkdtemp's random part may end with '_', which is not)
    root = Path(tempfile.gettempdir()) / f"ll{secrets.token_hex(4)}"
    root.mkdir(mode=0o700)
    yield root
    _unmount_under(root)
    shutil.rmtree(root, ignore_errors=True)


def _unmount_under(root: Path) -> None:
    """Unmount what the tools left mounted below root (containers/storage keeps its overlay dir and a working
    container's merged/ mounted), deepest first, so removing root never leaves a mount behind."""
    try:
        with open("/proc/self/mounts") as f:
            points = [line.split()[1] for line in f]
    except OSError:
        return
    prefix = str(root) + "/"
    for point in sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True):
        subprocess.run(["umount", "-l", point], capture_output=True)


def _storage(root: Path, name: str) -> tuple[str, str]:
    r, rr = root / name / "r", root / name / "rr"
    r.mkdir(parents=True, exist_ok=True)
    rr.mkdir(parents=True, exist_ok=True)
    return str(r), str(rr)


@pytest.fixture(scope="session")
def buildah(tools_root) -> Tool:
    """buildah with its own storage, vfs driver (one whiteout per deleted file)."""
    need("buildah")
    r, rr = _storage(tools_root, "buildah-vfs")
    return Tool(("buildah", "--root", r, "--runroot", rr, "--storage-driver", "vfs"))


@pytest.fixture(scope="session")
def buildah_overlay(tools_root) -> Tool:
    """buildah with its own storage, overlay driver (opaque markers for removed-and-recreated dirs)."""
    need("buildah")
    r, rr = _storage(tools_root, "buildah-overlay")
    return Tool(("buildah", "--root", r, "--runroot", rr, "--storage-driver", "overlay"))


@pytest.fixture(scope="session")
def podman(tools_root) -> Tool:
    """podman without a daemon: overlay storage, runc, cgroupfs, file events."""
    need("podman", "runc")
    r, rr = _storage(tools_root, "podman")
    return Tool(("podman", "--root", r, "--runroot", rr, "--storage-driver", "overlay", "--runtime", "runc",
                 "--cgroup-manager", "cgroupfs", "--events-backend", "file"))


PODMAN_RUN_FLAGS = ("--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024")
"""Per-container flags podman needs here (limits may be lowered, not raised)."""


@pytest.fixture(scope="session")
def skopeo() -> Tool:
    need("skopeo")
    return Tool(("skopeo",))


@pytest.fixture(scope="session")
def umoci() -> Tool:
    need("umoci")
    return Tool(("umoci",))


# -- the busybox base image ---------------------------------------------------------------
@dataclass
class BusyboxBase:
    """A busybox base image built locally, as a tree on disk, an OCI layout and a layerlab Image."""

    name: str
    rootfs: Path
    oci_dir: Path
    image: object
    _loaded: set = field(default_factory=set)

    @property
    def layer(self):
        """The base's single layer as layerlab reads it (the exact tar buildah wrote)."""
        return self.image.layers[0]

    def load_into(self, tool: Tool) -> str:
        """Make the base available in another tool's storage (podman, overlay buildah) as localhost/base."""
        key = " ".join(tool.argv)
        if key not in self._loaded:
            out = tool("pull", "-q", f"oci:{self.oci_dir}:latest").split()
            image_id = out[-1] if out else _image_id_of(self.oci_dir)
            tool("tag", image_id, self.name)
            self._loaded.add(key)
        return self.name


def _image_id_of(oci_dir: Path) -> str:
    import json
    index = json.loads((oci_dir / "index.json").read_text())
    manifest = json.loads((oci_dir / "blobs/sha256" / index["manifests"][0]["digest"].split(":")[1]).read_text())
    return manifest["config"]["digest"].split(":")[1]


def make_busybox_tree(root: Path) -> Path:
    """root/bin/busybox plus one symlink per applet, as TOOLING.md builds a base."""
    if not os.path.exists(BUSYBOX):
        skip_or_fail(f"{BUSYBOX} is missing (Debian: apt-get install -y busybox-static)")
    (root / "bin").mkdir(parents=True)
    shutil.copy(BUSYBOX, root / "bin" / "busybox")
    os.chmod(root / "bin" / "busybox", 0o755)
    applets = subprocess.run([BUSYBOX, "--list"], capture_output=True, check=True, text=True).stdout.split()
    for applet in applets:
        if applet != "busybox" and "/" not in applet:
            os.symlink("busybox", root / "bin" / applet)
    return root


@pytest.fixture(scope="session")
def busybox_base(buildah, tools_root) -> BusyboxBase:
    """A `localhost/base:latest` busybox image in buildah's storage; load_into(podman) puts it in podman's."""
    from layerlab.formats import load_image

    work = tools_root / "busybox"
    rootfs = make_busybox_tree(work / "root")
    c = buildah("from", "scratch").strip()
    buildah("copy", c, f"{rootfs}/", "/")
    buildah("config", "--cmd", "/bin/sh", "--env", "PATH=/bin", c)
    buildah("commit", "-q", c, BASE_NAME)
    buildah("rm", c)
    oci_dir = work / "base-oci"
    buildah("push", BASE_NAME, f"oci:{oci_dir}:latest")
    return BusyboxBase(BASE_NAME, rootfs, oci_dir, load_image(oci_dir))


# -- comparing trees ----------------------------------------------------------------------
def _sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tree_of(directory) -> dict[str, tuple]:
    """path -> (type, mode, uid, gid, size, sha256 or link target) for everything below a real directory."""
    directory = os.fspath(directory)
    out = {}
    for root, dirs, files in os.walk(directory):
        for name in dirs + files:
            full = os.path.join(root, name)
            path = "/" + os.path.relpath(full, directory)
            st = os.lstat(full)
            mode = stat.S_IMODE(st.st_mode)
            if stat.S_ISDIR(st.st_mode):
                row = ("dir", mode, st.st_uid, st.st_gid, 0, "")
            elif stat.S_ISLNK(st.st_mode):
                target = os.readlink(full)
                row = ("symlink", mode, st.st_uid, st.st_gid, len(os.fsencode(target)), target)
            elif stat.S_ISREG(st.st_mode):
                row = ("file", mode, st.st_uid, st.st_gid, st.st_size, _sha256_file(full))
            else:
                kind = "char" if stat.S_ISCHR(st.st_mode) else "block" if stat.S_ISBLK(st.st_mode) else "fifo"
                dev = f"{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}" if kind != "fifo" else ""
                row = (kind, mode, st.st_uid, st.st_gid, 0, dev)
            out[path] = row
    return out


def snapshot_tree(snapshot) -> dict[str, tuple]:
    """The same shape as tree_of, for a layerlab Snapshot (hard links show as the file they name)."""
    out = {}
    for path, entry in snapshot.walk():
        if isinstance(entry, HardLink):
            entry = snapshot.get(entry.target)
        if isinstance(entry, Dir):
            row = ("dir", entry.mode, entry.uid, entry.gid, 0, "")
        elif isinstance(entry, Symlink):
            row = ("symlink", 0o777, entry.uid, entry.gid, entry.size, entry.target)
        elif isinstance(entry, File):
            row = ("file", entry.mode, entry.uid, entry.gid, entry.size, entry.content.sha256)
        elif isinstance(entry, Device):
            dev = f"{entry.major}:{entry.minor}" if entry.devtype != "fifo" else ""
            row = (entry.devtype, entry.mode, entry.uid, entry.gid, 0, dev)
        else:
            raise TypeError(f"{path}: unexpected entry {entry!r} in a merged view")
        out[path] = row
    return out


def hardlink_groups(directory) -> set[frozenset[str]]:
    """Sets of paths below a directory that share an inode (only groups of two or more)."""
    directory = os.fspath(directory)
    by_inode: dict[tuple, set] = {}
    for root, _, files in os.walk(directory):
        for name in files:
            full = os.path.join(root, name)
            st = os.lstat(full)
            if stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
                by_inode.setdefault((st.st_dev, st.st_ino), set()).add("/" + os.path.relpath(full, directory))
    return {frozenset(g) for g in by_inode.values() if len(g) > 1}


def snapshot_hardlink_groups(snapshot) -> set[frozenset[str]]:
    """The hard-link groups of a Snapshot, in the shape hardlink_groups gives."""
    return {frozenset({primary, *snapshot.links_to(primary)}) for primary, _ in snapshot.walk()
            if snapshot.links_to(primary)}


def tree_diff(real: dict, model: dict) -> list[str]:
    """Readable differences between two trees (empty when equal)."""
    out = []
    for path in sorted(set(real) | set(model)):
        a, b = real.get(path), model.get(path)
        if a != b:
            out.append(f"{path}: real={a} layerlab={b}")
    return out


def umoci_rootfs(umoci: Tool, layout: Path, tag: str, bundle: Path) -> Path:
    """`umoci unpack` an image of an OCI layout; returns the rootfs directory."""
    umoci("unpack", "--image", f"{layout}:{tag}", bundle)
    return bundle / "rootfs"


@pytest.fixture
def tree_helpers():
    """The comparison helpers, for tests that prefer a fixture to an import."""
    return dict(tree_of=tree_of, snapshot_tree=snapshot_tree, tree_diff=tree_diff,
                hardlink_groups=hardlink_groups, snapshot_hardlink_groups=snapshot_hardlink_groups)
