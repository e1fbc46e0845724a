"""Package catalogs: each row states what the real package manager would do."""

from __future__ import annotations

import pytest

from layerlab import NotFoundError
from layerlab.catalog import (DISTROS, Package, PackageFile, apk_index, apk_installed_entry, apt_lists, catalog,
                              dpkg_info_files, dpkg_list, dpkg_md5sums, dpkg_status_entry, parse_apk_installed,
                              parse_dpkg_status, pip_files, resolve)

# (distro, package, a path it installs, kind, link target or None)
FILES = [
    ("debian-bookworm", "curl", "/usr/bin/curl", "file", None),
    ("debian-bookworm", "git", "/usr/bin/git", "file", None),
    ("debian-bookworm", "gcc-12", "/usr/bin/gcc-12", "symlink", "x86_64-linux-gnu-gcc-12"),
    ("debian-bookworm", "gcc-12", "/usr/bin/x86_64-linux-gnu-gcc-12", "file", None),
    ("debian-bookworm", "gcc", "/usr/bin/gcc", "symlink", "gcc-12"),
    ("debian-bookworm", "make", "/usr/bin/make", "file", None),
    ("debian-bookworm", "libc6-dev", "/usr/include/stdio.h", "file", None),
    ("debian-bookworm", "python3-pip", "/usr/bin/pip3", "file", None),
    ("debian-bookworm", "python3.11-minimal", "/usr/bin/python3.11", "file", None),
    ("debian-bookworm", "vim-tiny", "/usr/bin/vim.tiny", "file", None),
    ("debian-bookworm", "nano", "/bin/nano", "file", None),
    ("debian-bookworm", "iputils-ping", "/bin/ping", "file", None),
    ("debian-bookworm", "net-tools", "/bin/netstat", "file", None),
    ("debian-bookworm", "nginx-common", "/etc/nginx/nginx.conf", "file", None),
    ("debian-bookworm", "jq", "/usr/bin/jq", "file", None),
    ("debian-bookworm", "ca-certificates", "/usr/sbin/update-ca-certificates", "file", None),
    ("debian-bookworm", "tzdata", "/usr/share/zoneinfo/Etc/UTC", "file", None),
    ("debian-bookworm", "sudo", "/usr/bin/sudo", "file", None),
    ("debian-bookworm", "libssl3", "/usr/lib/x86_64-linux-gnu/libssl.so.3", "file", None),
    ("ubuntu-trusty", "curl", "/usr/bin/curl", "file", None),
    ("alpine-3.19", "curl", "/usr/bin/curl", "file", None),
    ("alpine-3.19", "bash", "/bin/bash", "file", None),
    ("alpine-3.19", "gcc", "/usr/bin/cc", "symlink", "gcc"),
    ("alpine-3.19", "python3", "/usr/bin/python3", "symlink", "python3.11"),
    ("alpine-3.19", "python3", "/usr/lib/python3.11/os.py", "file", None),
    ("alpine-3.19", "py3-pip", "/usr/lib/python3.11/site-packages/pip/__init__.py", "file", None),
    ("alpine-3.19", "nginx", "/usr/sbin/nginx", "file", None),
    ("pypi", "requests", "requests/__init__.py", "file", None),
    ("pypi", "numpy", "numpy/__init__.py", "file", None),
    ("pypi", "flask", "flask-3.1.1.dist-info/METADATA", "file", None),
]


@pytest.mark.parametrize("distro, name, path, kind, target", FILES)
def test_package_files(distro, name, path, kind, target):
    pkg = catalog(distro)[name]
    found = {f.path: f for f in pkg.files}
    assert path in found, f"{name} does not install {path}"
    assert found[path].kind == kind
    if target is not None:
        assert found[path].target == target


# (distro, package, version prefix, manager)
VERSIONS = [
    ("debian-bookworm", "curl", "7.88.1-10+deb12u", "apt"),
    ("debian-bookworm", "git", "1:2.39.", "apt"),
    ("debian-bookworm", "gcc-12", "12.2.0-14", "apt"),
    ("debian-bookworm", "python3", "3.11.", "apt"),
    ("ubuntu-trusty", "curl", "7.35.0-1ubuntu2", "apt"),
    ("ubuntu-trusty", "git", "1:1.9.1-1ubuntu0", "apt"),
    ("alpine-3.19", "curl", "8.12.1-r0", "apk"),
    ("alpine-3.19", "python3", "3.11.", "apk"),
    ("pypi", "requests", "2.32.3", "pip"),
    ("pypi", "numpy", "2.2.6", "pip"),
]


@pytest.mark.parametrize("distro, name, version, manager", VERSIONS)
def test_versions_and_manager(distro, name, version, manager):
    pkg = catalog(distro)[name]
    assert isinstance(pkg, Package)
    assert pkg.version.startswith(version)
    assert pkg.manager == manager


