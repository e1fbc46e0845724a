"""Untrusted archives: every trick is refused with a LayerlabError that names the member and the rule,
or handled as documented; unpack never writes outside its target; a fuzzer finds no other exception."""

from __future__ import annotations

import gzip
import json
import os
import tarfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layerlab import (DIR, Device, DigestMismatchError, File, FilesystemError, FormatError, HardLink, Layer,
                      LayerError, LayerlabError, LimitExceededError, Symlink, UnsafeArchiveError)
from layerlab.formats import load_image, save_docker_archive, save_oci_layout, unpack
from layerlab.image import HistoryEntry, Image

from .craft import config_for, docker_archive, oci_layout_tar, sha, tar_of
from .samples import small_image

GOOD_LAYER = tar_of(("etc/", b"", {"type": tarfile.DIRTYPE}), ("etc/motd", b"hi\n"))


def evil_layer(*rows) -> bytes:
    return tar_of(*rows)


def truncated(data: bytes, keep: int) -> bytes:
    return data[:keep]


def corrupt_blob(archive: bytes, needle: bytes) -> bytes:
    """Flip one byte inside the first occurrence of needle (a blob's content)."""
    i = archive.index(needle)
    return archive[:i] + bytes([archive[i] ^ 0x20]) + archive[i + 1:]


BOMB = gzip.compress(tar_of(("zeros", b"\0" * (3 << 20))))

# (id, archive bytes, load_image options, error class, what the message must say)
ROWS = [
    ("outer member climbs out with ..",
     docker_archive([GOOD_LAYER], extra=[("../escape", b"x")]), {}, UnsafeArchiveError, "climbs out"),
    ("outer member is absolute",
     docker_archive([GOOD_LAYER], extra=[("/etc/cron.d/evil", b"x")]), {}, UnsafeArchiveError, "absolute"),
    ("layer member climbs out with ..",
     docker_archive([evil_layer(("../../etc/passwd", b"root::0:0"))]), {}, UnsafeArchiveError,
     "'../../etc/passwd' climbs out"),
    ("layer member is absolute",
     docker_archive([evil_layer(("/etc/passwd", b"x"))]), {}, UnsafeArchiveError, "absolute name"),
    ("hard link to outside",
     docker_archive([evil_layer(("evil", b"", {"type": tarfile.LNKTYPE, "linkname": "../../../etc/shadow"}))]),
     {}, UnsafeArchiveError, "climbs out"),
    ("duplicate member in a layer",
     docker_archive([evil_layer(("a", b"1"), ("a", b"2"))]), {}, LayerError, "appears twice"),
    ("duplicate manifest.json",
     docker_archive([GOOD_LAYER], extra=[("manifest.json", b"[]")]), {}, FormatError, "appears twice"),
    ("gzip bomb past max_bytes",
     docker_archive([BOMB], config=config_for([gzip.decompress(BOMB)])), {"max_bytes": 1 << 20},
     LimitExceededError, "decompression bomb"),
    ("truncated archive",
     truncated(docker_archive([tar_of(("big", b"x" * 50_000))]), 30_000), {}, FormatError, "truncated"),
    ("truncated gzip layer",
     docker_archive([gzip.compress(GOOD_LAYER)[:-12]], config=config_for([GOOD_LAYER])), {}, LayerError,
     "truncated gzip"),
    ("manifest names a missing blob",
     oci_layout_tar([GOOD_LAYER], drop={sha(GOOD_LAYER)}), {}, FormatError, "missing from the archive"),
    ("blob digest mismatch",
     corrupt_blob(oci_layout_tar([GOOD_LAYER]), b"hi\n"), {}, DigestMismatchError, "hashes to sha256:"),
    ("index.json is not JSON",
     oci_layout_tar([GOOD_LAYER], index=b"{not json"), {}, FormatError, "index.json .* is not valid JSON"),
    ("index.json is JSON but not an object",
     oci_layout_tar([GOOD_LAYER], index=b"[1, 2]"), {}, FormatError, "must be a JSON object"),
    ("config diff_ids disagree with the layers",
     docker_archive([GOOD_LAYER], config=config_for([b"other"])), {}, DigestMismatchError, "rootfs.diff_ids"),
    ("config diff_ids disagree in an OCI layout",
     oci_layout_tar([GOOD_LAYER], config=config_for([b"other"])), {}, DigestMismatchError, "rootfs.diff_ids"),
    ("manifest.json Layers path with ..",
     docker_archive([GOOD_LAYER], manifest=[{"Config": sha(config_for([GOOD_LAYER]))[7:] + ".json",
                                             "RepoTags": [], "Layers": ["../../etc/passwd"]}]), {}, UnsafeArchiveError,
     "Layers\\[0\\] names '../../etc/passwd'"),
    ("manifest.json Config path absolute",
     docker_archive([GOOD_LAYER], manifest=[{"Config": "/etc/passwd", "RepoTags": [], "Layers": []}]), {},
     UnsafeArchiveError, "Config names '/etc/passwd', an absolute path"),
    ("symlinked layer leads outside the archive",
     docker_archive([GOOD_LAYER], layer_names=["l0/layer.tar"],
                    manifest=[{"Config": sha(config_for([GOOD_LAYER]))[7:] + ".json", "RepoTags": [],
                               "Layers": ["x/layer.tar"]}],
                    extra=[("x/layer.tar", b"", {"type": tarfile.SYMTYPE, "linkname": "../../../etc/passwd"})]),
     {}, UnsafeArchiveError, "leads outside the archive"),
    ("whiteout that is a directory",
     docker_archive([evil_layer((".wh.x", b"", {"type": tarfile.DIRTYPE}))]), {}, LayerError, "rule 9"),
    ("bare .wh.",
     docker_archive([evil_layer((".wh.", b""))]), {}, LayerError, "bare '.wh.'"),
    ("not an archive at all", b"hello, I am a text file\n" * 30, {}, FormatError, "not a readable tar"),
    ("empty file", b"", {}, FormatError, "not a readable tar"),
    ("manifest.json is an object", docker_archive([GOOD_LAYER], manifest={"Config": "x"}), {}, FormatError,
     "must be a JSON list"),
    ("config has a string rootfs",
     docker_archive([GOOD_LAYER], config=json.dumps({"rootfs": "layers", "history": []}).encode()), {},
     FormatError, "rootfs"),
    ("config history is not a list of objects",
     docker_archive([GOOD_LAYER], config=config_for([GOOD_LAYER], history=["RUN x"])), {}, FormatError,
     "'history' must be a list of objects"),
    ("index digest is not sha256",
     oci_layout_tar([GOOD_LAYER], index=json.dumps({"manifests": [{"digest": "md5:abc", "size": 1}]}).encode()),
     {}, FormatError, "sha256 digests"),
]


