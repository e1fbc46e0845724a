"""tar, gzip and gunzip: real archive bytes in the tree, made with the tarfile module in memory."""

from __future__ import annotations

import bz2
import gzip as _gzip
import io
import lzma
import re
import tarfile

from ...errors import LayerlabError
from ...fs import paths
from ..base import FS_ERRORS, CommandFailed, Ctx, command, decode, encode, strerror
from ..patterns import fnmatch
from .coreutils import q, strftime

MAX_ARCHIVE = 256 << 20
_ARG_LETTERS = set("fCTXbN")


def _parse_tar_args(ctx: Ctx, args: list[str]):
    opts: dict = {"mode": None, "file": None, "dir": None, "verbose": 0, "compress": None, "excludes": [],
                  "strip": 0, "same_owner": None, "to_stdout": False, "keep_old": False, "owner": None,
                  "group": None, "numeric": False, "no_recursion": False}
    operands: list[str] = []
    args = list(args)
    old_style = False
    if args and not args[0].startswith("-") and re.fullmatch(r"[A-Za-z]+", args[0]) and \
            set(args[0]) <= set("cxtrurzjJvfCpoOkmhPaST"):
        args[0] = "-" + args[0]
        old_style = True
    i = 0

    def take():
        nonlocal i
        i += 1
        if i >= len(args):
            raise CommandFailed("option requires an argument\nTry 'tar --help' or 'tar --usage' for more "
                                "information.", 2)
        return args[i]

    while i < len(args):
        a = args[i]
        if a == "--":
            operands.extend(args[i + 1:])
            break
        if a.startswith("--"):
            name, eq, value = a[2:].partition("=")
            needs = name in ("file", "directory", "exclude", "strip-components", "owner", "group", "transform",
                             "mtime", "sort", "format", "files-from")
            if needs and not eq:
                value = take()
            if name == "file":
                opts["file"] = value
            elif name == "directory":
                opts["dir"] = value
            elif name == "exclude":
                opts["excludes"].append(value)
            elif name == "strip-components":
                opts["strip"] = int(value)
            elif name in ("create", "extract", "get", "list", "append"):
                opts["mode"] = {"create": "c", "extract": "x", "get": "x", "list": "t", "append": "r"}[name]
            elif name in ("gzip", "gunzip"):
                opts["compress"] = "gz"
            elif name in ("bzip2",):
                opts["compress"] = "bz2"
            elif name in ("xz",):
                opts["compress"] = "xz"
            elif name == "verbose":
                opts["verbose"] += 1
            elif name == "no-same-owner":
                opts["same_owner"] = False
            elif name == "same-owner":
                opts["same_owner"] = True
            elif name == "to-stdout":
                opts["to_stdout"] = True
            elif name == "owner":
                opts["owner"] = value
            elif name == "group":
                opts["group"] = value
            elif name == "numeric-owner":
                opts["numeric"] = True
            elif name == "no-recursion":
                opts["no_recursion"] = True
            elif name in ("overwrite", "no-same-permissions", "same-permissions", "preserve-permissions",
                          "sort", "mtime", "format", "transform", "warning", "keep-old-files",
                          "skip-old-files", "totals", "auto-compress", "no-overwrite-dir", "wildcards",
                          "anchored", "dereference", "one-file-system", "absolute-names"):
                if name == "keep-old-files":
                    opts["keep_old"] = True
            else:
                raise CommandFailed(f"unrecognized option '{a}'\nTry 'tar --help' or 'tar --usage' for more "
                                    "information.", 2)
            i += 1
            continue
        if a.startswith("-") and len(a) > 1:
            letters = a[1:]
            j = 0
            while j < len(letters):
                c = letters[j]
                if c in "cxtru":
                    opts["mode"] = "x" if c == "x" else ("r" if c in "ru" else c)
                elif c == "z":
                    opts["compress"] = "gz"
                elif c == "j":
                    opts["compress"] = "bz2"
                elif c == "J":
                    opts["compress"] = "xz"
                elif c == "v":
                    opts["verbose"] += 1
                elif c == "O":
                    opts["to_stdout"] = True
                elif c == "o":
                    opts["same_owner"] = False
                elif c == "k":
                    opts["keep_old"] = True
                elif c in "pmhPaS":
                    pass
                elif c in "fCT":
                    rest = letters[j + 1:]
                    if j == 0 and rest and not (i == 0 and old_style):
                        value = rest
                    else:
                        value = take()
                    if c == "f":
                        opts["file"] = value
                    elif c == "C":
                        opts["dir"] = value
                    if value == rest and j == 0:
                        break
                else:
                    raise CommandFailed(f"invalid option -- '{c}'\nTry 'tar --help' or 'tar --usage' for more "
                                        "information.", 2)
                j += 1
            i += 1
            continue
        operands.append(a)
        i += 1
    return opts, operands