# (distro, package, minimum installed bytes): the big ones a "slim your image" lesson needs
BIG = [
    ("debian-bookworm", "gcc-12", 30_000_000),
    ("debian-bookworm", "git", 20_000_000),
    ("debian-bookworm", "libc6-dev", 5_000_000),
    ("debian-bookworm", "vim-runtime", 20_000_000),
    ("pypi", "numpy", 30_000_000),
    ("pypi", "pandas", 30_000_000),
    ("alpine-3.19", "gcc", 50_000_000),
]


@pytest.mark.parametrize("distro, name, minimum", BIG)
def test_big_packages(distro, name, minimum):
    pkg = catalog(distro)[name]
    assert pkg.installed_size >= minimum
    assert sum(f.size for f in pkg.files if f.kind == "file") >= minimum * 0.8


def test_catalog_sizes():
    assert len(catalog("debian-bookworm")) >= 40
    assert len(catalog("alpine-3.19")) >= 20
    assert len(catalog("pypi")) >= 20
    assert set(DISTROS) == {"debian-bookworm", "ubuntu-trusty", "alpine-3.19", "pypi"}


# (distro, names, installed, packages that must come out, in this relative order, and ones that must not)
RESOLVE = [
    ("debian-bookworm", ["curl"], [], ["libcurl4", "curl"], []),
    ("debian-bookworm", ["curl"], ["libc6", "zlib1g", "libssl3"], ["libcurl4", "curl"], ["libc6", "zlib1g", "libssl3"]),
    ("debian-bookworm", ["build-essential"], [], ["gcc-12", "gcc", "g++", "make", "build-essential"], []),
    ("debian-bookworm", ["python3-pip"], [], ["python3", "python3-pip"], []),
    ("debian-bookworm", ["curl", "curl"], ["curl"], [], ["curl"]),
    ("ubuntu-trusty", ["git"], [], ["git-man", "git"], []),
    ("alpine-3.19", ["curl"], ["musl", "zlib", "libcrypto3", "libssl3"], ["libcurl", "curl"], ["musl", "zlib"]),
    ("alpine-3.19", ["build-base"], [], ["binutils", "gcc", "musl-dev", "g++", "make", "build-base"], []),
    ("alpine-3.19", ["py3-pip"], [], ["python3", "py3-pip"], []),
    ("pypi", ["flask"], [], ["markupsafe", "jinja2", "werkzeug", "flask"], []),
    ("pypi", ["Flask"], ["click"], ["flask"], ["click"]),
    ("pypi", ["requests==2.32.3"], [], ["urllib3", "requests"], []),
    ("pypi", ["pandas"], [], ["numpy", "python-dateutil", "pandas"], []),
]


@pytest.mark.parametrize("distro, names, installed, order, excluded", RESOLVE)
def test_resolve(distro, names, installed, order, excluded):
    result = [p.name for p in resolve(distro, names, installed=installed)]
    assert len(result) == len(set(result)), "a package twice"
    positions = [result.index(n) for n in order]
    assert positions == sorted(positions), result
    for name in excluded:
        assert name not in result
    # every dependency comes before the package that needs it
    pkgs = catalog(distro)
    seen = set(installed)
    for name in result:
        for dep in pkgs[name].depends:
            assert dep in seen or dep in result[:result.index(name)] or name in pkgs[dep].depends or _cycle(
                pkgs, dep, name), (name, dep)
        seen.add(name)


def _cycle(pkgs, start, target, depth=0):
    if depth > 20:
        return False
    return any(d == target or _cycle(pkgs, d, target, depth + 1) for d in pkgs[start].depends)


# (distro, name, the message the real tool prints)
ERRORS = [
    ("debian-bookworm", "foo", "E: Unable to locate package foo"),
    ("ubuntu-trusty", "foo", "E: Unable to locate package foo"),
    ("alpine-3.19", "foo", "ERROR: unable to select packages:\n  foo (no such package)"),
    ("pypi", "foo", "ERROR: Could not find a version that satisfies the requirement foo"),
    ("pypi", "requests==1.0", "ERROR: Could not find a version that satisfies the requirement requests==1.0"),
    ("debian-bookworm", "curl=1.0", "E: Version '1.0' for 'curl' was not found"),
]


@pytest.mark.parametrize("distro, name, message", ERRORS)
def test_unknown_package(distro, name, message):
    with pytest.raises(NotFoundError) as info:
        resolve(distro, ["less", name] if distro != "pypi" else ["six", name])
    assert str(info.value).startswith(message)


def test_unknown_distro():
    with pytest.raises(NotFoundError):
        catalog("fedora-40")


def test_virtual_package_resolves_to_its_provider():
    # mawk and others provide awk; debconf-2.0 is provided by debconf
    names = [p.name for p in resolve("debian-bookworm", ["ca-certificates"])]
    assert "debconf" in names


