"""What every simulated command shares: streams, the command context, option parsing,
file access with permission checks, the virtual /dev and /proc files, and error wording.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from ..errors import FilesystemError, LayerlabError, SymlinkLoopError
from ..fs import paths
from ..fs.content import Content, Inline

if TYPE_CHECKING:  # pragma: no cover
    from .interp import Shell

# -- errors -----------------------------------------------------------------------------------

STRERROR = {
    "ENOENT": "No such file or directory", "ENOTDIR": "Not a directory", "EISDIR": "Is a directory",
    "EEXIST": "File exists", "ENOTEMPTY": "Directory not empty", "EINVAL": "Invalid argument",
    "EBUSY": "Device or resource busy", "EPERM": "Operation not permitted", "EACCES": "Permission denied",
    "ELOOP": "Too many levels of symbolic links", "EXDEV": "Invalid cross-device link",
    "EFBIG": "File too large", "ENOSPC": "No space left on device", "EROFS": "Read-only file system",
}

MAX_READ = 64 << 20     # whole-file reads into memory stop here (a simulated 500 MB file is Synthetic)
MAX_OUTPUT = 64 << 20   # output kept in memory by one command line


class CommandFailed(Exception):
    """Raised inside a command to stop it with a message and an exit code."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.message = message
        self.code = code


class OutputLimit(Exception):
    """More output than a simulation should hold in memory."""


def errcode(exc: BaseException) -> str:
    if isinstance(exc, SymlinkLoopError):
        return "ELOOP"
    if isinstance(exc, FilesystemError):
        if exc.code == "EINVAL" and "not a regular file" in str(exc):
            return "EINVAL"
        return exc.code or "EINVAL"
    return "EINVAL"


def strerror(exc: BaseException | str) -> str:
    code = exc if isinstance(exc, str) else errcode(exc)
    return STRERROR.get(code, "Invalid argument")


def fserror(code: str, path: str) -> FilesystemError:
    return FilesystemError(f"{path}: {STRERROR.get(code, code)}", path, code)


FS_ERRORS = (FilesystemError, SymlinkLoopError)

# -- streams ----------------------------------------------------------------------------------


