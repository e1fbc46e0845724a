"""The shell's builtins (cd, export, set, test, echo, printf, read, command ...), with dash's wording.

echo, printf, test, [, true, false and pwd are also registered as programs (/bin/echo ...), in their
GNU coreutils form, for xargs, find -exec and env, which cannot run builtins.
"""

from __future__ import annotations

import re

from ..errors import LayerlabError
from ..fs import paths
from . import syntax as S
from .base import FS_ERRORS, CommandFailed, Ctx, command, strerror

# -- escapes and formatting -------------------------------------------------------------------------

_SIMPLE_ESC = {"a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
               "\\": "\\"}


def backslash_escapes(text: str, *, octal_zero: bool, allow_c: bool = True) -> tuple[str, bool]:
    """Interpret echo/printf %b escapes; returns (text, stop) where stop means \\c was seen."""
    out = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c != "\\" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        d = text[i + 1]
        if d in _SIMPLE_ESC:
            out.append(_SIMPLE_ESC[d])
            i += 2
        elif d == "c" and allow_c:
            return "".join(out), True
        elif d == "0" and octal_zero:
            j = i + 2
            digits = ""
            while j < n and len(digits) < 3 and text[j] in "01234567":
                digits += text[j]
                j += 1
            out.append(chr(int(digits or "0", 8) & 0xFF))
            i = j
        elif d in "01234567" and not octal_zero:
            j = i + 1
            digits = ""
            while j < n and len(digits) < 3 and text[j] in "01234567":
                digits += text[j]
                j += 1
            out.append(chr(int(digits, 8) & 0xFF))
            i = j
        elif d == "x" and not octal_zero:
            j = i + 2
            digits = ""
            while j < n and len(digits) < 2 and text[j] in "0123456789abcdefABCDEF":
                digits += text[j]
                j += 1
            if digits:
                out.append(chr(int(digits, 16)))
                i = j
            else:
                out.append("\\x")
                i += 2
        else:
            out.append("\\" + d)
            i += 2
    return "".join(out), False


def echo(ctx: Ctx, style: str) -> int:
    """style 'dash' (only -n; escapes always) or 'gnu' (-n -e -E; escapes with -e)."""
    args = ctx.argv[1:]
    newline = True
    escapes = style == "dash"
    if style == "dash":
        if args and args[0] == "-n":
            newline = False
            args = args[1:]
    else:
        while args and re.fullmatch(r"-[neE]+", args[0]):
            for c in args[0][1:]:
                if c == "n":
                    newline = False
                elif c == "e":
                    escapes = True
                else:
                    escapes = False
            args = args[1:]
    text = " ".join(args)
    if escapes:
        text, stop = backslash_escapes(text, octal_zero=True)
        if stop:
            ctx.out(text)
            return 0
    ctx.out(text + ("\n" if newline else ""))
    return 0


_CONV = re.compile(r"%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?([diouxXfFeEgGcsb%])")


def _number(ctx: Ctx, arg: str, is_float: bool, errors: list) -> int | float:
    s = arg.strip()
    if s[:1] in ("'", '"'):
        return ord(s[1]) if len(s) > 1 else 0
    try:
        if is_float:
            return float(s)
        if re.fullmatch(r"[-+]?0[xX][0-9a-fA-F]+", s):
            return int(s, 16)
        if re.fullmatch(r"[-+]?0[0-7]+", s):
            return int(s, 8)
        return int(s)
    except ValueError:
        m = re.match(r"[-+]?\d+", s)
        errors.append(arg)
        return int(m.group(0)) if m else 0


def printf_format(ctx: Ctx, fmt: str, args: list[str], dash: bool) -> tuple[str, int]:
    out: list[str] = []
    errors: list[str] = []
    args = list(args)
    fmt_text, _ = _format_escapes(fmt)
    while True:
        consumed = False
        pos = 0
        stop = False
        while pos < len(fmt_text):
            m = _CONV.search(fmt_text, pos)
            if not m:
                out.append(fmt_text[pos:])
                break
            out.append(fmt_text[pos:m.start()])
            pos = m.end()
            flags, width, prec, conv = m.groups()
            if conv == "%":
                out.append("%")
                continue
            if width == "*":
                width = str(int(_number(ctx, args.pop(0), False, errors)) if args else 0)
                consumed = True
            if prec == "*":
                prec = str(int(_number(ctx, args.pop(0), False, errors)) if args else 0)
                consumed = True
            arg = args.pop(0) if args else None
            if arg is not None:
                consumed = True
            spec = "%" + flags + (width or "") + ("." + prec if prec is not None else "")
            if conv == "s":
                out.append((spec + "s") % (arg or ""))
            elif conv == "b":
                text, stop = backslash_escapes(arg or "", octal_zero=True)
                out.append((spec + "s") % text)
                if stop:
                    break
            elif conv == "c":
                out.append((spec + "s") % ((arg or "")[:1]))
            elif conv in "diouxX":
                value = _number(ctx, arg, False, errors) if arg is not None else 0
                pyconv = "d" if conv in "diu" else conv
                out.append((spec + pyconv) % int(value))
            else:
                value = _number(ctx, arg, True, errors) if arg is not None else 0.0
                out.append((spec + conv) % float(value))
        if stop or not args or not consumed:
            break
    status = 0
    for bad in errors:
        if dash:
            ctx.sh.diag(f"printf: {bad}: expected numeric value")
        else:
            ctx.error(f"'{bad}': expected a numeric value")
        status = 1
    return "".join(out), status