def _compress(data: bytes, how: str | None) -> bytes:
    if how == "gz":
        return _gzip.compress(data, mtime=0)
    if how == "bz2":
        return bz2.compress(data)
    if how == "xz":
        return lzma.compress(data)
    return data


def _decompress(data: bytes) -> bytes:
    try:
        if data[:2] == b"\x1f\x8b":
            return _gzip.decompress(data)
        if data[:3] == b"BZh":
            return bz2.decompress(data)
        if data[:6] == b"\xfd7zXZ\x00":
            return lzma.decompress(data)
    except (OSError, EOFError, lzma.LZMAError, ValueError):
        raise CommandFailed("This does not look like a tar archive\ntar: Exiting with failure status due to "
                            "previous errors", 2)
    return data


def _tv_line(ctx: Ctx, ti: tarfile.TarInfo) -> str:
    from ..base import mode_string
    kind = "dir" if ti.isdir() else "symlink" if ti.issym() else "file"
    owner = f"{ti.uname or ti.uid}/{ti.gname or ti.gid}"
    size = ti.size
    name = ti.name + ("/" if ti.isdir() and not ti.name.endswith("/") else "")
    extra = f" -> {ti.linkname}" if ti.issym() else (f" link to {ti.linkname}" if ti.islnk() else "")
    t = mode_string(kind, ti.mode)
    if ti.islnk():
        t = "h" + t[1:]
    pad = " " * max(1, 19 - len(owner) - len(str(size)))
    return f"{t} {owner}{pad}{size} {strftime('%Y-%m-%d %H:%M', int(ti.mtime))} {name}{extra}\n"


@command("tar")
def tar(ctx: Ctx) -> int:
    opts, operands = _parse_tar_args(ctx, ctx.argv[1:])
    mode = opts["mode"]
    if mode is None:
        raise CommandFailed("You must specify one of the '-Acdtrux', '--delete' or '--test-label' options\n"
                            "Try 'tar --help' or 'tar --usage' for more information.", 2)
    if mode == "c":
        return _tar_create(ctx, opts, operands)
    if mode == "r":
        raise CommandFailed("layerlab: tar -r/-u (append) is not simulated", 2)
    return _tar_read(ctx, opts, operands)


def _base_dir(ctx: Ctx, opts) -> str:
    return ctx.abspath(opts["dir"]) if opts["dir"] else ctx.cwd


