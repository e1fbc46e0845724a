#!/usr/bin/env python3
"""Regenerate the package catalogs in layerlab/catalog/data/.

    python3 tools/bases/make_catalog.py --work WORKDIR [--only debian,pypi,alpine]

debian-bookworm: `apt-get download` of the wanted packages and every dependency (apt-cache depends
--recurse), then each .deb's real control fields and data.tar member list (dpkg-deb); the names and
sizes of apt's list files come from this machine's own /var/lib/apt/lists (host names replaced by a
token). pypi: `pip download --no-deps` of pinned wheels and their member lists (the wheel's zip
directory gives every path and size). alpine-3.19: written out from knowledge (alpine_catalog.py),
no Alpine mirror being reachable here. Output lines (gzip'd TSV):

  P  name version arch installed-bytes depends pre-depends provides section priority maintainer
     multi-arch essential source description(json) conffiles(space separated)
  F  path kind(d f l h) mode(octal) size target uid gid        (the files of the P line above)
  L  name kind size                                            (apt list files / apk indexes)
  V  name version                                              (ubuntu-trusty versions)
"""

from __future__ import annotations

import argparse
import glob
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import alpine_catalog  # noqa: E402
import rootfs  # noqa: E402
from make_bases import apt_hosts  # noqa: E402

OUT = os.path.join(REPO, "layerlab", "catalog", "data")

DEBIAN_WANTED = (
    "curl wget git ca-certificates build-essential gcc g++ make libc6-dev python3 python3-pip python3-venv "
    "python3-dev vim vim-tiny nano less procps iputils-ping net-tools iproute2 openssl libssl3 libssl-dev zlib1g "
    "tzdata nginx gnupg unzip zip xz-utils jq sudo locales netbase htop file bzip2 dnsutils openssh-client rsync "
    "tree lsof strace sqlite3 libncursesw6 libreadline8 libsqlite3-0 libgdbm6 libnsl2 libtirpc3 "
    "libgdbm-compat4").split()

# pinned so that regenerating gives the same catalog: versions current for CPython 3.12 in mid-2025
PYPI_WANTED = [
    "requests==2.32.3", "urllib3==2.4.0", "certifi==2025.4.26", "idna==3.10", "charset-normalizer==3.4.2",
    "flask==3.1.1", "werkzeug==3.1.3", "jinja2==3.1.6", "markupsafe==3.0.2", "itsdangerous==2.2.0",
    "click==8.2.1", "blinker==1.9.0", "numpy==2.2.6", "pandas==2.2.3", "python-dateutil==2.9.0.post0",
    "pytz==2025.2", "tzdata==2025.2", "six==1.17.0", "django==5.2.1", "asgiref==3.8.1", "sqlparse==0.5.3",
    "gunicorn==23.0.0", "packaging==25.0", "pytest==8.3.5", "iniconfig==2.1.0", "pluggy==1.6.0",
    "setuptools==80.8.0", "wheel==0.45.1", "pyyaml==6.0.2", "fastapi==0.115.12", "starlette==0.46.2",
    "pydantic==2.11.5", "pydantic-core==2.33.2", "typing-extensions==4.13.2", "annotated-types==0.7.0",
    "typing-inspection==0.4.1", "anyio==4.9.0", "sniffio==1.3.1", "uvicorn==0.34.2", "h11==0.16.0",
]

TRUSTY_VERSIONS = {  # trusty's final versions of packages that are not in the cloud image manifest
    "curl": "7.35.0-1ubuntu2.20", "libcurl3": "7.35.0-1ubuntu2.20", "libcurl4": "7.35.0-1ubuntu2.20",
    "libcurl3-gnutls": "7.35.0-1ubuntu2.20", "wget": "1.15-1ubuntu1.14.04.5", "git": "1:1.9.1-1ubuntu0.10",
    "git-man": "1:1.9.1-1ubuntu0.10", "vim": "2:7.4.052-1ubuntu3.1", "vim-runtime": "2:7.4.052-1ubuntu3.1",
    "nano": "2.2.6-1ubuntu1", "python3-pip": "1.5.4-1ubuntu4", "build-essential": "11.6ubuntu6",
    "gcc": "4:4.8.2-1ubuntu6", "g++": "4:4.8.2-1ubuntu6", "cpp": "4:4.8.2-1ubuntu6", "make": "3.81-8.2ubuntu3",
    "libc6-dev": "2.19-0ubuntu6.15", "libc-dev-bin": "2.19-0ubuntu6.15", "nginx": "1.4.6-1ubuntu3.9",
    "nginx-common": "1.4.6-1ubuntu3.9", "nginx-core": "1.4.6-1ubuntu3.9", "openssl": "1.0.1f-1ubuntu2.27",
    "jq": "1.3-1.1ubuntu1.1", "unzip": "6.0-9ubuntu1.5", "zip": "3.0-8", "xz-utils": "5.1.1alpha+20120614-2ubuntu2",
    "htop": "1.0.2-3", "rsync": "3.1.0-2ubuntu0.4", "tree": "1.6.0-1", "lsof": "4.86+dfsg-1ubuntu2",
    "strace": "4.8-1ubuntu5", "sqlite3": "3.8.2-1ubuntu2.2", "openssh-client": "1:6.6p1-2ubuntu2.13",
    "dnsutils": "1:9.9.5.dfsg-3ubuntu0.19", "patch": "2.7.1-4ubuntu2.4", "binutils": "2.24-5ubuntu14.2",
    "ca-certificates": "20170717~14.04.2", "python3-dev": "3.4.0-0ubuntu2", "python3-venv": "3.4.0-0ubuntu2",
    "libssl-dev": "1.0.1f-1ubuntu2.27", "perl": "5.18.2-2ubuntu1.7", "perl-base": "5.18.2-2ubuntu1.7",
}


