"""layerlab.analysis: per-layer rows, wasted bytes, dive's efficiency, the three notions of "modified" (SEMANTICS
section 9), largest files, the tree, layer sharing, CI rules and the Report."""

from __future__ import annotations

import json

import pytest

from layerlab import DIR, OPAQUE, WHITEOUT, Engine, File, Image, Layer, LayerlabError, Symlink, merge
from layerlab.analysis import (check_ci, container_notions, content_changes, dive_efficiency, efficiency,
                               inspect_image, largest_files, layer_notions, layer_rows, layer_sharing,
                               notions_table, parse_bytes, render_tree, short_command, stat_changes,
                               three_notions, tree_rows, upperdir_changes, wasted_bytes, wasted_files)

KB = "x" * 1000


def image(*specs) -> Image:
    return Image(layers=tuple(Layer.from_spec(s, created_by=f"step {i}") for i, s in enumerate(specs)))


# -- wasted bytes and efficiency: each row states what it wastes and dive's score --------------------------------
WASTE_ROWS = [
    # (layers, wasted bytes, how, dive efficiency, dive's wasted bytes)
    ([{"/big": KB}, {"/big": WHITEOUT}], 1000, ("deleted",), 0.0, 1000),
    ([{"/a": KB}, {"/a": "y" * 500}], 1000, ("replaced",), 500 / 1500, 1500),
    ([{"/a": File(KB, mode=0o644)}, {"/a": File(KB, mode=0o755)}], 1000, ("replaced",), 0.5, 2000),
    ([{"/a": File(KB, uid=0)}, {"/a": File(KB, uid=1000)}], 1000, ("replaced",), 0.5, 2000),
    ([{"/a": KB}, {"/b": KB}], 0, (), 1.0, 0),
    ([{"/a": KB}], 0, (), 1.0, 0),
    ([{"/a": KB}, {"/a": "1" * 10}, {"/a": WHITEOUT}], 1010, ("replaced", "deleted"), 0.0, 1010),
    ([{"/d/": DIR, "/d/x": KB, "/d/y": KB}, {"/d": WHITEOUT}], 2000, ("deleted",), 1.0, 0),
    ([{"/d/x": KB}, {"/d/": OPAQUE, "/d/y": "1"}], 1000, ("deleted",), 1.0, 0),
    ([{"/a": "1234"}, {"/nothere": WHITEOUT, "/zz": "12"}], 0, (), 0.75, 0),
]
WASTE_IDS = ["add-then-delete-wastes-its-size", "overwrite-wastes-the-old-size", "chmod-only-wastes-the-whole-file",
             "chown-only-wastes-the-whole-file", "untouched-image-is-100-percent", "one-layer-is-100-percent",
             "every-hidden-copy-counts-once-per-layer", "dive-does-not-see-a-deleted-directory",
             "dive-ignores-opaque-markers", "dive-stops-a-layer-at-a-whiteout-of-nothing"]


@pytest.mark.parametrize("specs, wasted, how, score, dive_wasted", WASTE_ROWS, ids=WASTE_IDS)
def test_wasted_bytes_and_efficiency(specs, wasted, how, score, dive_wasted):
    img = image(*specs)
    assert wasted_bytes(img) == wasted
    assert tuple(dict.fromkeys(h for w in wasted_files(img) for h in w.how)) == how
    result = dive_efficiency(img.layers)
    assert (result.score, result.wasted_bytes) == (pytest.approx(score), dive_wasted)
    assert efficiency(img) == pytest.approx(score)


def test_dive_efficiency_reproduces_dives_own_test():
    # wagoodman/dive dive/filetree/efficiency_test.go TestEfficency: score 0.75, one match of 7000 bytes.
    result = dive_efficiency([Layer.from_spec({"/etc/nginx/nginx.conf": "x" * 2000, "/etc/nginx/public": "x" * 3000}),
                              Layer.from_spec({"/etc/nginx/nginx.conf": "x" * 5000, "/etc/athing": "x" * 10000}),
                              Layer.from_spec({"/etc/nginx": WHITEOUT})])
    assert result.score == 0.75
    assert [(i.path, i.cumulative_size, i.count, i.layers) for i in result.inefficiencies] == [
        ("/etc/nginx/nginx.conf", 7000, 2, (0, 1))]


def test_a_whiteout_of_a_directory_with_a_header_counts_its_whole_subtree():
    # with a directory header below, dive sizes the whiteout as everything under it (a path seen once)
    result = dive_efficiency([Layer.from_spec({"/d/": DIR, "/d/x": KB}), Layer.from_spec({"/d/": DIR, "/d/x": KB}),
                              Layer.from_spec({"/d": WHITEOUT})])
    assert result.score == pytest.approx(2000 / 3000)
    assert [(i.path, i.cumulative_size) for i in result.inefficiencies] == [("/d/x", 2000)]