class Sink:
    """Where a file descriptor writes."""

    def write(self, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class Buffer(Sink):
    __slots__ = ("parts", "size", "limit")

    def __init__(self, limit: int = MAX_OUTPUT):
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit

    def write(self, text: str) -> None:
        if text:
            self.size += len(text)
            if self.size > self.limit:
                raise OutputLimit(f"more than {self.limit >> 20} MiB of output")
            self.parts.append(text)

    def getvalue(self) -> str:
        if len(self.parts) > 1:
            self.parts = ["".join(self.parts)]
        return self.parts[0] if self.parts else ""


class Null(Sink):
    def write(self, text: str) -> None:
        pass


NULL = Null()


class FileSink(Sink):
    """A file opened for writing by a redirection: each write appends to the file in the tree."""

    def __init__(self, fs, path: str, uid: int, gid: int):
        self.fs = fs
        self.path = inode_path(fs, path)
        self.uid = uid
        self.gid = gid

    def write(self, text: str) -> None:
        if text:
            data = text.encode("utf-8", "surrogateescape")
            self.fs.write(self.path, data, append=True, uid=self.uid, gid=self.gid)


class Source:
    """What a file descriptor reads: text consumed from the front."""

    __slots__ = ("text", "pos")

    def __init__(self, text: str = ""):
        self.text = text
        self.pos = 0

    def read(self) -> str:
        out = self.text[self.pos:] if self.pos else self.text
        self.pos = len(self.text)
        return out

    def readline(self) -> str:
        if self.pos >= len(self.text):
            return ""
        end = self.text.find("\n", self.pos)
        end = len(self.text) if end < 0 else end + 1
        line = self.text[self.pos:end]
        self.pos = end
        return line


EMPTY = Source("")


def decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


# -- users and groups -------------------------------------------------------------------------


class Accounts:
    """/etc/passwd and /etc/group of the tree, parsed once per use."""

    def __init__(self, fs):
        self.users: list[list[str]] = _table(fs, "/etc/passwd", 7)
        self.groups: list[list[str]] = _table(fs, "/etc/group", 4)

    def user(self, key: str | int) -> list[str] | None:
        for row in self.users:
            if (isinstance(key, int) and row[2] == str(key)) or row[0] == key:
                return row
        return None

    def group(self, key: str | int) -> list[str] | None:
        for row in self.groups:
            if (isinstance(key, int) and row[2] == str(key)) or row[0] == key:
                return row
        return None

    def user_name(self, uid: int) -> str:
        row = self.user(int(uid))
        return row[0] if row else str(uid)

    def group_name(self, gid: int) -> str:
        row = self.group(int(gid))
        return row[0] if row else str(gid)

    def supplementary(self, name: str) -> list[int]:
        out = []
        for row in self.groups:
            if name in row[3].split(","):
                try:
                    out.append(int(row[2]))
                except ValueError:
                    pass
        return out


def _table(fs, path: str, width: int) -> list[list[str]]:
    try:
        text = decode(fs.read(path))
    except (LayerlabError, OSError):
        return []
    rows = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        row = line.split(":")
        row += [""] * (width - len(row))
        rows.append(row)
    return rows


# -- options ----------------------------------------------------------------------------------


def getopt(ctx: "Ctx", args: list[str], short: str, long: Iterable[str] = (), *, permute: bool = True,
           status: int = 1) -> tuple[list[tuple[str, str | None]], list[str]]:
    """GNU-style option parsing. short is like 'rfn:' (':' takes a value); long names end with '=' for a value.

    Unknown options raise CommandFailed with coreutils' wording.
    """
    longs = {name.rstrip("="): name.endswith("=") for name in long}
    opts: list[tuple[str, str | None]] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            rest.extend(args[i + 1:])
            break
        if a.startswith("--") and len(a) > 2:
            name, eq, value = a[2:].partition("=")
            matches = [n for n in longs if n == name] or [n for n in longs if n.startswith(name)]
            if len(matches) != 1:
                what = "unrecognized" if not matches else "ambiguous"
                raise CommandFailed(f"{what} option '{a}'\nTry '{ctx.name} --help' for more information.",
                                    status)
            name = matches[0]
            if longs[name]:
                if not eq:
                    i += 1
                    if i >= len(args):
                        raise CommandFailed(f"option '--{name}' requires an argument\n"
                                            f"Try '{ctx.name} --help' for more information.", status)
                    value = args[i]
                opts.append(("--" + name, value))
            else:
                if eq:
                    raise CommandFailed(f"option '--{name}' doesn't allow an argument\n"
                                        f"Try '{ctx.name} --help' for more information.", status)
                opts.append(("--" + name, None))
            i += 1
            continue
        if a.startswith("-") and len(a) > 1:
            j = 1
            while j < len(a):
                c = a[j]
                k = short.find(c)
                if k < 0 or c == ":":
                    raise CommandFailed(f"invalid option -- '{c}'\nTry '{ctx.name} --help' for more "
                                        "information.", status)
                if k + 1 < len(short) and short[k + 1] == ":":
                    if j + 1 < len(a):
                        opts.append(("-" + c, a[j + 1:]))
                    else:
                        i += 1
                        if i >= len(args):
                            raise CommandFailed(f"option requires an argument -- '{c}'\nTry '{ctx.name} "
                                                "--help' for more information.", status)
                        opts.append(("-" + c, args[i]))
                    break
                opts.append(("-" + c, None))
                j += 1
            i += 1
            continue
        if not permute:
            rest.extend(args[i:])
            break
        rest.append(a)
        i += 1
    return opts, rest


def number(value: str, what: str = "number", code: int = 1) -> int:
    """A non-negative decimal argument, or CommandFailed with coreutils' wording."""
    if not value.isdigit():
        raise CommandFailed(f"invalid {what}: '{value}'", code)
    return int(value)


# -- the command context ----------------------------------------------------------------------

VIRTUAL_DEVICES = {"/dev/null", "/dev/zero", "/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/urandom",
                   "/dev/random", "/dev/tty", "/dev/full"}


class Ctx:
    """One running command: its argv, environment, file descriptors and the shell it runs in."""

    def __init__(self, sh: "Shell", argv: list[str], env: dict[str, str], fds: dict, path: str = "",
                 flavor: str = "gnu"):
        self.sh = sh
        self.fs = sh.fs
        self.argv = argv
        self.name = argv[0].rsplit("/", 1)[-1] if argv else ""
        self.env = env
        self.fds = fds
        self.path = path            # the file that was executed ('' for a builtin)
        self.flavor = flavor        # 'gnu' or 'busybox'
        self._accounts: Accounts | None = None

    # -- output ------------------------------------------------------------------------
    @property
    def stdin(self) -> Source:
        src = self.fds.get(0)
        return src if isinstance(src, Source) else EMPTY

    def out(self, text: str) -> None:
        sink = self.fds.get(1)
        if isinstance(sink, Sink):
            sink.write(text)

    def err(self, text: str) -> None:
        sink = self.fds.get(2)
        if isinstance(sink, Sink):
            sink.write(text)

    def error(self, message: str) -> None:
        self.err(f"{self.name}: {message}\n")

    def fail(self, message: str, code: int = 1) -> int:
        self.error(message)
        return code

    # -- identity ----------------------------------------------------------------------
    @property
    def uid(self) -> int:
        return self.sh.uid

    @property
    def gid(self) -> int:
        return self.sh.gid

    @property
    def cwd(self) -> str:
        return self.sh.cwd

    @property
    def accounts(self) -> Accounts:
        if self._accounts is None:
            self._accounts = Accounts(self.fs)
        return self._accounts

    def abspath(self, path: str) -> str:
        if not path:
            raise fserror("ENOENT", path)
        return physical_path(self.fs, self.sh.cwd, path)

    def now(self) -> int:
        return int(self.fs.clock())

    # -- permission checks -------------------------------------------------------------
    def may(self, path: str, want: int, *, follow: bool = True) -> bool:
        """access(2): want is a mask of 4 (read), 2 (write), 1 (execute/search)."""
        st = self.fs.stat(path, follow_symlinks=follow)
        return self.sh.permits(st, want)

    def check_traverse(self, path: str) -> None:
        """Every directory on the way to path must be searchable (x) for a non-root user."""
        if self.sh.uid == 0:
            return
        d = paths.parent(path)
        chain = []
        while True:
            chain.append(d)
            if d == "/":
                break
            d = paths.parent(d)
        for d in reversed(chain):
            try:
                st = self.fs.stat(d)
            except FS_ERRORS:
                return
            if st.kind == "dir" and not self.sh.permits(st, 1):
                raise fserror("EACCES", path)

    def check_read(self, path: str) -> None:
        if self.sh.uid == 0:
            return
        self.check_traverse(path)
        if self.fs.exists(path) and not self.may(path, 4):
            raise fserror("EACCES", path)

    def check_create(self, path: str) -> None:
        """The parent directory must allow writing and searching."""
        if self.sh.uid == 0:
            return
        self.check_traverse(path)
        parent = paths.parent(paths.normalize(path))
        if self.fs.is_dir(parent) and not self.may(parent, 3):
            raise fserror("EACCES", path)

    def check_write(self, path: str) -> None:
        if self.sh.uid == 0:
            return
        if self.fs.exists(path):
            self.check_traverse(path)
            if not self.may(path, 2):
                raise fserror("EACCES", path)
        else:
            self.check_create(path)

    def check_delete(self, path: str) -> None:
        if self.sh.uid == 0:
            return
        self.check_create(path)
        parent = paths.parent(paths.normalize(path))
        try:
            pst = self.fs.stat(parent)
            st = self.fs.lstat(path)
        except FS_ERRORS:
            return
        if pst.mode & 0o1000 and self.sh.uid not in (st.uid, pst.uid):
            raise fserror("EPERM", path)

    def check_owner(self, path: str, follow: bool = True) -> None:
        if self.sh.uid == 0:
            return
        st = self.fs.stat(path, follow_symlinks=follow)
        if st.uid != self.sh.uid:
            raise fserror("EPERM", path)

    # -- file access -------------------------------------------------------------------
    def is_virtual(self, path: str) -> bool:
        return path in VIRTUAL_DEVICES or path == "/proc" or path.startswith("/proc/")

    def content(self, path: str) -> Content:
        """The Content of a file (permission-checked, virtual files included); raises FilesystemError."""
        if path in VIRTUAL_DEVICES or path.startswith("/proc/") or path.startswith("/dev/fd/"):
            return Inline(encode(self.read_virtual(path)))
        self.check_read(path)
        return self.fs.content(path)

    def read_virtual(self, path: str) -> str:
        if path in ("/dev/stdin", "/dev/fd/0"):
            return self.stdin.read()
        if path in ("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/full"):
            return ""
        if path in ("/dev/zero", "/dev/urandom", "/dev/random"):
            raise CommandFailed(f"layerlab: reading {path} to the end never ends; use dd with count= or "
                                "head -c", 1)
        text = proc_file(self, path)
        if text is None:
            raise fserror("ENOENT", path)
        return text

    def read_bytes(self, path: str) -> bytes:
        content = self.content(path)
        if content.size > MAX_READ:
            raise CommandFailed(f"layerlab: '{path}' holds {content.size} bytes: reading more than "
                                f"{MAX_READ >> 20} MiB of one file into memory is not simulated", 1)
        return content.read()

    def read_text(self, path: str) -> str:
        return decode(self.read_bytes(path))

    def read_operand(self, operand: str) -> str:
        """The text of a file operand ('-' is standard input)."""
        if operand == "-":
            return self.stdin.read()
        return self.read_text(self.abspath(operand))

    def write_file(self, path: str, data, *, append: bool = False, mode: int = 0o666) -> None:
        """Write a file as this user (permission-checked; /dev/null and friends handled)."""
        if path in ("/dev/null", "/dev/zero", "/dev/full", "/dev/tty", "/dev/urandom", "/dev/random"):
            return
        if path == "/dev/stdout" or path == "/dev/stderr":
            text = decode(data if isinstance(data, bytes) else data.read() if isinstance(data, Content)
                          else encode(data))
            (self.out if path == "/dev/stdout" else self.err)(text)
            return
        self.check_write(path)
        new = not self.fs.exists(path)
        if new:
            mode = mode & ~self.sh.umask
        else:
            path = inode_path(self.fs, path)
        self.fs.write(path, data, append=append, mode=mode, uid=self.uid, gid=self.gid)
        if new:
            from .interp import widen_mode
            widen_mode(self.fs, self.fs.resolve(path), mode, self.sh.umask)

    def mkdir(self, path: str, mode: int = 0o777, parents: bool = False) -> None:
        if parents:
            missing = []
            d = path
            while d != "/" and not self.fs.lexists(d):
                missing.append(d)
                d = paths.parent(d)
            for d in reversed(missing):
                self.mkdir(d, mode)
            if not missing:
                if not self.fs.is_dir(path):
                    raise fserror("EEXIST" if self.fs.lexists(path) else "ENOENT", path)
            return
        self.check_create(path)
        self.fs.mkdir(path, mode & ~self.sh.umask, uid=self.uid, gid=self.gid)
        from .interp import widen_mode
        widen_mode(self.fs, path, mode & ~self.sh.umask & 0o7777, self.sh.umask)

    def run(self, argv: list[str], stdin: str | None = None, fds: dict | None = None) -> int:
        """Execute another program (as execvp would: no shell functions or special builtins)."""
        return self.sh.exec_program(argv, self.env, fds or self.fds, stdin=stdin)


def inode_path(fs, path: str) -> str:
    """The name to write a file through: for a second hard-link name, the inode's first name.

    Works around a WorkTree bug: write/truncate on a HardLink entry of the upper layer raises
    TypeError/AttributeError instead of writing the shared inode (see tests/shell/test_tree.py).
    """
    try:
        real = fs.resolve(path)
        entry = fs.entry(real)
    except (LayerlabError, OSError):
        return path
    if getattr(entry, "kind", "") == "hardlink":
        return entry.target
    return real


def physical_path(fs, cwd: str, path: str) -> str:
    """An absolute path for path seen from cwd, with '..' taken physically (after symlinks), as the kernel does.

    The shell's cd is logical (cd /bin; cd .. lands in /), but a program given '..' inside a symlinked
    directory climbs from where the link points (cd /bin; ls .. lists /usr).
    """
    full = path if path.startswith("/") else cwd.rstrip("/") + "/" + path
    if "/.." not in full:
        return paths.normalize(full)
    cur = "/"
    for part in full.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            try:
                cur = fs.resolve(cur)
            except (LayerlabError, OSError):
                pass
            cur = paths.parent(cur)
        else:
            cur = paths.join(cur, part)
    return cur


# -- registry ---------------------------------------------------------------------------------

COMMANDS: dict[str, Callable[[Ctx], int]] = {}


def command(*names: str):
    """Register a simulated program under one or more names."""
    def deco(fn):
        for n in names:
            COMMANDS[n] = fn
        return fn
    return deco


# -- formatting helpers -----------------------------------------------------------------------

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def mode_string(kind: str, mode: int) -> str:
    """The ls -l mode column: -rwxr-xr-x, drwxrwxrwt, lrwxrwxrwx ...

    >>> mode_string("file", 0o4755), mode_string("dir", 0o1777), mode_string("symlink", 0o777)
    ('-rwsr-xr-x', 'drwxrwxrwt', 'lrwxrwxrwx')
    """
    t = {"file": "-", "dir": "d", "symlink": "l", "device": "c", "hardlink": "-"}.get(kind, "-")
    out = [t]
    for shift, special, ch in ((6, 0o4000, "s"), (3, 0o2000, "s"), (0, 0o1000, "t")):
        bits = (mode >> shift) & 7
        out.append("r" if bits & 4 else "-")
        out.append("w" if bits & 2 else "-")
        if mode & special:
            out.append(ch if bits & 1 else ch.upper())
        else:
            out.append("x" if bits & 1 else "-")
    return "".join(out)


def human(size: float, *, si: bool = False, suffix_b: bool = False) -> str:
    """coreutils' -h: 1023 -> '1023', 1536 -> '1.5K', 104857600 -> '100M'.

    >>> human(1023), human(1536), human(104857600), human(4096)
    ('1023', '1.5K', '100M', '4.0K')
    """
    base = 1000 if si else 1024
    units = "KMGTPE"
    if size < base:
        return str(int(size))
    value = float(size)
    unit = ""
    for u in units:
        value /= base
        unit = u
        if value < base:
            break
    if value < 10:
        shown = math.ceil(value * 10) / 10
        if shown >= 10:
            return f"{int(math.ceil(shown))}{unit}"
        return f"{shown:.1f}{unit}"
    return f"{int(math.ceil(value))}{unit}"


def parse_size(text: str, *, allow_sign: bool = False) -> tuple[str, int] | None:
    """SIZE with K/KB/M/MB/G ... suffixes (truncate, head -c, dd bs=); returns (sign, bytes).

    >>> parse_size("1M"), parse_size("10K"), parse_size("+5KB", allow_sign=True), parse_size("2x")
    (('', 1048576), ('', 10240), ('+', 5000), None)
    """
    sign = ""
    if allow_sign and text[:1] in "+-<>/%":
        sign, text = text[0], text[1:]
    num = ""
    i = 0
    while i < len(text) and text[i].isdigit():
        num += text[i]
        i += 1
    if not num:
        return None
    suffix = text[i:]
    mult = _SUFFIX.get(suffix)
    if mult is None:
        return None
    return sign, int(num) * mult


_SUFFIX = {"": 1, "c": 1, "w": 2, "b": 512}
for _i, _u in enumerate("KMGTPE", 1):
    _SUFFIX[_u] = 1024 ** _i
    _SUFFIX[_u + "iB"] = 1024 ** _i
    _SUFFIX[_u + "B"] = 1000 ** _i
_SUFFIX["k"] = 1024
_SUFFIX["kB"] = 1000


def proc_file(ctx: Ctx, path: str) -> str | None:
    """The few /proc files programs read."""
    nproc = ctx.sh.NPROC
    if path == "/proc/version":
        return (f"Linux version {ctx.sh.KERNEL} (buildd@lcy02-amd64-001) (gcc version 12.2.0) "
                "#1 SMP PREEMPT_DYNAMIC\n")
    if path == "/proc/cpuinfo":
        return "".join(f"processor\t: {i}\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU\n"
                       f"cpu cores\t: {nproc}\n\n" for i in range(nproc))
    if path == "/proc/meminfo":
        return "MemTotal:        8148056 kB\nMemFree:         5321488 kB\nMemAvailable:    7012340 kB\n"
    if path in ("/proc/self/cgroup", "/proc/1/cgroup"):
        return "0::/\n"
    if path == "/proc/mounts" or path == "/proc/self/mounts":
        return ("overlay / overlay rw,relatime,lowerdir=...,upperdir=...,workdir=... 0 0\n"
                "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
                "tmpfs /dev tmpfs rw,nosuid,size=65536k,mode=755 0 0\n")
    if path in ("/proc/loadavg",):
        return "0.00 0.00 0.00 1/1 1\n"
    if path == "/proc/uptime":
        return "1000.00 3900.00\n"
    if path == "/proc/sys/kernel/hostname":
        return (ctx.sh.hostname or "localhost") + "\n"
    return None


def walk_tree(fs, top: str) -> Iterator[tuple[str, object]]:
    """(path, entry) for top's descendants in walk order (parents first), using listdir."""
    try:
        names = fs.listdir(top)
    except FS_ERRORS:
        return
    for name in names:
        p = paths.join(top, name)
        entry = fs.entry(p)
        yield p, entry
        if getattr(entry, "kind", "") in ("dir", "opaque"):
            yield from walk_tree(fs, p)
