"""SEMANTICS.md section 5 (instructions and layers) and section 8 (build cache), per builder profile."""

from __future__ import annotations

import io
import tarfile

import pytest

from layerlab import BuildError, DockerfileError, Engine, File
from layerlab.image.builder import Build

SEED = 'FROM ubuntu:14.04\nADD run.sh /\nVOLUME /data\nCMD ["./run.sh"]\n'
RUN_SH = "#!/bin/sh\necho 'Hello from the seed container'\n"


def build(text, context=None, profile="buildkit", engine=None, **kw):
    eng = engine or Engine(profile=profile)
    img = eng.build(text, context or {}, **kw)
    return eng, img, eng.last_build


def new_entries(img, base):
    """History entries and layers the Dockerfile added on top of its base."""
    return img.history[len(base.history):], img.layers[len(base.layers):]


# -- the seed Dockerfile --------------------------------------------------------------------------------
@pytest.mark.parametrize("profile", ["classic", "buildkit"])
def test_seed_makes_one_file_layer_and_two_config_only_steps(profile):
    eng, img, _ = build(SEED, {"run.sh": RUN_SH}, profile)
    history, layers = new_entries(img, eng.resolve_image("ubuntu:14.04"))
    assert [list(layer.entries) for layer in layers] == [["/run.sh"]]
    assert [h.empty_layer for h in history] == [False, True, True]


def test_seed_under_docker_2015_makes_three_image_layers():
    eng, img, _ = build(SEED, {"run.sh": RUN_SH}, "docker-2015")
    history, layers = new_entries(img, eng.resolve_image("ubuntu:14.04"))
    assert [list(layer.entries) for layer in layers] == [["/run.sh"], [], []]
    assert [h.empty_layer for h in history] == [False, False, False]


@pytest.mark.parametrize("profile, created_by", [
    ("classic", ["/bin/sh -c #(nop) ADD file:", "/bin/sh -c #(nop)  VOLUME [/data]",
                 '/bin/sh -c #(nop)  CMD ["./run.sh"]']),
    ("buildkit", ["ADD run.sh / # buildkit", "VOLUME [/data]", 'CMD ["./run.sh"]']),
])
def test_seed_history_strings(profile, created_by):
    eng, img, _ = build(SEED, {"run.sh": RUN_SH}, profile)
    history, _ = new_entries(img, eng.resolve_image("ubuntu:14.04"))
    assert [h.created_by[:len(c)] for h, c in zip(history, created_by)] == created_by
    assert {h.comment for h in history} == ({"buildkit.dockerfile.v0"} if profile == "buildkit" else {""})


@pytest.mark.parametrize("profile", ["classic", "buildkit", "docker-2015"])
def test_non_empty_history_entries_equal_layers(profile):
    text = SEED + "ENV A=1\nRUN true\nWORKDIR /\nWORKDIR /app\nLABEL x=y\nONBUILD RUN echo\nUSER nobody\n"
    _, img, _ = build(text, {"run.sh": RUN_SH}, profile)
    assert sum(not h.empty_layer for h in img.history) == len(img.layers)


