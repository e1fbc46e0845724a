"""Text filters: head, tail, wc, grep, sed, sort, uniq, cut, tr, xargs.

Text flows through pipes as str (bytes that are not UTF-8 survive as surrogates).
"""

from __future__ import annotations

import re

from ...fs import paths
from ..base import (FS_ERRORS, CommandFailed, Ctx, command, decode, encode, fserror, getopt, number, strerror,
                    walk_tree)
from ..patterns import CLASSES, compile_posix, fnmatch
from .coreutils import q, usage_missing


def _lines(text: str) -> list[str]:
    """Lines with their newline kept (the last may lack one)."""
    return text.splitlines(keepends=True) if "\r" not in text and "\x0b" not in text and "\x0c" not in text \
        and "\x1c" not in text and "\x1d" not in text and "\x1e" not in text and "\x85" not in text \
        and "\u2028" not in text and "\u2029" not in text else _split_nl(text)


def _split_nl(text: str) -> list[str]:
    out = []
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            if start < len(text):
                out.append(text[start:])
            return out
        out.append(text[start:end + 1])
        start = end + 1


def _read_inputs(ctx: Ctx, files: list[str]):
    """Yield (name, text or None) for each operand ('-' is stdin); errors are reported here."""
    for name in files or ["-"]:
        try:
            if name == "-":
                yield name, ctx.stdin.read()
                continue
            path = ctx.abspath(name)
            if ctx.fs.is_dir(path):
                raise fserror("EISDIR", name)
            yield name, ctx.read_text(path)
        except FS_ERRORS as exc:
            yield name, exc


# -- head / tail ---------------------------------------------------------------------------------


def _old_style(args: list[str]) -> list[str]:
    out = []
    for i, a in enumerate(args):
        takes_value = i > 0 and args[i - 1] in ("-n", "-c", "--lines", "--bytes")
        out.append(("-n" + a[1:]) if re.fullmatch(r"-\d+", a) and not takes_value else a)
    return out


def _count(ctx: Ctx, value: str, what: str) -> tuple[str, int]:
    sign = ""
    if value[:1] in "+-":
        sign, value = value[0], value[1:]
    from ..base import parse_size
    parsed = parse_size(value)
    if parsed is None:
        raise CommandFailed(f"invalid number of {what}: {q(sign + value)}")
    return sign, parsed[1]


def _head_tail_options(ctx: Ctx, opts) -> tuple[str, str, int, bool, bool]:
    """The options head and tail share: (lines or bytes, the count's sign, the count, quiet, verbose)."""
    mode, sign, n = "lines", "", 10
    quiet = verbose = False
    for o, v in opts:
        if o in ("-n", "--lines"):
            mode = "lines"
            sign, n = _count(ctx, v, "lines")
        elif o in ("-c", "--bytes"):
            mode = "bytes"
            sign, n = _count(ctx, v, "bytes")
        elif o in ("-q", "--quiet", "--silent"):
            quiet = True
        elif o in ("-v", "--verbose"):
            verbose = True
    return mode, sign, n, quiet, verbose


@command("head")
def head(ctx: Ctx) -> int:
    opts, files = getopt(ctx, _old_style(ctx.argv[1:]), "n:c:qvz", ["lines=", "bytes=", "quiet", "silent",
                                                                    "verbose"])
    mode, sign, n, quiet, verbose = _head_tail_options(ctx, opts)
    files = files or ["-"]
    status = 0
    for k, name in enumerate(files):
        if (len(files) > 1 and not quiet) or verbose:
            ctx.out(("\n" if k else "") + f"==> {'standard input' if name == '-' else name} <==\n")
        try:
            if name == "-":
                text = ctx.stdin.read()
            else:
                path = ctx.abspath(name)
                if path in ("/dev/zero", "/dev/urandom", "/dev/random") and mode == "bytes" and sign != "-":
                    import hashlib
                    data = b"\0" * n if path == "/dev/zero" else hashlib.shake_256(
                        f"urandom:{ctx.now()}".encode()).digest(n)
                    ctx.out(decode(data))
                    continue
                if ctx.fs.is_dir(path):
                    raise fserror("EISDIR", name)
                if mode == "bytes" and sign != "-":
                    ctx.out(decode(ctx.content(path).read(n)))
                    continue
                if sign != "-":  # the first lines of a big file: read only as far as needed
                    content = ctx.content(path)
                    buf = bytearray()
                    for chunk in content.chunks(1 << 16):
                        buf += chunk
                        if buf.count(b"\n") >= n or len(buf) > (64 << 20):
                            break
                    text = decode(bytes(buf))
                else:
                    text = ctx.read_text(path)
        except FS_ERRORS as exc:
            ctx.error(f"cannot open {q(name)} for reading: {strerror(exc)}")
            status = 1
            continue
        if mode == "bytes":
            data = encode(text)
            ctx.out(decode(data[:-n] if sign == "-" and n else (b"" if sign == "-" else data[:n])
                           if sign == "-" else data[:n]))
        else:
            lines = _lines(text)
            ctx.out("".join(lines[:-n] if sign == "-" and n else (lines if sign == "-" else lines[:n])))
    return status


@command("tail")
def tail(ctx: Ctx) -> int:
    args = []
    for i, a in enumerate(ctx.argv[1:]):
        if re.fullmatch(r"[-+]\d+", a) and not (i > 0 and ctx.argv[i] in ("-n", "-c", "--lines", "--bytes")):
            args.append("-n" + a if a[0] == "+" else "-n" + a[1:])
        else:
            args.append(a)
    opts, files = getopt(ctx, args, "n:c:qvfFs:", ["lines=", "bytes=", "quiet", "silent", "verbose", "follow",
                                                  "retry", "sleep-interval="])
    mode, sign, n, quiet, verbose = _head_tail_options(ctx, opts)
    files = files or ["-"]
    status = 0
    for k, (name, text) in enumerate(_read_inputs(ctx, files)):
        if isinstance(text, BaseException):
            ctx.error(f"cannot open {q(name)} for reading: {strerror(text)}")
            status = 1
            continue
        if (len(files) > 1 and not quiet) or verbose:
            ctx.out(("\n" if k else "") + f"==> {'standard input' if name == '-' else name} <==\n")
        if mode == "bytes":
            data = encode(text)
            ctx.out(decode(data[n - 1:] if sign == "+" else (data[-n:] if n else b"")))
        else:
            lines = _lines(text)
            ctx.out("".join(lines[max(n - 1, 0):] if sign == "+" else (lines[-n:] if n else [])))
    return status


# -- wc --------------------------------------------------------------------------------------------


