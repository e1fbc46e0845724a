"""Absolute POSIX paths inside an image root: '..' never escapes '/'."""

from __future__ import annotations

from ..errors import PathError

ROOT = "/"


def normalize(path: str) -> str:
    """Return the canonical form of an absolute path; '..' stops at the root.

    >>> normalize("/etc//apt/./sources.list.d/")
    '/etc/apt/sources.list.d'
    >>> normalize("/../../etc/passwd")
    '/etc/passwd'
    """
    if not isinstance(path, str):
        raise PathError(f"path {path!r} is not a string: give an absolute path such as '/etc/motd'")
    if "\x00" in path:
        raise PathError(f"path {path!r} contains a NUL byte: no filesystem allows NUL in a name")
    if not path.startswith("/"):
        raise PathError(f"path {path!r} is relative: paths in an image are absolute, write '/{path}'")
    if path == "/":
        return path
    if "/." not in path and "//" not in path and not path.endswith("/"):
        return path
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts)


def from_member(name: str) -> str:
    """Turn a tar member name into an absolute path, refusing names that escape the root.

    >>> from_member("./usr/bin/")
    '/usr/bin'
    >>> from_member("etc/motd")
    '/etc/motd'
    """
    from ..errors import UnsafeArchiveError

    if "\x00" in name:
        raise UnsafeArchiveError(f"tar member {name!r} contains a NUL byte: the archive is corrupt")
    if name.startswith("/"):
        raise UnsafeArchiveError(
            f"tar member {name!r} has an absolute name: layer members are relative to the root "
            "(image-spec layer.md); refusing to extract it")
    depth = 0
    for part in name.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                raise UnsafeArchiveError(
                    f"tar member {name!r} climbs out of the root with '..': refusing to extract it")
        elif part not in ("", "."):
            depth += 1
    return normalize("/" + name)


def to_member(path: str, is_dir: bool = False) -> str:
    """The tar member name Docker writes for a path: relative, dirs with a trailing '/'.

    >>> to_member("/usr/bin", is_dir=True)
    'usr/bin/'
    """
    name = path.lstrip("/")
    return name + "/" if is_dir and name else name


def split(path: str) -> tuple[str, str]:
    """Split a normalized path into (parent, name).

    >>> split("/etc/motd")
    ('/etc', 'motd')
    >>> split("/etc")
    ('/', 'etc')
    """
    i = path.rfind("/")
    return (path[:i] or "/", path[i + 1:])


def parent(path: str) -> str:
    """The directory holding a normalized path ('/' for '/').

    >>> parent("/a/b")
    '/a'
    """
    return split(path)[0] if path != "/" else "/"


def basename(path: str) -> str:
    """The last component of a normalized path.

    >>> basename("/etc/motd")
    'motd'
    """
    return path[path.rfind("/") + 1:]


def join(directory: str, name: str) -> str:
    """Join a normalized directory and a child name.

    >>> join("/", "etc"), join("/etc", "motd")
    ('/etc', '/etc/motd')
    """
    return "/" + name if directory == "/" else directory + "/" + name


def ancestors(path: str) -> list[str]:
    """Every proper ancestor of a normalized path, nearest first, '/' last.

    >>> ancestors("/a/b/c")
    ['/a/b', '/a', '/']
    """
    out = []
    while path != "/":
        path = parent(path)
        out.append(path)
    return out


def is_under(path: str, directory: str) -> bool:
    """True when path is directory itself or lies below it.

    >>> is_under("/etc/apt", "/etc"), is_under("/etcetera", "/etc"), is_under("/x", "/")
    (True, False, True)
    """
    return directory == "/" or path == directory or path.startswith(directory + "/")


def sort_key(path: str) -> tuple[str, ...]:
    """Order paths the way a directory walk visits them: parents before children.

    >>> sorted(["/a-b", "/a/b", "/a"], key=sort_key)
    ['/a', '/a/b', '/a-b']
    """
    return tuple(path.split("/"))
