"""Looking at the tree: ls, stat, du and find, with GNU's output formats."""

from __future__ import annotations

import hashlib
import re
import time

from ...fs import paths
from ..base import (FS_ERRORS, CommandFailed, Ctx, command, encode, fserror, getopt, human, mode_string,
                    strerror)
from ..patterns import fnmatch
from .coreutils import apply_mode, q, strftime

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
SIX_MONTHS = 15778476


def inode(path: str) -> int:
    return int.from_bytes(hashlib.sha1(path.encode("utf-8", "surrogateescape")).digest()[:4], "big") % 9000000 \
        + 1000000


def blocks_k(st) -> int:
    """1K blocks a file occupies (4K filesystem blocks)."""
    if st.kind == "dir":
        return 4
    if st.kind == "symlink" or st.kind == "device":
        return 0
    return -(-st.size // 4096) * 4


def ls_date(mtime: int, now: int) -> str:
    tm = time.gmtime(mtime)
    if now - SIX_MONTHS < mtime <= now + 60:
        return f"{MONTHS[tm.tm_mon - 1]} {tm.tm_mday:2d} {tm.tm_hour:02d}:{tm.tm_min:02d}"
    return f"{MONTHS[tm.tm_mon - 1]} {tm.tm_mday:2d}  {tm.tm_year}"


def _dev_stat(path: str):
    from ...fs.snapshot import Stat
    return Stat(path, "device", 0o666, 0, 0, 0, 0, None, -1, 1)


@command("ls", "dir")
def ls(ctx: Ctx) -> int:
    opts, names = getopt(ctx, ctx.argv[1:], "laAhR1dnFtSrisgopCxuc", [
        "all", "almost-all", "human-readable", "recursive", "directory", "numeric-uid-gid", "classify",
        "color=", "colour=", "reverse", "inode", "size", "group-directories-first", "full-time", "sort=",
        "time-style=", "indicator-style="], status=2)
    flags = {o for o, _ in opts}
    for o, v in opts:
        if o == "--sort" and v == "size":
            flags.add("-S")
        if o == "--sort" and v == "time":
            flags.add("-t")
    long = bool(flags & {"-l", "-n", "-g", "-o", "--numeric-uid-gid", "--full-time"})
    numeric = bool(flags & {"-n", "--numeric-uid-gid"})
    show_all = bool(flags & {"-a", "--all"})
    almost = bool(flags & {"-A", "--almost-all"})
    human_sz = bool(flags & {"-h", "--human-readable"})
    recursive = bool(flags & {"-R", "--recursive"})
    dirs_as_files = bool(flags & {"-d", "--directory"})
    classify = bool(flags & {"-F", "--classify"})
    with_inode = bool(flags & {"-i", "--inode"})
    with_size = bool(flags & {"-s", "--size"})
    fs = ctx.fs
    now = ctx.now()
    acc = ctx.accounts
    status = 0
    files: list[tuple[str, str, object]] = []
    dirs: list[tuple[str, str]] = []
    for name in names or ["."]:
        path = ctx.abspath(name)
        try:
            if ctx.is_virtual(path):
                if path == "/proc" or path.startswith("/proc/"):
                    if path == "/proc":
                        dirs.append((name, path))
                        continue
                files.append((name, path, _dev_stat(path)))
                continue
            ctx.check_traverse(path)
            lst = fs.lstat(path)
            follow = lst.kind == "symlink" and not (long or dirs_as_files or classify)
            st = fs.stat(path) if follow else lst
        except FS_ERRORS as exc:
            if ctx.flavor == "busybox":
                ctx.error(f"{name}: {strerror(exc)}")
                status = 1
            else:
                ctx.error(f"cannot access {q(name)}: {strerror(exc)}")
                status = 2
            continue
        if st.kind == "dir" and not dirs_as_files:
            dirs.append((name, path))
        else:
            files.append((name, path, st))

    def sort_entries(items):
        if "-S" in flags:
            items.sort(key=lambda t: (-t[2].size, t[0].encode("utf-8", "surrogateescape")))
        elif "-t" in flags:
            items.sort(key=lambda t: (-t[2].mtime, t[0].encode("utf-8", "surrogateescape")))
        else:
            items.sort(key=lambda t: t[0].encode("utf-8", "surrogateescape"))
        if "-r" in flags or "--reverse" in flags:
            items.reverse()
        return items

    def fmt_block(items: list[tuple[str, str, object]], total: bool) -> str:
        out = []
        if not long:
            for shown, path, st in items:
                prefix = ""
                if with_inode:
                    prefix += f"{inode(path)} "
                if with_size:
                    prefix += f"{human(blocks_k(st) * 1024) if human_sz else blocks_k(st)} "
                out.append(prefix + shown + (_classify(ctx, st) if classify else "") + "\n")
            return "".join(out)
        rows = []
        tot = 0
        for shown, path, st in items:
            tot += blocks_k(st)
            owner = str(st.uid) if numeric else acc.user_name(st.uid)
            group = str(st.gid) if numeric else acc.group_name(st.gid)
            if st.kind == "dir":
                size = 4096
            else:
                size = st.size
            size_s = human(size) if human_sz else str(size)
            if st.kind == "device":
                size_s = "1, 3" if path.endswith("null") else "1, 5"
            name = shown
            if st.kind == "symlink":
                name += f" -> {st.target}"
            elif classify:
                name += _classify(ctx, st)
            date = ls_date(st.mtime, now) if "--full-time" not in flags else \
                strftime("%Y-%m-%d %H:%M:%S.000000000 +0000", st.mtime)
            row = [mode_string(st.kind, st.mode), str(st.nlink)]
            if "-g" not in flags:
                row.append(owner)
            if "-o" not in flags:
                row.append(group)
            row += [size_s, date, name]
            if with_inode:
                row.insert(0, str(inode(path)))
            rows.append(row)
        if total:
            out.append(f"total {human(tot * 1024) if human_sz else tot}\n")
        if rows:
            ncols = len(rows[0])
            widths = [max(len(r[i]) for r in rows) for i in range(ncols - 2)]
            for r in rows:
                cells = []
                for i, cell in enumerate(r[:-2]):
                    left = i in (_owner_col(r, with_inode, flags), _group_col(r, with_inode, flags)) or i == \
                        (1 if with_inode else 0)
                    left = left and not (cell.isdigit() and i != (1 if with_inode else 0))
                    cells.append(cell.ljust(widths[i]) if left else cell.rjust(widths[i]))
                out.append(" ".join(cells) + " " + r[-2] + " " + r[-1] + "\n")
        return "".join(out)

    chunks = []
    if files:
        chunks.append(fmt_block(sort_entries(files), total=False))
    dirs.sort(key=lambda t: t[0].encode("utf-8", "surrogateescape"))
    if "-r" in flags:
        dirs.reverse()
    show_headers = len(dirs) + len(files) > 1 or recursive or status != 0
    queue = list(dirs)
    while queue:
        name, path = queue.pop(0)
        try:
            if path == "/proc":
                names_in = ["1", "cpuinfo", "meminfo", "self", "version"]
                entries = [(n, paths.join(path, n), _dev_stat(paths.join(path, n))) for n in names_in]
            else:
                if not ctx.may(path, 4):
                    raise fserror("EACCES", path)
                entries = []
                for n in fs.listdir(path):
                    if n.startswith(".") and not (show_all or almost):
                        continue
                    p = paths.join(fs.resolve(path), n)
                    entries.append((n, p, fs.lstat(p)))
                if show_all:
                    entries.append((".", path, fs.stat(path)))
                    parent = paths.parent(fs.resolve(path))
                    entries.append(("..", parent, fs.stat(parent)))
        except FS_ERRORS as exc:
            ctx.error(f"cannot open directory {q(name)}: {strerror(exc)}")
            status = 2
            continue
        sort_entries(entries)
        block = fmt_block(entries, total=long)
        header = f"{name}:\n" if show_headers else ""
        chunks.append(header + block)
        if recursive:
            subs = [(name.rstrip("/") + "/" + n if name != "/" else "/" + n, p) for n, p, st in entries
                    if st.kind == "dir" and n not in (".", "..")]
            queue[0:0] = subs
    ctx.out("\n".join(chunks))
    return status


def _owner_col(row, with_inode, flags):
    return (3 if with_inode else 2) if "-g" not in flags else -1


def _group_col(row, with_inode, flags):
    base = 3 if with_inode else 2
    if "-g" in flags:
        return base if "-o" not in flags else -1
    return base + 1 if "-o" not in flags else -1


def _classify(ctx: Ctx, st) -> str:
    if st.kind == "dir":
        return "/"
    if st.kind == "symlink":
        return "@"
    if st.kind == "file" and st.mode & 0o111:
        return "*"
    return ""


# -- stat ------------------------------------------------------------------------------------------


def _ftype(st) -> str:
    if st.kind == "dir":
        return "directory"
    if st.kind == "symlink":
        return "symbolic link"
    if st.kind == "device":
        return "character special file"
    return "regular empty file" if st.size == 0 else "regular file"


def _stat_time(t: int) -> str:
    return strftime("%Y-%m-%d %H:%M:%S.000000000 +0000", t)


def _stat_format(ctx: Ctx, fmt: str, name: str, path: str, st) -> str:
    acc = ctx.accounts
    out = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c != "%" or i + 1 >= len(fmt):
            out.append(c)
            i += 1
            continue
        m = re.match(r"%([-#0 +]*\d*(?:\.\d+)?)([a-zA-Z%])", fmt[i:])
        if not m:
            out.append(c)
            i += 1
            continue
        spec, d = m.groups()
        i += m.end()
        size = 4096 if st.kind == "dir" else st.size
        values = {
            "n": name, "N": f"'{name}' -> '{st.target}'" if st.kind == "symlink" else f"'{name}'",
            "s": size, "a": f"{st.mode:o}", "A": mode_string(st.kind, st.mode), "U": acc.user_name(st.uid),
            "G": acc.group_name(st.gid), "u": st.uid, "g": st.gid, "F": _ftype(st), "h": st.nlink,
            "i": inode(path), "b": blocks_k(st) * 2, "B": 512, "o": 4096, "Y": st.mtime, "y": _stat_time(st.mtime),
            "X": st.mtime, "x": _stat_time(st.mtime), "Z": st.mtime, "z": _stat_time(st.mtime), "W": 0,
            "w": "-", "d": 49, "D": "31", "m": "/", "t": "0", "T": "0", "f": f"{0o100000 | st.mode:x}", "%": "%",
            "C": "?",
        }
        v = values.get(d)
        if v is None:
            out.append("?")
            continue
        if spec:
            if d == "a" and spec.startswith("0"):
                out.append(f"{st.mode:{spec}o}")
                continue
            try:
                out.append(("%" + spec + ("d" if isinstance(v, int) else "s")) % v)
            except (TypeError, ValueError):
                out.append(str(v))
        else:
            out.append(str(v))
    return "".join(out)


STAT_DEFAULT = ("  File: %n\n  Size: %-10s\tBlocks: %-10b IO Block: %-6o %F\n"
                "Device: 0,49\tInode: %-11i Links: %h\n"
                "Access: (%04a/%10.10A)  Uid: (%5u/%8U)   Gid: (%5g/%8G)\n"
                "Access: %x\nModify: %y\nChange: %z\n Birth: %w\n")


@command("stat")
def stat(ctx: Ctx) -> int:
    opts, names = getopt(ctx, ctx.argv[1:], "Lc:ft", ["dereference", "format=", "printf=", "file-system",
                                                     "terse"])
    follow = any(o in ("-L", "--dereference") for o, _ in opts)
    fmt = None
    escapes = False
    for o, v in opts:
        if o in ("-c", "--format"):
            fmt = v + "\n"
        elif o == "--printf":
            from ..builtins import backslash_escapes
            fmt, _ = backslash_escapes(v, octal_zero=False, allow_c=False)
            escapes = True
    del escapes
    if not names:
        raise CommandFailed("missing operand\nTry 'stat --help' for more information.")
    status = 0
    for name in names:
        path = ctx.abspath(name)
        try:
            if ctx.is_virtual(path):
                st = _dev_stat(path)
            else:
                ctx.check_traverse(path)
                st = ctx.fs.stat(path, follow_symlinks=follow)
        except FS_ERRORS as exc:
            ctx.error(f"cannot statx {q(name)}: {strerror(exc)}")
            status = 1
            continue
        if fmt is None:
            shown = f"{name} -> {st.target}" if st.kind == "symlink" else name
            text = _stat_format(ctx, STAT_DEFAULT, shown, path, st)
            if st.kind == "symlink":
                text = text.replace(f"  Size: {st.size:<10}\tBlocks: 0          IO Block: 4096   symbolic link",
                                    f"  Size: {st.size:<10}\tBlocks: 0          IO Block: 4096   symbolic link")
            ctx.out(text)
        else:
            ctx.out(_stat_format(ctx, fmt, name, path, st))
    return status


# -- du --------------------------------------------------------------------------------------------


@command("du")
def du(ctx: Ctx) -> int:
    opts, names = getopt(ctx, ctx.argv[1:], "shbacd:kmxLHPl0", [
        "summarize", "human-readable", "bytes", "all", "total", "max-depth=", "apparent-size", "si",
        "one-file-system", "exclude=", "block-size="])
    flags = {o for o, _ in opts}
    summarize = bool(flags & {"-s", "--summarize"})
    human_sz = bool(flags & {"-h", "--human-readable"})
    apparent = bool(flags & {"-b", "--bytes", "--apparent-size"})
    in_bytes = bool(flags & {"-b", "--bytes"})
    show_all = bool(flags & {"-a", "--all"})
    total_line = bool(flags & {"-c", "--total"})
    megs = "-m" in flags
    depth_limit = None
    for o, v in opts:
        if o in ("-d", "--max-depth"):
            if not v.isdigit():
                raise CommandFailed(f"invalid maximum depth {q(v)}")
            depth_limit = int(v)
    if summarize:
        depth_limit = 0
    excludes = [v for o, v in opts if o == "--exclude"]
    fs = ctx.fs
    seen_inodes: set[str] = set()

    def usage(st, real) -> int:
        if st.kind in ("file", "hardlink") and st.nlink > 1:
            key = real
            if key in seen_inodes:
                return 0
            seen_inodes.add(key)
        if apparent:
            return 4096 if st.kind == "dir" else st.size
        return blocks_k(st) * 1024

    def show(n: int) -> str:
        if human_sz:
            return human(n)
        if in_bytes:
            return str(n)
        if megs:
            return str(-(-n // (1 << 20)))
        return str(-(-n // 1024))

    out = []
    grand = 0
    status = 0

    def visit(shown: str, real: str, depth: int) -> int:
        nonlocal status
        st = fs.lstat(real)
        total = usage(st, real)
        if st.kind == "dir":
            try:
                names_in = fs.listdir(real)
            except FS_ERRORS as exc:
                ctx.error(f"cannot read directory {q(shown)}: {strerror(exc)}")
                status = 1
                names_in = []
            for n in names_in:
                if any(fnmatch(n, e) for e in excludes):
                    continue
                child = paths.join(real, n)
                total += visit(shown.rstrip("/") + "/" + n if shown != "/" else "/" + n, child, depth + 1)
            if depth_limit is None or depth <= depth_limit:
                out.append(f"{show(total)}\t{shown}\n")
        elif show_all and (depth_limit is None or depth <= depth_limit) or depth == 0:
            out.append(f"{show(total)}\t{shown}\n")
        return total

    for name in names or ["."]:
        path = ctx.abspath(name)
        try:
            real = fs.resolve(path) if not fs.lexists(path) or fs.entry(path).kind != "symlink" else \
                fs.resolve(path, follow_symlinks=False)
            if not fs.lexists(real):
                raise fserror("ENOENT", name)
            grand += visit(name, real, 0)
        except FS_ERRORS as exc:
            ctx.error(f"cannot access {q(name)}: {strerror(exc)}")
            status = 1
    if total_line:
        out.append(f"{show(grand)}\ttotal\n")
    ctx.out("".join(out))
    return status


# -- find ------------------------------------------------------------------------------------------


class _FindError(Exception):
    pass


_ACTIONS = {"-print", "-print0", "-delete", "-exec", "-execdir", "-ok", "-printf", "-ls", "-quit", "-fprint"}
_NOARG = {"-print", "-print0", "-delete", "-prune", "-quit", "-true", "-false", "-empty", "-readable",
          "-writable", "-executable", "-ls", "-nouser", "-nogroup", "-depth", "-xdev", "-mount", "-follow",
          "-noleaf", "-d"}
_ONEARG = {"-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename", "-type", "-xtype", "-maxdepth",
           "-mindepth", "-newer", "-perm", "-size", "-user", "-group", "-uid", "-gid", "-links", "-mtime",
           "-mmin", "-regex", "-iregex", "-printf", "-samefile", "-inum", "-cmin", "-ctime", "-atime", "-amin",
           "-fprint", "-regextype", "-lname", "-ilname"}


class _FindParser:
    def __init__(self, tokens: list[str]):
        self.t = tokens
        self.i = 0
        self.has_action = False
        self.opts: dict = {"maxdepth": None, "mindepth": 0, "depth": False}

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else None

    def parse(self):
        if not self.t:
            return ("true",)
        node = self.or_()
        if self.i < len(self.t):
            tok = self.t[self.i]
            if tok == ")":
                raise _FindError("invalid expression; you have too many ')'")
            raise _FindError(f"paths must precede expression: `{tok}'")
        return node

    def or_(self):
        left = self.and_()
        while self.peek() in ("-o", "-or"):
            self.i += 1
            right = self.and_()
            left = ("or", left, right)
        return left

    def and_(self):
        left = self.not_()
        while True:
            tok = self.peek()
            if tok is None or tok in ("-o", "-or", ")"):
                return left
            if tok in ("-a", "-and"):
                self.i += 1
            right = self.not_()
            left = ("and", left, right)

    def not_(self):
        tok = self.peek()
        if tok in ("!", "-not"):
            self.i += 1
            return ("not", self.not_())
        return self.primary()

    def primary(self):
        tok = self.peek()
        if tok is None:
            raise _FindError("expected an expression at end of input")
        self.i += 1
        if tok == "(":
            node = self.or_()
            if self.peek() != ")":
                raise _FindError("invalid expression; I was expecting to find a ')' somewhere but did not see one.")
            self.i += 1
            return node
        if tok in ("-exec", "-execdir", "-ok"):
            self.has_action = True
            args = []
            while True:
                a = self.peek()
                if a is None:
                    raise _FindError(f"missing argument to `{tok}'")
                self.i += 1
                if a == ";":
                    return ("exec", args, False)
                if a == "+" and args and args[-1] == "{}":
                    return ("exec", args, True)
                args.append(a)
        if tok in _ACTIONS:
            self.has_action = True
        if tok in ("-maxdepth", "-mindepth"):
            v = self.arg(tok)
            if not v.isdigit():
                raise _FindError(f"Expected a positive decimal integer argument to {tok}, but got `{v}'")
            self.opts[tok[1:]] = int(v)
            return ("true",)
        if tok in ("-depth", "-d"):
            self.opts["depth"] = True
            return ("true",)
        if tok in ("-xdev", "-mount", "-follow", "-noleaf"):
            return ("true",)
        if tok == "-regextype":
            self.arg(tok)
            return ("true",)
        if tok in _NOARG:
            if tok == "-delete":
                self.opts["depth"] = True
            return (tok,)
        if tok in _ONEARG:
            return (tok, self.arg(tok))
        if tok.startswith("-"):
            raise _FindError(f"unknown predicate `{tok}'")
        raise _FindError(f"paths must precede expression: `{tok}'")

    def arg(self, tok: str) -> str:
        v = self.peek()
        if v is None:
            raise _FindError(f"missing argument to `{tok}'")
        self.i += 1
        return v


@command("find")
def find(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    follow = False
    while args and args[0] in ("-L", "-P", "-H"):
        follow = args[0] == "-L"
        args = args[1:]
    starts = []
    while args and not (args[0].startswith("-") and len(args[0]) > 1) and args[0] not in ("(", "!", ")"):
        starts.append(args.pop(0))
    parser = _FindParser(args)
    try:
        expr = parser.parse()
    except _FindError as exc:
        raise CommandFailed(str(exc), 1)
    opts = parser.opts
    fs = ctx.fs
    now = ctx.now()
    acc = ctx.accounts
    out: list[str] = []
    status = 0
    batches: dict[int, list[str]] = {}
    batch_cmds: dict[int, list[str]] = {}
    quit_flag = [False]

    def flush():
        ctx.out("".join(out))
        out.clear()

    def evaluate(node, shown: str, real: str, st, depth: int) -> bool:
        nonlocal status
        kind = node[0]
        if kind == "and":
            return evaluate(node[1], shown, real, st, depth) and evaluate(node[2], shown, real, st, depth)
        if kind == "or":
            return evaluate(node[1], shown, real, st, depth) or evaluate(node[2], shown, real, st, depth)
        if kind == "not":
            return not evaluate(node[1], shown, real, st, depth)
        if kind == "true" or kind == "-true":
            return True
        if kind == "-false":
            return False
        base = shown.rstrip("/").rsplit("/", 1)[-1] if shown.strip("/") else shown
        if kind in ("-name", "-iname"):
            return fnmatch(base, node[1], icase=kind == "-iname")
        if kind in ("-path", "-wholename", "-ipath", "-iwholename"):
            return fnmatch(shown, node[1], icase=kind.startswith("-i"))
        if kind in ("-lname", "-ilname"):
            return st.kind == "symlink" and fnmatch(st.target or "", node[1], icase=kind == "-ilname")
        if kind in ("-regex", "-iregex"):
            return re.fullmatch(node[1], shown, re.IGNORECASE if kind == "-iregex" else 0) is not None
        if kind in ("-type", "-xtype"):
            the = st
            if kind == "-xtype" and st.kind == "symlink":
                try:
                    the = fs.stat(real)
                except FS_ERRORS:
                    return "l" in node[1]
            letter = {"file": "f", "hardlink": "f", "dir": "d", "symlink": "l", "device": "c"}.get(the.kind, "?")
            wanted = node[1].split(",")
            for w in wanted:
                if w not in ("f", "d", "l", "c", "b", "p", "s", "D"):
                    raise _FindError(f"Unknown argument to -type: {w}")
            return letter in wanted
        if kind in ("-maxdepth", "-mindepth"):
            return True
        if kind == "-empty":
            if st.kind == "dir":
                try:
                    return not fs.listdir(real)
                except FS_ERRORS:
                    return False
            return st.kind == "file" and st.size == 0
        if kind == "-newer":
            ref = fs.stat(ctx.abspath(node[1]))
            return st.mtime > ref.mtime
        if kind == "-perm":
            spec = node[1]
            prefix = spec[0] if spec[:1] in "-/+" else ""
            body = spec[len(prefix):]
            want = apply_mode(0, body, st.kind == "dir", 0) if not re.fullmatch(r"[0-7]+", body) else int(body, 8)
            mode = st.mode & 0o7777
            if prefix == "-":
                return mode & want == want
            if prefix in ("/", "+"):
                return want == 0 or bool(mode & want)
            return mode == want
        if kind == "-size":
            m = re.fullmatch(r"([-+]?)(\d+)([cwbkMG]?)", node[1])
            if not m:
                raise _FindError(f"invalid -size argument `{node[1]}'")
            sign, n, unit = m.groups()
            unit_size = {"c": 1, "w": 2, "b": 512, "": 512, "k": 1024, "M": 1 << 20, "G": 1 << 30}[unit]
            size = 4096 if st.kind == "dir" else st.size
            units = -(-size // unit_size)
            n = int(n)
            return units > n if sign == "+" else units < n if sign == "-" else units == n
        if kind in ("-user", "-uid"):
            v = node[1]
            row = acc.user(v) if not v.isdigit() else None
            uid = int(row[2]) if row else (int(v) if v.isdigit() else None)
            if uid is None:
                raise _FindError(f"'{v}' is not the name of a known user")
            return st.uid == uid
        if kind in ("-group", "-gid"):
            v = node[1]
            row = acc.group(v) if not v.isdigit() else None
            gid = int(row[2]) if row else (int(v) if v.isdigit() else None)
            if gid is None:
                raise _FindError(f"'{v}' is not the name of an existing group")
            return st.gid == gid
        if kind == "-nouser":
            return acc.user(st.uid) is None
        if kind == "-nogroup":
            return acc.group(st.gid) is None
        if kind == "-links":
            return _cmp_num(node[1], st.nlink)
        if kind in ("-mtime", "-ctime", "-atime"):
            return _cmp_num(node[1], (now - st.mtime) // 86400)
        if kind in ("-mmin", "-cmin", "-amin"):
            return _cmp_num(node[1], -(-(now - st.mtime) // 60))
        if kind == "-samefile":
            try:
                return fs.resolve(ctx.abspath(node[1])) == real
            except FS_ERRORS:
                return False
        if kind == "-inum":
            return inode(real) == int(node[1])
        if kind in ("-readable", "-writable", "-executable"):
            return ctx.sh.permits(st, {"-readable": 4, "-writable": 2, "-executable": 1}[kind])
        if kind == "-print":
            out.append(shown + "\n")
            return True
        if kind == "-print0":
            out.append(shown + "\0")
            return True
        if kind == "-fprint":
            ctx.write_file(ctx.abspath(node[1]), encode(shown + "\n"), append=True)
            return True
        if kind == "-ls":
            out.append(f"{inode(real):>9} {blocks_k(st):>6} {mode_string(st.kind, st.mode)} {st.nlink:>3} "
                       f"{acc.user_name(st.uid):<8} {acc.group_name(st.gid):<8} {st.size:>8} "
                       f"{ls_date(st.mtime, now)} {shown}" + (f" -> {st.target}" if st.target else "") + "\n")
            return True
        if kind == "-printf":
            out.append(_find_printf(node[1], shown, real, st, depth, acc, starts_of[0]))
            return True
        if kind == "-prune":
            pruned[0] = True
            return True
        if kind == "-quit":
            quit_flag[0] = True
            return True
        if kind == "-delete":
            try:
                if st.kind == "dir":
                    ctx.check_delete(real)
                    fs.rmdir(real)
                else:
                    ctx.check_delete(real)
                    fs.unlink(real)
            except FS_ERRORS as exc:
                flush()
                ctx.error(f"cannot delete {q(shown)}: {strerror(exc)}")
                status = 1
                return False
            return True
        if kind == "exec":
            argv_t, plus = node[1], node[2]
            if plus:
                key = id(node)
                batch_cmds[key] = argv_t[:-1]
                batches.setdefault(key, []).append(shown)
                return True
            argv = [a.replace("{}", shown) for a in argv_t]
            if not argv:
                raise _FindError("missing argument to `-exec'")
            flush()
            rc = ctx.run(argv)
            if rc == -127:
                ctx.error(f"'{argv[0]}': No such file or directory")
                status = 1
                return False
            return rc == 0
        raise _FindError(f"unknown predicate `{kind}'")

    pruned = [False]
    starts_of = [""]
    maxdepth = opts["maxdepth"]
    mindepth = opts["mindepth"]
    post = opts["depth"]

    def visit(shown: str, real: str, depth: int):
        if quit_flag[0]:
            return
        ctx.sh.tick()
        try:
            st = fs.stat(real) if follow else fs.lstat(real)
        except FS_ERRORS as exc:
            flush()
            ctx.error(f"{q(shown)}: {strerror(exc)}")
            return
        pruned[0] = False
        if not post and depth >= mindepth:
            if evaluate(expr, shown, real, st, depth) and not parser.has_action:
                out.append(shown + "\n")
        if st.kind == "dir" and (maxdepth is None or depth < maxdepth) and not (pruned[0] and not post):
            try:
                if ctx.uid != 0 and not ctx.sh.permits(st, 5):
                    raise fserror("EACCES", shown)
                names = fs.listdir(real)
            except FS_ERRORS as exc:
                flush()
                ctx.error(f"{q(shown)}: {strerror(exc)}")
                nonlocal_status[0] = 1
                names = []
            for n in names:
                child_shown = shown + n if shown.endswith("/") else shown + "/" + n
                visit(child_shown, paths.join(real, n), depth + 1)
        if post and depth >= mindepth:
            if evaluate(expr, shown, real, st, depth) and not parser.has_action:
                out.append(shown + "\n")

    nonlocal_status = [0]
    try:
        for start in starts or ["."]:
            path = ctx.abspath(start)
            starts_of[0] = start
            if not fs.lexists(path):
                flush()
                ctx.error(f"{q(start)}: No such file or directory")
                status = 1
                continue
            real = fs.resolve(path) if (follow or start.endswith("/")) else fs.resolve(path, follow_symlinks=False)
            if fs.entry(real).kind == "symlink" and not follow:
                real = fs.resolve(path, follow_symlinks=False)
            visit(start, real, 0)
            flush()
        for key, names in batches.items():
            argv = batch_cmds[key] + names
            rc = ctx.run(argv)
            if rc == -127:
                ctx.error(f"'{argv[0]}': No such file or directory")
                status = 1
            elif rc != 0:
                status = 1
    except _FindError as exc:
        flush()
        raise CommandFailed(str(exc), 1)
    flush()
    return status or nonlocal_status[0]


def _cmp_num(spec: str, value: int) -> bool:
    m = re.fullmatch(r"([-+]?)(\d+)", spec)
    if not m:
        raise _FindError(f"invalid argument `{spec}'")
    sign, n = m.group(1), int(m.group(2))
    return value > n if sign == "+" else value < n if sign == "-" else value == n


def _find_printf(fmt: str, shown: str, real: str, st, depth: int, acc, start: str) -> str:
    out = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c == "\\" and i + 1 < len(fmt):
            out.append({"n": "\n", "t": "\t", "0": "\0", "\\": "\\"}.get(fmt[i + 1], fmt[i + 1]))
            i += 2
            continue
        if c == "%" and i + 1 < len(fmt):
            d = fmt[i + 1]
            i += 2
            base = shown.rstrip("/").rsplit("/", 1)[-1]
            rel = shown[len(start):].lstrip("/") if shown.startswith(start) else shown
            out.append({
                "p": shown, "f": base, "s": str(4096 if st.kind == "dir" else st.size), "m": f"{st.mode:o}",
                "M": mode_string(st.kind, st.mode), "u": acc.user_name(st.uid), "g": acc.group_name(st.gid),
                "U": str(st.uid), "G": str(st.gid), "h": shown.rsplit("/", 1)[0] if "/" in shown else ".",
                "P": rel, "d": str(depth), "y": {"file": "f", "dir": "d", "symlink": "l"}.get(st.kind, "f"),
                "l": st.target or "", "n": str(st.nlink), "T": str(st.mtime), "%": "%",
                "k": str(blocks_k(st)), "i": str(inode(real)),
            }.get(d, "%" + d))
            continue
        out.append(c)
        i += 1
    return "".join(out)

