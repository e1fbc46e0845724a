"""Pictures: they draw for every kind of model, carry the expected labels (text artists, not pixels), keep their
labels inside their boxes and apart, point arrows at the right mount points, and lay out deterministically."""

from __future__ import annotations

import gc
import weakref

import pytest

from layerlab import SCRATCH, Engine, LayerlabError
from layerlab.views import graph as G
from layerlab.views.style import DASHED, DOTTED, ROLES, CachedText, figure_png
from layerlab.views.summary import short_digest

from .models import many_layer_image, tiny_container, tiny_image, whiteout_image


def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.texts]


def gids(fig, prefix: str) -> list:
    """Every artist (texts, boxes, arrows, lines) whose gid starts with prefix."""
    return [a for a in list(fig.texts) + list(fig.artists) if (a.get_gid() or "").startswith(prefix)]


def layout(fig) -> list[tuple]:
    """What was drawn where: the picture's geometry, comparable between two calls."""
    out = []
    for t in fig.texts:
        out.append(("text", t.get_gid(), t.get_text(), tuple(round(v, 6) for v in t.get_position())))
    for a in fig.artists:
        if hasattr(a, "get_width"):
            geometry = (a.get_x(), a.get_y(), a.get_width(), a.get_height())
        elif hasattr(a, "get_xydata"):
            geometry = tuple(map(tuple, a.get_xydata()))
        else:
            geometry = tuple(map(tuple, a._posA_posB))
        out.append((type(a).__name__, a.get_gid(), tuple(round(float(v), 6) for v in _flat(geometry))))
    return out


def _flat(values):
    for v in values:
        if isinstance(v, tuple):
            yield from _flat(v)
        else:
            yield v


def extents(fig):
    renderer = fig.canvas.get_renderer()
    return [(t, t.get_window_extent(renderer)) for t in fig.texts if t.get_text()]


def assert_readable(fig):
    """Every label inside the figure, inside the box it belongs to, and no two labels overlapping."""
    fig.canvas.draw()
    width, height = fig.bbox.width, fig.bbox.height
    boxes = {}
    for a in fig.artists:
        if hasattr(a, "get_width") and a.get_gid() and a.get_gid() not in boxes:
            boxes[a.get_gid()] = a.get_window_extent()
    found = extents(fig)
    for t, e in found:
        assert e.x0 >= -1 and e.x1 <= width + 1 and e.y0 >= -1 and e.y1 <= height + 1, t.get_text()
        owner = boxes.get(t.get_gid())
        if owner is not None and t.get_rotation() == 0 and not t.get_gid().startswith("legend"):
            assert owner.x0 - 1 <= e.x0 and e.x1 <= owner.x1 + 1, f"{t.get_text()!r} sticks out of {t.get_gid()}"
    for i, (a, ea) in enumerate(found):
        for b, eb in found[i + 1:]:
            overlap_x = min(ea.x1, eb.x1) - max(ea.x0, eb.x0)
            overlap_y = min(ea.y1, eb.y1) - max(ea.y0, eb.y0)
            assert overlap_x <= 1 or overlap_y <= 1, f"{a.get_text()!r} overlaps {b.get_text()!r}"


# -- the stack picture -----------------------------------------------------------------------------------------
def test_the_seed_container_stack_carries_true_sizes_digests_and_mounts(seed):
    eng, img, c = seed
    fig = G.stack_picture(c, engine=eng)
    shown = texts(fig)
    for expected in ["what the process sees: one merged tree", "read-write layer", "init layer", "ADD run.sh /",
                     "30 B", f"L4 · diff_id {short_digest(img.layers[4].diff_id)}", 'CMD ["./run.sh"]',
                     "VOLUME [/data]",
                     "empty_layer: config only (Cmd)", "empty_layer: config only (Volumes)", "FROM ubuntu:14.04",
                     "197 MB", "on the host", "volume vol1", "/data", "host files (bind mounts)",
                     "/etc/hostname, hosts, resolv.conf", "container", "image (read-only)"]:
        assert expected in shown, expected
    rw = next(t for t in shown if t.startswith("new /etc/conf"))
    assert "new /etc/conf (2 B)" in rw and "whiteout /etc/.wh.motd" in rw
    assert any("base image: 4 layers + 1 config step" in t for t in shown)
    assert any("/etc/conf ← rw" in t and "/etc/motd hidden (whiteout)" in t for t in shown)
    assert f"L0–L3 · chain_id {short_digest(img.chain_ids[3])}" in shown
    assert "empty: /etc/hostname /etc/hosts /etc/resolv.conf /.dockerenv /dev/console" in shown