@command("wc")
def wc(ctx: Ctx) -> int:
    opts, files = getopt(ctx, ctx.argv[1:], "lwcmL", ["lines", "words", "bytes", "chars", "max-line-length"])
    flags = {o for o, _ in opts}
    want = [k for k, names in (("l", {"-l", "--lines"}), ("w", {"-w", "--words"}), ("m", {"-m", "--chars"}),
                               ("c", {"-c", "--bytes"}), ("L", {"-L", "--max-line-length"})) if flags & names]
    if not want:
        want = ["l", "w", "c"]
    rows = []
    status = 0
    total = {k: 0 for k in "lwmcL"}
    width_hint = 0
    stdin_seen = False
    for name in files or ["-"]:
        try:
            if name == "-":
                stdin_seen = True
                text = ctx.stdin.read()
                size = len(encode(text))
            else:
                path = ctx.abspath(name)
                if ctx.fs.is_dir(path):
                    ctx.error(f"{name}: Is a directory")
                    rows.append(({k: 0 for k in "lwmcL"}, name))
                    status = 1
                    continue
                content = ctx.content(path)
                size = content.size
                width_hint += size
                if want == ["c"]:
                    text = None
                else:
                    text = ctx.read_text(path)
        except FS_ERRORS as exc:
            ctx.error(f"{name}: {strerror(exc)}")
            status = 1
            continue
        counts = {"c": size}
        if text is not None:
            counts["l"] = text.count("\n")
            counts["w"] = len(text.split())
            counts["m"] = len(text)
            counts["L"] = max((len(x) for x in text.split("\n")), default=0)
        else:
            counts.update({"l": 0, "w": 0, "m": 0, "L": 0})
        for k in total:
            total[k] = max(total[k], counts[k]) if k == "L" else total[k] + counts[k]
        rows.append((counts, name))
    shown_rows = list(rows)
    if len(files) > 1:
        shown_rows.append((total, "total"))
    if len(want) == 1 and len(shown_rows) == 1:
        width = 1
    else:
        width = max(len(str(width_hint)), 1)
        if stdin_seen or not files:
            width = max(width, 7)
    for counts, name in shown_rows:
        cells = " ".join(f"{counts[k]:>{width}}" for k in want)
        ctx.out(cells + (f" {name}" if files else "") + "\n")
    return status


# -- grep ------------------------------------------------------------------------------------------


@command("grep", "egrep", "fgrep")
def grep(ctx: Ctx) -> int:
    opts, rest = getopt(ctx, ctx.argv[1:], "qvicnrRElLFGwxohHse:f:A:B:C:m:aIZz", [
        "quiet", "silent", "invert-match", "ignore-case", "count", "line-number", "recursive",
        "dereference-recursive", "extended-regexp", "files-with-matches", "files-without-match",
        "fixed-strings", "basic-regexp", "word-regexp", "line-regexp", "only-matching", "no-filename",
        "with-filename", "no-messages", "regexp=", "file=", "include=", "exclude=", "exclude-dir=", "color=",
        "colour=", "max-count=", "after-context=", "before-context=", "context="], status=2)
    flags = {o for o, _ in opts}
    patterns = [v for o, v in opts if o in ("-e", "--regexp")]
    for o, v in opts:
        if o in ("-f", "--file"):
            try:
                patterns += ctx.read_operand(v).splitlines()
            except FS_ERRORS as exc:
                raise CommandFailed(f"{v}: {strerror(exc)}", 2)
    if not patterns and not any(o in ("-f", "--file") for o, _ in opts):
        if not rest:
            raise CommandFailed("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more "
                                "information.", 2)
        patterns = rest[0].split("\n")
        rest = rest[1:]
    extended = bool(flags & {"-E", "--extended-regexp"}) or ctx.name == "egrep"
    fixed = bool(flags & {"-F", "--fixed-strings"}) or ctx.name == "fgrep"
    icase = bool(flags & {"-i", "--ignore-case"})
    try:
        rxs = [compile_posix(p, extended=extended, icase=icase, fixed=fixed,
                             word=bool(flags & {"-w", "--word-regexp"}), line=bool(flags & {"-x", "--line-regexp"}))
               for p in patterns]
    except re.error as exc:
        raise CommandFailed(f"{exc.msg[0].upper() + exc.msg[1:] if exc.msg else 'Invalid regular expression'}", 2)
    invert = bool(flags & {"-v", "--invert-match"})
    quiet = bool(flags & {"-q", "--quiet", "--silent"})
    count = bool(flags & {"-c", "--count"})
    numbers = bool(flags & {"-n", "--line-number"})
    list_files = bool(flags & {"-l", "--files-with-matches"})
    list_missing = bool(flags & {"-L", "--files-without-match"})
    only = bool(flags & {"-o", "--only-matching"})
    no_msgs = bool(flags & {"-s", "--no-messages"})
    recursive = bool(flags & {"-r", "-R", "--recursive", "--dereference-recursive"})
    def number(v: str, what: str) -> int:
        if not v.isdigit():
            raise CommandFailed(f"invalid {what} argument", 2)
        return int(v)

    max_count = next((number(v, "max count") for o, v in opts if o in ("-m", "--max-count")), None)
    includes = [v for o, v in opts if o == "--include"]
    excludes = [v for o, v in opts if o == "--exclude"]
    exclude_dirs = [v for o, v in opts if o == "--exclude-dir"]
    after = before = 0
    for o, v in opts:
        if o in ("-A", "--after-context", "-C", "--context"):
            after = number(v, "context length")
        if o in ("-B", "--before-context", "-C", "--context"):
            before = number(v, "context length")
    files = rest
    implicit_dot = False
    if recursive and not files:
        files = ["."]
        implicit_dot = True
    targets: list[str] = []
    status_err = False
    fs = ctx.fs
    for name in files or ["-"]:
        if name != "-" and recursive:
            path = ctx.abspath(name)
            if fs.is_dir(path):
                for p, entry in walk_tree(fs, fs.resolve(path)):
                    rel = p[len(fs.resolve(path)):].lstrip("/")
                    if any(fnmatch(part, d) for d in exclude_dirs for part in rel.split("/")[:-1]):
                        continue
                    if entry.kind not in ("file", "hardlink"):
                        continue
                    base = rel.rsplit("/", 1)[-1]
                    if includes and not any(fnmatch(base, g) for g in includes):
                        continue
                    if any(fnmatch(base, g) for g in excludes):
                        continue
                    shown = rel if implicit_dot else name.rstrip("/") + "/" + rel
                    targets.append(shown)
                continue
        targets.append(name)
    multi = (len(targets) > 1 or recursive) and "-h" not in flags and "--no-filename" not in flags
    if flags & {"-H", "--with-filename"}:
        multi = True
    matched_any = False
    for name in targets:
        try:
            if name == "-":
                text = ctx.stdin.read()
            else:
                path = ctx.abspath(name)
                if fs.is_dir(path):
                    if not no_msgs:
                        ctx.error(f"{name}: Is a directory")
                    continue
                text = ctx.read_text(path)
        except FS_ERRORS as exc:
            if not no_msgs:
                ctx.error(f"{name}: {strerror(exc)}")
            status_err = True
            continue
        except CommandFailed as exc:
            ctx.error(exc.message)
            status_err = True
            continue
        shown = "(standard input)" if name == "-" else name
        binary = "\0" in text
        n_match = 0
        out: list[str] = []
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        last_printed = -1
        pending_after = 0
        for idx, line in enumerate(lines):
            hit = any(rx.search(line) for rx in rxs)
            if hit != invert:
                n_match += 1
                if quiet:
                    return 0
                if not (count or list_files or list_missing or binary):
                    if before:
                        for j in range(max(last_printed + 1, idx - before), idx):
                            out.append(_grep_line(shown, multi, numbers, j + 1, lines[j], "-"))
                    if only and not invert:
                        for rx in rxs:
                            for m in rx.finditer(line):
                                if m.group(0):
                                    out.append(_grep_line(shown, multi, numbers, idx + 1, m.group(0), ":"))
                    else:
                        out.append(_grep_line(shown, multi, numbers, idx + 1, line, ":"))
                    last_printed = idx
                    pending_after = after
                if max_count is not None and n_match >= max_count:
                    break
            elif pending_after and not (count or list_files or list_missing or binary):
                out.append(_grep_line(shown, multi, numbers, idx + 1, line, "-"))
                last_printed = idx
                pending_after -= 1
        if n_match:
            matched_any = True
        if count:
            ctx.out((f"{shown}:" if multi else "") + f"{n_match}\n")
        elif list_files:
            if n_match:
                ctx.out(shown + "\n")
        elif list_missing:
            if not n_match:
                ctx.out(shown + "\n")
        elif binary and n_match:
            ctx.out(f"grep: {shown}: binary file matches\n")
        else:
            ctx.out("".join(out))
    if status_err and not (quiet and matched_any):
        return 2
    if list_missing:
        return 0 if any(True for _ in targets) else 1
    return 0 if matched_any else 1


