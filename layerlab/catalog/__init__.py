"""Package catalogs for the simulated `apt-get`, `apk` and `pip`: what installing a package writes.

Four catalogs, each loaded once from data/<distro>.tsv.gz (see README.md for their sources):

* ``debian-bookworm``: real Debian 12 packages, their real file lists, modes and sizes (read from
  the .deb files with dpkg-deb) and their real Depends, Pre-Depends and Provides.
* ``ubuntu-trusty``: the same packages and files with trusty's version numbers where known.
* ``alpine-3.19``: Alpine packages written out from knowledge (principal files, plausible sizes).
* ``pypi``: real wheels (pip download) with every file they install; paths are relative to
  site-packages, see pip_files() for where pip puts them and what it adds.

>>> pkgs = resolve("debian-bookworm", ["curl"], installed=["libc6", "zlib1g"])
>>> pkgs[-1].name, pkgs[-1].manager, any(f.path == "/usr/bin/curl" for f in pkgs[-1].files)
('curl', 'apt', True)
>>> resolve("debian-bookworm", ["no-such-thing"])
Traceback (most recent call last):
...
layerlab.errors.NotFoundError: E: Unable to locate package no-such-thing
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Iterable, Mapping

from ..errors import NotFoundError

__all__ = ["DISTROS", "Package", "PackageFile", "apk_index", "apk_installed_entry", "apt_lists", "catalog",
           "dpkg_info_files", "dpkg_list", "dpkg_md5sums", "dpkg_status_entry", "parse_apk_installed",
           "parse_dpkg_status", "pip_files", "resolve"]

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
DISTROS = ("debian-bookworm", "ubuntu-trusty", "alpine-3.19", "pypi")
MANAGERS = {"debian-bookworm": "apt", "ubuntu-trusty": "apt", "alpine-3.19": "apk", "pypi": "pip"}


@dataclass(frozen=True, slots=True)
class PackageFile:
    """One path a package installs. kind is 'file', 'dir', 'symlink' or 'hardlink' (target = the
    path it links to); size is the file's bytes (the target's length for a symlink)."""

    path: str
    kind: str
    mode: int
    size: int
    target: str = ""
    uid: int = 0
    gid: int = 0


@dataclass(frozen=True, eq=False)
class Package:
    """A package of one manager: its files, its dependencies (restricted to the catalog, first
    alternative that the catalog has) and installed_size in bytes (the Installed-Size field x 1024
    for apt, the files' total for apk and pip)."""

    name: str
    version: str
    manager: str
    depends: tuple[str, ...]
    files: tuple[PackageFile, ...]
    installed_size: int
    architecture: str = field(default="", kw_only=True)
    description: str = field(default="", kw_only=True)
    section: str = field(default="", kw_only=True)
    priority: str = field(default="", kw_only=True)
    maintainer: str = field(default="", kw_only=True)
    multi_arch: str = field(default="", kw_only=True)
    essential: bool = field(default=False, kw_only=True)
    source: str = field(default="", kw_only=True)
    provides: tuple[str, ...] = field(default=(), kw_only=True)
    conffiles: tuple[str, ...] = field(default=(), kw_only=True)
    raw_depends: str = field(default="", kw_only=True)
    raw_pre_depends: str = field(default="", kw_only=True)
    scripts: tuple[str, ...] = field(default=(), kw_only=True)

    def __repr__(self) -> str:
        return f"<Package {self.manager} {self.name} {self.version}: {len(self.files)} files>"


_KINDS = {"d": "dir", "f": "file", "l": "symlink", "h": "hardlink"}

# host-name tokens in file names (see layerlab.image.bases.MIRROR_HOSTS)


def _fill(text: str) -> str:
    if "@" in text:
        from ..image.bases import MIRROR_HOSTS
        for token, host in MIRROR_HOSTS.items():
            text = text.replace(token, host)
    return text


def _lines(key: str):
    with open(os.path.join(DATA, f"{key}.tsv.gz"), "rb") as f:
        text = gzip.decompress(f.read()).decode("utf-8")
    for line in text.split("\n"):
        if line and line[0] != "#":
            yield line.split("\t")


def _normalize(distro: str, name: str) -> str:
    if distro == "pypi":
        return re.sub(r"[-_.]+", "-", name).lower()
    return name


def _dep_names(raw: str, manager: str) -> list[list[str]]:
    """Clauses of alternatives, each name without version or architecture qualifiers."""
    if not raw:
        return []
    clauses = []
    if manager == "apk":
        for word in raw.split():
            clauses.append([re.split(r"[<>=~]", word, maxsplit=1)[0]])
        return clauses
    for clause in raw.split(","):
        alts = []
        for alt in clause.split("|"):
            alt = re.sub(r"\(.*?\)|\[.*?\]|<.*?>", "", alt).strip()
            alt = alt.split(":")[0].strip()
            if alt:
                alts.append(alt)
        if alts:
            clauses.append(alts)
    return clauses


@lru_cache(maxsize=None)
def _raw(key: str) -> tuple[list[dict], list[tuple[str, str, int]], dict[str, str]]:
    packages: list[dict] = []
    lists: list[tuple[str, str, int]] = []
    versions: dict[str, str] = {}
    current = None
    kinds, new = _KINDS, PackageFile
    for parts in _lines(key):
        tag = parts[0]
        if tag == "F":
            current["files"].append(new(parts[1], kinds[parts[2]], int(parts[3], 8), int(parts[4]), parts[5],
                                        int(parts[6]), int(parts[7])))
        elif tag == "P":
            (_t, name, version, arch, installed, depends, pre, provides, section, priority, maint, multi, essential,
             source, desc, conffiles) = parts
            current = {"name": name, "version": version, "architecture": arch, "installed_size": int(installed),
                       "raw_depends": depends, "raw_pre_depends": pre, "provides": provides, "section": section,
                       "priority": priority, "maintainer": maint, "multi_arch": multi,
                       "essential": essential == "yes", "source": source, "description": json.loads(desc),
                       "conffiles": tuple(conffiles.split()) if conffiles else (), "files": []}
            packages.append(current)
        elif tag == "L":
            lists.append((_fill(parts[1]), parts[2], int(parts[3])))
        elif tag == "V":
            versions[parts[1]] = parts[2]
    return packages, lists, versions


def _provided(manager: str, provides: str) -> tuple[str, ...]:
    if manager == "apt":
        return tuple(p for alts in _dep_names(provides, "apt") for p in alts)
    return tuple(provides.split())


@lru_cache(maxsize=None)
def catalog(distro: str) -> Mapping[str, Package]:
    """name -> Package for one distro ('debian-bookworm', 'ubuntu-trusty', 'alpine-3.19', 'pypi').

    >>> catalog("pypi")["requests"].depends
    ('charset-normalizer', 'idna', 'urllib3', 'certifi')
    """
    if distro not in MANAGERS:
        raise NotFoundError(f"no package catalog for {distro!r}: the simulator has {', '.join(DISTROS)}")
    manager = MANAGERS[distro]
    key = "debian-bookworm" if distro == "ubuntu-trusty" else distro
    raw, _lists, _v = _raw(key)
    versions = _raw("ubuntu-trusty")[2] if distro == "ubuntu-trusty" else {}
    names = {_normalize(distro, p["name"]) for p in raw}
    providers: dict[str, str] = {}
    for p in raw:
        for virtual in _provided(manager, p["provides"]):
            providers.setdefault(virtual, _normalize(distro, p["name"]))
    out: dict[str, Package] = {}
    for p in raw:
        deps: list[str] = []
        for clause in _dep_names(p["raw_pre_depends"], manager) + _dep_names(p["raw_depends"], manager):
            for alt in clause:
                alt = _normalize(distro, alt)
                chosen = alt if alt in names else providers.get(alt)
                if chosen:
                    if chosen not in deps and chosen != _normalize(distro, p["name"]):
                        deps.append(chosen)
                    break
        name = _normalize(distro, p["name"])
        out[name] = Package(
            name=name if distro != "pypi" else name, version=versions.get(p["name"], p["version"]), manager=manager,
            depends=tuple(deps), files=tuple(p["files"]), installed_size=p["installed_size"],
            architecture=p["architecture"], description=p["description"], section=p["section"],
            priority=p["priority"], maintainer=p["maintainer"], multi_arch=p["multi_arch"], essential=p["essential"],
            source=p["source"], provides=_provided(manager, p["provides"]) if manager != "pip" else (),
            conffiles=p["conffiles"], raw_depends=p["raw_depends"], raw_pre_depends=p["raw_pre_depends"],
            scripts=tuple(p["provides"].split()) if manager == "pip" else ())
    return MappingProxyType(out)


def _not_found(distro: str, name: str) -> NotFoundError:
    manager = MANAGERS.get(distro)
    if manager == "apk":
        return NotFoundError(f"ERROR: unable to select packages:\n  {name} (no such package)")
    if manager == "pip":
        return NotFoundError(f"ERROR: Could not find a version that satisfies the requirement {name} "
                             f"(from versions: none)\nERROR: No matching distribution found for {name}")
    return NotFoundError(f"E: Unable to locate package {name}")


def _lookup(distro: str, spec: str) -> Package:
    pkgs = catalog(distro)
    manager = MANAGERS[distro]
    if manager == "pip":
        m = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(==|>=|<=|~=|!=|<|>)?\s*([^\s;,]*)", spec)
        name, op, version = (m.group(1), m.group(3), m.group(4)) if m else (spec, None, "")
    else:
        name, op, version = spec, None, ""
        if "=" in spec:
            name, version = spec.split("=", 1)
            op = "=="
    key = _normalize(distro, name)
    pkg = pkgs.get(key)
    if pkg is None:
        for candidate in pkgs.values():  # a virtual name: the first package that provides it
            if key in candidate.provides:
                pkg = candidate
                break
    if pkg is None:
        raise _not_found(distro, spec if manager == "pip" else name)
    if op == "==" and version and version.lstrip("=") != pkg.version:
        if manager == "apt":
            raise NotFoundError(f"E: Version '{version}' for '{name}' was not found")
        if manager == "apk":
            raise NotFoundError(f"ERROR: unable to select packages:\n  {name}-{pkg.version}:\n"
                                f"    breaks: world[{name}={version}]")
        raise NotFoundError(f"ERROR: Could not find a version that satisfies the requirement {spec} "
                            f"(from versions: {pkg.version})\nERROR: No matching distribution found for {spec}")
    return pkg


def resolve(distro: str, names: Iterable[str], installed: Iterable[str] = ()) -> list[Package]:
    """The packages to install for names, dependencies first, none of those in installed.

    Unknown names raise NotFoundError worded as the manager words it (apt: "E: Unable to locate
    package foo"). A name may carry a version (apt/apk "name=1.2", pip "name==1.2"); another
    version than the catalog's is refused the same way.

    >>> [p.name for p in resolve("pypi", ["flask"])]
    ['blinker', 'click', 'itsdangerous', 'markupsafe', 'jinja2', 'werkzeug', 'flask']
    """
    pkgs = catalog(distro)
    have = {_normalize(distro, n.split(":")[0]) for n in installed}
    wanted = [_lookup(distro, n) for n in names]
    order: list[Package] = []
    done: set[str] = set(have)
    visiting: set[str] = set()

    def visit(pkg: Package) -> None:
        if pkg.name in done or pkg.name in visiting:
            return
        visiting.add(pkg.name)
        for dep in pkg.depends:
            if dep in pkgs:
                visit(pkgs[dep])
        visiting.discard(pkg.name)
        done.add(pkg.name)
        order.append(pkg)

    for pkg in wanted:
        visit(pkg)
    return order


# -- what apt-get update / apk update write ------------------------------------------------------
_TRUSTY_LISTS = [  # Acquire::GzipIndexes + CompressionTypes "gz", as the trusty image configures apt
    ("archive.ubuntu.com_ubuntu_dists_trusty_InRelease", 65600),
    ("archive.ubuntu.com_ubuntu_dists_trusty_main_binary-amd64_Packages.gz", 1743101),
    ("archive.ubuntu.com_ubuntu_dists_trusty_main_source_Sources.gz", 1064229),
    ("archive.ubuntu.com_ubuntu_dists_trusty_restricted_binary-amd64_Packages.gz", 16570),
    ("archive.ubuntu.com_ubuntu_dists_trusty_restricted_source_Sources.gz", 5470),
    ("archive.ubuntu.com_ubuntu_dists_trusty_universe_binary-amd64_Packages.gz", 7589171),
    ("archive.ubuntu.com_ubuntu_dists_trusty_universe_source_Sources.gz", 6399805),
    ("archive.ubuntu.com_ubuntu_dists_trusty-updates_InRelease", 65589),
    ("archive.ubuntu.com_ubuntu_dists_trusty-updates_main_binary-amd64_Packages.gz", 1291546),
    ("archive.ubuntu.com_ubuntu_dists_trusty-updates_main_source_Sources.gz", 534014),
    ("archive.ubuntu.com_ubuntu_dists_trusty-updates_restricted_binary-amd64_Packages.gz", 21026),
    ("archive.ubuntu.com_ubuntu_dists_trusty-updates_restricted_source_Sources.gz", 6360),
    ("archive.ubuntu.com_ubuntu_dists_trusty-updates_universe_binary-amd64_Packages.gz", 569356),
    ("archive.ubuntu.com_ubuntu_dists_trusty-updates_universe_source_Sources.gz", 282146),
    ("security.ubuntu.com_ubuntu_dists_trusty-security_InRelease", 65589),
    ("security.ubuntu.com_ubuntu_dists_trusty-security_main_binary-amd64_Packages.gz", 926133),
    ("security.ubuntu.com_ubuntu_dists_trusty-security_main_source_Sources.gz", 186215),
    ("security.ubuntu.com_ubuntu_dists_trusty-security_restricted_binary-amd64_Packages.gz", 18183),
    ("security.ubuntu.com_ubuntu_dists_trusty-security_restricted_source_Sources.gz", 3522),
    ("security.ubuntu.com_ubuntu_dists_trusty-security_universe_binary-amd64_Packages.gz", 420711),
    ("security.ubuntu.com_ubuntu_dists_trusty-security_universe_source_Sources.gz", 126405),
]


def apt_lists(distro: str) -> list[PackageFile]:
    """What `apt-get update` leaves in /var/lib/apt/lists (and `rm -rf /var/lib/apt/lists/*` removes).

    >>> files = apt_lists("debian-bookworm")
    >>> sum(f.size for f in files) > 10_000_000
    True
    """
    root = "/var/lib/apt/lists"
    out = [PackageFile(root + "/partial", "dir", 0o700, 0), PackageFile(root + "/lock", "file", 0o640, 0)]
    if distro == "debian-bookworm":
        _p, lists, _v = _raw("debian-bookworm")
        for name, kind, size in lists:
            if name in ("partial", "lock"):
                continue
            out.append(PackageFile(f"{root}/{name}", "dir" if kind == "d" else "file",
                                   0o755 if kind == "d" else 0o644, size))
    elif distro == "ubuntu-trusty":
        out += [PackageFile(f"{root}/{name}", "file", 0o644, size) for name, size in _TRUSTY_LISTS]
    else:
        raise NotFoundError(f"{distro!r} does not use apt: apt_lists knows debian-bookworm and ubuntu-trusty")
    return sorted(out, key=lambda f: f.path)


def apk_index(distro: str = "alpine-3.19") -> list[PackageFile]:
    """What `apk update` (or `apk add` without --no-cache) leaves in /var/cache/apk."""
    if distro != "alpine-3.19":
        raise NotFoundError(f"{distro!r} does not use apk: apk_index knows alpine-3.19")
    _p, lists, _v = _raw("alpine-3.19")
    return [PackageFile("/var/cache/apk", "dir", 0o755, 0)] + [
        PackageFile(f"/var/cache/apk/{name}", "file", 0o644, size) for name, _kind, size in lists]


# -- the package databases the shell updates ------------------------------------------------------
def _md5(seed: str) -> str:
    return hashlib.md5(seed.encode("utf-8", "surrogateescape")).hexdigest()


def dpkg_status_entry(pkg: Package) -> str:
    """The /var/lib/dpkg/status stanza of an installed package (ends with a blank line)."""
    lines = [f"Package: {pkg.name}"]
    if pkg.essential:
        lines.append("Essential: yes")
    lines.append("Status: install ok installed")
    if pkg.priority:
        lines.append(f"Priority: {pkg.priority}")
    if pkg.section:
        lines.append(f"Section: {pkg.section}")
    lines.append(f"Installed-Size: {pkg.installed_size // 1024}")
    if pkg.maintainer:
        lines.append(f"Maintainer: {pkg.maintainer}")
    lines.append(f"Architecture: {pkg.architecture or 'amd64'}")
    if pkg.multi_arch:
        lines.append(f"Multi-Arch: {pkg.multi_arch}")
    if pkg.source:
        lines.append(f"Source: {pkg.source}")
    lines.append(f"Version: {pkg.version}")
    if pkg.provides:
        lines.append("Provides: " + ", ".join(pkg.provides))
    if pkg.raw_pre_depends:
        lines.append(f"Pre-Depends: {pkg.raw_pre_depends}")
    if pkg.raw_depends:
        lines.append(f"Depends: {pkg.raw_depends}")
    if pkg.conffiles:
        lines.append("Conffiles:")
        lines += [f" {path} {_md5(pkg.name + path)}" for path in pkg.conffiles]
    lines.append(f"Description: {pkg.description}")
    return "\n".join(lines) + "\n\n"


def dpkg_list(pkg: Package) -> str:
    """/var/lib/dpkg/info/<name>.list: every path the package installed, '/.' first, as dpkg writes it."""
    return "/.\n" + "".join(f"{f.path}\n" for f in pkg.files)


def dpkg_md5sums(pkg: Package) -> str:
    """/var/lib/dpkg/info/<name>.md5sums: regular files except conffiles, paths without the leading '/'."""
    conf = set(pkg.conffiles)
    return "".join(f"{_md5(pkg.name + f.path)}  {f.path[1:]}\n" for f in pkg.files
                   if f.kind == "file" and f.path not in conf)


def dpkg_info_files(pkg: Package) -> dict[str, str]:
    """The files of /var/lib/dpkg/info/ that installing pkg writes: path -> text."""
    name = pkg.name if pkg.multi_arch != "same" else f"{pkg.name}:{pkg.architecture}"
    out = {f"/var/lib/dpkg/info/{name}.list": dpkg_list(pkg)}
    md5 = dpkg_md5sums(pkg)
    if md5:
        out[f"/var/lib/dpkg/info/{name}.md5sums"] = md5
    if pkg.conffiles:
        out[f"/var/lib/dpkg/info/{name}.conffiles"] = "".join(f"{c}\n" for c in pkg.conffiles)
    return out


def parse_dpkg_status(text: str) -> dict[str, str]:
    """name -> version of every package /var/lib/dpkg/status marks installed."""
    out = {}
    for stanza in text.split("\n\n"):
        fields = dict(re.findall(r"^([A-Za-z-]+): ?(.*)$", stanza, re.M))
        if fields.get("Package") and fields.get("Status", "").endswith(" installed"):
            out[fields["Package"]] = fields.get("Version", "")
    return out


def apk_installed_entry(pkg: Package) -> str:
    """The /lib/apk/db/installed block of an installed package (ends with a blank line)."""
    out = [f"C:Q1{_md5(pkg.name + pkg.version)[:27]}=", f"P:{pkg.name}", f"V:{pkg.version}", "A:x86_64",
           f"S:{max(1, pkg.installed_size // 3)}", f"I:{pkg.installed_size}", f"T:{pkg.description}",
           "U:https://alpinelinux.org", "L:", f"o:{pkg.source or pkg.name}",
           "m:Natanael Copa <ncopa@alpinelinux.org>", "t:1739500000"]
    if pkg.raw_depends:
        out.append("D:" + pkg.raw_depends)
    if pkg.provides:
        out.append("p:" + " ".join(pkg.provides))
    folder = None
    for f in sorted(pkg.files, key=lambda f: f.path):
        if f.kind == "dir":
            continue
        parent, base = f.path.rsplit("/", 1)
        if parent.lstrip("/") != folder:
            folder = parent.lstrip("/")
            out.append(f"F:{folder}")
        out.append(f"R:{base}")
        if f.kind == "file" and f.mode != 0o644:
            out.append(f"a:0:0:{f.mode:o}")
        out.append(f"Z:Q1{_md5(f.path)[:27]}=")
    return "\n".join(out) + "\n\n"


def parse_apk_installed(text: str) -> dict[str, str]:
    """name -> version of every package in /lib/apk/db/installed."""
    out, name = {}, None
    for line in text.splitlines():
        if line.startswith("P:"):
            name = line[2:]
        elif line.startswith("V:") and name:
            out[name] = line[2:]
    return out


def pip_files(pkg: Package, site_packages: str = "/usr/local/lib/python3.12/site-packages",
              bin_dir: str = "/usr/local/bin", python: str = "3.12", compile: bool = True) -> list[PackageFile]:
    """Where `pip install` puts a pypi package: its wheel's files under site_packages, the
    dist-info files pip adds (INSTALLER, REQUESTED), its console scripts in bin_dir and, unless
    compile is False (--no-compile), a __pycache__/*.cpython-3XX.pyc beside every module.

    >>> files = pip_files(catalog("pypi")["flask"])
    >>> "/usr/local/bin/flask" in {f.path for f in files}
    True
    """
    if pkg.manager != "pip":
        raise ValueError(f"pip_files takes a pypi package, not {pkg.manager} package {pkg.name!r}")
    tag = "cpython-" + python.replace(".", "")
    out: list[PackageFile] = []
    dirs: set[str] = set()
    dist_info = None
    for f in pkg.files:
        path = f"{site_packages}/{f.path}"
        out.append(PackageFile(path, f.kind, f.mode, f.size, f.target))
        parent = path.rsplit("/", 1)[0]
        dirs.add(parent)
        if f.path.endswith(".dist-info/METADATA"):
            dist_info = parent
        if compile and f.path.endswith(".py"):
            base = path.rsplit("/", 1)[1][:-3]
            out.append(PackageFile(f"{parent}/__pycache__/{base}.{tag}.pyc", "file", 0o644,
                                   max(128, int(f.size * 0.8) + 200)))
            dirs.add(f"{parent}/__pycache__")
    if dist_info:
        out.append(PackageFile(f"{dist_info}/INSTALLER", "file", 0o644, 4))
        out.append(PackageFile(f"{dist_info}/REQUESTED", "file", 0o644, 0))
    for script in pkg.scripts:
        out.append(PackageFile(f"{bin_dir}/{script}", "file", 0o755, 220 + len(script)))
    for d in dirs:
        while d.startswith(site_packages + "/"):
            out.append(PackageFile(d, "dir", 0o755, 0))
            d = d.rsplit("/", 1)[0]
    unique = {f.path: f for f in out}
    return sorted(unique.values(), key=lambda f: tuple(f.path.split("/")))
