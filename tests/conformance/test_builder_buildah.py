"""layerlab's builder against buildah: the same Dockerfiles, the same base, layer by layer.

Every case below is built twice by `buildah bud --layers --isolation chroot`
(storage drivers vfs and overlay) on the locally made busybox base, and by
layerlab (`Engine(driver="vfs")` against buildah-vfs, `Engine(driver="overlay2")`
against buildah-overlay, profile "buildkit"). buildah's image is pushed to an
OCI layout and read back with `layerlab.load_image`; then, for every step of a
case, we compare

- the history entry: the instruction keyword, buildah's created_by string
  (rule history-created-by) and empty_layer;
- the layer's changeset, entry by entry: type, mode, uid, gid, size, content
  hash, symlink target, hard-link target, whiteouts (only their presence: a
  whiteout is a name, image-spec layer.md) and opaque markers; mtimes per rule
  build-time-mtime;
- the final image config (Cmd, Entrypoint, Env, WorkingDir, User, Volumes,
  ExposedPorts, Labels).

Where buildah differs from Docker by design, the difference is one NAMED RULE
of the RULES table, applied by one function of the same name to exactly the
entries it describes; a case lists the rules it needs, a rule firing in a case
that does not list it fails that case, and test_every_rule_is_needed fails a
rule that no case needs. Everything else must be equal.

Cases of one group share one Dockerfile (one `bud` per group and driver keeps
the module around a minute); each case owns a run of instructions of it and is
compared step by step.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import shlex
import tarfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from layerlab import Engine
from layerlab.formats import load_image
from layerlab.fs.entries import Device, Dir, File, HardLink, Opaque, Symlink, Whiteout
from layerlab.fs.union import merge

from .conftest import BASE_NAME

# -- the rules: what buildah does that Docker does not ------------------------------------------------------------
# (name, where it applies, what buildah does and why, what Docker does) -- each one applied by rule_<name> below.
RULE_TABLE = [
    ("run-mount-stubs", "the first RUN of a stage, paths missing below it",
     "buildah leaves the mount points it had to create in the layer: directories /dev /proc /sys /run (0755) "
     "and empty files /etc/hosts /etc/hostname /etc/resolv.conf (0755, with /etc if missing). chroot "
     "isolation bind-mounts them and makes a missing target with os.Mkdir(0755) or os.OpenFile(O_CREATE, "
     "0755) (buildah chroot/run_linux.go, setupChrootBindMounts), then never removes it.",
     "not in the layer: the classic builder's RUN container has them in its init layer, which commit "
     "excludes (SEMANTICS 21, 22); BuildKit deletes the stubs it made (moby/buildkit executor/stubs.go, "
     "MountStubsCleaner)."),
    ("overlay-run-dir", "every RUN layer of an overlay build: the directory /run (0755 0:0)",
     "observed: buildah's overlay RUN layers all carry /run, unchanged but for its mtime. Each RUN sets up "
     "run-time mounts (buildah run_linux.go) that touch /run, overlayfs copies the directory up, and the "
     "overlay differ tars the whole upperdir; the vfs differ does not show it because it ignores a directory "
     "whose only change is its mtime (containers/storage pkg/archive changes.go).",
     "nothing: Docker mounts nothing below /run for a RUN step."),
    ("workdir-deferred", "WORKDIR steps, and the next RUN/COPY/ADD step of the stage",
     "buildah commits a layer only for ADD, COPY and RUN (imagebuildah/stage_executor.go, "
     "stepRequiresLayer): WORKDIR is an empty_layer entry, and a missing directory is made by the next RUN "
     "(os.MkdirAll(cwd, 0755), buildah run_linux.go: 'ensuring working directory exists') or COPY/ADD and "
     "lands in that layer -- or never, when no such step follows (observed).",
     "the WORKDIR step makes the directory: BuildKit as a layer for any path but '/', the classic builder as "
     "a layer when the directory was created (SEMANTICS section 5)."),
    ("volume-discard", "RUN steps after a VOLUME: paths below a volume, and the volume directory",
     "buildah keeps the classic builder's behaviour (SEMANTICS 25): a RUN's writes below a declared volume "
     "are discarded, vfs by saving and restoring the volume, overlay by mounting it with the 'O' option "
     "(imagebuildah/stage_executor.go, Preserve and volumeCacheSave/Restore); the mount point itself is "
     "created (copier.Mkdir 0755) and lands in the RUN layer.",
     "BuildKit, which layerlab's buildkit profile follows, keeps the writes (SEMANTICS 25)."),
    ("history-created-by", "every history entry",
     "buildah writes classic-style strings: RUN as '/bin/sh -c <command>', COPY/ADD as '/bin/sh -c #(nop) "
     "COPY file:<sha256> in <dest> ' without --chown/--from, anything else as '/bin/sh -c #(nop) <the line as "
     "written>' (imagebuildah/stage_executor.go, getCreatedBy), comment 'FROM <parent>'. buildah's string "
     "must have that form for the Dockerfile line; layerlab's must start with the line's keyword.",
     "BuildKit: 'RUN /bin/sh -c <command> # buildkit', 'ENV A=1', comment buildkit.dockerfile.v0."),
    ("build-time-mtime", "every entry but whiteouts",
     "times the build sets itself (a RUN's writes, a directory COPY creates, a directory whose entries "
     "changed) are buildah's wall clock and layerlab's simulated clock (from 2026-01-01): compared as the "
     "class 'build-time'. Times copied from a source (context files, tar members: all dated 2020 here) must "
     "be equal.",
     "the same split: Docker's own clock for what the build does, source times kept by COPY and ADD."),
]
RULES = {name: f"{where}: {buildah} Docker: {docker}" for name, where, buildah, docker in RULE_TABLE}
# Not a rule because this module never triggers it: buildah's layer tars round sub-second mtimes to the nearest
# second (Go archive/tar's default: containers/storage pkg/archive FileInfoHeader does not truncate), Docker
# truncates them (go-archive FileInfoHeader, hdr.ModTime.Truncate(time.Second)) and so does layerlab's context
# reader. write_context dates every context file at a whole second.
GLOBAL_RULES = ("history-created-by", "build-time-mtime")
SOURCE_EPOCH = 1_577_836_800     # 2020-01-01T00:00:00Z: the context files and tar members are dated from here
SOURCE_CUTOFF = 1_700_000_000    # mtimes below this are copied from a source; above it the build set them
DRIVERS = {"vfs": "vfs", "overlay": "overlay2"}  # buildah storage driver -> layerlab Engine driver
BUD_JOBS = 2                     # concurrent `buildah bud` runs (of 2 drivers x 4 groups)


# -- the cases ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """A run of instructions of a group's Dockerfile, the context files it needs, what to compare, its rules."""

    name: str
    group: str
    lines: tuple[str, ...]
    context: dict = field(default_factory=dict)
    compare: tuple[str, ...] = ("history", "changes")  # and config fields (CONFIG_FIELDS) to compare
    rules: tuple[str, ...] = ()