def sh(*args, **kw) -> str:
    print("+", " ".join(args), flush=True)
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout


def deb_closure(wanted) -> list[str]:
    out = sh("apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
             "--no-breaks", "--no-replaces", "--no-enhances", *wanted)
    return sorted({line for line in out.splitlines() if line and not line.startswith((" ", "<"))})


def deb_fields(deb: str) -> dict[str, str]:
    fields, key = {}, None
    for line in sh("dpkg-deb", "-f", deb).splitlines():
        if line.startswith((" ", "\t")) and key:
            fields[key] += "\n" + line
        else:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def deb_members(deb: str) -> list[tuple]:
    data = subprocess.run(["dpkg-deb", "--fsys-tarfile", deb], check=True, capture_output=True).stdout
    out = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tf:
        for ti in tf:
            path = "/" + ti.name.lstrip("./").rstrip("/") if ti.name not in ("./", ".") else "/"
            if path == "/":
                continue
            if ti.isdir():
                kind, target = "d", ""
            elif ti.issym():
                kind, target = "l", ti.linkname
            elif ti.islnk():
                kind, target = "h", "/" + ti.linkname.lstrip("./")
            else:
                kind, target = "f", ""
            out.append((path, kind, ti.mode & 0o7777, ti.size if kind == "f" else (len(target) if kind == "l" else 0),
                        target, ti.uid, ti.gid))
    return out


def deb_conffiles(deb: str) -> list[str]:
    try:
        text = subprocess.run(["dpkg-deb", "-I", deb, "conffiles"], check=True, capture_output=True,
                              text=True).stdout
    except subprocess.CalledProcessError:
        return []
    return [line.strip() for line in text.splitlines() if line.strip()]


def p_line(name, version, arch, installed, depends, pre, provides, section, priority, maint, multi, essential,
           source, desc, conffiles) -> str:
    return "\t".join(["P", name, version, arch, str(installed), depends, pre, provides, section, priority, maint,
                      multi, essential, source, json.dumps(desc, ensure_ascii=False), " ".join(conffiles)])


def f_line(path, kind, mode, size, target, uid=0, gid=0) -> str:
    return "\t".join(["F", path, kind, format(mode, "o"), str(size), target, str(uid), str(gid)])


