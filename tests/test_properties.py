"""Round trips that must hold for any input (hypothesis): tar codec, diff/merge, WorkTree layers."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from layerlab import (Dir, File, FilesystemError, HardLink, Layer, LayerError, Opaque, Symlink,
                      SymlinkLoopError, Whiteout, diff, merge)
from layerlab.fs.worktree import WorkTree

NAMES = ["a", "b", "c"]
path_st = st.lists(st.sampled_from(NAMES), min_size=1, max_size=3).map(lambda parts: "/" + "/".join(parts))
content_st = st.sampled_from([b"", b"1", b"22", b"other"])
meta_st = st.fixed_dictionaries({"mode": st.sampled_from([0o644, 0o755, 0o600]), "uid": st.sampled_from([0, 1000])})


@st.composite
def entry_st(draw, files):
    kind = draw(st.sampled_from(["file", "file", "dir", "dir", "symlink", "whiteout", "opaque", "hardlink"]))
    meta = draw(meta_st)
    if kind == "file":
        return File(draw(content_st), **meta)
    if kind == "dir":
        return Dir(**meta)
    if kind == "opaque":
        return Opaque(**meta)
    if kind == "symlink":
        return Symlink(draw(st.sampled_from(["a", "/b", "../c", "a/b", "/nowhere"])))
    if kind == "hardlink" and files:
        return HardLink(draw(st.sampled_from(files)))
    return Whiteout()


@st.composite
def layer_st(draw):
    paths = draw(st.lists(path_st, max_size=8, unique=True))
    entries = {}
    for p in paths:
        entries[p] = draw(entry_st([q for q, e in entries.items() if isinstance(e, File)]))
    try:
        return Layer(entries)
    except LayerError:
        assume(False)


@st.composite
def stack_st(draw, max_layers=4):
    layers = draw(st.lists(layer_st(), min_size=1, max_size=max_layers))
    try:
        merge(layers)
    except (LayerError, SymlinkLoopError, FilesystemError):
        assume(False)
    return layers


SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much,
                                                                          HealthCheck.too_slow])


@SETTINGS
@given(layer_st())
def test_from_tar_inverts_to_tar(layer):
    assert Layer.from_tar(layer.to_tar()) == layer


@SETTINGS
@given(stack_st(), stack_st(), st.booleans())
def test_merge_of_base_plus_diff_is_target(base, target_layers, opaque):
    lower, target = merge(base), merge(target_layers)
    layer = diff(lower, target, opaque=opaque)
    assert merge([*base, layer]) == target
    assert merge([*base, Layer.from_tar(layer.to_tar())]) == target


RICH = Layer.from_spec({"/a/a": "1", "/a/b": "22", "/a/c/a": "x", "/b/a": "y", "/b/b": HardLink("/b/a"),
                        "/c": Symlink("a"), "/b/c/": Dir(mode=0o700)})

def flat(snap):
    """What Docker's naive differ preserves: hard links become the file they name, directory mtimes vanish."""
    def one(p, e):
        if isinstance(e, HardLink):
            return snap.file(p)
        return Dir(mode=e.mode, uid=e.uid, gid=e.gid) if isinstance(e, Dir) else e
    return {p: one(p, e) for p, e in snap.walk()}


def blind_spots(lower, upper):
    """Files whose content changed while mode, owner, size and mtime stayed: invisible to a stat-based differ."""
    out = []
    for path, after in upper.walk():
        before = lower.get(path)
        if isinstance(before, (File, HardLink)) and isinstance(after, (File, HardLink)):
            b, a = lower.file(path), upper.file(path)
            if (b.mode, b.uid, b.gid, b.size, b.mtime) == (a.mode, a.uid, a.gid, a.size, a.mtime) and b != a:
                out.append(path)
    return out


OPS = ["write", "append", "mkdir", "unlink", "rmdir", "rmtree", "symlink", "link", "chmod", "chown", "rename",
       "truncate", "utime"]


@SETTINGS
@given(stack_st(max_layers=2), st.lists(st.tuples(st.sampled_from(OPS), path_st, path_st, content_st), max_size=10))
def test_worktree_layers_reproduce_its_view(base, ops):
    try:
        merge([RICH, *base])
    except (LayerError, SymlinkLoopError, FilesystemError):
        assume(False)
    base = [RICH, *base]
    tree = WorkTree(merge(base), clock=iter(range(1, 10_000)).__next__)
    for op, p, q, data in ops:
        try:
            if op == "write":
                tree.write(p, data)
            elif op == "append":
                tree.write(p, data, append=True)
            elif op == "mkdir":
                tree.mkdir(p, 0o755)
            elif op == "symlink":
                tree.symlink(q, p)
            elif op in ("link", "rename"):
                getattr(tree, op)(p, q)
            elif op == "chmod":
                tree.chmod(p, 0o700)
            elif op == "chown":
                tree.chown(p, 1000, 1000)
            elif op == "truncate":
                tree.truncate(p, 3)
            elif op == "utime":
                tree.utime(p)
            else:
                getattr(tree, op)(p)
        except (FilesystemError, SymlinkLoopError):
            pass
    view = tree.snapshot()
    assert merge([*base, tree.upper_layer()]) == view, "overlay2: the upperdir as a layer"
    # Docker's naive differ keeps hard links only among the names it writes, so compare contents; and it cannot
    # see a content change that kept size and mtime (go-archive changes.go says so), so skip those trees
    if not blind_spots(tree.lower, view):
        assert flat(merge([*base, tree.naive_layer()])) == flat(view), "vfs: the naive diff as a layer"
    assert merge([*base, Layer.from_tar(tree.upper_layer().to_tar())]) == view
