"""SEMANTICS.md sections 3, 4 and 7 on running containers: init and read-write layers, copy-up, volumes,
docker diff, commit and export, and the daemon's refusals."""

from __future__ import annotations

import io
import tarfile

import pytest

from layerlab import ConflictError, Engine, LayerlabError, Mount, NotFoundError, OPAQUE, Synthetic, WHITEOUT
from layerlab.runtime.initlayer import init_layer

SEED = 'FROM ubuntu:14.04\nADD run.sh /\nVOLUME /data\nCMD ["./run.sh"]\n'
RUN_SH = "#!/bin/sh\necho 'hello from run.sh' > /data/out\n"


@pytest.fixture
def eng():
    e = Engine()
    e.build(SEED, {"run.sh": RUN_SH}, tag="seed")
    e.build("FROM busybox\nRUN mkdir -p /srv/www && echo index > /srv/www/index.html && "
            "dd if=/dev/zero of=/big bs=1M count=100 2>/dev/null\n", tag="web")
    return e


def kinds(layer):
    return {p: e.kind for p, e in layer.entries.items()}


# Rule 21: the init layer.
def test_rule_21_init_layer_holds_placeholders_and_mount_points():
    layer = init_layer()
    assert {p: e.kind for p, e in layer.entries.items() if p not in ("/dev", "/etc")} == {
        "/.dockerenv": "file", "/dev/console": "file", "/dev/pts": "dir", "/dev/shm": "dir", "/etc/hostname": "file",
        "/etc/hosts": "file", "/etc/mtab": "symlink", "/etc/resolv.conf": "file", "/proc": "dir", "/sys": "dir"}
    assert all(e.size == 0 for e in layer.entries.values() if e.kind == "file")


def test_a_container_sits_on_image_plus_init_and_starts_with_an_empty_rw_layer(eng):
    c = eng.create("web")
    assert len(c.lower.layers) == len(c.image.layers) + 1
    assert c.rootfs.upper == {} and eng.diff(c) == []
    assert c.where("/.dockerenv") == ("init layer", "/.dockerenv")


def test_hosts_files_are_bind_mounts_over_empty_placeholders(eng):
    c = eng.run("web", "true")
    hostname = eng.exec(c, "cat /etc/hostname").stdout
    assert hostname == c.short_id + "\n"
    assert c.where("/etc/hostname") == ("bind mount", f"/var/lib/docker/containers/{c.id}/hostname")
    assert c.view().read("/etc/hostname") == b"", "the container's own layers hold only the empty placeholder"


# Rule 13 in a container: copy-up is whole-file and recorded.
@pytest.mark.parametrize("command, copied", [
    ("chmod 600 /big", 100 << 20),
    ("touch /big", 100 << 20),
    ("head -c 100 /big > /dev/null", 0),
    ("rm /big", 0),
    ("echo more >> /srv/www/index.html", 6),
], ids=["chmod", "touch", "read", "delete", "append"])
def test_rule_13_copy_up_cost_of_each_command(eng, command, copied):
    c = eng.run("web", "true")
    record = eng.exec(c, command)
    assert (record.exit_code, record.copied_bytes) == (0, copied)


def test_deleting_leaves_a_whiteout_and_recreating_a_dir_makes_it_opaque(eng):
    c = eng.run("web", "true")
    eng.exec(c, "rm /bin/ls && rm -rf /srv/www && mkdir /srv/www && echo new > /srv/www/new.html")
    assert kinds(c.rw_layer("overlay2"))["/bin/ls"] == "whiteout"
    assert kinds(c.rw_layer("overlay2"))["/srv/www"] == "opaque"
    assert kinds(c.rw_layer("vfs"))["/srv/www/index.html"] == "whiteout"


# Rules 14-17: docker diff.
def test_rule_14_diff_is_against_the_init_layer(eng):
    c = eng.run("web", "true")
    assert not any(p in ("/.dockerenv", "/etc/hosts") for _, p in eng.diff(c))


@pytest.mark.parametrize("command, expected", [
    ("echo x > /tmp/new", [("C", "/tmp"), ("A", "/tmp/new")]),
    ("rm /srv/www/index.html", [("C", "/srv"), ("C", "/srv/www"), ("D", "/srv/www/index.html")]),
    ("rm -rf /srv/www", [("C", "/srv"), ("D", "/srv/www")]),
    ("chmod 700 /big", [("C", "/big")]),
    ("chmod 644 /big", []),
    ("rm -rf /srv/www && echo file > /srv/www", [("C", "/srv"), ("C", "/srv/www")]),
    ("mkdir -p /a/b/c", [("A", "/a"), ("A", "/a/b"), ("A", "/a/b/c")]),
], ids=["add", "delete-with-ancestors", "delete-dir-not-children", "chmod", "copied-up-unchanged",
        "dir-became-file", "new-tree"])
