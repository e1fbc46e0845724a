"""Parse a Dockerfile the way BuildKit's dockerfile frontend does, with BuildKit's error messages.

BuildKit reads a Dockerfile in three layers, and so does this module:

1. lines become logical instructions: parser directives at the top, comments,
   line continuations with the escape character, heredoc bodies;
2. each instruction's argument text is split by its keyword's rule: the JSON
   exec form, plain words, ``key=value`` pairs;
3. each instruction is checked as ``instructions.Parse`` checks it (argument
   counts, flags, stage names) and sorted into build stages.

Variables are not substituted here: the builder does that when it runs an
instruction, with `expand` and `expand_words`, which follow BuildKit's shell
lexer (``frontend/dockerfile/shell/lex.go``).

>>> df = parse_dockerfile('''FROM ubuntu:14.04
... ADD run.sh /
... VOLUME /data
... CMD ["./run.sh"]
... ''')
>>> [(i.keyword, i.line, i.args) for i in df.instructions]
[('FROM', 1, ('ubuntu:14.04',)), ('ADD', 2, ('run.sh', '/')), ('VOLUME', 3, ('/data',)), ('CMD', 4, ('./run.sh',))]
>>> df.instructions[-1].json
True
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Mapping

from ..errors import DockerfileError, NotFoundError

KEYWORDS: tuple[str, ...] = (
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
    "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
)

# The instructions whose arguments BuildKit runs through the shell lexer before
# using them (the commands implementing Expand, EXPOSE's ports, and FROM's base
# name with the ARGs declared before the first FROM). ONBUILD is not among them:
# BuildKit stores the trigger as written and expands it when a child build runs it.
EXPANDS: frozenset[str] = frozenset(
    {"ADD", "ARG", "COPY", "ENV", "EXPOSE", "FROM", "LABEL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"})


@dataclass(frozen=True)
class Flag:
    """A ``--name=value`` flag written before an instruction's arguments (value None for a bare ``--name``)."""

    name: str
    value: str | None = None


@dataclass(frozen=True)
class Heredoc:
    """A here-document body; ``<<-`` (chomp) has already stripped leading tabs, a quoted delimiter turns expand off."""

    name: str
    content: str
    expand: bool = True
    chomp: bool = False


@dataclass(frozen=True)
class Healthcheck:
    """A HEALTHCHECK as the image config records it: the test, durations in nanoseconds (0 inherits) and retries."""

    test: tuple[str, ...]
    interval: int = 0
    timeout: int = 0
    start_period: int = 0
    start_interval: int = 0
    retries: int = 0


@dataclass(frozen=True)
class Instruction:
    """One instruction as BuildKit parses it, before any variable substitution.

    >>> text = "FROM alpine\\nRUN --mount=type=cache,target=/root/.cache \\\\\\n  pip install x\\n"
    >>> run = parse_dockerfile(text).instructions[1]
    >>> run.args_text, run.flag("mount"), run.line, run.end_line
    ('pip install x', 'type=cache,target=/root/.cache', 2, 3)
    """

    keyword: str
    original: str
    args_text: str
    flags: tuple[Flag, ...] = ()
    json: bool = False
    args: tuple[str, ...] = ()
    heredocs: tuple[Heredoc, ...] = ()
    line: int = 0
    end_line: int = 0
    stage: int = -1
    onbuild: Instruction | None = None
    escape: str = "\\"

    def flag(self, name: str, default: str | None = None) -> str | None:
        """The value of the last ``--name`` flag ("true" for a bare one), or default when it is absent."""
        for flag in reversed(self.flags):
            if flag.name == name:
                return "true" if flag.value is None else flag.value
        return default

    def flag_values(self, name: str) -> tuple[str, ...]:
        """Every value given to a repeatable flag such as ``--mount`` or ``--exclude``, in order."""
        return tuple("true" if f.value is None else f.value for f in self.flags if f.name == name)

    def pairs(self, env: Mapping[str, str] | None = None) -> tuple[tuple[str, str | None], ...]:
        """ENV/LABEL (key, value) pairs or ARG (name, default or None) pairs: as written, or expanded with env.

        >>> env = parse_dockerfile('FROM a\\nENV A=1 B="two words" C=$A').instructions[1]
        >>> env.pairs()
        (('A', '1'), ('B', '"two words"'), ('C', '$A'))
        >>> env.pairs({"A": "1"})
        (('A', '1'), ('B', 'two words'), ('C', '1'))
        """
        if self.keyword == "ARG":
            raw = tuple((w.split("=", 1)[0], w.split("=", 1)[1] if "=" in w else None) for w in self.args)
        elif self.keyword in ("ENV", "LABEL"):
            if self.args and "=" not in self.args[0]:
                raw = ((self.args[0], self.args[1]),)  # the legacy form: ENV KEY some value
            else:
                raw = tuple((w.split("=", 1)[0], w.split("=", 1)[1]) for w in self.args)
        else:
            raise AttributeError(f"a {self.keyword} instruction has no key/value pairs: only ENV, LABEL and ARG do")
        if env is None:
            return raw
        return tuple((expand(key, env, escape=self.escape),
                      None if value is None else expand(value, env, escape=self.escape)) for key, value in raw)

    @property
    def arg_name(self) -> str:
        """The name the (first) variable of an ARG declares."""
        self._require("ARG", "arg_name")
        return self.pairs()[0][0]

    @property
    def arg_default(self) -> str | None:
        """The default value of the (first) variable of an ARG, or None when it has none."""
        self._require("ARG", "arg_default")
        return self.pairs()[0][1]

    @property
    def image(self) -> str:
        """The base image of a FROM, as written (variables not yet expanded)."""
        self._require("FROM", "image")
        return self.args[0]

    @property
    def as_name(self) -> str | None:
        """The stage name given by ``FROM image AS name``, lower-cased like BuildKit, or None."""
        self._require("FROM", "as_name")
        return self.args[2].lower() if len(self.args) == 3 else None

    @property
    def platform(self) -> str | None:
        """The ``--platform`` of a FROM, or None."""
        self._require("FROM", "platform")
        return self.flag("platform")

    @property
    def sources(self) -> tuple[str | Heredoc, ...]:
        """The sources of a COPY or ADD in order: paths as written, and a Heredoc for each ``<<EOF`` source."""
        self._require(("COPY", "ADD"), "sources")
        bodies = {doc.name: doc for doc in self.heredocs}
        out: list[str | Heredoc] = []
        for source in self.args[:-1]:
            doc = _heredoc_or_none(source)
            out.append(source if doc is None else bodies.get(doc.name, doc))
        return tuple(out)

    @property
    def dest(self) -> str:
        """The destination of a COPY or ADD, as written."""
        self._require(("COPY", "ADD"), "dest")
        return self.args[-1]

    @property
    def ports(self) -> tuple[str, ...]:
        """The ports of an EXPOSE, sorted as BuildKit sorts them (not yet expanded)."""
        self._require("EXPOSE", "ports")
        return tuple(sorted(self.args))

    @property
    def volumes(self) -> tuple[str, ...]:
        """The mount points of a VOLUME, trimmed like BuildKit trims them."""
        self._require("VOLUME", "volumes")
        return tuple(_trim_space(v) for v in self.args)

    @property
    def user(self) -> str:
        """The user (and group) of a USER instruction."""
        self._require("USER", "user")
        return self.args[0]

    @property
    def workdir(self) -> str:
        """The path of a WORKDIR instruction."""
        self._require("WORKDIR", "workdir")
        return self.args[0]

    @property
    def healthcheck(self) -> Healthcheck:
        """The health check a HEALTHCHECK sets: ``("NONE",)``, ``("CMD", ...)`` or ``("CMD-SHELL", command)``.

        >>> parse_dockerfile("FROM a\\nHEALTHCHECK --interval=30s CMD curl -f localhost").instructions[1].healthcheck
        Healthcheck(test=('CMD-SHELL', 'curl -f localhost'), interval=30000000000, timeout=0, start_period=0, \
start_interval=0, retries=0)
        """
        self._require("HEALTHCHECK", "healthcheck")
        if self.args[0].upper() == "NONE":
            return Healthcheck(("NONE",))
        return Healthcheck(
            ("CMD" if self.json else "CMD-SHELL",) + self.args[1:],
            interval=_interval(self, "interval"),
            timeout=_interval(self, "timeout"),
            start_period=_interval(self, "start-period"),
            start_interval=_interval(self, "start-interval"),
            retries=_retries(self.flag("retries", "")),
        )

    def _require(self, keywords: str | tuple[str, ...], what: str) -> None:
        if self.keyword not in ((keywords,) if isinstance(keywords, str) else keywords):
            raise AttributeError(f"a {self.keyword} instruction has no {what}")


