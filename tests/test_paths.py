"""Absolute POSIX paths and the bad input every entry point refuses with a clear error."""

from __future__ import annotations

import pytest

from layerlab import DIR, File, HardLink, Layer, LayerError, LayerlabError, PathError, merge
from layerlab.fs import paths


@pytest.mark.parametrize("raw, normal", [
    ("/", "/"), ("/etc", "/etc"), ("/etc/", "/etc"), ("//etc///motd", "/etc/motd"), ("/./etc/.", "/etc"),
    ("/etc/../var", "/var"), ("/..", "/"), ("/../../etc/passwd", "/etc/passwd"), ("/a/b/../../..", "/"),
])
def test_normalize(raw, normal):
    assert paths.normalize(raw) == normal


@pytest.mark.parametrize("bad, rule", [
    ("etc/motd", "relative"),
    ("", "relative"),
    ("/etc/mo\x00td", "NUL"),
    (b"/etc", "not a string"),
])
def test_bad_paths_name_the_path_and_the_rule(bad, rule):
    with pytest.raises(PathError, match=rule) as info:
        paths.normalize(bad)
    assert repr(bad) in str(info.value), "the message names the path"


@pytest.mark.parametrize("spec, message", [
    ({"etc/motd": "hi"}, "relative"),
    ({"/etc/mo\x00td": "hi"}, "NUL"),
    ({"/x/.wh.y": "data"}, "rule 9"),
    ({"/.wh.": "data"}, "rule 9"),
    ({"/etc/": "text"}, "ends with '/'"),
    ({"/a": 42}, "give text, bytes, or an entry"),
    ({"/": File("x")}, "only be a directory"),
    ({"/a": "file", "/a/b": "child"}, "parent must be a directory"),
    ({"/a": HardLink("/a")}, "points at itself"),
], ids=["relative", "nul", "wh-name", "bare-wh", "slash-on-file", "bad-value", "root-file",
        "child-of-file", "self-link"])
def test_layer_spec_bad_input(spec, message):
    with pytest.raises(LayerlabError, match=message):
        Layer.from_spec(spec)


def test_duplicate_paths_in_one_layer():
    with pytest.raises(LayerError, match="appears twice"):
        Layer([("/a", File("1")), ("/a/", DIR)])


def test_dotdot_never_escapes_in_specs():
    assert list(Layer.from_spec({"/../../etc/x": "1"}).entries) == ["/etc/x"]


def test_errors_are_layerlab_errors_not_deep_tracebacks():
    for bad in (lambda: merge([Layer.from_spec({"/b": HardLink("/missing")})]),
                lambda: Layer.from_tar(b"this is not a tar at all" * 40)):
        with pytest.raises(LayerlabError):
            bad()