def debian(work: str) -> None:
    debs = os.path.join(work, "debs")
    os.makedirs(debs, exist_ok=True)
    names = deb_closure(DEBIAN_WANTED)
    missing = [n for n in names if not glob.glob(os.path.join(debs, f"{n.replace(':', '%3a')}_*.deb"))]
    if missing:
        subprocess.run(["apt-get", "download", "-qq", *missing], check=True, cwd=debs)
    lines = []
    for deb in sorted(glob.glob(os.path.join(debs, "*.deb"))):
        f = deb_fields(deb)
        if f["Package"] not in names:
            continue
        installed = int(f.get("Installed-Size", "0") or 0) * 1024
        desc = f.get("Description", "").split("\n")[0]
        lines.append(p_line(f["Package"], f["Version"], f.get("Architecture", ""), installed, f.get("Depends", ""),
                            f.get("Pre-Depends", ""), f.get("Provides", ""), f.get("Section", ""),
                            f.get("Priority", ""), f.get("Maintainer", ""), f.get("Multi-Arch", ""),
                            f.get("Essential", ""), f.get("Source", ""), desc, deb_conffiles(deb)))
        for member in deb_members(deb):
            lines.append(f_line(*member))
    hosts = apt_hosts()
    lists = "/var/lib/apt/lists"
    for name in sorted(os.listdir(lists)):
        path = os.path.join(lists, name)
        shown = name
        for host, token in hosts.items():
            shown = shown.replace(host, token)
        if os.path.isdir(path):
            lines.append("\t".join(["L", shown, "d", "0"]))
        else:
            lines.append("\t".join(["L", shown, "f", str(os.path.getsize(path))]))
    write("debian-bookworm", lines)
    trusty = {}
    with open(os.path.join(HERE, "ubuntu-trusty-core-cloudimg-amd64.manifest"), encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                name, version = line.rstrip("\n").split("\t")
                trusty[name.split(":")[0]] = version
    trusty.update(TRUSTY_VERSIONS)
    write("ubuntu-trusty", ["\t".join(["V", n, v]) for n, v in sorted(trusty.items())])


def pypi(work: str) -> None:
    wheels = os.path.join(work, "wheels-pypi")
    os.makedirs(wheels, exist_ok=True)
    lines = []
    for spec in PYPI_WANTED:
        name, version = spec.split("==")
        norm = re.sub(r"[-_.]+", "_", name).lower()
        found = [w for w in glob.glob(os.path.join(wheels, "*.whl"))
                 if os.path.basename(w).lower().startswith(f"{norm}-{version}-")]
        if not found:
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
                            "--python-version", "3.12", "--platform", "manylinux2014_x86_64", "--platform",
                            "manylinux_2_17_x86_64", "--platform", "manylinux_2_28_x86_64", "-d", wheels, spec],
                           check=True)
            found = [w for w in glob.glob(os.path.join(wheels, "*.whl"))
                     if os.path.basename(w).lower().startswith(f"{norm}-{version}-")]
        wheel = found[0]
        with zipfile.ZipFile(wheel) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            meta_name = next(i.filename for i in infos if i.filename.endswith(".dist-info/METADATA"))
            meta = zf.read(meta_name).decode("utf-8", "replace")
            ep_name = meta_name.replace("METADATA", "entry_points.txt")
            entry_points = zf.read(ep_name).decode() if ep_name in zf.namelist() else ""
        real_name = re.search(r"^Name: (.+)$", meta, re.M).group(1).strip()
        summary = (re.search(r"^Summary: (.*)$", meta, re.M) or [None, ""])[1].strip()
        requires = [r for r in re.findall(r"^Requires-Dist: (.+)$", meta, re.M) if "extra ==" not in r]
        deps = []
        for req in requires:
            req_name, _, marker = req.partition(";")
            if marker and ("python_version < \"3.1" in marker or "python_version < '3.1" in marker
                           or "sys_platform == \"win32\"" in marker or "platform_system == \"Windows\"" in marker
                           or "implementation_name == \"pypy\"" in marker):
                continue
            deps.append(re.split(r"[\s<>=!~\[(;]", req_name.strip(), maxsplit=1)[0])
        files = [(i.filename, "f", 0o644, i.file_size, "") for i in infos]
        scripts = []
        section = None
        for line in entry_points.splitlines():
            line = line.strip()
            if line.startswith("["):
                section = line.strip("[]")
            elif section == "console_scripts" and "=" in line:
                scripts.append(line.split("=")[0].strip())
        installed = sum(i.file_size for i in infos)
        lines.append(p_line(real_name, version, os.path.basename(wheel).rsplit("-", 1)[-1][:-4], installed,
                            ", ".join(deps), "", " ".join(scripts), "", "", "", "", "", os.path.basename(wheel),
                            summary, []))
        for member in files:
            lines.append(f_line(*member))
    write("pypi", lines)


BASE_PROVIDES = {"musl": ["so:libc.musl-x86_64.so.1"], "libcrypto3": ["so:libcrypto.so.3"],
                 "libssl3": ["so:libssl.so.3"], "zlib": ["so:libz.so.1"], "busybox-binsh": ["/bin/sh", "cmd:sh"],
                 "scanelf": ["cmd:scanelf"], "apk-tools": ["so:libapk.so.2.14.0", "cmd:apk"],
                 "busybox": ["cmd:busybox"], "ssl_client": ["cmd:ssl_client"]}


def alpine(work: str) -> None:
    import small_images
    lines = []
    base = [(name, version, desc, deps, BASE_PROVIDES.get(name, []), [(p, k, m, s or 0, t) for p, k, m, s, t in entries])
            for name, version, desc, _lic, _origin, deps, entries in small_images.alpine_packages()]
    for pkg in base + alpine_catalog.packages(work):
        name, version, desc, deps, provides, files = pkg
        installed = sum(size for _p, kind, _m, size, _t in files if kind == "f")
        lines.append(p_line(name, version, "x86_64", installed, " ".join(deps), "", " ".join(provides), "", "", "",
                            "", "", alpine_catalog.ORIGINS.get(name, name), desc, []))
        for path, kind, mode, size, target in files:
            lines.append(f_line(path, kind, mode, size, target))
    for name, size in alpine_catalog.INDEXES:
        lines.append("\t".join(["L", name, "f", str(size)]))
    write("alpine-3.19", lines)


def write(key: str, lines: list[str]) -> None:
    os.makedirs(OUT, exist_ok=True)
    n = rootfs.write_gz(os.path.join(OUT, f"{key}.tsv.gz"), lines,
                        f"# {key} package catalog (generated by tools/bases/make_catalog.py)")
    print(f"{key}: {sum(1 for l in lines if l.startswith('P'))} packages, {len(lines)} lines, {n} bytes")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", required=True, help="a scratch directory outside the repository")
    ap.add_argument("--only", default="debian,pypi,alpine")
    args = ap.parse_args()
    only = set(args.only.split(","))
    work = os.path.abspath(args.work)
    if "debian" in only:
        debian(work)
    if "pypi" in only:
        pypi(work)
    if "alpine" in only:
        alpine(work)


if __name__ == "__main__":
    main()