def _bundle() -> bytes:
    """A tar for ADD: a 0750 directory owned 1000:1000, files with other owners and modes, a symlink, a hard link."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        def add(name, kind=tarfile.REGTYPE, data=b"", mode=0o644, uid=0, gid=0, link=""):
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.uid, info.gid, info.linkname = kind, mode, uid, gid, link
            info.mtime = SOURCE_EPOCH + 1000
            info.size = len(data) if kind == tarfile.REGTYPE else 0
            tf.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
        add("pkg", tarfile.DIRTYPE, mode=0o750, uid=1000, gid=1000)
        add("pkg/tool", data=b"#!/bin/sh\necho tool\n", mode=0o755, uid=1000, gid=1000)
        add("pkg/conf", data=b"x=1\n", mode=0o600, uid=33, gid=33)
        add("pkg/alias", tarfile.SYMTYPE, mode=0o777, link="tool")
        add("pkg/again", tarfile.LNKTYPE, mode=0o755, uid=1000, gid=1000, link="pkg/tool")
    return buf.getvalue()


BUNDLE = _bundle()
COPY_CONTEXT = {
    "src/main.py": b"print('main')\n", "src/lib/util.py": b"X = 1\n", "src/debug.log": b"noise\n",
    "notes.txt": (b"notes\n", 0o600), "run.sh": (b"#!/bin/sh\necho run\n", 0o755), "keep.log": b"kept\n",
    "secret/key": b"k\n", "logs/app.log": b"log\n",
    ".dockerignore": b"**/*.log\n!keep.log\nsecret\n",
}
CASES = [
    # group fs: what RUN leaves in a layer (one setup RUN makes the lower files the later cases change)
    Case("first-run-and-setup", "fs", (
        "RUN mkdir -p /data /d/sub /d2f/sub /ld /tmpdir && echo 1 > /data/one && echo 2 > /data/two "
        "&& echo a > /d/a && echo b > /d/sub/b && echo x > /f && echo y > /g && echo file > /rep "
        "&& echo q > /d2f/sub/q && echo t > /target && echo tmp > /tmpfile && echo x > /tmpdir/x",),
         rules=("run-mount-stubs",)),
    Case("delete-lower-file", "fs", ("RUN rm /data/one",), rules=("overlay-run-dir",)),
    Case("rm-rf-and-mkdir", "fs", ("RUN rm -rf /d && mkdir /d && echo new > /d/n",), rules=("overlay-run-dir",)),
    Case("chmod-lower-file", "fs", ("RUN chmod 4755 /f && chmod 600 /g",), rules=("overlay-run-dir",)),
    Case("file-becomes-dir", "fs", ("RUN rm /rep && mkdir /rep && echo in > /rep/in",), rules=("overlay-run-dir",)),
    Case("dir-becomes-file", "fs", ("RUN rm -rf /d2f && echo f > /d2f",), rules=("overlay-run-dir",)),
    Case("symlinks-and-hard-links", "fs", (
        "RUN ln -s /target /abs && ln -s target /rel && ln -s ../target /ld/up && echo n > /n1 && ln /n1 /n2",
        "RUN ln -sf /data/two /abs"), rules=("overlay-run-dir",)),
    # vfs: /target's stat is unchanged (go-archive changes.go statDifferent ignores nlink), so only /hard is in
    # the layer, as a plain file; overlay copies /target up before linking, so both names are (SEMANTICS 11)
    Case("hard-link-to-lower-file", "fs", ("RUN ln /target /hard",), rules=("overlay-run-dir",)),
    Case("add-then-delete", "fs", ("RUN rm -rf /tmpfile /tmpdir",), rules=("overlay-run-dir",)),
    Case("run-without-change", "fs", ("RUN true",), rules=("overlay-run-dir",)),
    # group meta: WORKDIR, USER, VOLUME and the instructions that only change the config
    Case("workdir-new-dir", "meta", ("WORKDIR /w", "RUN echo hi > rel"),
         rules=("run-mount-stubs", "workdir-deferred")),
    Case("workdir-existing-dir", "meta", ("WORKDIR /bin", "RUN true"),
         rules=("workdir-deferred", "overlay-run-dir")),
    Case("volume", "meta", ("VOLUME /data /logs",
                            "RUN mkdir -p /data/sub && echo v > /data/sub/f && echo ok > /notvol"),
         compare=("history", "changes", "Volumes"), rules=("volume-discard", "overlay-run-dir")),
    Case("metadata-only", "meta", ('ENV A=1 B="two words"', 'LABEL l1=v1 "l 2"="v 2"', "EXPOSE 80 443/udp",
                                   'CMD ["hi"]', 'ENTRYPOINT ["/bin/echo"]'),
         compare=("history", "Env", "Labels", "ExposedPorts", "Cmd", "Entrypoint")),
    Case("user", "meta", ("RUN mkdir -m 1777 /shared && echo root > /shared/r", "USER 1000:1000",
                          "RUN echo mine > /shared/mine && mkdir /shared/d && ln -s mine /shared/s"),
         compare=("history", "changes", "User"), rules=("overlay-run-dir",)),
    Case("workdir-last", "meta", ("WORKDIR /late",), compare=("history", "WorkingDir"),
         rules=("workdir-deferred",)),
    # group copy: a context directory on disk with a .dockerignore
    Case("copy-dir", "copy", ("COPY src /app/",), context=COPY_CONTEXT),
    Case("copy-file-into-existing-dir", "copy", ("COPY src/main.py /bin/",)),
    Case("copy-chown", "copy", ("COPY --chown=1000:33 run.sh /bin/owned.sh",)),
    Case("dockerignore", "copy", ("COPY . /ctx/",)),
    Case("add-local-tar", "copy", ("ADD bundle.tar /srv/", "ADD bundle.tar.gz /srv2"),
         context={"bundle.tar": BUNDLE, "bundle.tar.gz": gzip.compress(BUNDLE, mtime=0)}),
    Case("entrypoint-resets-cmd", "copy", ('ENTRYPOINT ["/bin/echo"]',), compare=("history", "Cmd", "Entrypoint")),
    # group multi: COPY --from a build stage
    Case("multi-stage-copy-from", "multi", ("COPY --from=build /out /opt/out",
                                             "COPY --from=build /out/app /usr/local/bin/")),
]
STAGES = {  # what comes before the FROM of the final stage
    "multi": (f"FROM {BASE_NAME} AS build\n"
              "RUN mkdir -p /out/sub && echo bin > /out/app && echo s > /out/sub/s && ln -s app /out/link "
              "&& chmod 700 /out/app && ln /out/sub/s /out/hard\n"),
}
GROUPS = tuple(dict.fromkeys(c.group for c in CASES))
CONFIG_FIELDS = ("Cmd", "Entrypoint", "Env", "WorkingDir", "User", "Volumes", "ExposedPorts", "Labels")


def dockerfile(group: str) -> str:
    lines = [line for case in CASES if case.group == group for line in case.lines]
    return STAGES.get(group, "") + f"FROM {BASE_NAME}\n" + "\n".join(lines) + "\n"


def write_context(directory: Path, group: str) -> Path:
    """The group's context on disk; every file and directory dated from SOURCE_EPOCH (whole seconds)."""
    files = {k: v for case in CASES if case.group == group for k, v in case.context.items()}
    files["Dockerfile"] = dockerfile(group).encode()
    directory.mkdir(parents=True)
    for n, (name, value) in enumerate(sorted(files.items())):
        data, mode = value if isinstance(value, tuple) else (value, 0o644)
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(mode)
        os.utime(path, (SOURCE_EPOCH + n, SOURCE_EPOCH + n))
    for n, sub in enumerate(sorted((p for p in directory.rglob("*") if p.is_dir()), reverse=True)):
        os.utime(sub, (SOURCE_EPOCH + 500 + n, SOURCE_EPOCH + 500 + n))
    return directory


