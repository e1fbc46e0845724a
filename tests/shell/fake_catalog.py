"""A tiny stand-in for layerlab.catalog with the same API, so the package-manager tests state their own data."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from layerlab.errors import NotFoundError


@dataclass(frozen=True)
class PackageFile:
    path: str
    kind: str
    mode: int
    size: int = 0
    target: str = ""
    uid: int = 0
    gid: int = 0


@dataclass(frozen=True, eq=False)
class Package:
    name: str
    version: str
    manager: str
    depends: tuple[str, ...]
    files: tuple[PackageFile, ...]
    installed_size: int
    architecture: str = field(default="amd64", kw_only=True)
    description: str = field(default="", kw_only=True)
    conffiles: tuple[str, ...] = field(default=(), kw_only=True)
    multi_arch: str = field(default="", kw_only=True)
    provides: tuple[str, ...] = field(default=(), kw_only=True)
    scripts: tuple[str, ...] = field(default=(), kw_only=True)


def _d(path):
    return PackageFile(path, "dir", 0o755)


def _f(path, size, mode=0o644):
    return PackageFile(path, "file", mode, size)


def _pkg(manager, name, version, depends, files, **kw):
    files = tuple(files)
    return Package(name, version, manager, tuple(depends), files, sum(f.size for f in files), **kw)


DEBIAN = {p.name: p for p in [
    _pkg("apt", "libcurl4", "7.88.1-10+deb12u5", ["libc6"], [
        _d("/usr"), _d("/usr/lib"), _d("/usr/lib/x86_64-linux-gnu"),
        _f("/usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0", 700_000),
        PackageFile("/usr/lib/x86_64-linux-gnu/libcurl.so.4", "symlink", 0o777, 16, "libcurl.so.4.8.0")]),
    _pkg("apt", "curl", "7.88.1-10+deb12u5", ["libcurl4", "libc6"], [
        _d("/usr"), _d("/usr/bin"), _f("/usr/bin/curl", 280_800, 0o755), _d("/usr/share"),
        _d("/usr/share/doc"), _d("/usr/share/doc/curl"), _f("/usr/share/doc/curl/copyright", 2_000)]),
    _pkg("apt", "nginx", "1.22.1-9", ["libc6"], [
        _d("/etc"), _d("/etc/nginx"), _f("/etc/nginx/nginx.conf", 1_447), _d("/usr"), _d("/usr/sbin"),
        _f("/usr/sbin/nginx", 1_300_000, 0o755)], conffiles=("/etc/nginx/nginx.conf",)),
    _pkg("apt", "libc6", "2.36-9+deb12u4", [], [_d("/usr"), _d("/usr/lib")]),
]}

ALPINE = {p.name: p for p in [
    _pkg("apk", "ca-certificates", "20240226-r0", [], [_d("/etc"), _d("/etc/ssl"), _f("/etc/ssl/cert.pem", 220_000)]),
    _pkg("apk", "libcurl", "8.5.0-r0", ["ca-certificates"], [_d("/usr"), _d("/usr/lib"),
                                                             _f("/usr/lib/libcurl.so.4.8.0", 600_000, 0o755)]),
    _pkg("apk", "curl", "8.5.0-r0", ["libcurl", "ca-certificates"], [_d("/usr"), _d("/usr/bin"),
                                                                      _f("/usr/bin/curl", 250_000, 0o755)]),
    _pkg("apk", "gcc", "13.2.1_git20231014-r0", [], [_d("/usr"), _d("/usr/bin"), _f("/usr/bin/gcc", 90_000_000, 0o755)]),
]}

PYPI = {p.name: p for p in [
    _pkg("pip", "urllib3", "2.2.1", [], [_f("urllib3/__init__.py", 3_000), _f("urllib3-2.2.1.dist-info/METADATA", 6_000)]),
    _pkg("pip", "idna", "3.6", [], [_f("idna/__init__.py", 850), _f("idna-3.6.dist-info/METADATA", 9_000)]),
    _pkg("pip", "requests", "2.31.0", ["urllib3", "idna"], [
        _f("requests/__init__.py", 4_900), _f("requests/api.py", 6_400),
        _f("requests-2.31.0.dist-info/METADATA", 4_600), _f("requests-2.31.0.dist-info/RECORD", 1_000)]),
    _pkg("pip", "flask", "3.0.2", [], [_f("flask/__init__.py", 2_600), _f("flask-3.0.2.dist-info/METADATA", 3_100)],
         scripts=("flask",)),
]}

CATALOGS = {"debian-bookworm": DEBIAN, "alpine-3.19": ALPINE, "pypi": PYPI}


def catalog(distro):
    return CATALOGS[distro]


def _norm(distro, name):
    return re.sub(r"[-_.]+", "-", name).lower() if distro == "pypi" else name


def resolve(distro, names, installed=()):
    pkgs = catalog(distro)
    have = {_norm(distro, n) for n in installed}
    order, done = [], set(have)

    def visit(p):
        if p.name in done:
            return
        done.add(p.name)
        for d in p.depends:
            if d in pkgs:
                visit(pkgs[d])
        order.append(p)

    for spec in names:
        m = re.match(r"([A-Za-z0-9][A-Za-z0-9._+-]*?)(?:(==|=)(.*))?$", spec)
        name, version = _norm(distro, m.group(1)), m.group(3)
        if name not in pkgs:
            if distro == "pypi":
                raise NotFoundError(f"ERROR: Could not find a version that satisfies the requirement {spec} "
                                    f"(from versions: none)\nERROR: No matching distribution found for {spec}")
            if distro.startswith("alpine"):
                raise NotFoundError(f"ERROR: unable to select packages:\n  {name} (no such package)")
            raise NotFoundError(f"E: Unable to locate package {name}")
        if version and version != pkgs[name].version:
            if distro == "pypi":
                raise NotFoundError(f"ERROR: Could not find a version that satisfies the requirement {spec} "
                                    f"(from versions: {pkgs[name].version})\nERROR: No matching distribution "
                                    f"found for {spec}")
            raise NotFoundError(f"E: Version '{version}' for '{name}' was not found")
        visit(pkgs[name])
    return order


def apt_lists(distro):
    root = "/var/lib/apt/lists"
    return [PackageFile(root + "/partial", "dir", 0o700), PackageFile(root + "/lock", "file", 0o640, 0),
            _f(f"{root}/deb.debian.org_debian_dists_bookworm_InRelease", 151_000),
            _f(f"{root}/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4", 8_788_000),
            _f(f"{root}/deb.debian.org_debian_dists_bookworm-updates_InRelease", 55_400)]


def apk_index(distro):
    return [_d("/var/cache/apk"), _f("/var/cache/apk/APKINDEX.2c4ac24e.tar.gz", 2_400_000),
            _f("/var/cache/apk/APKINDEX.40a3604f.tar.gz", 1_900_000)]


def dpkg_status_entry(pkg):
    return (f"Package: {pkg.name}\nStatus: install ok installed\nInstalled-Size: {pkg.installed_size // 1024}\n"
            f"Architecture: amd64\nVersion: {pkg.version}\nDescription: {pkg.name}\n\n")


def dpkg_info_files(pkg):
    return {f"/var/lib/dpkg/info/{pkg.name}.list": "/.\n" + "".join(f.path + "\n" for f in pkg.files)}


def parse_dpkg_status(text):
    out = {}
    for stanza in text.split("\n\n"):
        fields = dict(re.findall(r"^([A-Za-z-]+): ?(.*)$", stanza, re.M))
        if fields.get("Package") and fields.get("Status", "").endswith(" installed"):
            out[fields["Package"]] = fields.get("Version", "")
    return out


def apk_installed_entry(pkg):
    return f"P:{pkg.name}\nV:{pkg.version}\nA:x86_64\nI:{pkg.installed_size}\n\n"


def parse_apk_installed(text):
    out, name = {}, None
    for line in text.splitlines():
        if line.startswith("P:"):
            name = line[2:]
        elif line.startswith("V:") and name:
            out[name] = line[2:]
    return out


def pip_files(pkg, site_packages="/usr/local/lib/python3.12/site-packages", bin_dir="/usr/local/bin",
              python="3.12", compile=True):
    out, dirs = [], set()
    for f in pkg.files:
        path = f"{site_packages}/{f.path}"
        out.append(PackageFile(path, f.kind, f.mode, f.size))
        dirs.add(path.rsplit("/", 1)[0])
    for s in pkg.scripts:
        out.append(PackageFile(f"{bin_dir}/{s}", "file", 0o755, 220))
    out += [PackageFile(d, "dir", 0o755) for d in dirs]
    return sorted(out, key=lambda f: f.path.split("/"))