def _grep_line(name: str, multi: bool, numbers: bool, n: int, line: str, sep: str) -> str:
    prefix = (name + sep if multi else "") + (f"{n}{sep}" if numbers else "")
    return prefix + line + "\n"


# -- sed ---------------------------------------------------------------------------------------------


class SedError(Exception):
    pass


class _SedCmd:
    __slots__ = ("a1", "a2", "neg", "name", "arg", "rx", "repl", "flags", "count", "target", "active",
                 "done", "end_line")

    def __init__(self, a1, a2, neg, name):
        self.a1, self.a2, self.neg, self.name = a1, a2, neg, name
        self.arg = None
        self.rx = None
        self.repl = None
        self.flags = ""
        self.count = 0
        self.target = None
        self.active = False
        self.done = False
        self.end_line = 0


class _SedParser:
    def __init__(self, script: str, extended: bool, expr_no: int):
        self.s = script
        self.i = 0
        self.extended = extended
        self.expr_no = expr_no

    def fail(self, msg: str):
        raise SedError(f"-e expression #{self.expr_no}, char {self.i}: {msg}")

    def peek(self):
        return self.s[self.i] if self.i < len(self.s) else ""

    def skip_ws(self, newlines=True):
        while self.i < len(self.s) and self.s[self.i] in (" \t\n;" if newlines else " \t"):
            self.i += 1

    def regex_until(self, delim: str) -> str:
        out = []
        while self.i < len(self.s):
            c = self.s[self.i]
            if c == "\\" and self.i + 1 < len(self.s):
                nxt = self.s[self.i + 1]
                if nxt == delim:
                    out.append(delim if delim not in ".*[]^$\\+?(){}|" else "\\" + delim)
                elif nxt == "n":
                    out.append("\n")
                else:
                    out.append(c + nxt)
                self.i += 2
                continue
            if c == "[":
                j = self.i + 1
                if j < len(self.s) and self.s[j] == "^":
                    j += 1
                if j < len(self.s) and self.s[j] == "]":
                    j += 1
                while j < len(self.s) and self.s[j] != "]":
                    if self.s.startswith("[:", j):
                        k = self.s.find(":]", j + 2)
                        j = k + 2 if k > 0 else j + 1
                        continue
                    j += 1
                out.append(self.s[self.i:j + 1])
                self.i = j + 1
                continue
            if c == delim:
                self.i += 1
                return "".join(out)
            out.append(c)
            self.i += 1
        return None

    def address(self):
        c = self.peek()
        if c.isdigit():
            j = self.i
            while j < len(self.s) and self.s[j].isdigit():
                j += 1
            n = int(self.s[self.i:j])
            self.i = j
            if self.peek() == "~":
                self.i += 1
                j = self.i
                while j < len(self.s) and self.s[j].isdigit():
                    j += 1
                step = int(self.s[self.i:j] or "0")
                self.i = j
                return ("step", n, step)
            return ("line", n)
        if c == "$":
            self.i += 1
            return ("last",)
        if c == "/" or c == "\\":
            if c == "\\":
                self.i += 1
            if self.i >= len(self.s):
                self.fail("unexpected `,'" if False else "unterminated address regex")
            delim = self.s[self.i]
            self.i += 1
            pat = self.regex_until(delim)
            if pat is None:
                self.fail("unterminated address regex")
            flags = 0
            while self.peek() in ("I", "M"):
                if self.peek() == "I":
                    flags |= re.IGNORECASE
                self.i += 1
            return ("re", self.compile(pat, flags))
        return None

    def compile(self, pat: str, flags: int = 0):
        if pat == "":
            return None  # the last regex used
        try:
            return compile_posix(pat, extended=self.extended, icase=bool(flags & re.IGNORECASE))
        except re.error:
            self.fail("Invalid preceding regular expression")

    def text_arg(self) -> str:
        # a\ text, a text (GNU one-liner), multi-line with backslash-newline
        self.skip_ws(newlines=False)
        if self.s.startswith("\\\n", self.i):
            self.i += 2
        elif self.peek() == "\\":
            self.i += 1
            self.skip_ws(newlines=False)
        out = []
        while self.i < len(self.s):
            c = self.s[self.i]
            if c == "\\" and self.i + 1 < len(self.s):
                out.append(self.s[self.i + 1] if self.s[self.i + 1] != "t" else "\t")
                self.i += 2
                continue
            if c == "\n":
                self.i += 1
                break
            out.append(c)
            self.i += 1
        return "".join(out)

    def label(self) -> str:
        self.skip_ws(newlines=False)
        j = self.i
        while j < len(self.s) and self.s[j] not in ";\n}":
            j += 1
        lab = self.s[self.i:j].strip()
        self.i = j
        return lab

    def parse(self) -> list[_SedCmd]:
        cmds: list[_SedCmd] = []
        while True:
            self.skip_ws()
            if self.i >= len(self.s):
                break
            if self.peek() == "#":
                while self.i < len(self.s) and self.s[self.i] != "\n":
                    self.i += 1
                continue
            a1 = self.address()
            a2 = None
            if a1 is not None and self.peek() == ",":
                self.i += 1
                a2 = self.address()
                if a2 is None:
                    self.fail("unexpected `,'")
            self.skip_ws(newlines=False)
            neg = False
            while self.peek() == "!":
                neg = True
                self.i += 1
                self.skip_ws(newlines=False)
            if self.i >= len(self.s):
                self.fail("missing command")
            name = self.s[self.i]
            self.i += 1
            cmd = _SedCmd(a1, a2, neg, name)
            if name == "s":
                delim = self.peek()
                if not delim or delim in "\n\\":
                    self.fail("unterminated `s' command")
                self.i += 1
                pat = self.regex_until(delim)
                if pat is None:
                    self.fail("unterminated `s' command")
                repl = self.replacement(delim)
                flags = ""
                while self.i < len(self.s) and self.s[self.i] in "gpiIme0123456789w":
                    if self.s[self.i] == "w":
                        self.i += 1
                        cmd.target = self.label()
                        break
                    flags += self.s[self.i]
                    self.i += 1
                cmd.flags = flags
                num = re.search(r"\d+", flags)
                cmd.count = int(num.group(0)) if num else 0
                cmd.rx = self.compile(pat, re.IGNORECASE if ("i" in flags or "I" in flags) else 0)
                cmd.repl = repl
            elif name == "y":
                delim = self.peek()
                self.i += 1
                a = self.regex_until(delim)
                b = self.regex_until(delim)
                if a is None or b is None:
                    self.fail("unterminated `y' command")
                if len(a) != len(b):
                    self.fail("strings for `y' command are different lengths")
                cmd.arg = str.maketrans(a, b)
            elif name in "aic":
                cmd.arg = self.text_arg()
            elif name in "btT:":
                cmd.arg = self.label()
                if name == ":" and not cmd.arg:
                    self.fail("\":\" lacks a label")
            elif name in "rRwW":
                cmd.arg = self.label()
            elif name in "qQl":
                self.skip_ws(newlines=False)
                j = self.i
                while j < len(self.s) and self.s[j].isdigit():
                    j += 1
                cmd.arg = int(self.s[self.i:j]) if j > self.i else 0
                self.i = j
            elif name in "{}dDpPnNgGhHx=zF":
                pass
            else:
                self.i -= 0
                self.fail(f"unknown command: `{name}'")
            cmds.append(cmd)
        # resolve braces and labels
        stack = []
        for idx, c in enumerate(cmds):
            if c.name == "{":
                stack.append(idx)
            elif c.name == "}":
                if not stack:
                    raise SedError(f"-e expression #{self.expr_no}, char {self.i}: unexpected `}}'")
                cmds[stack.pop()].target = idx
        if stack:
            raise SedError(f"-e expression #{self.expr_no}, char 0: unmatched `{{'")
        return cmds

    def replacement(self, delim: str):
        parts: list = []
        buf = []
        while self.i < len(self.s):
            c = self.s[self.i]
            if c == "\\" and self.i + 1 < len(self.s):
                d = self.s[self.i + 1]
                self.i += 2
                if d.isdigit():
                    if buf:
                        parts.append("".join(buf))
                        buf = []
                    parts.append(int(d))
                elif d == "n":
                    buf.append("\n")
                elif d == "t":
                    buf.append("\t")
                elif d == "&":
                    buf.append("&")
                elif d == "\n":
                    buf.append("\n")
                else:
                    buf.append(d)
                continue
            if c == "&":
                if buf:
                    parts.append("".join(buf))
                    buf = []
                parts.append(0)
                self.i += 1
                continue
            if c == delim:
                self.i += 1
                if buf:
                    parts.append("".join(buf))
                return parts
            if c == "\n" and False:
                break
            buf.append(c)
            self.i += 1
        self.fail("unterminated `s' command")


