"""File and system commands of GNU coreutils (and their busybox applets): cat, cp, mv, rm, chmod, dd ...

Error wording follows coreutils: ``rm: cannot remove 'x': No such file or directory``.
"""

from __future__ import annotations

import hashlib
import re
import time

from ...errors import LayerlabError
from ...fs import paths
from ...fs.content import Inline, Synthetic
from ..base import (FS_ERRORS, CommandFailed, Ctx, command, decode, encode, fserror, getopt, human,
                    inode_path, parse_size, strerror)


def q(name: str) -> str:
    """coreutils' quoting of a file name in messages."""
    if "'" in name:
        return '"' + name + '"'
    return "'" + name + "'"


def usage_missing(ctx: Ctx, what: str = "operand") -> CommandFailed:
    return CommandFailed(f"missing {what}\nTry '{ctx.name} --help' for more information.", 1)


def _code(exc) -> str:
    return getattr(exc, "code", "") or "EINVAL"


# -- cat ------------------------------------------------------------------------------------------


@command("cat")
def cat(ctx: Ctx) -> int:
    opts, files = getopt(ctx, ctx.argv[1:], "nbsAETve", ["number", "number-nonblank", "squeeze-blank",
                                                         "show-all"])
    flags = {o for o, _ in opts}
    status = 0
    out = []
    for name in files or ["-"]:
        try:
            if name == "-":
                out.append(ctx.stdin.read())
                continue
            path = ctx.abspath(name)
            if ctx.fs.is_dir(path):
                raise fserror("EISDIR", name)
            out.append(ctx.read_text(path))
        except FS_ERRORS as exc:
            ctx.out(_number("".join(out), flags))
            out = []
            ctx.error(f"can't open {q(name)}: {strerror(exc)}" if ctx.flavor == "busybox" else
                      f"{name}: {strerror(exc)}")
            status = 1
    ctx.out(_number("".join(out), flags))
    return status


def _number(text: str, flags: set) -> str:
    if not ({"-n", "-b", "--number", "--number-nonblank", "-s", "-A", "-E"} & flags):
        return text
    lines = text.split("\n")
    trailing = lines and lines[-1] == ""
    if trailing:
        lines = lines[:-1]
    if "-s" in flags:
        squeezed = []
        for line in lines:
            if line == "" and squeezed and squeezed[-1] == "":
                continue
            squeezed.append(line)
        lines = squeezed
    if "-A" in flags or "-E" in flags:
        lines = [line + "$" for line in lines]
    n = 0
    out = []
    for line in lines:
        if "-b" in flags or "--number-nonblank" in flags:
            if line not in ("", "$"):
                n += 1
                line = f"{n:6d}\t{line}"
        elif "-n" in flags or "--number" in flags:
            n += 1
            line = f"{n:6d}\t{line}"
        out.append(line)
    return "\n".join(out) + ("\n" if trailing else "")


# -- touch / mkdir / rmdir / rm ---------------------------------------------------------------------


def parse_date(text: str, now: int) -> int | None:
    text = text.strip()
    if text.startswith("@") and re.fullmatch(r"@-?\d+", text):
        return int(text[1:])
    if text in ("now", ""):
        return now
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d))?)?(?:\s*(?:UTC|Z|\+0000))?", text)
    if m:
        y, mo, d, h, mi, s = (int(x) if x else 0 for x in m.groups())
        import calendar
        return calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0))
    return None


def parse_stamp(text: str, now: int) -> int | None:
    m = re.fullmatch(r"(\d{2,4})?(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{2}))?", text)
    if not m:
        return None
    import calendar
    year, mo, d, h, mi, s = m.groups()
    if year is None:
        y = time.gmtime(now).tm_year
    elif len(year) == 2:
        y = int(year) + (2000 if int(year) < 69 else 1900)
    else:
        y = int(year)
    return calendar.timegm((y, int(mo), int(d), int(h), int(mi), int(s or 0), 0, 0, 0))


@command("touch")
def touch(ctx: Ctx) -> int:
    opts, files = getopt(ctx, ctx.argv[1:], "acmd:t:r:h", ["no-create", "date=", "reference=", "no-dereference",
                                                            "time="])
    now = ctx.now()
    when = None
    create = True
    for o, v in opts:
        if o in ("-c", "--no-create"):
            create = False
        elif o in ("-d", "--date"):
            when = parse_date(v, now)
            if when is None:
                raise CommandFailed(f"invalid date format {q(v)}")
        elif o == "-t":
            when = parse_stamp(v, now)
            if when is None:
                raise CommandFailed(f"invalid date format {q(v)}")
        elif o in ("-r", "--reference"):
            try:
                when = ctx.fs.stat(ctx.abspath(v)).mtime
            except FS_ERRORS as exc:
                raise CommandFailed(f"failed to get attributes of {q(v)}: {strerror(exc)}")
    if not files:
        raise usage_missing(ctx, "file operand")
    status = 0
    for name in files:
        path = ctx.abspath(name)
        if ctx.is_virtual(path):
            continue
        try:
            if not ctx.fs.exists(path):
                if not create:
                    continue
                if ctx.fs.lexists(path):  # dangling symlink: create its target
                    path = ctx.fs.resolve(path)
                ctx.write_file(path, b"")
                if when is not None:
                    ctx.fs.utime(path, when)
            else:
                ctx.check_write(path) if ctx.uid != 0 and ctx.fs.stat(path).uid != ctx.uid else None
                ctx.fs.utime(path, now if when is None else when)
        except FS_ERRORS as exc:
            ctx.error(f"cannot touch {q(name)}: {strerror(exc)}")
            status = 1
    return status


def parse_mode_arg(spec: str) -> None:
    if not re.fullmatch(r"[0-7]{1,4}|([ugoa]*([-+=]([rwxXst]*|[ugo]))+)(,([ugoa]*([-+=]([rwxXst]*|[ugo]))+))*",
                        spec):
        raise CommandFailed(f"invalid mode: {q(spec)}\nTry 'chmod --help' for more information.")


def apply_mode(old: int, spec: str, is_dir: bool = False, umask: int = 0o022) -> int:
    """chmod's mode: octal, or symbolic clauses like u+x,go-w,a=r,+x.

    >>> oct(apply_mode(0o644, "u+x,go-w")), oct(apply_mode(0o600, "a=r")), oct(apply_mode(0o644, "+x"))
    ('0o744', '0o444', '0o755')
    """
    if re.fullmatch(r"[0-7]{1,4}", spec):
        new = int(spec, 8)
        if is_dir and len(spec) <= 3:
            new |= old & 0o6000  # GNU keeps setuid/setgid on directories for short octal modes
        return new
    mode = old & 0o7777
    for clause in spec.split(","):
        m = re.match(r"[ugoa]*", clause)
        who = m.group(0)
        rest = clause[m.end():]
        for op, perms in re.findall(r"([-+=])([ugo]|[rwxXst]*)", rest):
            mask_who = 0
            for w in (who or "a"):
                mask_who |= {"u": 0o4700, "g": 0o2070, "o": 0o1007, "a": 0o7777}[w]
            if perms in ("u", "g", "o"):
                shift = {"u": 6, "g": 3, "o": 0}[perms]
                bits3 = (mode >> shift) & 7
                bits = bits3 << 6 | bits3 << 3 | bits3
            else:
                bits = 0
                for p in perms:
                    if p == "r":
                        bits |= 0o444
                    elif p == "w":
                        bits |= 0o222
                    elif p == "x":
                        bits |= 0o111
                    elif p == "X":
                        if is_dir or mode & 0o111:
                            bits |= 0o111
                    elif p == "s":
                        bits |= 0o6000
                    elif p == "t":
                        bits |= 0o1000
            bits &= mask_who
            if not who:
                bits &= ~umask | 0o7000
            if op == "+":
                mode |= bits
            elif op == "-":
                mode &= ~bits
            else:
                clear = mask_who & 0o777 | (mask_who & 0o7000 if not is_dir else 0)
                if not who:
                    clear = 0o777 | (0o7000 if not is_dir else 0)
                mode = (mode & ~clear) | bits
    return mode & 0o7777