@dataclass(frozen=True)
class Stage:
    """A build stage: the FROM that starts it and the instructions after it, up to the next FROM."""

    index: int
    name: str | None
    base: str
    platform: str | None
    instructions: tuple[Instruction, ...]
    from_instruction: Instruction


@dataclass(frozen=True)
class Dockerfile:
    """A parsed Dockerfile: its parser directives, its instructions in order and its build stages.

    >>> df = parse_dockerfile("ARG V=3\\nFROM alpine:$V AS Base\\nRUN true\\nFROM base\\n")
    >>> [(s.index, s.name, s.base) for s in df.stages], df.instructions[0].stage
    ([(0, 'base', 'alpine:$V'), (1, None, 'base')], -1)
    >>> df.stage("BASE").instructions[0].args
    ('true',)
    """

    directives: Mapping[str, str]
    escape: str
    instructions: tuple[Instruction, ...]
    stages: tuple[Stage, ...]
    text: str
    filename: str = "Dockerfile"

    def stage(self, name_or_index: str | int) -> Stage:
        """The stage at this index, or with this name (compared case-insensitively, like BuildKit)."""
        if isinstance(name_or_index, int):
            if 0 <= name_or_index < len(self.stages):
                return self.stages[name_or_index]
        else:
            for stage in self.stages:
                if stage.name is not None and stage.name == name_or_index.lower():
                    return stage
        raise NotFoundError(f"target stage {_go_quote(str(name_or_index))} could not be found: "
                            f"{self.filename} has stages {[s.name or s.index for s in self.stages]}")


def parse_dockerfile(text: str, *, filename: str = "Dockerfile") -> Dockerfile:
    """Parse text as BuildKit does, or raise DockerfileError naming the file, the line and BuildKit's reason.

    >>> parse_dockerfile("FROM alpine\\nRUUN echo hi\\n")
    Traceback (most recent call last):
    ...
    layerlab.errors.DockerfileError: Dockerfile:2: unknown instruction: RUUN (did you mean RUN?)
    """
    if text == "":
        raise _error(filename, None, "the Dockerfile cannot be empty")
    directives, escape, read = _read_instructions(text, filename)
    if not read:
        raise _error(filename, None, "file with no instructions")
    instructions, stages = _sort_into_stages(read, filename)
    return Dockerfile(MappingProxyType(directives), escape, instructions, stages, text, filename)


# --- Layer 1: lines into logical instructions (BuildKit parser/parser.go) ---------------------

_DIRECTIVES = ("syntax", "escape", "check")
_DIRECTIVE = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*")
_CONTINUATION = {
    escape: re.compile(rf"([^{re.escape(escape)}]){re.escape(escape)}[ \t]*\Z|\A{re.escape(escape)}[ \t]*\Z")
    for escape in ("\\", "`")
}
_HEREDOC_KEYWORDS = ("ADD", "COPY", "RUN")


