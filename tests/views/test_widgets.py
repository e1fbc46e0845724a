"""The widgets driven through their Python API (no browser): what a learner's clicks do, and what nbval sees.

Every widget's text/plain repr is compared with a literal: it is what an executed notebook stores and nbval
compares, so it must be short, deterministic and free of memory addresses, clocks and random ids.
"""

from __future__ import annotations

import io
import tarfile

import pytest

pytest.importorskip("ipywidgets")

import layerlab as ll  # noqa: E402
from layerlab.views.text import changeset_table  # noqa: E402
from layerlab.views.widgets import (BuildStepper, ContainerPlayground, DriverView, LayerInspector,  # noqa: E402
                                    export_summary, usage)
from layerlab.views.widgets.common import focus_dirs  # noqa: E402
from layerlab.views.widgets.inspector import first_members, member_count  # noqa: E402

from .conftest import RUN_SH, SEED  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"
PY = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nRUN pip install flask\nCMD ["python", "app.py"]\n'
APP = "from flask import Flask\napp = Flask(__name__)\n"


@pytest.fixture
def eng():
    return ll.Engine()


@pytest.fixture
def stepper(eng):
    return BuildStepper(SEED, {"run.sh": RUN_SH}, engine=eng, tag="seed")


@pytest.fixture
def seed_container(eng):
    eng.build(SEED, {"run.sh": RUN_SH}, tag="seed")
    return eng


def current_lines(s: BuildStepper) -> list[int]:
    import re
    return [int(n) for n in re.findall(r'class="ll-line ll-current[^"]*" data-line="(\d+)"', s.listing.value)]


# -- BuildStepper ----------------------------------------------------------------------------------------------
def test_the_stepper_runs_the_seed_one_instruction_at_a_time(stepper, eng):
    assert repr(stepper) == "BuildStepper: 0 of 4 steps run - next FROM ubuntu:14.04"
    assert stepper.current_line is None and stepper.image is None and stepper.steps == []
    expected = ["BuildStepper: step 1 of 4 - FROM ubuntu:14.04 (base image, 4 layers, 197 MB)",
                "BuildStepper: step 2 of 4 - ADD run.sh / (layer, 30 B)",
                "BuildStepper: step 3 of 4 - VOLUME /data (config)",
                'BuildStepper: step 4 of 4 - CMD ["./run.sh"] (config) - done, tagged seed']
    for n, text in enumerate(expected, 1):
        step = stepper.step()
        assert step.number == n and repr(stepper) == text
        assert stepper.current_line == n and current_lines(stepper) == [n]
    assert stepper.step() is None
    assert stepper.done and stepper.image is eng.resolve_image("seed")    # engine.finish stored and tagged it
    assert [s.kind for s in stepper.steps] == ["from", "layer", "config", "config"]


def test_each_step_redraws_the_picture_and_fills_the_log_and_the_tree(stepper):
    first = stepper.picture
    assert first.startswith(PNG)
    stepper.step()
    stepper.step()
    assert stepper.picture.startswith(PNG) and stepper.picture != first
    assert "ADD run.sh /" in stepper.log.value and "BUILT" in stepper.log.value
    assert "never built before" in stepper.log.value
    assert "run.sh" in stepper.tree_view.value and "L4" in stepper.tree_view.value
    assert "(next)" in stepper.log.value and "VOLUME /data" in stepper.log.value
    assert "BUILT · layer 30 B" in stepper.listing.value


def test_back_undoes_a_step_and_reset_starts_again_with_the_cache_warm(stepper):
    stepper.run_all()
    undone = stepper.back()
    assert undone.number == 4 and repr(stepper) == "BuildStepper: step 3 of 4 - VOLUME /data (config)"
    assert not stepper.done and stepper.current_line == 3
    stepper.reset()
    assert repr(stepper) == "BuildStepper: 0 of 4 steps run - next FROM ubuntu:14.04"
    stepper.step()
    stepper.step()
    assert repr(stepper) == "BuildStepper: step 2 of 4 - ADD run.sh / (layer, 30 B, CACHED)"
    assert "CACHED" in stepper.listing.value


