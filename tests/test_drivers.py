"""Storage drivers (SEMANTICS rule 10 and the driver layouts): the same container as overlay2, aufs and vfs store it
under /var/lib/docker, the mount options Docker passes, what `docker inspect` says, and what each costs on disk."""

from __future__ import annotations

import pytest

from layerlab import Engine, LayerlabError
from layerlab.runtime import DRIVERS, disk_usage, layout
from layerlab.runtime.drivers import AUFS_BASE, DOCKER_ROOT, OPAQUE_XATTR, cache_id, link_id, snapshot_entries

WEB = ("FROM busybox\nRUN mkdir -p /srv/www && echo index > /srv/www/index.html && echo a > /srv/a "
       "&& echo b > /srv/b\n")


def engine(driver: str = "overlay2") -> Engine:
    eng = Engine(driver=driver)
    eng.build(WEB, tag="web")
    return eng


def on_disk(entry) -> tuple:
    """What `ls -l` and `getfattr` would show of an entry: (ls mode, size or major,minor, xattrs, hard link)."""
    size = entry.rdev if entry.rdev is not None else entry.size
    return entry.ls_mode, size, dict(entry.xattrs), entry.link


# Rule 10: the same facts, each driver's on-disk form.
@pytest.mark.parametrize("driver, command, role, path, expected", [
    ("overlay2", "rm /srv/a", "upperdir", "srv/a", ("c---------", (0, 0), {}, "")),
    ("overlay2", "rm -rf /srv/www && mkdir /srv/www", "upperdir", "srv/www",
     ("drwxr-xr-x", 0, {"trusted.overlay.opaque": b"y"}, "")),
    ("overlay2", "chmod 600 /srv/b", "upperdir", "srv/b", ("-rw-------", 2, {}, "")),
    ("aufs", "rm /srv/a", "rw", "srv/.wh.a", ("-r--r--r--", 0, {}, AUFS_BASE)),
    ("aufs", "rm -rf /srv/www && mkdir /srv/www", "rw", "srv/www/.wh..wh..opq", ("-r--r--r--", 0, {}, AUFS_BASE)),
    ("aufs", "rm -rf /srv/www && mkdir /srv/www", "rw", "srv/www", ("drwxr-xr-x", 0, {}, "")),
    ("aufs", "true", "rw", ".wh..wh.aufs", ("-r--r--r--", 0, {}, "")),
    ("aufs", "true", "rw", ".wh..wh.orph", ("drwx------", 0, {}, "")),
    ("aufs", "true", "rw", ".wh..wh.plnk", ("drwx------", 0, {}, "")),
], ids=["overlay2-whiteout-is-char-0-0", "overlay2-opaque-xattr", "overlay2-chmod-copies-up-whole",
        "aufs-whiteout-file-linked-to-base", "aufs-opaque-marker", "aufs-opaque-dir-itself-is-plain",
        "aufs-meta-base", "aufs-meta-orph", "aufs-meta-plnk"])
def test_rule_10_on_disk_form(driver, command, role, path, expected):
    eng = engine(driver)
    c = eng.run("web", "true")
    eng.exec(c, command)
    assert on_disk(layout(eng, c).dir(role).entry(path)) == expected


@pytest.mark.parametrize("driver", DRIVERS)
def test_rule_10_no_driver_shows_a_whiteout_in_the_merged_view(driver):
    eng = engine(driver)
    c = eng.run("web", "true")
    eng.exec(c, "rm /srv/a && rm -rf /srv/www && mkdir /srv/www")
    merged = {"overlay2": "merged", "aufs": "mnt", "vfs": "dir"}[driver]
    top = [d for d in layout(eng, c).with_role(merged) if d.entries][-1]
    paths = {e.path for e in top.entries}
    assert "srv/a" not in paths and "srv/www/index.html" not in paths and "srv/www" in paths
    assert not any(e.marking or ".wh." in e.path or e.kind == "char" for e in top.entries)


