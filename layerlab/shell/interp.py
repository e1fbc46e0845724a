"""The shell itself: expansion, redirections, pipelines, control flow, builtins and program lookup."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence as Seq

from ..errors import FilesystemError, LayerlabError, ShellError, SymlinkLoopError
from ..fs import paths
from ..fs.content import Synthetic
from . import syntax as S
from .arith import ArithError, evaluate
from .base import (COMMANDS, FS_ERRORS, NULL, Accounts, Buffer, CommandFailed, Ctx, FileSink, OutputLimit,
                   Sink, Source, decode, strerror)
from .patterns import escape_glob, fnmatch, glob_compile, has_glob, unescape

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
STEP_LIMIT = 200_000
MAX_DEPTH = 100


@dataclass(frozen=True)
class Result:
    """What one command line did: exit code, output, and the programs it could not run."""

    exit_code: int
    stdout: str
    stderr: str
    not_found: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


# -- control flow ---------------------------------------------------------------------------------


class ExitShell(Exception):
    def __init__(self, code: int):
        self.code = code


class BreakLoop(Exception):
    def __init__(self, n: int):
        self.n = n


class ContinueLoop(Exception):
    def __init__(self, n: int):
        self.n = n


class ReturnFunc(Exception):
    def __init__(self, code: int):
        self.code = code


class BudgetExhausted(Exception):
    pass


class _Shared:
    """State every subshell of one run shares: the step budget and the programs not found."""

    def __init__(self, limit: int):
        self.steps = 0
        self.limit = limit
        self.not_found: list[str] = []


SPECIAL_BUILTINS = frozenset({":", ".", "break", "continue", "eval", "exec", "exit", "export", "readonly",
                              "return", "set", "shift", "trap", "unset"})
REGULAR_BUILTINS = frozenset({"true", "false", "echo", "printf", "test", "[", "cd", "pwd", "read", "command",
                              "type", "umask", "local", "wait", "hash", "getopts", "alias", "unalias",
                              "kill", "ulimit", "times", "jobs"})
BASH_BUILTINS = frozenset({"source"})
KEYWORDS = frozenset(S.RESERVED)


def _q(arg: str) -> str:
    """Quote an argument the way set -x shows it."""
    if arg and re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", arg):
        return arg
    return "'" + arg.replace("'", "'\\''") + "'"


class _Fields:
    """Fields being built during expansion: segments of (text, may_glob)."""

    __slots__ = ("fields", "keep", "pending")

    def __init__(self):
        self.fields: list[list[tuple[str, bool]]] = [[]]
        self.keep = [False]
        self.pending = False

    def _settle(self):
        if self.pending:
            if self.fields[-1] or self.keep[-1]:
                self.fields.append([])
                self.keep.append(False)
            self.pending = False

    def add(self, text: str, may_glob: bool) -> None:
        self._settle()
        self.fields[-1].append((text, may_glob))

    def mark(self) -> None:
        self._settle()
        self.keep[-1] = True

    def new_field(self) -> None:
        self.pending = False
        self.fields.append([])
        self.keep.append(False)

    def soft_break(self) -> None:
        self.pending = True


class Shell:
    """A simulated POSIX sh over a WorkTree (or anything with its methods).

    >>> from layerlab.fs.layer import Layer
    >>> from layerlab.fs.union import merge
    >>> from layerlab.fs.worktree import WorkTree
    >>> from layerlab.fs.entries import Dir, File, Symlink
    >>> tree = WorkTree(merge([Layer.from_spec({"/bin/dash": File("", mode=0o755), "/bin/sh": Symlink("dash"),
    ...                                         "/tmp/": Dir()})]))
    >>> Shell(tree).run('cd /tmp && X=$((6*7)); echo "answer: $X" > a; echo $(pwd)')
    Result(exit_code=0, stdout='/tmp\\n', stderr='', not_found=())
    >>> tree.read("/tmp/a")
    b'answer: 42\\n'
    """

    NPROC = 4
    KERNEL = "6.8.0-45-generic"
    PID = 1

    def __init__(self, fs, *, env: Mapping[str, str] | None = None, cwd: str = "/", user: str = "root",
                 hostname: str = "", stdin: str = "", step_limit: int = STEP_LIMIT):
        self.fs = fs
        self.hostname = hostname
        self.cwd = paths.normalize(cwd or "/")
        self.umask = 0o022
        self.options = {"e": False, "x": False, "u": False, "f": False, "pipefail": False}
        self.positional: list[str] = []
        self.arg0 = "sh"
        self.functions: dict[str, S.Node] = {}
        self.readonly: set[str] = set()
        self.status = 0
        self.lineno = 1
        self.loop_depth = 0
        self.func_depth = 0
        self.depth = 0
        self.errexit_off = 0
        self.traps: dict[str, str] = {}
        self.locals_stack: list[dict[str, str | None]] = []
        self.last_bg = ""
        self.cmdsub_status: int | None = None
        self._shared = _Shared(step_limit)
        self._stdin = stdin
        self.flavor = self._detect_flavor()
        self.uid, self.gid, self.groups, self.user_name, home = self._resolve_user(user)
        self.vars: dict[str, str] = {}
        self.exported: set[str] = set()
        for k, v in (env or {}).items():
            self.vars[str(k)] = str(v)
            self.exported.add(str(k))
        self.vars.setdefault("PATH", DEFAULT_PATH)
        self.exported.add("PATH")
        if "HOME" not in self.vars:
            self.vars["HOME"] = home
            self.exported.add("HOME")
        if hostname and "HOSTNAME" not in self.vars:
            self.vars["HOSTNAME"] = hostname
            self.exported.add("HOSTNAME")
        self.vars.setdefault("IFS", " \t\n")
        self.vars.setdefault("PS1", "# " if self.uid == 0 else "$ ")
        self.vars.setdefault("PS2", "> ")
        self.vars.setdefault("PS4", "+ ")
        self.vars["PWD"] = self.cwd
        self.exported.add("PWD")
        self.vars.setdefault("OPTIND", "1")
        self._stdin = stdin
        self._step_limit = step_limit
        self._initial = (dict(self.vars), set(self.exported), self.cwd, self.umask)
        self._reset()

    def _reset(self) -> None:
        """A fresh `sh -c` process for each command line: the initial environment, directory and options,
        new output buffers, step budget and standard input."""
        vars_, exported, cwd, umask = self._initial
        self.vars = dict(vars_)
        self.exported = set(exported)
        self.cwd = cwd
        self.umask = umask
        self.options = {"e": False, "x": False, "u": False, "f": False, "pipefail": False}
        self.positional = []
        self.functions = {}
        self.readonly = set()
        self.status = 0
        self.lineno = 1
        self.stdout = Buffer()
        self.stderr = Buffer()
        self.fds: dict[int, object] = {0: Source(self._stdin), 1: self.stdout, 2: self.stderr}
        self._shared = _Shared(self._step_limit)
        self.traps = {}

    # -- identity ----------------------------------------------------------------------------
    def _detect_flavor(self) -> str:
        try:
            real = self.fs.resolve("/bin/sh")
        except (LayerlabError, OSError):
            return "dash"
        base = real.rsplit("/", 1)[-1]
        if base == "ash" or is_busybox(self.fs, real):
            return "ash"
        if base == "bash":
            return "bash"
        return "dash"

    def _resolve_user(self, user: str):
        """Docker's USER: name or uid, optionally :group, looked up in the tree's /etc/passwd and /etc/group."""
        acc = Accounts(self.fs)
        spec = str(user or "root")
        name, _, group = spec.partition(":")
        row = acc.user(name) if not name.isdigit() else acc.user(int(name))
        if row is None and name in ("", "root"):
            row = ["root", "x", "0", "0", "root", "/root", "/bin/sh"]
        if row is None:
            if not name.isdigit():
                raise ShellError(f"unable to find user {name}: no matching entries in passwd file")
            uid, gid, uname, home = int(name), 0, "", "/"
        else:
            uid = int(row[2]) if row[2].isdigit() else 0
            gid = int(row[3]) if row[3].isdigit() else 0
            uname, home = row[0], row[5] or "/"
        if group:
            grow = acc.group(group) if not group.isdigit() else acc.group(int(group))
            if grow is None:
                if not group.isdigit():
                    raise ShellError(f"unable to find group {group}: no matching entries in group file")
                gid = int(group)
            else:
                gid = int(grow[2]) if grow[2].isdigit() else 0
        groups = [gid]
        if uname:
            for g in acc.supplementary(uname):
                if g not in groups:
                    groups.append(g)
        return uid, gid, groups, uname, home

    def permits(self, st, want: int) -> bool:
        """May this user read (4), write (2) or execute/search (1) what stat says?"""
        if self.uid == 0:
            if want & 1:
                return st.kind == "dir" or bool(st.mode & 0o111)
            return True
        if st.uid == self.uid:
            bits = (st.mode >> 6) & 7
        elif st.gid in self.groups:
            bits = (st.mode >> 3) & 7
        else:
            bits = st.mode & 7
        return bits & want == want

    # -- entry points ------------------------------------------------------------------------
    def run(self, command: str) -> Result:
        """Run one `sh -c` command line."""
        self._reset()
        self.fs.command = command
        if not self._has_sh():
            return self._finish(127, extra_err='exec: "/bin/sh": stat /bin/sh: no such file or directory\n',
                                missing="/bin/sh")
        return self._finish(self._guarded(lambda: self.exec_source(command)))

    def run_argv(self, argv: Seq[str]) -> Result:
        """Run the exec form (no shell): argv[0] is looked up in PATH."""
        argv = [str(a) for a in argv]
        self._reset()
        self.fs.command = " ".join(argv)
        if not argv:
            return self._finish(127, extra_err="exec: no command given\n")
        name = argv[0]
        path = self.find_program(name, self.vars.get("PATH", DEFAULT_PATH))
        if path is None:
            self._shared.not_found.append(name)
            where = "no such file or directory" if "/" in name else "executable file not found in $PATH"
            return self._finish(127, extra_err=f'exec: "{name}": {where}\n')
        env = self.environ()

        def go():
            return self.exec_file(path, argv, env, self.fds)
        return self._finish(self._guarded(go))

    def _has_sh(self) -> bool:
        try:
            return self.fs.is_file("/bin/sh")
        except (LayerlabError, OSError):
            return False

    def _guarded(self, fn) -> int:
        try:
            status = fn()
        except ExitShell as exc:
            status = exc.code
        except BudgetExhausted:
            self.stderr.write(f"layerlab: stopped after {self._shared.limit} steps: the command line looks "
                              "like an endless loop (exit 124, as timeout(1) reports)\n")
            return 124
        except OutputLimit as exc:
            self.stderr.write(f"layerlab: stopped: {exc} (a real terminal would scroll for ever)\n")
            return 141
        except RecursionError:
            self.stderr.write(f"{self.arg0}: {self.lineno}: nesting too deep (functions or subshells "
                              "calling themselves?)\n")
            return 2
        except (ReturnFunc, BreakLoop, ContinueLoop) as exc:
            status = getattr(exc, "code", self.status)
        status = self._run_exit_trap(status)
        return status

    def _run_exit_trap(self, status: int) -> int:
        action = self.traps.pop("EXIT", None)
        if action:
            self.status = status
            try:
                self._exec(S.parse(action))
            except ExitShell as exc:
                return exc.code
            except (S.ParseError, BudgetExhausted, ReturnFunc, BreakLoop, ContinueLoop):
                pass
        return status

    def _finish(self, code: int, extra_err: str = "", missing: str = "") -> Result:
        if extra_err:
            self.stderr.write(extra_err)
        if missing:
            self._shared.not_found.append(missing)
        seen = []
        for n in self._shared.not_found:
            if n not in seen:
                seen.append(n)
        return Result(code & 0xFF if code >= 0 else code % 256, self.stdout.getvalue(), self.stderr.getvalue(),
                      tuple(seen))

    # -- helpers -----------------------------------------------------------------------------
    def diag(self, message: str) -> None:
        """An error message from the shell itself, in the shell's own format."""
        self.fds_err(self._prefix() + message + "\n")

    def _prefix(self) -> str:
        if self.flavor == "ash":
            return f"{self.arg0}: "
        if self.flavor == "bash":
            return f"{self.arg0}: line {self.lineno}: "
        return f"{self.arg0}: {self.lineno}: "

    def fds_err(self, text: str) -> None:
        sink = self.fds.get(2)
        if isinstance(sink, Sink):
            sink.write(text)

    def tick(self) -> None:
        sh = self._shared
        sh.steps += 1
        if sh.steps > sh.limit:
            raise BudgetExhausted()

    def fork(self) -> "Shell":
        """A subshell: a copy of this shell's state over the same filesystem."""
        new = Shell.__new__(Shell)
        new.__dict__.update(self.__dict__)
        new.vars = dict(self.vars)
        new.exported = set(self.exported)
        new.options = dict(self.options)
        new.positional = list(self.positional)
        new.functions = dict(self.functions)
        new.readonly = set(self.readonly)
        new.fds = dict(self.fds)
        new.traps = {}
        new.locals_stack = [dict(d) for d in self.locals_stack]
        new.depth = self.depth + 1
        if new.depth > MAX_DEPTH:
            raise RecursionError()
        return new

    def environ(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        env = {k: self.vars[k] for k in self.vars if k in self.exported}
        if extra:
            env.update(extra)
        return env

    def abspath(self, path: str, *, logical: bool = False) -> str:
        """path from the working directory: '..' physically, or lexically for cd (logical=True)."""
        if logical:
            if not path.startswith("/"):
                path = self.cwd.rstrip("/") + "/" + path
            return paths.normalize(path)
        from .base import physical_path
        return physical_path(self.fs, self.cwd, path)

    def setvar(self, name: str, value: str) -> None:
        if name in self.readonly:
            self.diag(f"{name}: is read only")
            raise ExitShell(2)
        self.vars[name] = value
        if name == "PWD":
            pass

    def getvar(self, name: str) -> str | None:
        if name.isdigit():
            i = int(name)
            if i == 0:
                return self.arg0
            return self.positional[i - 1] if i <= len(self.positional) else None
        if len(name) == 1 and name in "?$#@*-!":
            if name == "?":
                return str(self.status)
            if name == "$":
                return str(self.PID)
            if name == "#":
                return str(len(self.positional))
            if name in "@*":
                sep = self.vars.get("IFS", " ")[:1] if name == "*" else " "
                return sep.join(self.positional)
            if name == "-":
                return "".join(k for k in "efux" if self.options.get(k))
            if name == "!":
                return self.last_bg
        return self.vars.get(name)

    # -- expansion ---------------------------------------------------------------------------
    def expand_words(self, words: list[S.Word]) -> list[str]:
        out: list[str] = []
        for w in words:
            out.extend(self.expand_word(w))
        return out

    def expand_word(self, word: S.Word, *, split: bool = True, glob: bool = True) -> list[str]:
        parts = word.parts
        # fast path: a plain literal
        if len(parts) == 1 and isinstance(parts[0], S.Lit):
            text = parts[0].text
            if not text.startswith("~") and not (glob and has_glob(text)):
                return [text]
        parts = self._tilde(parts)
        f = _Fields()
        self._walk(parts, f, quoted=False, split=split)
        out = []
        for segs, keep in zip(f.fields, f.keep):
            text = "".join(t for t, _ in segs)
            if not text and not keep:
                continue
            if glob and not self.options["f"] and any(g and has_glob(t) for t, g in segs):
                pattern = "".join(t if g else escape_glob(t) for t, g in segs)
                matches = self.glob(pattern)
                if matches:
                    out.extend(matches)
                    continue
            out.append(text)
        return out

    def expand_string(self, word: S.Word | None, *, tilde: bool = True) -> str:
        """Expand a word without field splitting or globbing (assignments, redirection targets, case)."""
        if word is None:
            return ""
        parts = self._tilde(word.parts) if tilde else word.parts
        f = _Fields()
        self._walk(parts, f, quoted=False, split=False)
        return " ".join("".join(t for t, _ in segs) for segs in f.fields)

    def expand_pattern(self, word: S.Word | list) -> str:
        """Expand a word into a pattern: quoted characters are escaped, unquoted ones stay special."""
        parts = word.parts if isinstance(word, S.Word) else word
        f = _Fields()
        self._walk(parts, f, quoted=False, split=False)
        return "".join(t if g else escape_glob(t) for segs in f.fields for t, g in segs)

    def _tilde(self, parts: list) -> list:
        if not parts or not isinstance(parts[0], S.Lit) or not parts[0].text.startswith("~"):
            return parts
        text = parts[0].text
        slash = text.find("/")
        prefix = text[1:slash] if slash >= 0 else text[1:]
        if slash < 0 and len(parts) > 1:
            return parts
        if not prefix:
            home = self.vars.get("HOME", "/")
        else:
            row = Accounts(self.fs).user(prefix)
            if row is None:
                return parts
            home = row[5]
        rest = text[slash:] if slash >= 0 else ""
        return [S.Quoted(home)] + ([S.Lit(rest)] if rest else []) + list(parts[1:])

    def _walk(self, parts: list, f: _Fields, quoted: bool, split: bool) -> None:
        for p in parts:
            t = type(p)
            if t is S.Lit:
                if quoted:
                    f.mark()
                f.add(p.text, not quoted)
            elif t is S.Quoted:
                f.mark()
                f.add(p.text, False)
            elif t is S.DQ:
                only_at = (len(p.parts) == 1 and isinstance(p.parts[0], S.Param) and p.parts[0].name == "@"
                           and not p.parts[0].op)
                if not (only_at and not self.positional):
                    f.mark()
                self._walk(p.parts, f, quoted=True, split=split)
            elif t is S.Param:
                self._param(p, f, quoted, split)
            elif t is S.CmdSub:
                self._add_value(self.command_substitution(p.node), f, quoted, split)
            elif t is S.Arith:
                self._add_value(str(self.arith(p)), f, quoted, split)

    def _add_value(self, value: str, f: _Fields, quoted: bool, split: bool) -> None:
        if quoted or not split:
            if value:
                f.add(value, not quoted)
            return
        ifs = self.vars.get("IFS", " \t\n") if "IFS" in self.vars else " \t\n"
        if not ifs:
            if value:
                f.add(value, True)
            return
        ws = "".join(c for c in ifs if c in " \t\n")
        nonws = "".join(c for c in ifs if c not in " \t\n")
        if not value:
            return
        if value[0] in ifs:
            f.soft_break()
        if not nonws:
            pieces = value.split(None) if ws == " \t\n" else [x for x in re.split("[" + re.escape(ws) + "]+",
                                                                                   value) if x]
        else:
            pieces = []
            cur: list[str] = []
            i, n = 0, len(value)
            while i < n and value[i] in ws:
                i += 1
            while i < n:
                c = value[i]
                if c in nonws:
                    pieces.append("".join(cur))
                    cur = []
                    i += 1
                    while i < n and value[i] in ws:
                        i += 1
                elif c in ws:
                    while i < n and value[i] in ws:
                        i += 1
                    if i < n and value[i] in nonws:
                        continue
                    pieces.append("".join(cur))
                    cur = []
                else:
                    cur.append(c)
                    i += 1
            if cur:
                pieces.append("".join(cur))
        for k, piece in enumerate(pieces):
            if k > 0:
                f.new_field()
            if piece:
                f.add(piece, True)
            else:
                f.mark()
        if value[-1] in ifs:
            f.soft_break()

    def _param(self, p: S.Param, f: _Fields, quoted: bool, split: bool) -> None:
        name, op = p.name, p.op
        if op == "bad":
            self.diag("Bad substitution" if self.flavor != "bash" else
                      f"{''.join(getattr(x, 'text', '') for x in p.arg or [])}: bad substitution")
            raise ExitShell(2)
        if name in ("@", "*") and not op:
            if quoted and name == "@":
                for i, v in enumerate(self.positional):
                    if i > 0:
                        f.new_field()
                        f.mark()
                    f.add(v, False)
                return
            if quoted:
                sep = self.vars.get("IFS", " ")[:1] if "IFS" in self.vars else " "
                f.add(sep.join(self.positional), False)
                return
            for i, v in enumerate(self.positional):
                if i > 0:
                    f.soft_break()
                self._add_value(v, f, False, split)
            return
        value = self.getvar(name)
        if op == "#len":
            if value is None and self.options["u"] and name not in "@*#?":
                self.diag(f"{name}: parameter not set")
                raise ExitShell(2)
            self._add_value(str(len(value or "")), f, quoted, split)
            return
        if op in (":-", "-", ":=", "=", ":+", "+", ":?", "?"):
            colon = op.startswith(":")
            unset = value is None or (colon and value == "")
            base = op[-1]
            if base == "-":
                if unset:
                    self._walk(p.arg or [], f, quoted, split)
                    return
            elif base == "=":
                if unset:
                    new = self._expand_parts_string(p.arg or [])
                    if not S.is_name(name):
                        self.diag(f"{name}: bad variable name" if self.flavor == "dash" else
                                  f"${{{name}}}: cannot assign in this way")
                        raise ExitShell(2)
                    self.setvar(name, new)
                    value = new
            elif base == "+":
                if not unset:
                    self._walk(p.arg or [], f, quoted, split)
                return
            elif base == "?":
                if unset:
                    msg = self._expand_parts_string(p.arg or [])
                    if not msg:
                        msg = "parameter not set" if value is None else "parameter null or not set"
                    self.diag(f"{name}: {msg}")
                    raise ExitShell(2)
            self._add_value(value or "", f, quoted, split)
            return
        if value is None and self.options["u"] and not (name.isdigit() and name == "0"):
            self.diag(f"{name}: parameter not set")
            raise ExitShell(2)
        if op in ("#", "##", "%", "%%"):
            pattern = self.expand_pattern(p.arg or [])
            value = _strip(value or "", pattern, op)
        self._add_value(value or "", f, quoted, split)

    def _expand_parts_string(self, parts: list) -> str:
        f = _Fields()
        self._walk(parts, f, quoted=False, split=False)
        return " ".join("".join(t for t, _ in segs) for segs in f.fields)

    def command_substitution(self, node: S.Node) -> str:
        sub = self.fork()
        buf = Buffer()
        sub.fds[1] = buf
        try:
            status = sub._exec(node)
        except ExitShell as exc:
            status = exc.code
        except (ReturnFunc, BreakLoop, ContinueLoop):
            status = sub.status
        self.cmdsub_status = status
        self.status = status
        return buf.getvalue().rstrip("\n")

    def arith(self, p: S.Arith) -> int:
        text = self._expand_parts_string(p.parts)
        try:
            return evaluate(text, self.getvar, self._arith_assign)
        except ArithError as exc:
            self.diag(str(exc))
            raise ExitShell(2) from None

    def _arith_assign(self, name: str, value: str) -> None:
        self.setvar(name, value)

    def glob(self, pattern: str) -> list[str]:
        absolute = pattern.startswith("/")
        comps = [c for c in _split_unescaped(pattern) if c != ""]
        trailing = pattern.endswith("/")
        results: list[tuple[str, str]] = [("/" if absolute else "", "/" if absolute else self.cwd)]
        fs = self.fs
        for comp in comps:
            new = []
            if has_glob(comp):
                rx = glob_compile(comp)
                dot_ok = comp.startswith(".") or comp.startswith("\\.")
                for disp, d in results:
                    try:
                        names = fs.listdir(d)
                    except FS_ERRORS:
                        continue
                    except LayerlabError:
                        continue
                    if dot_ok:  # dash's .* matches . and .. too
                        names = [".", ".."] + names
                    for n in names:
                        if n.startswith(".") and not dot_ok:
                            continue
                        if rx.fullmatch(n):
                            real = paths.join(d, n) if n not in (".", "..") else paths.normalize(d + "/" + n)
                            new.append((disp + n if disp in ("", "/") else disp + "/" + n, real))
            else:
                lit = unescape(comp)
                for disp, d in results:
                    real = paths.normalize(paths.join(d, lit)) if lit not in (".", "..") else \
                        paths.normalize(d + "/" + lit)
                    new.append((disp + lit if disp in ("", "/") else disp + "/" + lit, real))
            results = new
            if not results:
                return []
        out = []
        for disp, real in results:
            try:
                ok = fs.lexists(real) and (not trailing or fs.is_dir(real))
            except LayerlabError:
                ok = False
            if ok:
                out.append(disp + "/" if trailing else disp)
        return sorted(out)

    # -- execution ---------------------------------------------------------------------------
    def _loop_body(self, body) -> tuple[int | None, bool]:
        """Run one pass of a loop body: (its status or None after break/continue, whether to leave the loop)."""
        try:
            return self._exec(body), False
        except BreakLoop as b:
            if b.n > 1:
                b.n -= 1
                raise
            return None, True
        except ContinueLoop as c:
            if c.n > 1:
                c.n -= 1
                raise
            return None, False

    def _exec(self, node) -> int:
        t = type(node)
        if t is S.Sequence:
            return self._exec_sequence(node)
        if t is S.AndOr:
            return self._exec_andor(node)
        if t is S.Pipeline:
            return self._exec_pipeline(node)
        if t is S.Simple:
            return self._exec_simple(node)
        if t is S.FuncDef:
            self.functions[node.name] = node.body
            self.status = 0
            return 0
        return self._exec_compound(node)

    def _exec_sequence(self, node: S.Sequence) -> int:
        status = self.status
        for andor, background in node.items:
            if background:
                sub = self.fork()
                try:
                    sub._exec(andor)
                except ExitShell:
                    pass
                self.last_bg = str(self.PID + 100)
                status = 0
                self.status = 0
            else:
                status = self._exec_andor(andor)
        return status

    def _exec_andor(self, node: S.AndOr) -> int:
        ran_last = not node.rest
        if node.rest:
            self.errexit_off += 1
            try:
                status = self._exec_pipeline(node.first)
            finally:
                self.errexit_off -= 1
        else:
            status = self._exec_pipeline(node.first)
        negated = node.first.negate
        for i, (op, pl) in enumerate(node.rest):
            last = i == len(node.rest) - 1
            if (op == "&&") == (status == 0):
                if last:
                    status = self._exec_pipeline(pl)
                    ran_last = True
                    negated = pl.negate
                else:
                    self.errexit_off += 1
                    try:
                        status = self._exec_pipeline(pl)
                    finally:
                        self.errexit_off -= 1
        self.status = status
        if status != 0 and ran_last and not negated and self.options["e"] and self.errexit_off == 0:
            raise ExitShell(status)
        return status

    def _exec_pipeline(self, node: S.Pipeline) -> int:
        cmds = node.cmds
        if node.negate:
            self.errexit_off += 1
        try:
            if len(cmds) == 1:
                status = self._exec(cmds[0])
            else:
                statuses = []
                data: str | None = None
                for i, cmd in enumerate(cmds):
                    sub = self.fork()
                    if i > 0:
                        sub.fds[0] = Source(data or "")
                    buf = None
                    if i < len(cmds) - 1:
                        buf = Buffer()
                        sub.fds[1] = buf
                    try:
                        st = sub._exec(cmd)
                    except ExitShell as exc:
                        st = exc.code
                    except (ReturnFunc, BreakLoop, ContinueLoop):
                        st = sub.status
                    statuses.append(st)
                    data = buf.getvalue() if buf is not None else None
                status = statuses[-1]
                if self.options["pipefail"]:
                    for st in statuses:
                        if st != 0:
                            status = st
        finally:
            if node.negate:
                self.errexit_off -= 1
        if node.negate:
            status = 0 if status else 1
        self.status = status
        return status

    def _exec_compound(self, node) -> int:
        if node.redirs:
            new = self.open_redirs(node.redirs, self.fds)
            if new is None:
                self.status = 2
                return 2
            saved = self.fds
            self.fds = new
            try:
                return self._exec_compound_body(node)
            finally:
                self.fds = saved
        return self._exec_compound_body(node)

    def _exec_compound_body(self, node) -> int:
        t = type(node)
        if t is S.Group:
            status = self._exec(node.body)
        elif t is S.Subshell:
            sub = self.fork()
            try:
                status = sub._exec(node.body)
                status = sub._run_exit_trap(status)
            except ExitShell as exc:
                status = sub._run_exit_trap(exc.code)
            except (ReturnFunc, BreakLoop, ContinueLoop):
                status = sub.status
        elif t is S.If:
            status = 0
            for cond, body in node.clauses:
                self.errexit_off += 1
                try:
                    c = self._exec(cond)
                finally:
                    self.errexit_off -= 1
                if c == 0:
                    status = self._exec(body)
                    break
            else:
                if node.else_ is not None:
                    status = self._exec(node.else_)
        elif t is S.While:
            status = 0
            self.loop_depth += 1
            try:
                while True:
                    self.tick()
                    self.errexit_off += 1
                    try:
                        c = self._exec(node.cond)
                    finally:
                        self.errexit_off -= 1
                    if (c == 0) == node.until:
                        break
                    body_status, leave = self._loop_body(node.body)
                    status = 0 if body_status is None else body_status      # break and continue exit 0
                    if leave:
                        break
            finally:
                self.loop_depth -= 1
        elif t is S.For:
            items = self.expand_words(node.words) if node.words is not None else list(self.positional)
            status = 0
            self.loop_depth += 1
            try:
                for item in items:
                    self.tick()
                    self.setvar(node.var, item)
                    body_status, leave = self._loop_body(node.body)
                    status = 0 if body_status is None else body_status      # break and continue exit 0
                    if leave:
                        break
            finally:
                self.loop_depth -= 1
        elif t is S.Case:
            word = self.expand_string(node.word)
            status = 0
            for patterns, body in node.items:
                if any(fnmatch(word, self.expand_pattern(pw)) for pw in patterns):
                    status = self._exec(body)
                    break
        else:  # pragma: no cover
            raise ShellError(f"unknown node {t.__name__}")
        self.status = status
        return status

    # -- simple commands ---------------------------------------------------------------------
    def _exec_simple(self, node: S.Simple) -> int:
        self.tick()
        self.lineno = node.line
        self.cmdsub_status = None
        argv = self.expand_words(node.words) if node.words else []
        if not argv and node.assigns and not self.options["x"]:
            for name, word in node.assigns:  # one after another: a=1 b=$a sees the new a
                self.setvar(name, self.expand_string(word))
                if self.options.get("a"):
                    self.exported.add(name)
            assigns = []
        else:
            assigns = [(name, self.expand_string(word)) for name, word in node.assigns]
        if self.options["x"]:
            shown = [f"{n}={_q(v)}" for n, v in assigns] + [_q(a) for a in argv]
            if shown:
                self.fds_err(self.vars.get("PS4", "+ ") + " ".join(shown) + "\n")
        if not argv:
            for name, value in assigns:
                self.setvar(name, value)
                if self.options.get("a"):
                    self.exported.add(name)
            status = self.cmdsub_status if self.cmdsub_status is not None else 0
            if node.redirs:
                new = self.open_redirs(node.redirs, self.fds)
                if new is None:
                    status = 2
            self.status = status
            return status
        fds = self.fds
        if node.redirs:
            fds = self.open_redirs(node.redirs, self.fds)
            if fds is None:
                self.status = 2
                return 2
        status = self.dispatch(argv, assigns, fds)
        self.status = status
        return status

    def dispatch(self, argv: list[str], assigns: list[tuple[str, str]], fds: dict) -> int:
        name = argv[0]
        if name in SPECIAL_BUILTINS:
            for k, v in assigns:
                self.setvar(k, v)
            return self._builtin(name, argv, fds, self.environ())
        if name in self.functions:
            return self._call_function(name, argv, assigns, fds)
        if name in REGULAR_BUILTINS or (name in BASH_BUILTINS and self.flavor in ("bash", "ash")):
            return self._builtin(name, argv, fds, self.environ(dict(assigns)))
        env = self.environ(dict(assigns))
        path = self.find_program(name, env.get("PATH", DEFAULT_PATH) if "PATH" in dict(assigns)
                                 else self.vars.get("PATH", DEFAULT_PATH))
        if path is None:
            self._shared.not_found.append(name)
            saved = self.fds
            self.fds = fds
            try:
                if "/" in name:
                    self.diag(f"{name}: not found")
                elif self.flavor == "bash":
                    self.diag(f"{name}: command not found")
                else:
                    self.diag(f"{name}: not found")
            finally:
                self.fds = saved
            return 127
        return self.exec_file(path, argv, env, fds)

    def _builtin(self, name: str, argv: list[str], fds: dict, env: dict) -> int:
        from . import builtins
        ctx = Ctx(self, argv, env, fds)
        saved = self.fds
        self.fds = fds
        try:
            return builtins.run_builtin(ctx)
        except CommandFailed as exc:
            if exc.message:
                ctx.err(exc.message + "\n")
            return exc.code
        except (FilesystemError, SymlinkLoopError) as exc:
            self.diag(f"{name}: {getattr(exc, 'path', '') or ''}: {strerror(exc)}")
            return 2
        finally:
            if name != "exec" or len(argv) > 1:
                self.fds = saved

    def _call_function(self, name: str, argv: list[str], assigns, fds: dict) -> int:
        self.tick()
        if self.func_depth >= MAX_DEPTH:
            self.diag(f"{name}: maximum function nesting level exceeded ({MAX_DEPTH})")
            raise ExitShell(2)
        saved_pos = self.positional
        saved_fds = self.fds
        saved_vars = {k: self.vars.get(k) for k, _ in assigns}
        for k, v in assigns:
            self.vars[k] = v
        self.positional = list(argv[1:])
        self.fds = fds
        self.func_depth += 1
        self.locals_stack.append({})
        try:
            status = self._exec(self.functions[name])
        except ReturnFunc as r:
            status = r.code
        finally:
            self.func_depth -= 1
            self.positional = saved_pos
            self.fds = saved_fds
            for k, v in self.locals_stack.pop().items():
                if v is None:
                    self.vars.pop(k, None)
                else:
                    self.vars[k] = v
            for k, v in saved_vars.items():
                if v is None:
                    self.vars.pop(k, None)
                else:
                    self.vars[k] = v
        return status

    # -- programs ----------------------------------------------------------------------------
    def find_program(self, name: str, path_var: str) -> str | None:
        """The file a command name runs: itself when it has a '/', else the first match in PATH."""
        fs = self.fs
        if "/" in name:
            p = self.abspath(name)
            try:
                return p if fs.exists(p) else None
            except LayerlabError:
                return None
        for d in path_var.split(":"):
            d = d or "."
            p = self.abspath(d + "/" + name)
            try:
                if fs.is_file(p):
                    return p
            except (LayerlabError, OSError):
                continue
        return None

    def exec_program(self, argv: list[str], env: dict[str, str], fds: dict, stdin: str | None = None) -> int:
        """execvp(): run a program found in PATH, never a shell builtin or function (xargs, find -exec)."""
        if stdin is not None:
            fds = dict(fds)
            fds[0] = Source(stdin)
        name = argv[0]
        path = self.find_program(name, env.get("PATH", DEFAULT_PATH))
        if path is None:
            self._shared.not_found.append(name)
            return -127
        return self.exec_file(path, argv, env, fds)

    def exec_file(self, path: str, argv: list[str], env: dict[str, str], fds: dict) -> int:
        """execve(path, argv, env): a simulated program, a script, or 'not simulated'."""
        self.tick()
        fs = self.fs
        typed = argv[0]
        saved = self.fds
        self.fds = fds
        try:
            try:
                st = fs.stat(path)
            except FS_ERRORS:
                self.diag(f"{typed}: not found")
                return 127
            if st.kind == "dir" or not self.permits(st, 1) or st.kind != "file":
                self.diag(f"{typed}: Permission denied")
                return 126
            try:
                content = fs.content(path)
                head = content.read(256)
                synthetic = isinstance(content, Synthetic)
            except (LayerlabError, OSError):
                head, synthetic = b"", False
            base = typed.rsplit("/", 1)[-1]
            key = program_key(base)
            if key in COMMANDS:
                return self._run_program(key, argv, env, fds, path)
            if head.startswith(b"#!"):
                return self._exec_script(path, argv, env, fds, head)
            if not head or synthetic or _binary(head):
                return self._not_simulated(base, fds)
            return self._exec_script(path, argv, env, fds, b"")
        finally:
            self.fds = saved

    def _not_simulated(self, base: str, fds: dict) -> int:
        from . import SUPPORTED
        self._shared.not_found.append(base)
        sink = fds.get(2)
        if isinstance(sink, Sink):
            sink.write(f"layerlab: '{base}' is not simulated (supported: {', '.join(SUPPORTED)})\n")
        return 127

    def _run_program(self, key: str, argv: list[str], env: dict, fds: dict, path: str) -> int:
        flavor = "busybox" if is_busybox(self.fs, path) else "gnu"
        ctx = Ctx(self, argv, env, fds, path=path, flavor=flavor)
        try:
            status = COMMANDS[key](ctx)
        except CommandFailed as exc:
            if exc.message:
                raw = exc.message.startswith(("E: ", "ERROR: ", "Usage: ", "error: ", "W: "))
                ctx.err(exc.message + "\n" if raw else f"{ctx.name}: {exc.message}\n")
            status = exc.code
        except (FilesystemError, SymlinkLoopError) as exc:
            ctx.err(f"{ctx.name}: {getattr(exc, 'path', '') or ''}: {strerror(exc)}\n")
            status = 1
        except LayerlabError as exc:  # bad input the simulation refuses (no catalog for a distro ...)
            ctx.err(f"{ctx.name}: {exc}\n")
            status = 1
        except (ValueError, OverflowError) as exc:  # an argument no parser above anticipated
            ctx.err(f"{ctx.name}: invalid argument ({exc})\n")
            status = 1
        return status

    def _exec_script(self, path: str, argv: list[str], env: dict, fds: dict, head: bytes) -> int:
        typed = argv[0]
        interp_args: list[str] = []
        if head.startswith(b"#!"):
            line = decode(head[2:].split(b"\n", 1)[0]).strip(" \t")
            parts = [p for p in re.split(r"[ \t]+", line) if p]  # a CRLF script's '/bin/sh\r' is not found
            if not parts:
                return self._shell_script(path, argv, env, fds)
            interp = parts[0]
            interp_args = parts[1:]
            if interp.rsplit("/", 1)[-1] == "env" and interp_args:
                if not self.fs.exists(interp):
                    self.diag(f"{typed}: not found")
                    return 127
                prog = interp_args[0]
                interp_args = interp_args[1:]
                found = self.find_program(prog, env.get("PATH", DEFAULT_PATH))
                if found is None:
                    sink = fds.get(2)
                    if isinstance(sink, Sink):
                        sink.write(f"/usr/bin/env: '{prog}': No such file or directory\n")
                    self._shared.not_found.append(prog)
                    return 127
                interp = found
            else:
                try:
                    if not self.fs.is_file(interp):
                        self.diag(f"{typed}: not found")
                        self._shared.not_found.append(interp)
                        return 127
                except LayerlabError:
                    self.diag(f"{typed}: not found")
                    return 127
            base = interp.rsplit("/", 1)[-1]
            if base in ("sh", "bash", "ash", "dash"):
                flags = [a for a in interp_args if a.startswith("-")]
                return self._shell_script(path, argv, env, fds, flags=flags)
            return self.exec_file(interp, [interp, *interp_args, typed, *argv[1:]], env, fds)
        return self._shell_script(path, argv, env, fds)

    def _shell_script(self, path: str, argv: list[str], env: dict, fds: dict, flags: Seq[str] = ()) -> int:
        try:
            text = decode(self.fs.read(path))
        except (LayerlabError, OSError) as exc:
            self.diag(f"{argv[0]}: {strerror(exc)}")
            return 126
        child = self.child(env, fds)
        child.arg0 = argv[0]
        child.positional = list(argv[1:])
        for flag in flags:
            for c in flag[1:]:
                if c in child.options:
                    child.options[c] = True
        return child.run_source(text)

    def child(self, env: Mapping[str, str], fds: dict) -> "Shell":
        """A new shell process (a script, sh -c): only the environment is inherited."""
        new = self.fork()
        new.vars = dict(env)
        new.exported = set(env)
        new.vars.setdefault("IFS", " \t\n")
        new.vars.setdefault("PS4", "+ ")
        new.functions = {}
        new.readonly = set()
        new.options = {"e": False, "x": False, "u": False, "f": False, "pipefail": False}
        new.loop_depth = 0
        new.func_depth = 0
        new.errexit_off = 0
        new.locals_stack = []
        new.fds = dict(fds)
        new.status = 0
        new.lineno = 1
        return new

    def exec_source(self, text: str) -> int:
        """Parse and run a script one command line at a time, as dash does (a syntax error exits 2)."""
        parser = S.Parser(text)
        status = 0
        while True:
            try:
                node = parser.parse_next()
            except S.ParseError as exc:
                self.lineno = exc.line
                self.diag(str(exc))
                raise ExitShell(2) from None
            if node is None:
                return status
            status = self._exec(node)

    def run_source(self, text: str) -> int:
        try:
            status = self.exec_source(text)
        except ExitShell as exc:
            status = exc.code
        except (ReturnFunc, BreakLoop, ContinueLoop):
            status = self.status
        return self._run_exit_trap(status)

    # -- redirections ------------------------------------------------------------------------
    def open_redirs(self, redirs: list[S.Redir], fds: dict) -> dict | None:
        """Apply redirections to a copy of fds; None (after a message) when one fails."""
        new = dict(fds)
        for r in redirs:
            op = r.op
            if op in ("<<", "<<-"):
                text = "".join(p.text for p in r.body) if r.quoted else self._expand_parts_string(r.body or [])
                new[0 if r.fd is None else r.fd] = Source(text)
                continue
            if op == "<<<":
                new[0 if r.fd is None else r.fd] = Source(self.expand_string(r.target) + "\n")
                continue
            target = self.expand_string(r.target)
            if op in (">&", "<&"):
                fd = (1 if op == ">&" else 0) if r.fd is None else r.fd
                if target == "-":
                    new.pop(fd, None)
                    continue
                if target.isdigit():
                    src = int(target)
                    if src not in new:
                        self._redir_error(f"{target}: Bad file descriptor", new)
                        return None
                    new[fd] = new[src]
                    continue
                if op == ">&" and r.fd is None:
                    op = "&>"
                else:
                    self._redir_error(f"{target}: Bad file descriptor" if self.flavor != "dash"
                                      else "Syntax error: Bad fd number", new)
                    return None
            if op in ("<", "<>"):
                fd = 0 if r.fd is None else r.fd
                if not target:
                    self._redir_error("cannot open : No such file", new)
                    return None
                path = self.abspath(target)
                if path in ("/dev/null",):
                    new[fd] = Source("")
                    continue
                if path in ("/dev/stdin",):
                    continue
                try:
                    ctx = Ctx(self, ["sh"], {}, new)
                    if op == "<>" and not self.fs.lexists(path):
                        ctx.write_file(path, b"")
                    new[fd] = Source(ctx.read_text(path))
                except FS_ERRORS as exc:
                    code = getattr(exc, "code", "")
                    why = {"ENOENT": "No such file", "EACCES": "Permission denied",
                           "EISDIR": "Is a directory", "ENOTDIR": "Directory nonexistent"}.get(code, strerror(exc))
                    self._redir_error(f"cannot open {target}: {why}", new)
                    return None
                except CommandFailed as exc:
                    self._redir_error(f"cannot open {target}: {exc.message}", new)
                    return None
                continue
            # output: > >> >| &> &>>
            both = op in ("&>", "&>>")
            append = op in (">>", "&>>")
            fd = 1 if r.fd is None else r.fd
            sink = self._open_output(target, append, new)
            if sink is None:
                return None
            if both:
                new[1] = sink
                new[2] = sink
            else:
                new[fd] = sink
        return new

    def _redir_error(self, message: str, fds: dict) -> None:
        saved = self.fds
        self.fds = fds
        try:
            self.diag(message)
        finally:
            self.fds = saved

    def _open_output(self, target: str, append: bool, fds: dict):
        if not target:
            self._redir_error("cannot create : Directory nonexistent" if self.flavor == "dash"
                              else ": No such file or directory", fds)
            return None
        path = self.abspath(target)
        if path in ("/dev/null", "/dev/zero", "/dev/full", "/dev/tty", "/dev/random", "/dev/urandom"):
            return NULL
        if path in ("/dev/stdout", "/dev/fd/1"):
            return fds.get(1, NULL)
        if path in ("/dev/stderr", "/dev/fd/2"):
            return fds.get(2, NULL)
        fs = self.fs
        ctx = Ctx(self, ["sh"], {}, fds)
        try:
            real = fs.resolve(path)
            if fs.is_dir(real):
                self._redir_error(f"cannot create {target}: Is a directory", fds)
                return None
            parent = paths.parent(real)
            if not fs.is_dir(parent):
                self._redir_error(f"cannot create {target}: Directory nonexistent", fds)
                return None
            ctx.check_write(real)
            if not fs.exists(real):
                fs.write(real, b"", mode=0o666 & ~self.umask, uid=self.uid, gid=self.gid)
                widen_mode(fs, real, 0o666 & ~self.umask, self.umask)
            elif not append:
                from .base import inode_path
                fs.write(inode_path(fs, real), b"")
        except FS_ERRORS as exc:
            code = getattr(exc, "code", "")
            why = "Permission denied" if code == "EACCES" else (
                "Directory nonexistent" if code in ("ENOENT", "ENOTDIR") else strerror(exc))
            self._redir_error(f"cannot create {target}: {why}", fds)
            return None
        return FileSink(fs, real, self.uid, self.gid)


def is_busybox(fs, path: str) -> bool:
    """Is this program busybox: a symlink to it, or (as in the busybox image) a hard link of it?"""
    try:
        real = fs.resolve(path)
        if real.rsplit("/", 1)[-1] == "busybox":
            return True
        for candidate in ("/bin/busybox", "/usr/bin/busybox"):
            if fs.lexists(candidate):
                mine, theirs = fs.stat(real), fs.stat(candidate)
                return mine.nlink > 1 and mine.nlink == theirs.nlink and mine.size == theirs.size and \
                    fs.content(real) == fs.content(candidate)
    except (LayerlabError, OSError):
        pass
    return False


def widen_mode(fs, path: str, wanted: int, umask: int) -> None:
    """The tree applies umask 022 itself; a shell umask that clears fewer bits needs a chmod after."""
    if umask & 0o022 != 0o022:
        try:
            if fs.stat(path).mode & 0o7777 != wanted:
                fs.chmod(path, wanted)
        except (FilesystemError, SymlinkLoopError):
            pass


def _binary(head: bytes) -> bool:
    """Bytes that are not a text script (an ELF header, NULs, or not UTF-8)."""
    if b"\0" in head or head.startswith(b"\x7fELF"):
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start < len(head) - 3
    return False


def program_key(base: str) -> str:
    """The simulated program a file name stands for (python3.12 -> python3, pip3.12 -> pip3)."""
    if base in COMMANDS:
        return base
    m = re.fullmatch(r"(python|pip)(\d(\.\d+)?)?", base)
    if m:
        return m.group(1) + ("3" if m.group(2) else "")
    return base


def _split_unescaped(pattern: str) -> list[str]:
    out, cur, i = [], [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            cur.append(pattern[i:i + 2])
            i += 2
            continue
        if c == "/":
            out.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    out.append("".join(cur))
    return out


def _strip(value: str, pattern: str, op: str) -> str:
    rx = glob_compile(pattern)
    n = len(value)
    if op == "#":
        for i in range(0, n + 1):
            if rx.fullmatch(value[:i]):
                return value[i:]
    elif op == "##":
        for i in range(n, -1, -1):
            if rx.fullmatch(value[:i]):
                return value[i:]
    elif op == "%":
        for i in range(n, -1, -1):
            if rx.fullmatch(value[i:]):
                return value[:i]
    elif op == "%%":
        for i in range(0, n + 1):
            if rx.fullmatch(value[i:]):
                return value[:i]
    return value
