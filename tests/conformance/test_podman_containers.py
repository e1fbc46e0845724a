"""Container operations in podman and in layerlab (SEMANTICS rules 13-17, 22, 23, 25): `diff`, the committed layer,
`export` and volume exclusion.

Both sides run the same busybox commands on the same image: layerlab builds it
(busybox base from the shared fixture plus one RUN layer), saves it as an OCI
layout, and podman pulls that layout, so the layers are byte for byte the same.

layerlab models Docker. podman differs in two documented ways, each encoded
here as a per-tool rule rather than a change to layerlab:

1. Stubs. podman's runtime writes files into the container layer that Docker
   keeps in its init layer or does not make at all (PODMAN_ADDS), and Docker's
   init layer holds files podman does not make (DOCKER_ONLY).
2. `podman diff` reads the upperdir (containers/storage `pkg/archive`
   `OverlayChanges`, used because this kernel's overlayfs supports native
   diff), while `docker diff` compares trees by stat (moby go-archive
   `ChangesDirs`, which moby's overlay2 `Changes` always uses):
   `podman_changes` below states podman's rules and computes podman's diff
   from layerlab's own upperdir.
"""

from __future__ import annotations

import io
import shutil
import tarfile
from dataclasses import dataclass

import pytest

from layerlab import Engine, Layer, load_image
from layerlab.fs import paths
from layerlab.fs.entries import Dir, File, HardLink, Opaque, Symlink, Whiteout
from layerlab.runtime.initlayer import init_layer

from .conftest import PODMAN_RUN_FLAGS

BASE = "localhost/base:latest"
FIXTURE = "localhost/fixture:latest"
FIXTURE_RUN = ("mkdir -p /etc /app/etc /app/d/sub /app/ren/y /data && echo hi > /app/etc/motd && echo c > /app/etc/conf "
               "&& echo k > /app/keep && echo g > /app/gone && echo a > /app/d/a && echo b > /app/d/sub/b "
               "&& echo z > /app/ren/y/z && echo h > /app/hl && echo s > /data/seed")

@dataclass(frozen=True)
class Row:
    """One operation and what each tool reports: docker diff (layerlab) and podman diff (without podman's stubs)."""

    id: str
    command: str
    docker: frozenset
    podman: frozenset


def S(*items: str) -> frozenset:
    """{('C', '/app'), ...} from 'C /app' strings."""
    return frozenset(tuple(i.split(" ", 1)) for i in items)


ROWS = [
    Row("write-new-file", "echo new > /app/etc/new",
        S("C /app", "C /app/etc", "A /app/etc/new"), S("C /app", "C /app/etc", "A /app/etc/new")),
    Row("modify-lower-file", "echo more >> /app/etc/motd",
        S("C /app", "C /app/etc", "C /app/etc/motd"), S("C /app/etc/motd")),
    Row("chmod-lower-file", "chmod 600 /app/etc/conf",
        S("C /app", "C /app/etc", "C /app/etc/conf"), S("C /app/etc/conf")),
    Row("chmod-unchanged-mode", "chmod 644 /app/keep", S(), S("C /app/keep")),   # chmod(2) runs: a copy-up
    Row("delete-lower-file", "rm /app/gone", S("C /app", "D /app/gone"), S("C /app", "D /app/gone")),
    Row("rm-rf-and-mkdir", "rm -rf /app/d && mkdir /app/d && echo n > /app/d/n",
        S("C /app", "C /app/d", "D /app/d/a", "D /app/d/sub", "A /app/d/n"), S("C /app", "D /app/d", "A /app/d/n")),
    Row("symlink", "ln -s etc/motd /app/sl", S("C /app", "A /app/sl"), S("C /app", "A /app/sl")),
    Row("hard-link-lower-file", "ln /app/hl /app/hl2", S("C /app", "A /app/hl2"),
        S("C /app", "C /app/hl", "A /app/hl2")),
    Row("rename-lower-dir", "mv /app/ren /app/ren2",
        S("C /app", "D /app/ren", "A /app/ren2", "A /app/ren2/y", "A /app/ren2/y/z"),
        S("C /app", "D /app/ren", "A /app/ren2", "A /app/ren2/y", "A /app/ren2/y/z")),
    Row("volume-write", "echo v > /data/v", S(), S()),
]