def _tar_create(ctx: Ctx, opts, operands: list[str]) -> int:
    fs = ctx.fs
    if not operands:
        raise CommandFailed("Cowardly refusing to create an empty archive\nTry 'tar --help' or 'tar --usage' "
                            "for more information.", 2)
    base = _base_dir(ctx, opts)
    buf = io.BytesIO()
    status = 0
    total = 0
    acc = ctx.accounts
    warned = False
    added: dict[str, str] = {}
    archive_real = None
    if opts["file"] and opts["file"] != "-":
        try:
            archive_real = fs.resolve(ctx.abspath(opts["file"]))
        except FS_ERRORS:
            archive_real = None
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        def add(name: str, real: str):
            nonlocal total
            if any(fnmatch(name.rstrip("/").rsplit("/", 1)[-1], e) or fnmatch(name, e) for e in opts["excludes"]):
                return
            if real == archive_real:
                ctx.error(f"{name}: file is the archive; not dumped")
                return
            st = fs.lstat(real)
            member = name.lstrip("/")
            ti = tarfile.TarInfo(member if member else ".")
            ti.mode = st.mode
            ti.uid, ti.gid = st.uid, st.gid
            ti.uname = "" if opts["numeric"] else acc.user_name(st.uid) if acc.user(st.uid) else ""
            ti.gname = "" if opts["numeric"] else acc.group_name(st.gid) if acc.group(st.gid) else ""
            if opts["owner"]:
                ti.uname = opts["owner"].split(":")[0]
            if opts["group"]:
                ti.gname = opts["group"].split(":")[0]
            ti.mtime = st.mtime
            if opts["verbose"]:
                ctx.out(_tv_line(ctx, ti) if opts["verbose"] > 1 else member + ("/" if st.kind == "dir" else "") + "\n")
            if st.kind == "dir":
                ti.type = tarfile.DIRTYPE
                tf.addfile(ti)
                if not opts["no_recursion"]:
                    for n in fs.listdir(real):
                        add(name.rstrip("/") + "/" + n if name not in ("", ".") else ("./" + n if name == "." else n),
                            paths.join(real, n))
            elif st.kind == "symlink":
                ti.type = tarfile.SYMTYPE
                ti.linkname = st.target
                tf.addfile(ti)
            elif st.kind in ("file", "hardlink") and getattr(fs.entry(real), "kind", "") == "hardlink" and \
                    fs.entry(real).target in added:
                ti.type = tarfile.LNKTYPE
                ti.linkname = added[fs.entry(real).target]
                tf.addfile(ti)
            elif st.kind in ("file", "hardlink"):
                added[real] = ti.name
                content = fs.content(real)
                total += content.size
                if total > MAX_ARCHIVE:
                    raise CommandFailed(f"layerlab: archives bigger than {MAX_ARCHIVE >> 20} MiB are not simulated",
                                        2)
                ti.size = content.size
                tf.addfile(ti, io.BytesIO(content.read()))
            else:
                ctx.error(f"{name}: socket ignored")

        for name in operands:
            path = paths.normalize(base.rstrip("/") + "/" + name) if not name.startswith("/") else paths.normalize(name)
            if name.startswith("/") and not warned:
                ctx.err("tar: Removing leading `/' from member names\n")
                warned = True
            try:
                if not fs.lexists(path):
                    raise FileNotFoundError
                add(name if name not in ("./",) else ".", fs.resolve(path, follow_symlinks=False))
            except FileNotFoundError:
                ctx.error(f"{name}: Cannot stat: No such file or directory")
                status = 2
            except FS_ERRORS as exc:
                ctx.error(f"{name}: Cannot open: {strerror(exc)}")
                status = 2
    data = _compress(buf.getvalue(), opts["compress"])
    target = opts["file"]
    if target in (None, "-"):
        ctx.out(decode(data))
    else:
        try:
            ctx.write_file(ctx.abspath(target), data)
        except FS_ERRORS as exc:
            raise CommandFailed(f"{target}: Cannot open: {strerror(exc)}\ntar: Error is not recoverable: exiting now",
                                2)
    if status:
        ctx.err("tar: Exiting with failure status due to previous errors\n")
    return status