def test_rule_10_a_merged_directory_shows_the_upper_directorys_metadata():
    eng = engine()
    c = eng.run("web", "true")
    eng.exec(c, "chmod 700 /srv")
    lay = layout(eng, c)
    image_srv = lay.with_role("lowerdir")[1].entry("srv")
    assert (image_srv.mode, lay.dir("upperdir").entry("srv").mode, lay.dir("merged").entry("srv").mode) == (
        0o755, 0o700, 0o700)


@pytest.mark.parametrize("driver, image_marker", [
    ("overlay2", ("srv/a", "c---------", "")),
    ("aufs", ("srv/.wh.a", "----------", "")),
], ids=["overlay2", "aufs"])
def test_rule_10_whiteouts_in_image_layers_are_extracted_from_the_tar(driver, image_marker):
    eng = Engine(driver=driver)
    eng.build(WEB + "RUN rm /srv/a\n", tag="gone")
    top = layout(eng, "gone").with_role("diff")[-1]
    path, mode, link = image_marker
    entry = top.entry(path)
    assert (entry.ls_mode, entry.link, entry.marking) == (mode, link, "whiteout")
    assert not top.has(AUFS_BASE), "image layers are extracted from tars: no aufs branch metadata"


def test_aufs_metadata_only_in_branches_mounted_read_write():
    eng = engine("aufs")
    c = eng.run("web", "true")
    lay = layout(eng, c)
    with_meta = [d.layer for d in lay.dirs if d.role in ("rw", "ro+wh") and d.has(AUFS_BASE)]
    assert with_meta == ["init layer", "container layer"]


# overlay2 bookkeeping: link, lower, committed, l/, work/.
def test_overlay2_layer_dirs_link_lower_and_committed():
    eng = engine()
    c = eng.run("web", "true")
    lay = layout(eng, c)
    root = f"{DOCKER_ROOT}/overlay2"
    base, top = (cache_id(x) for x in c.image.chain_ids)
    rw = cache_id("rw:" + c.id)
    assert lay.file(f"{root}/{base}/link").text == link_id(base)
    assert lay.file(f"{root}/{top}/lower").text == f"l/{link_id(base)}"
    assert lay.file(f"{root}/{rw}-init/lower").text == f"l/{link_id(top)}:l/{link_id(base)}"
    assert lay.file(f"{root}/{rw}/lower").text == f"l/{link_id(rw + '-init')}:l/{link_id(top)}:l/{link_id(base)}"
    committed = {f.path.rsplit("/", 2)[-2] for f in lay.files if f.role == "committed"}
    assert committed == {base, top, rw + "-init"}, "a parent gets `committed` when a child is made on it"
    assert not any(f.path == f"{root}/{base}/lower" for f in lay.files), "the base layer has no lower file"
    links = {e.path: e.target for e in lay.dir("links").entries}
    assert links[link_id(rw)] == f"../{rw}/diff" and len(links) == 4
    assert [e.path for e in lay.dir("workdir").entries] == ["work"], "the kernel makes work/work on mount"
    assert (len(base), len(link_id(base))) == (64, 26)


# Mount options, exactly as Docker passes them.
def test_overlay2_mount_options_list_init_first_then_image_layers_top_to_bottom():
    eng = engine()
    c = eng.run("web", "true")
    root = f"{DOCKER_ROOT}/overlay2"
    base, top = (cache_id(x) for x in c.image.chain_ids)
    rw = cache_id("rw:" + c.id)
    assert layout(eng, c).mount_options == (
        f"index=off,lowerdir={root}/l/{link_id(rw + '-init')}:{root}/l/{link_id(top)}:{root}/l/{link_id(base)},"
        f"upperdir={root}/{rw}/diff,workdir={root}/{rw}/work")