class _SedRun:
    def __init__(self, cmds: list[_SedCmd], quiet: bool, ctx: Ctx):
        self.cmds = cmds
        self.quiet = quiet
        self.ctx = ctx
        self.hold = ""
        self.last_rx = None
        self.labels = {c.arg: i for i, c in enumerate(cmds) if c.name == ":"}
        self.quit = None

    def rx(self, cmd_rx):
        if cmd_rx is None:
            if self.last_rx is None:
                raise SedError("no previous regular expression")
            return self.last_rx
        self.last_rx = cmd_rx
        return cmd_rx

    def match_addr(self, addr, n: int, last: bool, ps: str) -> bool:
        kind = addr[0]
        if kind == "line":
            return n == addr[1]
        if kind == "last":
            return last
        if kind == "step":
            first, step = addr[1], addr[2]
            return n == first if step <= 0 else (n >= first and (n - first) % step == 0)
        return self.rx(addr[1]).search(ps) is not None

    def selected(self, cmd: _SedCmd, n: int, last: bool, ps: str) -> bool:
        if cmd.a1 is None:
            hit = True
        elif cmd.a2 is None:
            hit = self.match_addr(cmd.a1, n, last, ps)
        else:
            if cmd.active:
                a2 = cmd.a2
                if a2[0] == "line":
                    hit = True
                    if n >= a2[1]:
                        cmd.active = False
                else:
                    hit = True
                    if self.match_addr(a2, n, last, ps):
                        cmd.active = False
            elif self.match_addr(cmd.a1, n, last, ps):
                hit = True
                a2 = cmd.a2
                if a2[0] == "line":
                    cmd.active = a2[1] > n
                elif a2[0] == "last":
                    cmd.active = not last
                else:
                    cmd.active = True
            else:
                hit = False
        return hit != cmd.neg

    def run(self, text: str) -> str:
        lines = text.split("\n")
        trailing_nl = text.endswith("\n")
        if trailing_nl:
            lines.pop()
        if not text:
            lines = []
        out: list[str] = []
        i = 0
        total = len(lines)
        while i < total:
            ps = lines[i]
            i += 1
            n = i
            append_queue: list[str] = []
            pc = 0
            deleted = False
            restart = False
            tflag = False
            while pc < len(self.cmds):
                self.ctx.sh.tick() if pc % 64 == 63 else None
                cmd = self.cmds[pc]
                last = i >= total
                if cmd.name == "}" or cmd.name == ":":
                    pc += 1
                    continue
                if not self.selected(cmd, n, last, ps):
                    pc = (cmd.target + 1) if cmd.name == "{" else pc + 1
                    continue
                name = cmd.name
                if name == "{":
                    pass
                elif name == "s":
                    rx = self.rx(cmd.rx)
                    new, did = self.substitute(rx, cmd, ps)
                    if did:
                        ps = new
                        tflag = True
                        if "p" in cmd.flags:
                            out.append(ps + "\n")
                        if cmd.target:
                            self.ctx.write_file(self.ctx.abspath(cmd.target), encode(ps + "\n"), append=True)
                elif name == "d":
                    deleted = True
                    break
                elif name == "D":
                    if "\n" in ps:
                        ps = ps.split("\n", 1)[1]
                        restart = True
                        break
                    deleted = True
                    break
                elif name == "p":
                    out.append(ps + "\n")
                elif name == "P":
                    out.append(ps.split("\n", 1)[0] + "\n")
                elif name == "=":
                    out.append(f"{n}\n")
                elif name == "a":
                    append_queue.append(cmd.arg + "\n")
                elif name == "i":
                    out.append(cmd.arg + "\n")
                elif name == "c":
                    if cmd.a2 is None or not cmd.active:
                        out.append(cmd.arg + "\n")
                    deleted = True
                    break
                elif name == "y":
                    ps = ps.translate(cmd.arg)
                elif name == "h":
                    self.hold = ps
                elif name == "H":
                    self.hold += "\n" + ps
                elif name == "g":
                    ps = self.hold
                elif name == "G":
                    ps += "\n" + self.hold
                elif name == "x":
                    ps, self.hold = self.hold, ps
                elif name == "n":
                    if i >= total:
                        break
                    if not self.quiet:
                        out.append(ps + "\n")
                    out.extend(append_queue)
                    append_queue = []
                    ps = lines[i]
                    i += 1
                    n = i
                elif name == "N":
                    if i >= total:
                        break
                    ps += "\n" + lines[i]
                    i += 1
                    n = i
                elif name == "z":
                    ps = ""
                elif name in ("q", "Q"):
                    if name == "q" and not self.quiet:
                        out.append(ps + "\n")
                    out.extend(append_queue)
                    self.quit = cmd.arg or 0
                    return "".join(out)
                elif name == "b":
                    pc = self.labels.get(cmd.arg, len(self.cmds)) if cmd.arg else len(self.cmds)
                    continue
                elif name in ("t", "T"):
                    jump = tflag if name == "t" else not tflag
                    tflag = False if name == "t" and jump else tflag
                    if jump:
                        pc = self.labels.get(cmd.arg, len(self.cmds)) if cmd.arg else len(self.cmds)
                        continue
                elif name == "r":
                    try:
                        append_queue.append(self.ctx.read_text(self.ctx.abspath(cmd.arg)))
                    except FS_ERRORS:
                        pass
                elif name == "w":
                    self.ctx.write_file(self.ctx.abspath(cmd.arg), encode(ps + "\n"), append=True)
                elif name == "l":
                    out.append(ps.encode("unicode_escape").decode() + "$\n")
                elif name == "F":
                    out.append("-\n")
                pc += 1
            if restart:
                lines.insert(i, ps)
                total += 1
                continue
            if not deleted and not self.quiet:
                out.append(ps + "\n")
            out.extend(append_queue)
        result = "".join(out)
        if result and not trailing_nl and text and not self.quiet:
            if result.endswith("\n"):
                result = result[:-1]
        return result

    def substitute(self, rx, cmd: _SedCmd, ps: str) -> tuple[str, bool]:
        glob = "g" in cmd.flags
        nth = cmd.count or 1
        k = 0
        did = False
        out = []
        pos = 0
        last_end = -1
        for m in rx.finditer(ps):
            if m.start() == m.end() == last_end:
                continue  # sed never matches empty right after a match
            last_end = m.end()
            k += 1
            if k < nth:
                continue
            out.append(ps[pos:m.start()])
            out.append(self.expand(cmd.repl, m))
            pos = m.end()
            did = True
            if not glob:
                break
        if not did:
            return ps, False
        out.append(ps[pos:])
        return "".join(out), True

    @staticmethod
    def expand(repl: list, m) -> str:
        out = []
        for p in repl:
            if isinstance(p, int):
                try:
                    out.append(m.group(p) or "")
                except IndexError:
                    raise SedError(f"-e expression #1, char 0: invalid reference \\{p} on `s' command's RHS")
            else:
                out.append(p)
        return "".join(out)