def test_run_all_returns_the_image_and_buttons_do_what_they_say(stepper, eng):
    stepper.step_button.click()
    assert len(stepper.steps) == 1
    stepper.run_button.click()
    assert stepper.done and stepper.step_button.disabled and stepper.run_button.disabled
    stepper.back_button.click()
    assert len(stepper.steps) == 3 and not stepper.step_button.disabled
    stepper.reset_button.click()
    assert stepper.steps == [] and stepper.back_button.disabled
    assert stepper.run_all() is eng.resolve_image("seed")


def test_a_parse_error_is_shown_at_its_line_and_keeps_the_text_and_the_last_good_state(stepper):
    stepper.step()
    stepper.step()
    broken = SEED.replace("VOLUME /data", "VOLUM /data")
    stepper.text = broken
    assert stepper.text == broken and stepper.editor.value == broken
    assert stepper.error.startswith("line 3: unknown instruction: VOLUM")
    assert stepper.error_line == 3 and len(stepper.steps) == 2 and stepper.build.text == SEED
    assert 'class="ll-line ll-error-line" data-line="3"' in stepper.listing.value
    assert "unknown instruction: VOLUM" in stepper.listing.value and "does not parse" in stepper.listing.value
    assert repr(stepper).endswith("- error at line 3: unknown instruction: VOLUM (did you mean VOLUME?)")
    assert stepper.step() is None and len(stepper.steps) == 2          # no stepping a text that does not parse
    stepper.text = SEED.replace("VOLUME /data", "VOLUME /srv")
    assert stepper.error == "" and stepper.steps == []                 # fixed: a new build, from step 0
    stepper.run_all()
    assert stepper.image.config.volumes == ("/srv",) or "/srv" in stepper.image.config.volumes


def test_a_failed_step_is_shown_at_its_line_and_the_build_stays_where_it_was(eng):
    s = BuildStepper("FROM busybox\nCOPY missing.txt /\nCMD [\"sh\"]\n", {}, engine=eng)
    s.step()
    assert s.step() is None
    assert s.error_line == 2 and s.error.startswith("line 2: ") and len(s.steps) == 1
    assert 'class="ll-line ll-error-line" data-line="2"' in s.listing.value
    assert repr(s).startswith("BuildStepper: step 1 of 3 - FROM busybox (base image, 1 layer, 4.26 MB) - error at "
                              "line 2: ")
    s.context = {"missing.txt": "now here\n"}
    assert s.error == "" and s.run_all() is not None


def test_editing_in_the_editor_reparses_like_setting_text(stepper):
    stepper.editor.value = SEED + "RUN echo more > /more\n"      # what the browser sends on blur
    assert stepper.text.endswith("RUN echo more > /more\n") and stepper.error == ""
    assert repr(stepper) == "BuildStepper: 0 of 5 steps run - next FROM ubuntu:14.04"


def test_path_saves_every_edit_and_a_new_widget_loads_it(tmp_path, eng):
    path = tmp_path / "work" / "Dockerfile"
    s = BuildStepper(SEED, {"run.sh": RUN_SH}, engine=eng, path=path)
    assert path.read_text() == SEED
    s.text = SEED + "RUN echo x > /x\n"
    assert path.read_text() == s.text
    s.text = "FROM ubuntu:14.04\nFROBNICATE\n"                  # a broken text is saved too: nothing is lost
    assert path.read_text() == "FROM ubuntu:14.04\nFROBNICATE\n"
    again = BuildStepper(SEED, {"run.sh": RUN_SH}, engine=ll.Engine(), path=path)     # after a kernel restart
    assert again.text == "FROM ubuntu:14.04\nFROBNICATE\n" and again.error.startswith("line 2")
    assert again.build is None and again.step() is None
    assert repr(again).startswith("BuildStepper: no build - line 2: unknown instruction: FROBNICATE")
    again.revert()
    assert again.text == SEED and path.read_text() == SEED and again.error == ""


def test_the_repr_is_the_text_plain_of_the_display_bundle(stepper):
    bundle = stepper._repr_mimebundle_()
    assert bundle["text/plain"] == repr(stepper)
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == stepper.widget.model_id


