"""SEMANTICS.md rules 18-20 (identity) and the tar codec: deterministic bytes, any real tar readable."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

import pytest

from layerlab import (DIR, EMPTY_LAYER_DIFF_ID, OPAQUE, WHITEOUT, Device, Dir, File, HardLink, Layer,
                      LayerError, Symlink, Synthetic, chain_id, member_names, sha256_digest)
from layerlab.image import HistoryEntry, Image, ImageConfig
from tests.helpers import L


# Rule 18: DiffID = sha256 of the uncompressed tar; Go ends an archive with two zero blocks.
def test_rule_18_empty_layer_diff_id_is_gos():
    assert Layer({}).diff_id == EMPTY_LAYER_DIFF_ID
    assert Layer({}).to_tar() == b"\0" * 1024


def test_rule_18_python_tarfile_pads_to_a_record_and_gets_another_digest():
    buf = io.BytesIO()
    tarfile.open(fileobj=buf, mode="w").close()
    assert len(buf.getvalue()) == 10240
    assert sha256_digest(buf.getvalue()) != EMPTY_LAYER_DIFF_ID


def test_rule_18_diff_id_is_sha256_of_tar_bytes():
    layer = L({"/etc/motd": "hi\n"})
    assert layer.diff_id == "sha256:" + hashlib.sha256(layer.to_tar()).hexdigest()


def test_rule_18_a_read_layer_keeps_its_exact_bytes_and_digest():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        ti = tarfile.TarInfo("x")
        ti.size = 1
        tf.addfile(ti, io.BytesIO(b"1"))
    layer = Layer.from_tar(buf.getvalue())
    assert layer.diff_id == sha256_digest(buf.getvalue())
    assert layer.to_tar() == buf.getvalue()


# Rule 19: ChainID over the full "sha256:<hex>" strings.
@pytest.mark.parametrize("n", [1, 2, 3])
def test_rule_19_chain_id(n):
    ids = [sha256_digest(str(i).encode()) for i in range(n)]
    expected = ids[0]
    for d in ids[1:]:
        expected = "sha256:" + hashlib.sha256(f"{expected} {d}".encode()).hexdigest()
    assert chain_id(ids) == expected


def test_rule_19_chain_id_of_nothing_is_an_error():
    with pytest.raises(LayerError, match="at least one DiffID"):
        chain_id([])


# Rule 20: Image ID = sha256 of the exact config bytes.
def test_rule_20_image_id_is_sha256_of_config_bytes():
    img = Image(layers=(L({"/a": "1"}),), config=ImageConfig(cmd=("sh",)), history=(HistoryEntry("x"),))
    assert img.id == sha256_digest(img.config_bytes())
    assert json.loads(img.config_bytes())["rootfs"]["diff_ids"] == [img.layers[0].diff_id]
    raw = json.dumps(json.loads(img.config_bytes()), indent=2).encode()
    assert Image.from_config(raw, img.layers).id == sha256_digest(raw) != img.id


# The codec: canonical order, whiteout names, determinism.
@pytest.mark.parametrize("spec, names", [
    ({"/etc/motd": "hi"}, ["etc/motd"]),
    ({"/etc/": DIR, "/etc/motd": "hi"}, ["etc/", "etc/motd"]),
    ({"/etc/old": WHITEOUT}, ["etc/.wh.old"]),
    ({"/opt/": OPAQUE}, ["opt/", "opt/.wh..wh..opq"]),
    ({"/a-b": "1", "/a/b": "2", "/a/": DIR}, ["a/", "a/b", "a-b"]),
    ({"/bin/sh": Symlink("dash")}, ["bin/sh"]),
    ({"/": DIR}, ["./"]),
], ids=["file", "dir-then-child", "whiteout", "opaque", "walk-order", "symlink", "root"])
def test_member_names(spec, names):
    assert member_names(L(spec)) == names


def test_canonical_bytes_are_deterministic():
    spec = {"/b": "2", "/a": "1", "/d/": DIR, "/d/x": WHITEOUT}
    assert L(spec).to_tar() == L(dict(reversed(list(spec.items())))).to_tar()


@pytest.mark.parametrize("entry", [
    File("x" * 10, mode=0o4755, uid=1000, gid=1000, mtime=1_700_000_000),
    File(b"\x00\xff binary"),
    Dir(mode=0o1777),
    Symlink("../lib/x"),
    Device("char", 1, 3),
    Device("fifo"),
    File("xattr", xattrs=(("security.capability", b"\x01\x00\x00\x02"),)),
], ids=["setuid-owner-mtime", "binary", "sticky-dir", "symlink", "chardev", "fifo", "xattr"])
def test_every_entry_round_trips(entry):
    layer = Layer({"/x": entry})
    assert Layer.from_tar(layer.to_tar()).entries["/x"] == entry


@pytest.mark.parametrize("name", ["a" * 99, "a" * 100, "d/" * 80 + "long", "ünïcödé/ファイル"],
                         ids=["99", "100", "very-long", "unicode"])
def test_long_and_unicode_names_round_trip(name):
    layer = L({"/" + name: "x"})
    assert Layer.from_tar(layer.to_tar()) == layer


def test_non_utf8_names_round_trip():
    name = b"caf\xe9".decode("utf-8", "surrogateescape")
    layer = Layer({"/" + name: File("x")})
    assert Layer.from_tar(layer.to_tar()) == layer


@pytest.mark.parametrize("fmt", [tarfile.GNU_FORMAT, tarfile.PAX_FORMAT, tarfile.USTAR_FORMAT],
                         ids=["gnu", "pax", "ustar"])
def test_reads_real_tar_formats_with_hard_links_and_long_names(fmt):
    buf = io.BytesIO()
    long = "usr/share/" + "x" * 120 if fmt != tarfile.USTAR_FORMAT else "usr/share/" + "x/" * 60 + "y"
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        for name, data in [("usr/bin/perl5", b"perl"), (long, b"long")]:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
        link = tarfile.TarInfo("usr/bin/perl")
        link.type, link.linkname = tarfile.LNKTYPE, "usr/bin/perl5"
        tf.addfile(link)
    layer = Layer.from_tar(buf.getvalue())
    # the first name in walk order holds the file, so a canonical re-encoding extracts in order
    assert layer.entries["/usr/bin/perl5"] == HardLink("/usr/bin/perl")
    assert layer.entries["/usr/bin/perl"].content.read() == b"perl"
    assert layer.entries["/" + long].content.read() == b"long"


def test_gzip_layers_are_read_and_diff_id_is_over_uncompressed_bytes():
    import gzip
    layer = L({"/a": "1"})
    assert Layer.from_tar(gzip.compress(layer.to_tar())).diff_id == layer.diff_id


def test_a_big_synthetic_file_streams_without_being_held():
    layer = L({"/big": Synthetic(50_000_000, "big")})
    padding = -50_000_000 % 512
    assert layer.tar_size == 512 + 50_000_000 + padding + 1024


def test_truncated_tar_is_a_clear_error():
    data = L({"/a": "x" * 2000}).to_tar()
    with pytest.raises(LayerError, match="truncated|not a readable tar"):
        Layer.from_tar(data[:700])


def test_layer_from_path_reads_content_lazily(tmp_path):
    path = tmp_path / "layer.tar"
    path.write_bytes(L({"/a": "hello"}).to_tar())
    layer = Layer.from_tar(path)
    assert type(layer.entries["/a"].content).__name__ == "BlobSlice"
    assert layer.entries["/a"].content.read() == b"hello"
    assert layer.diff_id == sha256_digest(path.read_bytes())