@command("sed")
def sed(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    scripts: list[str] = []
    files: list[str] = []
    quiet = extended = separate = False
    inplace = None
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            files.extend(args[i + 1:])
            break
        if a.startswith("--"):
            name, eq, value = a[2:].partition("=")
            if name == "expression":
                if not eq:
                    i += 1
                    value = args[i] if i < len(args) else ""
                scripts.append(value)
            elif name == "file":
                if not eq:
                    i += 1
                    value = args[i] if i < len(args) else ""
                scripts.append(ctx.read_operand(value).rstrip("\n"))
            elif name in ("quiet", "silent"):
                quiet = True
            elif name == "in-place":
                inplace = value
            elif name == "regexp-extended":
                extended = True
            elif name in ("separate", "posix", "debug", "sandbox", "unbuffered", "null-data", "follow-symlinks"):
                separate |= name == "separate"
            else:
                raise CommandFailed(f"unknown option -- '{name}'\nUsage: sed [OPTION]... {{script-only-if-no-"
                                    "other-script}} [input-file]...", 1)
            i += 1
            continue
        if a.startswith("-") and len(a) > 1:
            j = 1
            while j < len(a):
                c = a[j]
                if c == "n":
                    quiet = True
                elif c in "Er":
                    extended = True
                elif c == "s":
                    separate = True
                elif c in "uz":
                    pass
                elif c == "i":
                    inplace = a[j + 1:]
                    break
                elif c in "ef":
                    value = a[j + 1:] if j + 1 < len(a) else None
                    if value is None:
                        i += 1
                        if i >= len(args):
                            raise CommandFailed(f"option requires an argument -- '{c}'", 1)
                        value = args[i]
                    scripts.append(value if c == "e" else ctx.read_operand(value).rstrip("\n"))
                    break
                else:
                    raise CommandFailed(f"invalid option -- '{c}'\nUsage: sed [OPTION]... {{script-only-if-no-"
                                        "other-script}} [input-file]...", 1)
                j += 1
            i += 1
            continue
        files.append(a)
        i += 1
    if not scripts:
        if not files:
            raise CommandFailed("Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...", 1)
        scripts = [files.pop(0)]
    try:
        cmds: list[_SedCmd] = []
        for k, s in enumerate(scripts, 1):
            cmds.extend(_SedParser(s, extended, k).parse())
        # braces are resolved per expression; re-resolve across the whole program
        stack = []
        for idx, c in enumerate(cmds):
            if c.name == "{":
                stack.append(idx)
            elif c.name == "}":
                cmds[stack.pop()].target = idx
    except SedError as exc:
        raise CommandFailed(str(exc), 1)
    status = 0
    if inplace is not None:
        if not files:
            raise CommandFailed("no input files", 1)
        for name in files:
            path = ctx.abspath(name)
            try:
                if ctx.fs.is_dir(path):
                    ctx.error(f"couldn't edit {name}: not a regular file")
                    status = 4
                    continue
                text = ctx.read_text(path)
                result = _SedRun(cmds, quiet, ctx).run(text)
                if inplace:
                    backup = inplace.replace("*", paths.basename(path)) if "*" in inplace else path + inplace
                    ctx.write_file(ctx.abspath(backup) if "*" in inplace else backup, encode(text))
                ctx.check_write(path)
                from ..base import inode_path
                ctx.fs.write(inode_path(ctx.fs, path), encode(result))
            except FS_ERRORS as exc:
                ctx.error(f"can't read {name}: {strerror(exc)}")
                status = 2
            except SedError as exc:
                raise CommandFailed(str(exc), 1)
        return status
    texts = []
    for name, text in _read_inputs(ctx, files):
        if isinstance(text, BaseException):
            ctx.error(f"can't read {name}: {strerror(text)}")
            status = 2
            continue
        texts.append(text)
    runner = _SedRun(cmds, quiet, ctx)
    joined = ""
    for t in texts:
        if joined and not joined.endswith("\n"):
            joined += "\n"
        joined += t
    try:
        ctx.out(runner.run(joined))
    except SedError as exc:
        raise CommandFailed(str(exc), 1)
    if runner.quit:
        return runner.quit
    return status


# -- sort / uniq / cut / tr ------------------------------------------------------------------------------


def _num_prefix(s: str) -> float:
    m = re.match(r"\s*[-+]?(\d+\.?\d*|\.\d+)", s)
    return float(m.group(0)) if m else 0.0


_HUMAN = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "k": 1e3}