# -- what is compared ------------------------------------------------------------------------------------------------
def _time(mtime: int):
    return mtime if mtime < SOURCE_CUTOFF else "build-time"  # rule build-time-mtime


def row(entry) -> tuple:
    """One changeset entry as compared: type, mode, owner, size, content, link target, time class."""
    if isinstance(entry, Whiteout):
        return ("whiteout",)
    owner = (f"{entry.mode:04o}", entry.uid, entry.gid)
    if isinstance(entry, Opaque):
        return ("dir+opaque", *owner, _time(entry.mtime))
    if isinstance(entry, Dir):
        return ("dir", *owner, _time(entry.mtime))
    if isinstance(entry, File):
        return ("file", *owner, entry.size, entry.content.sha256[:16], _time(entry.mtime))
    if isinstance(entry, Symlink):
        return ("symlink", entry.uid, entry.gid, entry.target, _time(entry.mtime))
    if isinstance(entry, HardLink):
        return ("hardlink", *owner, entry.target, _time(entry.mtime))
    if isinstance(entry, Device):
        return (entry.devtype, *owner, f"{entry.major}:{entry.minor}")
    raise TypeError(f"unexpected entry {entry!r}")


DIR_0755 = ("dir", "0755", 0, 0, "build-time")
EMPTY_0755 = ("file", "0755", 0, 0, 0, "e3b0c44298fc1c14", "build-time")