def _format_escapes(fmt: str) -> tuple[str, bool]:
    # escapes in the format string itself; protect %% conversions from being touched
    out = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c == "\\" and i + 1 < len(fmt):
            d = fmt[i + 1]
            if d in _SIMPLE_ESC:
                out.append(_SIMPLE_ESC[d].replace("%", "%%"))
                i += 2
                continue
            if d in "01234567":
                j = i + 1
                digits = ""
                while j < len(fmt) and len(digits) < 3 and fmt[j] in "01234567":
                    digits += fmt[j]
                    j += 1
                ch = chr(int(digits, 8) & 0xFF)
                out.append("%%" if ch == "%" else ch)
                i = j
                continue
            if d == "x":
                m = re.match(r"[0-9a-fA-F]{1,2}", fmt[i + 2:])
                if m:
                    ch = chr(int(m.group(0), 16))
                    out.append("%%" if ch == "%" else ch)
                    i += 2 + len(m.group(0))
                    continue
            if d in "\"'":
                out.append(d)
                i += 2
                continue
            out.append("\\" + d)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out), False


def printf(ctx: Ctx, dash: bool) -> int:
    args = ctx.argv[1:]
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        if dash:
            ctx.sh.diag("printf: usage: printf format [arg ...]")
            return 2
        ctx.error("missing operand\nTry 'printf --help' for more information.")
        return 1
    text, status = printf_format(ctx, args[0], args[1:], dash)
    ctx.out(text)
    return status


# -- test ----------------------------------------------------------------------------------------

UNARY = {"-e", "-f", "-d", "-L", "-h", "-s", "-r", "-w", "-x", "-b", "-c", "-p", "-S", "-u", "-g", "-k",
         "-t", "-z", "-n", "-O", "-G"}
BINARY = {"=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef"}


class _TestError(Exception):
    pass


def test_command(ctx: Ctx, builtin: bool) -> int:
    args = ctx.argv[1:]
    name = ctx.name
    if name == "[":
        if not args or args[-1] != "]":
            _test_diag(ctx, builtin, "missing ]" if ctx.sh.flavor != "bash" else "missing `]'")
            return 2
        args = args[:-1]
    try:
        return 0 if _Test(ctx, args, builtin).run() else 1
    except _TestError as exc:
        _test_diag(ctx, builtin, str(exc))
        return 2


def _test_diag(ctx: Ctx, builtin: bool, msg: str) -> None:
    if builtin:
        ctx.sh.diag(f"{ctx.name}: {msg}")
    else:
        ctx.error(msg)


