"""The small rules of layerlab.formats, as tables: each row states its own expected outcome."""

from __future__ import annotations

import ast
import gzip
import pathlib

import pytest

from layerlab import FormatError, Layer, LayerError, LimitExceededError, UnsafeArchiveError
from layerlab.formats import Platform, detect_format, save_docker_archive, save_oci_layout
from layerlab.formats.archive import clean_name
from layerlab.formats.gojson import go_json, parse_json
from layerlab.formats.refs import DEFAULT_DOMAIN as D, familiar, full, matches
from layerlab.formats.spool import Cache, sniff, spool

from .craft import tar_of
from .samples import small_image

# (reference, familiar form, full form)
REFERENCES = [
    ("app", "app:latest", f"{D}/library/app:latest"),
    ("app:v1", "app:v1", f"{D}/library/app:v1"),
    ("me/app:1", "me/app:1", f"{D}/me/app:1"),
    (f"{D}/library/busybox:1.36", "busybox:1.36", f"{D}/library/busybox:1.36"),
    ("example.com/org/x:2", "example.com/org/x:2", "example.com/org/x:2"),
    ("localhost:5000/app", "localhost:5000/app:latest", "localhost:5000/app:latest"),
    ("localhost/app:latest", "localhost/app:latest", "localhost/app:latest"),
]


@pytest.mark.parametrize("ref,short,long", REFERENCES)
def test_references_read_like_docker(ref, short, long):
    assert familiar(ref) == short and full(ref) == long and familiar(full(ref)) == short


# (requested, an image's tags, matches?)
SELECTION = [
    ("app", ["app:latest"], True),
    ("app:latest", [f"{D}/library/app:latest"], True),
    ("latest", ["localhost/app:latest"], True),
    ("app:v2", ["app:latest"], False),
    ("other", ["app:latest"], False),
]


@pytest.mark.parametrize("ref,tags,expected", SELECTION)
def test_ref_selection(ref, tags, expected):
    assert matches(ref, tags) is expected


# (request, offered, accepted?)
PLATFORMS = [
    ("linux/amd64", "linux/amd64", True),
    ("linux/arm64", "linux/amd64", False),
    ("linux/arm", "linux/arm/v7", True),
    ("linux/arm/v6", "linux/arm/v7", False),
    ("windows/amd64", "linux/amd64", False),
]


@pytest.mark.parametrize("request_,offered,expected", PLATFORMS)
def test_platform_matching(request_, offered, expected):
    assert Platform.parse(request_).accepts(Platform.parse(offered)) is expected


@pytest.mark.parametrize("bad", ["linux", "linux/", "a/b/c/d", ""])
def test_bad_platform_strings_are_refused(bad):
    with pytest.raises(FormatError, match="os/arch"):
        Platform.parse(bad)


# (member name, cleaned, or the error it raises)
NAMES = [
    ("manifest.json", "manifest.json"),
    ("./blobs/sha256/ab", "blobs/sha256/ab"),
    ("a//b/./c", "a/b/c"),
    ("../x", UnsafeArchiveError),
    ("a/../../x", UnsafeArchiveError),
    ("a/../b", UnsafeArchiveError),  # '..' is never needed in an image archive: refuse any
    ("/abs", UnsafeArchiveError),
    ("", FormatError),
    ("a\x00b", FormatError),
]


@pytest.mark.parametrize("name,expected", NAMES)
def test_member_names(name, expected):
    if isinstance(expected, str):
        assert clean_name(name, "test") == expected
    else:
        with pytest.raises(expected):
            clean_name(name, "test")


# (first bytes, compression)
MAGIC = [(b"\x1f\x8b\x08", "gzip"), (b"\x28\xb5\x2f\xfd", "zstd"), (b"etc/", "none"), (b"", "none")]


@pytest.mark.parametrize("head,expected", MAGIC)
def test_sniff_compression(head, expected):
    assert sniff(head) == expected


def test_go_json_escapes_like_go_and_keeps_struct_order():
    assert go_json({"z": "a<b>&c", "a": [1, None]}) == b'{"z":"a\\u003cb\\u003e\\u0026c","a":[1,null]}'
    assert go_json({"z": 1, "a": 2}, sort_keys=True, newline=True) == b'{"a":2,"z":1}\n'


