"""The simulated programs; importing this package registers them all."""

from . import archive, coreutils, files, packages, text, users  # noqa: F401