def _human_key(s: str) -> float:
    m = re.match(r"\s*([-+]?(?:\d+\.?\d*|\.\d+))([KMGTPk]?)", s)
    return float(m.group(1)) * _HUMAN[m.group(2)] if m else 0.0


def _version_key(s: str):
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.findall(r"\d+|\D+", s)]


@command("sort")
def sort(ctx: Ctx) -> int:
    opts, files = getopt(ctx, ctx.argv[1:], "nrufk:t:o:bhVsdcgRMz", [
        "numeric-sort", "reverse", "unique", "ignore-case", "key=", "field-separator=", "output=",
        "ignore-leading-blanks", "human-numeric-sort", "version-sort", "stable", "check",
        "general-numeric-sort"], status=2)
    flags = {o for o, _ in opts}
    numeric = bool(flags & {"-n", "--numeric-sort", "-g", "--general-numeric-sort"})
    human = bool(flags & {"-h", "--human-numeric-sort"})
    version = bool(flags & {"-V", "--version-sort"})
    reverse = bool(flags & {"-r", "--reverse"})
    unique = bool(flags & {"-u", "--unique"})
    fold = bool(flags & {"-f", "--ignore-case"})
    stable = bool(flags & {"-s", "--stable"})
    sep = next((v for o, v in opts if o in ("-t", "--field-separator")), None)
    keys = [v for o, v in opts if o in ("-k", "--key")]
    output = next((v for o, v in opts if o in ("-o", "--output")), None)
    text_parts = []
    for name, text in _read_inputs(ctx, files):
        if isinstance(text, BaseException):
            raise CommandFailed(f"cannot read: {name}: {strerror(text)}", 2)
        text_parts.append(text if text.endswith("\n") or not text else text + "\n")
    lines = "".join(text_parts).split("\n")[:-1] if text_parts else []

    def field_list(line: str) -> list[str]:
        if sep is not None:
            return line.split(sep)
        return re.findall(r"\s*\S+", line) or [line]

    parsed_keys = []
    for k in keys:
        m = re.fullmatch(r"(\d+)(?:\.(\d+))?([bdfgihnMrRV]*)(?:,(\d+)(?:\.(\d+))?([bdfgihnMrRV]*))?", k)
        if not m:
            raise CommandFailed(f"invalid number at field start: invalid count at start of {q(k)}", 2)
        parsed_keys.append((int(m.group(1)), int(m.group(4)) if m.group(4) else None,
                            (m.group(3) or "") + (m.group(6) or "")))

    def keyval(s: str, kflags: str):
        if "b" in kflags or (sep is None and keys):
            s = s.lstrip()
        if "f" in kflags or fold:
            s = s.upper()
        if "n" in kflags or "g" in kflags or (numeric and not kflags):
            return (_num_prefix(s),)
        if "h" in kflags or (human and not kflags):
            return (_human_key(s),)
        if "V" in kflags or (version and not kflags):
            return tuple(_version_key(s))
        return (s.encode("utf-8", "surrogateescape"),)

    def key(line: str):
        if not parsed_keys:
            return keyval(line, "")
        out = []
        fl = field_list(line)
        for start, end, kflags in parsed_keys:
            end = end or len(fl)
            joiner = sep if sep is not None else ""
            piece = joiner.join(fl[start - 1:end])
            out.append(keyval(piece, kflags))
        return tuple(out)

    if flags & {"-c", "--check"}:
        for a, b in zip(lines, lines[1:]):
            if (key(b) < key(a)) != reverse and key(a) != key(b):
                raise CommandFailed(f"-:{lines.index(b) + 1}: disorder: {b}", 1)
        return 0
    decorated = [(key(line), line.encode("utf-8", "surrogateescape"), line) for line in lines]
    if stable or unique:
        decorated.sort(key=lambda t: t[0], reverse=reverse)
    else:
        decorated.sort(key=lambda t: (t[0], t[1]), reverse=reverse)
    result = []
    last = object()
    for k, _, line in decorated:
        if unique and k == last:
            continue
        last = k
        result.append(line)
    text = "".join(line + "\n" for line in result)
    if output:
        ctx.write_file(ctx.abspath(output), encode(text))
    else:
        ctx.out(text)
    return 0


