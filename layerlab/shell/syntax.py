"""The POSIX sh grammar: a lexer and a recursive-descent parser that build a small AST.

Words keep their structure (literal, quoted, parameter, command substitution,
arithmetic) so expansion can tell quoted text from unquoted text, as a real
shell does. Syntax errors read like dash's: ``Syntax error: "fi" unexpected``.

>>> node = parse('echo "$HOME" && ls -l | wc -l')
>>> type(node).__name__, type(node.items[0][0]).__name__
('Sequence', 'AndOr')
>>> parse("if true; then echo").__class__
Traceback (most recent call last):
...
layerlab.shell.syntax.ParseError: Syntax error: end of file unexpected (expecting "fi")
"""

from __future__ import annotations

from typing import Any

from ..errors import ShellError

# -- word parts ------------------------------------------------------------------------------


class Lit:
    """Unquoted literal text (subject to globbing and tilde expansion, never to field splitting)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __repr__(self):
        return f"Lit({self.text!r})"


class Quoted:
    """Literal text that was quoted ('...', \\x, or plain text inside "...")."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __repr__(self):
        return f"Quoted({self.text!r})"


class DQ:
    """A double-quoted run: its expansions are not split or globbed."""

    __slots__ = ("parts",)

    def __init__(self, parts: list):
        self.parts = parts

    def __repr__(self):
        return f"DQ({self.parts!r})"


class Param:
    """$name, ${name}, ${name:-word}, ${#name}, ${name%pattern} ..."""

    __slots__ = ("name", "op", "arg")

    def __init__(self, name: str, op: str = "", arg: list | None = None):
        self.name = name
        self.op = op
        self.arg = arg

    def __repr__(self):
        return f"Param({self.name!r}, {self.op!r}, {self.arg!r})"


class CmdSub:
    """$(...) or `...`: the parsed command list and its source text."""

    __slots__ = ("node", "src")

    def __init__(self, node, src: str):
        self.node = node
        self.src = src

    def __repr__(self):
        return f"CmdSub({self.src!r})"


class Arith:
    """$((...)): the expression's parts (expanded, then evaluated)."""

    __slots__ = ("parts", "src")

    def __init__(self, parts: list, src: str):
        self.parts = parts
        self.src = src

    def __repr__(self):
        return f"Arith({self.src!r})"


class Word:
    """One shell word: its parts and the source text it came from."""

    __slots__ = ("parts", "raw")

    def __init__(self, parts: list, raw: str):
        self.parts = parts
        self.raw = raw

    def literal(self) -> str | None:
        """The text when the word is one unquoted literal (keywords, names), else None."""
        if len(self.parts) == 1 and isinstance(self.parts[0], Lit):
            return self.parts[0].text
        return None

    def __repr__(self):
        return f"Word({self.raw!r})"


# -- AST nodes ---------------------------------------------------------------------------------


class Node:
    __slots__ = ()


class Redir(Node):
    """A redirection: fd, operator and target word (or here-doc body)."""

    __slots__ = ("fd", "op", "target", "body", "quoted", "strip")

    def __init__(self, fd: int | None, op: str, target: Word | None):
        self.fd = fd
        self.op = op
        self.target = target
        self.body: list | None = None
        self.quoted = False
        self.strip = False


class Simple(Node):
    __slots__ = ("assigns", "words", "redirs", "line")

    def __init__(self, assigns, words, redirs, line):
        self.assigns = assigns
        self.words = words
        self.redirs = redirs
        self.line = line


class Pipeline(Node):
    __slots__ = ("cmds", "negate")

    def __init__(self, cmds, negate):
        self.cmds = cmds
        self.negate = negate


class AndOr(Node):
    __slots__ = ("first", "rest")

    def __init__(self, first, rest):
        self.first = first
        self.rest = rest


class Sequence(Node):
    """and-or lists run one after another; items are (AndOr, background)."""

    __slots__ = ("items",)

    def __init__(self, items):
        self.items = items


class Compound(Node):
    __slots__ = ("redirs",)