def rows():
    """The rows as pytest params named by their id."""
    return [pytest.param(row, id=row.id) for row in ROWS]


# -- podman's own rules -----------------------------------------------------------------------------------------
PODMAN_ADDS = {
    "/etc": ("dir", "copied up to hold the stubs below; its entries changed, so did its mtime, so `podman diff` "
                    "lists C /etc (A /etc for an image without /etc; the stubs themselves are hidden, see "
                    "PODMAN_DIFF_HIDES)"),
    "/etc/hosts": ("file", "the empty target runc makes to bind-mount podman's hosts file (Docker: init layer)"),
    "/etc/hostname": ("file", "the same for the hostname file (Docker: init layer)"),
    "/etc/mtab": ("symlink", "podman links /etc/mtab -> /proc/mounts in the container layer (Docker: init layer)"),
    "/dev": ("dir", "mount point runc makes for the container's /dev"),
    "/proc": ("dir", "mount point for procfs"),
    "/sys": ("dir", "mount point for sysfs"),
    "/run": ("dir", "parent of podman's run files"),
    "/run/.containerenv": ("file", "podman's 'inside a container' marker (Docker's is /.dockerenv)"),
}
"""What podman's runtime writes into the container layer (and so into commit and export) on every run."""

PODMAN_DIFF_HIDES = {"/dev", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf", "/proc", "/run", "/run/notify",
                     "/run/.containerenv", "/run/secrets", "/run/podman-init", "/sys", "/etc/mtab"}
"""libpod `diff.go` initInodes: paths `podman diff` drops from what containers/storage reports."""

PODMAN_DIFF_STUBS = S("C /etc")
"""What PODMAN_ADDS still shows in `podman diff` after PODMAN_DIFF_HIDES."""

DOCKER_ONLY = {
    "/.dockerenv": "Docker's marker file (init layer); podman's is /run/.containerenv",
    "/dev/console": "Docker's init layer placeholder; podman mounts /dev and leaves the directory empty",
    "/dev/pts": "Docker's init layer mount point (podman: inside the /dev mount)",
    "/dev/shm": "Docker's init layer mount point (podman: inside the /dev mount)",
    "/etc/resolv.conf": "Docker's init layer placeholder; podman with --network none makes no resolv.conf",
}
"""Paths Docker's init layer puts in `docker export` that podman's export lacks."""

PODMAN_EXPORT_ONLY = {"/run", "/run/.containerenv"}
"""Paths of PODMAN_ADDS that Docker's init layer does not hold (the others are in both exports)."""


def podman_changes(upper: dict, lower) -> set[tuple[str, str]]:
    """`podman diff` computed from an upperdir, by containers/storage's rules (pkg/archive/changes.go `changes`,
    changes_linux.go `overlayDeletedFile`), walking the upperdir parents first:

    - a whiteout (char 0/0) is D; an opaque directory that exists below is D too (then its new children are A);
    - a path absent below is A;
    - a non-directory present below is C, whatever changed: a copy-up is a change;
    - a directory present below is C only if its mode or mtime differ (size too: equal on ext4 here);
    - for every A and D, each ancestor not yet reported as a changed directory is reported C;
    - then libpod drops PODMAN_DIFF_HIDES.
    """
    out: dict[str, str] = {}
    changed_dirs: set[str] = set()
    for path in sorted(upper, key=paths.sort_key):
        entry = upper[path]
        before = lower.get(path)
        if isinstance(entry, Whiteout) or (isinstance(entry, Opaque) and before is not None):
            kind = "D"
        elif before is None:
            kind = "A"
        elif isinstance(entry, Dir) and isinstance(before, Dir) and (entry.mode, entry.mtime) == (before.mode,
                                                                                                  before.mtime):
            continue
        else:
            kind = "C"
        if isinstance(entry, Dir):
            changed_dirs.add(path)
        if kind in "AD":
            for anc in reversed(paths.ancestors(path)):
                if anc != "/" and anc != path and anc not in changed_dirs:
                    out[anc] = "C"
                    changed_dirs.add(anc)
        out[path] = kind
    return {(k, p) for p, k in out.items() if p not in PODMAN_DIFF_HIDES}