@command("mkdir")
def mkdir(ctx: Ctx) -> int:
    opts, names = getopt(ctx, ctx.argv[1:], "pm:v", ["parents", "mode=", "verbose"])
    parents = any(o in ("-p", "--parents") for o, _ in opts)
    verbose = any(o in ("-v", "--verbose") for o, _ in opts)
    mode_spec = next((v for o, v in opts if o in ("-m", "--mode")), None)
    if mode_spec is not None:
        parse_mode_arg(mode_spec)
    if not names:
        raise usage_missing(ctx)
    status = 0
    fs = ctx.fs
    for name in names:
        path = ctx.abspath(name)
        try:
            if parents:
                missing = []
                d = path
                while d != "/" and not fs.lexists(d):
                    missing.append(d)
                    d = paths.parent(d)
                if d != "/" and not fs.is_dir(d):
                    raise fserror("ENOTDIR" if missing else "EEXIST", name)
                for d in reversed(missing):
                    ctx.mkdir(d)
                    if verbose:
                        ctx.out(f"mkdir: created directory {q(_rel(name, path, d))}\n")
                if not missing:
                    continue
            else:
                if fs.lexists(path):
                    raise fserror("EEXIST", name)
                ctx.mkdir(path)
                if verbose:
                    ctx.out(f"mkdir: created directory {q(name)}\n")
            if mode_spec is not None:
                fs.chmod(path, apply_mode(0o777, mode_spec, True, 0))
        except FS_ERRORS as exc:
            verb = "can't create" if ctx.flavor == "busybox" else "cannot create"
            ctx.error(f"{verb} directory {q(name)}: {strerror(exc)}")
            status = 1
    return status


def _rel(name: str, path: str, d: str) -> str:
    """Show an ancestor of path the way the user wrote it."""
    if name.startswith("/"):
        return d
    extra = path[len(d):].count("/")
    parts = name.rstrip("/").split("/")
    return "/".join(parts[:len(parts) - extra]) if extra else name.rstrip("/")


@command("rmdir")
def rmdir(ctx: Ctx) -> int:
    opts, names = getopt(ctx, ctx.argv[1:], "pv", ["parents", "verbose", "ignore-fail-on-non-empty"])
    flags = {o for o, _ in opts}
    if not names:
        raise usage_missing(ctx)
    status = 0
    for name in names:
        targets = [name]
        if "-p" in flags or "--parents" in flags:
            p = name.rstrip("/")
            while "/" in p.strip("/"):
                p = p.rsplit("/", 1)[0]
                targets.append(p)
        for t in targets:
            path = ctx.abspath(t)
            try:
                ctx.check_delete(path)
                if ctx.fs.lexists(path) and ctx.fs.entry(path).kind == "symlink":
                    raise fserror("ENOTDIR", t)
                ctx.fs.rmdir(path)
                if "-v" in flags or "--verbose" in flags:
                    ctx.out(f"rmdir: removing directory, {q(t)}\n")
            except FS_ERRORS as exc:
                if _code(exc) == "ENOTEMPTY" and "--ignore-fail-on-non-empty" in flags:
                    break
                ctx.error(f"failed to remove {q(t)}: {strerror(exc)}")
                status = 1
                break
    return status


@command("rm")
def rm(ctx: Ctx) -> int:
    opts, names = getopt(ctx, ctx.argv[1:], "rRfvidI", ["recursive", "force", "verbose", "dir",
                                                       "no-preserve-root", "preserve-root", "interactive="])
    flags = {o for o, _ in opts}
    recursive = bool(flags & {"-r", "-R", "--recursive"})
    force = bool(flags & {"-f", "--force"})
    verbose = bool(flags & {"-v", "--verbose"})
    empty_dirs = bool(flags & {"-d", "--dir"})
    if not names:
        if force:
            return 0
        raise usage_missing(ctx)
    status = 0
    fs = ctx.fs
    for name in names:
        base = name.rstrip("/").rsplit("/", 1)[-1]
        if base in (".", ".."):
            ctx.error(f"refusing to remove '.' or '..' directory: skipping {q(name)}")
            status = 1
            continue
        path = ctx.abspath(name)
        if path == "/" and recursive:
            if "--no-preserve-root" not in flags:
                ctx.error("it is dangerous to operate recursively on '/'\n"
                          f"{ctx.name}: use --no-preserve-root to override this failsafe")
                status = 1
                continue
        try:
            if not fs.lexists(path):
                if force:
                    continue
                raise fserror("ENOENT", name)
            entry = fs.entry(path)
            if entry.kind in ("dir", "opaque"):
                if not recursive:
                    if empty_dirs:
                        ctx.check_delete(path)
                        fs.rmdir(path)
                        if verbose:
                            ctx.out(f"removed directory {q(name)}\n")
                        continue
                    raise fserror("EISDIR", name)
                _check_tree_deletable(ctx, path, name)
                listing = _listing(ctx, path, name) if verbose else []
                fs.rmtree(path)
                for line in listing:
                    ctx.out(line)
            else:
                ctx.check_delete(path)
                fs.unlink(path)
                if verbose:
                    ctx.out(f"removed {q(name)}\n")
        except FS_ERRORS as exc:
            verb = "can't remove" if ctx.flavor == "busybox" else "cannot remove"
            ctx.error(f"{verb} {q(getattr(exc, 'display', name))}: {strerror(exc)}")
            status = 1
    return status


def _check_tree_deletable(ctx: Ctx, path: str, name: str) -> None:
    ctx.check_delete(path)
    if ctx.uid == 0:
        return
    for p, entry in ctx.fs.walk(path):
        d = paths.parent(p)
        st = ctx.fs.stat(d)
        if not ctx.sh.permits(st, 3):
            exc = fserror("EACCES", p)
            exc.display = name.rstrip("/") + p[len(path):]
            raise exc


def _listing(ctx: Ctx, path: str, name: str) -> list[str]:
    out = []
    items = list(ctx.fs.walk(path))
    for p, entry in reversed(items):
        shown = name.rstrip("/") + p[len(path):]
        if entry.kind in ("dir", "opaque"):
            out.append(f"removed directory {q(shown)}\n")
        else:
            out.append(f"removed {q(shown)}\n")
    out.append(f"removed directory {q(name)}\n")
    return out


# -- cp / mv / ln -----------------------------------------------------------------------------------


@command("cp")
def cp(ctx: Ctx) -> int:
    opts, names = getopt(ctx, ctx.argv[1:], "rRapfvnLPdHTt:ulsiux", [
        "recursive", "archive", "preserve=", "force", "verbose", "no-clobber", "dereference",
        "no-dereference", "target-directory=", "no-target-directory", "update", "parents", "interactive",
        "no-preserve=", "remove-destination", "one-file-system"])
    flags = {o for o, _ in opts}
    archive = bool(flags & {"-a", "--archive"})
    recursive = archive or bool(flags & {"-r", "-R", "--recursive"})
    preserve = archive or "-p" in flags or any(o == "--preserve" for o, _ in opts)
    noclobber = bool(flags & {"-n", "--no-clobber"})
    verbose = bool(flags & {"-v", "--verbose"})
    if "-L" in flags or "--dereference" in flags:
        deref = True
    elif archive or "-P" in flags or "-d" in flags or "--no-dereference" in flags:
        deref = False
    else:
        deref = not recursive
    target_dir = next((v for o, v in opts if o in ("-t", "--target-directory")), None)
    no_target_dir = "-T" in flags or "--no-target-directory" in flags
    if target_dir is not None:
        srcs, dst = names, target_dir
    else:
        if not names:
            raise usage_missing(ctx, "file operand")
        if len(names) == 1:
            raise usage_missing(ctx, f"destination file operand after {q(names[0])}")
        srcs, dst = names[:-1], names[-1]
    fs = ctx.fs
    dst_path = ctx.abspath(dst)
    dst_is_dir = fs.is_dir(dst_path) and not no_target_dir
    if len(srcs) > 1 and not dst_is_dir:
        raise CommandFailed(f"target {q(dst)} is not a directory")
    status = 0
    op = _Copier(ctx, recursive, deref, preserve, noclobber, verbose)
    for src in srcs:
        src_path = ctx.abspath(src)
        shown_dst = dst
        target = dst_path
        if dst_is_dir:
            base = src.rstrip("/").rsplit("/", 1)[-1] or src
            if base not in (".", ".."):  # cp -r src/. dst copies the contents of src
                target = paths.join(dst_path, base)
                shown_dst = dst.rstrip("/") + "/" + base
        try:
            if not fs.lexists(src_path):
                raise fserror("ENOENT", src)
            status |= op.copy(src_path, target, src, shown_dst, top=True)
        except FS_ERRORS as exc:
            if _code(exc) == "ENOENT" and not fs.lexists(src_path):
                ctx.error(f"cannot stat {q(src)}: {strerror(exc)}")
            else:
                ctx.error(f"cannot create regular file {q(shown_dst)}: {strerror(exc)}")
            status = 1
    return status