@pytest.mark.parametrize("name,archive,options,error,message", ROWS, ids=[r[0] for r in ROWS])
def test_untrusted_archive_is_refused(name, archive, options, error, message, tmp_path):
    path = tmp_path / "untrusted.tar"
    path.write_bytes(archive)
    with pytest.raises(error, match=message) as caught:
        load_image(path, cache_dir=tmp_path / "cache", **options)
    assert isinstance(caught.value, LayerlabError)


def test_gzip_bomb_default_limit_is_sane():
    from layerlab.formats import DEFAULT_MAX_BYTES
    assert 1 << 30 <= DEFAULT_MAX_BYTES <= 64 << 30


def test_bomb_within_the_limit_loads(tmp_path):
    path = tmp_path / "a.tar"
    path.write_bytes(docker_archive([BOMB], config=config_for([gzip.decompress(BOMB)])))
    assert load_image(path, max_bytes=8 << 20).rootfs.stat("/zeros").size == 3 << 20


def test_non_utf8_names_are_kept_byte_for_byte(tmp_path):
    layer = tar_of(("caf\udce9", b"latin-1 name"))  # the byte 0xE9, as surrogateescape spells it
    path = tmp_path / "a.tar"
    path.write_bytes(docker_archive([layer]))
    img = load_image(path)
    assert img.rootfs.read("/caf\udce9") == b"latin-1 name"
    out = unpack(img, tmp_path / "root")
    assert os.listdir(os.fsencode(out.directory)) == [b"caf\xe9"]
    save_oci_layout([(("t",), img)], tmp_path / "o")
    assert load_image(tmp_path / "o").layers[0].to_tar() == layer


def test_a_tar_in_the_wrong_order_is_still_read(tmp_path):
    """Members may come in any order (manifest.json first or last): real tools differ."""
    cfg = config_for([GOOD_LAYER])
    rows = [("manifest.json", json.dumps([{"Config": "c.json", "RepoTags": None, "Layers": ["x.tar"]}]).encode()),
            ("x.tar", GOOD_LAYER), ("c.json", cfg)]
    (tmp_path / "a.tar").write_bytes(tar_of(*rows))
    assert load_image(tmp_path / "a.tar").rootfs.read("/etc/motd") == b"hi\n"