class _Test:
    def __init__(self, ctx: Ctx, args: list[str], builtin: bool):
        self.ctx = ctx
        self.args = args
        self.i = 0
        self.builtin = builtin

    def run(self) -> bool:
        a = self.args
        n = len(a)
        if n == 0:
            return False
        if n == 1:
            return a[0] != ""
        if n == 2:
            if a[0] == "!":
                return a[1] == ""
            if a[0] in UNARY:
                return self.unary(a[0], a[1])
            raise _TestError(f"{a[0]}: unexpected operator")
        if n == 3:
            if a[1] in BINARY:
                return self.binary(a[0], a[1], a[2])
            if a[0] == "!":
                return not _Test(self.ctx, a[1:], self.builtin).run()
            if a[0] == "(" and a[2] == ")":
                return a[1] != ""
        if n == 4:
            if a[0] == "!":
                return not _Test(self.ctx, a[1:], self.builtin).run()
            if a[0] == "(" and a[3] == ")":
                return _Test(self.ctx, a[1:3], self.builtin).run()
        value = self.or_()
        if self.i < len(a):
            raise _TestError(f"{a[self.i]}: unexpected operator")
        return value

    def take(self) -> str:
        if self.i >= len(self.args):
            raise _TestError("argument expected")
        v = self.args[self.i]
        self.i += 1
        return v

    def or_(self) -> bool:
        v = self.and_()
        while self.i < len(self.args) and self.args[self.i] == "-o":
            self.i += 1
            w = self.and_()
            v = v or w
        return v

    def and_(self) -> bool:
        v = self.not_()
        while self.i < len(self.args) and self.args[self.i] == "-a":
            self.i += 1
            w = self.not_()
            v = v and w
        return v

    def not_(self) -> bool:
        if self.i < len(self.args) and self.args[self.i] == "!":
            self.i += 1
            return not self.not_()
        return self.primary()

    def primary(self) -> bool:
        a = self.args
        tok = self.take()
        if tok == "(":
            v = self.or_()
            if self.take() != ")":
                raise _TestError("closing paren expected")
            return v
        if tok in UNARY and self.i < len(a):
            return self.unary(tok, self.take())
        if self.i + 1 < len(a) + 1 and self.i < len(a) and a[self.i] in BINARY:
            op = self.take()
            return self.binary(tok, op, self.take())
        return tok != ""

    def integer(self, s: str) -> int:
        t = s.strip()
        if re.fullmatch(r"[-+]?\d+", t):
            return int(t)
        if self.builtin and self.ctx.sh.flavor == "dash":
            raise _TestError(f"Illegal number: {s}")
        if self.builtin:
            raise _TestError(f"{s}: integer expression expected")
        raise _TestError(f"invalid integer '{s}'")

    def binary(self, x: str, op: str, y: str) -> bool:
        if op in ("=", "=="):
            return x == y
        if op == "!=":
            return x != y
        if op == "<":
            return x < y
        if op == ">":
            return x > y
        if op in ("-nt", "-ot", "-ef"):
            sx, sy = self.stat(x), self.stat(y)
            if op == "-ef":
                return sx is not None and sy is not None and sx.path == sy.path
            if op == "-nt":
                return sx is not None and (sy is None or sx.mtime > sy.mtime)
            return sy is not None and (sx is None or sx.mtime < sy.mtime)
        a, b = self.integer(x), self.integer(y)
        return {"-eq": a == b, "-ne": a != b, "-lt": a < b, "-le": a <= b, "-gt": a > b, "-ge": a >= b}[op]

    def stat(self, p: str, follow: bool = True):
        ctx = self.ctx
        if not p:
            return None
        path = ctx.abspath(p)
        try:
            ctx.check_traverse(path)
            return ctx.fs.stat(path, follow_symlinks=follow)
        except FS_ERRORS:
            return None
        except LayerlabError:
            return None

    def unary(self, op: str, arg: str) -> bool:
        ctx = self.ctx
        if op == "-z":
            return arg == ""
        if op == "-n":
            return arg != ""
        if op == "-t":
            return False
        path = ctx.abspath(arg) if arg else ""
        if path in ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "/dev/tty", "/dev/full",
                    "/dev/stdin", "/dev/stdout", "/dev/stderr"):
            return op in ("-e", "-c", "-r", "-w")
        if op in ("-L", "-h"):
            st = self.stat(arg, follow=False)
            return st is not None and st.kind == "symlink"
        st = self.stat(arg)
        if st is None:
            return False
        if op == "-e":
            return True
        if op == "-f":
            return st.kind == "file"
        if op == "-d":
            return st.kind == "dir"
        if op == "-s":
            return st.size > 0 or st.kind == "dir"
        if op in ("-b", "-c", "-p", "-S"):
            return st.kind == "device" and op == "-c"
        if op == "-u":
            return bool(st.mode & 0o4000)
        if op == "-g":
            return bool(st.mode & 0o2000)
        if op == "-k":
            return bool(st.mode & 0o1000)
        if op == "-O":
            return st.uid == ctx.uid
        if op == "-G":
            return st.gid == ctx.gid
        want = {"-r": 4, "-w": 2, "-x": 1}[op]
        return ctx.sh.permits(st, want)


# -- the builtins ---------------------------------------------------------------------------------


def run_builtin(ctx: Ctx) -> int:
    name = ctx.argv[0]
    fn = BUILTINS.get(name)
    if fn is None:  # pragma: no cover
        raise CommandFailed(f"{name}: not a builtin", 127)
    return fn(ctx)


def b_colon(ctx: Ctx) -> int:
    return 0


def b_false(ctx: Ctx) -> int:
    return 1


def b_echo(ctx: Ctx) -> int:
    return echo(ctx, "dash" if ctx.sh.flavor == "dash" else "gnu")


def b_printf(ctx: Ctx) -> int:
    return printf(ctx, dash=ctx.sh.flavor == "dash")