class _Copier:
    def __init__(self, ctx: Ctx, recursive: bool, deref: bool, preserve: bool, noclobber: bool, verbose: bool):
        self.ctx = ctx
        self.recursive = recursive
        self.deref = deref
        self.preserve = preserve
        self.noclobber = noclobber
        self.verbose = verbose

    def copy(self, src: str, dst: str, shown_src: str, shown_dst: str, top: bool = False) -> int:
        ctx, fs = self.ctx, self.ctx.fs
        follow = self.deref or (top and "-H" in ctx.argv)
        st = fs.stat(src, follow_symlinks=follow)
        if st.kind == "dir":
            if not self.recursive:
                ctx.error(f"-r not specified; omitting directory {q(shown_src)}")
                return 1
            real_src = fs.resolve(src)
            if paths.is_under(paths.normalize(dst), real_src) or paths.is_under(fs.resolve(dst), real_src):
                ctx.error(f"cannot copy a directory, {q(shown_src)}, into itself, {q(shown_dst)}")
                return 1
            if fs.lexists(dst):
                if not fs.is_dir(dst):
                    ctx.error(f"cannot overwrite non-directory {q(shown_dst)} with directory {q(shown_src)}")
                    return 1
                created = False
            else:
                ctx.check_create(dst)
                fs.mkdir(dst, st.mode | 0o700, uid=ctx.uid, gid=ctx.gid)
                created = True
                if self.verbose:
                    ctx.out(f"{q(shown_src)} -> {q(shown_dst)}\n")
            status = 0
            for name in fs.listdir(src):
                try:
                    status |= self.copy(paths.join(src, name), paths.join(dst, name), shown_src.rstrip("/") + "/"
                                        + name, shown_dst.rstrip("/") + "/" + name)
                except FS_ERRORS as exc:
                    ctx.error(f"cannot create regular file {q(shown_dst + '/' + name)}: {strerror(exc)}")
                    status = 1
            if self.preserve:
                self._attrs(dst, st)
            elif created:
                fs.chmod(dst, st.mode & ~ctx.sh.umask)
            return status
        if fs.lexists(dst):
            if self.noclobber:
                return 0
            existing = fs.stat(dst)if fs.exists(dst) else fs.lstat(dst)
            if existing.kind == "dir":
                ctx.error(f"cannot overwrite directory {q(shown_dst)} with non-directory")
                return 1
            try:
                if fs.resolve(dst) == fs.resolve(src):
                    ctx.error(f"{q(shown_src)} and {q(shown_dst)} are the same file")
                    return 1
            except LayerlabError:
                pass
        if st.kind == "symlink":
            if fs.lexists(dst):
                fs.unlink(dst)
            ctx.check_create(dst)
            fs.symlink(fs.readlink(src), dst, uid=ctx.uid, gid=ctx.gid)
        elif st.kind == "file":
            content = ctx.content(src)
            if fs.exists(dst):
                ctx.check_write(dst)
                fs.write(inode_path(fs, dst), content)
            else:
                if fs.lexists(dst):
                    dst = fs.resolve(dst)
                ctx.check_create(dst)
                wanted = st.mode & 0o777 & ~ctx.sh.umask
                fs.write(dst, content, mode=wanted, uid=ctx.uid, gid=ctx.gid)
                if wanted != fs.stat(dst).mode & 0o777 and not self.preserve:
                    fs.chmod(dst, wanted)
        else:
            ctx.error(f"cannot copy special file {q(shown_src)}")
            return 1
        if self.preserve:
            self._attrs(dst, st)
        if self.verbose:
            ctx.out(f"{q(shown_src)} -> {q(shown_dst)}\n")
        return 0

    def _attrs(self, dst: str, st) -> None:
        fs = self.ctx.fs
        if st.kind == "symlink":
            if self.ctx.uid == 0:
                fs.chown(dst, st.uid, st.gid, follow_symlinks=False)
            return
        fs.chmod(dst, st.mode)
        if self.ctx.uid == 0:
            fs.chown(dst, st.uid, st.gid)
        fs.utime(dst, st.mtime)


@command("mv")
def mv(ctx: Ctx) -> int:
    opts, names = getopt(ctx, ctx.argv[1:], "fnvTt:iu", ["force", "no-clobber", "verbose", "target-directory=",
                                                        "no-target-directory", "interactive", "update"])
    flags = {o for o, _ in opts}
    target_dir = next((v for o, v in opts if o in ("-t", "--target-directory")), None)
    if target_dir is not None:
        srcs, dst = names, target_dir
    else:
        if not names:
            raise usage_missing(ctx, "file operand")
        if len(names) == 1:
            raise usage_missing(ctx, f"destination file operand after {q(names[0])}")
        srcs, dst = names[:-1], names[-1]
    fs = ctx.fs
    dst_path = ctx.abspath(dst)
    dst_is_dir = fs.is_dir(dst_path) and not ("-T" in flags or "--no-target-directory" in flags)
    if len(srcs) > 1 and not dst_is_dir:
        raise CommandFailed(f"target {q(dst)} is not a directory")
    status = 0
    for src in srcs:
        src_path = ctx.abspath(src)
        target, shown = dst_path, dst
        if dst_is_dir:
            base = paths.basename(src_path)
            target = paths.join(fs.resolve(dst_path), base)
            shown = dst.rstrip("/") + "/" + base
        try:
            if not fs.lexists(src_path):
                ctx.error(f"cannot stat {q(src)}: No such file or directory")
                status = 1
                continue
            if fs.lexists(target):
                if "-n" in flags or "--no-clobber" in flags:
                    continue
                if fs.resolve(target, follow_symlinks=False) == fs.resolve(src_path, follow_symlinks=False):
                    ctx.error(f"{q(src)} and {q(shown)} are the same file")
                    status = 1
                    continue
            src_kind = fs.entry(src_path).kind
            if src_kind in ("dir", "opaque") and paths.is_under(target, fs.resolve(src_path, follow_symlinks=False)):
                ctx.error(f"cannot move {q(src)} to a subdirectory of itself, {q(shown)}")
                status = 1
                continue
            ctx.check_delete(src_path)
            ctx.check_create(target)
            if fs.lexists(target):
                t_entry = fs.entry(target)
                t_is_dir = t_entry.kind in ("dir", "opaque")
                if t_is_dir and src_kind not in ("dir", "opaque"):
                    ctx.error(f"cannot overwrite directory {q(shown)} with non-directory")
                    status = 1
                    continue
                if not t_is_dir and src_kind in ("dir", "opaque"):
                    ctx.error(f"cannot overwrite non-directory {q(shown)} with directory {q(src)}")
                    status = 1
                    continue
                if t_is_dir:
                    if fs.listdir(target):
                        ctx.error(f"cannot move {q(src)} to {q(shown)}: Directory not empty")
                        status = 1
                        continue
                    fs.rmdir(target)  # rename(2) replaces an empty directory
                else:
                    fs.unlink(target)
            try:
                fs.rename(src_path, target)
            except FS_ERRORS as exc:
                if _code(exc) != "EXDEV":
                    raise
                # across mounts rename(2) fails with EXDEV; mv then copies (like cp -a) and removes the source
                copied = _Copier(ctx, recursive=True, deref=False, preserve=True, noclobber=False, verbose=False)
                if copied.copy(src_path, target, src, shown, top=True):
                    status = 1
                    continue
                if src_kind in ("dir", "opaque"):
                    fs.rmtree(src_path)
                else:
                    fs.unlink(src_path)
            if "-v" in flags or "--verbose" in flags:
                ctx.out(f"renamed {q(src)} -> {q(shown)}\n")
        except FS_ERRORS as exc:
            ctx.error(f"cannot move {q(src)} to {q(shown)}: {strerror(exc)}")
            status = 1
    return status