def test_two_steppers_on_fresh_engines_say_the_same_things():
    reprs = []
    for _ in range(2):
        s = BuildStepper(SEED, {"run.sh": RUN_SH}, engine=ll.Engine(), tag="seed")
        seen = [repr(s)]
        while s.step() is not None:
            seen.append(repr(s))
        reprs.append(seen)
    assert reprs[0] == reprs[1]


def test_a_run_step_shows_its_output_and_the_tree_opens_where_it_wrote(eng):
    s = BuildStepper(PY, {"app.py": APP}, engine=eng, tag="app")
    for _ in range(4):
        s.step()
    assert repr(s).startswith("BuildStepper: step 4 of 5 - RUN pip install flask (layer, ")
    assert "Collecting flask" in s.log.value
    assert "site-packages" in s.tree_view.value


# -- ContainerPlayground -------------------------------------------------------------------------------------------
def test_commands_update_the_diff_and_the_copy_up_counter(seed_container):
    eng = seed_container
    p = ContainerPlayground("seed", engine=eng, volumes={"vol1": "/data"})
    assert repr(p) == ("ContainerPlayground: 0 commands in a container of seed - 1 change, 0 B copied up, "
                       "volume vol1 at /data")
    first = p.picture
    p.run("echo x > /etc/conf")
    assert "A /etc/conf" in p.diff_lines and "A /etc/conf" in p.diff_view.value
    assert "font-weight:700" in p.diff_view.value            # the new lines are highlighted
    assert p.copied_bytes == 0 and p.picture != first
    record = p.run("echo more >> /etc/bash.bashrc")
    assert record.exit_code == 0 and record.copied_bytes == 1994
    assert p.copied_bytes == 1994 and "1.99 kB copied up" in p.counter.value
    assert [(u.path, u.command) for u in p.copy_ups] == [("/etc/bash.bashrc", "echo more >> /etc/bash.bashrc")]
    assert "/etc/bash.bashrc" in p.copyups_view.value and "copied up from L0" in p.tree_view.value
    p.run("rm /etc/motd")
    assert "D /etc/motd" in p.diff_lines and "whiteout" in p.tree_view.value
    p.run("echo hi >> /data/out")                             # into the volume: docker diff does not change
    assert "/data/out" not in " ".join(p.diff_lines) and "vol1" in p.tree_view.value
    assert p.history == ["echo x > /etc/conf", "echo more >> /etc/bash.bashrc", "rm /etc/motd",
                         "echo hi >> /data/out"]
    assert repr(p) == ("ContainerPlayground: 4 commands in a container of seed - 5 changes, 1.99 kB copied up, "
                       "volume vol1 at /data")


def test_a_copy_up_that_docker_diff_does_not_see_is_not_called_an_empty_read_write_layer(eng):
    p = ContainerPlayground("ubuntu:14.04", engine=eng)
    assert "the read-write layer is empty" in p.diff_view.value
    p.run("chmod 644 /etc/passwd")                            # same mode: copied up, nothing for docker diff
    assert p.diff_lines == [] and p.copied_bytes > 0
    assert "the read-write layer is empty" not in p.diff_view.value
    assert "docker diff reports nothing, yet the read-write layer is not empty" in p.diff_view.value


def enter(p: ContainerPlayground) -> None:
    p.command._handle_string_msg(None, {"event": "submit"}, None)       # what pressing Enter sends


def test_enter_runs_the_text_that_follows_it_and_leaving_the_box_runs_nothing(eng, monkeypatch):
    import asyncio
    import threading

    from layerlab.views.widgets import common

    p = ContainerPlayground("busybox", engine=eng)
    monkeypatch.setattr(common, "_event_loop", asyncio.get_running_loop)      # as in a kernel: Enter waits

    async def learner():
        enter(p)                              # the browser sends 'submit' first, then the text (one message)
        p.command.value = "echo a > /a"
        await asyncio.sleep(0.5)
        p.command.value = "echo b > /b"       # typed, then the box lost focus: the text arrives, nothing runs
        await asyncio.sleep(0.5)
        assert p.history == ["echo a > /a"] and p.command.value == "echo b > /b"
        enter(p)                              # Enter later: no new text follows, the text in the box runs
        await asyncio.sleep(0.5)

    failures = []
    thread = threading.Thread(target=lambda: failures.extend(_run_async(learner)))   # a loop of its own
    thread.start()
    thread.join()
    assert failures == []
    assert p.history == ["echo a > /a", "echo b > /b"] and p.command.value == ""


