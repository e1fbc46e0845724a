"""The base images a course Dockerfile can start FROM: real file trees, real layers, real history.

Each image's file list (paths, types, modes, owners, sizes, link targets, hard links, mtimes) is
stored in data/<image>.tsv.gz; the small text files a learner `cat`s (/etc/os-release, /etc/passwd,
the apt and dpkg databases, ...) hold their real text (data/<image>.text.tsv.gz). Every other file's
bytes are synthesized on demand: Synthetic(size, seed="<image>:<path>"). README.md beside this file
tells where each list came from; tools/bases/ regenerates them.

>>> img = base_image("debian:bookworm-slim")
>>> img.reference, len(img.layers), img.config["Cmd"]
('debian:bookworm-slim', 1, ['bash'])
>>> base_image("debian:12-slim") is img
True
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from ...errors import NotFoundError
from ...fs.content import Inline, Synthetic
from ...fs.entries import Dir, File, HardLink, Symlink, Whiteout
from ...fs.layer import Layer
from .digests import preset

__all__ = ["BASE_NAMES", "BaseImage", "MIRROR_HOSTS", "base_image", "canonical_reference"]

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")

# Host names of package mirrors are stored as tokens and filled in when an image loads. The course
# may set the real ones; change them before the first base_image() call (or call
# base_image.cache_clear() after).
MIRROR_HOSTS: dict[str, str] = {
    "@DEBIAN_MIRROR@": "deb.debian.invalid",
    "@DEBIAN_SNAPSHOT@": "snapshot.debian.invalid",
}

PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class _FrozenList(list):
    """A list that refuses changes: a cached image is shared by every caller."""

    def _refuse(self, *args, **kwargs):
        raise TypeError("a base image's config is read-only: copy it (copy.deepcopy) to change it")

    append = extend = insert = pop = remove = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse

    def __hash__(self):  # pragma: no cover - lists are unhashable; keep it that way
        raise TypeError("unhashable type: 'list'")

    def __deepcopy__(self, memo):
        import copy
        return [copy.deepcopy(v, memo) for v in self]


class _FrozenDict(dict):
    """A dict that refuses changes (json.dumps and == work as on a dict)."""

    def _refuse(self, *args, **kwargs):
        raise TypeError("a base image's config and history are read-only: copy them (copy.deepcopy) to change them")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _refuse

    def __deepcopy__(self, memo):
        import copy
        return {k: copy.deepcopy(v, memo) for k, v in self.items()}


def _freeze(value):
    if isinstance(value, dict):
        return _FrozenDict({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return _FrozenList(_freeze(v) for v in value)
    return value


@dataclass(frozen=True, eq=False)
class BaseImage:
    """A pulled base image: its layers (base first), its config and its history.

    config is the image config's "config" object (Env, Cmd, Entrypoint, ...); history has one entry
    per Dockerfile step, base first, and exactly len(layers) of them are not empty_layer. Both are
    read-only: the same object is handed to every caller.
    """

    name: str
    tag: str
    layers: tuple[Layer, ...]
    config: dict
    history: tuple[dict, ...]
    architecture: str = "amd64"
    os: str = "linux"
    created: str = ""
    source: str = ""

    @property
    def reference(self) -> str:
        """name:tag (just the name for scratch)."""
        return f"{self.name}:{self.tag}" if self.tag else self.name

    @property
    def size(self) -> int:
        """Bytes of content in all layers (what `docker images` shows, files plus symlink targets)."""
        return sum(layer.size for layer in self.layers)

    def __repr__(self) -> str:
        return f"<BaseImage {self.reference}: {len(self.layers)} layers, {self.size / 1e6:.1f} MB>"


# -- what each image is ------------------------------------------------------------------------
def _buildkit_words(dockerfile_lines: str) -> str:
    """A Dockerfile instruction's arguments as the history records them: comment lines dropped,
    line continuations joined (the next line's leading tabs kept)."""
    out = []
    for line in dockerfile_lines.split("\n"):
        if line.lstrip().startswith("#"):
            continue
        out.append(line[:-1] if line.endswith("\\") else line)
    return "".join(out)


_PY_APT = r"""set -eux; \
	apt-get update; \
	apt-get install -y --no-install-recommends \
		ca-certificates \
		netbase \
		tzdata \
	; \
	rm -rf /var/lib/apt/lists/*"""

_PY_BUILD = r"""set -eux; \
	\
	savedAptMark="$(apt-mark showmanual)"; \
	apt-get update; \
	apt-get install -y --no-install-recommends \
		dpkg-dev \
		gcc \
		gnupg \
		libbluetooth-dev \
		libbz2-dev \
		libc6-dev \
		libdb-dev \
		libffi-dev \
		libgdbm-dev \
		liblzma-dev \
		libncursesw5-dev \
		libreadline-dev \
		libsqlite3-dev \
		libssl-dev \
		make \
		tk-dev \
		uuid-dev \
		wget \
		xz-utils \
		zlib1g-dev \
	; \
	\
	wget -O python.tar.xz "https://www.python.org/ftp/python/${PYTHON_VERSION%%[a-z]*}/Python-$PYTHON_VERSION.tar.xz"; \
	echo "$PYTHON_SHA256 *python.tar.xz" | sha256sum -c -; \
	wget -O python.tar.xz.asc "https://www.python.org/ftp/python/${PYTHON_VERSION%%[a-z]*}/Python-$PYTHON_VERSION.tar.xz.asc"; \
	GNUPGHOME="$(mktemp -d)"; export GNUPGHOME; \
	gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys "$GPG_KEY"; \
	gpg --batch --verify python.tar.xz.asc python.tar.xz; \
	gpgconf --kill all; \
	rm -rf "$GNUPGHOME" python.tar.xz.asc; \
	mkdir -p /usr/src/python; \
	tar --extract --directory /usr/src/python --strip-components=1 --file python.tar.xz; \
	rm python.tar.xz; \
	\
	cd /usr/src/python; \
	gnuArch="$(dpkg-architecture --query DEB_BUILD_GNU_TYPE)"; \
	./configure \
		--build="$gnuArch" \
		--enable-loadable-sqlite-extensions \
		--enable-optimizations \
		--enable-option-checking=fatal \
		--enable-shared \
		$(test "${gnuArch%%-*}" != 'riscv64' && echo '--with-lto') \
		--with-ensurepip \
	; \
	nproc="$(nproc)"; \
	EXTRA_CFLAGS="$(dpkg-buildflags --get CFLAGS)"; \
	LDFLAGS="$(dpkg-buildflags --get LDFLAGS)"; \
	LDFLAGS="${LDFLAGS:--Wl},--strip-all"; \
		arch="$(dpkg --print-architecture)"; arch="${arch##*-}"; \
# https://docs.python.org/3.12/howto/perf_profiling.html
# https://github.com/docker-library/python/pull/1000#issuecomment-2597021615
		case "$arch" in \
			amd64|arm64) \
				# only add "-mno-omit-leaf" on arches that support it
				# https://gcc.gnu.org/onlinedocs/gcc-14.2.0/gcc/x86-Options.html#index-momit-leaf-frame-pointer-2
				# https://gcc.gnu.org/onlinedocs/gcc-14.2.0/gcc/AArch64-Options.html#index-momit-leaf-frame-pointer
				EXTRA_CFLAGS="${EXTRA_CFLAGS:-} -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer"; \
				;; \
			i386) \
				# don't enable frame-pointers on 32bit x86 due to performance drop.
				;; \
			*) \
				# other arches don't support "-mno-omit-leaf"
				EXTRA_CFLAGS="${EXTRA_CFLAGS:-} -fno-omit-frame-pointer"; \
				;; \
		esac; \
	make -j "$nproc" \
		"EXTRA_CFLAGS=${EXTRA_CFLAGS:-}" \
		"LDFLAGS=${LDFLAGS:-}" \
	; \
# https://github.com/docker-library/python/issues/784
# prevent accidental usage of a system installed libpython of the same version
	rm python; \
	make -j "$nproc" \
		"EXTRA_CFLAGS=${EXTRA_CFLAGS:-}" \
		"LDFLAGS=${LDFLAGS:--Wl},-rpath='\$\$ORIGIN/../lib'" \
		python \
	; \
	make install; \
	\
	cd /; \
	rm -rf /usr/src/python; \
	\
	find /usr/local -depth \
		\( \
			\( -type d -a \( -name test -o -name tests -o -name idle_test \) \) \
			-o \( -type f -a \( -name '*.pyc' -o -name '*.pyo' -o -name 'libpython*.a' \) \) \
		\) -exec rm -rf '{}' + \
	; \
	\
	ldconfig; \
	\
	apt-mark auto '.*' > /dev/null; \
	apt-mark manual $savedAptMark; \
	find /usr/local -type f -executable -not \( -name '*tkinter*' \) -exec ldd '{}' ';' \
		| awk '/=>/ { so = $(NF-1); if (index(so, "/usr/local/") == 1) { next }; gsub("^/(usr/)?", "", so); printf "*%s\n", so }' \
		| sort -u \
		| xargs -rt dpkg-query --search \
# https://manpages.debian.org/bookworm/dpkg/dpkg-query.1.en.html#S (we ignore diversions and it'll be really unusual for more than one package to provide any given .so file)
		| awk 'sub(":$", "", $1) { print $1 }' \
		| sort -u \
		| xargs -r apt-mark manual \
	; \
	apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; \
	rm -rf /var/lib/apt/lists/*; \
	\
	export PYTHONDONTWRITEBYTECODE=1; \
	python3 --version; \
	pip3 --version"""

_PY_LINKS = r"""set -eux; \
	for src in idle3 pip3 pydoc3 python3 python3-config; do \
		dst="$(echo "$src" | tr -d 3)"; \
		[ -s "/usr/local/bin/$src" ]; \
		[ ! -e "/usr/local/bin/$dst" ]; \
		ln -svT "$src" "/usr/local/bin/$dst"; \
	done"""

_UBUNTU_TWEAKS = r"""set -xe \
	\
# https://github.com/docker/docker/blob/9a9fc01af8fb5d98b8eec0740716226fadb3735c/contrib/mkimage/debootstrap#L40-L48
	&& echo '#!/bin/sh' > /usr/sbin/policy-rc.d \
	&& echo 'exit 101' >> /usr/sbin/policy-rc.d \
	&& chmod +x /usr/sbin/policy-rc.d \
	\
# https://github.com/docker/docker/blob/9a9fc01af8fb5d98b8eec0740716226fadb3735c/contrib/mkimage/debootstrap#L54-L56
	&& dpkg-divert --local --rename --add /sbin/initctl \
	&& cp -a /usr/sbin/policy-rc.d /sbin/initctl \
	&& sed -i 's/^exit.*/exit 0/' /sbin/initctl \
	\
# https://github.com/docker/docker/blob/9a9fc01af8fb5d98b8eec0740716226fadb3735c/contrib/mkimage/debootstrap#L71-L78
	&& echo 'force-unsafe-io' > /etc/dpkg/dpkg.cfg.d/docker-apt-speedup \
	\
# https://github.com/docker/docker/blob/9a9fc01af8fb5d98b8eec0740716226fadb3735c/contrib/mkimage/debootstrap#L85-L105
	&& echo 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' > /etc/apt/apt.conf.d/docker-clean \
	&& echo 'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' >> /etc/apt/apt.conf.d/docker-clean \
	&& echo 'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";' >> /etc/apt/apt.conf.d/docker-clean \
	\
# https://github.com/docker/docker/blob/9a9fc01af8fb5d98b8eec0740716226fadb3735c/contrib/mkimage/debootstrap#L109-L115
	&& echo 'Acquire::Languages "none";' > /etc/apt/apt.conf.d/docker-no-languages \
	\
# https://github.com/docker/docker/blob/9a9fc01af8fb5d98b8eec0740716226fadb3735c/contrib/mkimage/debootstrap#L118-L130
	&& echo 'Acquire::GzipIndexes "true"; Acquire::CompressionTypes::Order:: "gz";' > /etc/apt/apt.conf.d/docker-gzip-indexes \
	\
# https://github.com/docker/docker/blob/9a9fc01af8fb5d98b8eec0740716226fadb3735c/contrib/mkimage/debootstrap#L134-L151
	&& echo 'Apt::AutoRemove::SuggestsImportant "false";' > /etc/apt/apt.conf.d/docker-autoremove-suggests"""

_BK = "buildkit.dockerfile.v0"


def _bk(created: str, created_by: str, empty: bool = False) -> dict:
    entry = {"created": created, "created_by": created_by, "comment": _BK}
    if empty:
        entry["empty_layer"] = True
    return entry


_DEBIAN_HISTORY = [{"created": "2025-05-20T00:00:00Z",
                    "created_by": "# debian.sh --arch 'amd64' out/ 'bookworm' '@1747699200'",
                    "comment": "debuerreotype 0.15"}]
_PY_T = ("2025-05-21T23:45:23Z", "2025-05-21T23:49:32Z", "2025-05-21T23:49:34Z")
_PY_ENV = ["PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
           "GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305", "PYTHON_VERSION=3.12.10",
           "PYTHON_SHA256=07ab697474595e06f06647417d3c7fa97ded07afc1a7e4454c5639919b46eaea"]
_UBUNTU_T = ("2019-03-07T22:19:40.198000000Z", "2019-03-07T22:19:44.860582522Z", "2019-03-07T22:19:49.396313427Z",
             "2019-03-07T22:19:51.546004355Z", "2019-03-07T22:19:53.447205048Z")

# canonical reference -> everything but the layers' entries
_IMAGES: dict[str, dict] = {
    "scratch": dict(
        name="scratch", tag="", data=None, layers_from=None, created="", config={}, history=[],
        aliases=(),
        source="The empty image: no layers, no config. `FROM scratch` starts a Dockerfile with nothing in it."),
    "busybox:latest": dict(
        name="busybox", tag="latest", data="busybox", created="2023-05-18T22:34:17Z",
        config={"Env": [PATH_ENV], "Cmd": ["sh"]},
        history=[{"created": "2023-05-18T22:34:17Z", "created_by": "BusyBox 1.36.1 (glibc), Debian 12"}],
        aliases=("busybox", "busybox:1.36", "busybox:1.36.1", "busybox:1-glibc", "busybox:1.36-glibc",
                 "busybox:1.36.1-glibc", "busybox:glibc"),
        source="BusyBox 1.36.1, the glibc variant as docker-library/busybox builds it: /bin/busybox with one "
               "hard link per applet (upstream defconfig applets, cross-checked with Debian's `busybox --list`), "
               "Debian 12 glibc libraries (this machine's real sizes), buildroot's /etc/passwd, /etc/group and "
               "/etc/shadow; the busybox binary's size is estimated so the image totals the real ~4.26 MB, and all "
               "file content except the /etc text files is synthesized."),
    "alpine:3.19": dict(
        name="alpine", tag="3.19", data="alpine-3.19", created="2025-02-14T03:28:36Z",
        config={"Env": [PATH_ENV], "Cmd": ["/bin/sh"]},
        history=[_bk("2025-02-14T03:28:36Z", "ADD alpine-minirootfs-3.19.7-x86_64.tar.gz / # buildkit"),
                 _bk("2025-02-14T03:28:36Z", 'CMD ["/bin/sh"]', empty=True)],
        aliases=("alpine:3.19.7",),
        source="alpine-minirootfs 3.19.7 written out from knowledge of its 15 packages (busybox with one "
               "symlink per applet, musl, apk-tools, libcrypto3/libssl3, zlib, scanelf, ssl_client, "
               "ca-certificates-bundle, alpine-baselayout, alpine-keys); no Alpine mirror is reachable here, so "
               "binary sizes are estimates that add up to the real ~7.4 MB, /etc/services and /etc/protocols "
               "are netbase's text, and file content other than the /etc text files is synthesized."),
    "debian:bookworm-slim": dict(
        name="debian", tag="bookworm-slim", data="debian-bookworm-slim", created="2025-05-20T00:00:00Z",
        config={"Env": [PATH_ENV], "Cmd": ["bash"]}, history=_DEBIAN_HISTORY,
        aliases=("debian:12-slim", "debian:bookworm-20250520-slim", "debian:12.11-slim"),
        source="A real `debootstrap --variant=minbase bookworm` run here (current bookworm packages), then "
               "debuerreotype's steps: full-upgrade, minimizing config (policy-rc.d, apt/dpkg docker-* files), "
               "slimify (docs, man pages, locales removed; dpkg path-excludes), fixup and tar excludes; every "
               "path's type, mode, owner, size, link target and hard link as that tree has it. Text files "
               "under /etc and the dpkg database hold their real text; other content is synthesized."),
    "python:3.12-slim": dict(
        name="python", tag="3.12-slim", data="python-3.12-slim", layers_from="debian:bookworm-slim",
        created=_PY_T[2],
        config={"Env": _PY_ENV, "Cmd": ["python3"]},
        history=_DEBIAN_HISTORY + [
            _bk(_PY_T[0], "ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                empty=True),
            _bk(_PY_T[0], "ENV LANG=C.UTF-8", empty=True),
            _bk(_PY_T[0], "RUN /bin/sh -c " + _buildkit_words(_PY_APT) + " # buildkit"),
            _bk(_PY_T[0], "ENV GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305", empty=True),
            _bk(_PY_T[0], "ENV PYTHON_VERSION=3.12.10", empty=True),
            _bk(_PY_T[0], "ENV PYTHON_SHA256=07ab697474595e06f06647417d3c7fa97ded07afc1a7e4454c5639919b46eaea",
                empty=True),
            _bk(_PY_T[1], "RUN /bin/sh -c " + _buildkit_words(_PY_BUILD) + " # buildkit"),
            _bk(_PY_T[2], "RUN /bin/sh -c " + _buildkit_words(_PY_LINKS) + " # buildkit"),
            _bk(_PY_T[2], 'CMD ["python3"]', empty=True)],
        aliases=("python:3.12-slim-bookworm", "python:3.12.10-slim", "python:3.12.10-slim-bookworm"),
        source="debian:bookworm-slim's layer plus three layers made for real here as changesets of a chroot: "
               "`apt-get install ca-certificates netbase tzdata` (real packages), the Python build (its runtime "
               "libraries installed with apt; /usr/local laid out from this machine's CPython 3.11 install "
               "renamed to 3.12, with 3.12's removed and added modules, stripped binaries, and the real pip "
               "25.0.1 wheel installed as ensurepip does) and the symlinks step. Content is synthesized except "
               "text files under /etc, /usr/local/bin and the dpkg database."),
    "ubuntu:14.04": dict(
        name="ubuntu", tag="14.04", data="ubuntu-14.04", created=_UBUNTU_T[4],
        config={"Hostname": "", "Domainname": "", "User": "", "AttachStdin": False, "AttachStdout": False,
                "AttachStderr": False, "Tty": False, "OpenStdin": False, "StdinOnce": False, "Env": [PATH_ENV],
                "Cmd": ["/bin/bash"], "ArgsEscaped": True, "Volumes": None, "WorkingDir": "", "Entrypoint": None,
                "OnBuild": None, "Labels": None},
        history=[
            {"created": _UBUNTU_T[0], "created_by": "/bin/sh -c #(nop) ADD file:276b5d943a4d284f8a7b249176a31f93d95e852"
                                                    "480c2b851de4a6ae5ee8c4c9d in / "},
            {"created": _UBUNTU_T[1], "created_by": "/bin/sh -c " + _buildkit_words(_UBUNTU_TWEAKS)},
            {"created": _UBUNTU_T[2], "created_by": "/bin/sh -c rm -rf /var/lib/apt/lists/*"},
            {"created": _UBUNTU_T[3],
             "created_by": "/bin/sh -c mkdir -p /run/systemd && echo 'docker' > /run/systemd/container"},
            {"created": _UBUNTU_T[4], "created_by": '/bin/sh -c #(nop)  CMD ["/bin/bash"]', "empty_layer": True}],
        aliases=("ubuntu:trusty", "ubuntu:trusty-20190305"),
        source="Ubuntu 14.04 is not on this machine's mirror: the tree is a real bookworm minbase debootstrap "
               "(with the trusty cloud image's package set where bookworm has the package, docs and locales "
               "kept) turned into trusty's: /bin, /sbin, /lib real directories again (files moved back to where "
               "their package lists them), glibc 2.19 library names, python3.4 and perl 5.18 paths, upstart, "
               "dash as /bin/sh, bash 4.3's size, trusty's dpkg versions and release files (/etc/os-release of "
               "14.04.6 LTS, lsb-release, debian_version jessie/sid); the three later layers are the real "
               "changesets of the final Docker Hub image's RUN steps. File sizes are bookworm's."),
}


def _canonical_table() -> dict[str, str]:
    table = {}
    for ref, spec in _IMAGES.items():
        table[ref] = ref
        for alias in spec["aliases"]:
            table[alias] = ref
    return table


_REFERENCES = _canonical_table()
BASE_NAMES: tuple[str, ...] = tuple(_REFERENCES)


def canonical_reference(reference: str) -> str:
    """The canonical name:tag of a reference the simulator knows ('debian:12-slim' -> 'debian:bookworm-slim').

    Accepts the docker.io/library/ prefixes a Dockerfile may write; raises NotFoundError for others.

    >>> canonical_reference("docker.io/library/busybox")
    'busybox:latest'
    """
    ref = str(reference).strip()
    for prefix in ("docker.io/library/", "index.docker.io/library/", "library/"):
        if ref.startswith(prefix):
            ref = ref[len(prefix):]
            break
    if ref in _REFERENCES:
        return _REFERENCES[ref]
    if ":" not in ref.rsplit("/", 1)[-1] and ref + ":latest" in _REFERENCES:
        return _REFERENCES[ref + ":latest"]
    shown = reference if ":" in str(reference) or str(reference) == "scratch" else f"{reference}:latest"
    known = ", ".join(sorted(_IMAGES))
    raise NotFoundError(f"no such image: {shown!r} (the simulator knows: {known})")


# -- loading -----------------------------------------------------------------------------------
def _read_gz_lines(name: str) -> Iterable[str]:
    with gzip.open(os.path.join(DATA, name), "rt", encoding="utf-8") as f:
        for line in f:
            if line and not line.startswith("#"):
                yield line.rstrip("\n")


def _fill_hosts(text: str) -> str:
    if "@" in text:
        for token, host in MIRROR_HOSTS.items():
            text = text.replace(token, host)
    return text


@lru_cache(maxsize=None)
def _layer_entries(data: str, seed_ref: str) -> tuple[dict, ...]:
    """{path: entry} for each layer stored in data/<data>.tsv.gz, in stored (walk) order."""
    texts: dict[tuple[int, str], str] = {}
    for line in _read_gz_lines(f"{data}.text.tsv.gz"):
        layer, path, value = line.split("\t", 2)
        texts[(int(layer), _fill_hosts(path))] = _fill_hosts(json.loads(value))
    layers: dict[int, dict] = {}
    dirs: dict[tuple, Dir] = {}
    for line in _read_gz_lines(f"{data}.tsv.gz"):
        layer_s, path, kind, mode_s, uid_s, gid_s, size_s, target, mtime_s = line.split("\t")
        layer = int(layer_s)
        path = _fill_hosts(path)
        mode, uid, gid, mtime = int(mode_s, 8), int(uid_s), int(gid_s), int(mtime_s)
        if kind == "d":
            key = (mode, uid, gid, mtime)
            entry = dirs.get(key)
            if entry is None:
                entry = dirs[key] = Dir(mode=mode, uid=uid, gid=gid, mtime=mtime)
        elif kind == "f":
            text = texts.get((layer, path))
            content = (Inline(text.encode("utf-8")) if text is not None
                       else Synthetic(int(size_s), f"{seed_ref}:{path}"))
            entry = File(content, mode=mode, uid=uid, gid=gid, mtime=mtime)
        elif kind == "l":
            entry = Symlink(target, mode=mode, uid=uid, gid=gid, mtime=mtime)
        elif kind == "h":
            entry = HardLink(target, mode=mode, uid=uid, gid=gid, mtime=mtime)
        elif kind == "w":
            entry = Whiteout()
        else:  # pragma: no cover - the generator writes no other kinds
            raise ValueError(f"{data}: unknown entry type {kind!r} for {path!r}")
        layers.setdefault(layer, {})[path] = entry
    return tuple(layers[i] for i in sorted(layers))


@lru_cache(maxsize=None)
def _build(canonical: str) -> BaseImage:
    spec = _IMAGES[canonical]
    layers: list[Layer] = []
    if spec.get("layers_from"):
        layers += base_image(spec["layers_from"]).layers
    if spec["data"]:
        creators = [h for h in spec["history"] if not h.get("empty_layer")][len(layers):]
        for entries, hist in zip(_layer_entries(spec["data"], canonical), creators):
            layers.append(preset(Layer(entries, created_by=hist["created_by"], comment=hist.get("comment", ""))))
    history = tuple(_freeze(h) for h in spec["history"])
    if sum(1 for h in history if not h.get("empty_layer")) != len(layers):  # pragma: no cover - data check
        raise ValueError(f"{canonical}: {len(layers)} layers but a history with a different number of layers")
    return BaseImage(name=spec["name"], tag=spec["tag"], layers=tuple(layers), config=_freeze(spec["config"]),
                     history=history, created=spec["created"], source=spec["source"])


@lru_cache(maxsize=None)
def base_image(reference: str) -> BaseImage:
    """The base image a reference names, loaded once (the same object on every later call).

    >>> base_image("alpine:3.19").config["Cmd"]
    ['/bin/sh']
    >>> base_image("foo:1")
    Traceback (most recent call last):
    ...
    layerlab.errors.NotFoundError: no such image: 'foo:1' (the simulator knows: ...)
    """
    return _build(canonical_reference(reference))