def _read_instructions(text: str, filename: str) -> tuple[dict[str, str], str, list[tuple[Instruction, str]]]:
    """Read directives and logical instructions (each with its keyword as written), checking only line syntax."""
    lines = _scan_lines(text.removeprefix("\ufeff"))
    directives: dict[str, str] = {}
    escape = "\\"
    in_directives = True
    read: list[tuple[Instruction, str]] = []
    i = 0
    while i < len(lines):
        token = _trim_left(_trim_newline(lines[i]))
        i += 1
        if in_directives:
            found = _directive(token)
            if found is None:
                in_directives = False
            else:
                key, value = found
                if key in directives:
                    raise _error(filename, i, f"only one {key} parser directive can be used", lines[i - 1])
                if key == "escape" and value not in ("\\", "`"):
                    raise _error(filename, i, f"invalid escape token '{value}' does not match ` or \\",
                                 lines[i - 1])
                directives[key] = value
                if key == "escape":
                    escape = value
        start = i
        logical, done = _trim_continuation("" if _is_comment(token) else token, escape)
        if done and logical == "":
            continue
        while not done and i < len(lines):
            raw = lines[i]
            i += 1
            if _is_comment(raw) or _trim_left(_trim_newline(raw)) == "":
                continue  # comments inside a continuation are dropped, empty lines skipped
            part, done = _trim_continuation(_trim_newline(raw), escape)
            logical += part
        try:
            instruction, spelled = _instruction(logical, escape)
            bodies: list[tuple[Heredoc, str]] = []
            if _can_contain_heredoc(instruction) and "<<" in logical:
                for doc in _heredocs_from_line(logical):
                    body, i = _heredoc_body(lines, i, doc)
                    if body is None:
                        raise _Problem("unterminated heredoc")
                    bodies.append((doc, body))
        except _Problem as problem:
            raise _error(filename, start, str(problem), _source(lines, start, i)) from None
        read.append((_with_heredocs(instruction, logical, bodies, _source(lines, start, i), start, i), spelled))
    return directives, escape, read


def _scan_lines(text: str) -> list[str]:
    """Split text into lines that keep their line feed, as BuildKit's scanner does."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _directive(token: str) -> tuple[str, str] | None:
    """The (name, value) of a ``# name=value`` parser directive BuildKit knows, or None."""
    if not token.startswith("#"):
        return None
    match = _DIRECTIVE.fullmatch(_trim_left(token[1:]))
    if match is None or match[1].lower() not in _DIRECTIVES:
        return None
    return match[1].lower(), match[2]


def _trim_continuation(line: str, escape: str) -> tuple[str, bool]:
    """Drop a trailing escape character (the line goes on) and say whether the instruction ended here."""
    match = _CONTINUATION[escape].search(line)
    if match is None:
        return line, True
    return line[:match.start()] + (match[1] or ""), False


def _heredoc_body(lines: list[str], i: int, doc: Heredoc) -> tuple[str | None, int]:
    """Read a heredoc body from line index i up to its terminator; None when the file ends first."""
    body = []
    while i < len(lines):
        raw = lines[i]
        i += 1
        candidate = _trim_newline(raw)
        if (candidate.lstrip("\t") if doc.chomp else candidate) == doc.name:
            return "".join(body), i
        body.append(raw)
    return None, i


def _with_heredocs(instruction: Instruction, logical: str, bodies: list[tuple[Heredoc, str]],
                   original: str, line: int, end_line: int) -> Instruction:
    """Attach heredoc bodies and source position to an instruction (and to an ONBUILD trigger)."""
    heredocs = tuple(replace(doc, content=_chomp(body) if doc.chomp else body) for doc, body in bodies)
    inner = instruction.onbuild
    if inner is not None:
        # BuildKit stores the trigger as the text after ONBUILD, heredoc bodies appended.
        trigger = re.sub(r"(?i)^[\t\n\f\r ]*ONBUILD[\t\n\f\r ]*", "", logical, count=1)
        trigger += "".join("\n" + body + doc.name for doc, body in bodies)
        inner = replace(inner, original=trigger, heredocs=heredocs, line=line, end_line=end_line)
    return replace(instruction, original=original, heredocs=heredocs, line=line, end_line=end_line, onbuild=inner)


def _can_contain_heredoc(instruction: Instruction) -> bool:
    """Whether BuildKit looks for heredocs in this instruction: shell-form RUN, COPY, ADD, also as ONBUILD triggers."""
    target = instruction.onbuild if instruction.onbuild is not None else instruction
    return target.keyword in _HEREDOC_KEYWORDS and not target.json


def _chomp(content: str) -> str:
    return re.sub(r"(?m)^\t+", "", content)


def _source(lines: list[str], start: int, end: int) -> str:
    return "".join(lines[start - 1:end]).removesuffix("\n").removesuffix("\r")


def _trim_newline(line: str) -> str:
    return line.rstrip("\r\n")


def _is_comment(line: str) -> bool:
    return _trim_left(line).startswith("#")


# --- Layer 2: one logical line into keyword, flags and arguments (parser/line_parsers.go) -------

_TOKEN_WHITESPACE = re.compile(r"[\t\v\f\r ]+")
_NOT_STRING_ARRAY = "when using JSON array syntax, arrays must be comprised of strings only"


def _instruction(line: str, escape: str) -> tuple[Instruction, str]:
    """Split a logical line into an Instruction, returning it with its keyword as written."""
    parts = _TOKEN_WHITESPACE.split(_trim_space(line), maxsplit=1)
    spelled, rest, flags = parts[0], "", ()
    if len(parts) == 2:
        rest, flags = _extract_flags(parts[1])
        rest = _trim_space(rest)
    args, is_json = _arguments(spelled.upper(), rest, escape)
    inner = _instruction(rest, escape)[0] if spelled.upper() == "ONBUILD" and rest else None
    return Instruction(spelled.upper(), line, rest, flags, is_json, args, onbuild=inner, escape=escape), spelled