def _run_async(coroutine_function) -> list:
    import asyncio

    try:
        asyncio.run(coroutine_function())
    except AssertionError as exc:
        return [exc]
    return []


def test_the_command_box_runs_on_enter_and_the_history_refills_it(seed_container):
    p = ContainerPlayground("seed", engine=seed_container)
    p.command.value = "echo one > /one"
    enter(p)
    assert p.history == ["echo one > /one"] and p.command.value == ""
    assert "A /one" in p.diff_lines
    p.command.value = "cat /one"
    p.run_button.click()
    assert "one" in p.output.value and p.history_view.options == ("echo one > /one", "cat /one")   # as p.history
    p.history_view.value = "echo one > /one"                          # picking a past command
    assert p.command.value == "echo one > /one"


def test_a_failing_command_shows_its_error_and_exit_code(seed_container):
    p = ContainerPlayground("seed", engine=seed_container)
    record = p.run("cat /nope")
    assert record.exit_code != 0 and "No such file" in p.output.value and "exit code" in p.output.value
    assert p.run('echo "unterminated').exit_code == 2


def test_commit_shows_the_new_image_history(seed_container):
    eng = seed_container
    p = ContainerPlayground("seed", engine=eng)
    p.run("echo x > /etc/conf")
    img = p.commit("seed:v2")
    assert eng.resolve_image("seed:v2") is img and len(img.layers) == len(p.container.image.layers) + 1
    assert "committed" in p.result.value and "CREATED BY" in p.result.value
    p.tag_box.value = "seed:v3"
    p.commit_button.click()
    assert eng.resolve_image("seed:v3").layers[-1].entries.keys() == img.layers[-1].entries.keys()


def test_export_is_one_flat_tar_without_whiteouts_and_the_summary_counts_it_exactly(eng):
    p = ContainerPlayground("busybox", engine=eng)
    p.run("rm /bin/ls && echo hi > /etc/motd")
    p.run("mkdir -p /" + "d" * 60 + "/" + "e" * 60 + " && echo x > /" + "d" * 60 + "/" + "e" * 60 + "/f")
    p.run("echo é > /tmp/café && ln /bin/busybox /bb2 && ln -s /" + "l" * 120 + " /longlink && : > /empty")
    data = p.export()
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        names = tar.getnames()
    summary = export_summary(p.container)
    assert summary.members == len(names) and summary.tar_bytes == len(data) and summary.whiteouts == 0
    assert not any(n.rsplit("/", 1)[-1].startswith(".wh.") for n in names) and "bin/ls" not in names
    assert "✓ no whiteouts" in p.result.value and f"{summary.members:,} members" in p.result.value
    p.export_button.click()
    assert p.last_export == summary


def test_the_volume_toggle_recreates_the_container_and_replays_the_history(seed_container):
    eng = seed_container
    p = ContainerPlayground("seed", engine=eng, volumes={"vol1": "/data"})
    p.run("echo hi > /data/mine && echo x > /etc/conf")
    old = p.container
    assert p.toggle_volume("vol1", "/data") is False
    assert old.id not in eng.containers and p.container is not old
    assert p.history == ["echo hi > /data/mine && echo x > /etc/conf"]
    # seed declares VOLUME /data: without vol1 Docker mounts an anonymous volume there, so still not in the diff
    assert [s for s, d in p.volume_mounts if d == "/data"] != ["vol1"]
    assert "anonymous volume" in repr(p) and "A /etc/conf" in p.diff_lines
    assert "anonymous volume instead" in p.result.value and p.volume_button.value is False
    p.volume_button.value = True                           # the toggle button does the same
    assert ("vol1", "/data") in p.volume_mounts and "volume vol1 at /data" in repr(p)
    assert eng.volume_files("vol1") == ["", "/mine", "/out"] or "/mine" in eng.volume_files("vol1")


def test_without_a_volume_writes_under_the_path_land_in_the_read_write_layer(eng):
    p = ContainerPlayground("busybox", engine=eng, volumes={"vol1": "/data"})
    p.run("mkdir -p /data && echo x > /data/f")
    assert "A /data/f" not in p.diff_lines
    assert p.toggle_volume() is False
    assert "A /data/f" in p.diff_lines and "A /data/f" in p.diff_view.value
    assert p.toggle_volume() is True and "A /data/f" not in p.diff_lines
    assert "gone from docker diff: A /data/f" in p.result.value