# -- section 5: one row per instruction ----------------------------------------------------------------------
ROWS = [
    # instruction,            classic layer?, buildkit layer?, classic created_by,                     buildkit created_by
    ("RUN touch /x",          True,  True,  "/bin/sh -c touch /x",                          "RUN /bin/sh -c touch /x # buildkit"),
    ("RUN true",              False, True,  "/bin/sh -c true",                              "RUN /bin/sh -c true # buildkit"),
    ('RUN ["touch", "/x"]',   True,  True,  "touch /x",                                     "RUN touch /x # buildkit"),
    ("COPY run.sh /",         True,  True,  "/bin/sh -c #(nop) COPY file:",                 "COPY run.sh / # buildkit"),
    ("ADD run.sh /opt/",      True,  True,  "/bin/sh -c #(nop) ADD file:",                  "ADD run.sh /opt/ # buildkit"),
    ("WORKDIR /app",          True,  True,  "/bin/sh -c #(nop) WORKDIR /app",               "WORKDIR /app"),
    ("WORKDIR /etc",          False, True,  "/bin/sh -c #(nop) WORKDIR /etc",               "WORKDIR /etc"),
    ("WORKDIR /",             False, False, "/bin/sh -c #(nop) WORKDIR /",                  "WORKDIR /"),
    ("ENV A=1 B=2",           False, False, "/bin/sh -c #(nop)  ENV A=1 B=2",               "ENV A=1 B=2"),
    ("LABEL a=b",             False, False, "/bin/sh -c #(nop)  LABEL a=b",                 "LABEL a=b"),
    ('CMD ["./run.sh"]',      False, False, '/bin/sh -c #(nop)  CMD ["./run.sh"]',          'CMD ["./run.sh"]'),
    ("CMD echo hi",           False, False, '/bin/sh -c #(nop)  CMD ["/bin/sh" "-c" "echo hi"]',
     'CMD ["/bin/sh" "-c" "echo hi"]'),
    ('ENTRYPOINT ["top"]',    False, False, '/bin/sh -c #(nop)  ENTRYPOINT ["top"]',        'ENTRYPOINT ["top"]'),
    ("EXPOSE 80 443/tcp",     False, False, "/bin/sh -c #(nop)  EXPOSE 443/tcp 80/tcp",     "EXPOSE map[443/tcp:{} 80/tcp:{}]"),
    ("USER nobody",           False, False, "/bin/sh -c #(nop)  USER nobody",               "USER nobody"),
    ("VOLUME /data",          False, False, "/bin/sh -c #(nop)  VOLUME [/data]",            "VOLUME [/data]"),
    ("STOPSIGNAL SIGTERM",    False, False, "/bin/sh -c #(nop)  STOPSIGNAL SIGTERM",        "STOPSIGNAL SIGTERM"),
    ('SHELL ["/bin/sh", "-e", "-c"]', False, False, "/bin/sh -c #(nop)  SHELL [/bin/sh -e -c]", "SHELL [/bin/sh -e -c]"),
    ("MAINTAINER me",         False, False, "/bin/sh -c #(nop)  MAINTAINER me",             "MAINTAINER me"),
    ("ARG V=1",               False, False, "/bin/sh -c #(nop)  ARG V=1",                   "ARG V=1"),
    ("ONBUILD RUN echo hi",   False, None,  "/bin/sh -c #(nop)  ONBUILD RUN echo hi",       None),
]


@pytest.mark.parametrize("profile", ["classic", "buildkit"])
@pytest.mark.parametrize("instruction, classic_layer, buildkit_layer, classic_by, buildkit_by", ROWS,
                         ids=[r[0] for r in ROWS])
def test_section_5_instruction_table(profile, instruction, classic_layer, buildkit_layer, classic_by, buildkit_by):
    eng, img, b = build(f"FROM busybox\n{instruction}\n", {"run.sh": RUN_SH}, profile)
    base = eng.resolve_image("busybox")
    history, layers = new_entries(img, base)
    layer, by = (classic_layer, classic_by) if profile == "classic" else (buildkit_layer, buildkit_by)
    if layer is None:  # BuildKit's ONBUILD: no history entry, only config.OnBuild
        assert history == () and img.config.onbuild == ("RUN echo hi",)
        return
    (entry,) = history
    assert entry.created_by.startswith(by)
    assert (not entry.empty_layer, len(layers)) == (layer, int(layer))


def test_onbuild_triggers_run_in_the_child_build_and_are_not_inherited():
    eng = Engine()
    eng.build("FROM busybox\nONBUILD RUN echo triggered > /t\n", tag="parent")
    img = eng.build("FROM parent\nRUN cat /t\n", tag="child")
    assert img.rootfs.read("/t") == b"triggered\n"
    assert img.config.onbuild == ()
    assert eng.last_build.steps[1].trigger


# -- COPY and ADD -------------------------------------------------------------------------------------------
CTX = {"run.sh": RUN_SH, "src/app.py": "print('hi')\n", "src/lib/util.py": "X = 1\n", "notes.txt": "n",
       "logs/debug.log": "secret", ".dockerignore": "logs\n*.tmp\n"}