@dataclass
class StepView:
    """One history entry of an image and the changeset of its layer (None for an empty_layer entry)."""

    line: str
    created_by: str
    empty_layer: bool
    changes: dict | None
    lower: object = None        # the image's rootfs below this step (for layer steps)

    @property
    def keyword(self) -> str:
        return self.line.split()[0].upper()


def steps_of(image, base, lines) -> list[StepView]:
    """The image's steps above the base, one per Dockerfile line of the final stage."""
    history = image.history[len(base.history):]
    assert len(history) == len(lines), ("one history entry per instruction expected", lines,
                                        [h.created_by for h in history])
    out, k = [], len(base.layers)
    for h, line in zip(history, lines):
        if h.empty_layer:
            out.append(StepView(line, h.created_by, True, None))
            continue
        layer = image.layers[k]
        out.append(StepView(line, h.created_by, False, {p: row(e) for p, e in layer.entries.items()},
                            lower=image.layers[:k]))
        k += 1
    assert k == len(image.layers)
    return out


# -- the rules, one function each --------------------------------------------------------------------------------------
def _lower_has(step: StepView, path: str) -> bool:
    """Whether path exists in the image below this step (its layers are merged on first use)."""
    if step.lower is None:
        return False
    if isinstance(step.lower, tuple):
        step.lower = merge(step.lower)
    return step.lower.lexists(path)