def test_a_container_or_a_dockerfile_can_be_the_source(seed_container):
    eng = seed_container
    c = eng.run("seed", "sleep infinity", name="mine", env={"MODE": "test"}, workdir="/srv")
    p = ContainerPlayground(c)                       # the engine is found from the container
    assert p.engine is eng and p.container is c
    p.run("echo $MODE > here")
    assert p.toggle_volume() is True                 # recreated: same name, command, env and workdir
    new = p.container
    assert new.name == "mine" and new.command == ("sleep", "infinity") and new.config.working_dir == "/srv"
    assert "MODE=test" in new.config.env and "A /srv/here" in p.diff_lines
    q = ContainerPlayground("FROM busybox\nRUN echo hi > /hi\n", engine=eng)
    assert q.run("cat /hi").stdout == "hi\n"


# -- LayerInspector ------------------------------------------------------------------------------------------------
def test_the_inspector_lists_layers_and_shows_changeset_members_and_digests(seed_container):
    eng = seed_container
    img = eng.resolve_image("seed")
    i = LayerInspector(img, engine=eng)
    assert i.index == 4 and i.layer is img.layers[4]
    assert repr(i) == "LayerInspector: L4 of 5 layers - ADD run.sh / - 30 B, 1 added"
    assert [label for label, _ in i.dropdown.options][4].startswith("L4    ADD run.sh /")
    d = i.details
    assert (d["diff_id"], d["chain_id"], d["tar_size"]) == (img.layers[4].diff_id, img.chain_ids[4],
                                                            img.layers[4].tar_size)
    assert img.chain_ids[4] in i.digests.value and f"{img.layers[4].tar_size:,} bytes" in i.digests.value
    assert "run.sh" in i.members.value and "added" in i.changeset.value
    i.dropdown.value = 2                                    # the learner picks L2
    assert i.index == 2 and i.layer is img.layers[2]
    assert repr(i) == "LayerInspector: L2 of 5 layers - RUN rm -rf /var/lib/apt/lists/* - 0 B, 2 whiteouts"
    assert "var/lib/apt/lists/.wh.lock" in i.members.value and "whiteout" in i.changeset.value
    i.select(0)
    assert "… 13,619 more members" in i.members.value and i.dropdown.value == 0
    assert i.select(-1).index == 4 and i.select("L1").index == 1
    with pytest.raises(ll.LayerlabError):
        i.select(9)


def test_the_first_members_are_the_first_rows_of_the_whole_layer(seed_container):
    img = seed_container.resolve_image("seed")
    layers = list(img.layers) + [ll.Layer.from_spec({"/etc/": ll.OPAQUE, "/etc/x": "1", "/bin/sh": ll.WHITEOUT,
                                                     "/a/.hidden": "2", "/a/b/": ll.DIR})]
    for k, layer in enumerate(layers):
        lower = img.rootfs if k == len(img.layers) else (ll.merge(img.layers[:k]) if k else None)
        head = first_members(layer, 40)
        assert ll.member_names(head) == ll.member_names(layer)[:40]
        assert member_count(layer) == len(ll.member_names(layer))
        whole = changeset_table(layer, lower=lower, limit=40).cells
        assert changeset_table(head, lower=lower).cells == whole[:40]


def test_the_inspector_of_a_container_adds_its_init_and_read_write_layers(seed_container):
    eng = seed_container
    c = eng.run("seed", name="insp")
    eng.exec(c, "echo more >> /etc/bash.bashrc && rm /etc/motd")
    i = LayerInspector(c, engine=eng)
    assert i.labels == ["L0", "L1", "L2", "L3", "L4", "init", "rw"] and i.label == "rw"
    assert repr(i) == ("LayerInspector: rw layer of container insp - read-write layer of container insp - 2 kB, "
                       "1 added, 1 copied up, 1 whiteout")        # added: /data, the mount point of VOLUME /data
    assert "what docker commit would give" in i.digests.value
    assert i.details["chain_id"] == ll.chain_id(c.image.diff_ids + [c.rw_layer().diff_id])
    assert i.details["chain_id"] == eng.commit(c).chain_ids[-1]
    i.select("init")
    assert i.details["chain_id"] is None and "never committed" in i.digests.value
    eng.exec(c, "echo new > /new")                      # the container keeps writing: the rw row follows
    i.select("rw")
    assert "/new" in i.changeset.value and "new" in i.members.value
    assert repr(i).endswith("2 added, 1 copied up, 1 whiteout") and i.dropdown.value == i.index == 6