# -- running both ----------------------------------------------------------------------------------------------
@dataclass
class Ran:
    """What one row left behind in each tool."""

    podman_diff: set
    podman_layer: Layer
    podman_export: dict
    engine: Engine
    container: object
    layerlab_layer: Layer
    layerlab_export: dict


def tar_members(data: bytes) -> dict[str, tuple]:
    """name -> (type, mode, size, link target) of a flat tar, names as absolute paths."""
    out = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for m in tar:
            name = "/" + m.name.strip("/").removeprefix("./").strip("/")
            if name == "/":
                continue
            kind = "dir" if m.isdir() else "symlink" if m.issym() else "hardlink" if m.islnk() else \
                "file" if m.isfile() else "other"
            out[name] = (kind, m.mode & 0o7777, m.size if kind == "file" else 0,
                         m.linkname if kind in ("symlink", "hardlink") else "")
    return out


@pytest.fixture(scope="module")
def world(podman, busybox_base, tools_root):
    """The fixture image in layerlab and in podman, and a runner that does each row once in both."""
    eng = Engine()
    base = eng.load(busybox_base.oci_dir)[0]
    eng.tag(base.id, BASE)
    eng.build(f"FROM {BASE}\nRUN {FIXTURE_RUN}\n", tag=FIXTURE)
    work = tools_root / "podman-containers"
    work.mkdir()
    eng.save(FIXTURE, work / "fixture-oci", format="oci-dir")
    image_id = podman("pull", "-q", f"oci:{work / 'fixture-oci'}").split()[-1]
    podman("tag", image_id, FIXTURE)
    done: dict[str, Ran] = {}

    def run(row: Row) -> Ran:
        if row.id in done:
            return done[row.id]
        name, volume, committed = f"ll-{row.id}", f"vol-{row.id}", f"localhost/committed-{row.id}:latest"
        podman("run", *PODMAN_RUN_FLAGS, "--name", name, "-v", f"{volume}:/data", FIXTURE, "sh", "-c", row.command)
        try:
            diff = {tuple(line.split(" ", 1)) for line in podman("diff", name).splitlines() if line.strip()}
            podman("commit", "-q", name, committed)
            saved = work / f"committed-{row.id}"
            podman("save", "--format", "oci-dir", "-o", saved, committed)
            layer = load_image(saved).layers[-1]
            podman("export", "-o", work / f"{row.id}.tar", name)
            exported = tar_members((work / f"{row.id}.tar").read_bytes())
        finally:
            podman("rm", "-f", name, check=False)
            podman("rmi", "-f", committed, check=False)
            podman("volume", "rm", "-f", volume, check=False)
            shutil.rmtree(work / f"committed-{row.id}", ignore_errors=True)
        c = eng.run(FIXTURE, ["sh", "-c", row.command], volumes={volume: "/data"}, detach=False)
        img = eng.commit(c, f"committed-{row.id}")
        ours = Layer() if img.history[-1].empty_layer else img.layers[-1]
        done[row.id] = Ran(diff, layer, exported, eng, c, ours, tar_members(eng.export(c)))
        return done[row.id]

    return run


# -- diff ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("row", rows())
def test_layerlab_diff_follows_docker(world, row):
    ran = world(row)
    assert set(ran.engine.diff(ran.container)) == row.docker


@pytest.mark.parametrize("row", rows())
def test_podman_diff(world, row):
    assert world(row).podman_diff == row.podman | PODMAN_DIFF_STUBS


@pytest.mark.parametrize("row", rows())
def test_podman_diff_is_its_rules_applied_to_layerlabs_upperdir(world, row):
    ran = world(row)
    c = ran.container
    assert podman_changes(c.rootfs.upper, c.image.rootfs) == row.podman