@pytest.mark.parametrize("raw,kind,ok", [(b"{}", dict, True), (b"[]", list, True), (b"[]", dict, False),
                                        (b"nope", dict, False), (b"\xff", dict, False), (b"[" * 100000, list, False)])
def test_parse_json_is_careful(raw, kind, ok):
    if ok:
        assert isinstance(parse_json(raw, "m", "w", kind), kind)
    else:
        with pytest.raises(FormatError):
            parse_json(raw, "m", "w", kind)


def test_spool_hashes_both_sides_and_handles_multi_member_gzip(tmp_path):
    plain = tar_of(("a", b"x" * 1000))
    blob = gzip.compress(plain[:700]) + gzip.compress(plain[700:])
    out = spool([blob[:5], blob[5:]], cache=Cache(tmp_path), member="blob")
    assert out.compression == "gzip" and open(out.path, "rb").read() == plain
    import hashlib
    assert out.digest == "sha256:" + hashlib.sha256(blob).hexdigest()
    assert out.diff_id == "sha256:" + hashlib.sha256(plain).hexdigest()


@pytest.mark.parametrize("blob,error,message", [
    (gzip.compress(b"x" * 100)[:-3], LayerError, "truncated gzip"),
    (gzip.compress(b"x" * 100) + b"junk", LayerError, "not gzip"),
    (b"\x1f\x8b\x08\x00\0\0\0\0\0\xff" + b"\xff" * 64, LayerError, "not valid gzip"),
    (gzip.compress(b"\0" * 5000), LimitExceededError, "decompression bomb"),
])
def test_spool_refuses_bad_gzip(tmp_path, blob, error, message):
    with pytest.raises(error, match=message):
        spool([blob], cache=Cache(tmp_path), member="blob", max_bytes=4096)
    assert [p.name for p in tmp_path.iterdir()] == []  # no half-written file left behind


# (how the file was made, detect_format says)
def _export(p):
    p.write_bytes(Layer.from_spec({"/etc/motd": "hi"}).to_tar())


DETECT = [
    (lambda p: save_docker_archive([(("a",), small_image())], p), "docker-archive-oci"),
    (lambda p: save_docker_archive([(("a",), small_image())], p, layout="legacy"), "docker-archive-legacy"),
    (lambda p: save_oci_layout([(("a",), small_image())], p), "oci-dir"),
    (lambda p: save_oci_layout([(("a",), small_image())], p, tar=True), "oci-tar"),
    (_export, "export"),
]


@pytest.mark.parametrize("make,expected", DETECT, ids=[r[1] for r in DETECT])
def test_detect_format(tmp_path, make, expected):
    make(tmp_path / "x")
    assert detect_format(tmp_path / "x") == expected


def test_detect_format_refuses_a_plain_directory(tmp_path):
    with pytest.raises(FormatError, match="neither an OCI image layout"):
        detect_format(tmp_path)


def test_saving_twice_into_one_layout_directory_is_refused(tmp_path):
    save_oci_layout([(("a",), small_image())], tmp_path / "o")
    with pytest.raises(FormatError, match="already holds an OCI layout"):
        save_oci_layout([(("a",), small_image())], tmp_path / "o")


def test_docker_save_refuses_an_image_without_layers(tmp_path):
    from layerlab.image import SCRATCH
    with pytest.raises(FormatError, match="empty export - not implemented"):
        save_docker_archive([(("empty",), SCRATCH)], tmp_path / "e.tar")


def test_oci_layout_carries_an_image_without_layers(tmp_path):
    from layerlab.formats import load_image
    from layerlab.image import SCRATCH
    save_oci_layout([(("empty",), SCRATCH)], tmp_path / "o")
    assert load_image(tmp_path / "o") == SCRATCH


def test_formats_depends_only_on_fs_and_image():
    """DESIGN.md: formats may import fs, image and errors; nothing above them, nothing outside stdlib."""
    allowed_inside = {"errors", "fs", "image", "formats"}
    stdlib = set(__import__("sys").stdlib_module_names) | {"zstandard"}
    folder = pathlib.Path(__import__("layerlab.formats", fromlist=["x"]).__file__).parent
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level >= 2:
                assert (node.module or "").split(".")[0] in allowed_inside, (path.name, node.module)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                assert node.module.split(".")[0] in stdlib, (path.name, node.module)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] in stdlib, (path.name, alias.name)
