import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import fake_catalog  # noqa: E402
from trees import tree  # noqa: E402

from layerlab.shell import Shell  # noqa: E402
from layerlab.shell.commands import packages  # noqa: E402


@pytest.fixture(autouse=True)
def _fake_catalog(monkeypatch):
    monkeypatch.setattr(packages, "get_catalog", lambda: fake_catalog)


@pytest.fixture
def deb():
    return tree()


@pytest.fixture
def alpine():
    return tree(alpine=True)


class Expect:
    """What a row expects of a stream: exact text, or a regex with Expect.re()."""

    def __init__(self, pattern):
        self.pattern = pattern

    def __eq__(self, other):
        return isinstance(other, str) and re.search(self.pattern, other, re.S) is not None

    def __repr__(self):
        return f"re({self.pattern!r})"


def rx(pattern):
    return Expect(pattern)


def run_row(fs, cmd, code, out=None, err=None, **shell_kw):
    r = Shell(fs, **shell_kw).run(cmd)
    assert (r.exit_code, r.stdout if out is not None else None, r.stderr if err is not None else None) == \
        (code, out, err), f"{cmd!r} -> {r}"
    return r