def _extract_flags(line: str) -> tuple[str, tuple[Flag, ...]]:
    """Take the leading ``--flag`` words off an argument text (quotes and backslashes processed), like BuildKit."""
    words: list[str] = []
    word, quote, blank_ok, phase = "", "", False, "space"
    pos = 0
    while pos < len(line):
        ch = line[pos]
        pos += 1
        if phase == "space":
            if _is_space(ch):
                continue
            if not line.startswith("--", pos - 1):
                return line[pos - 1:], _flags(words)
            phase = "word"
        if phase == "word":
            if _is_space(ch):
                if word == "--":
                    return line[pos - 1:], _flags(words)
                if blank_ok or word:
                    words.append(word)
                word, blank_ok, phase = "", False, "space"
            elif ch in "'\"":
                quote, blank_ok, phase = ch, True, "quote"
            elif ch != "\\":
                word += ch
            elif pos < len(line):
                word += line[pos]
                pos += 1
        elif ch == quote:
            phase = "word"
        elif ch != "\\":
            word += ch
        elif pos < len(line):
            word += line[pos]
            pos += 1
        else:
            phase = "word"
    if phase != "space" and word != "--" and (blank_ok or word):
        words.append(word)
    return "", _flags(words)


def _flags(words: list[str]) -> tuple[Flag, ...]:
    return tuple(Flag(w.partition("=")[0][2:], w.partition("=")[2] if "=" in w else None) for w in words)


def _arguments(keyword: str, rest: str, escape: str) -> tuple[tuple[str, ...], bool]:
    """Split an argument text by the keyword's rule; the flag says it was a JSON array."""
    if keyword in ("ADD", "COPY", "VOLUME"):
        array = _json_array(rest)
        return (array, True) if array is not None else (_split_whitespace(rest), False)
    if keyword in ("CMD", "ENTRYPOINT", "RUN", "SHELL"):
        array = _json_array(rest) if rest else None
        return (array, True) if array is not None else (((rest,) if rest else ()), False)
    if keyword == "HEALTHCHECK":
        return _healthcheck_arguments(rest)
    if keyword in ("ENV", "LABEL"):
        return _name_values(rest, keyword, escape), False
    if keyword == "ARG":
        return tuple(_words(rest, escape)), False
    if keyword in ("EXPOSE", "FROM"):
        return _split_whitespace(rest), False
    if keyword in ("MAINTAINER", "ONBUILD", "STOPSIGNAL", "USER", "WORKDIR"):
        return ((rest,) if rest else ()), False
    return (), False


def _json_array(rest: str) -> tuple[str, ...] | None:
    """The strings of a JSON array, or None when rest is not one (BuildKit then falls back to shell form)."""
    rest = _trim_left(rest)
    if not rest.startswith("["):
        return None
    try:
        value = json.loads(rest, parse_constant=_reject_constant)
    except ValueError:
        return None
    if not all(isinstance(item, str) for item in value):
        raise _Problem(_NOT_STRING_ARRAY)
    return tuple(value)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")  # Go's decoder refuses NaN and Infinity


def _healthcheck_arguments(rest: str) -> tuple[tuple[str, ...], bool]:
    """HEALTHCHECK's arguments: the type word, then the command in exec or shell form."""
    sep = 0
    while sep < len(rest) and not _is_space(rest[sep]):
        sep += 1
    if sep == 0:
        return (), False
    command = _trim_left(rest[sep:])
    array = _json_array(command) if command else None
    if array is not None:
        return (rest[:sep],) + array, True
    return (rest[:sep],) + ((command,) if command else ()), False


def _name_values(rest: str, keyword: str, escape: str) -> tuple[str, ...]:
    """ENV and LABEL words: ``k=v`` words, or (key, value) for the legacy ``ENV key value`` form."""
    words = _words(rest, escape)
    if not words:
        return ()
    if "=" not in words[0]:
        parts = _TOKEN_WHITESPACE.split(rest, maxsplit=1)
        if len(parts) < 2:
            raise _Problem(f"{keyword} must have two arguments")
        return tuple(parts)
    for word in words:
        if "=" not in word:
            raise _Problem(f"Syntax error - can't find = in {_go_quote(word)}. Must be of the form: name=value")
    return tuple(words)


def _words(rest: str, escape: str) -> list[str]:
    """Split on unquoted whitespace, keeping quotes and escapes in the words (BuildKit's parseWords)."""
    words: list[str] = []
    word, quote, blank_ok, phase = "", "", False, "space"
    pos = 0
    while pos < len(rest):
        ch = rest[pos]
        if phase == "space":
            if _is_space(ch):
                pos += 1
                continue
            phase = "word"
        if phase == "word":
            if _is_space(ch):
                if blank_ok or word:
                    words.append(word)
                word, blank_ok, phase = "", False, "space"
                pos += 1
                continue
            if ch in "'\"":
                quote, blank_ok, phase = ch, True, "quote"
            if ch == escape:
                if pos + 1 == len(rest):
                    pos += 1
                    continue  # an escape at the very end is dropped
                word += ch
                pos += 1
                ch = rest[pos]
            word += ch
            pos += 1
            continue
        if ch == quote:
            phase = "word"
        if ch == escape and quote != "'":
            if pos + 1 == len(rest):
                phase = "word"
                pos += 1
                continue
            word += ch
            pos += 1
            ch = rest[pos]
        word += ch
        pos += 1
    if phase != "space" and (blank_ok or word):
        words.append(word)
    return words


def _split_whitespace(rest: str) -> tuple[str, ...]:
    return tuple(_TOKEN_WHITESPACE.split(rest)) if rest else ()


_HEREDOC_WORD = re.compile(r"([0-9]*)<<(-?)([^<]*)")


def _heredocs_from_line(line: str) -> list[Heredoc]:
    """The heredocs a line opens, in order, found the way BuildKit finds them (lexing the whole line)."""
    try:
        words = _Lexer(line, {}, "\\", raw_quotes=True, raw_escapes=True, skip_unset=True).process()[1]
    except _Problem:
        return []  # BuildKit ignores a line it cannot lex
    return [doc for doc in map(_heredoc_word, words) if doc is not None]