def test_apt_lists_are_what_apt_get_update_writes():
    files = apt_lists("debian-bookworm")
    paths = {f.path for f in files}
    assert "/var/lib/apt/lists/lock" in paths and "/var/lib/apt/lists/partial" in paths
    assert any(p.endswith("_dists_bookworm_main_binary-amd64_Packages.lz4") for p in paths)
    assert any("bookworm-security" in p for p in paths)
    assert 10_000_000 < sum(f.size for f in files) < 100_000_000
    trusty = apt_lists("ubuntu-trusty")
    assert any(f.path.endswith("archive.ubuntu.com_ubuntu_dists_trusty_main_binary-amd64_Packages.gz") for f in trusty)
    with pytest.raises(NotFoundError):
        apt_lists("alpine-3.19")


def test_apk_index():
    files = apk_index("alpine-3.19")
    assert all(f.path.startswith("/var/cache/apk") for f in files)
    assert sum(1 for f in files if f.path.endswith(".tar.gz") and "/APKINDEX." in f.path) == 2


def test_dpkg_texts():
    curl = catalog("debian-bookworm")["curl"]
    stanza = dpkg_status_entry(curl)
    assert stanza.startswith("Package: curl\nStatus: install ok installed\n")
    assert f"Version: {curl.version}\n" in stanza and stanza.endswith("\n\n")
    assert parse_dpkg_status(stanza) == {"curl": curl.version}
    listing = dpkg_list(curl)
    assert listing.startswith("/.\n/usr\n") and "/usr/bin/curl\n" in listing
    assert "  usr/bin/curl\n" in dpkg_md5sums(curl)
    info = dpkg_info_files(catalog("debian-bookworm")["libssl3"])
    assert "/var/lib/dpkg/info/libssl3:amd64.list" in info
    nginx = catalog("debian-bookworm")["nginx-common"]
    assert "/etc/nginx/nginx.conf" in nginx.conffiles
    stanza = dpkg_status_entry(nginx)
    assert "\nConffiles:\n /etc/default/nginx " in stanza and "\n /etc/nginx/nginx.conf " in stanza


def test_dpkg_status_of_the_base_image_parses():
    from layerlab import merge
    from layerlab.image.bases import base_image
    snap = merge(base_image("debian:bookworm-slim").layers)
    installed = parse_dpkg_status(snap.read("/var/lib/dpkg/status").decode())
    assert {"bash", "dpkg", "apt", "libc6"} <= set(installed)
    plan = [p.name for p in resolve("debian-bookworm", ["curl"], installed=installed)]
    assert "libc6" not in plan and "curl" in plan


def test_apk_texts():
    from layerlab import merge
    from layerlab.image.bases import base_image
    curl = catalog("alpine-3.19")["curl"]
    entry = apk_installed_entry(curl)
    assert "P:curl\nV:8.12.1-r0\n" in entry and "F:usr/bin\nR:curl\n" in entry
    base = merge(base_image("alpine:3.19").layers).read("/lib/apk/db/installed").decode()
    installed = parse_apk_installed(base)
    assert {"musl", "busybox", "apk-tools", "libcrypto3"} <= set(installed)
    assert parse_apk_installed(base + entry)["curl"] == "8.12.1-r0"


# (package, site-packages, python, paths pip writes)
PIP = [
    ("flask", "/usr/local/lib/python3.12/site-packages", "3.12",
     ["/usr/local/bin/flask", "/usr/local/lib/python3.12/site-packages/flask/__init__.py",
      "/usr/local/lib/python3.12/site-packages/flask/__pycache__/__init__.cpython-312.pyc",
      "/usr/local/lib/python3.12/site-packages/flask-3.1.1.dist-info/INSTALLER"]),
    ("requests", "/usr/local/lib/python3.11/dist-packages", "3.11",
     ["/usr/local/lib/python3.11/dist-packages/requests/api.py",
      "/usr/local/lib/python3.11/dist-packages/requests/__pycache__/api.cpython-311.pyc"]),
    ("numpy", "/usr/local/lib/python3.12/site-packages", "3.12",
     ["/usr/local/bin/f2py", "/usr/local/lib/python3.12/site-packages/numpy/__init__.py"]),
]


@pytest.mark.parametrize("name, site, python, expected", PIP)
def test_pip_files(name, site, python, expected):
    files = pip_files(catalog("pypi")[name], site_packages=site, python=python)
    paths = {f.path for f in files}
    for path in expected:
        assert path in paths
    assert all(isinstance(f, PackageFile) for f in files)
    no_compile = {f.path for f in pip_files(catalog("pypi")[name], site_packages=site, python=python, compile=False)}
    assert not any(p.endswith(".pyc") for p in no_compile)


def test_numpy_ships_shared_objects():
    numpy = catalog("pypi")["numpy"]
    assert any(f.path.endswith(".so") and f.size > 1_000_000 for f in numpy.files)


def test_catalog_is_cached_and_read_only():
    assert catalog("pypi") is catalog("pypi")
    with pytest.raises(TypeError):
        catalog("pypi")["x"] = None
