"""Lower trees for the shell tests: a small Debian-like and an Alpine-like root filesystem."""

from __future__ import annotations

from layerlab.fs.entries import Dir, File, Symlink
from layerlab.fs.layer import Layer
from layerlab.fs.union import merge
from layerlab.fs.worktree import WorkTree
from layerlab.shell import SUPPORTED

# programs the Debian tree ships as files (the shell builtins need none)
DEBIAN_BIN = sorted((set(SUPPORTED) - {"apk", "busybox", ".", ":", "[", "break", "continue", "eval", "exec",
                                      "exit", "export", "readonly", "return", "set", "shift", "trap", "unset",
                                      "cd", "read", "command", "type", "umask", "local", "wait", "hash",
                                      "getopts", "alias", "unalias", "ulimit", "times", "jobs", "source",
                                      "python", "python3", "pip", "pip3", "egrep", "fgrep", "dir"}) | {"[", "strace", "yes"})

PASSWD = ("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
          "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
          "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
GROUP = ("root:x:0:\ndaemon:x:1:\nstaff:x:50:\nwww-data:x:33:\nusers:x:100:\nnogroup:x:65534:\n")
SHADOW = "root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n"

CLOCK = 1_764_424_800  # 2025-11-29 14:00:00 UTC


def debian_spec(extra: dict | None = None) -> dict:
    spec: dict = {
        "/bin": Symlink("usr/bin"), "/sbin": Symlink("usr/sbin"), "/lib": Symlink("usr/lib"),
        "/usr/bin/dash": File("", mode=0o755), "/usr/bin/sh": Symlink("dash"),
        "/usr/bin/bash": File("", mode=0o755),
        "/etc/passwd": PASSWD, "/etc/group": GROUP, "/etc/shadow": File(SHADOW, mode=0o640, gid=42),
        "/etc/gshadow": File("root:*::\n", mode=0o640, gid=42),
        "/etc/os-release": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n'
                           'VERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n',
        "/etc/hostname": "buildkitsandbox\n",
        "/etc/skel/.bashrc": "# ~/.bashrc\n", "/etc/skel/.profile": "# ~/.profile\n",
        "/etc/apt/apt.conf.d/docker-clean": 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb || true"; };\n',
        "/var/lib/apt/lists/partial/": Dir(mode=0o700), "/var/cache/apt/archives/partial/": Dir(mode=0o700),
        "/var/lib/dpkg/status": "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u4\n\n"
                                "Package: libc-bin\nStatus: install ok installed\nVersion: 2.36-9+deb12u4\n\n",
        "/var/lib/dpkg/info/": Dir(), "/var/log/": Dir(), "/var/log/lastlog": File("", mode=0o664),
        "/tmp/": Dir(mode=0o1777), "/root/": Dir(mode=0o700), "/home/": Dir(), "/usr/local/bin/": Dir(),
        "/usr/sbin/": Dir(), "/dev/": Dir(), "/proc/": Dir(),
    }
    for name in DEBIAN_BIN:
        spec.setdefault(f"/usr/bin/{name}", File("\x7fELF", mode=0o755))
    for name in ("useradd", "groupadd", "usermod", "userdel", "groupdel"):
        spec[f"/usr/sbin/{name}"] = File("\x7fELF", mode=0o755)
    spec["/usr/sbin/adduser"] = File("#!/usr/bin/perl\n", mode=0o755)
    spec["/usr/sbin/addgroup"] = Symlink("adduser")
    spec["/usr/sbin/deluser"] = File("#!/usr/bin/perl\n", mode=0o755)
    spec.update(extra or {})
    return spec


ALPINE_APPLETS = ["ls", "cat", "echo", "mkdir", "rm", "cp", "mv", "ln", "chmod", "chown", "touch", "grep", "sed",
                  "head", "tail", "wc", "find", "tar", "adduser", "addgroup", "deluser", "id", "whoami", "env",
                  "sort", "uniq", "cut", "tr", "xargs", "which", "stat", "du", "date", "hostname", "uname",
                  "printf", "test", "[", "true", "false", "sleep", "basename", "dirname", "readlink",
                  "realpath", "tee", "md5sum", "sha256sum", "dd", "truncate", "seq", "gzip", "gunzip", "pwd",
                  "rmdir", "chgrp", "install", "mktemp", "nproc"]


def alpine_spec(extra: dict | None = None) -> dict:
    spec: dict = {
        "/bin/busybox": File("\x7fELF", mode=0o755), "/bin/sh": Symlink("/bin/busybox"),
        "/sbin/apk": File("\x7fELF", mode=0o755),
        "/etc/passwd": "root:x:0:0:root:/root:/bin/ash\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n",
        "/etc/group": "root:x:0:root\nnogroup:x:65533:\nnobody:x:65534:\n",
        "/etc/shadow": File("root:*::0:::::\n", mode=0o640, gid=42),
        "/etc/os-release": 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n',
        "/lib/apk/db/installed": "P:busybox\nV:1.36.1-r15\n\nP:musl\nV:1.2.4_git20230717-r4\n\n",
        "/etc/apk/world": "alpine-baselayout\nbusybox\n",
        "/var/cache/apk/": Dir(), "/tmp/": Dir(mode=0o1777), "/root/": Dir(mode=0o700), "/home/": Dir(),
        "/usr/bin/": Dir(), "/usr/sbin/": Dir(), "/usr/local/bin/": Dir(),
    }
    for name in ALPINE_APPLETS:
        where = "/bin" if name not in ("adduser", "addgroup", "deluser") else "/usr/sbin"
        spec.setdefault(f"{where}/{name}", Symlink("/bin/busybox"))
    spec.update(extra or {})
    return spec


def tree(spec: dict | None = None, *, alpine: bool = False, extra: dict | None = None) -> WorkTree:
    if spec is None:
        spec = alpine_spec(extra) if alpine else debian_spec(extra)
    clock = iter(range(CLOCK, CLOCK + 10**9))
    return WorkTree(merge([Layer.from_spec(spec)]), clock=lambda: next(clock) * 0 + CLOCK)