# -- DriverView ------------------------------------------------------------------------------------------------------
def test_the_driver_view_switches_between_overlay2_aufs_and_vfs(seed_container):
    eng = seed_container
    c = eng.run("seed", volumes={"vol1": "/data"}, name="drv")
    eng.exec(c, "echo x > /etc/conf && rm /etc/motd")
    d = DriverView(c, engine=eng)
    assert d.driver == "overlay2" and d.toggle.value == "overlay2"
    assert repr(d) == ("DriverView: overlay2 - container of seed, 7 layer directories, 197 MB on disk "
                       "(aufs 197 MB, vfs 1.38 GB)")
    pictures = {"overlay2": d.picture}
    assert "/var/lib/docker/overlay2" in d.layout_view.value and "whiteout: deletes /etc/motd" in d.layout_view.value
    d.toggle.value = "aufs"                                      # the learner clicks aufs
    assert d.driver == "aufs" and "etc/.wh.motd" in d.layout_view.value
    pictures["aufs"] = d.picture
    d.show("vfs")
    pictures["vfs"] = d.picture
    assert d.toggle.value == "vfs" and "/var/lib/docker/vfs" in d.layout_view.value
    assert len(set(pictures.values())) == 3 and all(p.startswith(PNG) for p in pictures.values())
    assert repr(d).startswith("DriverView: vfs - container of seed, 7 layer directories, 1.38 GB on disk")
    with pytest.raises(ll.LayerlabError):
        d.show("btrfs")


def test_disk_usage_per_driver_is_what_the_driver_layouts_add_up_to(seed_container):
    from layerlab.runtime import drivers

    eng = seed_container
    c = eng.run("seed", name="du")
    eng.exec(c, "echo more >> /etc/bash.bashrc && rm /etc/motd && ln -s /etc/conf /etc/link")
    img = eng.build("FROM busybox\nRUN rm /bin/ls && ln /bin/busybox /bin/bb && echo x > /x\n", tag="small")
    for subject, layout in ((c, drivers.container_layout), (img, drivers.image_layout)):
        for driver in ("overlay2", "aufs", "vfs"):
            stored = sum(d.size for d in layout(subject, driver).dirs if d.role not in ("merged", "mnt", "links"))
            assert usage(subject, driver).total == stored, (driver, subject)


def test_the_prefetched_layouts_are_the_ones_computed_on_demand(eng):
    c = eng.run("busybox", name="pre")
    eng.exec(c, "rm /bin/ls")
    d = DriverView(c, engine=eng, prefetch=True).wait()
    e = DriverView(c, engine=eng, prefetch=False)
    for driver in ("aufs", "vfs"):
        assert d.show(driver).layout_text == e.show(driver).layout_text
    eng.exec(c, "echo x > /new")                                 # the container changed: computed again
    assert "new" in d.show("overlay2").layout_text
    assert d.refresh().usage["overlay2"].container == e.refresh().usage["overlay2"].container == c.init.size + 2


def test_a_driver_view_of_an_image(eng):
    img = eng.build("FROM busybox\nRUN echo hi > /hi\n", tag="hi")
    d = DriverView(img, engine=eng, driver="aufs", prefetch=False)
    assert repr(d) == f"DriverView: aufs - image {img.short_id}, 2 layer directories, 4.26 MB on disk " \
                      "(overlay2 4.26 MB, vfs 8.52 MB)"
    assert d.show("vfs").picture.startswith(PNG) and "dir/" in d.layout_text