@command("ln")
def ln(ctx: Ctx) -> int:
    opts, names = getopt(ctx, ctx.argv[1:], "sfnvTrt:iLP", ["symbolic", "force", "no-dereference", "verbose",
                                                           "no-target-directory", "relative", "target-directory="])
    flags = {o for o, _ in opts}
    symbolic = bool(flags & {"-s", "--symbolic"})
    force = bool(flags & {"-f", "--force"})
    nodere = bool(flags & {"-n", "--no-dereference"})
    fs = ctx.fs
    target_dir = next((v for o, v in opts if o in ("-t", "--target-directory")), None)
    if not names:
        raise usage_missing(ctx, "file operand")
    if target_dir is not None:
        pairs = [(t, target_dir, True) for t in names]
    elif len(names) == 1:
        pairs = [(names[0], ".", True)]
    else:
        last = names[-1]
        lp = ctx.abspath(last)
        is_dir = (fs.is_dir(lp) and not (nodere and fs.lexists(lp) and fs.entry(lp).kind == "symlink")
                  and not ({"-T", "--no-target-directory"} & flags))
        if len(names) > 2 and not is_dir:
            raise CommandFailed(f"target {q(last)} is not a directory")
        pairs = [(t, last, is_dir) for t in names[:-1]]
    status = 0
    for target, dest, into in pairs:
        link = dest.rstrip("/") + "/" + target.rstrip("/").rsplit("/", 1)[-1] if into else dest
        link_path = ctx.abspath(link)
        shown = link if not (into and dest == ".") else target.rstrip("/").rsplit("/", 1)[-1]
        try:
            if not symbolic and not fs.lexists(ctx.abspath(target)):
                ctx.error(f"failed to access {q(target)}: No such file or directory")
                status = 1
                continue
            if fs.lexists(link_path):
                if not force:
                    raise fserror("EEXIST", link)
                if fs.entry(link_path).kind in ("dir", "opaque"):
                    ctx.error(f"{q(shown)}: cannot overwrite directory")
                    status = 1
                    continue
                ctx.check_delete(link_path)
                fs.unlink(link_path)
            ctx.check_create(link_path)
            if symbolic:
                fs.symlink(target, link_path, uid=ctx.uid, gid=ctx.gid)
            else:
                src = ctx.abspath(target)
                if fs.is_dir(src):
                    ctx.error(f"{q(target)}: hard link not allowed for directory")
                    status = 1
                    continue
                fs.link(src, link_path)
            if "-v" in flags or "--verbose" in flags:
                ctx.out(f"{q(shown)} -> {q(target)}\n" if symbolic else f"{q(shown)} => {q(target)}\n")
        except FS_ERRORS as exc:
            kind = "symbolic link" if symbolic else "hard link"
            extra = "" if symbolic else f" => {q(target)}"
            ctx.error(f"failed to create {kind} {q(shown)}{extra}: {strerror(exc)}")
            status = 1
    return status


# -- chmod / chown / chgrp ------------------------------------------------------------------------