@pytest.mark.parametrize("instruction, expected", [
    ("COPY src /app", ["/app/app.py", "/app/lib/util.py"]),
    ("COPY src/ /app/", ["/app/app.py", "/app/lib/util.py"]),
    ("COPY run.sh /bin/start", ["/bin/start"]),
    ("COPY run.sh /opt/", ["/opt/run.sh"]),
    ("COPY run.sh notes.txt /opt/", ["/opt/notes.txt", "/opt/run.sh"]),
    ("COPY *.sh /scripts/", ["/scripts/run.sh"]),
    ("COPY run.sh /tmp", ["/tmp/run.sh"]),
], ids=["dir-contents", "dir-slashes", "file-rename", "file-into-dir", "two-files", "wildcard",
        "existing-dir-dest"])
def test_copy_rules(instruction, expected):
    _, img, _ = build(f"FROM busybox\n{instruction}\n", CTX)
    layer = img.layers[-1]
    files = sorted(p for p, e in layer.entries.items() if isinstance(e, File))
    assert files == expected


@pytest.mark.parametrize("instruction, source, dest", [
    # found by tests/conformance/test_builder_buildah.py (buildah, like Docker's copiers, agrees on each row)
    ("COPY . /ctx/", "/src/lib/util.py", "/ctx/src/lib/util.py"),           # names were cut by one character
    ("COPY src /app/", "/src/lib", "/app/lib"),                                # a copied directory keeps its mtime
    ("COPY . /ctx/", "/link", "/ctx/link"),                                    # so does a copied symlink
], ids=["copy-dot-keeps-names", "copy-keeps-dir-mtime", "copy-keeps-symlink-mtime"])
def test_copy_keeps_names_and_source_mtimes(instruction, source, dest):
    from layerlab.fs.entries import Dir, Symlink
    ctx = {"src/lib/util.py": File("X = 1\n", mtime=1_600_000_000), "src/lib/": Dir(mtime=1_600_000_100),
           "link": Symlink("run.sh", mtime=1_600_000_200), "run.sh": RUN_SH}
    eng, img, b = build(f"FROM busybox\n{instruction}\n", ctx)
    entry = img.rootfs.get(dest)
    assert entry is not None and entry.mtime == b.context.tree.get(source).mtime


def test_copy_keeps_hard_links_among_the_copied_files():
    text = ("FROM busybox AS build\nRUN mkdir -p /out/sub && echo s > /out/sub/s && ln /out/sub/s /out/hard\n"
            "FROM busybox\nCOPY --from=build /out /opt/out\n")
    _, img, _ = build(text)
    assert img.rootfs.links_to("/opt/out/hard") == ["/opt/out/sub/s"]
    assert img.layers[-1].entries["/opt/out/sub/s"].kind == "hardlink"


def test_copy_of_several_files_needs_a_directory_dest():
    with pytest.raises(BuildError, match="must be a directory and end with a /"):
        build("FROM busybox\nCOPY run.sh notes.txt /opt\n", CTX, "classic")


@pytest.mark.parametrize("profile, message", [("buildkit", "not found"), ("classic", "excluded by .dockerignore")])
def test_dockerignored_file_cannot_be_copied(profile, message):
    with pytest.raises(BuildError, match=message) as info:
        build("FROM busybox\nCOPY logs/debug.log /\n", CTX, profile)
    assert info.value.line == 2


def test_copy_chown_and_chmod():
    _, img, _ = build("FROM busybox\nCOPY --chown=nobody:nobody --chmod=750 run.sh /run.sh\n", CTX)
    st = img.rootfs.stat("/run.sh")
    assert (st.uid, st.gid, st.mode) == (65534, 65534, 0o750)


def test_chmod_requires_buildkit():
    with pytest.raises(BuildError, match="requires BuildKit"):
        build("FROM busybox\nCOPY --chmod=750 run.sh /\n", CTX, "classic")