def test_the_seed_container_stack_is_readable(seed):
    eng, _, c = seed
    assert_readable(G.stack_picture(c, engine=eng))


def test_mount_arrows_run_from_the_host_box_to_the_mount_point(seed):
    eng, _, c = seed
    fig = G.stack_picture(c, engine=eng)
    for chip, host in [("/data", "host:vol1"), ("/etc/hostname, hosts, resolv.conf", "host:etc")]:
        (start, end), = [a._posA_posB for a in gids(fig, f"arrow:{chip}")]
        chip_box = next(a for a in gids(fig, f"chip:{chip}") if hasattr(a, "get_width"))
        host_box = next(a for a in gids(fig, host) if hasattr(a, "get_width"))
        pad = 0.06
        assert chip_box.get_x() - pad <= end[0] <= chip_box.get_x() + chip_box.get_width() + pad + 0.02
        assert chip_box.get_y() - pad <= end[1] <= chip_box.get_y() + chip_box.get_height() + pad
        assert abs(start[0] - (host_box.get_x() - pad)) < 0.01
        assert host_box.get_y() - pad <= start[1] <= host_box.get_y() + host_box.get_height() + pad


def test_the_seed_image_stack_has_no_container_parts(seed):
    eng, img, _ = seed
    shown = texts(G.stack_picture(img, engine=eng))
    assert "what a container of this image sees: one merged tree" in shown and "read-write layer" not in shown
    assert "Image seed:latest: its layers, base first at the bottom" in shown


def test_the_base_can_be_drawn_layer_by_layer(seed):
    eng, img, _ = seed
    shown = texts(G.stack_picture(img, engine=eng, base=None))
    assert "FROM ubuntu:14.04" not in shown
    assert "ADD file:276b5d943a4d… in /" in shown and f"L0 · diff_id {short_digest(img.layers[0].diff_id)}" in shown


def test_a_2015_image_has_a_layer_per_instruction(seed, seed_2015):
    eng = seed[0]
    shown = texts(G.stack_picture(seed_2015, engine=eng))
    assert shown.count("empty tar: no file changed") == 2
    assert "L5 · diff_id 5f70bf18a086" in shown and "L6 · diff_id 5f70bf18a086" in shown, "the same empty tar twice"
    assert "VOLUME [/data]" in shown and 'CMD ["./run.sh"]' in shown


def test_every_step_a_layer_draws_a_modern_image_as_2015_kept_it(seed):
    eng, img, _ = seed
    shown = texts(G.stack_picture(img, engine=eng, every_step_a_layer=True))
    assert shown.count("2015: its own image with its own json, and an empty tar") == 2
    assert "Image seed:latest as Docker 1.x (2015) stored it: every instruction its own layer" in shown


def test_the_empty_image_draws():
    shown = texts(G.stack_picture(SCRATCH))
    assert "FROM scratch" in shown and "(empty)" in shown


def test_many_layers_are_folded_in_the_middle():
    fig = G.stack_picture(many_layer_image(40), max_rows=10)
    shown = texts(fig)
    assert "COPY f39 /files/" in shown and "COPY f00 /files/" in shown and "COPY f20 /files/" not in shown
    assert "… 39 more steps folded" in shown
    assert_readable(fig)
    assert len(texts(G.stack_picture(many_layer_image(40), max_rows=100))) > len(shown)


def test_a_small_container_stack_is_readable_and_names_its_copy_up():
    fig = G.stack_picture(tiny_container())
    assert any("copy-up /etc/issue (7 B)" in t for t in texts(fig))
    assert_readable(fig)


def test_mounts_can_be_left_out():
    shown = texts(G.stack_picture(tiny_container(), mounts=False))
    assert "on the host" not in shown and "volume vol1" not in shown


def test_the_stack_layout_is_deterministic(seed):
    eng, _, c = seed
    assert layout(G.stack_picture(c, engine=eng)) == layout(G.stack_picture(c, engine=eng))


# -- a small busybox site: short names, long instructions, an anonymous volume -------------------------------------
SITE = 'FROM busybox\nCOPY index.html /www/\nRUN mkdir /jobs && echo 1 > /jobs/a\nVOLUME /var/lib/db\n'


