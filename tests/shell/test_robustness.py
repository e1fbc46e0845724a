"""Nothing raises out of Shell.run: random command lines end with an exit code (a deterministic fuzz)."""

import random

import pytest

from layerlab.shell import SUPPORTED, Result, Shell

from .trees import tree

WORDS = ["echo", "ls", "cat", "rm", "-rf", "-l", "/tmp", "/etc", "x", "'", '"', "$", "${", "}", "(", ")", "{",
         ";", "&&", "||", "|", ">", ">>", "<", "2>&1", "<<", "EOF", "\n", "$(", "`", "*", "?", "[", "]", "if", "then",
         "fi", "for", "in", "do", "done", "case", "esac", "while", "!", "=", "X=1", "$X", "$((", "))", "1+", "-", "\\",
         "s/a/b/", "-name", "-xf", "755", "u+x", "-p", "if=/dev/zero", "of=/tmp/z", "count=3", "-n", "2", "&", "#",
         "~", "/", ".", "..", "-e", "f()", "%s", "%d", "-f", "-c", "a-z", "-d:", "-f1", "%a", "-sh", "--", "+3",
         "y/ab/", "1d", "$p", "{}", "\\;", "+", "-type", "czf", "-C", "N", ":a", "requests", "curl", "nosuch"]
ARGS = WORDS[5:]


@pytest.mark.parametrize("seed", range(4))
def test_random_lines_never_raise(seed):
    rng = random.Random(seed)
    fs = tree()
    Shell(fs).run("mkdir -p /srv/a; echo hi > /tmp/f; ln -s /tmp/f /tmp/l; ln /tmp/f /tmp/h")
    programs = list(SUPPORTED)
    for _ in range(150):
        if rng.random() < 0.5:
            line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 10)))
        else:
            line = rng.choice(programs) + " " + " ".join(rng.choice(ARGS) for _ in range(rng.randint(0, 5)))
        r = Shell(fs, step_limit=5_000, stdin="in\n").run(line)
        assert isinstance(r, Result) and 0 <= r.exit_code <= 255, line