def test_rules_15_16_17_diff_kinds(eng, command, expected):
    c = eng.run("web", "true")
    eng.exec(c, command)
    assert eng.diff(c) == expected


def test_rule_17_a_copied_up_unchanged_file_is_committed_yet_not_in_diff(eng):
    c = eng.run("web", "true")
    eng.exec(c, "chmod 644 /big")
    assert eng.diff(c) == []
    img = eng.commit(c, "web:copied")
    assert list(img.layers[-1].entries) == ["/big"] and img.layers[-1].size == 100 << 20


# Rule 22: commit.
def test_rule_22_commit_leaves_out_init_files_and_volume_content(eng):
    c = eng.run("seed")
    eng.exec(c, "echo x > /data/more && echo y > /root/notes && cat /etc/hosts > /dev/null")
    img = eng.commit(c, "seed:committed", message="my change", author="me")
    layer = img.layers[-1]
    assert "/root/notes" in layer.entries
    assert not any(p.startswith(("/data/", "/.dockerenv", "/etc/hosts", "/etc/hostname")) for p in layer.entries)
    top = img.history[-1]
    assert (top.created_by, top.comment, top.author, top.empty_layer) == ("./run.sh", "my change", "me", False)


def test_rule_22_an_empty_diff_commits_an_empty_layer_entry(eng):
    c = eng.create("web")
    img = eng.commit(c, "web:same")
    assert img.history[-1].empty_layer and img.layers == c.image.layers


def test_rule_22_commit_change_instructions(eng):
    c = eng.run("web", "true")
    img = eng.commit(c, "web:conf", changes=['CMD ["httpd", "-f"]', "ENV MODE=prod", "EXPOSE 8080", "WORKDIR /srv"])
    cfg = img.config
    assert (cfg.cmd, cfg.env_dict()["MODE"], cfg.exposed_ports, cfg.working_dir) == (
        ("httpd", "-f"), "prod", ("8080/tcp",), "/srv")
    with pytest.raises(LayerlabError, match="not a valid change command"):
        eng.commit(c, changes=["RUN echo no"])


# Rule 23: export.
def test_rule_23_export_is_flat_without_whiteouts_and_without_volume_content(eng):
    c = eng.run("seed")
    eng.exec(c, "rm /etc/motd")
    names = tarfile.open(fileobj=io.BytesIO(eng.export(c))).getnames()
    assert "run.sh" in names and "data" in names
    assert not any(".wh." in n for n in names) and "etc/motd" not in names
    assert "data/out" not in names, "the volume's content lives on the host, not in the container's layers"
    members = {m.name: m for m in tarfile.open(fileobj=io.BytesIO(eng.export(c)))}
    assert members["etc/hostname"].size == 0 and members["etc/hosts"].size == 0


# Rule 25: volumes.
def test_rule_25_a_new_volume_is_filled_from_the_image_and_writes_go_to_the_host(eng):
    c = eng.run("web", "true", volumes={"site": "/srv/www"})
    assert eng.volume_files("site") == ["/index.html"]
    eng.exec(c, "echo hi > /srv/www/new.html")
    assert "/new.html" in eng.volume_files("site")
    assert not c.rootfs.in_upper("/srv/www/new.html")
    assert eng.host.read("/var/lib/docker/volumes/site/_data/new.html") == b"hi\n"


def test_an_anonymous_volume_comes_from_the_image_volume_instruction(eng):
    c = eng.run("seed")
    (mount,) = [m for m in c.mounts if m.destination == "/data"]
    assert mount.anonymous and mount.type == "volume"
    assert eng.volume_files(mount.source) == ["/out"]


def test_volumes_outlive_containers_and_a_used_volume_cannot_be_removed(eng):
    c = eng.run("web", "sh -c 'echo keep > /data/keep'", volumes={"shared": "/data"})
    with pytest.raises(ConflictError, match="volume is in use"):
        eng.volume_rm("shared")
    eng.stop(c)
    eng.rm(c)
    c2 = eng.run("web", "true", volumes={"shared": "/data"})
    assert eng.exec(c2, "cat /data/keep").stdout == "keep\n"