@pytest.fixture(scope="module")
def site():
    """(engine, image, container): a two-layer busybox image and a container with an anonymous volume."""
    eng = Engine()
    img = eng.build(SITE, {"index.html": "<h1>hi</h1>\n"}, tag="site")
    c = eng.run("site", name="notes")
    eng.exec(c, "echo hello notes > /var/lib/db/notes.db && echo y > /www/extra.html")
    return eng, img, c


def cut(fig, prefix: str = "") -> list[str]:
    """Labels (of artists whose gid starts with prefix) cut short with '…'."""
    return [t.get_text() for t in fig.texts if "…" in t.get_text() and (t.get_gid() or "").startswith(prefix)]


def test_the_merged_view_title_is_whole_for_a_container_and_an_image(site, seed):
    eng, img, c = site
    container = G.stack_picture(c, engine=eng)
    assert "what the process sees: one merged tree" in texts(container)
    assert not cut(container), cut(container)
    assert_readable(container)
    for image, engine in [(img, eng), (seed[1], seed[0])]:
        fig = G.stack_picture(image, engine=engine)
        assert "what a container of this image sees: one merged tree" in texts(fig)
        assert not cut(fig), cut(fig)


def test_a_long_container_name_shortens_the_title_instead_of_cutting_it(site):
    eng, _, _ = site
    c = eng.run("site", name="a_rather_long_container_name_for_a_title")
    fig = G.stack_picture(c, engine=eng)
    (title,) = [t.get_text() for t in fig.texts if t.get_gid() == "title"]
    assert title.startswith("Container a_rather_long_container_name_for_a_title of image site")
    assert "…" not in title
    assert_readable(fig)


def test_the_image_bracket_label_fits_a_one_layer_image(site):
    eng, _, _ = site
    for image in [eng.resolve_image("busybox"), eng.build("FROM scratch\nCOPY a /a\n", {"a": "1"})]:
        fig = G.stack_picture(image, engine=eng, base=None)
        bracket = [t.get_text() for t in fig.texts if t.get_gid() == "bracket:image"]
        assert bracket and bracket[0] == "image" and not cut(fig, "bracket"), bracket
        assert_readable(fig)


def test_the_merged_view_samples_changes_mount_points_and_top_layers_not_the_base_alphabet(site):
    eng, img, c = site
    shown = " ".join(t.get_text() for t in G.stack_picture(c, engine=eng).texts if t.get_gid() == "band:merged")
    assert "/www/extra.html ← rw" in shown and "/var/lib/db/ ⇐ volume" in shown and "/jobs/a ← L2 (RUN)" in shown
    assert "/bin/[" not in shown
    items = G._merged_items(eng.resolve_image("busybox"), eng.resolve_image("busybox"), 1)
    assert items and not any(i.startswith("/bin/[") for i in items), items
    assert G._merged_items(img, img, 1)[0] == "/var/lib/db/ ⇐ volume (VOLUME)"


def test_an_anonymous_volume_box_reads_whole(site):
    eng, _, c = site
    fig = G.stack_picture(c, engine=eng)
    (m,) = [m for m in c.mounts if m.type == "volume"]
    host = [t.get_text() for t in fig.texts if t.get_gid() == f"host:{m.source}"]
    assert host[0] == f"volume {m.source[:12]}" and "anonymous: Docker named it at random" in host
    assert "/var/lib/docker/volumes/<id>/_data" in host and any("holds notes.db (12 B)" in t for t in host)
    assert not cut(fig, "host"), cut(fig, "host")


def test_a_volume_with_many_files_is_counted():
    from layerlab.views.graph import _volume_holds

    eng = Engine()
    c = eng.run("busybox", volumes={"v": "/data"})
    eng.exec(c, "mkdir /data/sub && for f in alpha beta gamma delta; do echo 12345 > /data/$f.txt; done")
    (m,) = [m for m in c.mounts if m.destination == "/data"]
    assert _volume_holds(c, m) == "holds 4 files, 1 dir, 24 B"


# -- layer sharing -------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_engine():
    eng = Engine()
    eng.build("FROM busybox\nCOPY a /a\n", {"a": "1"}, tag="one")
    eng.build("FROM busybox\nCOPY b /b\n", {"b": "22"}, tag="two")
    eng.run("one", name="web")
    return eng