# -- helpers --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("changed, expected", [
    (["/etc", "/etc/conf"], ["/etc"]),
    (["/run.sh"], ["/"]),
    (["/a/b/c", "/a/b/d", "/x/y"], ["/a/b", "/x"]),
    (["/usr/lib/p/a", "/usr/lib/p/b/c", "/usr/bin/x", "/root/.cache/k/v", "/tmp/z"], ["/root/.cache/k", "/usr"]),
])
def test_focus_dirs_open_the_tree_where_things_changed(changed, expected):
    assert focus_dirs(changed) == expected


# -- the reviewer's defects ------------------------------------------------------------------------------------------
LONG = ("FROM ubuntu:14.04\nRUN apt-get update && \\\n    apt-get install -y curl && \\\n    rm -rf /var/lib/apt/lists/*\n"
        "RUN echo " + "a-rather-long-word-" * 8 + "end > /long.txt\nCMD [\"sh\"]\n")


def _text(html_value: str) -> str:
    import html
    import re
    return html.unescape(re.sub(r"<[^>]+>", "", html_value))


def test_the_inspector_counts_agree_with_the_changeset_rows(eng):
    img = eng.build("FROM busybox\nRUN echo x > /etc/motd && rm /bin/ls\n", tag="counts")
    i = LayerInspector(img, engine=eng)
    table = i.details["changeset"].splitlines()[1:]
    kinds = [row.split()[1] for row in table]
    assert kinds.count("modified") == 2 and kinds.count("whiteout") == 1      # bin/ and etc/ are 'modified' rows
    content = _text(i.digests.value)
    assert "in 4 entries: 1 added file, 2 modified directories, 1 whiteout" in content
    assert repr(i).endswith("1 added, 1 whiteout")              # the repr (stored in notebooks) is unchanged


def test_the_inspector_counts_a_copied_up_file_as_the_modified_row_it_is(eng):
    c = eng.run("busybox")
    eng.exec(c, "echo more >> /etc/passwd")
    i = LayerInspector(c, engine=eng)
    assert [row.split()[1] for row in i.details["changeset"].splitlines()[1:]] == ["modified", "modified"]
    assert "2 entries: 1 modified file (1 copied up), 1 modified directory" in _text(i.digests.value)


def test_a_cached_step_shows_no_output_and_the_layer_count_tells_built_from_reused(eng):
    BuildStepper(LONG, engine=eng).run_all()
    s = BuildStepper(LONG, engine=eng)
    s.step()
    step = s.step()
    assert step.cached and step.output.strip()         # the cache keeps the output, the step did not run
    log = _text(s.log.value)
    assert "cache hit: not run, so no output" in log
    assert not any(line.strip() in log for line in step.output.splitlines() if line.strip())
    assert "so far: 0 new layers built, 1 layer reused from the cache" in log
    s.run_all()
    assert "so far: 0 new layers built, 2 layers reused from the cache, 1 config-only step" in _text(s.log.value)
    fresh = BuildStepper(LONG.replace("end > /long.txt", "END > /long.txt"), engine=eng)
    fresh.run_all()
    assert "so far: 1 new layer built, 1 layer reused from the cache, 1 config-only step" in _text(fresh.log.value)


def test_the_listing_keeps_continuation_lines_in_the_grid_and_the_log_wraps(eng):
    import re
    s = BuildStepper(LONG, engine=eng)
    s.run_all()
    rows = re.findall(r'<div class="(ll-line[^"]*)" data-line="(\d+)" style="([^"]*)">', s.listing.value)
    assert [int(n) for _, n, _ in rows] == [1, 2, 3, 4, 5, 6]
    assert all("display:grid" in style and "minmax(0,1fr) max-content" in style for _, _, style in rows)
    assert [c for c, n, _ in rows if "ll-continued" in c] == ["ll-line ll-continued"] * 2
    assert 'class="ll-line-text" style="white-space:pre-wrap' in s.listing.value
    assert s.listing.value.count("ll-badge-built") == 2 and "↳ line 2" in s.listing.value
    assert "white-space:pre-wrap" in s.log.value and "RUN apt-get update && apt-get install -y curl" in _text(
        s.log.value)                                        # the continuation backslashes are gone from the log
    s.step()                                                # done: the last step stays current
    s.back()
    s.back()
    s.back()
    s.step()
    assert current_lines(s) == [2, 3, 4]                    # the whole instruction, ▶ on its first line only
    assert s.listing.value.count("▶") == 1