def _tarball(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, text in files.items():
            data = text.encode()
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def test_add_extracts_a_local_tar_but_copy_does_not():
    ctx = {"app.tar.gz": _tarball({"bin/tool": "#!/bin/sh", "README": "hi"})}
    _, added, _ = build("FROM busybox\nADD app.tar.gz /opt/\n", ctx)
    _, copied, _ = build("FROM busybox\nCOPY app.tar.gz /opt/\n", ctx)
    assert added.rootfs.listdir("/opt") == ["README", "bin"]
    assert copied.rootfs.listdir("/opt") == ["app.tar.gz"]


def test_add_url_needs_the_context_to_map_it():
    url = "https://example.com/files/data.json"
    with pytest.raises(BuildError, match="no network"):
        build(f"FROM busybox\nADD {url} /srv/\n")
    _, img, _ = build(f"FROM busybox\nADD {url} /srv/\n", {url: '{"ok": true}'})
    assert img.rootfs.read("/srv/data.json") == b'{"ok": true}'
    assert img.rootfs.stat("/srv/data.json").mode == 0o600


# -- multi-stage ------------------------------------------------------------------------------------------------
MULTI = """FROM busybox AS build
RUN mkdir /out && echo binary > /out/app
FROM busybox AS unused
RUN echo never > /never
FROM busybox
COPY --from=build /out/app /usr/local/bin/app
"""


@pytest.mark.parametrize("profile, stages_built", [("buildkit", {0, 2}), ("classic", {0, 1, 2})])
def test_multi_stage_copies_from_a_stage_and_buildkit_skips_unused_stages(profile, stages_built):
    _, img, b = build(MULTI, {}, profile)
    assert img.rootfs.read("/usr/local/bin/app") == b"binary\n"
    assert {s.stage for s in b.steps} == stages_built
    assert "/out" not in img.rootfs


def test_target_stops_at_a_stage():
    _, img, _ = build(MULTI, {}, target="build")
    assert img.rootfs.read("/out/app") == b"binary\n"


def test_unknown_target_is_a_clear_error():
    with pytest.raises(BuildError, match='target stage "nope" could not be found'):
        build(MULTI, {}, target="nope")


# -- SEMANTICS 25: build-time writes under a VOLUME ---------------------------------------------------------------
@pytest.mark.parametrize("profile, kept", [("classic", False), ("buildkit", True)])
def test_rule_25_writes_under_a_declared_volume(profile, kept):
    _, img, _ = build("FROM busybox\nVOLUME /data\nRUN mkdir -p /data && echo x > /data/file\n", {}, profile)
    assert img.rootfs.exists("/data/file") == kept


# -- section 8: the build cache -----------------------------------------------------------------------------------
def cached(b):
    return [(s.instruction.keyword, s.cached) for s in b.steps if s.kind != "from"]


def test_rule_26_copy_hits_when_files_are_the_same_and_mtime_is_ignored():
    eng = Engine()
    eng.build("FROM busybox\nCOPY run.sh /\n", {"run.sh": RUN_SH})
    eng.build("FROM busybox\nCOPY run.sh /\n", {"run.sh": File(RUN_SH, mode=0o755, mtime=99)})
    assert cached(eng.last_build) == [("COPY", True)]
    eng.build("FROM busybox\nCOPY run.sh /\n", {"run.sh": RUN_SH + "# changed\n"})
    (step,) = [s for s in eng.last_build.steps if s.kind != "from"]
    assert step.cached is False and "copied files" in step.reason


@pytest.mark.parametrize("profile", ["classic", "buildkit"])
def test_rule_27_after_the_first_miss_every_later_step_rebuilds(profile):
    eng = Engine(profile=profile)
    text = "FROM busybox\nCOPY run.sh /\nRUN echo one > /1\nRUN echo two > /2\n"
    eng.build(text, {"run.sh": RUN_SH})
    eng.build(text, {"run.sh": RUN_SH + "#\n"})
    assert cached(eng.last_build) == [("COPY", False), ("RUN", False), ("RUN", False)]
    assert "earlier step" in eng.last_build.steps[2].reason


def test_rule_28_run_is_matched_by_its_command_string_only():
    eng = Engine()
    eng.build("FROM debian:bookworm-slim\nRUN apt-get update\n")
    eng.build("FROM debian:bookworm-slim\nRUN apt-get update\n")
    assert cached(eng.last_build) == [("RUN", True)]


@pytest.mark.parametrize("profile", ["classic", "buildkit"])
def test_rule_29_a_changed_arg_misses_at_its_first_use(profile):
    eng = Engine(profile=profile)
    text = "FROM busybox\nARG V=1\nRUN echo first > /f\nRUN echo $V > /v\n"
    eng.build(text, build_args={"V": "1"})
    eng.build(text, build_args={"V": "2"})
    steps = [(s.instruction.keyword, s.cached) for s in eng.last_build.steps if s.kind != "from"]
    if profile == "classic":
        assert steps == [("ARG", True), ("RUN", False), ("RUN", False)]
    else:
        assert steps == [("ARG", None), ("RUN", False), ("RUN", False)]
    assert "build argument V" in eng.last_build.steps[2].reason


@pytest.mark.parametrize("profile, run_cached", [("classic", False), ("buildkit", True)])
def test_a_label_change_rebuilds_later_steps_only_in_the_classic_builder(profile, run_cached):
    eng = Engine(profile=profile)
    eng.build("FROM busybox\nLABEL v=1\nRUN echo hi > /x\n")
    eng.build("FROM busybox\nLABEL v=2\nRUN echo hi > /x\n")
    assert cached(eng.last_build)[-1] == ("RUN", run_cached)


def test_a_fully_cached_rebuild_gives_the_same_image_id():
    eng = Engine(profile="classic")
    first = eng.build(SEED, {"run.sh": RUN_SH})
    second = eng.build(SEED, {"run.sh": RUN_SH})
    assert first.id == second.id


# -- stepping, errors ---------------------------------------------------------------------------------------------
def test_step_and_back():
    eng = Engine()
    b = eng.builder(SEED, {"run.sh": RUN_SH}, tag="seed")
    assert b.step().kind == "from"
    step = b.step()
    assert step.instruction.keyword == "ADD" and step.layer is not None
    assert b.back() is step and b.next_instruction.keyword == "ADD"
    while not b.done:
        b.step()
    assert eng.finish(b).config.cmd == ("./run.sh",)


def test_a_failing_run_names_the_line_and_keeps_the_last_good_state():
    eng = Engine()
    b = eng.builder("FROM busybox\nRUN echo ok > /ok\nRUN false\nCMD [\"sh\"]\n")
    b.step(), b.step()
    with pytest.raises(BuildError, match="did not complete successfully: exit code: 1") as info:
        b.step()
    assert info.value.line == 3 and ">>> RUN false" in str(info.value)
    assert b.image.rootfs.read("/ok") == b"ok\n" and b.next_instruction.keyword == "RUN"


def test_a_command_the_image_lacks_fails_the_step_with_the_command_named():
    with pytest.raises(BuildError, match="apt-get") as info:
        build("FROM alpine:3.19\nRUN apt-get update\n")
    assert info.value.line == 2


def test_run_in_an_image_without_a_shell():
    with pytest.raises(BuildError, match='exec: "/bin/sh": stat /bin/sh: no such file or directory'):
        build("FROM scratch\nRUN echo hi\n")


@pytest.mark.parametrize("text, error, message", [
    ("FROM busybox\nRUUN echo\n", DockerfileError, "unknown instruction: RUUN"),
    ("FROM nosuchimage:1\n", BuildError, "repository does not exist"),
    ("FROM busybox\nCOPY missing.txt /\n", BuildError, "not found"),
    ("FROM busybox\nCOPY --chown=nosuchuser run.sh /\n", BuildError, "unable to find user nosuchuser"),
], ids=["typo", "unknown-base", "missing-source", "unknown-user"])
def test_bad_dockerfiles_give_clear_errors(text, error, message):
    with pytest.raises(error, match=message):
        build(text, {"run.sh": RUN_SH})


def test_classic_builds_keep_intermediate_images_so_history_shows_their_ids():
    eng = Engine(profile="classic")
    eng.build(SEED, {"run.sh": RUN_SH}, tag="seed")
    ids = [row["image"] for row in eng.history("seed")]
    assert "<missing>" not in ids[:4] and ids[-1] == "<missing>"
    eng2 = Engine(profile="buildkit")
    eng2.build(SEED, {"run.sh": RUN_SH}, tag="seed")
    assert [row["image"] for row in eng2.history("seed")][1:] == ["<missing>"] * (len(ids) - 1)


@pytest.mark.parametrize("profile, outcome", [("classic", "mount point kept, write dropped"),
                                              ("buildkit", "no such directory")])
def test_run_after_volume_on_a_missing_path(profile, outcome):
    text = "FROM busybox\nVOLUME /data\nRUN echo x > /data/note.txt\n"
    if profile == "buildkit":
        with pytest.raises(BuildError, match="Directory nonexistent"):
            build(text, {}, profile)
        return
    _, img, _ = build(text, {}, profile)
    assert list(img.layers[-1].entries) == ["/data"] and not img.rootfs.exists("/data/note.txt")
