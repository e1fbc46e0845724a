"""Scan a root filesystem directory into manifest rows, diff two scans, write the package data.

Used by make_bases.py; needs root to read every file of a chroot (as debootstrap leaves it).

A row is (path, type, mode, uid, gid, size, target, mtime) with type one of
  d  directory          f  regular file       l  symlink (target = link text)
  h  hard link (target = the first name of the inode, in walk order)
  w  whiteout (the path is deleted from lower layers)
Paths are absolute, in the order a directory walk visits them (parents first).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import stat

# files a learner `cat`s and the simulated shell reads: stored with their real text
TEXT_PREFIXES = ("/etc/", "/root/", "/usr/lib/os-release", "/usr/share/base-files/", "/var/lib/dpkg/status",
                 "/var/lib/dpkg/diversions", "/var/lib/dpkg/statoverride", "/var/lib/apt/extended_states",
                 "/usr/local/bin/", "/usr/sbin/policy-rc.d", "/sbin/initctl", "/usr/share/debianutils/shells",
                 "/lib/apk/db/installed", "/usr/share/apk/", "/run/systemd/container")
TEXT_SUFFIXES = (".list", ".conffiles")
TEXT_MAX = 48 * 1024
# large text files that are never worth storing (synthesized instead)
TEXT_SKIP = ("/etc/ssl/certs/ca-certificates.crt", "/etc/ld.so.cache", "/var/lib/dpkg/status-old",
             "/etc/apt/trusted.gpg.d/", "/etc/shadow-", "/etc/gshadow-", "/etc/passwd-", "/etc/group-",
             "/etc/subuid-", "/etc/subgid-")


def sort_key(path: str) -> tuple[str, ...]:
    return tuple(path.split("/"))


# the package databases the simulated apt-get/apk read and rewrite: always text, whatever their size
ALWAYS_TEXT_MAX = 1024 * 1024


def wants_text(path: str, size: int) -> bool:
    if size <= ALWAYS_TEXT_MAX and (path in ("/var/lib/dpkg/status", "/lib/apk/db/installed") or
                                    path.startswith("/var/lib/dpkg/info/") and path.endswith(".list")):
        return True
    if size > TEXT_MAX or any(path.startswith(s) for s in TEXT_SKIP):
        return False
    if path.startswith("/var/lib/dpkg/info/"):
        return path.endswith(TEXT_SUFFIXES)
    return any(path == p or path.startswith(p) for p in TEXT_PREFIXES)


def is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def scan(root: str, exclude=()) -> dict[str, dict]:
    """Every path under root (root itself as '/'), with metadata, a content hash and the text of text files."""
    out: dict[str, dict] = {}
    inodes: dict[tuple[int, int], str] = {}
    root = os.path.abspath(root)

    def excluded(path: str) -> bool:
        return any(path == e or path.startswith(e.rstrip("*")) and e.endswith("*") for e in exclude)

    def walk(real: str, path: str) -> None:
        st = os.lstat(real)
        mode = stat.S_IMODE(st.st_mode)
        row = {"path": path, "mode": mode, "uid": st.st_uid, "gid": st.st_gid, "mtime": int(st.st_mtime),
               "size": 0, "target": "", "hash": ""}
        if stat.S_ISDIR(st.st_mode):
            row["type"] = "d"
            out[path] = row
            names = sorted(os.listdir(real))
            for name in names:
                child = (path.rstrip("/") + "/" + name)
                if excluded(child):
                    continue
                walk(os.path.join(real, name), child)
            return
        if stat.S_ISLNK(st.st_mode):
            row["type"] = "l"
            row["target"] = os.readlink(real)
            row["size"] = len(row["target"].encode("utf-8", "surrogateescape"))
        elif stat.S_ISREG(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if st.st_nlink > 1 and key in inodes:
                row["type"] = "h"
                row["target"] = inodes[key]
                row["hash"] = out[inodes[key]]["hash"]
            else:
                if st.st_nlink > 1:
                    inodes[key] = path
                row["type"] = "f"
                row["size"] = st.st_size
                with open(real, "rb") as f:
                    data = f.read()
                row["hash"] = hashlib.sha256(data).hexdigest()
                if wants_text(path, st.st_size) and is_text(data):
                    row["text"] = data.decode("utf-8")
        else:
            return  # devices, fifos, sockets: none in an image layer we model
        out[path] = row

    walk(root, "/")
    return dict(sorted(out.items(), key=lambda kv: sort_key(kv[0])))


def _same(a: dict, b: dict) -> bool:
    keys = ("type", "mode", "uid", "gid", "size", "target", "hash")
    return all(a[k] == b[k] for k in keys)


def diff(before: dict[str, dict], after: dict[str, dict]) -> dict[str, dict]:
    """The changeset (as overlayfs records it) that turns before into after: changed paths, their
    parent directories, and a whiteout for each topmost deleted path."""
    out: dict[str, dict] = {}
    for path, row in after.items():
        old = before.get(path)
        if old is None or not _same(old, row) or (row["type"] != "d" and old["mtime"] != row["mtime"]):
            out[path] = row
    for path in before:
        if path in after:
            continue
        parent = path.rsplit("/", 1)[0] or "/"
        if parent in before and parent not in after:
            continue  # a deleted ancestor's whiteout covers it
        out[path] = {"path": path, "type": "w", "mode": 0, "uid": 0, "gid": 0, "size": 0, "target": "",
                     "mtime": 0, "hash": ""}
    # a hard-linked inode any of whose names changed is written again under all its names
    for path in list(out):
        for anc in _ancestors(path):
            if anc not in out and anc in after:
                out[anc] = after[anc]
    for path, row in list(out.items()):
        if row["type"] == "h" and row["target"] not in out:
            out[row["target"]] = after[row["target"]]
    return dict(sorted(out.items(), key=lambda kv: sort_key(kv[0])))


def _ancestors(path: str):
    while path != "/":
        path = path.rsplit("/", 1)[0] or "/"
        yield path


def tsv_lines(rows, layer: int) -> list[str]:
    lines = []
    for r in rows:
        lines.append("\t".join([str(layer), r["path"], r["type"], format(r["mode"], "o"), str(r["uid"]),
                                str(r["gid"]), str(r["size"]), r["target"], str(r["mtime"])]))
    return lines


def write_gz(path: str, lines: list[str], header: str) -> int:
    """Write lines (plus a header comment) gzip'd with a fixed mtime, so regenerating is byte-stable."""
    raw = (header.rstrip("\n") + "\n" + "\n".join(lines) + "\n").encode("utf-8")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(raw)
    with open(path, "wb") as f:
        f.write(buf.getvalue())
    return len(buf.getvalue())


def text_lines(rows_with_layer) -> list[str]:
    """Lines 'layer<TAB>path<TAB>json-string' for every row that carries its text."""
    out = []
    for layer, r in rows_with_layer:
        if "text" in r:
            out.append(f"{layer}\t{r['path']}\t{json.dumps(r['text'], ensure_ascii=False)}")
    return out