@command("uniq")
def uniq(ctx: Ctx) -> int:
    opts, files = getopt(ctx, ctx.argv[1:], "cdiuf:s:", ["count", "repeated", "ignore-case", "unique",
                                                        "skip-fields=", "skip-chars="])
    flags = {o for o, _ in opts}
    skip_f = next((number(v, "number of fields to skip") for o, v in opts if o in ("-f", "--skip-fields")), 0)
    skip_c = next((number(v, "number of bytes to skip") for o, v in opts if o in ("-s", "--skip-chars")), 0)
    inp = files[0] if files else "-"
    try:
        text = ctx.read_operand(inp)
    except FS_ERRORS as exc:
        raise CommandFailed(f"{inp}: {strerror(exc)}")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()

    def cmpkey(line: str) -> str:
        s = line
        if skip_f:
            s = re.sub(r"^(\s*\S+){%d}" % skip_f, "", s)
        s = s[skip_c:]
        return s.lower() if flags & {"-i", "--ignore-case"} else s

    groups: list[list] = []
    for line in lines:
        if groups and cmpkey(groups[-1][0]) == cmpkey(line):
            groups[-1][1] += 1
        else:
            groups.append([line, 1])
    out = []
    for line, n in groups:
        if flags & {"-d", "--repeated"} and n < 2:
            continue
        if flags & {"-u", "--unique"} and n > 1:
            continue
        out.append(f"{n:7d} {line}\n" if flags & {"-c", "--count"} else line + "\n")
    result = "".join(out)
    if len(files) > 1:
        ctx.write_file(ctx.abspath(files[1]), encode(result))
    else:
        ctx.out(result)
    return 0


def _ranges(ctx: Ctx, spec: str, what: str) -> list[tuple[int, int]]:
    out = []
    for part in spec.split(","):
        m = re.fullmatch(r"(\d*)(-?)(\d*)", part)
        if not m or part in ("", "-"):
            raise CommandFailed(f"invalid {what} list\nTry 'cut --help' for more information." if part else
                                "invalid range with no endpoint: -\nTry 'cut --help' for more information.")
        a, dash, b = m.groups()
        if a == "0" or b == "0":
            raise CommandFailed(f"{what}s are numbered from 1\nTry 'cut --help' for more information.")
        lo = int(a) if a else 1
        hi = (int(b) if b else 10**9) if dash else lo
        out.append((lo, hi))
    return out


@command("cut")
def cut(ctx: Ctx) -> int:
    opts, files = getopt(ctx, ctx.argv[1:], "d:f:c:b:sz", ["delimiter=", "fields=", "characters=", "bytes=",
                                                          "only-delimited", "complement", "output-delimiter="])
    d = {o: v for o, v in opts}
    delim = d.get("-d", d.get("--delimiter", "\t"))
    if len(delim) != 1:
        raise CommandFailed("the delimiter must be a single character\nTry 'cut --help' for more information.")
    fields = d.get("-f", d.get("--fields"))
    chars = d.get("-c", d.get("--characters", d.get("-b", d.get("--bytes"))))
    if fields is None and chars is None:
        raise CommandFailed("you must specify a list of bytes, characters, or fields\nTry 'cut --help' for more "
                            "information.")
    only = "-s" in d or "--only-delimited" in d
    complement = "--complement" in d
    out_delim = d.get("--output-delimiter", delim if fields is not None else "")
    ranges = _ranges(ctx, fields if fields is not None else chars, "field" if fields is not None else "byte")

    def pick(n: int) -> bool:
        hit = any(lo <= n <= hi for lo, hi in ranges)
        return hit != complement

    status = 0
    out = []
    for name, text in _read_inputs(ctx, files):
        if isinstance(text, BaseException):
            ctx.error(f"{name}: {strerror(text)}")
            status = 1
            continue
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        for line in lines:
            if fields is not None:
                if delim not in line:
                    if not only:
                        out.append(line + "\n")
                    continue
                parts = line.split(delim)
                out.append(out_delim.join(p for i, p in enumerate(parts, 1) if pick(i)) + "\n")
            else:
                out.append("".join(c for i, c in enumerate(line, 1) if pick(i)) + "\n")
    ctx.out("".join(out))
    return status


def _tr_set(spec: str) -> list[str]:
    out: list[str] = []
    i = 0
    chars: list[str] = []
    # first decode escapes into a list of (char, literal?) to handle ranges
    while i < len(spec):
        c = spec[i]
        if c == "\\" and i + 1 < len(spec):
            d = spec[i + 1]
            if d in "01234567":
                j = i + 1
                digits = ""
                while j < len(spec) and len(digits) < 3 and spec[j] in "01234567":
                    digits += spec[j]
                    j += 1
                chars.append(chr(int(digits, 8)))
                i = j
                continue
            chars.append({"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "a": "\a", "b": "\b", "f": "\f",
                          "v": "\v"}.get(d, d))
            i += 2
            continue
        if c == "[" and spec.startswith("[:", i):
            end = spec.find(":]", i)
            if end > 0:
                cls = spec[i + 2:end]
                rng = CLASSES.get(cls)
                if rng is not None:
                    chars.append(("class", cls))
                    i = end + 2
                    continue
        chars.append(c)
        i += 1
    k = 0
    while k < len(chars):
        c = chars[k]
        if isinstance(c, tuple):
            out.extend(_class_chars(c[1]))
            k += 1
            continue
        if k + 2 < len(chars) and chars[k + 1] == "-" and not isinstance(chars[k + 2], tuple):
            lo, hi = ord(c), ord(chars[k + 2])
            out.extend(chr(x) for x in range(lo, hi + 1))
            k += 3
            continue
        out.append(c)
        k += 1
    return out


def _class_chars(cls: str) -> list[str]:
    allc = [chr(i) for i in range(128)]
    test = {"upper": str.isupper, "lower": str.islower, "digit": str.isdigit, "alpha": str.isalpha,
            "alnum": str.isalnum, "space": str.isspace, "punct": lambda c: c.isprintable() and not c.isalnum()
            and not c.isspace(), "blank": lambda c: c in " \t", "xdigit": lambda c: c in "0123456789abcdefABCDEF",
            "print": lambda c: c.isprintable(), "graph": lambda c: c.isprintable() and c != " ",
            "cntrl": lambda c: ord(c) < 32 or ord(c) == 127}.get(cls, lambda c: False)
    return [c for c in allc if test(c)]