def b_test(ctx: Ctx) -> int:
    return test_command(ctx, builtin=True)


def _cd_fail(ctx: Ctx, target: str, why: str) -> int:
    sh = ctx.sh
    if sh.flavor == "bash":
        sh.diag(f"cd: {target}: {why}")
        return 1
    if sh.flavor == "ash":
        sh.diag(f"cd: can't cd to {target}: {why}")
        return 2
    sh.diag(f"cd: can't cd to {target}")
    return 2


def b_cd(ctx: Ctx) -> int:
    sh = ctx.sh
    args = [a for a in ctx.argv[1:] if a not in ("-L", "-P")]
    physical = "-P" in ctx.argv[1:]
    if len(args) > 1 and sh.flavor != "dash":
        sh.diag("cd: too many arguments")
        return 1
    show = False
    if not args:
        target = sh.vars.get("HOME", "")
        if not target:
            return 0
    elif args[0] == "-":
        target = sh.vars.get("OLDPWD", sh.cwd)
        show = True
    else:
        target = args[0]
    path = sh.abspath(target, logical=True)
    fs = ctx.fs
    try:
        st = fs.stat(path)
    except FS_ERRORS as exc:
        return _cd_fail(ctx, target, strerror(exc))
    except LayerlabError:
        return _cd_fail(ctx, target, "No such file or directory")
    if st.kind != "dir":
        return _cd_fail(ctx, target, "Not a directory")
    try:
        ctx.check_traverse(paths.join(path, "x"))
    except FS_ERRORS:
        return _cd_fail(ctx, target, "Permission denied")
    if physical:
        path = fs.resolve(path)
    sh.vars["OLDPWD"] = sh.cwd
    sh.cwd = path
    sh.vars["PWD"] = path
    if show:
        ctx.out(path + "\n")
    return 0


def b_pwd(ctx: Ctx) -> int:
    if "-P" in ctx.argv[1:]:
        try:
            ctx.out(ctx.fs.resolve(ctx.sh.cwd) + "\n")
            return 0
        except LayerlabError:
            pass
    ctx.out(ctx.sh.cwd + "\n")
    return 0