def _heredoc_word(word: str) -> Heredoc | None:
    """The heredoc a word such as ``<<EOF``, ``<<-EOF`` or ``<<"EOF"`` opens, with an empty body; None otherwise."""
    match = _HEREDOC_WORD.fullmatch(word)
    if match is None or match[3] == "":
        return None
    rest = match[3]
    words = _Lexer(rest, {}, "\\", skip_unset=True).process()[1]
    if len(words) != 1:
        return None
    raw_words = _Lexer(rest, {}, "\\", skip_unset=True, raw_quotes=True).process()[1]
    if len(raw_words) != 1:
        raise _Problem(f"internal lexing of heredoc produced inconsistent results: {rest}")
    quotes = sum(words[0].count(q) for q in "'\""), sum(raw_words[0].count(q) for q in "'\"")
    return Heredoc(words[0], "", expand=quotes[0] == quotes[1], chomp=match[2] == "-")


# --- Layer 3: BuildKit's checks on each instruction, and the build stages (instructions/parse.go) --

_BOOL, _STRING, _STRINGS = "bool", "string", "strings"
_FLAGS: dict[str, dict[str, str]] = {
    "ADD": {"chown": _STRING, "chmod": _STRING, "link": _BOOL, "keep-git-dir": _BOOL, "checksum": _STRING,
            "exclude": _STRINGS, "unpack": _BOOL},
    "COPY": {"chown": _STRING, "from": _STRING, "chmod": _STRING, "link": _BOOL, "exclude": _STRINGS,
             "parents": _BOOL},
    "FROM": {"platform": _STRING},
    "RUN": {"mount": _STRINGS, "network": _STRING, "security": _STRING},
    "HEALTHCHECK": {"interval": _STRING, "timeout": _STRING, "start-period": _STRING, "start-interval": _STRING,
                    "retries": _STRING},
}
_STAGE_NAME = re.compile(r"[a-z][a-z0-9_.-]*")


def _sort_into_stages(read: list[tuple[Instruction, str]], filename: str
                      ) -> tuple[tuple[Instruction, ...], tuple[Stage, ...]]:
    """Check every instruction in order and give each its stage; only ARG may come before the first FROM."""
    instructions: list[Instruction] = []
    stages: list[list[Instruction]] = []
    for instruction, spelled in read:
        try:
            _check(instruction, spelled)
            if instruction.keyword == "FROM":
                stages.append([])
            elif not stages and instruction.keyword != "ARG":
                raise _Problem("no build stage in current context")
        except _Problem as problem:
            raise _error(filename, instruction.line, str(problem), instruction.original) from None
        instruction = _in_stage(instruction, len(stages) - 1)
        instructions.append(instruction)
        if stages:
            stages[-1].append(instruction)
    if not stages:
        raise _error(filename, None, "dockerfile contains no stages to build")
    built = tuple(Stage(index, first.as_name, first.image, first.platform, tuple(rest), first)
                  for index, (first, *rest) in enumerate(stages))
    seen: set[str] = set()
    for stage in built:
        if stage.name in seen:
            raise _error(filename, stage.from_instruction.line,
                         f"Duplicate stage name '{stage.name}', stage names should be unique",
                         stage.from_instruction.original)
        if stage.name is not None:
            seen.add(stage.name)
    return tuple(instructions), built


def _in_stage(instruction: Instruction, index: int) -> Instruction:
    inner = instruction.onbuild
    return replace(instruction, stage=index, onbuild=None if inner is None else replace(inner, stage=index))


def _check(instruction: Instruction, spelled: str) -> None:
    """Raise the problem BuildKit's instructions.Parse finds in this instruction, if any."""
    check = _CHECKS.get(instruction.keyword)
    if check is None:
        raise _Problem(_suggest(f"unknown instruction: {spelled}", spelled, KEYWORDS, case_sensitive=False))
    check(instruction)


def _check_flags(instruction: Instruction) -> None:
    """Refuse flags the keyword does not take, repeated ones and missing values, like BuildKit's BFlags.Parse."""
    known = _FLAGS.get(instruction.keyword, {})
    seen: set[str] = set()
    for flag in instruction.flags:
        written = "--" + flag.name
        kind = known.get(flag.name)
        if kind is None:
            raise _Problem(_suggest(f"unknown flag: {written}", flag.name, known, case_sensitive=True))
        if flag.name in seen and kind != _STRINGS:
            raise _Problem(f"duplicate flag specified: {written}")
        seen.add(flag.name)
        if (kind == _BOOL and flag.value == "") or (kind != _BOOL and flag.value is None):
            raise _Problem(f"missing a value on flag: {written}")
        if kind == _BOOL and flag.value is not None and flag.value.lower() not in ("true", "false"):
            raise _Problem(f"expecting boolean value for flag {written}, not: {flag.value}")


def _check_key_values(instruction: Instruction) -> None:
    _check_flags(instruction)
    if not instruction.args:
        raise _Problem(f"{instruction.keyword} requires at least one argument")
    if any(key == "" for key, _ in instruction.pairs()):
        raise _Problem(f"{instruction.keyword} names can not be blank")


def _check_one_argument(instruction: Instruction) -> None:
    if len(instruction.args) != 1:
        raise _Problem(f"{instruction.keyword} requires exactly one argument")
    if instruction.keyword != "STOPSIGNAL":  # BuildKit never reads STOPSIGNAL's flags
        _check_flags(instruction)


def _check_at_least_one(instruction: Instruction) -> None:
    if not instruction.args:
        raise _Problem(f"{instruction.keyword} requires at least one argument")
    _check_flags(instruction)
    if instruction.keyword == "VOLUME" and "" in instruction.volumes:
        raise _Problem("VOLUME specified can not be an empty string")


def _check_sources_and_dest(instruction: Instruction) -> None:
    if len(instruction.args) < 2:
        raise _Problem(f"{instruction.keyword} requires at least two arguments, but only one was provided. "
                       "Destination could not be determined")
    _check_flags(instruction)
    if _heredoc_or_none(instruction.dest) is not None:
        raise _Problem(f"{instruction.keyword} cannot accept a heredoc as a destination")