@command("chmod")
def chmod(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    recursive = verbose = changes = quiet = False
    mode = None
    files = []
    reference = None
    i = 0
    while i < len(args):
        a = args[i]
        if mode is None and a in ("-R", "--recursive"):
            recursive = True
        elif mode is None and a in ("-v", "--verbose"):
            verbose = True
        elif mode is None and a in ("-c", "--changes"):
            changes = True
        elif mode is None and a in ("-f", "--silent", "--quiet"):
            quiet = True
        elif mode is None and a.startswith("--reference="):
            reference = a.split("=", 1)[1]
            mode = ""
        elif mode is None and re.fullmatch(r"-[Rvcf]+", a):
            recursive |= "R" in a
            verbose |= "v" in a
            changes |= "c" in a
            quiet |= "f" in a
        elif a == "--" and mode is None:
            pass
        elif mode is None:
            mode = a
        else:
            files.append(a)
        i += 1
    if mode is None:
        raise usage_missing(ctx)
    if reference is None:
        try:
            parse_mode_arg(mode)
        except CommandFailed:
            raise
    if not files:
        raise usage_missing(ctx, f"operand after {q(mode)}")
    fs = ctx.fs
    status = 0
    if reference is not None:
        try:
            mode = "%o" % fs.stat(ctx.abspath(reference)).mode
        except FS_ERRORS as exc:
            raise CommandFailed(f"failed to get attributes of {q(reference)}: {strerror(exc)}")

    def one(path: str, shown: str, top: bool) -> int:
        try:
            st = fs.stat(path) if top else fs.lstat(path)
        except FS_ERRORS as exc:
            if not quiet:
                ctx.error(f"cannot access {q(shown)}: {strerror(exc)}")
            return 1
        if st.kind == "symlink":
            return 0
        new = apply_mode(st.mode, mode, st.kind == "dir", ctx.sh.umask)
        try:
            ctx.check_owner(path)
            fs.chmod(path, new)  # chmod(2) is called even when nothing changes: overlayfs copies the file up
            if verbose or (changes and new != st.mode):
                if new != st.mode:
                    ctx.out(f"mode of {q(shown)} changed from {st.mode:04o} ({_rwx(st.mode)}) to "
                            f"{new:04o} ({_rwx(new)})\n")
                else:
                    ctx.out(f"mode of {q(shown)} retained as {st.mode:04o} ({_rwx(st.mode)})\n")
        except FS_ERRORS as exc:
            if not quiet:
                ctx.error(f"changing permissions of {q(shown)}: {strerror(exc)}")
            return 1
        return 0

    for name in files:
        path = ctx.abspath(name)
        status |= one(path, name, True)
        if recursive and fs.is_dir(path) and fs.entry(path).kind != "symlink":
            for p, entry in list(fs.walk(fs.resolve(path))):
                status |= one(p, name.rstrip("/") + p[len(fs.resolve(path)):], False)
    return status


def _rwx(mode: int) -> str:
    from ..base import mode_string
    return mode_string("file", mode)[1:]


def parse_owner(ctx: Ctx, spec: str, group_only: bool = False) -> tuple[int | None, int | None]:
    acc = ctx.accounts
    if group_only:
        user, group = "", spec
        sep = True
    else:
        sep = ":" in spec or "." in spec
        user, _, group = spec.partition(":") if ":" in spec else spec.partition(".")
    uid = gid = None
    if user:
        row = acc.user(user)
        if row is not None:
            uid = int(row[2])
            if sep and not group and not group_only:
                gid = int(row[3])
        elif user.isdigit():
            uid = int(user)
        else:
            raise CommandFailed(f"invalid user: {q(spec)}")
        if sep and not group and not group_only and row is None:
            raise CommandFailed(f"failed to get login group of {q(user)}")
    if group:
        row = acc.group(group)
        if row is not None:
            gid = int(row[2])
        elif group.isdigit():
            gid = int(group)
        else:
            raise CommandFailed(f"invalid group: {q(spec)}")
    return uid, gid


def _chown_common(ctx: Ctx, group_only: bool) -> int:
    args = ctx.argv[1:]
    recursive = nodere = verbose = quiet = False
    spec = None
    files = []
    for a in args:
        if spec is None and re.fullmatch(r"-[RhvfcHLP]+", a):
            recursive |= "R" in a
            nodere |= "h" in a
            verbose |= "v" in a
            quiet |= "f" in a
        elif spec is None and a in ("--recursive", "--no-dereference", "--verbose", "--silent", "--quiet",
                                    "--changes", "--dereference"):
            recursive |= a == "--recursive"
            nodere |= a == "--no-dereference"
            verbose |= a == "--verbose"
        elif spec is None and a.startswith("--") and a != "--":
            raise CommandFailed(f"unrecognized option {q(a)}\nTry '{ctx.name} --help' for more information.")
        elif a == "--" and spec is None:
            continue
        elif spec is None:
            spec = a
        else:
            files.append(a)
    if spec is None:
        raise usage_missing(ctx)
    if not files:
        raise usage_missing(ctx, f"operand after {q(spec)}")
    uid, gid = parse_owner(ctx, spec, group_only)
    fs = ctx.fs
    status = 0
    what = "group" if group_only else "ownership"

    def one(path: str, shown: str, follow: bool) -> int:
        try:
            if not fs.lexists(path) or (follow and not fs.exists(path)):
                ctx.error(f"cannot access {q(shown)}: No such file or directory")
                return 1
            if ctx.uid != 0:
                st = fs.stat(path, follow_symlinks=follow)
                if uid is not None and uid != st.uid or st.uid != ctx.uid or (
                        gid is not None and gid not in ctx.sh.groups):
                    raise fserror("EPERM", shown)
            fs.chown(path, uid, gid, follow_symlinks=follow)
            if verbose:
                owner = ctx.accounts.user_name(fs.stat(path, follow_symlinks=follow).uid)
                ctx.out(f"changed {what} of {q(shown)} to {owner if not group_only else spec}\n")
        except FS_ERRORS as exc:
            if not quiet:
                ctx.error(f"changing {what} of {q(shown)}: {strerror(exc)}")
            return 1
        return 0

    for name in files:
        path = ctx.abspath(name)
        status |= one(path, name, not nodere)
        if recursive and fs.is_dir(path) and fs.lexists(path) and fs.entry(path).kind != "symlink":
            real = fs.resolve(path)
            for p, entry in list(fs.walk(real)):
                status |= one(p, name.rstrip("/") + p[len(real):], False)
    return status


@command("chown")
def chown(ctx: Ctx) -> int:
    return _chown_common(ctx, False)


@command("chgrp")
def chgrp(ctx: Ctx) -> int:
    return _chown_common(ctx, True)


# -- dd / truncate ------------------------------------------------------------------------------------


def _dd_number(ctx: Ctx, key: str, value: str) -> int:
    total = 1
    for piece in value.split("x"):
        parsed = parse_size(piece)
        if parsed is None:
            raise CommandFailed(f"invalid number: {q(value)}")
        total *= parsed[1]
    return total


def _si(n: int) -> str:
    for unit, size in (("EB", 10**18), ("PB", 10**15), ("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= size:
            v = n / size
            return f"{v:.1f} {unit}" if v < 10 else f"{round(v):.0f} {unit}"
    return f"{n} B"


def _iec(n: int) -> str:
    for unit, size in (("EiB", 1 << 60), ("PiB", 1 << 50), ("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20),
                       ("KiB", 1 << 10)):
        if n >= size:
            v = n / size
            return f"{v:.1f} {unit}" if v < 10 else f"{round(v):.0f} {unit}"
    return f"{n} B"


@command("dd")
def dd(ctx: Ctx) -> int:
    ops = {}
    for a in ctx.argv[1:]:
        if "=" not in a:
            raise CommandFailed(f"unrecognized operand {q(a)}\nTry 'dd --help' for more information.")
        k, v = a.split("=", 1)
        if k not in ("if", "of", "bs", "ibs", "obs", "count", "skip", "seek", "status", "conv", "iflag", "oflag"):
            raise CommandFailed(f"unrecognized operand {q(a)}\nTry 'dd --help' for more information.")
        ops[k] = v
    bs = _dd_number(ctx, "bs", ops["bs"]) if "bs" in ops else _dd_number(ctx, "ibs", ops.get("ibs", "512"))
    if bs <= 0:
        raise CommandFailed(f"invalid number: {q(ops.get('bs', '0'))}")
    count = _dd_number(ctx, "count", ops["count"]) if "count" in ops else None
    skip = _dd_number(ctx, "skip", ops["skip"]) if "skip" in ops else 0
    seek = _dd_number(ctx, "seek", ops["seek"]) if "seek" in ops else 0
    status_opt = ops.get("status", "")
    conv = set(ops.get("conv", "").split(",")) - {""}
    src = ops.get("if")
    fs = ctx.fs
    want = None if count is None else count * bs
    data = None
    src_path = ctx.abspath(src) if src else None
    if src_path in ("/dev/zero", "/dev/urandom", "/dev/random"):
        if want is None:
            raise CommandFailed(f"layerlab: dd if={src} without count= would never end; add count=N")
        if src_path == "/dev/zero":
            data = Inline(b"\0" * want) if want <= 1 << 20 else Synthetic(want, "\0zeros")
        else:
            data = Inline(hashlib.shake_256(f"urandom:{ctx.now()}".encode()).digest(want)) if want <= 1 << 20 \
                else Synthetic(want, f"urandom:{ops.get('of', '')}:{ctx.now()}")
    else:
        try:
            if src is None or src_path == "/dev/stdin":
                content = Inline(encode(ctx.stdin.read()))
            else:
                content = ctx.content(src_path)
        except FS_ERRORS as exc:
            raise CommandFailed(f"failed to open {q(src)}: {strerror(exc)}")
        start = skip * bs
        if start == 0 and (want is None or want >= content.size):
            data = content
        else:
            end = content.size if want is None else min(content.size, start + want)
            if end - start > 64 << 20:
                raise CommandFailed("layerlab: copying a slice bigger than 64 MiB of a file is not simulated")
            data = Inline(content.read(end)[start:end]) if end > start else Inline(b"")
    size = data.size
    out = ops.get("of")
    if out is None:
        ctx.out(decode(data.read()))
    else:
        path = ctx.abspath(out)
        try:
            if ctx.is_virtual(path):
                ctx.write_file(path, data.read() if size <= 1 << 20 else b"")
            elif seek or "notrunc" in conv:
                if not fs.exists(path):
                    ctx.write_file(path, b"")
                old = ctx.content(path)
                offset = seek * bs
                if old.size + size > 64 << 20 and not (old.size == 0 and offset == 0):
                    raise CommandFailed("layerlab: writing into the middle of a file bigger than 64 MiB is not "
                                        "simulated")
                buf = bytearray(old.read())
                if len(buf) < offset:
                    buf += b"\0" * (offset - len(buf))
                piece = data.read()
                buf[offset:offset + len(piece)] = piece
                if "notrunc" not in conv:
                    del buf[offset + len(piece):]
                ctx.write_file(path, bytes(buf))
            else:
                ctx.write_file(path, data)
        except FS_ERRORS as exc:
            raise CommandFailed(f"failed to open {q(out)}: {strerror(exc)}")
    if status_opt != "none":
        full, part = divmod(size, bs)
        recs = f"{full}+{1 if part else 0}"
        secs = max(size / 2.4e9, 0.000123)
        lines = f"{recs} records in\n{recs} records out\n"
        if status_opt != "noxfer":
            rate = size / secs
            speed = _si(int(rate)).replace(" B", " B") + "/s"
            if size < 1000:
                amount = f"{size} bytes"
            elif size < 1024:
                amount = f"{size} bytes ({_si(size)})"
            else:
                amount = f"{size} bytes ({_si(size)}, {_iec(size)})"
            lines += f"{amount} copied, {secs:.6g} s, {speed}\n"
        ctx.err(lines)
    return 0


@command("truncate")
def truncate(ctx: Ctx) -> int:
    opts, files = getopt(ctx, ctx.argv[1:], "s:cor:", ["size=", "no-create", "io-blocks", "reference="])
    size_spec = next((v for o, v in opts if o in ("-s", "--size")), None)
    no_create = any(o in ("-c", "--no-create") for o, _ in opts)
    reference = next((v for o, v in opts if o in ("-r", "--reference")), None)
    if size_spec is None and reference is None:
        raise CommandFailed("you must specify either '--size' or '--reference'\nTry 'truncate --help' for more "
                            "information.")
    if not files:
        raise usage_missing(ctx, "file operand")
    parsed = None
    if size_spec is not None:
        parsed = parse_size(size_spec, allow_sign=True)
        if parsed is None:
            raise CommandFailed(f"Invalid number: {q(size_spec)}")
    fs = ctx.fs
    status = 0
    for name in files:
        path = ctx.abspath(name)
        try:
            if not fs.exists(path):
                if no_create:
                    continue
                ctx.write_file(path, b"")
            else:
                ctx.check_write(path)
            if fs.is_dir(path):
                raise fserror("EISDIR", name)
            current = fs.stat(path).size
            if reference is not None:
                target = fs.stat(ctx.abspath(reference)).size
            else:
                sign, n = parsed
                target = {"": n, "+": current + n, "-": max(0, current - n), "<": min(current, n),
                          ">": max(current, n), "/": (current // n) * n if n else current,
                          "%": -(-current // n) * n if n else current}[sign]
            fs.truncate(inode_path(fs, path), target)
        except FS_ERRORS as exc:
            ctx.error(f"cannot open {q(name)} for writing: {strerror(exc)}")
            status = 1
    return status


# -- names and paths ----------------------------------------------------------------------------------


@command("basename")
def basename(ctx: Ctx) -> int:
    opts, names = getopt(ctx, ctx.argv[1:], "as:z", ["multiple", "suffix=", "zero"])
    suffix = next((v for o, v in opts if o in ("-s", "--suffix")), None)
    multiple = suffix is not None or any(o in ("-a", "--multiple") for o, _ in opts)
    if not names:
        raise usage_missing(ctx)
    if not multiple:
        if len(names) > 2:
            raise CommandFailed(f"extra operand {q(names[2])}\nTry 'basename --help' for more information.")
        suffix = names[1] if len(names) == 2 else None
        names = names[:1]
    for name in names:
        base = name.rstrip("/").rsplit("/", 1)[-1] if name.strip("/") else ("/" if name else "")
        if suffix and base != suffix and base.endswith(suffix):
            base = base[:-len(suffix)]
        ctx.out(base + "\n")
    return 0


@command("dirname")
def dirname(ctx: Ctx) -> int:
    names = [a for a in ctx.argv[1:] if a not in ("-z", "--zero")]
    if not names:
        raise usage_missing(ctx)
    for name in names:
        stripped = name.rstrip("/")
        if not stripped:
            ctx.out(("/" if name else ".") + "\n")
            continue
        if "/" not in stripped:
            ctx.out(".\n")
            continue
        d = stripped.rsplit("/", 1)[0].rstrip("/")
        ctx.out((d or "/") + "\n")
    return 0


def _canonical(ctx: Ctx, name: str, mode: str) -> str | None:
    """realpath/readlink -f: mode 'e' (all must exist), 'f' (all but last), 'm' (none)."""
    fs = ctx.fs
    path = ctx.abspath(name)
    try:
        real = fs.resolve(path)
    except FS_ERRORS:
        return None
    if mode == "m":
        return real
    if fs.lexists(real):
        return real
    if mode == "e":
        return None
    parent = paths.parent(real)
    return real if fs.is_dir(parent) else None


@command("realpath")
def realpath(ctx: Ctx) -> int:
    opts, names = getopt(ctx, ctx.argv[1:], "emsqLPz", ["canonicalize-existing", "canonicalize-missing",
                                                       "no-symlinks", "strip", "quiet", "relative-to="])
    flags = {o for o, _ in opts}
    mode = "e" if flags & {"-e", "--canonicalize-existing"} else "m" if flags & {"-m", "--canonicalize-missing"} \
        else "f"
    if not names:
        raise usage_missing(ctx)
    status = 0
    for name in names:
        if flags & {"-s", "--strip", "--no-symlinks"}:
            ctx.out(ctx.abspath(name) + "\n")
            continue
        real = _canonical(ctx, name, mode)
        if real is None:
            if not flags & {"-q", "--quiet"}:
                ctx.error(f"{name}: No such file or directory")
            status = 1
            continue
        ctx.out(real + "\n")
    return status


@command("readlink")
def readlink(ctx: Ctx) -> int:
    opts, names = getopt(ctx, ctx.argv[1:], "femnqsvz", ["canonicalize", "canonicalize-existing",
                                                        "canonicalize-missing", "no-newline", "quiet", "silent",
                                                        "verbose"])
    flags = {o for o, _ in opts}
    end = "" if flags & {"-n", "--no-newline"} else "\n"
    if not names:
        raise usage_missing(ctx)
    status = 0
    for name in names:
        mode = ("f" if flags & {"-f", "--canonicalize"} else "e" if flags & {"-e", "--canonicalize-existing"}
                else "m" if flags & {"-m", "--canonicalize-missing"} else "")
        if mode:
            real = _canonical(ctx, name, mode)
            if real is None:
                status = 1
                continue
            ctx.out(real + end)
            continue
        try:
            ctx.out(ctx.fs.readlink(ctx.abspath(name)) + end)
        except (FS_ERRORS + (LayerlabError,)):
            status = 1
    return status


# -- identity and environment -------------------------------------------------------------------------


@command("id")
def id_(ctx: Ctx) -> int:
    opts, names = getopt(ctx, ctx.argv[1:], "ugGnrza", ["user", "group", "groups", "name", "real"])
    flags = {o for o, _ in opts}
    acc = ctx.accounts
    if names:
        row = acc.user(names[0]) if not names[0].isdigit() else acc.user(int(names[0]))
        if row is None:
            raise CommandFailed(f"{q(names[0])}: no such user")
        uid, gid = int(row[2]), int(row[3])
        groups = [gid] + [g for g in acc.supplementary(row[0]) if g != gid]
    else:
        uid, gid, groups = ctx.uid, ctx.gid, list(ctx.sh.groups)
    named = bool(flags & {"-n", "--name"})

    def show_u(i):
        return acc.user_name(i) if named else str(i)

    def show_g(i):
        return acc.group_name(i) if named else str(i)

    if flags & {"-u", "--user"}:
        if named and acc.user(uid) is None:
            ctx.out(f"{uid}\n")
            ctx.error(f"cannot find name for user ID {uid}")
            return 1
        ctx.out(show_u(uid) + "\n")
        return 0
    if flags & {"-g", "--group"}:
        ctx.out(show_g(gid) + "\n")
        return 0
    if flags & {"-G", "--groups"}:
        ctx.out(" ".join(show_g(g) for g in groups) + "\n")
        return 0

    def label(i, row):
        return f"{i}({row[0]})" if row else str(i)

    text = f"uid={label(uid, acc.user(uid))} gid={label(gid, acc.group(gid))} groups=" + ",".join(
        label(g, acc.group(g)) for g in groups)
    ctx.out(text + "\n")
    return 0


@command("whoami")
def whoami(ctx: Ctx) -> int:
    row = ctx.accounts.user(ctx.uid)
    if row is None:
        raise CommandFailed(f"cannot find name for user ID {ctx.uid}")
    ctx.out(row[0] + "\n")
    return 0


@command("groups")
def groups(ctx: Ctx) -> int:
    acc = ctx.accounts
    ctx.out(" ".join(acc.group_name(g) for g in ctx.sh.groups) + "\n")
    return 0


@command("env")
def env(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    new = dict(ctx.env)
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-i", "--ignore-environment", "-"):
            new = {}
        elif a in ("-u", "--unset") and i + 1 < len(args):
            new.pop(args[i + 1], None)
            i += 1
        elif a.startswith("--unset="):
            new.pop(a.split("=", 1)[1], None)
        elif a == "--":
            i += 1
            break
        elif a.startswith("-") and a not in ("-",):
            raise CommandFailed(f"invalid option -- '{a[1:2]}'\nTry 'env --help' for more information.", 125)
        else:
            break
        i += 1
    while i < len(args) and "=" in args[i] and not args[i].startswith("="):
        k, v = args[i].split("=", 1)
        new[k] = v
        i += 1
    if i >= len(args):
        for k, v in new.items():
            ctx.out(f"{k}={v}\n")
        return 0
    argv = args[i:]
    status = ctx.sh.exec_program(argv, new, ctx.fds)
    if status == -127:
        ctx.error(f"'{argv[0]}': No such file or directory")
        return 127
    return status


@command("printenv")
def printenv(ctx: Ctx) -> int:
    names = [a for a in ctx.argv[1:] if not a.startswith("-")]
    if not names:
        for k, v in ctx.env.items():
            ctx.out(f"{k}={v}\n")
        return 0
    status = 0
    for n in names:
        if n in ctx.env:
            ctx.out(ctx.env[n] + "\n")
        else:
            status = 1
    return status


@command("sleep")
def sleep(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    if not args:
        raise usage_missing(ctx)
    for a in args:
        if not re.fullmatch(r"(\d+(\.\d*)?|\.\d+)[smhd]?|inf(inity)?", a):
            raise CommandFailed(f"invalid time interval {q(a)}\nTry 'sleep --help' for more information.")
    return 0


def strftime(fmt: str, t: int) -> str:
    tm = time.gmtime(t)
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    long_days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    long_months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                   "October", "November", "December"]
    out = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c != "%" or i + 1 >= len(fmt):
            out.append(c)
            i += 1
            continue
        d = fmt[i + 1]
        i += 2
        h12 = tm.tm_hour % 12 or 12
        table = {
            "Y": f"{tm.tm_year}", "m": f"{tm.tm_mon:02d}", "d": f"{tm.tm_mday:02d}", "H": f"{tm.tm_hour:02d}",
            "M": f"{tm.tm_min:02d}", "S": f"{tm.tm_sec:02d}", "y": f"{tm.tm_year % 100:02d}",
            "b": months[tm.tm_mon - 1], "h": months[tm.tm_mon - 1], "B": long_months[tm.tm_mon - 1],
            "a": days[tm.tm_wday], "A": long_days[tm.tm_wday], "e": f"{tm.tm_mday:2d}",
            "j": f"{tm.tm_yday:03d}", "s": str(t), "Z": "UTC", "z": "+0000", "n": "\n", "t": "\t", "%": "%",
            "T": f"{tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d}", "R": f"{tm.tm_hour:02d}:{tm.tm_min:02d}",
            "D": f"{tm.tm_mon:02d}/{tm.tm_mday:02d}/{tm.tm_year % 100:02d}",
            "F": f"{tm.tm_year}-{tm.tm_mon:02d}-{tm.tm_mday:02d}", "p": "AM" if tm.tm_hour < 12 else "PM",
            "I": f"{h12:02d}", "l": f"{h12:2d}", "k": f"{tm.tm_hour:2d}", "u": str(tm.tm_wday + 1),
            "w": str((tm.tm_wday + 1) % 7), "N": "000000000", "C": f"{tm.tm_year // 100:02d}",
        }
        out.append(table.get(d, "%" + d))
    return "".join(out)


@command("date")
def date(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    t = ctx.now()
    fmt = "%a %b %e %H:%M:%S %Z %Y"
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-u", "--utc", "--universal"):
            pass
        elif a in ("-d", "--date") and i + 1 < len(args):
            parsed = parse_date(args[i + 1], t)
            if parsed is None:
                raise CommandFailed(f"invalid date {q(args[i + 1])}")
            t = parsed
            i += 1
        elif a.startswith("--date="):
            parsed = parse_date(a.split("=", 1)[1], t)
            if parsed is None:
                raise CommandFailed(f"invalid date {q(a.split('=', 1)[1])}")
            t = parsed
        elif a.startswith("-I") or a.startswith("--iso-8601"):
            what = a[2:] if a.startswith("-I") else a.partition("=")[2]
            fmt = "%Y-%m-%d" if what in ("", "date") else "%Y-%m-%dT%H:%M:%S+00:00"
        elif a in ("-R", "--rfc-email"):
            fmt = "%a, %d %b %Y %H:%M:%S +0000"
        elif a.startswith("+"):
            fmt = a[1:]
        else:
            raise CommandFailed(f"invalid date {q(a)}")
        i += 1
    ctx.out(strftime(fmt, t) + "\n")
    return 0


def _hostname(ctx: Ctx) -> str:
    """The UTS name: the shell's hostname, else the tree's /etc/hostname, else localhost."""
    name = ctx.sh.hostname
    if not name:
        try:
            name = decode(ctx.fs.read("/etc/hostname")).strip()
        except (FS_ERRORS + (LayerlabError,)):
            name = ""
    return name or "localhost"


@command("hostname")
def hostname(ctx: Ctx) -> int:
    name = _hostname(ctx)
    args = ctx.argv[1:]
    if args and not args[0].startswith("-"):
        raise CommandFailed("you must be root to change the host name" if ctx.uid else
                            "you must be root to change the host name")
    if "-s" in args or "--short" in args:
        name = name.split(".")[0]
    if "-i" in args or "-I" in args:
        name = "172.17.0.2"
    ctx.out(name + "\n")
    return 0


@command("uname")
def uname(ctx: Ctx) -> int:
    opts, _ = getopt(ctx, ctx.argv[1:], "asnrvmpio", ["all", "kernel-name", "nodename", "kernel-release",
                                                     "kernel-version", "machine", "processor",
                                                     "hardware-platform", "operating-system"])
    flags = {o for o, _ in opts}
    host = _hostname(ctx)
    version = "#45-Ubuntu SMP PREEMPT_DYNAMIC Fri Aug 30 12:02:04 UTC 2024"
    fields = [("-s", "--kernel-name", "Linux"), ("-n", "--nodename", host),
              ("-r", "--kernel-release", ctx.sh.KERNEL), ("-v", "--kernel-version", version),
              ("-m", "--machine", "x86_64"), ("-p", "--processor", "unknown"),
              ("-i", "--hardware-platform", "unknown"),
              ("-o", "--operating-system", "GNU/Linux" if ctx.flavor == "gnu" else "Linux")]
    every = bool(flags & {"-a", "--all"})
    if not flags:
        flags = {"-s"}
    out = []
    for short, long, value in fields:
        if every and short in ("-p", "-i"):
            continue
        if every or short in flags or long in flags:
            out.append(value)
    ctx.out(" ".join(out) + "\n")
    return 0


@command("nproc")
def nproc(ctx: Ctx) -> int:
    ctx.out(f"{ctx.sh.NPROC}\n")
    return 0


@command("seq")
def seq(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    sep = "\n"
    width = False
    fmt = None
    nums = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-s" and i + 1 < len(args):
            sep = args[i + 1]
            i += 2
            continue
        if a.startswith("-s") and len(a) > 2:
            sep = a[2:]
        elif a == "-w":
            width = True
        elif a == "-f" and i + 1 < len(args):
            fmt = args[i + 1]
            i += 2
            continue
        else:
            nums.append(a)
        i += 1
    if not nums:
        raise usage_missing(ctx)
    try:
        vals = [float(n) for n in nums]
    except ValueError:
        bad = next(n for n in nums if not re.fullmatch(r"[-+]?\d*\.?\d+(e[-+]?\d+)?", n))
        raise CommandFailed(f"invalid floating point argument: {q(bad)}\nTry 'seq --help' for more information.")
    if len(vals) == 1:
        first, step, last = 1.0, 1.0, vals[0]
    elif len(vals) == 2:
        first, step, last = vals[0], 1.0, vals[1]
    else:
        first, step, last = vals[0], vals[1], vals[2]
    if step == 0:
        raise CommandFailed("invalid Zero increment value: '0'")
    integer = all(re.fullmatch(r"[-+]?\d+", n) for n in nums)
    decimals = max((len(n.split(".")[1]) for n in nums if "." in n), default=0)
    out = []
    v = first
    k = 0
    while (step > 0 and v <= last + 1e-12) or (step < 0 and v >= last - 1e-12):
        ctx.sh.tick() if k % 1000 == 999 else None
        if fmt:
            out.append(fmt % v)
        elif integer:
            out.append(str(int(round(v))))
        else:
            out.append(f"{v:.{decimals}f}")
        k += 1
        v = first + k * step
        if k > 1_000_000:
            raise CommandFailed("layerlab: more than a million numbers is not simulated")
    if width and out:
        w = max(len(x) for x in out)
        out = [x.zfill(w) for x in out]
    if out:
        ctx.out(sep.join(out) + "\n")
    return 0


# -- checksums --------------------------------------------------------------------------------------

_HASHES = {"md5sum": "md5", "sha1sum": "sha1", "sha256sum": "sha256", "sha512sum": "sha512",
           "sha224sum": "sha224", "sha384sum": "sha384"}


def _digest(ctx: Ctx, algo: str, operand: str) -> str:
    if operand == "-":
        return hashlib.new(algo, encode(ctx.stdin.read())).hexdigest()
    path = ctx.abspath(operand)
    if ctx.fs.is_dir(path):
        raise fserror("EISDIR", operand)
    content = ctx.content(path)
    if algo == "sha256":
        return content.sha256
    h = hashlib.new(algo)
    for chunk in content.chunks():
        h.update(chunk)
    return h.hexdigest()


@command(*_HASHES)
def checksum(ctx: Ctx) -> int:
    algo = _HASHES[ctx.name]
    opts, files = getopt(ctx, ctx.argv[1:], "cbtwz", ["check", "binary", "text", "quiet", "status", "strict",
                                                     "warn"])
    flags = {o for o, _ in opts}
    status = 0
    if flags & {"-c", "--check"}:
        bad = 0
        for f in files or ["-"]:
            try:
                text = ctx.read_operand(f)
            except FS_ERRORS as exc:
                ctx.error(f"{f}: {strerror(exc)}")
                status = 1
                continue
            for line in text.splitlines():
                m = re.fullmatch(r"([0-9a-fA-F]+) [ *](.+)", line.strip())
                if not m:
                    continue
                want, name = m.group(1).lower(), m.group(2)
                try:
                    got = _digest(ctx, algo, name)
                except FS_ERRORS as exc:
                    ctx.error(f"{name}: {strerror(exc)}")
                    ctx.out(f"{name}: FAILED open or read\n")
                    status = 1
                    continue
                if got == want:
                    if "--quiet" not in flags and "--status" not in flags:
                        ctx.out(f"{name}: OK\n")
                else:
                    bad += 1
                    if "--status" not in flags:
                        ctx.out(f"{name}: FAILED\n")
        if bad:
            plural = "checksum did" if bad == 1 else "checksums did"
            if "--status" not in flags:
                ctx.error(f"WARNING: {bad} computed {plural} NOT match")
            status = 1
        return status
    for f in files or ["-"]:
        try:
            ctx.out(f"{_digest(ctx, algo, f)}  {f}\n")
        except FS_ERRORS as exc:
            ctx.error(f"{f}: {strerror(exc)}")
            status = 1
    return status


# -- which / mktemp / install ---------------------------------------------------------------------------


@command("which")
def which(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    every = "-a" in args
    names = [a for a in args if a != "-a"]
    if not names:
        return 1
    status = 0
    path_var = ctx.env.get("PATH", "")
    for name in names:
        found = []
        if "/" in name:
            p = ctx.abspath(name)
            if ctx.fs.is_file(p) and ctx.may(p, 1):
                found.append(name)
        else:
            for d in path_var.split(":"):
                p = paths.normalize((d or ctx.cwd) + "/" + name) if (d or ctx.cwd).startswith("/") else None
                if p and ctx.fs.is_file(p) and ctx.may(p, 1):
                    found.append(p)
                    if not every:
                        break
        if not found:
            status = 1
        for p in found:
            ctx.out(p + "\n")
    return status


_mktemp_counter = [0]


@command("mktemp")
def mktemp(ctx: Ctx) -> int:
    opts, names = getopt(ctx, ctx.argv[1:], "dqup:t", ["directory", "quiet", "dry-run", "tmpdir=", "suffix="])
    flags = {o for o, _ in opts}
    directory = bool(flags & {"-d", "--directory"})
    tmpdir = next((v for o, v in opts if o in ("-p", "--tmpdir")), None)
    suffix = next((v for o, v in opts if o == "--suffix"), "")
    template = names[0] if names else "tmp.XXXXXXXXXX"
    if not names or "-t" in flags or tmpdir is not None:
        base = tmpdir or ctx.env.get("TMPDIR", "/tmp")
        template = base.rstrip("/") + "/" + template.rsplit("/", 1)[-1] if "/" not in template or not names \
            else template
    m = re.search(r"X{3,}$", template)
    if not m:
        raise CommandFailed(f"too few X's in template {q(template)}")
    fs = ctx.fs
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    for attempt in range(100):
        _mktemp_counter[0] += 1
        seed = hashlib.sha256(f"{template}:{ctx.now()}:{_mktemp_counter[0]}".encode()).digest()
        rand = "".join(alphabet[b % len(alphabet)] for b in seed[:len(m.group(0))])
        name = template[:m.start()] + rand + suffix
        path = ctx.abspath(name)
        if not fs.lexists(path):
            break
    try:
        if "-u" not in flags and "--dry-run" not in flags:
            if directory:
                ctx.check_create(path)
                fs.mkdir(path, 0o700, uid=ctx.uid, gid=ctx.gid)
            else:
                ctx.check_create(path)
                fs.write(path, b"", mode=0o600, uid=ctx.uid, gid=ctx.gid)
    except FS_ERRORS as exc:
        what = "directory" if directory else "file"
        raise CommandFailed(f"failed to create {what} via template {q(template)}: {strerror(exc)}")
    ctx.out(name + "\n")
    return 0


@command("install")
def install(ctx: Ctx) -> int:
    opts, names = getopt(ctx, ctx.argv[1:], "dm:o:g:Dvcpst:T", ["directory", "mode=", "owner=", "group=",
                                                               "verbose", "target-directory=", "strip",
                                                               "preserve-timestamps"])
    flags = {o for o, _ in opts}
    mode_spec = next((v for o, v in opts if o in ("-m", "--mode")), None)
    owner = next((v for o, v in opts if o in ("-o", "--owner")), None)
    group = next((v for o, v in opts if o in ("-g", "--group")), None)
    uid, gid = (None, None)
    if owner:
        uid, _ = parse_owner(ctx, owner)
    if group:
        _, gid = parse_owner(ctx, group, group_only=True)
    fs = ctx.fs

    def finish(path: str, default: int, is_dir: bool) -> None:
        mode = apply_mode(default, mode_spec, is_dir, 0) if mode_spec else default
        fs.chmod(path, mode)
        if uid is not None or gid is not None:
            if ctx.uid != 0:
                raise fserror("EPERM", path)
            fs.chown(path, uid, gid)

    if not names:
        raise usage_missing(ctx, "file operand")
    status = 0
    if flags & {"-d", "--directory"}:
        for name in names:
            path = ctx.abspath(name)
            try:
                ctx.mkdir(path, parents=True)
                finish(path, 0o755, True)
            except FS_ERRORS as exc:
                ctx.error(f"cannot create directory {q(name)}: {strerror(exc)}")
                status = 1
        return status
    target_dir = next((v for o, v in opts if o in ("-t", "--target-directory")), None)
    if target_dir is None:
        if len(names) < 2:
            raise usage_missing(ctx, f"destination file operand after {q(names[0])}")
        srcs, dst = names[:-1], names[-1]
    else:
        srcs, dst = names, target_dir
    dst_path = ctx.abspath(dst)
    if "-D" in flags:
        parent = dst_path if (target_dir or len(srcs) > 1) else paths.parent(dst_path)
        ctx.mkdir(parent, parents=True)
    into = fs.is_dir(dst_path)
    for src in srcs:
        src_path = ctx.abspath(src)
        target = paths.join(dst_path, paths.basename(src_path)) if into else dst_path
        try:
            content = ctx.content(src_path)
            if fs.lexists(target):
                ctx.check_delete(target)
                fs.unlink(target)
            ctx.check_create(target)
            fs.write(target, content, uid=ctx.uid, gid=ctx.gid)
            finish(target, 0o755, False)
            if "-v" in flags or "--verbose" in flags:
                ctx.out(f"{q(src)} -> {q(dst if not into else dst.rstrip('/') + '/' + paths.basename(src_path))}\n")
        except FS_ERRORS as exc:
            if not fs.lexists(src_path):
                ctx.error(f"cannot stat {q(src)}: No such file or directory")
            else:
                ctx.error(f"cannot create regular file {q(dst)}: {strerror(exc)}")
            status = 1
    return status


@command("tee")
def tee(ctx: Ctx) -> int:
    opts, files = getopt(ctx, ctx.argv[1:], "ai", ["append", "ignore-interrupts"])
    append = any(o in ("-a", "--append") for o, _ in opts)
    data = ctx.stdin.read()
    ctx.out(data)
    status = 0
    for name in files:
        path = ctx.abspath(name)
        try:
            if ctx.fs.is_dir(path):
                raise fserror("EISDIR", name)
            ctx.write_file(path, encode(data), append=append)
        except FS_ERRORS as exc:
            ctx.error(f"{name}: {strerror(exc)}")
            status = 1
    return status


@command("df")
def df(ctx: Ctx) -> int:
    opts, _ = getopt(ctx, ctx.argv[1:], "hkTPaB:", ["human-readable", "print-type", "portability", "all"])
    flags = {o for o, _ in opts}
    total = 61202244
    used = 20123456
    avail = total - used - 3106884
    if flags & {"-h", "--human-readable"}:
        row = ("overlay", human(total * 1024), human(used * 1024), human(avail * 1024), "35%", "/")
        ctx.out("Filesystem      Size  Used Avail Use% Mounted on\n")
        ctx.out(f"{row[0]:<15} {row[1]:>4} {row[2]:>5} {row[3]:>5} {row[4]:>4} {row[5]}\n")
        ctx.out(f"{'tmpfs':<15} {'64M':>4} {'0':>5} {'64M':>5} {'0%':>4} /dev\n")
    else:
        ctx.out("Filesystem     1K-blocks     Used Available Use% Mounted on\n")
        ctx.out(f"{'overlay':<14} {total:>9} {used:>8} {avail:>9} {'35%':>4} /\n")
        ctx.out(f"{'tmpfs':<14} {65536:>9} {0:>8} {65536:>9} {'0%':>4} /dev\n")
    return 0