class Subshell(Compound):
    __slots__ = ("body",)

    def __init__(self, body):
        self.body = body
        self.redirs = []


class Group(Compound):
    __slots__ = ("body",)

    def __init__(self, body):
        self.body = body
        self.redirs = []


class If(Compound):
    __slots__ = ("clauses", "else_")

    def __init__(self, clauses, else_):
        self.clauses = clauses
        self.else_ = else_
        self.redirs = []


class For(Compound):
    __slots__ = ("var", "words", "body")

    def __init__(self, var, words, body):
        self.var = var
        self.words = words
        self.body = body
        self.redirs = []


class While(Compound):
    __slots__ = ("cond", "body", "until")

    def __init__(self, cond, body, until):
        self.cond = cond
        self.body = body
        self.until = until
        self.redirs = []


class Case(Compound):
    __slots__ = ("word", "items")

    def __init__(self, word, items):
        self.word = word
        self.items = items
        self.redirs = []


class FuncDef(Node):
    __slots__ = ("name", "body")

    def __init__(self, name, body):
        self.name = name
        self.body = body


# -- errors ------------------------------------------------------------------------------------


class ParseError(ShellError):
    """A syntax error; str() is dash's wording without the 'sh: N: ' prefix."""

    def __init__(self, message: str, line: int = 1):
        super().__init__(message)
        self.line = line


RESERVED = frozenset({"if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until",
                      "for", "in", "{", "}", "!"})
OPERATORS = ("&&", "||", ";;", "<<-", "<<<", "<<", ">>", "<&", ">&", "<>", ">|", "&>>", "&>",
             "&", "|", ";", "(", ")", "<", ">")
META = frozenset(" \t\n;&|<>()")
NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
NAME_CHARS = NAME_START | frozenset("0123456789")
SPECIAL_PARAMS = frozenset("@*#?-$!0123456789")


def is_name(s: str) -> bool:
    return bool(s) and s[0] in NAME_START and all(c in NAME_CHARS for c in s)


class Token:
    __slots__ = ("kind", "value", "word", "pos")

    def __init__(self, kind: str, value: str, word: Word | None, pos: int):
        self.kind = kind      # 'WORD', 'OP', 'NEWLINE', 'EOF', 'IO' (an fd number before a redirection)
        self.value = value
        self.word = word
        self.pos = pos

    def keyword(self) -> str | None:
        if self.kind == "WORD":
            lit = self.word.literal()
            if lit in RESERVED:
                return lit
        return None

    def show(self) -> str:
        if self.kind == "EOF":
            return "end of file"
        if self.kind == "NEWLINE":
            return "newline"
        return f'"{self.value}"'


# -- the parser ---------------------------------------------------------------------------------