def test_a_shared_base_is_drawn_once(small_engine):
    fig = G.sharing_graph(small_engine)
    shown = texts(fig)
    assert shown.count("shared by 3 images") == 1, "busybox's layer, shared by busybox, one and two"
    for expected in ["one:latest", "two:latest", "busybox:latest", "web", "COPY a /a", "COPY b /b"]:
        assert expected in shown
    assert "Layer sharing: 3 images, 1 container, 3 layers stored once" in shown
    assert_readable(fig)


def test_sharing_is_drawn_bottom_up(small_engine):
    fig = G.sharing_graph(small_engine)
    base_chain = small_engine.resolve_image("busybox").chain_ids[0]

    def y(key):
        return next(a for a in gids(fig, "node:" + key) if hasattr(a, "get_width")).get_y()

    one = small_engine.resolve_image("one")
    web = small_engine.container("web")
    assert y(base_chain) < y(one.chain_ids[-1]) < y("image:" + one.id) < y("container:" + web.id)


def test_the_sharing_layout_is_deterministic(small_engine):
    assert layout(G.sharing_graph(small_engine)) == layout(G.sharing_graph(small_engine))


def test_node_titles_break_onto_two_lines_instead_of_being_cut():
    eng = Engine()
    eng.build(SITE, {"index.html": "<h1>hi</h1>\n"}, tag="site")
    eng.build("FROM busybox\nCOPY index.html /www/\n", {"index.html": "<h1>hi</h1>\n"}, tag="one")
    eng.run("site", name="notes")
    fig = G.sharing_graph(eng)
    assert not cut(fig, "node:"), cut(fig, "node:")
    bold = {}
    for t in fig.texts:
        if (t.get_gid() or "").startswith("node:") and t.get_fontproperties().get_weight() == "bold":
            bold[t.get_gid()] = (bold[t.get_gid()] + " " if t.get_gid() in bold else "") + t.get_text()
    titles = set(bold.values())
    assert {"BusyBox 1.36.1 (glibc), Debian 12", "COPY index.html /www/", "RUN mkdir /jobs && echo 1 > /jobs/a"} <= titles
    assert "BusyBox 1.36.1 (glibc), Debian 12" not in texts(fig), "on two lines at this width"
    assert_readable(fig)


def test_runs_of_layers_used_by_the_same_images_fold(seed):
    eng = seed[0]
    shown = texts(G.sharing_graph(eng))
    assert "4 layers" in shown and "L0–L3 · 197 MB" in shown


def test_an_engine_without_images_draws():
    assert "Layer sharing: 0 images, 0 containers, 0 layers stored once" in texts(G.sharing_graph(Engine()))


# -- storage drivers --------------------------------------------------------------------------------------------------
def test_overlay2_shows_upperdir_workdir_lowerdirs_and_whiteouts_as_char_devices(seed):
    eng, _, c = seed
    fig = G.driver_picture(c, engine=eng)
    shown = texts(fig)
    for expected in ["merged", "upperdir", "workdir", "lowerdir 1", "lowerdir 6", "etc/motd  c 0/0",
                     "etc/conf  2 B", "var/lib/apt/lists/lock  c 0/0", "run.sh  30 B", "data/ ⇐ volume vol1",
                     "etc/conf ← upperdir", "run.sh ← lowerdir 2", "<rw>-init/diff · init layer"]:
        assert expected in shown, expected
    assert any(t.startswith("mount -t overlay overlay -o index=off,lowerdir=l/") for t in shown)
    assert "work/  (scratch, empty)" in shown
    assert_readable(fig)


def _command(fig) -> str:
    """The mount line as one string (its continuation lines are indented by four spaces)."""
    return "".join(t.get_text().strip() for t in fig.texts if t.get_gid() == "command")


def test_the_overlay2_mount_line_names_the_short_l_links_of_the_driver_layout(seed):
    from layerlab.runtime.drivers import DOCKER_ROOT, container_layout

    eng, _, c = seed
    fig = G.driver_picture(c, engine=eng)
    options = container_layout(c, "overlay2").mount_options
    lowers = options.split("lowerdir=")[1].split(",")[0].replace(f"{DOCKER_ROOT}/overlay2/", "")
    assert lowers.startswith("l/") and lowers.count("l/") == len(c.image.layers) + 1, "the init layer, then L4..L0"
    command = _command(fig)
    assert f"lowerdir={lowers},upperdir=<rw>/diff,workdir=<rw>/work <rw>/merged" in command
    shown = texts(fig)
    for link in lowers.split(":"):   # each lowerdir row names its link, so the mount line can be read row by row
        assert link in shown, link


