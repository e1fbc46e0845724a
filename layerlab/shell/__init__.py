"""A simulated POSIX shell for RUN steps and `docker exec`: its own parser, no host process ever.

Commands exist only when the tree has them (looked up in PATH, following busybox
and merged-/usr symlinks); their behaviour is chosen by the name typed. Every
effect lands in the filesystem object given (a WorkTree or a container's mounts).
README.md beside this file tells what is simulated and how to add a program.

>>> from layerlab.fs.layer import Layer
>>> from layerlab.fs.union import merge
>>> from layerlab.fs.worktree import WorkTree
>>> from layerlab.fs.entries import File, Symlink
>>> tree = WorkTree(merge([Layer.from_spec({"/bin/busybox": File("", mode=0o755),
...     "/bin/sh": Symlink("busybox"), "/bin/ls": Symlink("busybox"), "/bin/mkdir": Symlink("busybox")})]))
>>> sh = Shell(tree)
>>> sh.run("mkdir -p /app/src && ls /app").stdout
'src\\n'
>>> sh.run("apt-get update")
Result(exit_code=127, stdout='', stderr='sh: apt-get: not found\\n', not_found=('apt-get',))
"""

from __future__ import annotations

from .base import COMMANDS
from .builtins import BUILTINS
from .interp import Result, Shell
from . import commands  # noqa: F401  (importing it registers the programs)

SUPPORTED: tuple[str, ...] = tuple(sorted(set(COMMANDS) | set(BUILTINS)))

__all__ = ["Result", "Shell", "SUPPORTED"]
