"""SEMANTICS.md rules 11-13 on the writable layer: copy-up, whiteouts, opaque directories, hard links."""

from __future__ import annotations

import pytest

from layerlab import Dir, FilesystemError, HardLink, Synthetic, merge
from layerlab.fs.worktree import WorkTree
from tests.helpers import L

BIG = 900_000_000


def tree(spec=None):
    base = L(spec or {"/etc/motd": "hi\n", "/etc/conf": "x" * 412, "/big": Synthetic(BIG, "big"),
                      "/d/a": "1", "/d/b": "2", "/bin/perl5": "perl", "/bin/perl": HardLink("/bin/perl5")})
    return WorkTree(merge([base]), clock=iter(range(100, 10_000)).__next__)


def kinds(t):
    return {p: e.kind for p, e in t.upper_layer().entries.items()}


# Rule 13: any write or metadata change to a lower file copies the WHOLE file up.
@pytest.mark.parametrize("op, copied", [
    (lambda t: t.chmod("/big", 0o600), BIG),
    (lambda t: t.chown("/big", 1000, 1000), BIG),
    (lambda t: t.utime("/big"), BIG),
    (lambda t: t.write("/etc/conf", b"!", append=True), 412),
    (lambda t: t.write("/etc/conf", b"new"), 412),
    (lambda t: t.read("/big"[:0] or "/etc/motd"), 0),
    (lambda t: t.write("/new", b"fresh"), 0),
    (lambda t: t.unlink("/big"), 0),
], ids=["chmod", "chown", "touch", "append", "overwrite", "read-is-free", "new-file", "delete-is-free"])
def test_rule_13_copy_up_is_whole_file(op, copied):
    t = tree()
    op(t)
    assert t.copied_bytes == copied


def test_rule_13_copy_up_records_cause():
    t = tree()
    t.command = "chmod 600 /big"
    t.chmod("/big", 0o600)
    (record,) = t.copy_ups
    assert (record.path, record.size, record.command, record.reason) == ("/big", BIG, "chmod 600 /big", "chmod")


def test_rule_13_renaming_a_lower_dir_copies_it_and_whites_out_the_old_name():
    t = tree()
    t.rename("/d", "/e")
    assert kinds(t) == {"/d": "whiteout", "/e": "dir", "/e/a": "file", "/e/b": "file"}
    assert t.copied_bytes == 2


def test_deleting_a_lower_file_leaves_a_whiteout():
    t = tree()
    t.unlink("/etc/motd")
    assert kinds(t) == {"/etc": "dir", "/etc/motd": "whiteout"}
    assert not t.exists("/etc/motd")


def test_deleting_an_upper_only_file_leaves_nothing():
    t = tree()
    t.write("/tmpfile", b"x")
    t.unlink("/tmpfile")
    assert kinds(t) == {}


def test_rm_rf_then_mkdir_makes_an_opaque_directory():
    t = tree()
    t.rmtree("/d")
    t.mkdir("/d", 0o755)
    t.write("/d/c", b"3")
    assert kinds(t) == {"/d": "opaque", "/d/c": "file"}
    assert t.naive_layer().entries["/d/a"].kind == "whiteout", "vfs writes one whiteout per lower child"


# Rule 11: linking a lower file copies it up; copy-up breaks hard links (index=off).
def test_rule_11_linking_a_lower_file_copies_it_up():
    t = tree()
    t.link("/etc/conf", "/etc/conf2")
    assert t.copied_bytes == 412
    assert t.stat("/etc/conf2").nlink == 2


def test_rule_11_copy_up_breaks_hard_links():
    t = tree()
    t.write("/bin/perl5", b"patched")
    assert (t.read("/bin/perl5"), t.read("/bin/perl")) == (b"patched", b"perl")


@pytest.mark.parametrize("op, code", [
    (lambda t: t.write("/etc/motd/child", b"x"), "ENOTDIR"),
    (lambda t: t.write("/nope/x", b"x"), "ENOENT"),
    (lambda t: t.write("/etc", b"x"), "EISDIR"),
    (lambda t: t.mkdir("/etc"), "EEXIST"),
    (lambda t: t.rmdir("/d"), "ENOTEMPTY"),
    (lambda t: t.rmtree("/"), "EBUSY"),
    (lambda t: t.unlink("/etc"), "EISDIR"),
    (lambda t: t.rename("/d", "/d/sub"), "EINVAL"),
    (lambda t: t.link("/d", "/d2"), "EPERM"),
    (lambda t: t.write("/.wh.sneaky", b""), "EINVAL"),
], ids=["child-of-file", "missing-parent", "write-dir", "mkdir-exists", "rmdir-nonempty", "rm-root",
        "unlink-dir", "move-into-itself", "link-dir", "wh-name"])
def test_refused_operations_change_nothing(op, code):
    t = tree()
    before = t.snapshot()
    with pytest.raises(FilesystemError) as info:
        op(t)
    assert info.value.code == code
    assert t.snapshot() == before and t.upper == {}


def test_new_files_follow_umask_owner_and_clock():
    t = tree()
    t.write("/f", b"x", uid=1000, gid=1000)
    s = t.stat("/f")
    assert (s.mode, s.uid, s.gid, s.mtime) == (0o644, 1000, 1000, 100)


def test_parent_directories_are_copied_up_metadata_only():
    t = tree({"/a/b/c/deep": "x" * 1000})
    t.write("/a/b/c/new", b"1")
    assert kinds(t) == {"/a": "dir", "/a/b": "dir", "/a/b/c": "dir", "/a/b/c/new": "file"}
    assert t.copied_bytes == 0


def test_writes_through_a_symlink_land_on_its_target():
    t = tree({"/usr/lib/": Dir(), "/lib": __import__("layerlab").Symlink("usr/lib")})
    t.write("/lib/x", b"1")
    assert "/usr/lib/x" in kinds(t)


@pytest.mark.parametrize("op", [
    lambda t: t.write("/tmp/g", b"b"),
    lambda t: t.write("/tmp/g", b"b", append=True),
    lambda t: t.truncate("/tmp/g", 1),
    lambda t: t.chmod("/tmp/g", 0o600),
], ids=["write", "append", "truncate", "chmod"])
def test_writes_through_any_name_of_a_hard_link_reach_every_name(op):
    t = tree({"/tmp/": Dir()})
    t.write("/tmp/f", b"a")
    t.link("/tmp/f", "/tmp/g")
    op(t)
    f, g = t.stat("/tmp/f"), t.stat("/tmp/g")
    assert t.read("/tmp/f") == t.read("/tmp/g") and (f.mode, f.size, f.mtime, f.nlink) == (g.mode, g.size, g.mtime, 2)
    assert merge([*t.lower.layers, t.upper_layer()]) == t.snapshot()


def test_a_directory_copied_up_as_a_parent_is_supplied_by_the_upper_layer_like_in_a_merge():
    """A new file in /etc copies /etc up: the merged view's /etc is now the upper's, as merge() of the rw layer says."""
    base = merge([L({"/etc/motd": "hi\n", "/opt": Dir()})])
    tree = WorkTree(base)
    tree.write("/etc/new", b"x\n")
    snap = tree.snapshot()
    assert snap.origin("/etc") == snap.origin("/etc/new") == 1
    assert snap.origin("/opt") == snap.origin("/etc/motd") == 0
    assert merge([*base.layers, tree.upper_layer()]).origin("/etc") == 1