def test_an_image_driver_picture_names_one_new_directory_and_draws_no_missing_workdir(seed):
    eng, img, _ = seed
    fig = G.driver_picture(img, engine=eng)
    shown = texts(fig)
    assert "<new>/merged · the union mount" in shown and "<rw>/merged · the union mount" not in shown
    assert _command(fig).endswith("upperdir=<new>/diff,workdir=<new>/work <new>/merged")
    assert "lowerdir=l/" in _command(fig)
    assert not [t for t in shown if "…" in t and not t.startswith("<L")], "only long instructions are cut"
    legend = [t for t in fig.texts if (t.get_gid() or "").startswith("legend:")]
    assert "legend:work" not in {t.get_gid() for t in legend}, "no workdir key: the image has no workdir yet"
    future = [a for a in gids(fig, "dir:upperdir") + gids(fig, "dir:workdir") if hasattr(a, "get_width")]
    assert future and all(a.get_gid() and a.get_linestyle() == DOTTED for a in future), "dotted: made by docker run"
    assert_readable(fig)


def test_overlay2_marks_an_opaque_directory_with_its_xattr_and_aufs_with_a_marker():
    img = whiteout_image()
    assert "opt/  trusted.overlay.opaque=y" in texts(G.driver_picture(img))
    aufs = texts(G.driver_picture(img, "aufs"))
    assert "opt/.wh..wh..opq" in aufs and "etc/.wh.motd" in aufs
    assert any(t.startswith("mount -t aufs -o br=<L1>=ro+wh:<L0>=ro+wh") for t in aufs)


def test_aufs_shows_branches_of_a_container():
    shown = texts(G.driver_picture(tiny_container(), "aufs"))
    assert "branch 0 (rw)" in shown and "branch 1 (ro+wh)" in shown and "etc/.wh.motd" in shown
    c = tiny_container()
    chips = [text for text, _ in G._merged_chips(c, c.image, "aufs")[0]]
    assert "app/run.sh ← branch 2" in chips, "L1, under the read-write and init branches, is branch 2"
    assert "app/run.sh ← branch 0" in [text for text, _ in G._merged_chips(c.image, c.image, "aufs")[0]]
    assert ".wh..wh.aufs  .wh..wh.plnk/  .wh..wh.orph/" in shown


def test_an_unknown_driver_is_refused():
    with pytest.raises(LayerlabError, match="choose 'overlay2' or 'aufs'"):
        G.driver_picture(tiny_image(), "devicemapper")


def test_the_driver_layout_is_deterministic():
    c = tiny_container()
    assert layout(G.driver_picture(c)) == layout(G.driver_picture(c))


# -- build steps ----------------------------------------------------------------------------------------------------
DOCKERFILE = 'FROM busybox\nCOPY a /a\nRUN echo built > /b\nCMD ["sh"]\n'


def test_a_build_step_is_highlighted_with_its_cache_verdict_and_what_comes_next():
    eng = Engine()
    eng.build(DOCKERFILE, {"a": "1"})
    build = eng.builder(DOCKERFILE, {"a": "1"})
    build.step(), build.step()
    fig = G.build_step_picture(build)
    shown = texts(fig)
    assert "Build step 2 of 4: COPY a /a" in shown and "CACHED" in shown
    assert "RUN echo built > /b" in shown and "next step" in shown and "not run yet" in shown
    current = [a for a in gids(fig, "band:step:2") if hasattr(a, "get_width")]
    assert any(a.get_linewidth() > 2 for a in current), "the current step has a thick outline"
    assert_readable(fig)


def test_a_built_step_gives_its_reason_and_an_earlier_step_can_be_shown():
    eng = Engine()
    build = eng.builder(DOCKERFILE, {"a": "1"})
    build.run()
    shown = texts(G.build_step_picture(build))
    assert "BUILT" in shown and any(t.startswith("step 4: config only") for t in shown)
    first = texts(G.build_step_picture(build, 1))
    assert "Build step 1 of 4: FROM busybox" in first and "COPY a /a" in first and "next step" in first