def _check_from(instruction: Instruction) -> None:
    args = instruction.args
    if len(args) == 3 and args[1].casefold() == "as":
        if not _STAGE_NAME.fullmatch(args[2].lower()):
            raise _Problem(f"invalid name for build stage: {_go_quote(args[2])}, "
                           "name can't start with a number or contain symbols")
    elif len(args) != 1:
        raise _Problem("FROM requires either one or three arguments")
    _check_flags(instruction)


def _check_onbuild(instruction: Instruction) -> None:
    if instruction.onbuild is None:
        raise _Problem("ONBUILD requires at least one argument")
    _check_flags(instruction)
    trigger = instruction.onbuild.keyword
    if trigger == "ONBUILD":
        raise _Problem("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
    if trigger in ("MAINTAINER", "FROM"):
        raise _Problem(f"{trigger} isn't allowed as an ONBUILD trigger")


def _check_run(instruction: Instruction) -> None:
    _check_flags(instruction)
    network = instruction.flag("network", "default")
    if network not in ("default", "none", "host"):
        raise _Problem(f"invalid network mode {_go_quote(network)}")
    security = instruction.flag("security", "sandbox")
    if security not in ("insecure", "sandbox"):
        raise _Problem(f"security {_go_quote(security)} is not valid")


def _check_healthcheck(instruction: Instruction) -> None:
    if not instruction.args:
        raise _Problem("HEALTHCHECK requires at least one argument")
    kind = instruction.args[0].upper()
    if kind == "NONE":  # BuildKit reads no flags for HEALTHCHECK NONE
        if len(instruction.args) > 1:
            raise _Problem("HEALTHCHECK NONE takes no arguments")
        return
    _check_flags(instruction)
    if kind != "CMD":
        raise _Problem(f"Unknown type {_go_quote(kind)} in HEALTHCHECK (try CMD)")
    if len(instruction.args) == 1:
        raise _Problem("Missing command after HEALTHCHECK CMD")
    for name in ("interval", "timeout", "start-period", "start-interval"):
        _interval(instruction, name)
    _retries(instruction.flag("retries", ""))


def _check_arg(instruction: Instruction) -> None:
    if not instruction.args:
        raise _Problem("ARG requires at least one argument")
    if any(name == "" for name, _ in instruction.pairs()):
        raise _Problem("ARG names can not be blank")


def _check_shell(instruction: Instruction) -> None:
    _check_flags(instruction)
    if not instruction.args:
        raise _Problem("SHELL requires at least one argument")
    if not instruction.json:
        raise _Problem("SHELL requires the arguments to be in JSON form")


_CHECKS = {
    "ADD": _check_sources_and_dest, "ARG": _check_arg, "CMD": _check_flags, "COPY": _check_sources_and_dest,
    "ENTRYPOINT": _check_flags, "ENV": _check_key_values, "EXPOSE": _check_at_least_one, "FROM": _check_from,
    "HEALTHCHECK": _check_healthcheck, "LABEL": _check_key_values, "MAINTAINER": _check_one_argument,
    "ONBUILD": _check_onbuild, "RUN": _check_run, "SHELL": _check_shell, "STOPSIGNAL": _check_one_argument,
    "USER": _check_one_argument, "VOLUME": _check_at_least_one, "WORKDIR": _check_one_argument,
}


def _heredoc_or_none(word: str) -> Heredoc | None:
    try:
        return _heredoc_word(word)
    except _Problem:
        return None


def _interval(instruction: Instruction, name: str) -> int:
    """A HEALTHCHECK duration flag in nanoseconds (0 when unset), refusing anything below BuildKit's 1ms."""
    text = instruction.flag(name, "")
    if text == "":
        return 0
    nanoseconds = _go_duration(text)
    if nanoseconds != 0 and nanoseconds < 1_000_000:
        raise _Problem(f"Interval {_go_quote(name)} cannot be less than 1ms")
    return nanoseconds


_DURATION_UNITS = {"ns": 1, "us": 10**3, "\u00b5s": 10**3, "\u03bcs": 10**3, "ms": 10**6, "s": 10**9,
                   "m": 60 * 10**9, "h": 3600 * 10**9}


def _go_duration(text: str) -> int:
    """Nanoseconds of a Go duration such as ``1m30s`` or ``1.5h``, with Go's error messages."""
    invalid = _Problem(f"time: invalid duration {_go_quote(text)}")
    rest = text[1:] if text[:1] in ("+", "-") else text
    if rest == "0":
        return 0
    if rest == "":
        raise invalid
    total = 0
    while rest:
        number = re.match(r"([0-9]*)(?:\.([0-9]*))?", rest)
        whole, fraction = number[1], number[2]
        if whole == "" and not fraction:
            raise invalid
        rest = rest[number.end():]
        unit = re.match(r"[^0-9.]*", rest)[0]
        if unit == "":
            raise _Problem(f"time: missing unit in duration {_go_quote(text)}")
        if unit not in _DURATION_UNITS:
            raise _Problem(f"time: unknown unit {_go_quote(unit)} in duration {_go_quote(text)}")
        rest = rest[len(unit):]
        scale = _DURATION_UNITS[unit]
        total += int(whole or "0") * scale + (int(fraction) * scale // 10 ** len(fraction) if fraction else 0)
    return -total if text.startswith("-") else total


def _retries(text: str) -> int:
    """HEALTHCHECK ``--retries`` as BuildKit reads it: a 32-bit integer, not negative."""
    if text == "":
        return 0
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        raise _Problem(f"strconv.ParseInt: parsing {_go_quote(text)}: invalid syntax")
    retries = int(text)
    if not -2**31 <= retries < 2**31:
        raise _Problem(f"strconv.ParseInt: parsing {_go_quote(text)}: value out of range")
    if retries < 0:
        raise _Problem(f"--retries cannot be negative ({retries})")
    return retries


# --- Variable substitution: BuildKit's shell lexer (shell/lex.go) ------------------------------

def expand(word: str, env: Mapping[str, str], *, escape: str = "\\", strict_unset: bool = False) -> str:
    """Substitute variables in word and remove its quotes and escapes, as BuildKit does for ENV, COPY, WORKDIR...

    Unset variables expand to "" unless strict_unset, which refuses them with
    the wording of BuildKit's UndefinedVar check.

    >>> expand('${HOME:-/root}/"my dir"/$USER', {"USER": "app"})
    '/root/my dir/app'
    >>> expand("'$USER' \\\\$USER ${USER:+set} ${FILE%.tar.gz}", {"USER": "app", "FILE": "x.tar.gz"})
    '$USER $USER set x'
    """
    try:
        return _Lexer(word, env, escape, strict_unset=strict_unset).process()[0]
    except _Problem as problem:
        raise DockerfileError(str(problem)) from None


def expand_words(text: str, env: Mapping[str, str], *, escape: str = "\\") -> list[str]:
    """Substitute variables, then split into words on unquoted whitespace, as BuildKit's ProcessWords does.

    >>> expand_words('echo "$GREETING world" $EMPTY done', {"GREETING": "hello"})
    ['echo', 'hello world', 'done']
    """
    try:
        return _Lexer(text, env, escape).process()[1]
    except _Problem as problem:
        raise DockerfileError(str(problem)) from None


class _Lexer:
    """One pass of BuildKit's shell lexer over a text: the expanded string and its words."""

    def __init__(self, text: str, env: Mapping[str, str], escape: str, *, raw_quotes: bool = False,
                 raw_escapes: bool = False, skip_unset: bool = False, strict_unset: bool = False):
        self.text, self.env, self.escape = text, env, escape
        self.raw_quotes, self.raw_escapes = raw_quotes, raw_escapes
        self.skip_unset, self.strict_unset = skip_unset, strict_unset
        self.pos = 0

    def process(self) -> tuple[str, list[str]]:
        try:
            return self._until(None, self.raw_escapes)
        except _Problem as problem:
            raise _Problem(f"failed to process {_go_quote(self.text)}: {problem}") from None

    def _peek(self) -> str | None:
        return self.text[self.pos] if self.pos < len(self.text) else None

    def _next(self) -> str | None:
        ch = self._peek()
        self.pos += ch is not None
        return ch

    def _until(self, stop: str | None, raw_escapes: bool) -> tuple[str, list[str]]:
        """Process up to the stop character (consumed) or the end of the text."""
        saved, self.raw_escapes = self.raw_escapes, raw_escapes
        try:
            result, words = [], _Words()
            while (ch := self._peek()) is not None:
                if ch == stop:
                    self._next()
                    return "".join(result), words.done()
                if ch == "$":
                    value = self._dollar()
                    words.add_text(value)
                elif ch in "'\"":
                    value = self._single_quoted() if ch == "'" else self._double_quoted()
                    words.add_raw(value)
                else:
                    value = self._next()
                    if value == self.escape:
                        if self.raw_escapes:
                            words.add_raw(value)
                            result.append(value)
                        value = self._next()
                        if value is None:
                            break
                        words.add_raw(value)
                    else:
                        words.add_text(value)
                result.append(value)
            if stop is not None:
                raise _Problem(f"unexpected end of statement while looking for matching {stop}")
            return "".join(result), words.done()
        finally:
            self.raw_escapes = saved

    def _single_quoted(self) -> str:
        opening = self._next()
        out = [opening] if self.raw_quotes else []
        while True:
            ch = self._next()
            if ch is None:
                raise _Problem("unexpected end of statement while looking for matching single-quote")
            if ch == "'":
                return "".join(out + ([ch] if self.raw_quotes else []))
            out.append(ch)

    def _double_quoted(self) -> str:
        opening = self._next()
        out = [opening] if self.raw_quotes else []
        while True:
            ch = self._peek()
            if ch is None:
                raise _Problem("unexpected end of statement while looking for matching double-quote")
            if ch == '"':
                self._next()
                return "".join(out + ([ch] if self.raw_quotes else []))
            if ch == "$":
                out.append(self._dollar())
                continue
            ch = self._next()
            if ch == self.escape:
                if self.raw_escapes:
                    out.append(ch)
                if self._peek() is None:
                    continue
                if self._peek() in ('"', "$", self.escape):
                    ch = self._next()
            out.append(ch)

    def _dollar(self) -> str:
        self._next()
        if self._peek() != "{":
            name = self._name()
            if name == "":
                return "$"
            value = self._lookup(name)
            if value is None:
                return "$" + name if self.skip_unset else self._undefined(name)
            return value
        self._next()
        if self._peek() is None:
            raise _Problem("syntax error: missing '}'")
        if self._peek() in "{}:":
            raise _Problem("syntax error: bad substitution")
        name = self._name()
        ch = self._next()
        if ch is None:
            raise _Problem("syntax error: missing '}'")
        if ch == "}":
            value = self._lookup(name)
            if value is None:
                return "${" + name + "}" if self.skip_unset else self._undefined(name)
            return value
        if ch == "/":
            return self._replace(name)
        modifier, null_is_unset = ch, ch == ":"
        if null_is_unset:
            ch = self._next()
            modifier += ch or ""
        if ch not in ("+", "-", "?", "#", "%") and not null_is_unset:
            raise _Problem(f"unsupported modifier ({modifier}) in substitution")
        try:
            word = self._until("}", ch in ("#", "%"))[0]
        except _Problem:
            if self._peek() is None:
                raise _Problem("syntax error: missing '}'") from None
            raise
        value = self._lookup(name)
        if value is None and self.skip_unset:
            return "${" + name + modifier + word + "}"
        empty = value is None or (null_is_unset and value == "")
        if ch == "-":
            return word if empty else value
        if ch == "+":
            return "" if empty else word
        if ch == "?":
            if value is None:
                raise _Problem(f"{name}: {word or 'is not allowed to be unset'}")
            if empty:
                raise _Problem(f"{name}: {word or 'is not allowed to be empty'}")
            return value
        if ch in ("#", "%"):
            if value is None:
                value = self._undefined(name)
            greedy = word.startswith(ch)
            pattern = word[1:] if greedy else word
            return _trim_suffix(pattern, value, greedy) if ch == "%" else _trim_prefix(pattern, value, greedy)
        raise _Problem(f"unsupported modifier ({modifier}) in substitution")

    def _replace(self, name: str) -> str:
        """``${name/pattern/replacement}`` and ``${name//pattern/replacement}``."""
        replace_all = self._peek() == "/"
        if replace_all:
            self._next()
        try:
            pattern = self._until("/", True)[0]
        except _Problem:
            if self._peek() is None:
                raise _Problem("syntax error: missing '/' in ${}") from None
            raise
        try:
            replacement = self._until("}", True)[0]
        except _Problem:
            if self._peek() is None:
                raise _Problem("syntax error: missing '}'") from None
            raise
        value = self._lookup(name)
        if value is None:
            if self.skip_unset:
                return "${" + name + "/" + pattern + "/" + replacement + "}"
            value = self._undefined(name)
        regex = _shell_pattern(pattern, greedy=True, anchored=False)
        return regex.sub(lambda _: replacement, value, count=0 if replace_all else 1)

    def _name(self) -> str:
        """A variable name: letters, digits and '_', a run of digits, or one special parameter."""
        name = ""
        while (ch := self._peek()) is not None:
            if name == "" and ch.isdecimal():
                while (digit := self._peek()) is not None and digit.isdecimal():
                    name += self._next()
                return name
            if name == "" and ch in "@*#?-$!0":
                return self._next()
            if not (ch.isalpha() or ch.isdecimal() or ch == "_"):
                break
            name += self._next()
        return name

    def _lookup(self, name: str) -> str | None:
        return self.env.get(name)

    def _undefined(self, name: str) -> str:
        if self.strict_unset:
            raise _Problem(f"Usage of undefined variable '${name}'")
        return ""


class _Words:
    """The word splitter of BuildKit's lexer: whitespace from variables splits, quoted text never does."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self.word = ""
        self.in_word = False

    def add_text(self, text: str) -> None:
        for ch in text:
            if _is_space(ch):
                if self.in_word and self.word:
                    self.words.append(self.word)
                    self.word, self.in_word = "", False
            else:
                self.add_raw(ch)

    def add_raw(self, text: str) -> None:
        self.word += text
        self.in_word = True

    def done(self) -> list[str]:
        if self.word:
            self.words.append(self.word)
            self.word, self.in_word = "", False
        return self.words


def _shell_pattern(pattern: str, *, greedy: bool, anchored: bool) -> re.Pattern[str]:
    """A regex for a ``${var#pattern}`` shell pattern: ``*`` any string, ``?`` one character, no brackets."""
    out = "^" if anchored else ""
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        i += 1
        if ch == "*":
            out += ".*" if greedy else ".*?"
        elif ch == "?":
            out += "."
        elif ch == "\\":
            following = pattern[i] if i < len(pattern) else ""
            if following in ("}", "/"):
                continue  # the escape only kept '}' or '/' from ending the ${...}
            i += 1
            if following not in ("*", "?", "\\"):
                raise _Problem(f"invalid pattern ({pattern}) in substitution: invalid escape '\\{following}'")
            out += "\\" + following
        else:
            out += re.escape(ch)
    return re.compile(out)


def _trim_prefix(pattern: str, value: str, greedy: bool) -> str:
    match = _shell_pattern(pattern, greedy=greedy, anchored=True).match(value)
    return value[match.end():] if match else value


def _trim_suffix(pattern: str, value: str, greedy: bool) -> str:
    """Trim the shortest (or longest) matching suffix by trimming a prefix of the reversed strings."""
    return _trim_prefix(_reverse_pattern(pattern), value[::-1], greedy)[::-1]


def _reverse_pattern(pattern: str) -> str:
    """Reverse a shell pattern, keeping each backslash in front of the character it escapes."""
    out = [""] * len(pattern)
    last, i = len(pattern) - 1, 0
    while i <= last:
        if pattern[i] == "\\" and i != last:
            out[last - i - 1], out[last - i] = "\\", pattern[i + 1]
            i += 2
        else:
            out[last - i] = pattern[i]
            i += 1
    return "".join(out)


# --- Small helpers: Go's whitespace and quoting, BuildKit's suggestions, errors -----------------

class _Problem(Exception):
    """A reason, in BuildKit's words, before the file and line are known."""


def _error(filename: str, line: int | None, reason: str, source: str | None = None) -> DockerfileError:
    """A DockerfileError reading ``Dockerfile:3: reason``, carrying filename, line, reason and source."""
    where = filename if line is None else f"{filename}:{line}"
    error = DockerfileError(f"{where}: {reason}")
    error.filename, error.line, error.reason, error.source = filename, line, reason, source
    return error


def _suggest(message: str, value: str, options, *, case_sensitive: bool) -> str:
    """Add BuildKit's "(did you mean X?)" when an option is within edit distance 2 of value."""
    wanted = value if case_sensitive else value.lower()
    match, best = "", 3
    for option in options:
        candidate = option if case_sensitive else option.lower()
        if candidate == wanted:
            return message
        distance = _levenshtein(wanted, candidate)
        if distance < best:
            match, best = candidate, distance
    if match and not case_sensitive and value != value.lower() and value == value.upper():
        match = match.upper()  # the suggestion follows the case the keyword was written in
    return f"{message} (did you mean {match}?)" if match else message


def _levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _is_space(ch: str) -> bool:
    """Go's unicode.IsSpace (Python's isspace also counts the separators U+001C..U+001F)."""
    return ch.isspace() and ch not in "\x1c\x1d\x1e\x1f"


def _trim_left(text: str) -> str:
    i = 0
    while i < len(text) and _is_space(text[i]):
        i += 1
    return text[i:]


def _trim_space(text: str) -> str:
    end = len(text)
    while end and _is_space(text[end - 1]):
        end -= 1
    return _trim_left(text[:end])


_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
               '"': '\\"', "\\": "\\\\"}


def _go_quote(text: str) -> str:
    """Quote text the way Go's %q does, as BuildKit's messages show values."""
    out = []
    for ch in text:
        if ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'
