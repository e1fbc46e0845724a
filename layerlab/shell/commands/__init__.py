"""The simulated programs; importing this package registers them all."""

from . import coreutils, text, files, users, archive, packages  # noqa: F401