def test_config_only_steps_and_steps_not_run_yet_look_different():
    eng = Engine()
    build = eng.builder('FROM busybox\nENV A=1\nCOPY a /a\nCMD ["sh"]\n', {"a": "1"})
    build.step(), build.step(), build.step()
    fig = G.build_step_picture(build, 2)

    def swatch(name):
        (box,) = [a for a in gids(fig, f"legend:{name}") if hasattr(a, "get_width")]
        return box.get_linestyle(), box.get_facecolor(), box.get_edgecolor()

    config, pending = swatch("config"), swatch("pending")
    assert config[0] == DASHED and pending[0] == DOTTED, (config[0], pending[0])
    assert config[1] != pending[1], "the config-only step has a light fill, a step not run is blank"
    labels = [t.get_text() for t in fig.texts if t.get_gid() == "band:pending:0"]
    (faint,) = {t.get_color() for t in fig.texts if t.get_gid() == "band:pending:0"}
    assert labels and faint == ROLES["pending"].text != ROLES["config"].text
    assert "config-only step (empty_layer, 0 B)" in texts(fig)


def test_build_step_errors_say_what_to_do():
    build = Engine().builder(DOCKERFILE, {"a": "1"})
    with pytest.raises(LayerlabError, match="call build.step"):
        G.build_step_picture(build)
    build.step()
    with pytest.raises(LayerlabError, match="has run steps 1 to 1"):
        G.build_step_picture(build, 3)


# -- every figure ---------------------------------------------------------------------------------------------------
def _all_figures(seed):
    eng, img, c = seed
    build = eng.builder('FROM busybox\nCOPY a /a\n', {"a": "1"})
    build.run()
    return [G.stack_picture(c, engine=eng), G.stack_picture(img), G.sharing_graph(eng), G.driver_picture(c),
            G.driver_picture(c, "aufs"), G.build_step_picture(build)]


def test_figures_are_not_kept_by_pyplot_and_are_freed(seed):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    refs = [weakref.ref(fig) for fig in _all_figures(seed)]
    assert plt.get_fignums() == before
    gc.collect()
    assert all(r() is None for r in refs), "a figure stays alive after its last reference is gone"


def test_labels_are_drawn_from_the_glyph_cache_on_agg(seed, monkeypatch):
    from matplotlib.text import Text

    def slow_path(self, renderer):
        raise AssertionError(f"{self.get_text()!r} fell back to matplotlib's per-glyph text drawing")

    monkeypatch.setattr(Text, "draw", slow_path)
    for fig in _all_figures(seed):
        assert all(isinstance(t, CachedText()) for t in fig.texts)
        fig.canvas.draw()


def test_figures_render_to_png_and_svg(seed):
    import io

    fig = G.stack_picture(seed[2], engine=seed[0])
    assert figure_png(fig).startswith(b"\x89PNG")
    buf = io.BytesIO()
    fig.savefig(buf, format="svg")
    assert b"read-write layer" in buf.getvalue() or b"<svg" in buf.getvalue()


def test_views_package_loads_pictures_lazily():
    import layerlab.views as views
    assert views.stack_picture is G.stack_picture and views.sharing_graph is G.sharing_graph


def test_a_notebook_shows_the_figure_returned(seed):
    """IPython's inline display skips figures with no axes and no lines; ours have no axes, so each carries one."""
    pylabtools = pytest.importorskip("IPython.core.pylabtools")
    for fig in _all_figures(seed):
        data = pylabtools.print_figure(fig, "png", bbox_inches="tight")
        assert data is not None and data.startswith(b"\x89PNG")


def test_measured_label_extents_match_the_glyphs_drawn():
    from matplotlib.text import Text

    fig = G.stack_picture(tiny_container())
    renderer = fig.canvas.get_renderer()
    for t in fig.texts[:12]:
        fast, slow = t.get_window_extent(renderer), Text.get_window_extent(t, renderer)
        assert abs(fast.width - slow.width) <= max(2.0, 0.03 * slow.width), t.get_text()
        assert abs(fast.x0 - slow.x0) <= max(2.0, 0.03 * slow.width), t.get_text()


def test_the_merged_view_never_claims_a_file_under_a_volume_or_hidden_later():
    import layerlab as ll
    from layerlab.views.graph import _merged_chips, _merged_items

    eng = ll.Engine()
    eng.build("FROM busybox\nRUN mkdir -p /srv/www /db && echo a > /srv/www/a.html && echo s > /db/schema.sql\n",
              tag="site")
    c = eng.run("site", "true", volumes={"dbdata": "/db"})
    eng.exec(c, "rm -rf /srv/www && mkdir /srv/www && echo new > /srv/www/index.html")
    shown = " ".join(_merged_items(c, c.image)) + " ".join(t for t, _ in _merged_chips(c, c.image, "overlay2")[0])
    assert "schema.sql" not in shown and "a.html" not in shown