def rule_workdir_deferred(real, expected, fired):
    carry: dict = {}
    for i, (r, e) in enumerate(zip(real, expected)):
        if e.keyword == "WORKDIR" and not e.empty_layer:
            carry.update(e.changes)
            expected[i] = replace(e, empty_layer=True, changes=None)
            fired[i].add("workdir-deferred")
        elif e.keyword in ("RUN", "COPY", "ADD") and carry:
            expected[i] = replace(e, changes={**carry, **e.changes})
            carry = {}
            fired[i].add("workdir-deferred")


def _volumes_of(line: str) -> list[str]:
    args = line.split(None, 1)[1].strip()
    return json.loads(args) if args.startswith("[") else shlex.split(args)


def rule_volume_discard(real, expected, fired):
    volumes: list[str] = []
    for i, (r, e) in enumerate(zip(real, expected)):
        if e.keyword == "VOLUME":
            volumes += _volumes_of(e.line)
        if e.keyword != "RUN" or not volumes or e.changes is None:
            continue
        changes = {p: v for p, v in e.changes.items() if not any(p.startswith(vol + "/") for vol in volumes)}
        for vol in volumes:
            if vol not in changes and (r.changes or {}).get(vol) == DIR_0755:
                changes[vol] = DIR_0755
        if changes != e.changes:
            expected[i] = replace(e, changes=changes)
            fired[i].add("volume-discard")


def rule_run_mount_stubs(real, expected, fired):
    stubs = {"/dev": DIR_0755, "/proc": DIR_0755, "/sys": DIR_0755, "/run": DIR_0755,
             "/etc/hosts": EMPTY_0755, "/etc/hostname": EMPTY_0755, "/etc/resolv.conf": EMPTY_0755}
    for i, (r, e) in enumerate(zip(real, expected)):
        if r.keyword != "RUN" or r.changes is None:
            continue
        dropped = [p for p, shape in stubs.items() if r.changes.get(p) == shape and p not in (e.changes or {})
                   and not _lower_has(r, p)]
        if any(p.startswith("/etc/") for p in dropped) and r.changes.get("/etc") == DIR_0755 \
                and "/etc" not in (e.changes or {}):
            dropped.append("/etc")
        if dropped:
            real[i] = replace(r, changes={p: v for p, v in r.changes.items() if p not in dropped})
            fired[i].add("run-mount-stubs")


def rule_overlay_run_dir(real, expected, fired, driver):
    if driver != "overlay":
        return
    for i, (r, e) in enumerate(zip(real, expected)):
        if r.keyword == "RUN" and r.changes is not None and r.changes.get("/run") == DIR_0755 \
                and "/run" not in (e.changes or {}):
            real[i] = replace(r, changes={p: v for p, v in r.changes.items() if p != "/run"})
            fired[i].add("overlay-run-dir")


def buildah_created_by(line: str) -> str:
    """The pattern of buildah's created_by for a Dockerfile line (rule history-created-by)."""
    keyword, _, rest = line.partition(" ")
    if keyword == "RUN":
        return re.escape("/bin/sh -c " + rest)
    if keyword in ("COPY", "ADD"):
        return re.escape(f"/bin/sh -c #(nop) {keyword} ") + r"(file|dir|multi):[0-9a-f]{64} in \S+ "
    return re.escape("/bin/sh -c #(nop) " + line)


def compare(real: list[StepView], expected: list[StepView], driver: str):
    """Apply the rules, then list every difference per step; returns (differences, fired rules) per step."""
    real, expected = list(real), list(expected)
    fired = [set(GLOBAL_RULES) for _ in real]
    rule_workdir_deferred(real, expected, fired)
    rule_volume_discard(real, expected, fired)
    rule_run_mount_stubs(real, expected, fired)
    rule_overlay_run_dir(real, expected, fired, driver)
    diffs = []
    for r, e in zip(real, expected):
        out = []  # (what is compared, difference)
        if not re.fullmatch(buildah_created_by(r.line), r.created_by):
            out.append(("history", f"buildah created_by {r.created_by!r} is not {buildah_created_by(r.line)!r}"))
        if e.created_by.split()[0] != e.keyword:
            out.append(("history", f"layerlab created_by {e.created_by!r} does not start with {e.keyword}"))
        if r.empty_layer != e.empty_layer:
            out.append(("history", f"empty_layer: buildah={r.empty_layer} layerlab={e.empty_layer}"))
        elif r.changes != e.changes:
            for path in sorted(set(r.changes) | set(e.changes)):
                if r.changes.get(path) != e.changes.get(path):
                    out.append(("changes", f"{path}: buildah={r.changes.get(path)} layerlab={e.changes.get(path)}"))
        diffs.append(out)
    return diffs, fired


