"""$(( ... )): POSIX shell arithmetic on signed 64-bit integers.

>>> evaluate("1 + 2 * 3", {}.get, lambda n, v: None)
7
>>> evaluate("x > 2 ? x : -1", {"x": "5"}.get, lambda n, v: None)
5
"""

from __future__ import annotations

import re
from typing import Callable

from ..errors import ShellError


class ArithError(ShellError):
    pass


_TOKEN = re.compile(r"\s*(?:(0[xX][0-9a-fA-F]+|\d+)|([A-Za-z_][A-Za-z0-9_]*)|"
                    r"(<<=|>>=|\*\*|&&|\|\||==|!=|<=|>=|<<|>>|\+=|-=|\*=|/=|%=|&=|\^=|\|=|\+\+|--|[-+*/%()<>=!~&|^?:,]))")

_BINARY = {
    "||": 1, "&&": 2, "|": 3, "^": 4, "&": 5, "==": 6, "!=": 6, "<": 7, "<=": 7, ">": 7, ">=": 7,
    "<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10,
}
_ASSIGN = {"=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|="}


def _wrap(n: int) -> int:
    n &= (1 << 64) - 1
    return n - (1 << 64) if n >> 63 else n


def evaluate(text: str, get: Callable[[str], str | None], assign: Callable[[str, str], None]) -> int:
    tokens: list[tuple[str, str]] = []
    pos = 0
    stripped = text.strip()
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m:
            raise ArithError(f'arithmetic expression: expecting primary: "{stripped}"')
        if m.group(1):
            tokens.append(("num", m.group(1)))
        elif m.group(2):
            tokens.append(("name", m.group(2)))
        else:
            tokens.append(("op", m.group(3)))
        pos = m.end()
    if not tokens:
        return 0
    p = _Parser(tokens, get, assign, stripped)
    value = p.expr()
    if p.i < len(tokens):
        raise ArithError(f'arithmetic expression: expecting EOF: "{stripped}"')
    return value


class _Parser:
    def __init__(self, tokens, get, assign, text):
        self.t = tokens
        self.i = 0
        self.get = get
        self.assign = assign
        self.text = text
        self.skip = 0  # >0 while evaluating a branch whose value is not used (no side effects)

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else ("eof", "")

    def fail(self, what="expecting primary"):
        raise ArithError(f'arithmetic expression: {what}: "{self.text}"')

    def expr(self) -> int:
        value = self.assignment()
        while self.peek() == ("op", ","):
            self.i += 1
            value = self.assignment()
        return value

    def assignment(self) -> int:
        kind, val = self.peek()
        if kind == "name" and self.i + 1 < len(self.t) and self.t[self.i + 1][0] == "op" \
                and self.t[self.i + 1][1] in _ASSIGN:
            name, op = val, self.t[self.i + 1][1]
            self.i += 2
            rhs = self.assignment()
            if op != "=":
                rhs = self.apply(op[:-1], self.var(name), rhs)
            if not self.skip:
                self.assign(name, str(rhs))
            return rhs
        return self.ternary()

    def ternary(self) -> int:
        cond = self.binary(1)
        if self.peek() == ("op", "?"):
            self.i += 1
            if not cond:
                self.skip += 1
            a = self.assignment()
            if not cond:
                self.skip -= 1
            if self.peek() != ("op", ":"):
                self.fail("expecting ':'")
            self.i += 1
            if cond:
                self.skip += 1
            b = self.assignment()
            if cond:
                self.skip -= 1
            return a if cond else b
        return cond

    def binary(self, level: int) -> int:
        left = self.unary()
        return self._binary_rest(left, level)

    def _binary_rest(self, left: int, level: int) -> int:
        while True:
            kind, op = self.peek()
            prec = _BINARY.get(op) if kind == "op" else None
            if prec is None or prec < level:
                return left
            self.i += 1
            if op in ("&&", "||"):
                short = (op == "&&" and not left) or (op == "||" and left)
                if short:
                    self.skip += 1
                right = self._binary_rest(self.unary(), prec + 1)
                if short:
                    self.skip -= 1
                left = int(bool(left and right)) if op == "&&" else int(bool(left or right))
                continue
            right = self._binary_rest(self.unary(), prec + 1)
            left = self.apply(op, left, right)

    def apply(self, op: str, a: int, b: int) -> int:
        if op in ("/", "%"):
            if b == 0:
                if self.skip:
                    return 0
                raise ArithError(f'arithmetic expression: division by zero: "{self.text}"')
            q = abs(a) // abs(b)
            if (a < 0) != (b < 0):
                q = -q
            return _wrap(q) if op == "/" else _wrap(a - q * b)
        if op == "+":
            return _wrap(a + b)
        if op == "-":
            return _wrap(a - b)
        if op == "*":
            return _wrap(a * b)
        if op == "<<":
            return _wrap(a << (b & 63))
        if op == ">>":
            return a >> (b & 63)
        if op == "&":
            return a & b
        if op == "|":
            return a | b
        if op == "^":
            return a ^ b
        return int({"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op])

    def unary(self) -> int:
        kind, val = self.peek()
        if kind == "op" and val in ("-", "+", "!", "~"):
            self.i += 1
            v = self.unary()
            return {"-": lambda: _wrap(-v), "+": lambda: v, "!": lambda: int(not v), "~": lambda: ~v}[val]()
        if kind == "op" and val in ("++", "--"):
            self.fail()
        return self.primary()

    def primary(self) -> int:
        kind, val = self.peek()
        self.i += 1
        if kind == "num":
            try:
                if val.lower().startswith("0x"):
                    return _wrap(int(val, 16))
                if len(val) > 1 and val.startswith("0"):
                    return _wrap(int(val, 8))
                return _wrap(int(val))
            except ValueError:
                self.fail("expecting primary")
        if kind == "name":
            return self.var(val)
        if (kind, val) == ("op", "("):
            v = self.expr()
            if self.peek() != ("op", ")"):
                self.fail("expecting ')'")
            self.i += 1
            return v
        self.fail()
        return 0

    def var(self, name: str) -> int:
        raw = self.get(name)
        if raw is None or raw.strip() == "":
            return 0
        raw = raw.strip()
        try:
            if raw.lower().startswith(("0x", "-0x")):
                return _wrap(int(raw, 16))
            return _wrap(int(raw, 8) if len(raw) > 1 and raw.startswith("0") else int(raw))
        except ValueError:
            raise ArithError(f"Illegal number: {raw}") from None