# -- unpack stays inside its target ---------------------------------------------------------------
def test_unpack_never_follows_a_symlink_out_of_the_target(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    img = Image(layers=(
        Layer.from_spec({"/evil": Symlink(str(outside)), "/up": Symlink("../../../../..")}),
        Layer.from_spec({"/evil/pwned": "gotcha", "/up/pwned2": "gotcha"}),
    ), history=(HistoryEntry("a"), HistoryEntry("b")))
    report = unpack(img, tmp_path / "root")
    assert os.listdir(outside) == []
    assert not (tmp_path / "pwned2").exists() and not (tmp_path.parent / "pwned2").exists()
    assert os.path.islink(tmp_path / "root" / "evil")
    # the merged view resolved the symlinked parent inside the image root, as the kernel would in a chroot
    assert (tmp_path / "root" / str(outside).lstrip("/") / "pwned").read_text() == "gotcha"
    assert (tmp_path / "root" / "pwned2").read_text() == "gotcha"
    assert report.written == len(img.rootfs)


def test_unpack_refuses_a_non_empty_target(tmp_path):
    (tmp_path / "root").mkdir()
    os.symlink("/etc", tmp_path / "root" / "etc")
    with pytest.raises(FilesystemError, match="not empty"):
        unpack(small_image(), tmp_path / "root")


def test_unpack_skips_devices_with_a_note_and_links_hard_links(tmp_path):
    img = Image(layers=(Layer.from_spec({
        "/dev/null": Device("char", 1, 3), "/dev/fifo": Device("fifo"),
        "/a": File("shared", mode=0o4755), "/b": HardLink("/a")}),), history=(HistoryEntry("x"),))
    report = unpack(img, tmp_path / "root")
    assert [p for p, _ in report.skipped] == ["/dev/null"] and "needs root" in report.skipped[0][1]
    assert not os.path.lexists(tmp_path / "root" / "dev" / "null")
    assert os.path.exists(tmp_path / "root" / "dev" / "fifo")
    a, b = os.stat(tmp_path / "root" / "a"), os.stat(tmp_path / "root" / "b")
    assert a.st_ino == b.st_ino and a.st_nlink == 2 and a.st_mode & 0o7777 == 0o4755


@pytest.mark.skipif(os.geteuid() != 0, reason="creating device nodes needs root")
def test_unpack_creates_devices_when_root_and_asked(tmp_path):
    img = Image(layers=(Layer.from_spec({"/dev/null": Device("char", 1, 3)}),), history=(HistoryEntry("x"),))
    report = unpack(img, tmp_path / "root", devices=True)
    st_ = os.lstat(tmp_path / "root" / "dev" / "null")
    assert report.skipped == () and os.major(st_.st_rdev) == 1 and os.minor(st_.st_rdev) == 3


# -- fuzzing: anything but a LayerlabError is a bug ---------------------------------------------
def _valid_archives(tmp):
    img = Image(layers=(Layer.from_spec({"/etc/motd": "hi\n", "/bin/sh": Symlink("busybox"), "/tmp/": DIR}),
                        Layer.from_spec({"/etc/motd": "bye\n"})),
                history=(HistoryEntry("a"), HistoryEntry("b")))
    out = {}
    save_docker_archive([(("f:1",), img)], tmp / "d-oci.tar")
    save_docker_archive([(("f:1",), img)], tmp / "d-legacy.tar", layout="legacy")
    save_oci_layout([(("f",), img)], tmp / "oci.tar", tar=True)
    save_oci_layout([(("f",), img)], tmp / "oci-gz.tar", tar=True, compression="gzip")
    (tmp / "export.tar").write_bytes(img.layers[0].to_tar())
    for name in ("d-oci.tar", "d-legacy.tar", "oci.tar", "oci-gz.tar", "export.tar"):
        out[name] = (tmp / name).read_bytes()
    return out


@pytest.fixture(scope="module")
def valid_archives(tmp_path_factory):
    return _valid_archives(tmp_path_factory.mktemp("fuzz-src"))


RENAMES = [(b"manifest.json", b"manifest.jsoX"), (b"index.json", b"index.jsoN"), (b"oci-layout", b"oci-layouT"),
           (b"blobs/sha256/", b"blobs/sha256/../"), (b"layer.tar", b"layer.ta/"), (b"etc/motd", b"../etc/m")]


@st.composite
def mutations(draw, size: int):
    kind = draw(st.sampled_from(["flip", "truncate", "rename", "splice"]))
    if kind == "flip":
        return kind, [(draw(st.integers(0, size - 1)), draw(st.integers(1, 255)))
                      for _ in range(draw(st.integers(1, 8)))]
    if kind == "truncate":
        return kind, draw(st.integers(0, size - 1))
    if kind == "rename":
        return kind, draw(st.sampled_from(RENAMES))
    return kind, (draw(st.integers(0, size - 1)), draw(st.binary(min_size=1, max_size=64)))


def mutate(data: bytes, mutation) -> bytes:
    kind, how = mutation
    if kind == "flip":
        buf = bytearray(data)
        for at, mask in how:
            buf[at] ^= mask
        return bytes(buf)
    if kind == "truncate":
        return data[:how]
    if kind == "rename":
        return data.replace(how[0], how[1])
    at, blob = how
    return data[:at] + blob + data[at + len(blob):]


@pytest.mark.parametrize("name", ["d-oci.tar", "d-legacy.tar", "oci.tar", "oci-gz.tar", "export.tar"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=st.data())
def test_fuzzed_archives_load_or_raise_layerlab_errors(name, valid_archives, data, tmp_path_factory):
    original = valid_archives[name]
    mutated = mutate(original, data.draw(mutations(len(original))))
    work = tmp_path_factory.mktemp("fuzz")
    path = work / name
    path.write_bytes(mutated)
    try:
        images = __import__("layerlab.formats", fromlist=["load_images"]).load_images(path, cache_dir=work / "c",
                                                                                      max_bytes=1 << 20)
        for _, img in images:
            for _, entry in img.rootfs.walk():
                if isinstance(entry, File):
                    entry.content.read()
    except LayerlabError:
        pass