def test_wasted_files_name_the_layers_and_how():
    img = image({"/a": KB, "/b": "22"}, {"/a": "1" * 10}, {"/a": WHITEOUT, "/b": WHITEOUT})
    assert [(w.path, w.size, w.layers, [(o.layer, o.by, o.how) for o in w.occurrences]) for w in wasted_files(img)] == [
        ("/a", 1010, (0, 1), [(0, 1, "replaced"), (1, 2, "deleted")]),
        ("/b", 2, (0,), [(0, 2, "deleted")])]


# -- per-layer rows ---------------------------------------------------------------------------------------------------
ROW_CASES = [
    # (lower layers, top layer, expected (added, modified, removed, unchanged) of the top layer)
    ([], {"/etc/a": "1"}, (2, 0, 0, 0)),
    ([{"/etc/a": "1"}], {"/etc/a": "2"}, (0, 1, 0, 0)),
    ([{"/etc/a": "1"}], {"/etc/a": File("1", mtime=99)}, (0, 0, 0, 1)),
    ([{"/etc/a": "1"}], {"/etc/a": File("1", mode=0o600)}, (0, 1, 0, 0)),
    ([{"/etc/a": "1", "/etc/b": "2"}], {"/etc": WHITEOUT}, (0, 0, 3, 0)),
    ([{"/d/x": "1", "/d/y": "2"}], {"/d/": OPAQUE, "/d/x": "1"}, (0, 0, 1, 2)),
    ([{"/l": Symlink("a")}], {"/l": Symlink("b")}, (0, 1, 0, 0)),
    ([{"/p": "file"}], {"/p/": DIR, "/p/q": "x"}, (1, 1, 0, 0)),
]


@pytest.mark.parametrize("lower, top, expected", ROW_CASES, ids=[
    "new-file-and-its-new-parent", "content-change", "mtime-only-is-not-a-change", "mode-change",
    "whiteout-removes-the-tree", "opaque-hides-what-is-not-rewritten", "symlink-retarget", "file-became-dir"])
def test_layer_rows_count_changes_by_content(lower, top, expected):
    rows = layer_rows(image(*lower, top))
    last = rows[-1]
    assert (last.added, last.modified, last.removed, last.unchanged) == expected
    assert [r.index for r in rows] == list(range(len(lower) + 1))


def test_layer_rows_carry_size_files_members_and_created_by():
    row = layer_rows(image({"/bin/": DIR, "/bin/sh": KB, "/bin/ls": Symlink("sh"), "/tmp": WHITEOUT}))[0]
    assert (row.size, row.files, row.members, row.created_by) == (1002, 2, 4, "step 0")
    assert row.diff_id.startswith("sha256:")


# -- three notions of "modified" (SEMANTICS section 9) ---------------------------------------------------------------
NOTION_ROWS = [
    # (lower entry, upper entry, (stat: docker diff, upperdir: commit, content: dive)) for the path /bin/tool
    (File(KB, mode=0o644), File(KB, mode=0o755), ("C", "C", "C")),
    (File(KB, uid=0), File(KB, uid=1000), ("C", "C", "C")),
    (File(KB, mtime=1), File(KB, mtime=2), ("C", "C", None)),
    (File(KB, mtime=1), File(KB, mtime=1), (None, "C", None)),
    (File("aaaa", mtime=1), File("bbbb", mtime=1), (None, "C", "C")),
    (File("aaaa", mtime=1), File("aaaaa", mtime=1), ("C", "C", "C")),
    (File(KB), WHITEOUT, ("D", "D", "D")),
    (None, File(KB), ("A", "A", "A")),
]


@pytest.mark.parametrize("before, after, verdicts", NOTION_ROWS, ids=[
    "chmod", "chown", "touch-mtime-only", "copied-up-unchanged", "same-size-same-mtime-new-bytes", "append",
    "delete", "add"])
def test_three_notions_of_modified(before, after, verdicts):
    lower = merge([Layer.from_spec({"/bin/": DIR, **({"/bin/tool": before} if before else {})})])
    layer = Layer.from_spec({"/bin/": DIR, "/bin/tool": after})
    found = {n.path: (n.stat, n.upperdir, n.content) for n in three_notions(lower, layer)}
    assert found.get("/bin/tool", (None, None, None)) == verdicts
    assert {c.path: c.kind for c in stat_changes(lower, layer)}.get("/bin/tool") == verdicts[0]
    assert {c.path: c.kind for c in upperdir_changes(lower, layer)}.get("/bin/tool") == verdicts[1]
    assert {c.path: c.kind for c in content_changes(lower, layer)}.get("/bin/tool") == verdicts[2]