def config_fields(image) -> dict:
    c = image.config
    return {"Cmd": c.cmd and list(c.cmd), "Entrypoint": c.entrypoint and list(c.entrypoint), "Env": list(c.env),
            "WorkingDir": c.working_dir, "User": c.user, "Volumes": sorted(c.volumes),
            "ExposedPorts": sorted(c.exposed_ports), "Labels": dict(c.labels)}


# -- building both ---------------------------------------------------------------------------------------------------
@dataclass
class Built:
    real: object
    model: object
    comparisons: dict  # case name -> (per-step differences, per-step fired rules)


@pytest.fixture(scope="module")
def built(buildah, buildah_overlay, busybox_base, tools_root):
    """Every group built by buildah (vfs and overlay, in parallel) and by layerlab, compared per case."""
    busybox_base.load_into(buildah_overlay)
    work = tools_root / "bud-cases"
    contexts = {g: write_context(work / "ctx" / g, g) for g in GROUPS}

    def bud(job) -> object:
        driver, g = job
        tool = buildah if driver == "vfs" else buildah_overlay
        name = f"localhost/cases-{g}:latest"
        tool("bud", "--layers", "--isolation", "chroot", "-q", "-f", contexts[g] / "Dockerfile", "-t", name,
             contexts[g])
        tool("push", "-q", name, f"oci:{work / driver / g}:latest")
        return load_image(work / driver / g)

    for driver in DRIVERS:
        (work / driver).mkdir(parents=True)
    jobs = [(d, g) for g in GROUPS for d in DRIVERS]
    with ThreadPoolExecutor(BUD_JOBS) as pool:  # buildah locks its store; builds mostly wait on I/O
        images = dict(zip(jobs, pool.map(bud, jobs)))
    real = {d: {g: images[d, g] for g in GROUPS} for d in DRIVERS}
    base = busybox_base.image
    out = {}
    for driver, engine_driver in DRIVERS.items():
        for g in GROUPS:
            eng = Engine(driver=engine_driver, profile="buildkit")
            eng._store(base, [BASE_NAME])
            model = eng.build(dockerfile(g), contexts[g], tag=f"cases-{g}")
            cases = [c for c in CASES if c.group == g]
            lines = [line for c in cases for line in c.lines]
            diffs, fired = compare(steps_of(real[driver][g], base, lines), steps_of(model, base, lines), driver)
            comparisons, at = {}, 0
            for c in cases:
                comparisons[c.name] = (diffs[at:at + len(c.lines)], fired[at:at + len(c.lines)])
                at += len(c.lines)
            out[driver, g] = Built(real[driver][g], model, comparisons)
    return out


# -- the tests -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(built, case, driver):
    result = built[driver, case.group]
    diffs, fired = result.comparisons[case.name]
    report = [f"step {n + 1} `{case.lines[n]}`: {d}" for n, step in enumerate(diffs) for what, d in step
              if what in case.compare]
    assert report == [], "\n".join(report)
    undeclared = {r for step in fired for r in step} - set(case.rules) - set(GLOBAL_RULES)
    assert not undeclared, f"rules {sorted(undeclared)} were needed but the case does not list them"
    config_wanted = [f for f in case.compare if f in CONFIG_FIELDS]
    real, model = config_fields(result.real), config_fields(result.model)
    assert {f: real[f] for f in config_wanted} == {f: model[f] for f in config_wanted}


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("group", GROUPS)
def test_final_config(built, group, driver):
    result = built[driver, group]
    assert config_fields(result.real) == config_fields(result.model)


def test_every_rule_is_needed(built):
    """Each rule fires somewhere, and each rule a case lists fires in that case for at least one driver."""
    used = {r for b in built.values() for _, fired in b.comparisons.values() for step in fired for r in step}
    assert used == set(RULES)
    for case in CASES:
        fired = {r for d in DRIVERS for step in built[d, case.group].comparisons[case.name][1] for r in step}
        assert set(case.rules) <= fired, f"{case.name}: listed rules {sorted(set(case.rules) - fired)} never fire"


def test_rules_table_is_consistent():
    """Every rule has a function, every rule a case names exists, the two global rules are in the table."""
    assert len(RULES) == len(RULE_TABLE) and set(GLOBAL_RULES) <= set(RULES)
    assert all(f"rule_{name.replace('-', '_')}" in globals() for name in set(RULES) - set(GLOBAL_RULES))
    assert all(set(c.rules) <= set(RULES) for c in CASES)