def _sq(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def b_export(ctx: Ctx, readonly: bool = False) -> int:
    sh = ctx.sh
    args = ctx.argv[1:]
    word = "readonly" if readonly else "export"
    if not args or args == ["-p"]:
        names = sorted(sh.readonly if readonly else sh.exported)
        for n in names:
            if n in sh.vars:
                ctx.out(f"{word} {n}={_sq(sh.vars[n])}\n")
            else:
                ctx.out(f"{word} {n}\n")
        return 0
    status = 0
    for a in args:
        if a == "-p" or a == "--":
            continue
        name, eq, value = a.partition("=")
        if not S.is_name(name):
            sh.diag(f"{word}: {name}: bad variable name")
            return 2
        if eq:
            sh.setvar(name, value)
        if readonly:
            sh.readonly.add(name)
        else:
            sh.exported.add(name)
    return status


def b_readonly(ctx: Ctx) -> int:
    return b_export(ctx, readonly=True)


def b_unset(ctx: Ctx) -> int:
    sh = ctx.sh
    funcs = False
    for a in ctx.argv[1:]:
        if a == "-f":
            funcs = True
            continue
        if a == "-v":
            funcs = False
            continue
        if funcs:
            sh.functions.pop(a, None)
            continue
        if a in sh.readonly:
            sh.diag(f"unset: {a}: is read only")
            return 2
        sh.vars.pop(a, None)
        sh.exported.discard(a)
    return 0


OPTION_NAMES = {"errexit": "e", "xtrace": "x", "nounset": "u", "noglob": "f", "pipefail": "pipefail",
                "allexport": "a", "verbose": "v", "noclobber": "C", "noexec": "n", "monitor": "m"}


def b_set(ctx: Ctx) -> int:
    sh = ctx.sh
    args = ctx.argv[1:]
    if not args:
        for k in sorted(sh.vars):
            ctx.out(f"{k}={_sq(sh.vars[k])}\n")
        return 0
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            sh.positional = args[i + 1:]
            return 0
        if a in ("-o", "+o"):
            on = a == "-o"
            if i + 1 >= len(args):
                for long, short in OPTION_NAMES.items():
                    state = "on" if sh.options.get(short) else "off"
                    ctx.out(f"{long:<16}{state}\n" if on else f"set {'-' if sh.options.get(short) else '+'}o {long}\n")
                return 0
            opt = args[i + 1]
            if opt not in OPTION_NAMES:
                sh.diag(f"set: Illegal option {a} {opt}")
                raise CommandFailed("", 2)
            sh.options[OPTION_NAMES[opt]] = on
            i += 2
            continue
        if len(a) > 1 and a[0] in "-+" and a != "-":
            on = a[0] == "-"
            for c in a[1:]:
                if c not in "exufavCnm":
                    sh.diag(f"set: Illegal option {a[0]}{c}")
                    raise CommandFailed("", 2)
                sh.options[c] = on
            i += 1
            continue
        sh.positional = args[i:]
        return 0
    return 0


def _number_arg(ctx: Ctx, name: str, arg: str) -> int:
    if re.fullmatch(r"\d+", arg):
        return int(arg)
    ctx.sh.diag(f"{name}: Illegal number: {arg}")
    raise CommandFailed("", 2)


def b_exit(ctx: Ctx) -> int:
    from .interp import ExitShell
    args = ctx.argv[1:]
    code = _number_arg(ctx, "exit", args[0]) if args else ctx.sh.status
    raise ExitShell(code & 0xFF)


def b_return(ctx: Ctx) -> int:
    from .interp import ReturnFunc
    args = ctx.argv[1:]
    code = _number_arg(ctx, "return", args[0]) if args else ctx.sh.status
    raise ReturnFunc(code & 0xFF)


def b_break(ctx: Ctx, cont: bool = False) -> int:
    from .interp import BreakLoop, ContinueLoop
    args = ctx.argv[1:]
    n = _number_arg(ctx, ctx.argv[0], args[0]) if args else 1
    if n < 1:
        ctx.sh.diag(f"{ctx.argv[0]}: Illegal number: {args[0]}")
        return 2
    if ctx.sh.loop_depth == 0:
        return 0
    n = min(n, ctx.sh.loop_depth)
    raise (ContinueLoop if cont else BreakLoop)(n)


def b_continue(ctx: Ctx) -> int:
    return b_break(ctx, cont=True)


def b_shift(ctx: Ctx) -> int:
    sh = ctx.sh
    n = _number_arg(ctx, "shift", ctx.argv[1]) if len(ctx.argv) > 1 else 1
    if n > len(sh.positional):
        sh.diag("shift: can't shift that many")
        raise CommandFailed("", 2)
    sh.positional = sh.positional[n:]
    return 0


def b_eval(ctx: Ctx) -> int:
    sh = ctx.sh
    text = " ".join(ctx.argv[1:])
    if not text.strip():
        return 0
    try:
        node = S.parse(text)
    except S.ParseError as exc:
        sh.diag(str(exc))
        return 2
    return sh._exec(node)


def b_exec(ctx: Ctx) -> int:
    from .interp import ExitShell
    sh = ctx.sh
    args = ctx.argv[1:]
    if not args:
        return 0
    path = sh.find_program(args[0], sh.vars.get("PATH", ""))
    if path is None:
        sh._shared.not_found.append(args[0])
        sh.diag(f"exec: {args[0]}: not found")
        raise ExitShell(127)
    raise ExitShell(sh.exec_file(path, args, ctx.env, ctx.fds))


def b_dot(ctx: Ctx) -> int:
    from .interp import ReturnFunc
    sh = ctx.sh
    args = ctx.argv[1:]
    if not args:
        if sh.flavor == "dash":
            return 0
        sh.diag(f"{ctx.argv[0]}: filename argument required")
        return 2
    name = args[0]
    if "/" in name:
        path = sh.abspath(name)
    else:
        path = None
        for d in sh.vars.get("PATH", "").split(":") + ([""] if sh.flavor != "dash" else []):
            p = sh.abspath((d or ".") + "/" + name)
            if ctx.fs.is_file(p):
                path = p
                break
        if path is None:
            sh.diag(f"{ctx.argv[0]}: {name}: not found" if sh.flavor == "dash"
                    else f"{ctx.argv[0]}: {name}: No such file or directory")
            raise CommandFailed("", 2 if sh.flavor != "bash" else 1)
    try:
        text = ctx.read_text(path)
    except FS_ERRORS as exc:
        why = "No such file" if getattr(exc, "code", "") == "ENOENT" else strerror(exc)
        sh.diag(f"{ctx.argv[0]}: cannot open {name}: {why}")
        raise CommandFailed("", 2)
    try:
        node = S.parse(text)
    except S.ParseError as exc:
        sh.diag(f"{name}: {exc.line}: {exc}")
        return 2
    saved = sh.positional
    if len(args) > 1:
        sh.positional = args[1:]
    try:
        return sh._exec(node)
    except ReturnFunc as r:
        return r.code
    finally:
        if len(args) > 1:
            sh.positional = saved


def b_read(ctx: Ctx) -> int:
    sh = ctx.sh
    args = ctx.argv[1:]
    raw = False
    names = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-r":
            raw = True
        elif a == "-p" and i + 1 < len(args):
            i += 1
        elif a.startswith("-") and len(a) > 1 and not names:
            sh.diag(f"read: Illegal option {a}")
            return 2
        else:
            names.append(a)
        i += 1
    if not names:
        names = ["REPLY"]
    src = ctx.stdin
    line = ""
    eof = False
    while True:
        chunk = src.readline()
        if not chunk:
            eof = True
            break
        if chunk.endswith("\n"):
            chunk = chunk[:-1]
            if not raw and chunk.endswith("\\") and not chunk.endswith("\\\\"):
                line += chunk[:-1]
                continue
            line += chunk
            break
        line += chunk
        eof = True
        break
    if not raw:
        line = re.sub(r"\\(.)", r"\1", line)
    ifs = sh.vars.get("IFS", " \t\n")
    ws = "".join(c for c in ifs if c in " \t\n")
    values: list[str] = []
    rest = line.strip(ws) if ws else line
    for k in range(len(names)):
        if k == len(names) - 1:
            values.append(rest.rstrip(ws) if ws else rest)
            break
        m = re.match(r"([^" + re.escape(ifs) + r"]*)[" + re.escape(ws) + r"]*[" + re.escape(ifs) + r"]?["
                     + re.escape(ws) + r"]*" if ifs else r"(.*)", rest)
        if not m or not rest:
            values.append("")
            rest = ""
            continue
        values.append(m.group(1))
        rest = rest[m.end():]
    for n, v in zip(names, values + [""] * (len(names) - len(values))):
        sh.setvar(n, v)
    return 1 if eof and not line else (1 if eof else 0)


def b_command(ctx: Ctx) -> int:
    sh = ctx.sh
    args = ctx.argv[1:]
    mode = ""
    while args and args[0].startswith("-") and args[0] != "-":
        if args[0] == "--":
            args = args[1:]
            break
        for c in args[0][1:]:
            if c in "vV":
                mode = c
            elif c != "p":
                sh.diag(f"command: Illegal option -{c}")
                return 2
        args = args[1:]
    if not args:
        return 0
    if mode:
        status = 0
        for name in args:
            desc = describe(sh, name)
            if desc is None:
                if mode == "V":
                    ctx.out(f"{name}: not found\n")
                status = 127 if mode == "V" else 1
                continue
            kind, where = desc
            if mode == "v":
                ctx.out((where if kind == "file" else name) + "\n")
            else:
                ctx.out(_describe_text(name, kind, where) + "\n")
        return status
    from .interp import REGULAR_BUILTINS, SPECIAL_BUILTINS
    name = args[0]
    if name in SPECIAL_BUILTINS or name in REGULAR_BUILTINS:
        from .base import Ctx as _Ctx
        return run_builtin(_Ctx(sh, args, ctx.env, ctx.fds))
    path = sh.find_program(name, sh.vars.get("PATH", ""))
    if path is None:
        sh._shared.not_found.append(name)
        sh.diag(f"{name}: not found")
        return 127
    return sh.exec_file(path, args, ctx.env, ctx.fds)


def describe(sh, name: str):
    from .interp import BASH_BUILTINS, KEYWORDS, REGULAR_BUILTINS, SPECIAL_BUILTINS
    if name in KEYWORDS:
        return "keyword", name
    if name in sh.functions:
        return "function", name
    if name in SPECIAL_BUILTINS:
        return "special", name
    if name in REGULAR_BUILTINS or (name in BASH_BUILTINS and sh.flavor != "dash"):
        return "builtin", name
    path = sh.find_program(name, sh.vars.get("PATH", ""))
    if path is None:
        return None
    return "file", (name if "/" in name else path)


def _describe_text(name: str, kind: str, where: str) -> str:
    return {"keyword": f"{name} is a shell keyword", "function": f"{name} is a shell function",
            "special": f"{name} is a special shell builtin", "builtin": f"{name} is a shell builtin",
            "file": f"{name} is {where}"}[kind]


def b_type(ctx: Ctx) -> int:
    status = 0
    for name in ctx.argv[1:]:
        desc = describe(ctx.sh, name)
        if desc is None:
            if ctx.sh.flavor == "bash":
                ctx.sh.diag(f"type: {name}: not found")
            else:
                ctx.out(f"{name}: not found\n")
            status = 127 if ctx.sh.flavor == "dash" else 1
            continue
        ctx.out(_describe_text(name, *desc) + "\n")
    return status


def b_umask(ctx: Ctx) -> int:
    sh = ctx.sh
    args = ctx.argv[1:]
    symbolic = "-S" in args
    args = [a for a in args if a != "-S"]
    if not args:
        if symbolic:
            perm = ~sh.umask & 0o777
            parts = []
            for who, shift in (("u", 6), ("g", 3), ("o", 0)):
                bits = (perm >> shift) & 7
                parts.append(who + "=" + "".join(c for c, b in (("r", 4), ("w", 2), ("x", 1)) if bits & b))
            ctx.out(",".join(parts) + "\n")
        else:
            ctx.out(f"{sh.umask:04o}\n")
        return 0
    if re.fullmatch(r"[0-7]{1,4}", args[0]):
        sh.umask = int(args[0], 8)
        return 0
    sh.diag(f"umask: Illegal mode: {args[0]}")
    return 2


def b_local(ctx: Ctx) -> int:
    sh = ctx.sh
    if not sh.locals_stack:
        sh.diag("local: not in a function")
        return 2
    frame = sh.locals_stack[-1]
    for a in ctx.argv[1:]:
        name, eq, value = a.partition("=")
        if name not in frame:
            frame[name] = sh.vars.get(name)
        if eq:
            sh.setvar(name, value)
    return 0


def b_trap(ctx: Ctx) -> int:
    sh = ctx.sh
    args = ctx.argv[1:]
    if not args:
        for sig, action in sh.traps.items():
            ctx.out(f"trap -- {_sq(action)} {sig}\n")
        return 0
    if len(args) == 1:
        action, sigs = "-", args
    else:
        action, sigs = args[0], args[1:]
    for sig in sigs:
        key = "EXIT" if sig in ("0", "EXIT") else sig.upper().removeprefix("SIG")
        if action == "-":
            sh.traps.pop(key, None)
        else:
            sh.traps[key] = action
    return 0


def b_getopts(ctx: Ctx) -> int:
    sh = ctx.sh
    args = ctx.argv[1:]
    if len(args) < 2:
        sh.diag("getopts: usage: getopts optstring var [arg]")
        return 2
    optstring, var = args[0], args[1]
    params = args[2:] if len(args) > 2 else sh.positional
    try:
        optind = int(sh.vars.get("OPTIND", "1"))
    except ValueError:
        optind = 1
    pos = getattr(sh, "_optpos", 1)
    if optind != getattr(sh, "_optind_seen", optind):
        pos = 1
    if optind - 1 >= len(params):
        sh.setvar(var, "?")
        return 1
    arg = params[optind - 1]
    if arg == "--":
        sh.vars["OPTIND"] = str(optind + 1)
        sh.setvar(var, "?")
        return 1
    if not arg.startswith("-") or arg == "-":
        sh.setvar(var, "?")
        return 1
    c = arg[pos]
    pos += 1
    k = optstring.find(c)
    result = c
    if k < 0 or c == ":":
        result = "?"
        if not optstring.startswith(":"):
            ctx.err(f"Illegal option -{c}\n")
        else:
            sh.setvar("OPTARG", c)
    elif k + 1 < len(optstring) and optstring[k + 1] == ":":
        if pos < len(arg):
            sh.setvar("OPTARG", arg[pos:])
            pos = len(arg)
        elif optind < len(params):
            sh.setvar("OPTARG", params[optind])
            optind += 1
            pos = len(arg)
        else:
            result = "?"
            ctx.err(f"No arg for -{c} option\n")
    if pos >= len(arg):
        optind += 1
        pos = 1
    sh._optpos = pos
    sh._optind_seen = optind
    sh.vars["OPTIND"] = str(optind)
    sh.setvar(var, result)
    return 0


def b_noop(ctx: Ctx) -> int:
    return 0


def b_ulimit(ctx: Ctx) -> int:
    if len(ctx.argv) <= 2:
        ctx.out("unlimited\n")
    return 0


def b_kill(ctx: Ctx) -> int:
    args = [a for a in ctx.argv[1:] if not a.startswith("-")]
    for a in args:
        if a not in (str(ctx.sh.PID),):
            ctx.sh.diag("kill: No such process")
            return 1
    return 0


BUILTINS = {
    ":": b_colon, "true": b_colon, "false": b_false, "echo": b_echo, "printf": b_printf, "test": b_test,
    "[": b_test, "cd": b_cd, "pwd": b_pwd, "export": b_export, "readonly": b_readonly, "unset": b_unset,
    "set": b_set, "exit": b_exit, "return": b_return, "break": b_break, "continue": b_continue,
    "shift": b_shift, "eval": b_eval, "exec": b_exec, ".": b_dot, "source": b_dot, "read": b_read,
    "command": b_command, "type": b_type, "umask": b_umask, "local": b_local, "trap": b_trap,
    "getopts": b_getopts, "wait": b_noop, "hash": b_noop, "alias": b_noop, "unalias": b_noop,
    "ulimit": b_ulimit, "kill": b_kill, "times": b_noop, "jobs": b_noop,
}


# -- the same, as programs (coreutils) ------------------------------------------------------------


@command("echo")
def p_echo(ctx: Ctx) -> int:
    return echo(ctx, "gnu")


@command("printf")
def p_printf(ctx: Ctx) -> int:
    return printf(ctx, dash=False)


@command("test", "[")
def p_test(ctx: Ctx) -> int:
    return test_command(ctx, builtin=False)


@command("true")
def p_true(ctx: Ctx) -> int:
    return 0


@command("false")
def p_false(ctx: Ctx) -> int:
    return 1


@command("pwd")
def p_pwd(ctx: Ctx) -> int:
    ctx.out(ctx.sh.cwd + "\n")
    return 0


@command("sh", "dash", "bash", "ash")
def p_sh(ctx: Ctx) -> int:
    """sh -c 'command' [name [args]], sh script [args], or a script on standard input."""
    sh = ctx.sh
    name = ctx.name
    flavor = {"bash": "bash", "ash": "ash", "dash": "dash"}.get(name) or sh._detect_flavor()
    args = ctx.argv[1:]
    options: dict[str, bool] = {}
    command_mode = False
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            i += 1
            break
        if a in ("-o", "+o"):
            if i + 1 >= len(args) or args[i + 1] not in OPTION_NAMES:
                ctx.err(f"{name}: 0: Illegal option -o {args[i + 1] if i + 1 < len(args) else ''}\n")
                return 2
            options[OPTION_NAMES[args[i + 1]]] = a == "-o"
            i += 2
            continue
        if len(a) > 1 and a[0] in "-+" and not a.startswith("--"):
            for c in a[1:]:
                if c == "c":
                    command_mode = True
                elif c in "euxfavCn":
                    options[c] = a[0] == "-"
                elif c in "ilsp":
                    pass
                else:
                    ctx.err(f"{name}: 0: Illegal option -{c}\n")
                    return 2
            i += 1
            continue
        if a.startswith("--") and flavor == "bash":
            i += 1
            continue
        break
    rest = args[i:]
    child = sh.child(ctx.env, ctx.fds)
    child.flavor = flavor
    child.options.update(options)
    if command_mode:
        if not rest:
            ctx.err(f"{name}: 0: -c requires an argument\n" if flavor != "bash" else
                    f"{name}: -c: option requires an argument\n")
            return 2
        child.arg0 = rest[1] if len(rest) > 1 else name
        child.positional = list(rest[2:])
        return child.run_source(rest[0])
    if rest:
        path = ctx.abspath(rest[0])
        try:
            text = ctx.read_text(path)
        except FS_ERRORS as exc:
            if flavor == "bash":
                ctx.err(f"{name}: {rest[0]}: {strerror(exc)}\n")
                return 127
            why = "No such file" if getattr(exc, "code", "") == "ENOENT" else strerror(exc)
            ctx.err(f"{name}: 0: cannot open {rest[0]}: {why}\n" if flavor == "dash" else
                    f"{name}: can't open '{rest[0]}': {strerror(exc)}\n")
            return 2 if flavor == "dash" else 127
        child.arg0 = rest[0]
        child.positional = list(rest[1:])
        return child.run_source(text)
    return child.run_source(ctx.stdin.read())


@command("busybox")
def p_busybox(ctx: Ctx) -> int:
    """busybox APPLET [args]: the applet, as if called through its symlink."""
    from .base import COMMANDS, CommandFailed as _CF
    from .interp import program_key
    args = ctx.argv[1:]
    if not args or args[0] in ("--help", "--list"):
        if args[:1] == ["--list"]:
            ctx.out("".join(n + "\n" for n in sorted(COMMANDS) if n not in ("apt-get", "apt", "dpkg", "pip")))
            return 0
        ctx.out("BusyBox v1.36.1 (2024-06-10 07:11:47 UTC) multi-call binary.\n"
                "Usage: busybox [function [arguments]...]\n")
        return 0
    key = program_key(args[0])
    if key not in COMMANDS or key in ("apt-get", "apt", "dpkg", "dpkg-query", "pip", "pip3", "python", "python3",
                                      "useradd", "groupadd", "usermod", "userdel", "groupdel"):
        ctx.err(f"{args[0]}: applet not found\n")
        return 127
    sub = Ctx(ctx.sh, args, ctx.env, ctx.fds, path=ctx.path, flavor="busybox")
    try:
        return COMMANDS[key](sub)
    except _CF as exc:
        if exc.message:
            sub.err(f"{sub.name}: {exc.message}\n")
        return exc.code