def test_the_playground_highlights_what_the_last_command_wrote(eng):
    import re
    p = ContainerPlayground("busybox", engine=eng, volumes={"dbdata": "/var/lib/db"})

    def hits() -> list[str]:
        return [_text(h).split("── ")[-1] for h in re.findall(r'<span class="ll-tree-hit"[^>]*>([^<]*)</span>',
                                                                p.tree_view.value)]

    p.run("echo note > /var/lib/db/note.txt")
    assert hits() == ["note.txt  dbdata"]
    p.run("date > /tmp/run.log")
    assert hits() == ["run.log  rw"] and "/tmp/" in _text(p.tree_view.value)
    p.run("echo note > /var/lib/db/note.txt")
    p.run("echo x > /tmp/run.log")                          # written again: no new docker diff line, still the last
    assert hits() == ["run.log  rw"]
    assert "A /tmp/run.log" in re.findall(r'font-weight:700[^>]*>([^<]*)<', p.diff_view.value)
    p.run("ls /")                                           # writes nothing: nothing is highlighted
    assert hits() == [] and "the last command changed no file" in p.tree_view.value


def test_the_playground_history_hint_volume_words_and_wrapping_diff_pane(eng):
    p = ContainerPlayground("busybox", engine=eng, volumes={"vol1": "/data"})
    assert p.history_view.layout.display == "none" and p.history_hint.layout.display == ""
    assert "no command yet" in p.history_hint.value
    assert "white-space:pre-wrap" in p.diff_view.value
    empty = ContainerPlayground("busybox", engine=eng).diff_view.value
    assert "white-space:pre-wrap" in empty and "the read-write layer is empty" in empty
    assert p.volume_button.description == "volume vol1 at /data: mounted · click to unmount"
    assert "docker rm -f" in p.volume_button.tooltip and "replays the history" in p.volume_button.tooltip
    p.run("echo a > /a")
    p.run("echo b > /b")
    assert p.history_view.options == tuple(p.history) == ("echo a > /a", "echo b > /b")
    assert p.history_view.rows == 2 and p.history_view.layout.display == ""
    assert p.copyups_view.layout.margin == "0 0 4px 0" and p.counter.layout.margin == "0"
    p.toggle_volume()
    assert p.volume_button.description == "volume vol1 at /data: not mounted · click to mount"
    assert p.volume_button.tooltip.startswith("Mount volume vol1 at /data")


def test_the_vfs_bars_are_filled_and_the_on_disk_pane_shows_whole_lines(seed_container):
    from layerlab.views.widgets import driverview
    from layerlab.views.widgets.common import LINE_PX

    c = seed_container.run("seed")
    fig = driverview.vfs_picture(c, engine=seed_container)
    try:
        bars = {p.get_gid(): p for p in fig.findobj() if str(p.get_gid() or "").startswith("bar:")}
    finally:
        import matplotlib.pyplot as plt
        plt.close(fig)
    fills = [b for gid, b in bars.items() if not gid.endswith(":track")]
    tracks = [b for gid, b in bars.items() if gid.endswith(":track")]
    assert fills and len(fills) == len(tracks)
    from matplotlib.colors import to_hex
    assert {to_hex(b.get_facecolor()) for b in fills} == {driverview.BAR_FILL.lower()}
    assert {to_hex(b.get_facecolor()) for b in tracks} == {"#ffffff"}
    d = DriverView(c, engine=seed_container, driver="vfs", prefetch=False)
    assert f"line-height:{LINE_PX}px" in d.layout_view.value
    assert f"max-height:{driverview.ON_DISK_LINES * LINE_PX - 6}px;box-sizing:content-box" in d.layout_view.value


def test_a_directory_the_read_write_layer_holds_is_attributed_to_rw_in_the_trees(eng):
    p = ContainerPlayground("busybox", engine=eng)
    p.run("echo x > /etc/conf && mkdir -p /opt && echo y > /opt/a")
    assert {"/etc", "/opt"} <= set(p.container.rootfs.upper)
    tree = _text(p.tree_view.value)
    assert any(line.startswith("/etc/") and line.rstrip().endswith("rw") for line in tree.splitlines()), tree
