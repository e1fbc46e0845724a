"""SEMANTICS.md rules 1-10: applying layers and whiteouts, one test per rule, rows that state their outcome."""

from __future__ import annotations

import io
import tarfile

import pytest

from layerlab import (DIR, OPAQUE, WHITEOUT, Dir, File, HardLink, Layer, LayerError, Symlink,
                      SymlinkLoopError, UnsafeArchiveError, merge)
from tests.helpers import L, view


def raw_tar(*members) -> bytes:
    """A tar built member by member, in the order given: (name, type, data-or-linkname)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for name, kind, value in members:
            ti = tarfile.TarInfo(name)
            ti.type = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
                       "link": tarfile.LNKTYPE}[kind]
            data = b""
            if kind == "file":
                data = value.encode()
                ti.size = len(data)
            elif kind in ("symlink", "link"):
                ti.linkname = value
            ti.mode = 0o755 if kind == "dir" else 0o644
            tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


# Rule 1: layers apply in rootfs.diff_ids order, base first.
@pytest.mark.parametrize("stack, path, expected", [
    ([{"/a": "base"}, {"/a": "top"}], "/a", b"top"),
    ([{"/a": "base"}, {"/b": "x"}], "/a", b"base"),
    ([{"/a": "1"}, {"/a": "2"}, {"/a": "3"}], "/a", b"3"),
], ids=["top-wins", "untouched-lower-visible", "last-of-three"])
def test_rule_1_layers_apply_base_first(stack, path, expected):
    assert view(*stack).read(path) == expected


# Rule 2: dir over dir merges (new attributes win); any other combination replaces, no whiteout needed.
@pytest.mark.parametrize("lower, upper, path, kind, survivors", [
    ({"/d/x": "1"}, {"/d/": Dir(mode=0o700)}, "/d", "dir", ["x"]),
    ({"/d/x": "1"}, {"/d": "now a file"}, "/d", "file", None),
    ({"/d": "file"}, {"/d/y": "2"}, "/d", None, None),
    ({"/d": "file"}, {"/d/": DIR, "/d/y": "2"}, "/d", "dir", ["y"]),
    ({"/d/x": "1"}, {"/d": Symlink("/etc")}, "/d", "symlink", None),
    ({"/l": Symlink("/etc")}, {"/l/": DIR}, "/l", "dir", []),
], ids=["dir-over-dir-merges", "file-replaces-dir", "child-under-file-is-an-error",
        "dir-replaces-file", "symlink-replaces-dir", "dir-replaces-symlink"])
def test_rule_2_replacement(lower, upper, path, kind, survivors):
    if kind is None:
        with pytest.raises(LayerError, match="not a directory"):
            view(lower, upper)
        return
    snap = view(lower, upper)
    assert snap.lstat(path).kind == kind
    if survivors is not None:
        assert snap.listdir(path) == survivors
    if kind == "dir" and path == "/d" and survivors == ["x"]:
        assert snap.stat("/d").mode == 0o700, "the upper directory's attributes win"


# Rule 3: missing parents appear; a symlinked parent resolves inside the root.
@pytest.mark.parametrize("lower, upper, lands_at", [
    ({}, {"/a/b/c": "x"}, "/a/b/c"),
    ({"/usr/lib/": DIR, "/lib": Symlink("usr/lib")}, {"/lib/x": "1"}, "/usr/lib/x"),
    ({"/usr/lib/": DIR, "/lib": Symlink("/usr/lib")}, {"/lib/x": "1"}, "/usr/lib/x"),
    ({"/escape": Symlink("../../../..")}, {"/escape/etc/x": "1"}, "/etc/x"),
    ({"/escape": Symlink("/../../tmp")}, {"/escape/x": "1"}, "/tmp/x"),
], ids=["implicit-parents", "relative-symlink-parent", "absolute-symlink-parent",
        "dotdot-stops-at-root", "absolute-dotdot-stops-at-root"])
def test_rule_3_parents(lower, upper, lands_at):
    snap = view(lower, upper)
    assert snap.get(lands_at) is not None
    assert snap.read(lands_at) == b"1" or lands_at == "/a/b/c"


def test_rule_3_implicit_parents_are_0755_root():
    snap = view({"/a/b/c": "x"})
    assert (snap.stat("/a").mode, snap.stat("/a").uid, snap.stat("/a/b").kind) == (0o755, 0, "dir")


def test_rule_3_symlink_loop_is_eloop():
    with pytest.raises(SymlinkLoopError, match="Too many levels of symbolic links"):
        view({"/a": Symlink("b"), "/b": Symlink("a")}, {"/a/x": "1"})


# Rule 4: a layer tar never holds the same path twice; whiteouts are regular files; '.wh.' alone is invalid.
@pytest.mark.parametrize("members, error", [
    ([("a", "file", "1"), ("a", "file", "2")], "appears twice"),
    ([("d/", "dir", ""), ("d", "dir", "")], "appears twice"),
    ([(".wh.", "file", "")], "bare '.wh.'"),
    ([(".wh.x", "dir", "")], "named like a whiteout"),
    ([(".wh.x", "symlink", "y")], "named like a whiteout"),
    ([("/etc/passwd", "file", "x")], "absolute name"),
    ([("../etc/passwd", "file", "x")], "climbs out of the root"),
    ([("a/../../b", "file", "x")], "climbs out of the root"),
    ([("x", "link", "../../etc/shadow")], "climbs out of the root"),
], ids=["duplicate-file", "duplicate-dir-spellings", "bare-wh", "wh-named-dir", "wh-named-symlink",
        "absolute-member", "dotdot-member", "dotdot-inside-member", "hardlink-outside"])
def test_rule_4_malformed_layer_tars(members, error):
    with pytest.raises(LayerError, match=error):
        Layer.from_tar(raw_tar(*members))


def test_rule_4_unsafe_names_are_unsafe_archive_errors():
    with pytest.raises(UnsafeArchiveError):
        Layer.from_tar(raw_tar(("../x", "file", "1")))


# Rule 5: dir/.wh.name deletes dir/name below, recursively; the whiteout itself is never visible.
@pytest.mark.parametrize("lower, whiteout, gone, kept", [
    ({"/etc/motd": "hi", "/etc/issue": "x"}, "/etc/motd", ["/etc/motd"], ["/etc/issue"]),
    ({"/d/a/b/c": "1", "/d/z": "2"}, "/d/a", ["/d/a", "/d/a/b", "/d/a/b/c"], ["/d/z"]),
], ids=["file", "directory-recursively"])
def test_rule_5_whiteout_deletes(lower, whiteout, gone, kept):
    snap = view(lower, {whiteout: WHITEOUT})
    assert [p for p in gone if p in snap] == []
    assert [p for p in kept if p in snap] == kept
    assert not any(".wh." in p for p in snap.paths())


# Rule 6: a whiteout applies to lower layers only: a file added in the same layer survives it.
def test_rule_6_same_layer_file_survives_whiteout():
    base = Layer.from_tar(raw_tar(("x", "file", "old"), ("d/", "dir", ""), ("d/old", "file", "1")))
    top = Layer.from_tar(raw_tar(("x", "file", "new"), (".wh.x", "file", ""),
                                 (".wh.d", "file", ""), ("d/", "dir", ""), ("d/new", "file", "2")))
    snap = merge([base, top])
    assert (snap.read("/x"), snap.listdir("/d")) == (b"new", ["new"])


# Rule 7: an opaque marker hides every lower child but keeps the dir and never hides its own layer's.
@pytest.mark.parametrize("order", [
    [("d/", "dir", ""), ("d/.wh..wh..opq", "file", ""), ("d/new", "file", "2")],
    [("d/", "dir", ""), ("d/new", "file", "2"), ("d/.wh..wh..opq", "file", "")],
    [("d/new", "file", "2"), ("d/.wh..wh..opq", "file", "")],
], ids=["marker-first", "marker-last", "marker-without-dir-header"])
def test_rule_7_opaque_hides_only_lower_children(order):
    base = L({"/d/old": "1", "/d/sub/deep": "3", "/keep": "k"})
    snap = merge([base, Layer.from_tar(raw_tar(*order))])
    assert snap.listdir("/d") == ["new"]
    assert snap.read("/keep") == b"k"


def test_rule_7_consumers_accept_both_forms():
    lower = view({"/d/a": "1", "/d/b": "2"})
    upper = view({"/d/c": "3"})
    explicit = merge([*lower.layers, Layer.from_spec({"/d/a": WHITEOUT, "/d/b": WHITEOUT, "/d/c": "3"})])
    opaque = merge([*lower.layers, Layer.from_spec({"/d/": OPAQUE, "/d/c": "3"})])
    assert explicit == opaque == upper


# Rule 8: a whiteout for a path that does not exist below is a silent no-op.
@pytest.mark.parametrize("whiteout", ["/nothing", "/nothing/below", "/etc/motd/child"],
                         ids=["missing", "missing-parent", "under-a-file"])
def test_rule_8_whiteout_of_missing_path_is_noop(whiteout):
    assert view({"/etc/motd": "hi"}, {whiteout: WHITEOUT}).read("/etc/motd") == b"hi"


# Rule 9: no path in an image filesystem may start with '.wh.'.
@pytest.mark.parametrize("spec", [{"/.wh.x": "data"}, {"/d/.wh..wh..opq": "x"}, {"/.wh.d/": DIR}],
                         ids=["file", "opq-name-as-file", "dir"])
def test_rule_9_wh_names_are_reserved(spec):
    with pytest.raises(LayerError, match="rule 9"):
        L(spec)


# Rule 10 (the model part): a merged directory shows the upper directory's metadata.
def test_rule_10_merged_dir_shows_upper_metadata():
    snap = view({"/srv/": Dir(mode=0o755, uid=0)}, {"/srv/": Dir(mode=0o750, uid=33, gid=33)})
    s = snap.stat("/srv")
    assert (s.mode, s.uid, s.gid, s.origin) == (0o750, 33, 33, 1)


# Rule 11 (model part): a hard link's target may live in a lower layer; the inode outlives a name.
def test_rule_11_hard_link_to_lower_layer():
    snap = view({"/usr/bin/perl5.36": "#!perl"}, {"/usr/bin/perl": HardLink("/usr/bin/perl5.36")})
    assert snap.read("/usr/bin/perl") == b"#!perl"
    assert snap.stat("/usr/bin/perl").nlink == 2


def test_rule_11_hard_link_survives_deleting_its_target():
    snap = view({"/a": "data", "/b": HardLink("/a")}, {"/a": WHITEOUT})
    assert snap.read("/b") == b"data"
    assert snap.get("/b") == File("data")
    assert snap.shadowed() == ()


def test_rule_11_hard_link_to_missing_target_is_an_error():
    with pytest.raises(LayerError, match="does not exist"):
        view({"/b": HardLink("/nope")})


# shadowed(): why deleting a file never shrinks an image.
@pytest.mark.parametrize("stack, expected", [
    ([{"/big": "x" * 100}, {"/big": WHITEOUT}], [("/big", 0, 100, 1, "deleted")]),
    ([{"/big": "x" * 100}, {"/big": "y"}], [("/big", 0, 100, 1, "replaced")]),
    ([{"/d/a": "12", "/d/b": "345"}, {"/d": WHITEOUT}], [("/d/a", 0, 2, 1, "deleted"), ("/d/b", 0, 3, 1, "deleted")]),
    ([{"/d/a": "12"}, {"/d/": OPAQUE}], [("/d/a", 0, 2, 1, "deleted")]),
    ([{"/a": "12"}, {"/b": "3"}], []),
], ids=["deleted", "overwritten", "dir-deleted", "opaque", "nothing-hidden"])
def test_shadowed_files(stack, expected):
    got = sorted((s.path, s.layer, s.size, s.by, s.how) for s in view(*stack).shadowed())
    assert got == expected