def test_docker_diff_reports_ancestors_that_dive_does_not():
    lower = merge([Layer.from_spec({"/etc/": DIR, "/etc/motd": "hi"})])
    notions = three_notions(lower, Layer.from_spec({"/etc/": DIR, "/etc/motd": "bye"}))
    assert [(n.path, n.stat, n.upperdir, n.content) for n in notions] == [
        ("/etc", "C", "C", None), ("/etc/motd", "C", "C", "C")]
    assert "STAT (docker diff)" in str(notions_table(notions))


@pytest.fixture(scope="module")
def web():
    eng = Engine()
    eng.build("FROM busybox\nRUN dd if=/dev/zero of=/big bs=1M count=10 2>/dev/null && echo hi > /etc/motd\n",
              tag="web")
    return eng


@pytest.mark.parametrize("command, verdicts", [
    ("chmod 600 /big", ("C", "C", "C")),
    ("touch /big", ("C", "C", None)),
    ("rm /big", ("D", "D", "D")),
    ("echo more >> /etc/motd", (None, None, None)),
], ids=["chmod", "touch", "delete", "other-file"])
def test_container_notions_for_big(web, command, verdicts):
    c = web.run("web", "true")
    web.exec(c, command)
    found = {n.path: (n.stat, n.upperdir, n.content) for n in container_notions(c)}
    assert found.get("/big", (None, None, None)) == verdicts


def test_layer_notions_of_an_image_layer(web):
    img = web.resolve_image("web")
    notions = {n.path: n for n in layer_notions(img, -1)}
    assert (notions["/big"].stat, notions["/big"].upperdir, notions["/big"].content) == ("A", "A", "A")
    with pytest.raises(LayerlabError, match="layer 9 does not exist"):
        layer_notions(img, 9)


# -- largest files, tree -----------------------------------------------------------------------------------------------
def test_largest_files_are_visible_files_biggest_first():
    img = image({"/a": KB, "/b": "x" * 10, "/gone": "x" * 5000}, {"/gone": WHITEOUT, "/c": "x" * 2000})
    assert [(f.path, f.size, f.layer) for f in largest_files(img, 2)] == [("/c", 2000, 1), ("/a", 1000, 0)]


def test_tree_rows_give_directory_totals_and_origins():
    img = image({"/etc/motd": "hi\n"}, {"/etc/issue": "x" * 10, "/bin/sh": Symlink("busybox")})
    rows = {r.path: (r.kind, r.size, r.layer) for r in tree_rows(img)}
    assert rows == {"/bin": ("dir", 7, 1), "/bin/sh": ("symlink", 7, 1), "/etc": ("dir", 13, 0),
                    "/etc/issue": ("file", 10, 1), "/etc/motd": ("file", 3, 0)}
    assert "└── sh -> busybox" in render_tree(img)


# -- sharing -----------------------------------------------------------------------------------------------------------
def test_layer_sharing_by_chain_id():
    base = Layer.from_spec({"/bin/sh": KB})
    same_top = Layer.from_spec({"/app": "x" * 10})
    a = Image(layers=(base, same_top))
    b = Image(layers=(base, Layer.from_spec({"/b": "22"})))
    c = Image(layers=(Layer.from_spec({"/other": "1"}), same_top))   # same diff_id, other parent: not shared
    s = layer_sharing({"a": a, "b": b, "c": c})
    assert [(layer.size, layer.images) for layer in s.shared] == [(1000, ("a", "b"))]
    assert (s.total_size, s.stored_size, s.saved) == (1010 + 1002 + 11, 1000 + 10 + 2 + 1 + 10, 1000)
    assert [row for row in s.images] == [("a", 1010, 1000), ("b", 1002, 1000), ("c", 11, 0)]
    assert "SHARED SIZE" in str(s.table()) and json.dumps(s.to_json())


def test_layer_sharing_of_an_engines_images(web):
    web.build("FROM busybox\nRUN echo other > /o\n", tag="other")
    s = layer_sharing(web)
    busybox = [layer for layer in s.shared if set(layer.images) >= {"web:latest", "other:latest"}]
    assert busybox and s.saved >= busybox[0].size