def _tar_read(ctx: Ctx, opts, operands: list[str]) -> int:
    fs = ctx.fs
    src = opts["file"]
    try:
        if src in (None, "-"):
            raw = encode(ctx.stdin.read())
        else:
            raw = ctx.read_bytes(ctx.abspath(src))
    except FS_ERRORS as exc:
        raise CommandFailed(f"{src}: Cannot open: {strerror(exc)}\ntar: Error is not recoverable: exiting now", 2)
    data = _decompress(raw)
    try:
        tf = tarfile.open(fileobj=io.BytesIO(data), mode="r:")
        members = tf.getmembers()
    except (tarfile.TarError, EOFError):
        raise CommandFailed("This does not look like a tar archive\ntar: Exiting with failure status due to "
                            "previous errors", 2)
    base = _base_dir(ctx, opts)
    if opts["mode"] == "x" and not fs.is_dir(base):
        raise CommandFailed(f"{opts['dir']}: Cannot open: No such file or directory\ntar: Error is not "
                            "recoverable: exiting now", 2)
    wanted = [o.rstrip("/") for o in operands]
    found = set()
    status = 0
    same_owner = opts["same_owner"] if opts["same_owner"] is not None else ctx.uid == 0
    warned = False
    acc = ctx.accounts
    dir_modes = []
    for ti in members:
        name = ti.name
        if name.startswith("/"):
            if not warned:
                ctx.err("tar: Removing leading `/' from member names\n")
                warned = True
            name = name.lstrip("/")
        clean = re.sub(r"^(\./)+", "", name).rstrip("/")
        if wanted:
            hit = [w for w in wanted if clean == w.lstrip("./") or clean.startswith(w.lstrip("./") + "/")
                   or fnmatch(clean, w)]
            if not hit:
                continue
            found.update(hit)
        if any(fnmatch(clean.rsplit("/", 1)[-1], e) or fnmatch(clean, e) for e in opts["excludes"]):
            continue
        parts = [p for p in clean.split("/") if p not in ("", ".")]
        if ".." in parts:
            ctx.error(f"{ti.name}: Member name contains '..'")
            status = 2
            continue
        if opts["strip"]:
            if len(parts) <= opts["strip"]:
                continue
            parts = parts[opts["strip"]:]
        if opts["mode"] == "t":
            ctx.out(_tv_line(ctx, ti) if opts["verbose"] else ti.name + ("/" if ti.isdir() and not
                                                                          ti.name.endswith("/") else "") + "\n")
            continue
        if opts["verbose"]:
            ctx.out(_tv_line(ctx, ti) if opts["verbose"] > 1 else ti.name + ("/" if ti.isdir() and not
                                                                              ti.name.endswith("/") else "") + "\n")
        if opts["to_stdout"]:
            if ti.isfile():
                ctx.out(decode(tf.extractfile(ti).read()))
            continue
        if not parts:
            continue
        target = paths.normalize(base.rstrip("/") + "/" + "/".join(parts))
        try:
            _extract_one(ctx, tf, ti, target, base, same_owner, acc, opts, dir_modes)
        except FS_ERRORS as exc:
            ctx.error(f"{'/'.join(parts)}: Cannot open: {strerror(exc)}")
            status = 2
        except LayerlabError as exc:
            ctx.error(f"{'/'.join(parts)}: {exc}")
            status = 2
    for target, mode, mtime in reversed(dir_modes):
        try:
            fs.chmod(target, mode)
            fs.utime(target, mtime)
        except FS_ERRORS:
            pass
    for w in wanted:
        if w not in found:
            ctx.error(f"{w}: Not found in archive")
            status = 2
    if status:
        ctx.err("tar: Exiting with failure status due to previous errors\n")
    return status