@command("tr")
def tr(ctx: Ctx) -> int:
    opts, sets = getopt(ctx, ctx.argv[1:], "dscCt", ["delete", "squeeze-repeats", "complement", "truncate-set1"])
    flags = {o for o, _ in opts}
    delete = bool(flags & {"-d", "--delete"})
    squeeze = bool(flags & {"-s", "--squeeze-repeats"})
    complement = bool(flags & {"-c", "-C", "--complement"})
    if not sets:
        raise usage_missing(ctx)
    if not delete and not squeeze and len(sets) < 2:
        raise CommandFailed(f"missing operand after {q(sets[0])}\nTwo strings must be given when translating.\n"
                            "Try 'tr --help' for more information.")
    s1 = _tr_set(sets[0])
    s2 = _tr_set(sets[1]) if len(sets) > 1 else []
    text = ctx.stdin.read()
    set1 = set(s1)

    def in1(c: str) -> bool:
        return (c in set1) != complement

    if delete:
        text = "".join(c for c in text if not in1(c))
        if squeeze and s2:
            text = _squeeze(text, set(s2))
        ctx.out(text)
        return 0
    if s2:
        if complement:
            repl = s2[-1]
            text = "".join(repl if in1(c) else c for c in text)
        else:
            if len(s2) < len(s1):
                s2 = s2 + [s2[-1]] * (len(s1) - len(s2))
            table = {}
            for a, b in zip(s1, s2):
                table[a] = b
            text = "".join(table.get(c, c) for c in text)
        if squeeze:
            text = _squeeze(text, set(s2))
    elif squeeze:
        text = _squeeze(text, set1, complement)
    ctx.out(text)
    return 0


def _squeeze(text: str, chars: set, complement: bool = False) -> str:
    out = []
    for c in text:
        if out and out[-1] == c and ((c in chars) != complement):
            continue
        out.append(c)
    return "".join(out)


# -- xargs ---------------------------------------------------------------------------------------------


def _xargs_split(text: str) -> list[str]:
    out = []
    cur: list[str] = []
    have = False
    i = 0
    quote = None
    while i < len(text):
        c = text[i]
        if quote:
            if c == quote:
                quote = None
            else:
                cur.append(c)
            i += 1
            continue
        if c in "'\"":
            quote = c
            have = True
        elif c == "\\" and i + 1 < len(text):
            cur.append(text[i + 1])
            have = True
            i += 2
            continue
        elif c.isspace():
            if cur or have:
                out.append("".join(cur))
                cur = []
                have = False
        else:
            cur.append(c)
        i += 1
    if quote:
        raise CommandFailed(f"unmatched {'single' if quote == chr(39) else 'double'} quote; by default quotes are "
                            "special to xargs unless you use the -0 option", 1)
    if cur or have:
        out.append("".join(cur))
    return out


@command("xargs")
def xargs(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    max_args = None
    replace = None
    null = False
    no_empty = False
    trace = False
    delim = None
    lines_per = None
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-n", "--max-args") and i + 1 < len(args):
            max_args = number(args[i + 1], "number for -n option")
            i += 2
            continue
        if re.fullmatch(r"-n\d+", a):
            max_args = number(a[2:])
        elif a == "-I" and i + 1 < len(args):
            replace = args[i + 1]
            i += 2
            continue
        elif a.startswith("-I") and len(a) > 2:
            replace = a[2:]
        elif a == "-i":
            replace = "{}"
        elif a in ("-0", "--null"):
            null = True
        elif a in ("-r", "--no-run-if-empty"):
            no_empty = True
        elif a in ("-t", "--verbose"):
            trace = True
        elif a == "-d" and i + 1 < len(args):
            delim = args[i + 1].encode().decode("unicode_escape")
            i += 2
            continue
        elif a == "-L" and i + 1 < len(args):
            lines_per = number(args[i + 1], "number for -L option")
            i += 2
            continue
        elif a == "-P" and i + 1 < len(args):
            i += 2
            continue
        elif re.fullmatch(r"-P\d+", a):
            pass
        elif a == "--":
            i += 1
            break
        elif a.startswith("-") and len(a) > 1:
            raise CommandFailed(f"invalid option -- '{a[1:]}'\nUsage: xargs [OPTION]... COMMAND [INITIAL-ARGS]...",
                                1)
        else:
            break
        i += 1
    cmd = args[i:] or ["echo"]
    text = ctx.stdin.read()
    if null:
        items = [x for x in text.split("\0") if x != ""]
    elif delim is not None:
        items = text.split(delim)
        if items and items[-1] in ("", "\n"):
            items.pop()
    elif replace is not None or lines_per:
        items = [line.strip() for line in text.split("\n") if line.strip()]
    else:
        items = _xargs_split(text)
    batches: list[list[str]] = []
    if replace is not None:
        for item in items:
            batches.append([a.replace(replace, item) for a in cmd])
    else:
        size = max_args or lines_per or len(items) or 1
        if not items:
            if not no_empty and ctx.flavor == "gnu":
                batches.append(list(cmd))
        for k in range(0, len(items), size):
            batches.append(list(cmd) + items[k:k + size])
    status = 0
    for argv in batches:
        if trace:
            ctx.err(" ".join(argv) + "\n")
        rc = ctx.run(argv)
        if rc == -127:
            ctx.error(f"{argv[0]}: No such file or directory")
            return 127
        if rc == 126:
            return 126
        if rc == 255:
            ctx.error(f"{argv[0]}: exited with status 255; aborting")
            return 124
        if rc != 0:
            status = 123
    return status


@command("rev")
def rev(ctx: Ctx) -> int:
    status = 0
    for name, text in _read_inputs(ctx, ctx.argv[1:]):
        if isinstance(text, BaseException):
            ctx.error(f"cannot open {name}: {strerror(text)}")
            status = 1
            continue
        ctx.out("".join(line.rstrip("\n")[::-1] + ("\n" if line.endswith("\n") else "") for line in _lines(text)))
    return status


@command("nl")
def nl(ctx: Ctx) -> int:
    status = 0
    n = 0
    for name, text in _read_inputs(ctx, [a for a in ctx.argv[1:] if not a.startswith("-")]):
        if isinstance(text, BaseException):
            ctx.error(f"{name}: {strerror(text)}")
            status = 1
            continue
        out = []
        for line in _lines(text):
            if line.strip():
                n += 1
                out.append(f"{n:6d}\t{line}")
            else:
                out.append(f"       {line}")
        ctx.out("".join(out))
    return status