# -- CI rules and the report -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("20MB", 20_000_000), ("20mb", 20_000_000), ("20M", 20_000_000), ("20MiB", 20 << 20), ("1.5 GB", 1_500_000_000),
    ("1000", 1000), ("1,000kB", 1_000_000), ("0", 0),
])
def test_parse_bytes_reads_sizes_like_dive(text, expected):
    assert parse_bytes(text) == expected


@pytest.mark.parametrize("text", ["20XB", "MB", "", "-1"])
def test_parse_bytes_refuses_what_dive_refuses(text):
    with pytest.raises(LayerlabError):
        parse_bytes(text)


def test_short_command_drops_shell_prefixes():
    assert short_command("/bin/sh -c #(nop)  CMD [\"./run.sh\"]") == 'CMD ["./run.sh"]'
    assert short_command("RUN /bin/sh -c echo hi # buildkit") == "RUN echo hi"
    assert len(short_command("RUN " + "x" * 200)) == 60


@pytest.fixture(scope="module")
def wasteful():
    return image({"/base": KB}, {"/big": "x" * 30_000}, {"/big": WHITEOUT})


@pytest.mark.parametrize("rules, passed", [
    (dict(lowest_efficiency=0.95), [False]),
    (dict(lowest_efficiency=0.0), [True]),
    (dict(highest_wasted_bytes="20kB"), [False]),
    (dict(highest_wasted_bytes="30kB"), [True]),
    (dict(highest_user_wasted_percent=0.5), [False]),
    (dict(highest_user_wasted_percent=1.0), [True]),
    (dict(lowest_efficiency=0.9, highest_wasted_bytes=10 ** 9), [False, True]),
    (dict(), []),
])
def test_ci_rules(wasteful, rules, passed):
    report = inspect_image(wasteful)
    assert [r.passed for r in check_ci(report, **rules)] == passed


def test_ci_messages_read_like_dives(wasteful):
    report = inspect_image(wasteful)
    results = check_ci(report, lowest_efficiency=0.95, highest_wasted_bytes=1, highest_user_wasted_percent=0.1)
    assert [r.rule for r in results] == ["lowestEfficiency", "highestWastedBytes", "highestUserWastedPercent"]
    assert "image efficiency is too low" in results[0].message
    assert "too many bytes wasted (wasted-bytes=30000 > threshold=1)" in results[1].message
    assert str(results[2]).startswith("FAIL: highestUserWastedPercent: too many bytes wasted, relative to the user")


def test_report_of_an_image(wasteful):
    report = inspect_image(wasteful, tags=("waste:1",))
    assert (report.wasted_bytes, report.efficiency, report.user_size, report.user_wasted_percent) == (
        30_000, pytest.approx(1000 / 31000), 30_000, 1.0)
    assert [r.index for r in report.layers] == [0, 1, 2]
    data = report.to_json(tree=True)
    assert data["image"]["tags"] == ["waste:1"] and data["wasted"][0]["path"] == "/big"
    assert {row["path"] for row in data["tree"]} == {"/base"}
    assert json.loads(report.json()) == report.to_json()
    text = report.render(tree=True)
    for heading in ("Layers", "Wasted space", "Efficiency:", "Largest files", "Tree"):
        assert heading in text


def test_an_untouched_image_reports_no_waste():
    report = inspect_image(image({"/a": KB}, {"/b": KB}))
    assert (report.efficiency, report.wasted_bytes, report.wasted, report.user_wasted_percent) == (1.0, 0, (), 0.0)
    assert "Wasted space (copies hidden by later layers)\n  None" in report.render()


@pytest.mark.parametrize("fmt, expected", [("docker-archive", "docker-archive-oci"), ("oci-dir", "oci-dir"),
                                           ("oci-archive", "oci-tar")])
def test_report_of_a_saved_image_in_each_format(web, tmp_path, fmt, expected):
    out = tmp_path / "web.img"
    web.save("web", out, format=fmt)
    calls = []
    report = inspect_image(out, progress=lambda done, total, what: calls.append((done, total)))
    assert report.format == expected and report.image_id == web.resolve_image("web").id
    assert report.tags == ("web:latest",) or expected != "docker-archive-oci"
    assert calls[0] == (0, 2) and calls[-1] == (2, 2)
    assert report.layers[-1].members >= 2


def test_inspect_image_needs_ref_when_a_file_holds_several(web, tmp_path):
    out = tmp_path / "two.tar"
    web.save(["web", "other"], out)
    with pytest.raises(LayerlabError, match="holds 2 images"):
        inspect_image(out)
    assert inspect_image(out, ref="other").tags == ("other:latest",)
    with pytest.raises(LayerlabError, match="no image tagged 'nope'"):
        inspect_image(out, ref="nope")