def test_bind_mounts_show_host_files(eng):
    eng.host.mkdir("/home/learner/site", 0o755)
    eng.host.write("/home/learner/site/page.html", b"<h1>from the host</h1>")
    c = eng.run("web", "true", mounts=[Mount("bind", "/home/learner/site", "/usr/share/site", "")])
    assert eng.exec(c, "cat /usr/share/site/page.html").stdout == "<h1>from the host</h1>"


def test_read_only_mounts_refuse_writes(eng):
    c = eng.run("web", "true", volumes={"ro": "/data:ro"})
    record = eng.exec(c, "touch /data/x")
    assert record.exit_code != 0 and "Read-only file system" in record.stderr


# Lifecycle.
def test_stop_and_restart_keep_the_rw_layer_and_rm_discards_it(eng):
    c = eng.run("web", "true")
    eng.exec(c, "echo kept > /kept")
    eng.stop(c)
    with pytest.raises(ConflictError, match="is not running"):
        eng.exec(c, "ls")
    eng.restart(c)
    assert eng.exec(c, "cat /kept").stdout == "kept\n"
    with pytest.raises(ConflictError, match="container is running"):
        eng.rm(c)
    eng.rm(c, force=True)
    with pytest.raises(NotFoundError):
        eng.container(c.name)


def test_ps_size_is_the_rw_layer_and_virtual_adds_the_image(eng):
    c = eng.run("web", "true")
    eng.exec(c, "echo 12345 > /f")
    assert (c.size, c.virtual_size) == (6, c.image.size + 6)
    row = eng.ps(size=True)[0]
    assert row["size"] == f"6B (virtual {__import__('layerlab').tables.human_size(c.image.size + 6)})"


def test_rmi_refuses_an_image_a_container_uses(eng):
    eng.create("web")
    with pytest.raises(ConflictError, match="is using its referenced image"):
        eng.rmi("web")


# Bad input: a clear error, and nothing changes.
@pytest.mark.parametrize("command, message", [
    ("echo x > /bin/busybox/child", "Directory nonexistent"),
    ("rm -rf /", "dangerous to operate recursively on '/'"),
    ("rmdir /srv", "Directory not empty"),
], ids=["child-of-a-file", "remove-root", "rmdir-nonempty"])
def test_failed_commands_explain_and_change_nothing(eng, command, message):
    c = eng.run("web", "true")
    before = c.view()
    record = eng.exec(c, command)
    assert record.exit_code != 0 and message in record.stderr
    assert c.view() == before


@pytest.mark.parametrize("call, message", [
    (lambda e: e.volume_create("a/b"), "includes invalid characters"),
    (lambda e: e.run("web", "true", mounts=[Mount("bind", "/no/such/dir", "/x", "")]),
     "bind source path does not exist"),
    (lambda e: e.run("nosuch:image"), "repository does not exist"),
    (lambda e: e.exec("nosuchcontainer", "ls"), "No such container"),
    (lambda e: e.run("web", "true", name="twin") and e.run("web", "true", name="twin"), "already in use"),
], ids=["volume-slash", "missing-bind-source", "unknown-image", "unknown-container", "duplicate-name"])
def test_daemon_errors_read_like_dockers(eng, call, message):
    with pytest.raises(LayerlabError, match=message):
        call(eng)


def test_system_df_counts_shared_layers_once(eng):
    eng.build("FROM busybox\nRUN echo other > /other\n", tag="other")
    rows = {r["repository"] + ":" + r["tag"]: r for r in eng.system_df_verbose()}
    assert rows["web:latest"]["shared_size"] == rows["other:latest"]["shared_size"] != "0B"


def test_drivers_decide_the_whiteout_style_of_commit():
    for driver, expected in (("overlay2", "opaque"), ("vfs", "whiteout")):
        e = Engine(driver=driver)
        e.build("FROM busybox\nRUN mkdir /d && touch /d/a /d/b\n", tag="t")
        c = e.run("t", "true")
        e.exec(c, "rm -rf /d && mkdir /d")
        layer = e.commit(c, "t:2").layers[-1]
        assert kinds(layer)["/d" if expected == "opaque" else "/d/a"] == expected


def test_where_does_not_follow_a_final_symlink(eng):
    c = eng.create("web")
    assert c.where("/etc/mtab") == ("init layer", "/etc/mtab")


def test_import_of_an_export_keeps_one_layer_and_one_history_entry(eng, tmp_path):
    c = eng.run("web", "true")
    eng.export(c, tmp_path / "flat.tar")
    img = eng.import_(tmp_path / "flat.tar", "flat:1")
    assert len(img.layers) == 1 and [h.comment for h in img.history] == ["Imported from -"]
    assert img.created.startswith("2026-")