class Parser:
    """Parse a command line (or the inside of $(...)) starting at pos."""

    def __init__(self, src: str, pos: int = 0, depth: int = 0):
        self.src = src
        self.pos = pos
        self.depth = depth
        self._peeked: Token | None = None
        self._pending: list[Redir] = []
        self._expect: list[str] = []
        self._line_done = False
        if depth > 50:
            raise ParseError("Syntax error: command substitutions nested too deeply", self.line())

    # -- helpers ---------------------------------------------------------------------------
    def line(self, pos: int | None = None) -> int:
        return self.src.count("\n", 0, self.pos if pos is None else pos) + 1

    def error(self, tok: Token, expecting: str | None = None) -> ParseError:
        msg = f"Syntax error: {tok.show()} unexpected"
        if expecting:
            msg += f' (expecting "{expecting}")'
        return ParseError(msg, self.line(tok.pos))

    def peek(self) -> Token:
        if self._peeked is None:
            self._peeked = self._lex()
        return self._peeked

    def next(self) -> Token:
        tok = self.peek()
        self._peeked = None
        return tok

    # -- lexing ----------------------------------------------------------------------------
    def _lex(self) -> Token:
        src, n = self.src, len(self.src)
        while True:
            while self.pos < n and src[self.pos] in " \t":
                self.pos += 1
            if self.pos < n and src[self.pos] == "\\" and src.startswith("\\\n", self.pos):
                self.pos += 2
                continue
            if self.pos < n and src[self.pos] == "#":
                while self.pos < n and src[self.pos] != "\n":
                    self.pos += 1
            break
        start = self.pos
        if self.pos >= n:
            return Token("EOF", "", None, start)
        c = src[self.pos]
        if c == "\n":
            self.pos += 1
            if self._pending:
                self._read_heredocs()
            return Token("NEWLINE", "\n", None, start)
        for op in OPERATORS:
            if src.startswith(op, self.pos):
                self.pos += len(op)
                return Token("OP", op, None, start)
        # an IO number: digits right before < or >
        j = self.pos
        while j < n and src[j].isdigit():
            j += 1
        if j > self.pos and j < n and src[j] in "<>":
            self.pos = j
            return Token("IO", src[start:j], None, start)
        word = self._read_word()
        return Token("WORD", word.raw, word, start)

    def _read_word(self) -> Word:
        start = self.pos
        parts = self._read_parts(stop=META)
        return Word(parts, self.src[start:self.pos])

    def _read_parts(self, stop: frozenset | str, in_brace: bool = False) -> list:
        """Read word parts until an unquoted character in stop (or end of input)."""
        src, n = self.src, len(self.src)
        parts: list = []
        buf: list[str] = []

        def flush():
            if buf:
                parts.append(Lit("".join(buf)))
                buf.clear()

        while self.pos < n:
            c = src[self.pos]
            if c in stop:
                break
            if c == "\\":
                if self.pos + 1 >= n:
                    buf.append("\\")
                    self.pos += 1
                    continue
                nxt = src[self.pos + 1]
                self.pos += 2
                if nxt == "\n":
                    continue
                flush()
                parts.append(Quoted(nxt))
            elif c == "'":
                end = src.find("'", self.pos + 1)
                if end < 0:
                    raise ParseError("Syntax error: Unterminated quoted string", self.line())
                flush()
                parts.append(Quoted(src[self.pos + 1:end]))
                self.pos = end + 1
            elif c == '"':
                flush()
                self.pos += 1
                parts.append(DQ(self._read_dq('"')))
            elif c == "$":
                flush()
                parts.append(self._read_dollar())
            elif c == "`":
                flush()
                parts.append(self._read_backtick())
            else:
                buf.append(c)
                self.pos += 1
        flush()
        return parts

    def _read_dq(self, end: str | None) -> list:
        """Inside double quotes (or a here-doc body when end is None): $, ` and \\ stay special."""
        src, n = self.src, len(self.src)
        parts: list = []
        buf: list[str] = []

        def flush():
            if buf:
                parts.append(Quoted("".join(buf)))
                buf.clear()

        while True:
            if self.pos >= n:
                if end is None:
                    break
                raise ParseError("Syntax error: Unterminated quoted string", self.line())
            c = src[self.pos]
            if end is not None and c == end:
                self.pos += 1
                break
            if c == "\\" and self.pos + 1 < n:
                nxt = src[self.pos + 1]
                if nxt in ("$`\\\n" + ('"' if end else "")):
                    self.pos += 2
                    if nxt != "\n":
                        buf.append(nxt)
                    continue
                buf.append("\\")
                self.pos += 1
            elif c == "$":
                flush()
                parts.append(self._read_dollar(in_dq=True))
            elif c == "`":
                flush()
                parts.append(self._read_backtick())
            else:
                buf.append(c)
                self.pos += 1
        flush()
        return parts

    def _read_dollar(self, in_dq: bool = False):
        src, n = self.src, len(self.src)
        start = self.pos
        self.pos += 1  # the '$'
        if self.pos >= n:
            return Quoted("$") if in_dq else Lit("$")
        c = src[self.pos]
        if c == "(":
            if src.startswith("((", self.pos):
                arith = self._try_arith(start)
                if arith is not None:
                    return arith
            sub = Parser(src, self.pos + 1, self.depth + 1)
            node = sub.parse_list(terminators=(")",))
            tok = sub.next()
            if not (tok.kind == "OP" and tok.value == ")"):
                raise sub.error(tok, ")")
            self.pos = sub.pos
            return CmdSub(node, src[start + 2:self.pos - 1])
        if c == "{":
            return self._read_brace(start)
        if c in SPECIAL_PARAMS:
            self.pos += 1
            return Param(c)
        if c in NAME_START:
            j = self.pos
            while j < n and src[j] in NAME_CHARS:
                j += 1
            name = src[self.pos:j]
            self.pos = j
            return Param(name)
        return Quoted("$") if in_dq else Lit("$")

    def _try_arith(self, start: int):
        """$(( ... )) with balanced parentheses; None when it is really $( (subshell) )."""
        src, n = self.src, len(self.src)
        j = self.pos + 2
        depth = 0
        while j < n:
            c = src[j]
            if c == "(":
                depth += 1
            elif c == ")":
                if depth == 0:
                    if src.startswith("))", j):
                        text = src[self.pos + 2:j]
                        sub = Parser(text, 0, self.depth + 1)
                        parts = sub._read_dq(None)
                        self.pos = j + 2
                        return Arith(parts, text)
                    return None
                depth -= 1
            j += 1
        raise ParseError('Syntax error: end of file unexpected (expecting "))")', self.line())

    def _read_brace(self, start: int):
        src, n = self.src, len(self.src)
        self.pos += 1  # '{'
        length = False
        if self.pos < n and src[self.pos] == "#" and self.pos + 1 < n and src[self.pos + 1] != "}":
            length = True
            self.pos += 1
        j = self.pos
        if j < n and src[j] in SPECIAL_PARAMS:
            j += 1
            if src[self.pos].isdigit():
                while j < n and src[j].isdigit():
                    j += 1
        else:
            while j < n and src[j] in NAME_CHARS:
                j += 1
        name = src[self.pos:j]
        self.pos = j
        if not name:
            self._skip_to_brace()
            return Param("", "bad", [Quoted(src[start:self.pos])])
        if length:
            if self.pos < n and src[self.pos] == "}":
                self.pos += 1
                return Param(name, "#len")
            self._skip_to_brace()
            return Param(name, "bad", [Quoted(src[start:self.pos])])
        if self.pos < n and src[self.pos] == "}":
            self.pos += 1
            return Param(name)
        for op in (":-", ":=", ":+", ":?", "##", "%%", "-", "=", "+", "?", "#", "%"):
            if src.startswith(op, self.pos):
                self.pos += len(op)
                arg = self._read_brace_arg()
                return Param(name, op, arg)
        self._skip_to_brace()
        return Param(name, "bad", [Quoted(src[start:self.pos])])

    def _skip_to_brace(self):
        end = self.src.find("}", self.pos)
        if end < 0:
            raise ParseError("Syntax error: Missing '}'", self.line())
        self.pos = end + 1

    def _read_brace_arg(self) -> list:
        parts = self._read_parts(stop="}", in_brace=True)
        if self.pos >= len(self.src):
            raise ParseError("Syntax error: Missing '}'", self.line())
        self.pos += 1
        return parts

    def _read_backtick(self):
        src, n = self.src, len(self.src)
        j = self.pos + 1
        out = []
        while True:
            if j >= n:
                raise ParseError('Syntax error: EOF in backquote substitution', self.line())
            c = src[j]
            if c == "`":
                break
            if c == "\\" and j + 1 < n and src[j + 1] in "$`\\":
                out.append(src[j + 1])
                j += 2
                continue
            out.append(c)
            j += 1
        self.pos = j + 1
        text = "".join(out)
        sub = Parser(text, 0, self.depth + 1)
        node = sub.parse_program()
        return CmdSub(node, text)

    def _read_heredocs(self) -> None:
        src, n = self.src, len(self.src)
        pending, self._pending = self._pending, []
        for redir in pending:
            delim = redir.target.raw
            lines = []
            while self.pos < n or not lines or True:
                if self.pos >= n:
                    break
                end = src.find("\n", self.pos)
                if end < 0:
                    end = n
                line = src[self.pos:end]
                self.pos = min(end + 1, n)
                check = line.lstrip("\t") if redir.strip else line
                if check == delim:
                    break
                lines.append(check + "\n")
            body = "".join(lines)
            if redir.quoted:
                redir.body = [Quoted(body)]
            else:
                redir.body = Parser(body, 0, self.depth + 1)._read_dq(None)

    # -- grammar ---------------------------------------------------------------------------
    def parse_program(self) -> Sequence:
        node = self.parse_list(terminators=())
        tok = self.peek()
        if tok.kind != "EOF":
            raise self.error(tok)
        return node

    def _skip_newlines(self) -> None:
        while self.peek().kind == "NEWLINE":
            self.next()

    def _at_end(self, terminators) -> bool:
        tok = self.peek()
        if tok.kind == "EOF":
            return True
        if tok.kind == "OP" and tok.value in (")", ";;") and (tok.value in terminators or tok.value == ";;"):
            return True
        kw = tok.keyword()
        return kw is not None and kw in terminators

    def parse_next(self) -> Sequence | None:
        """The next complete command line (up to a newline), or None at the end: dash runs each as it is read."""
        self._skip_newlines()
        if self.peek().kind == "EOF":
            return None
        self._line_done = False
        node = self.parse_list(terminators=(), one_line=True)
        if not self._line_done and self.peek().kind != "EOF":
            raise self.error(self.peek())
        return node

    def parse_list(self, terminators=(), one_line: bool = False) -> Sequence:
        items = []
        self._skip_newlines()
        while not self._at_end(terminators):
            tok = self.peek()
            if tok.kind == "OP" and tok.value == ")" and ")" not in terminators:
                raise self.error(tok)
            node = self.parse_and_or()
            background = False
            tok = self.peek()
            if tok.kind == "OP" and tok.value in (";", "&"):
                self.next()
                background = tok.value == "&"
                items.append((node, background))
                if one_line and self.peek().kind == "NEWLINE":
                    self.next()
                    self._line_done = True
                    break
                self._skip_newlines()
                continue
            items.append((node, background))
            if tok.kind == "NEWLINE":
                if one_line:
                    self.next()
                    self._line_done = True
                    break
                self._skip_newlines()
                continue
            break
        return Sequence(items)

    def parse_and_or(self) -> AndOr:
        first = self.parse_pipeline()
        rest = []
        while True:
            tok = self.peek()
            if tok.kind == "OP" and tok.value in ("&&", "||"):
                self.next()
                self._skip_newlines()
                rest.append((tok.value, self.parse_pipeline()))
            else:
                break
        return AndOr(first, rest)

    def parse_pipeline(self) -> Pipeline:
        negate = False
        if self.peek().keyword() == "!":
            self.next()
            negate = True
        cmds = [self.parse_command()]
        while True:
            tok = self.peek()
            if tok.kind == "OP" and tok.value == "|":
                self.next()
                self._skip_newlines()
                cmds.append(self.parse_command())
            else:
                break
        return Pipeline(cmds, negate)

    def parse_command(self):
        tok = self.peek()
        kw = tok.keyword()
        if tok.kind == "OP" and tok.value == "(":
            self.next()
            body = self.parse_list(terminators=(")",))
            end = self.next()
            if not (end.kind == "OP" and end.value == ")"):
                raise self.error(end, ")")
            if not body.items:
                raise self.error(end)
            node = Subshell(body)
            return self._compound_redirs(node)
        if kw is not None:
            if kw == "{":
                self.next()
                body = self._body_until("}")
                return self._compound_redirs(Group(body))
            if kw == "if":
                return self._compound_redirs(self.parse_if())
            if kw in ("while", "until"):
                self.next()
                cond = self._body_until("do", keep=True)
                self.next()
                body = self._body_until("done")
                return self._compound_redirs(While(cond, body, kw == "until"))
            if kw == "for":
                return self._compound_redirs(self.parse_for())
            if kw == "case":
                return self._compound_redirs(self.parse_case())
            raise self.error(tok, self._expect[-1] if self._expect and kw != "!" else None)
        if tok.kind == "WORD":
            # a function definition: name ( ) compound
            save_pos, save_peek = self.pos, self._peeked
            name = tok.word.literal()
            if name is not None and is_name(name):
                rest = self.src[self.pos:].lstrip(" \t")
                if rest.startswith("("):
                    after = rest[1:].lstrip(" \t")
                    if after.startswith(")"):
                        self.next()
                        self.next()  # (
                        close = self.next()
                        if not (close.kind == "OP" and close.value == ")"):
                            raise self.error(close)
                        self._skip_newlines()
                        body = self.parse_command()
                        if not isinstance(body, Compound):
                            raise ParseError("Syntax error: missing function body", self.line())
                        return FuncDef(name, body)
            self.pos, self._peeked = save_pos, save_peek
        return self.parse_simple()

    def _body_until(self, end_kw: str, keep: bool = False) -> Sequence:
        body = self.parse_list(terminators=(end_kw,) + (("}", ")") if end_kw != "}" else ()))
        tok = self.peek()
        if tok.keyword() != end_kw:
            raise self.error(tok, end_kw)
        if not body.items:
            raise self.error(tok)
        if not keep:
            self.next()
        return body

    def _compound_redirs(self, node):
        while True:
            tok = self.peek()
            if tok.kind == "IO" or (tok.kind == "OP" and tok.value in REDIR_OPS):
                node.redirs.append(self.parse_redirect())
            else:
                break
        return node

    def parse_if(self) -> If:
        self.next()  # if
        clauses = []
        else_ = None
        cond = self._cond_until("then")
        body = self._multi_until(("elif", "else", "fi"))
        clauses.append((cond, body))
        while True:
            tok = self.next()
            kw = tok.keyword()
            if kw == "elif":
                cond = self._cond_until("then")
                body = self._multi_until(("elif", "else", "fi"))
                clauses.append((cond, body))
            elif kw == "else":
                else_ = self._multi_until(("fi",))
                end = self.next()
                if end.keyword() != "fi":
                    raise self.error(end, "fi")
                break
            else:  # fi
                break
        return If(clauses, else_)

    def _cond_until(self, kw: str) -> Sequence:
        self._expect.append(kw)
        try:
            cond = self.parse_list(terminators=(kw,))
        finally:
            self._expect.pop()
        tok = self.peek()
        if tok.keyword() != kw:
            raise self.error(tok, kw)
        if not cond.items:
            raise self.error(tok)
        self.next()
        return cond

    def _multi_until(self, kws) -> Sequence:
        body = self.parse_list(terminators=kws)
        tok = self.peek()
        if tok.keyword() not in kws:
            raise self.error(tok, "fi")
        if not body.items:
            raise self.error(tok)
        return body

    def parse_for(self) -> For:
        self.next()  # for
        tok = self.next()
        if tok.kind != "WORD" or not is_name(tok.word.literal() or ""):
            raise ParseError("Syntax error: Bad for loop variable", self.line(tok.pos))
        var = tok.word.literal()
        words = None
        self._skip_newlines_only_if_next_in()
        tok = self.peek()
        if tok.keyword() == "in":
            self.next()
            words = []
            while True:
                tok = self.peek()
                if tok.kind == "WORD":
                    self.next()
                    words.append(tok.word)
                else:
                    break
            tok = self.next()
            if not (tok.kind == "NEWLINE" or (tok.kind == "OP" and tok.value == ";")):
                raise self.error(tok, "do")
        elif tok.kind == "OP" and tok.value == ";":
            self.next()
        self._skip_newlines()
        tok = self.next()
        if tok.keyword() != "do":
            raise self.error(tok, "do")
        body = self._body_until("done")
        return For(var, words, body)

    def _skip_newlines_only_if_next_in(self) -> None:
        self._skip_newlines()

    def parse_case(self) -> Case:
        self.next()  # case
        tok = self.next()
        if tok.kind != "WORD":
            raise self.error(tok)
        word = tok.word
        self._skip_newlines()
        tok = self.next()
        if tok.keyword() != "in":
            raise self.error(tok, "in")
        items = []
        self._skip_newlines()
        while True:
            tok = self.peek()
            if tok.keyword() == "esac":
                self.next()
                break
            if tok.kind == "OP" and tok.value == "(":
                self.next()
            patterns = []
            while True:
                tok = self.next()
                if tok.kind != "WORD":
                    raise self.error(tok)
                patterns.append(tok.word)
                tok = self.next()
                if tok.kind == "OP" and tok.value == "|":
                    continue
                if tok.kind == "OP" and tok.value == ")":
                    break
                raise self.error(tok, ")")
            body = self.parse_list(terminators=("esac",))
            items.append((patterns, body))
            tok = self.peek()
            if tok.kind == "OP" and tok.value == ";;":
                self.next()
                self._skip_newlines()
                continue
            if tok.keyword() == "esac":
                self.next()
                break
            raise self.error(tok, "esac")
        return Case(word, items)

    def parse_redirect(self) -> Redir:
        tok = self.next()
        fd = None
        if tok.kind == "IO":
            fd = int(tok.value)
            tok = self.next()
        if tok.kind != "OP" or tok.value not in REDIR_OPS:
            raise self.error(tok)
        op = tok.value
        target = self.next()
        if target.kind != "WORD":
            raise self.error(target)
        redir = Redir(fd, op, target.word)
        if op in ("<<", "<<-"):
            quoted = any(not isinstance(p, Lit) for p in target.word.parts)
            delim = "".join(_plain_text(p) for p in target.word.parts)
            redir.target = Word([Quoted(delim)], delim)
            redir.quoted = quoted
            redir.strip = op == "<<-"
            redir.body = [Quoted("")]
            self._pending.append(redir)
        return redir

    def parse_simple(self) -> Simple:
        line = self.line(self.peek().pos)
        assigns: list[tuple[str, Word]] = []
        words: list[Word] = []
        redirs: list[Redir] = []
        while True:
            tok = self.peek()
            if tok.kind == "IO" or (tok.kind == "OP" and tok.value in REDIR_OPS):
                redirs.append(self.parse_redirect())
                continue
            if tok.kind != "WORD":
                break
            if not words:
                assign = _as_assignment(tok.word)
                if assign is not None:
                    self.next()
                    assigns.append(assign)
                    continue
            self.next()
            words.append(tok.word)
        if not (assigns or words or redirs):
            raise self.error(self.peek())
        return Simple(assigns, words, redirs, line)