def test_aufs_branch_list_rw_first_then_read_only_branches():
    eng = engine("aufs")
    c = eng.run("web", "true")
    root = f"{DOCKER_ROOT}/aufs"
    base, top = (cache_id(x) for x in c.image.chain_ids)
    rw = cache_id("rw:" + c.id)
    lay = layout(eng, c)
    assert lay.mount_options == (f"br:{root}/diff/{rw}=rw:{root}/diff/{rw}-init=ro+wh:{root}/diff/{top}=ro+wh:"
                                 f"{root}/diff/{base}=ro+wh,dio,xino=/dev/shm/aufs.xino,dirperm1")
    assert lay.file(f"{root}/layers/{rw}").text == f"{rw}-init\n{top}\n{base}\n"
    assert lay.file(f"{root}/layers/{base}").text == ""


@pytest.mark.parametrize("driver, options", [("vfs", None)])
def test_vfs_mounts_nothing(driver, options):
    eng = engine(driver)
    assert layout(eng, eng.run("web", "true")).mount_options is options


# GraphDriver in `docker inspect` agrees with the layout.
@pytest.mark.parametrize("driver", DRIVERS)
def test_inspect_graph_driver_agrees_with_the_layout(driver):
    eng = engine(driver)
    c = eng.run("web", "true")
    lay = eng.storage(c)
    data = eng.inspect(c.name)["GraphDriver"]
    assert data["Name"] == driver
    if driver != "overlay2":
        assert data["Data"] is None, "aufs and vfs GetMetadata return nil: docker inspect prints null"
        return
    lowers = [d.path for d in reversed(lay.with_role("lowerdir"))]
    assert data["Data"] == {"LowerDir": ":".join(lowers), "MergedDir": lay.dir("merged").path,
                            "UpperDir": lay.dir("upperdir").path, "WorkDir": lay.dir("workdir").path}
    resolved = [f"{lay.root}/{t.split('/', 1)[1]}" for t in
                (lay.dir("links").entry(x.split("/")[-1]).target for x in lay.mount_options.split(",")[1]
                 [len("lowerdir="):].split(":"))]
    assert resolved == lowers, "the l/ links in the mount options reach the same diff dirs"


def test_image_inspect_graph_driver_names_the_top_layer_upperdir():
    eng = engine()
    img = eng.resolve_image("web")
    diffs = [d.path for d in eng.storage("web").with_role("diff")]
    data = eng.inspect("web")["GraphDriver"]["Data"]
    assert (data["UpperDir"], data["LowerDir"]) == (diffs[-1], diffs[0])
    assert data["WorkDir"].endswith(f"{cache_id(img.chain_ids[-1])}/work")


# vfs: a full copy for every layer.
def test_vfs_keeps_a_full_copy_of_the_merged_tree_for_every_layer():
    eng = engine("vfs")
    c = eng.run("web", "true")
    eng.exec(c, "rm /srv/a && echo new > /srv/new")
    dirs = layout(eng, c).with_role("dir")
    assert [d.layer for d in dirs] == ["image layer 0", "image layer 1", "init layer", "container layer"]
    from layerlab import merge
    expected = [merge(c.image.layers[:1]), c.image.rootfs, c.lower, c.view()]
    assert [d.entries for d in dirs] == [snapshot_entries(s) for s in expected]
    assert dirs[1].size == c.image.size, "the top image layer's directory holds the whole image"
    assert not any(e.kind == "char" or ".wh." in e.path for d in dirs for e in d.entries)


def test_a_stopped_container_is_not_mounted():
    eng = engine()
    c = eng.run("web", "true", detach=False)
    lay = layout(eng, c)
    assert lay.with_role("merged") == () and lay.mount_options is not None
    aufs = layout(eng, c, "aufs")
    assert all(d.entries == () for d in aufs.with_role("mnt"))