def test_podman_rules_explain_every_difference_from_docker():
    """Each row where the tools disagree is one of podman's rules at work (a table a learner can read)."""
    why = {
        "modify-lower-file": "podman: a directory copied up unchanged is not listed; docker: every ancestor is",
        "chmod-lower-file": "the same: ancestors",
        "chmod-unchanged-mode": "podman: a copy-up is a change; docker: stat is unchanged, so nothing (rule 17)",
        "rm-rf-and-mkdir": "podman: an opaque directory is D + its new children; docker: C dir, D each old child",
        "hard-link-lower-file": "podman: the copied-up link source is C; docker: its stat is unchanged",
    }
    assert {r.id for r in ROWS if r.docker != r.podman} == set(why)


# -- commit --------------------------------------------------------------------------------------------------
def layer_rows(layer: Layer, drop=()) -> dict[str, tuple]:
    """path -> (kind, mode, uid, gid, size, sha256 or target) of a changeset (mtime: see MTIME_RULE)."""
    out = {}
    for p, e in layer.entries.items():
        if p in drop:
            continue
        if isinstance(e, File):
            extra = e.content.sha256
        elif isinstance(e, (Symlink, HardLink)):
            extra = e.target
        else:
            extra = ""
        out[p] = (e.kind, e.mode if not isinstance(e, (Whiteout, Symlink)) else 0, e.uid, e.gid,
                  e.size, extra)
    return out


MTIME_RULE = ("mtimes of written entries are the wall clock (podman) and the simulated clock (layerlab); an entry "
              "copied up without a write keeps the image's mtime in both, and only that is compared")


@pytest.mark.parametrize("row", rows())
def test_committed_layer_is_the_upperdir_minus_podmans_stubs(world, row):
    ran = world(row)
    assert layer_rows(ran.podman_layer, drop=PODMAN_ADDS) == layer_rows(ran.layerlab_layer)
    image = ran.container.image.rootfs
    kept = {p: (e.mtime == getattr(image.get(p), "mtime", None),
                ran.layerlab_layer.entries[p].mtime == getattr(image.get(p), "mtime", None))
            for p, e in ran.podman_layer.entries.items() if p not in PODMAN_ADDS}
    assert {p: k for p, k in kept.items() if k[0] != k[1]} == {}, MTIME_RULE


def test_podman_adds_exactly_its_stubs_to_every_committed_layer(world):
    ran = world(ROWS[-1])
    assert {p: e.kind for p, e in ran.podman_layer.entries.items()} == {p: k for p, (k, _) in PODMAN_ADDS.items()}


# -- export --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("row", rows())
def test_export_file_sets_differ_only_by_each_tools_stubs(world, row):
    ran = world(row)
    podman_only = set(ran.podman_export) - set(ran.layerlab_export)
    layerlab_only = set(ran.layerlab_export) - set(ran.podman_export)
    assert (podman_only, layerlab_only) == (PODMAN_EXPORT_ONLY, set(DOCKER_ONLY))
    app = sorted(p for p in ran.podman_export if p.startswith(("/app", "/data")))
    assert [ran.podman_export[p] for p in app] == [ran.layerlab_export[p] for p in app]


def test_docker_only_export_paths_are_the_init_layer_minus_podmans_stubs():
    init = {p for p in init_layer().entries if p not in ("/dev", "/etc")}
    assert init - set(PODMAN_ADDS) == set(DOCKER_ONLY)


# -- volumes -------------------------------------------------------------------------------------------------
def test_a_volume_write_is_in_no_diff_no_commit_and_no_export(world):
    ran = world(next(r for r in ROWS if r.id == "volume-write"))
    assert not any(p.startswith("/data") for _, p in ran.podman_diff | set(ran.engine.diff(ran.container)))
    assert not any(p.startswith("/data") for p in list(ran.podman_layer.entries) + list(ran.layerlab_layer.entries))
    for exported in (ran.podman_export, ran.layerlab_export):
        assert "/data/seed" in exported and "/data/v" not in exported, "export shows the image's /data, not the volume"