def _extract_one(ctx: Ctx, tf, ti, target: str, base: str, same_owner: bool, acc, opts, dir_modes) -> None:
    fs = ctx.fs
    parent = paths.parent(target)
    if not fs.lexists(parent):
        ctx.mkdir(parent, parents=True)
    if same_owner:
        uid = int(acc.user(ti.uname)[2]) if ti.uname and acc.user(ti.uname) and not opts["numeric"] else ti.uid
        gid = int(acc.group(ti.gname)[2]) if ti.gname and acc.group(ti.gname) and not opts["numeric"] else ti.gid
    else:
        uid, gid = ctx.uid, ctx.gid
    if ti.isdir():
        if fs.lexists(target) and not fs.is_dir(target):
            fs.unlink(target)
        if not fs.lexists(target):
            ctx.check_create(target)
            fs.mkdir(target, 0o700, uid=uid, gid=gid)
        if same_owner:
            fs.chown(target, uid, gid)
        dir_modes.append((target, ti.mode & (0o7777 if same_owner else ~ctx.sh.umask & 0o7777), int(ti.mtime)))
        return
    if fs.lexists(target):
        if opts["keep_old"]:
            raise CommandFailed(f"{ti.name}: Cannot open: File exists", 2)
        if fs.entry(target).kind in ("dir", "opaque"):
            if ti.issym() or ti.isfile():
                fs.rmtree(target) if not fs.listdir(target) else None
        if fs.lexists(target) and fs.entry(target).kind not in ("dir", "opaque"):
            ctx.check_delete(target)
            fs.unlink(target)
    ctx.check_create(target)
    if ti.issym():
        fs.symlink(ti.linkname, target, uid=uid, gid=gid)
        return
    if ti.islnk():
        link_parts = [p for p in re.sub(r"^(\./)+", "", ti.linkname.lstrip("/")).split("/") if p not in ("", ".")]
        if opts["strip"]:
            link_parts = link_parts[opts["strip"]:]
        fs.link(paths.normalize(base.rstrip("/") + "/" + "/".join(link_parts)), target)
        return
    if ti.isfile():
        data = tf.extractfile(ti).read()
        fs.write(target, data, mode=0o600, uid=uid, gid=gid)
        fs.chmod(target, ti.mode & (0o7777 if same_owner else ~ctx.sh.umask & 0o7777))
        fs.utime(target, int(ti.mtime))
        return
    ctx.error(f"{ti.name}: special files are not simulated; skipped")


@command("gzip", "gunzip", "zcat")
def gzip_cmd(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    decompress = ctx.name in ("gunzip", "zcat")
    to_stdout = ctx.name == "zcat"
    keep = False
    force = False
    files = []
    for a in args:
        if a.startswith("-") and len(a) > 1 and not a.startswith("--"):
            for c in a[1:]:
                if c == "d":
                    decompress = True
                elif c == "c":
                    to_stdout = True
                elif c == "k":
                    keep = True
                elif c == "f":
                    force = True
                elif c in "123456789nNqrv":
                    pass
                else:
                    raise CommandFailed(f"invalid option -- '{c}'", 1)
        elif a in ("--decompress", "--stdout", "--keep", "--force"):
            decompress |= a == "--decompress"
            to_stdout |= a == "--stdout"
            keep |= a == "--keep"
            force |= a == "--force"
        else:
            files.append(a)
    fs = ctx.fs
    if not files:
        data = encode(ctx.stdin.read())
        try:
            ctx.out(decode(_gzip.decompress(data) if decompress else _gzip.compress(data, mtime=0)))
        except (OSError, EOFError):
            raise CommandFailed("stdin: not in gzip format", 1)
        return 0
    status = 0
    for name in files:
        path = ctx.abspath(name)
        try:
            if decompress:
                if not name.endswith((".gz", ".tgz")) and not to_stdout:
                    ctx.error(f"{name}: unknown suffix -- ignored")
                    status = 2
                    continue
                raw = ctx.read_bytes(path)
                try:
                    out = _gzip.decompress(raw)
                except (OSError, EOFError):
                    ctx.error(f"{name}: not in gzip format")
                    status = 1
                    continue
                dest = path[:-3] if name.endswith(".gz") else path[:-4] + ".tar"
            else:
                if name.endswith(".gz") and not force:
                    ctx.error(f"{name} already has .gz suffix -- unchanged")
                    status = 2
                    continue
                raw = ctx.read_bytes(path)
                out = _gzip.compress(raw, mtime=0)
                dest = path + ".gz"
            if to_stdout:
                ctx.out(decode(out))
                continue
            if fs.lexists(dest) and not force:
                ctx.error(f"{dest.rsplit('/', 1)[-1]} already exists; not overwritten")
                status = 2
                continue
            st = fs.stat(path)
            ctx.write_file(dest, out)
            fs.chmod(dest, st.mode)
            if not keep:
                ctx.check_delete(path)
                fs.unlink(path)
        except FS_ERRORS as exc:
            ctx.error(f"{name}: {strerror(exc)}")
            status = 1
    return status


del q
