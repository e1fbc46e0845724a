#!/usr/bin/env python3
"""Regenerate the base-image manifests in layerlab/image/bases/data/.

    sudo python3 tools/bases/make_bases.py --work WORKDIR [--only debian,python,ubuntu,busybox,alpine]

Needs root (chroot), debootstrap, apt-get with the machine's Debian mirror, pip (for the pip wheel
that CPython 3.12.10 bundles) and `strip`. WORKDIR holds the root filesystems (a few GB); reuse it to
skip the debootstrap runs. Each image becomes two gzip'd TSV files:

  <key>.tsv.gz       layer, path, type, mode (octal), uid, gid, size, link target, mtime
  <key>.text.tsv.gz  layer, path, JSON string: the real text of the small files a learner reads

How each tree is made is told in layerlab/image/bases/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import python_tree  # noqa: E402
import rootfs  # noqa: E402
import small_images  # noqa: E402

OUT = os.path.join(REPO, "layerlab", "image", "bases", "data")
DEBIAN_EPOCH = 1747699200      # 2025-05-20T00:00:00Z
PYTHON_EPOCHS = (1747871123, 1747871372, 1747871374)  # 2025-05-21: the python:3.12-slim build of that base
UBUNTU_EPOCH = 1551996000      # 2019-03-07
UBUNTU_ADD_LAYER_BYTES = 196_600_000  # the ADD layer of the final ubuntu:14.04 (197 MB with the 195 kB tweaks)
UBUNTU_LAYER_EPOCHS = (1551997184, 1551997189, 1551997191)
TRUSTY_PACKAGES_INCLUDED = (
    "apt-utils bzip2 console-setup cpio cron debconf-i18n dmsetup eject file gnupg ifupdown initramfs-tools "
    "iproute2 iputils-ping isc-dhcp-client kbd keyboard-configuration klibc-utils kmod less locales "
    "lockfile-progs logrotate lsb-release net-tools netbase netcat-openbsd perl procps python3 readline-common "
    "rsyslog sensible-utils sudo ucf udev vim-common vim-tiny whiptail xkb-data libcap2-bin libpam-cap busybox "
    "insserv").split()


# -- the machine's apt configuration (read, never written into the data) --------------------------
def apt_hosts() -> dict[str, str]:
    """Host names in this machine's apt sources -> the tokens the data stores instead."""
    text = ""
    for path in glob.glob("/etc/apt/sources.list.d/*.sources") + ["/etc/apt/sources.list"]:
        if os.path.exists(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                text += f.read() + "\n"
    hosts = {}
    for m in re.finditer(r"^URIs:\s*\S+?://([^/\s]+)", text, re.M):
        hosts.setdefault(m.group(1), "@DEBIAN_MIRROR@")
    for m in re.finditer(r"^deb\s+(?:\[[^]]*\]\s+)?\S+?://([^/\s]+)", text, re.M):
        hosts.setdefault(m.group(1), "@DEBIAN_MIRROR@")
    for m in re.finditer(r"^#\s*\S+?://([^/\s]+)/archive/debian", text, re.M):
        hosts.setdefault(m.group(1), "@DEBIAN_SNAPSHOT@")
    return hosts


def tokenize(rows: list[dict], hosts: dict[str, str]) -> None:
    for r in rows:
        for host, token in hosts.items():
            if "text" in r and host in r["text"]:
                r["text"] = r["text"].replace(host, token)
            if host in r["path"]:
                r["path"] = r["path"].replace(host, token)


def clamp(rows, epoch: int) -> None:
    for r in rows:
        if r["mtime"] > epoch:
            r["mtime"] = epoch


def sh(*args, **kw):
    print("+", " ".join(args), flush=True)
    subprocess.run(args, check=True, **kw)


def chroot(root: str, script: str) -> None:
    sh("chroot", root, "/bin/sh", "-c", script)


@contextlib.contextmanager
def host_dns(root: str):
    """What Docker gives a RUN step and keeps out of its layer: /dev and /proc mounted, /etc/hosts
    present (so netbase's postinst writes none), and the host's /etc/resolv.conf (so apt inside the
    chroot resolves the mirror); the image's own resolv.conf comes back after."""
    mounted = []
    for src, sub, opts in (("/dev", "dev", ["--bind"]), ("proc", "proc", ["-t", "proc"])):
        sh("mount", *opts, src, os.path.join(root, sub))
        mounted.append(os.path.join(root, sub))
    conf = os.path.join(root, "etc", "resolv.conf")
    saved = conf + ".layerlab-saved"
    if os.path.lexists(conf):
        sh("cp", "-a", conf, saved)
        os.remove(conf)
    shutil.copy("/etc/resolv.conf", conf)
    hosts = os.path.join(root, "etc", "hosts")
    made_hosts = not os.path.lexists(hosts)
    if made_hosts:
        with open(hosts, "w") as f:
            f.write("127.0.0.1\tlocalhost\n")
    try:
        yield
    finally:
        if made_hosts:
            os.remove(hosts)
        os.remove(conf)
        if os.path.lexists(saved):
            os.rename(saved, conf)
        for path in reversed(mounted):
            sh("umount", path)


def copy_tree(src: str, dst: str) -> None:
    if os.path.exists(dst):
        shutil.rmtree(dst)
    sh("cp", "-a", src, dst)


MACHINE_PATHS: list[str] = [sys.base_prefix + "/", REPO + "/"]


def write_image(key: str, layers: list[list[dict]], first_layer: int = 0) -> None:
    os.makedirs(OUT, exist_ok=True)
    lines, texts = [], []
    for i, rows in enumerate(layers, start=first_layer):
        lines += rootfs.tsv_lines(rows, i)
        texts += rootfs.text_lines((i, r) for r in rows)
    for line in lines + texts:
        for bad in MACHINE_PATHS + ["layerlab-saved"]:
            if bad in line:
                raise SystemExit(f"{key}: refusing to store a path of this machine: {line[:120]!r}")
    header = f"# {key}: layer path type mode uid gid size target mtime (generated by tools/bases/make_bases.py)"
    n1 = rootfs.write_gz(os.path.join(OUT, f"{key}.tsv.gz"), lines, header)
    n2 = rootfs.write_gz(os.path.join(OUT, f"{key}.text.tsv.gz"), texts,
                         f"# {key}: layer path json-text (generated by tools/bases/make_bases.py)")
    sizes = [sum(r["size"] for r in rows if r["type"] in ("f", "l")) for rows in layers]
    print(f"{key}: {len(lines)} paths, {len(texts)} texts, layer bytes {sizes}, data {n1} + {n2} bytes")


# -- debian:bookworm-slim and python:3.12-slim ---------------------------------------------------
def debian(work: str, hosts) -> dict:
    slim = os.path.join(work, "slim")
    if not os.path.exists(os.path.join(slim, "etc", "os-release")):
        sh("bash", os.path.join(HERE, "debian_rootfs.sh"), slim, str(DEBIAN_EPOCH))
    rows = rootfs.scan(slim)
    return rows


def python(work: str, base_scan: dict, pip_wheel: str) -> list[list[dict]]:
    slim = os.path.join(work, "slim")
    py1, py2, py3 = (os.path.join(work, n) for n in ("py1", "py2", "py3"))
    # RUN apt-get install ca-certificates netbase tzdata
    copy_tree(slim, py1)
    with host_dns(py1):
        chroot(py1, "set -eux; apt-get update; DEBIAN_FRONTEND=noninteractive apt-get install -y "
                    "--no-install-recommends ca-certificates netbase tzdata; rm -rf /var/lib/apt/lists/*")
    s1 = rootfs.scan(py1)
    # RUN build python: what survives it is the interpreter in /usr/local and the runtime libraries
    # that `ldd` finds for it (apt-mark manual), the build dependencies having been purged again
    copy_tree(py1, py2)
    with host_dns(py2):
        chroot(py2, "set -eux; apt-get update; DEBIAN_FRONTEND=noninteractive apt-get install -y "
                    "--no-install-recommends libgdbm6 libncursesw6 libnsl2 libreadline8 libsqlite3-0; "
                    "apt-mark auto '.*' > /dev/null; apt-mark manual ca-certificates netbase tzdata "
                    "libbz2-1.0 libc6 libcrypt1 libdb5.3 libffi8 libgdbm6 liblzma5 libncursesw6 libnsl2 "
                    "libreadline8 libsqlite3-0 libssl3 libtinfo6 libtirpc3 libuuid1 zlib1g > /dev/null; "
                    "rm -rf /var/lib/apt/lists/*")
    for sub in ("bin", "include", "lib", "share"):
        os.makedirs(os.path.join(py2, "usr", "local", sub), exist_ok=True)
    python_tree.install(os.path.join(py2, "usr", "local"), pip_wheel)
    with host_dns(py2):
        chroot(py2, "ldconfig")
    s2 = rootfs.scan(py2)
    # RUN symlinks
    copy_tree(py2, py3)
    with host_dns(py3):
        chroot(py3, 'set -eux; for src in idle3 pip3 pydoc3 python3 python3-config; do '
                    'dst="$(echo "$src" | tr -d 3)"; [ -s "/usr/local/bin/$src" ]; [ ! -e "/usr/local/bin/$dst" ]; '
                    'ln -svT "$src" "/usr/local/bin/$dst"; done')
    s3 = rootfs.scan(py3)
    layers = [list(rootfs.diff(base_scan, s1).values()), list(rootfs.diff(s1, s2).values()),
              list(rootfs.diff(s2, s3).values())]
    for rows, epoch in zip(layers, PYTHON_EPOCHS):
        clamp(rows, epoch)
    return layers


# -- ubuntu:14.04, derived from a bookworm minbase tree ------------------------------------------
TRUSTY_TEXT = {
    "/etc/os-release": 'NAME="Ubuntu"\nVERSION="14.04.6 LTS, Trusty Tahr"\nID=ubuntu\nID_LIKE=debian\n'
                       'PRETTY_NAME="Ubuntu 14.04.6 LTS"\nVERSION_ID="14.04"\nHOME_URL="http://www.ubuntu.com/"\n'
                       'SUPPORT_URL="http://help.ubuntu.com/"\nBUG_REPORT_URL="http://bugs.launchpad.net/ubuntu/"\n',
    "/etc/lsb-release": 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=14.04\nDISTRIB_CODENAME=trusty\n'
                        'DISTRIB_DESCRIPTION="Ubuntu 14.04.6 LTS"\n',
    "/etc/issue": "Ubuntu 14.04.6 LTS \\n \\l\n\n",
    "/etc/issue.net": "Ubuntu 14.04.6 LTS\n",
    "/etc/debian_version": "jessie/sid\n",
    "/etc/legal": "\nThe programs included with the Ubuntu system are free software;\n"
                  "the exact distribution terms for each program are described in the\n"
                  "individual files in /usr/share/doc/*/copyright.\n\n"
                  "Ubuntu comes with ABSOLUTELY NO WARRANTY, to the extent permitted by\napplicable law.\n\n",
    "/etc/shells": "# /etc/shells: valid login shells\n/bin/sh\n/bin/dash\n/bin/bash\n/bin/rbash\n",
    "/etc/update-motd.d/00-header": '#!/bin/sh\n#\n#    00-header - create the header of the MOTD\n'
                                    '#    Copyright (C) 2009-2010 Canonical Ltd.\n#\n'
                                    '#    Authors: Dustin Kirkland <kirkland@canonical.com>\n#\n'
                                    '[ -r /etc/lsb-release ] && . /etc/lsb-release\n\n'
                                    'if [ -z "$DISTRIB_DESCRIPTION" ] && [ -x /usr/bin/lsb_release ]; then\n'
                                    '\t# Fall back to using the very slow lsb_release utility\n'
                                    '\tDISTRIB_DESCRIPTION=$(lsb_release -s -d)\nfi\n\n'
                                    'printf "Welcome to %s (%s %s %s)\\n" "$DISTRIB_DESCRIPTION" "$(uname -o)" '
                                    '"$(uname -r)" "$(uname -m)"\n',
    "/etc/update-motd.d/10-help-text": '#!/bin/sh\n#\n#    10-help-text - print the help text associated with '
                                       'the distro\n#    Copyright (C) 2009-2010 Canonical Ltd.\n#\n'
                                       'printf "\\n"\nprintf " * Documentation:  https://help.ubuntu.com/\\n"\n',
    "/etc/apt/sources.list": (
        "deb http://archive.ubuntu.com/ubuntu/ trusty main restricted\n"
        "deb-src http://archive.ubuntu.com/ubuntu/ trusty main restricted\n\n"
        "## Major bug fix updates produced after the final release of the\n## distribution.\n"
        "deb http://archive.ubuntu.com/ubuntu/ trusty-updates main restricted\n"
        "deb-src http://archive.ubuntu.com/ubuntu/ trusty-updates main restricted\n\n"
        "## N.B. software from this repository is ENTIRELY UNSUPPORTED by the Ubuntu\n"
        "## team. Also, please note that software in universe WILL NOT receive any\n"
        "## review or updates from the Ubuntu security team.\n"
        "deb http://archive.ubuntu.com/ubuntu/ trusty universe\n"
        "deb-src http://archive.ubuntu.com/ubuntu/ trusty universe\n"
        "deb http://archive.ubuntu.com/ubuntu/ trusty-updates universe\n"
        "deb-src http://archive.ubuntu.com/ubuntu/ trusty-updates universe\n\n"
        "## N.B. software from this repository is ENTIRELY UNSUPPORTED by the Ubuntu \n"
        "## team, and may not be under a free licence. Please satisfy yourself as to \n"
        "## your rights to use the software. Also, please note that software in \n"
        "## multiverse WILL NOT receive any review or updates from the Ubuntu\n## security team.\n"
        "# deb http://archive.ubuntu.com/ubuntu/ trusty multiverse\n"
        "# deb-src http://archive.ubuntu.com/ubuntu/ trusty multiverse\n"
        "# deb http://archive.ubuntu.com/ubuntu/ trusty-updates multiverse\n"
        "# deb-src http://archive.ubuntu.com/ubuntu/ trusty-updates multiverse\n\n"
        "## N.B. software from this repository may not have been tested as\n"
        "## extensively as that contained in the main release, although it includes\n"
        "## newer versions of some applications which may provide useful features.\n"
        "## Also, please note that software in backports WILL NOT receive any review\n"
        "## or updates from the Ubuntu security team.\n"
        "# deb http://archive.ubuntu.com/ubuntu/ trusty-backports main restricted universe multiverse\n"
        "# deb-src http://archive.ubuntu.com/ubuntu/ trusty-backports main restricted universe multiverse\n\n"
        "deb http://security.ubuntu.com/ubuntu trusty-security main restricted\n"
        "deb-src http://security.ubuntu.com/ubuntu trusty-security main restricted\n"
        "deb http://security.ubuntu.com/ubuntu trusty-security universe\n"
        "deb-src http://security.ubuntu.com/ubuntu trusty-security universe\n"
        "# deb http://security.ubuntu.com/ubuntu trusty-security multiverse\n"
        "# deb-src http://security.ubuntu.com/ubuntu trusty-security multiverse\n"),
    "/etc/passwd": ("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                    "bin:x:2:2:bin:/bin:/usr/sbin/nologin\nsys:x:3:3:sys:/dev:/usr/sbin/nologin\n"
                    "sync:x:4:65534:sync:/bin:/bin/sync\ngames:x:5:60:games:/usr/games:/usr/sbin/nologin\n"
                    "man:x:6:12:man:/var/cache/man:/usr/sbin/nologin\nlp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin\n"
                    "mail:x:8:8:mail:/var/mail:/usr/sbin/nologin\nnews:x:9:9:news:/var/spool/news:/usr/sbin/nologin\n"
                    "uucp:x:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin\nproxy:x:13:13:proxy:/bin:/usr/sbin/nologin\n"
                    "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
                    "backup:x:34:34:backup:/var/backups:/usr/sbin/nologin\n"
                    "list:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin\n"
                    "irc:x:39:39:ircd:/var/run/ircd:/usr/sbin/nologin\n"
                    "gnats:x:41:41:Gnats Bug-Reporting System (admin):/var/lib/gnats:/usr/sbin/nologin\n"
                    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
                    "libuuid:x:100:101::/var/lib/libuuid:\nsyslog:x:101:104::/home/syslog:/bin/false\n"),
    "/etc/group": ("root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:syslog\ntty:x:5:\ndisk:x:6:\nlp:x:7:\n"
                   "mail:x:8:\nnews:x:9:\nuucp:x:10:\nman:x:12:\nproxy:x:13:\nkmem:x:15:\ndialout:x:20:\nfax:x:21:\n"
                   "voice:x:22:\ncdrom:x:24:\nfloppy:x:25:\ntape:x:26:\nsudo:x:27:\naudio:x:29:\ndip:x:30:\n"
                   "www-data:x:33:\nbackup:x:34:\noperator:x:37:\nlist:x:38:\nirc:x:39:\nsrc:x:40:\ngnats:x:41:\n"
                   "shadow:x:42:\nutmp:x:43:\nvideo:x:44:\nsasl:x:45:\nplugdev:x:46:\nstaff:x:50:\ngames:x:60:\n"
                   "users:x:100:\nnogroup:x:65534:\nlibuuid:x:101:\nnetdev:x:102:\ncrontab:x:103:\nsyslog:x:104:\n"),
}
TRUSTY_SHADOW_USERS = ("root daemon bin sys sync games man lp mail news uucp proxy www-data backup list irc gnats "
                       "nobody libuuid syslog").split()
GLIBC_219 = ["libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libresolv.so.2",
             "libutil.so.1", "libcrypt.so.1", "libnsl.so.1", "libnss_files.so.2", "libnss_dns.so.2",
             "libnss_compat.so.2", "libnss_hesiod.so.2", "libanl.so.1", "libBrokenLocale.so.1"]
UPSTART_JOBS = ("console container-detect control-alt-delete cron dmesg failsafe flush-early-job-log hostname "
                "hwclock hwclock-save kmod mountall mountall-bootclean.sh mountall-net mountall-reboot "
                "mountall-shell mountall.sh mountdevsubfs.sh mounted-debugfs mounted-dev mounted-proc mounted-run "
                "mounted-tmp mounted-var mountkernfs.sh mountnfs-bootclean.sh mountnfs.sh mtab.sh "
                "network-interface network-interface-container network-interface-security networking procps "
                "rc rc-sysinit rcS resolvconf rsyslog setvtrgb shutdown startpar-bridge tty1 tty2 tty3 tty4 tty5 "
                "tty6 udev udev-fallback-graphics udev-finish udevmonitor udevtrigger upstart-file-bridge "
                "upstart-socket-bridge upstart-udev-bridge ureadahead ureadahead-other wait-for-state").split()


def _trusty_manifest() -> dict[str, str]:
    path = os.path.join(HERE, "ubuntu-trusty-core-cloudimg-amd64.manifest")
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                name, version = line.split("\t")
                out[name.split(":")[0]] = version.strip()
    return out


def ubuntu(work: str, mirror_src: str | None) -> list[list[dict]]:
    src = os.path.join(work, "trusty-src")
    if not os.path.exists(os.path.join(src, "etc", "os-release")):
        mirror = mirror_src or _debian_mirror()
        sh("debootstrap", "--variant=minbase", "--include=" + ",".join(TRUSTY_PACKAGES_INCLUDED), "bookworm", src,
           mirror)
    scan = rootfs.scan(src, exclude=["/proc/*", "/sys/*", "/dev/*", "/var/cache/apt/*", "/var/lib/apt/lists/*",
                                     "/etc/machine-id", "/etc/hostname", "/etc/resolv.conf", "/debootstrap",
                                     "/etc/apt/sources.list", "/etc/apt/trusted.gpg.d/*", "/var/log/bootstrap.log",
                                     "/usr/share/keyrings/debian-archive-*", "/usr/share/doc/usr-is-merged"])
    # 1. un-merge /usr: a path that a package lists under /bin, /sbin, /lib or /lib64 goes back there
    listed = set()
    for lst in glob.glob(os.path.join(src, "var", "lib", "dpkg", "info", "*.list")):
        with open(lst, encoding="utf-8", errors="surrogateescape") as f:
            for line in f:
                line = line.rstrip("\n")
                if line.startswith(("/bin/", "/sbin/", "/lib/", "/lib64/")):
                    listed.add(line)
    rows: dict[str, dict] = {}
    for path, r in scan.items():
        if path in ("/bin", "/sbin", "/lib", "/lib64"):
            r = dict(r, type="d", mode=0o755, target="", size=0)
        elif path.startswith("/usr/") and path[4:] in listed:
            r = dict(r, path=path[4:])
        rows[r["path"]] = r
    # 2. trusty names: glibc 2.19's versioned libraries, python3.4, perl 5.18
    renames = [("python3.11", "python3.4"), ("cpython-311-x86_64-linux-gnu", "cpython-34m-x86_64-linux-gnu"),
               ("/usr/lib/x86_64-linux-gnu/perl-base", "/usr/lib/perl/5.18.2"),
               ("/usr/lib/x86_64-linux-gnu/perl/5.36.0", "/usr/lib/perl/5.18.2"),
               ("/usr/lib/x86_64-linux-gnu/perl/5.36", "/usr/lib/perl/5.18"),
               ("/usr/lib/x86_64-linux-gnu/perl5/5.36", "/usr/lib/perl5"), ("/usr/share/perl/5.36.0", "/usr/share/perl/5.18.2"),
               ("/usr/share/perl/5.36", "/usr/share/perl/5.18"), ("perl5.36.0", "perl5.18.2"),
               ("/usr/share/doc/gcc-12-base", "/usr/share/doc/gcc-4.8-base")]
    renamed: dict[str, dict] = {}
    for path, r in rows.items():
        new = path
        for old, repl in renames:
            if old in new:
                new = new.replace(old, repl)
        if new in renamed:
            continue
        renamed[new] = dict(r, path=new, target=r["target"].replace("python3.11", "python3.4"))
    rows = renamed
    libdir = "/lib/x86_64-linux-gnu"
    for name in GLIBC_219:
        old = f"{libdir}/{name}"
        if old in rows and rows[old]["type"] == "f":
            versioned = f"{libdir}/{name.split('.so')[0]}-2.19.so"
            rows[versioned] = dict(rows[old], path=versioned)
            rows[old] = dict(rows[old], type="l", mode=0o777, target=versioned.rsplit("/", 1)[1],
                             size=len(versioned.rsplit("/", 1)[1]))
    ld = f"{libdir}/ld-linux-x86-64.so.2"
    if ld in rows and rows[ld]["type"] == "f":
        rows[f"{libdir}/ld-2.19.so"] = dict(rows[ld], path=f"{libdir}/ld-2.19.so")
        rows[ld] = dict(rows[ld], type="l", mode=0o777, target="ld-2.19.so", size=10)
    rows["/lib64/ld-linux-x86-64.so.2"] = dict(rows.get("/lib64/ld-linux-x86-64.so.2", rows["/lib64"]),
                                               path="/lib64/ld-linux-x86-64.so.2", type="l", mode=0o777,
                                               target=f"{libdir}/ld-2.19.so", size=len(f"{libdir}/ld-2.19.so"))
    for path in [p for p in rows if p.startswith(f"{libdir}/libc_malloc_debug")]:
        del rows[path]
    # 3. trusty's own files: upstart, the Ubuntu release files, keyrings, bash 4.3, dash, resolvconf
    t = UBUNTU_EPOCH
    mk = small_images.row
    texts = dict(TRUSTY_TEXT)
    texts["/etc/shadow"] = "".join(f"{u}:*:17959:0:99999:7:::\n" for u in TRUSTY_SHADOW_USERS)
    for path, text in texts.items():
        old = rows.get(path, {})
        rows[path] = mk(path, "f", old.get("mode", 0o644) if old.get("type") == "f" else 0o644,
                        old.get("uid", 0), old.get("gid", 0), text=text, mtime=t)
    for path in ("/etc/shadow", "/etc/gshadow"):
        if path in rows:
            rows[path].update(mode=0o640, gid=42)
    for drop in ("/usr/lib/os-release", "/etc/apt/sources.list.d/debian.sources"):
        rows.pop(drop, None)
    extra = [mk("/etc/motd", "l", 0o777, target="/var/run/motd", size=13, mtime=t),
             mk("/etc/resolv.conf", "l", 0o777, target="../run/resolvconf/resolv.conf", size=29, mtime=t),
             mk("/etc/apt/trusted.gpg", "f", 0o644, size=12335, mtime=t),
             mk("/etc/apt/trusted.gpg.d", "d", mtime=t),
             mk("/usr/share/keyrings/ubuntu-archive-keyring.gpg", "f", 0o644, size=12335, mtime=t),
             mk("/usr/share/keyrings/ubuntu-archive-removed-keys.gpg", "f", 0o644, size=2229, mtime=t),
             mk("/usr/share/keyrings/ubuntu-master-keyring.gpg", "f", 0o644, size=1247, mtime=t),
             mk("/sbin/init", "f", 0o755, size=265848, mtime=t),
             mk("/sbin/initctl", "f", 0o755, size=182432, mtime=t),
             mk("/sbin/telinit", "f", 0o755, size=14640, mtime=t),
             mk("/sbin/runlevel", "f", 0o755, size=10504, mtime=t),
             mk("/sbin/shutdown", "f", 0o755, size=70216, mtime=t),
             mk("/sbin/reboot", "f", 0o755, size=14680, mtime=t),
             mk("/sbin/upstart-udev-bridge", "f", 0o755, size=97336, mtime=t),
             mk("/sbin/upstart-socket-bridge", "f", 0o755, size=72760, mtime=t),
             mk("/sbin/upstart-file-bridge", "f", 0o755, size=76856, mtime=t),
             mk("/sbin/upstart-local-bridge", "f", 0o755, size=68680, mtime=t),
             mk("/sbin/upstart-event-bridge", "f", 0o755, size=56320, mtime=t),
             mk("/usr/share/upstart", "d", mtime=t), mk("/etc/init", "d", mtime=t),
             mk("/var/lib/apt/lists", "d", mtime=t), mk("/var/lib/apt/lists/partial", "d", 0o700, mtime=t),
             mk("/var/lib/apt/lists/lock", "f", 0o640, size=0, mtime=t),
             mk("/run/resolvconf", "d", mtime=t), mk("/run/resolvconf/interface", "d", mtime=t)]
    for name in ("halt", "poweroff"):
        extra.append(mk(f"/sbin/{name}", "l", 0o777, target="reboot", size=6, mtime=t))
    for name in ("start", "stop", "restart", "reload", "status", "initctl2dot"):
        if name != "initctl2dot":
            extra.append(mk(f"/sbin/{name}", "l", 0o777, target="initctl", size=7, mtime=t))
    for job in UPSTART_JOBS:
        extra.append(mk(f"/etc/init/{job}.conf", "f", 0o644, size=300 + (len(job) * 37) % 900, mtime=t))
    for r in extra:
        rows[r["path"]] = r
    rows["/bin/sh"] = mk("/bin/sh", "l", 0o777, target="dash", size=4, mtime=t)
    pinned = {"/bin/bash": 1021112, "/bin/dash": 121272}  # trusty's bash 4.3 and dash 0.5.7
    pinned.update({r["path"]: r["size"] for r in extra if r["type"] == "f"})
    for path, size in pinned.items():
        if path in rows:
            rows[path].update(size=size)
    # 4. dpkg's database speaks trusty's versions
    manifest = _trusty_manifest()
    status = os.path.join(src, "var", "lib", "dpkg", "status")
    with open(status, encoding="utf-8") as f:
        stanzas = f.read().split("\n\n")
    out = []
    for stanza in stanzas:
        m = re.search(r"^Package: (\S+)", stanza, re.M)
        if not m or m.group(1) == "usr-is-merged":
            continue
        if m.group(1) in manifest:
            stanza = re.sub(r"^Version: .*$", "Version: " + manifest[m.group(1)], stanza, flags=re.M)
        out.append(stanza.strip("\n"))
    rows["/var/lib/dpkg/status"] = mk("/var/lib/dpkg/status", "f", 0o644, text="\n\n".join(out) + "\n\n", mtime=t)
    rows.pop("/var/lib/dpkg/info/usr-is-merged.list", None)
    for path in [p for p in rows if p.startswith("/var/lib/dpkg/info/usr-is-merged.")]:
        del rows[path]
    # 5. sizes: Ubuntu strips translations out of its packages (language packs carry them), trusty's
    # perl 5.18 is smaller than bookworm's 5.36, udev 204 keeps a smaller hwdb in /etc/udev; then every
    # synthesized file is scaled so the layer totals the real image's ADD layer
    for path in [p for p in rows if p.startswith("/usr/share/locale/") and p.endswith(".mo")]:
        del rows[path]
    for path, r in rows.items():
        if r["type"] == "f" and path.startswith(("/usr/lib/perl/", "/usr/share/perl/")):
            r["size"] = int(r["size"] * 0.4)
    hwdb = rows.pop("/usr/lib/udev/hwdb.bin", None)
    if hwdb:
        rows["/etc/udev/hwdb.bin"] = dict(hwdb, path="/etc/udev/hwdb.bin", size=5226136)
    def scaled(r):
        return r["type"] == "f" and "text" not in r and r["path"] not in pinned

    fixed = sum(r["size"] for r in rows.values() if r["type"] in ("f", "l") and not scaled(r))
    scalable = sum(r["size"] for r in rows.values() if scaled(r))
    factor = (UBUNTU_ADD_LAYER_BYTES - fixed) / scalable
    for r in rows.values():
        if scaled(r):
            r["size"] = int(r["size"] * factor)
    print(f"ubuntu: file sizes scaled by {factor:.3f} to total the real layer", flush=True)
    # parents as directories
    for path in list(rows):
        parent = path.rsplit("/", 1)[0] or "/"
        while parent not in rows:
            rows[parent] = mk(parent, "d", mtime=t)
            parent = parent.rsplit("/", 1)[0] or "/"
    base = sorted(rows.values(), key=lambda r: rootfs.sort_key(r["path"]))
    clamp(base, t)
    # the hard links of the bookworm tree keep pointing at a name that still exists
    names = {r["path"] for r in base}
    for r in base:
        if r["type"] == "h" and r["target"] not in names:
            r.update(type="f", target="")
    # layer 2: the docker tweaks (dpkg-divert renames /sbin/initctl to /sbin/initctl.distrib)
    t2, t3, t4 = UBUNTU_LAYER_EPOCHS
    old_div = rows.get("/var/lib/dpkg/diversions", {}).get("text", "")
    clean = ('DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb '
             '/var/cache/apt/*.bin || true"; };\nAPT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb '
             '/var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n'
             'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";\n')
    layer2 = [mk("/etc", "d", mtime=t2), mk("/etc/apt", "d", mtime=t2), mk("/etc/apt/apt.conf.d", "d", mtime=t2),
              mk("/etc/apt/apt.conf.d/docker-autoremove-suggests", "f", 0o644,
                 text='Apt::AutoRemove::SuggestsImportant "false";\n', mtime=t2),
              mk("/etc/apt/apt.conf.d/docker-clean", "f", 0o644, text=clean, mtime=t2),
              mk("/etc/apt/apt.conf.d/docker-gzip-indexes", "f", 0o644,
                 text='Acquire::GzipIndexes "true"; Acquire::CompressionTypes::Order:: "gz";\n', mtime=t2),
              mk("/etc/apt/apt.conf.d/docker-no-languages", "f", 0o644, text='Acquire::Languages "none";\n',
                 mtime=t2),
              mk("/etc/dpkg", "d", mtime=t2), mk("/etc/dpkg/dpkg.cfg.d", "d", mtime=t2),
              mk("/etc/dpkg/dpkg.cfg.d/docker-apt-speedup", "f", 0o644, text="force-unsafe-io\n", mtime=t2),
              mk("/sbin", "d", mtime=t2), mk("/sbin/initctl", "f", 0o755, text="#!/bin/sh\nexit 0\n", mtime=t2),
              mk("/sbin/initctl.distrib", "f", 0o755, size=182432, mtime=t),
              mk("/usr", "d", mtime=t2), mk("/usr/sbin", "d", mtime=t2),
              mk("/usr/sbin/policy-rc.d", "f", 0o755, text="#!/bin/sh\nexit 101\n", mtime=t2),
              mk("/var", "d", mtime=t2), mk("/var/lib", "d", mtime=t2), mk("/var/lib/dpkg", "d", mtime=t2),
              mk("/var/lib/dpkg/diversions", "f", 0o644,
                 text=old_div + "/sbin/initctl\n/sbin/initctl.distrib\n:\n", mtime=t2),
              mk("/var/lib/dpkg/diversions-old", "f", 0o644, text=old_div, mtime=t2)]
    layer3 = [mk("/var", "d", mtime=t3), mk("/var/lib", "d", mtime=t3), mk("/var/lib/apt", "d", mtime=t3),
              mk("/var/lib/apt/lists", "d", mtime=t3), mk("/var/lib/apt/lists/lock", "w", 0),
              mk("/var/lib/apt/lists/partial", "w", 0)]
    layer4 = [mk("/run", "d", mtime=t4), mk("/run/systemd", "d", mtime=t4),
              mk("/run/systemd/container", "f", 0o644, text="docker\n", mtime=t4)]
    return [base, layer2, layer3, layer4]


def _debian_mirror() -> str:
    for path in glob.glob("/etc/apt/sources.list.d/*.sources"):
        with open(path) as f:
            for m in re.finditer(r"^URIs:\s*(\S+/debian)\s*$", f.read(), re.M):
                return m.group(1)
    with open("/etc/apt/sources.list") as f:
        m = re.search(r"^deb\s+(\S+/debian)\s", f.read(), re.M)
    return m.group(1)


def netbase_texts(work: str) -> dict[str, str]:
    d = tempfile.mkdtemp(dir=work)
    sh("apt-get", "download", "-qq", "netbase", cwd=d)
    deb = glob.glob(os.path.join(d, "netbase_*.deb"))[0]
    sh("dpkg-deb", "-x", deb, os.path.join(d, "x"))
    out = {}
    for name in ("services", "protocols"):
        with open(os.path.join(d, "x", "etc", name), encoding="utf-8") as f:
            out["/etc/" + name] = f.read()
    shutil.rmtree(d)
    return out


def busybox_applets() -> list[str]:
    try:
        out = subprocess.run(["busybox", "--list"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    return out.split()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", required=True, help="a scratch directory outside the repository (several GB)")
    ap.add_argument("--only", default="debian,python,ubuntu,busybox,alpine")
    args = ap.parse_args()
    work = os.path.abspath(args.work)
    MACHINE_PATHS.append(work + "/")
    os.makedirs(work, exist_ok=True)
    only = set(args.only.split(","))
    hosts = apt_hosts()
    if only & {"debian", "python"}:
        base = debian(work, hosts)
        if "debian" in only:
            rows = list(base.values())
            tokenize(rows, hosts)
            write_image("debian-bookworm-slim", [rows])
        if "python" in only:
            wheels = os.path.join(work, "wheels")
            if not glob.glob(os.path.join(wheels, f"pip-{python_tree.PIP_VERSION}-*.whl")):
                sh(sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", wheels,
                   f"pip=={python_tree.PIP_VERSION}")
            wheel = glob.glob(os.path.join(wheels, f"pip-{python_tree.PIP_VERSION}-*.whl"))[0]
            layers = python(work, base, wheel)
            for rows in layers:
                tokenize(rows, hosts)
            write_image("python-3.12-slim", layers, first_layer=1)
    if "ubuntu" in only:
        layers = ubuntu(work, None)
        for rows in layers:
            tokenize(rows, hosts)
        write_image("ubuntu-14.04", layers)
    if "busybox" in only:
        write_image("busybox", [small_images.busybox_rows(busybox_applets())])
    if "alpine" in only:
        write_image("alpine-3.19", [small_images.alpine_rows(netbase_texts(work))])


if __name__ == "__main__":
    main()
