"""Helpers for the shell tests: rows that state their own outcome."""

import re

from layerlab.shell import Shell


class Expect:
    """What a row expects of a stream when exact text will not do: a regex, made with rx()."""

    def __init__(self, pattern):
        self.pattern = pattern

    def __eq__(self, other):
        return isinstance(other, str) and re.search(self.pattern, other, re.S) is not None

    def __repr__(self):
        return f"re({self.pattern!r})"


def rx(pattern):
    return Expect(pattern)


def run_row(fs, cmd, code, out=None, err=None, **shell_kw):
    """Run one command line; check exit code, and stdout/stderr unless None."""
    r = Shell(fs, **shell_kw).run(cmd)
    assert (r.exit_code, r.stdout if out is not None else None, r.stderr if err is not None else None) == \
        (code, out, err), f"{cmd!r} -> {r}"
    return r