REDIR_OPS = frozenset({"<", ">", ">>", "<<", "<<-", "<<<", "<&", ">&", "<>", ">|", "&>", "&>>"})


def _plain_text(part) -> str:
    if isinstance(part, (Lit, Quoted)):
        return part.text
    if isinstance(part, DQ):
        return "".join(_plain_text(p) for p in part.parts)
    if isinstance(part, Param):
        return "$" + part.name
    if isinstance(part, CmdSub):
        return "$(" + part.src + ")"
    if isinstance(part, Arith):
        return "$((" + part.src + "))"
    return ""


def _as_assignment(word: Word) -> tuple[str, Word] | None:
    """NAME=value at the start of a word (the NAME and '=' unquoted)."""
    if not word.parts or not isinstance(word.parts[0], Lit):
        return None
    text = word.parts[0].text
    eq = text.find("=")
    if eq <= 0 or not is_name(text[:eq]):
        return None
    rest = text[eq + 1:]
    parts = ([Lit(rest)] if rest else []) + list(word.parts[1:])
    return text[:eq], Word(parts, word.raw[eq + 1:])


def parse(src: str) -> Sequence:
    """Parse a whole command line; raises ParseError with dash's wording."""
    try:
        return Parser(src).parse_program()
    except RecursionError:
        raise ParseError("Syntax error: nested too deeply") from None


def word_text(word: Word) -> str:
    """The text of a word with quotes removed and nothing expanded (for here-doc delimiters)."""
    return "".join(_plain_text(p) for p in word.parts)


__all__: list[Any] = ["parse", "ParseError", "Parser", "Word"]