# Disk usage: why union filesystems exist.
def test_three_containers_on_vfs_take_many_times_the_space_of_overlay2():
    eng = engine()
    containers = [eng.run("web", "true") for _ in range(3)]
    img = eng.resolve_image("web")
    over, vfs = disk_usage(eng, "overlay2"), disk_usage(eng, "vfs")
    base = img.layers[0].size
    init = len("/proc/mounts")                     # the init layer's only bytes: the /etc/mtab symlink
    assert over.total == img.size + 3 * init
    assert vfs.total == base + img.size + 3 * 2 * (img.size + init)
    assert round(vfs.ratio(over)) == 8
    assert dict(vfs.containers) == {c.name: 2 * (img.size + init) for c in containers}
    assert dict(over.images) == {"busybox:latest": base, "web:latest": img.size}


def test_shared_layer_directories_count_once():
    eng = engine()
    eng.build("FROM busybox\nRUN echo other > /other\n", tag="other")
    usage = disk_usage(eng, "overlay2")
    busybox = eng.resolve_image("busybox").size
    assert usage.total == busybox + sum(eng.resolve_image(t).layers[-1].size for t in ("web", "other"))
    assert sum(size for _, size in usage.images) > usage.total, "each image counts the shared base"


def test_a_copy_up_costs_the_whole_file_on_every_union_driver():
    eng = Engine()
    eng.build("FROM busybox\nRUN dd if=/dev/zero of=/big bs=1M count=10 2>/dev/null\n", tag="big")
    c = eng.run("big", "chmod 600 /big")
    sizes = {d: layout(eng, c, d).dir({"overlay2": "upperdir", "aufs": "rw"}[d]).size for d in ("overlay2", "aufs")}
    assert sizes == {"overlay2": 10 << 20, "aufs": 10 << 20}


def test_hard_links_in_the_upperdir_share_one_inode():
    eng = engine()
    c = eng.run("web", "ln /srv/a /srv/a2")
    upper = layout(eng, c).dir("upperdir")
    assert (upper.entry("srv/a").link, upper.entry("srv/a2").link) == ("", "srv/a")
    assert upper.size == 2, "a hard-linked inode counts once"


# The whole engine, text and errors.
def test_engine_layout_lists_each_layer_directory_once():
    eng = engine()
    eng.run("web", "true")
    eng.run("web", "true")
    lay = eng.storage()
    diffs = [d.path for d in lay.dirs if d.path.endswith("/diff")]
    assert len(diffs) == len(set(diffs)) == 2 + 2 * 2


def test_render_is_deterministic_and_shows_markers():
    texts = []
    for _ in range(2):
        eng = engine()
        c = eng.run("web", "true")
        eng.exec(c, "rm /srv/a && rm -rf /srv/www && mkdir /srv/www")
        texts.append(layout(eng, c).render(max_entries=2))
    assert texts[0] == texts[1]
    assert "c---------       0,0 srv/a    whiteout: deletes /srv/a" in texts[0]
    assert "srv/www/    opaque (trusted.overlay.opaque=y): hides the lower content of /srv/www" in texts[0]
    assert "mount: index=off,lowerdir=/var/lib/docker/overlay2/l/" in texts[0]


@pytest.mark.parametrize("call, message", [
    (lambda eng: layout(eng, None, "btrfs"), "unknown storage driver 'btrfs': choose one of overlay2, aufs, vfs"),
    (lambda eng: layout(eng, "web").dir("upperdir"), "has 0 directories with role 'upperdir'"),
    (lambda eng: layout(eng, "web").dir("diff"), "use with_role('diff')"),
    (lambda eng: layout(eng, "web").with_role("diff")[0].entry("nope"), "has no entry 'nope'"),
], ids=["unknown-driver", "no-such-role", "many-dirs-with-role", "no-such-entry"])
def test_errors_name_the_input_and_what_to_do(call, message):
    with pytest.raises(LayerlabError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call(engine())


def test_opaque_xattr_constant_is_overlayfs_spelling():
    assert OPAQUE_XATTR == ("trusted.overlay.opaque", b"y")
