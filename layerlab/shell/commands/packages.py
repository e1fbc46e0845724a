"""Package managers: apt-get/apt/dpkg (Debian, Ubuntu), apk (Alpine) and pip, over layerlab.catalog.

What they write is what the real ones write, so the layer lessons are real: `apt-get update` fills
/var/lib/apt/lists, `apt-get install` leaves .deb files in /var/cache/apt/archives unless the image's
/etc/apt/apt.conf.d/docker-clean removes them, `apk add` without --no-cache keeps its index in
/var/cache/apk, and pip keeps wheels in ~/.cache/pip unless --no-cache-dir.
"""

from __future__ import annotations

import hashlib
import re
import time

from ...errors import LayerlabError, NotFoundError
from ...fs import paths
from ...fs.content import Synthetic
from ..base import FS_ERRORS, CommandFailed, Ctx, command, decode, encode

DOCKER_CLEAN = "/etc/apt/apt.conf.d/docker-clean"
APT_LISTS = "/var/lib/apt/lists"
ARCHIVES = "/var/cache/apt/archives"
DPKG_STATUS = "/var/lib/dpkg/status"
EXTENDED = "/var/lib/apt/extended_states"
APK_DB = "/lib/apk/db/installed"
APK_WORLD = "/etc/apk/world"
APK_CACHE = "/var/cache/apk"


def get_catalog():
    """The package catalog module (tests replace this function with a small fake)."""
    from ... import catalog
    return catalog


# -- helpers ------------------------------------------------------------------------------------------


def detect_distro(ctx: Ctx) -> str | None:
    """debian-bookworm, ubuntu-trusty or alpine-3.19, from the tree's /etc/os-release."""
    fs = ctx.fs
    text = ""
    for p in ("/etc/os-release", "/usr/lib/os-release"):
        try:
            text = decode(fs.read(p))
            break
        except (LayerlabError, OSError):
            continue
    fields = dict(re.findall(r"^([A-Z_]+)=\"?([^\"\n]*)\"?$", text, re.M))
    ident = fields.get("ID", "")
    if ident == "alpine":
        ver = ".".join(fields.get("VERSION_ID", "3.19").split(".")[:2])
        return f"alpine-{ver}"
    if ident in ("debian", "ubuntu"):
        code = fields.get("VERSION_CODENAME") or {"12": "bookworm", "14.04": "trusty"}.get(
            fields.get("VERSION_ID", ""), "")
        if not code:
            m = re.search(r"\((\w+)", fields.get("VERSION", ""))
            code = m.group(1).lower() if m else ("bookworm" if ident == "debian" else "trusty")
        return f"{ident}-{code}"
    return None


def _content(seed: str, size: int):
    return Synthetic(size, seed) if size else b""


def _ensure_dir(ctx: Ctx, path: str, mode: int = 0o755, uid: int = 0, gid: int = 0) -> None:
    fs = ctx.fs
    if fs.is_dir(path):
        return
    parent = paths.parent(path)
    if parent != "/" and not fs.is_dir(parent):
        _ensure_dir(ctx, parent)
    if fs.lexists(path):
        fs.unlink(path)
    fs.mkdir(path, 0o700, uid=uid, gid=gid)
    fs.chmod(path, mode)


def _install_file(ctx: Ctx, f, seed: str) -> None:
    """Write one catalog PackageFile into the tree, with its exact mode and owner (no umask)."""
    fs = ctx.fs
    if f.kind == "dir":
        if not fs.is_dir(f.path):
            _ensure_dir(ctx, f.path, f.mode, f.uid, f.gid)
        return
    parent = paths.parent(f.path)
    if not fs.is_dir(parent):
        _ensure_dir(ctx, parent)
    if fs.lexists(f.path) and not (f.kind == "file" and fs.is_file(f.path) and fs.entry(f.path).kind != "symlink"):
        if fs.is_dir(f.path) and fs.entry(f.path).kind != "symlink":
            return
        fs.unlink(f.path)
    if f.kind == "symlink":
        fs.symlink(f.target, f.path, uid=f.uid, gid=f.gid)
        return
    if f.kind == "hardlink":
        try:
            fs.link(f.target, f.path)
            return
        except FS_ERRORS:
            pass
    fs.write(f.path, _content(seed + f.path, f.size), mode=f.mode, uid=f.uid, gid=f.gid)
    st = fs.stat(f.path)
    if st.mode != f.mode or st.uid != f.uid or st.gid != f.gid:
        fs.chmod(f.path, f.mode)
        if st.uid != f.uid or st.gid != f.gid:
            fs.chown(f.path, f.uid, f.gid)


def _remove_paths(ctx: Ctx, files: list[str]) -> None:
    fs = ctx.fs
    for p in sorted(files, key=lambda x: x.count("/"), reverse=True):
        try:
            if not fs.lexists(p):
                continue
            entry = fs.entry(p)
            if entry.kind in ("dir", "opaque"):
                if not fs.listdir(p) and p.count("/") > 2:
                    fs.rmdir(p)
            else:
                fs.unlink(p)
        except FS_ERRORS:
            continue


def _kb(n: int) -> str:
    """apt's sizes: 315 kB, 1234 kB, 12.3 MB."""
    if n >= 10_000_000:
        return f"{n / 1e6:.1f} MB"
    if n >= 1000:
        return f"{round(n / 1000):d} kB"
    return f"{n} B"


def _wrap(names: list[str]) -> str:
    lines, cur = [], " "
    for n in names:
        if len(cur) + len(n) + 1 > 79:
            lines.append(cur)
            cur = " "
        cur += " " + n
    lines.append(cur)
    return "\n".join(lines) + "\n"


def _read(ctx: Ctx, path: str) -> str:
    try:
        return decode(ctx.fs.read(path))
    except (LayerlabError, OSError):
        return ""


def _stamp(ctx: Ctx) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ctx.now()))


# -- apt ------------------------------------------------------------------------------------------------


def _mirror(distro: str, ctx: Ctx | None = None) -> tuple[str, str]:
    """The first archive in the tree's apt sources (deb822 or one-line), and the suite."""
    suite = distro.split("-", 1)[1]
    if ctx is not None:
        for path in ("/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list.d/ubuntu.sources",
                     "/etc/apt/sources.list"):
            text = _read(ctx, path)
            m = re.search(r"^URIs:\s*(\S+)", text, re.M) or re.search(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)", text, re.M)
            if m:
                return m.group(1).rstrip("/"), suite
    if distro.startswith("ubuntu"):
        return "http://archive.ubuntu.com/ubuntu", suite
    return "http://deb.debian.org/debian", suite


def _deb_size(pkg) -> int:
    return max(1024, pkg.installed_size // 3)


def _deb_name(pkg) -> str:
    arch = getattr(pkg, "architecture", "") or "amd64"
    return f"{pkg.name}_{pkg.version.replace(':', '%3a')}_{arch}.deb"


def _lists_present(ctx: Ctx) -> bool:
    fs = ctx.fs
    try:
        return any(n not in ("lock", "partial", "auxfiles") for n in fs.listdir(APT_LISTS))
    except FS_ERRORS:
        return False


def _installed_apt(ctx: Ctx) -> dict[str, str]:
    return dict(get_catalog().parse_dpkg_status(_read(ctx, DPKG_STATUS)))


def _auto_marks(ctx: Ctx) -> set[str]:
    text = _read(ctx, EXTENDED)
    out = set()
    for stanza in text.split("\n\n"):
        m = re.search(r"^Package: (\S+)", stanza, re.M)
        if m and re.search(r"^Auto-Installed: 1", stanza, re.M):
            out.add(m.group(1))
    return out


def _write_auto_marks(ctx: Ctx, auto: set[str]) -> None:
    text = "".join(f"Package: {n}\nArchitecture: amd64\nAuto-Installed: 1\n\n" for n in sorted(auto))
    _ensure_dir(ctx, "/var/lib/apt")
    ctx.fs.write(EXTENDED, encode(text))


def _apt_lock_error(ctx: Ctx, what: str) -> int:
    if what == "lists":
        ctx.err("E: Could not open lock file /var/lib/apt/lists/lock - open (13: Permission denied)\n"
                "E: Unable to lock directory /var/lib/apt/lists/\n")
    else:
        ctx.err("E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)\n"
                "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), are you root?\n")
    return 100


def _apt_caches(ctx: Ctx) -> None:
    """The binary caches apt builds from the lists (docker-clean deletes them after every run)."""
    if ctx.fs.exists(DOCKER_CLEAN) or not _lists_present(ctx):
        return
    _ensure_dir(ctx, "/var/cache/apt")
    for name, size in (("pkgcache.bin", 28_452_610), ("srcpkgcache.bin", 28_388_418)):
        ctx.fs.write(f"/var/cache/apt/{name}", Synthetic(size, f"apt-cache:{name}:{ctx.now()}"), mode=0o644)


def _apt_update(ctx: Ctx, distro: str, apt_cli: bool) -> int:
    if ctx.uid != 0:
        return _apt_lock_error(ctx, "lists")
    cat = get_catalog()
    try:
        files = cat.apt_lists(distro)
    except (NotFoundError, LayerlabError) as exc:
        raise CommandFailed(f"E: {exc}", 100)
    n = 0
    total = 0
    out = []
    for f in files:
        _install_file(ctx, f, f"apt-lists:{distro}:")
        if f.kind != "file" or f.size == 0:
            continue
        base = f.path.rsplit("/", 1)[-1]
        if "_dists_" not in base:
            continue
        host, rest = base.split("_dists_", 1)
        url = "http://" + host.replace("_", "/")
        parts = rest.split("_")
        n += 1
        total += f.size
        if len(parts) == 2:
            out.append(f"Get:{n} {url} {parts[0]} {parts[1]} [{_kb(f.size)}]\n")
        else:
            what = parts[-1]
            for ext in (".lz4", ".gz", ".xz", ".diff"):
                what = what.replace(ext, "")
            arch = parts[2].replace("binary-", "") if len(parts) > 3 else ""
            out.append(f"Get:{n} {url} {parts[0]}/{parts[1]} {arch} {what} [{_kb(f.size)}]\n".replace("  ", " "))
    _apt_caches(ctx)
    out.append(f"Fetched {_kb(total)} in 1s ({_kb(total)}/s)\n")
    out.append("Reading package lists..." + (" Done\n" if apt_cli else "\n"))
    if apt_cli:
        out.append("Building dependency tree... Done\nReading state information... Done\n"
                   "All packages are up to date.\n")
    ctx.out("".join(out))
    return 0


def _apt_install(ctx: Ctx, distro: str, names: list[str], assume_yes: bool, apt_cli: bool) -> int:
    done = " Done" if apt_cli else ""
    header = f"Reading package lists...{done}\nBuilding dependency tree...{done}\nReading state information...{done}\n"
    if ctx.uid != 0:
        return _apt_lock_error(ctx, "dpkg")
    cat = get_catalog()
    installed = _installed_apt(ctx)
    ctx.out(header)
    if not names:
        ctx.out("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n")
        return 0
    plain = [n.split("=")[0] for n in names]
    missing = [n for n in names if n.split("=")[0] not in installed]
    if not _lists_present(ctx) and missing:
        for n in missing:
            ctx.err(f"E: Unable to locate package {n.split('=')[0]}\n")
        return 100
    try:
        todo = cat.resolve(distro, missing, installed=list(installed)) if missing else []
    except NotFoundError as exc:
        ctx.err(str(exc) + "\n")
        return 100
    for n in plain:
        if n in installed:
            ctx.out(f"{n} is already the newest version ({installed[n]}).\n")
    if not todo:
        ctx.out("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n")
        return 0
    requested = {cat.catalog(distro)[n].name if n in cat.catalog(distro) else n for n in plain}
    extra = [p.name for p in todo if p.name not in requested]
    out = []
    if extra:
        out.append("The following additional packages will be installed:\n" + _wrap(extra))
    out.append("The following NEW packages will be installed:\n" + _wrap(sorted(p.name for p in todo)))
    download = sum(_deb_size(p) for p in todo)
    disk = sum(p.installed_size for p in todo)
    out.append(f"0 upgraded, {len(todo)} newly installed, 0 to remove and 0 not upgraded.\n")
    out.append(f"Need to get {_kb(download)} of archives.\n")
    out.append(f"After this operation, {_kb(disk)} of additional disk space will be used.\n")
    ctx.out("".join(out))
    if extra and not assume_yes:
        ctx.out("Do you want to continue? [Y/n] ")
        answer = ctx.stdin.readline().strip().lower()
        if answer not in ("y", "yes", ""):
            ctx.out("Abort.\n")
            return 1
        if answer == "" and not ctx.stdin.text:
            ctx.out("Abort.\n")
            return 1
    mirror, suite = _mirror(distro, ctx)
    out = []
    for i, p in enumerate(todo, 1):
        section = "main"
        out.append(f"Get:{i} {mirror} {suite}/{section} amd64 {p.name} amd64 {p.version} [{_kb(_deb_size(p))}]\n")
    out.append(f"Fetched {_kb(download)} in 0s ({_kb(download * 4)}/s)\n")
    ctx.out("".join(out))
    if "apt-utils" not in installed:
        ctx.err("debconf: delaying package configuration, since apt-utils is not installed\n")
    fs = ctx.fs
    keep_debs = not fs.exists(DOCKER_CLEAN)
    _ensure_dir(ctx, ARCHIVES)
    _ensure_dir(ctx, ARCHIVES + "/partial", 0o700)
    n_files = sum(1 for _ in _read(ctx, DPKG_STATUS).split("\nPackage: ")) * 40
    out = []
    status_text = _read(ctx, DPKG_STATUS)
    if status_text:
        fs.write("/var/lib/dpkg/status-old", encode(status_text))
    stanzas = {}
    for stanza in status_text.split("\n\n"):
        m = re.match(r"Package: (\S+)", stanza.strip())
        if m:
            stanzas[m.group(1)] = stanza.strip() + "\n\n"
    log = []
    _ensure_dir(ctx, "/var/lib/dpkg/info")
    for k, p in enumerate(todo):
        deb = f"{ARCHIVES}/{_deb_name(p)}"
        fs.write(deb, Synthetic(_deb_size(p), f"deb:{distro}:{p.name}:{p.version}"), mode=0o644)
        out.append(f"Selecting previously unselected package {p.name}.\n")
        if k == 0:
            out.append(f"(Reading database ... {n_files} files and directories currently installed.)\n")
        out.append(f"Preparing to unpack .../{_deb_name(p)} ...\nUnpacking {p.name} ({p.version}) ...\n")
        seed = f"{distro}/{p.name}/{p.version}:"
        for f in p.files:
            _install_file(ctx, f, seed)
        for path, text in cat.dpkg_info_files(p).items():
            fs.write(path, encode(text), mode=0o644)
        stanzas[p.name] = cat.dpkg_status_entry(p)
        log.append(f"{_stamp(ctx)} install {p.name}:amd64 <none> {p.version}\n")
    for p in todo:
        out.append(f"Setting up {p.name} ({p.version}) ...\n")
        log.append(f"{_stamp(ctx)} status installed {p.name}:amd64 {p.version}\n")
    if "libc-bin" in installed and any(".so" in f.path for p in todo for f in p.files):
        out.append(f"Processing triggers for libc-bin ({installed['libc-bin']}) ...\n")
    ctx.out("".join(out))
    fs.write(DPKG_STATUS, encode("".join(stanzas[k] for k in sorted(stanzas))))
    auto = _auto_marks(ctx) | {p.name for p in todo if p.name not in requested}
    _write_auto_marks(ctx, auto)
    _ensure_dir(ctx, "/var/log/apt")
    ctx.write_file("/var/log/dpkg.log", encode("".join(log)), append=True, mode=0o644)
    ctx.write_file("/var/log/apt/history.log", encode(
        f"\nStart-Date: {_stamp(ctx).replace(' ', '  ')}\nCommandline: {' '.join(ctx.argv)}\n"
        f"Install: {', '.join(f'{p.name}:amd64 ({p.version}' + (', automatic)' if p.name not in requested else ')') for p in todo)}\n"
        f"End-Date: {_stamp(ctx).replace(' ', '  ')}\n"), append=True, mode=0o644)
    if not keep_debs:
        for p in todo:
            fs.unlink(f"{ARCHIVES}/{_deb_name(p)}")
    _apt_caches(ctx)
    return 0


def _apt_remove(ctx: Ctx, distro: str, names: list[str], purge: bool, auto: bool, apt_cli: bool) -> int:
    done = " Done" if apt_cli else ""
    if ctx.uid != 0:
        return _apt_lock_error(ctx, "dpkg")
    cat = get_catalog()
    installed = _installed_apt(ctx)
    ctx.out(f"Reading package lists...{done}\nBuilding dependency tree...{done}\nReading state information...{done}\n")
    catalog = cat.catalog(distro)
    targets = []
    for n in names:
        if n not in installed:
            if n not in catalog and not _lists_present(ctx):
                ctx.err(f"E: Unable to locate package {n}\n")
                return 100
            ctx.out(f"Package '{n}' is not installed, so not removed\n")
            continue
        targets.append(n)
    if auto:
        marks = _auto_marks(ctx)
        manual = [n for n in installed if n not in marks and n not in targets]
        needed: set[str] = set()
        stack = list(manual)
        while stack:
            n = stack.pop()
            if n in needed:
                continue
            needed.add(n)
            pkg = catalog.get(n)
            if pkg is not None:
                stack.extend(pkg.depends)
        targets += sorted(n for n in marks if n in installed and n not in needed and n not in targets)
    if not targets:
        ctx.out("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n")
        return 0
    label = "REMOVED" if not purge else "REMOVED"
    freed = sum(catalog[n].installed_size for n in targets if n in catalog)
    ctx.out(f"The following packages will be {label}:\n" + _wrap([n + ("*" if purge else "") for n in targets]) +
            f"0 upgraded, 0 newly installed, {len(targets)} to remove and 0 not upgraded.\n"
            f"After this operation, {_kb(freed)} disk space will be freed.\n")
    fs = ctx.fs
    out = [f"(Reading database ... {len(installed) * 40} files and directories currently installed.)\n"]
    status_text = _read(ctx, DPKG_STATUS)
    stanzas = {}
    for stanza in status_text.split("\n\n"):
        m = re.match(r"Package: (\S+)", stanza.strip())
        if m:
            stanzas[m.group(1)] = stanza.strip() + "\n\n"
    for n in targets:
        out.append(f"Removing {n} ({installed[n]}) ...\n")
        listed = [line for line in (_read(ctx, f"/var/lib/dpkg/info/{n}.list") or
                                    _read(ctx, f"/var/lib/dpkg/info/{n}:amd64.list")).splitlines()
                  if line and line != "/."]
        pkg = catalog.get(n)
        conf = set(getattr(pkg, "conffiles", ()) or ()) if pkg else set()
        if not listed and pkg is not None:
            listed = [f.path for f in pkg.files]
        _remove_paths(ctx, [p for p in listed if purge or p not in conf])
        for suffix in (".list", ".md5sums", ".conffiles", ".postinst", ".prerm", ".postrm", ".preinst"):
            for name in (n, f"{n}:amd64"):
                p = f"/var/lib/dpkg/info/{name}{suffix}"
                if fs.lexists(p):
                    fs.unlink(p)
        stanzas.pop(n, None)
    ctx.out("".join(out))
    fs.write(DPKG_STATUS, encode("".join(stanzas[k] for k in sorted(stanzas))))
    _write_auto_marks(ctx, _auto_marks(ctx) - set(targets))
    return 0


def _apt_clean(ctx: Ctx) -> int:
    if ctx.uid != 0:
        ctx.err("E: Could not open lock file /var/cache/apt/archives/lock - open (13: Permission denied)\n"
                "E: Unable to lock directory /var/cache/apt/archives/\n")
        return 100
    fs = ctx.fs
    for d in (ARCHIVES, ARCHIVES + "/partial"):
        try:
            for n in fs.listdir(d):
                p = paths.join(d, n)
                if fs.entry(p).kind not in ("dir", "opaque") and n != "lock":
                    fs.unlink(p)
        except FS_ERRORS:
            pass
    for name in ("pkgcache.bin", "srcpkgcache.bin"):
        if fs.lexists(f"/var/cache/apt/{name}"):
            fs.unlink(f"/var/cache/apt/{name}")
    return 0


def _apt_main(ctx: Ctx, apt_cli: bool) -> int:
    if apt_cli:
        ctx.err("\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n")
    distro = detect_distro(ctx)
    args = ctx.argv[1:]
    assume_yes = False
    action = None
    names: list[str] = []
    purge = False
    quiet = sum(a.count("q") for a in args if re.fullmatch(r"-[yqdfmVu]+", a)) + \
        sum(1 for a in args if a == "--quiet")
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-y", "--yes", "--assume-yes", "-qy", "-yq", "-yqq", "-qqy", "--force-yes"):
            assume_yes = True
        elif a.startswith("-o") or a in ("-t", "--target-release"):
            if a in ("-o", "-t", "--target-release"):
                i += 1
        elif a == "--purge":
            purge = True
        elif a.startswith("-"):
            if re.fullmatch(r"-[yqdfmVu]+", a):
                assume_yes |= "y" in a
            elif a not in ("--no-install-recommends", "--no-install-suggests", "--quiet", "-q", "-qq",
                           "--fix-missing", "--fix-broken", "-f", "--allow-unauthenticated", "--no-upgrade",
                           "--only-upgrade", "--reinstall", "--allow-downgrades", "--allow-remove-essential",
                           "--allow-change-held-packages", "--download-only", "--auto-remove",
                           "--autoremove"):
                ctx.err(f"E: Command line option '{a}' [from {a}] is not understood in combination with the "
                        "other options.\n")
                return 100
        elif action is None:
            action = a
        else:
            names.append(a)
        i += 1
    if action is None:
        ctx.out("apt 2.6.1 (amd64)\nUsage: apt-get [options] command\n")
        return 1
    if quiet >= 2:
        from ..base import NULL
        ctx.fds = dict(ctx.fds)
        ctx.fds[1] = NULL
    if distro is None or not distro.startswith(("debian", "ubuntu")):
        raise CommandFailed("E: layerlab: no Debian or Ubuntu /etc/os-release in this tree, so apt has no package "
                            "catalog", 100)
    if action == "update":
        return _apt_update(ctx, distro, apt_cli)
    if action == "install":
        return _apt_install(ctx, distro, names, assume_yes, apt_cli)
    if action in ("remove", "purge", "autoremove", "autopurge"):
        return _apt_remove(ctx, distro, names, purge or action in ("purge", "autopurge"),
                           action.startswith("auto") or "--auto-remove" in args or "--autoremove" in args, apt_cli)
    if action in ("clean", "autoclean"):
        return _apt_clean(ctx)
    if action in ("upgrade", "dist-upgrade", "full-upgrade"):
        if ctx.uid != 0:
            return _apt_lock_error(ctx, "dpkg")
        ctx.out("Reading package lists...\nBuilding dependency tree...\nReading state information...\n"
                "Calculating upgrade...\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n")
        return 0
    if action in ("list",) and apt_cli:
        for name, version in sorted(_installed_apt(ctx).items()):
            ctx.out(f"{name}/now {version} amd64 [installed]\n")
        return 0
    if action in ("show", "policy", "search", "source", "build-dep", "download", "check", "changelog"):
        raise CommandFailed(f"E: layerlab: 'apt-get {action}' is not simulated", 100)
    raise CommandFailed(f"E: Invalid operation {action}", 100)


@command("apt-get")
def apt_get(ctx: Ctx) -> int:
    return _apt_main(ctx, apt_cli=False)


@command("apt")
def apt(ctx: Ctx) -> int:
    return _apt_main(ctx, apt_cli=True)


@command("dpkg", "dpkg-query")
def dpkg(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    installed = _installed_apt(ctx)
    if not args:
        raise CommandFailed("need an action option\n\nType dpkg --help for help about installing and deinstalling "
                            "packages [*];\nUse 'apt' or 'aptitude' for user-friendly package management;", 2)
    a = args[0]
    if a == "--print-architecture":
        ctx.out("amd64\n")
        return 0
    if a in ("-l", "--list"):
        pats = args[1:]
        rows = [(n, v) for n, v in sorted(installed.items()) if not pats or any(
            re.fullmatch(p.replace("*", ".*"), n) for p in pats)]
        if not rows:
            ctx.err(f"dpkg-query: no packages found matching {' '.join(pats)}\n")
            return 1
        ctx.out("Desired=Unknown/Install/Remove/Purge/Hold\n"
                "| Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/trig-aWait/Trig-pend\n"
                "|/ Err?=(none)/Reinst-required (Status,Err: uppercase=bad)\n"
                "||/ Name                Version                        Architecture Description\n"
                "+++-===================-==============================-============-=" + "=" * 30 + "\n")
        for n, v in rows:
            ctx.out(f"ii  {n:<19} {v:<30} amd64        {n}\n")
        return 0
    if a in ("-L", "--listfiles"):
        status = 0
        for n in args[1:]:
            text = _read(ctx, f"/var/lib/dpkg/info/{n}.list")
            if n not in installed:
                ctx.err(f"dpkg-query: package '{n}' is not installed\n")
                status = 1
                continue
            ctx.out(text)
        return status
    if a in ("-s", "--status"):
        status = 0
        for n in args[1:]:
            if n not in installed:
                ctx.err(f"dpkg-query: package '{n}' is not installed and no information is available\n")
                status = 1
                continue
            for stanza in _read(ctx, DPKG_STATUS).split("\n\n"):
                if re.match(rf"Package: {re.escape(n)}\n", stanza):
                    ctx.out(stanza.strip() + "\n")
        return status
    if a in ("-S", "--search"):
        status = 1
        for p in args[1:]:
            for n in installed:
                if any(line == p or line.endswith("/" + p) for line in
                       _read(ctx, f"/var/lib/dpkg/info/{n}.list").splitlines()):
                    ctx.out(f"{n}: {p}\n")
                    status = 0
        if status:
            ctx.err(f"dpkg-query: no path found matching pattern *{args[-1]}*\n")
        return status
    raise CommandFailed(f"layerlab: 'dpkg {a}' is not simulated (use apt-get)", 2)


# -- apk ------------------------------------------------------------------------------------------------


def _apk_installed(ctx: Ctx) -> dict[str, str]:
    return dict(get_catalog().parse_apk_installed(_read(ctx, APK_DB)))


def _apk_index_present(ctx: Ctx) -> bool:
    try:
        return any(n.startswith("APKINDEX") for n in ctx.fs.listdir(APK_CACHE))
    except FS_ERRORS:
        return False


def _apk_fetch_lines(distro: str) -> str:
    ver = distro.split("-", 1)[1]
    return "".join(f"fetch https://dl-cdn.alpinelinux.org/alpine/v{ver}/{repo}/x86_64/APKINDEX.tar.gz\n"
                   for repo in ("main", "community"))


def _apk_write_index(ctx: Ctx, distro: str) -> None:
    for f in get_catalog().apk_index(distro):
        _install_file(ctx, f, f"apk-index:{distro}:")


def _apk_total(ctx: Ctx, catalog) -> tuple[int, int]:
    installed = _apk_installed(ctx)
    size = sum(catalog[n].installed_size for n in installed if n in catalog)
    return size, len(installed)


def _mib(n: int) -> str:
    return f"{max(1, round(n / (1 << 20)))} MiB" if n >= 1 << 20 else f"{max(1, round(n / 1024))} KiB"


@command("apk")
def apk(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    distro = detect_distro(ctx)
    action = None
    names = []
    no_cache = update = quiet = False
    virtual = None
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--no-cache",):
            no_cache = True
        elif a in ("-U", "--update-cache"):
            update = True
        elif a in ("-q", "--quiet"):
            quiet = True
        elif a in ("-t", "--virtual"):
            i += 1
            virtual = args[i] if i < len(args) else None
        elif a.startswith("--virtual="):
            virtual = a.split("=", 1)[1]
        elif a in ("--repository", "-X", "--root", "-p", "--arch"):
            i += 1
        elif a.startswith("-"):
            pass
        elif action is None:
            action = a
        else:
            names.append(a)
        i += 1
    if action is None:
        ctx.out("apk-tools 2.14.0, compiled for x86_64.\n\nusage: apk [<OPTIONS>...] COMMAND [<ARGUMENTS>...]\n")
        return 1
    if distro is None or not distro.startswith("alpine"):
        raise CommandFailed("ERROR: layerlab: no Alpine /etc/os-release in this tree, so apk has no package "
                            "catalog", 1)
    if action in ("add", "del", "update", "upgrade", "fix") and ctx.uid != 0:
        ctx.err("ERROR: Unable to lock database: Permission denied\nERROR: Failed to open apk database: "
                "Permission denied\n")
        return 99
    cat = get_catalog()
    catalog = cat.catalog(distro)
    fs = ctx.fs
    if action == "update":
        ctx.out(_apk_fetch_lines(distro))
        _apk_write_index(ctx, distro)
        ver = distro.split("-", 1)[1]
        ctx.out(f"v{ver}.1-0-g0000000 [https://dl-cdn.alpinelinux.org/alpine/v{ver}/main]\n"
                f"v{ver}.1-0-g0000000 [https://dl-cdn.alpinelinux.org/alpine/v{ver}/community]\n"
                f"OK: {len(catalog) * 12 + 23000} distinct packages available\n")
        return 0
    if action == "add":
        installed = _apk_installed(ctx)
        fetch = no_cache or update or not _apk_index_present(ctx)
        if fetch and not quiet:
            ctx.out(_apk_fetch_lines(distro))
        if fetch and not no_cache:
            _apk_write_index(ctx, distro)
        try:
            todo = cat.resolve(distro, names, installed=list(installed))
        except NotFoundError as exc:
            text = str(exc)
            name = re.search(r"^\s+(\S+) \(no such package\)", text, re.M)
            req = f"\n    required by: world[{name.group(1)}]" if name else ""
            ctx.err(text + req + "\n")
            return 1
        total = len(todo) + (1 if virtual else 0)
        out = []
        for k, p in enumerate(todo, 1):
            out.append(f"({k}/{total}) Installing {p.name} ({p.version})\n")
            for f in p.files:
                _install_file(ctx, f, f"{distro}/{p.name}/{p.version}:")
        db = _read(ctx, APK_DB)
        db += "".join(cat.apk_installed_entry(p) for p in todo)
        if virtual:
            stamp = time.strftime("%Y%m%d.%H%M%S", time.gmtime(ctx.now()))
            out.append(f"({total}/{total}) Installing {virtual} ({stamp})\n")
            db += (f"C:Q1{hashlib.md5(virtual.encode()).hexdigest()[:27]}=\nP:{virtual}\nV:{stamp}\nA:noarch\nS:0\n"
                   f"I:0\nT:virtual meta package\nU:\nL:\nD:{' '.join(names)}\n\n")
        _ensure_dir(ctx, "/lib/apk/db")
        fs.write(APK_DB, encode(db))
        world = [w for w in _read(ctx, APK_WORLD).split() if w]
        for n in ([virtual] if virtual else names):
            if n not in world:
                world.append(n)
        _ensure_dir(ctx, "/etc/apk")
        fs.write(APK_WORLD, encode("\n".join(sorted(world)) + "\n"))
        if todo and "busybox" in installed:
            out.append(f"Executing busybox-{installed['busybox']}.trigger\n")
        size, count = _apk_total(ctx, catalog)
        out.append(f"OK: {_mib(size)} in {count} packages\n")
        if not quiet:
            ctx.out("".join(out))
        return 0
    if action == "del":
        installed = _apk_installed(ctx)
        db = _read(ctx, APK_DB)
        blocks = [b for b in db.split("\n\n") if b.strip()]
        world = [w for w in _read(ctx, APK_WORLD).split() if w and w not in names]
        virtual_deps = {}
        for b in blocks:
            m = re.search(r"^P:(.+)$", b, re.M)
            d = re.search(r"^D:(.*)$", b, re.M)
            if m and re.search(r"^A:noarch$", b, re.M):
                virtual_deps[m.group(1)] = d.group(1).split() if d else []
        needed: set[str] = set()
        stack = list(world)
        while stack:
            n = stack.pop()
            if n in needed:
                continue
            needed.add(n)
            if n in virtual_deps:
                stack.extend(virtual_deps[n])
            elif n in catalog:
                stack.extend(catalog[n].depends)
        candidates: set[str] = set()
        stack = [n for n in names if n in installed]
        while stack:
            n = stack.pop()
            if n in candidates:
                continue
            candidates.add(n)
            stack.extend(virtual_deps.get(n) or (catalog[n].depends if n in catalog else ()))
        removing = [n for n in installed if n in candidates and n not in needed]
        order = list(reversed(removing))
        out = []
        for k, n in enumerate(order, 1):
            out.append(f"({k}/{len(order)}) Purging {n} ({installed[n]})\n")
            if n in catalog:
                _remove_paths(ctx, [f.path for f in catalog[n].files])
        keep = [b + "\n\n" for b in blocks if (re.search(r"^P:(.+)$", b, re.M) or [None, None])[1] not in removing]
        fs.write(APK_DB, encode("".join(keep)))
        fs.write(APK_WORLD, encode("\n".join(sorted(world)) + ("\n" if world else "")))
        size, count = _apk_total(ctx, catalog)
        out.append(f"OK: {_mib(size)} in {count} packages\n")
        ctx.out("".join(out))
        return 0
    if action == "info":
        for n in sorted(_apk_installed(ctx)):
            ctx.out(n + "\n")
        return 0
    if action in ("cache",) and names[:1] == ["clean"]:
        return 0
    if action == "upgrade":
        ctx.out("OK: up to date\n")
        return 0
    raise CommandFailed(f"layerlab: 'apk {action}' is not simulated", 1)


# -- pip ------------------------------------------------------------------------------------------------

PIP_VERSION = "24.0"


def _find_python(ctx: Ctx) -> tuple[str, str, bool] | None:
    """(python version 3.X, site-packages dir, externally managed) of the tree's python."""
    fs = ctx.fs
    for base, debian in (("/usr/local/lib", False), ("/usr/lib", True)):
        try:
            names = fs.listdir(base)
        except FS_ERRORS:
            continue
        versions = sorted((n for n in names if re.fullmatch(r"python3\.\d+", n)),
                          key=lambda n: int(n.split(".")[1]), reverse=True)
        for n in versions:
            ver = n[len("python"):]
            if not debian and fs.is_dir(f"{base}/{n}/site-packages"):
                return ver, f"{base}/{n}/site-packages", False
            if debian and (fs.is_dir(f"{base}/{n}") or fs.is_dir("/usr/lib/python3/dist-packages")):
                managed = fs.exists(f"{base}/{n}/EXTERNALLY-MANAGED")
                return ver, f"/usr/local/lib/{n}/dist-packages", managed
    return None


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pip_installed(ctx: Ctx, site: str) -> dict[str, tuple[str, str]]:
    """normalized name -> (version, dist-info dir name)."""
    out = {}
    try:
        names = ctx.fs.listdir(site)
    except FS_ERRORS:
        return out
    for n in names:
        m = re.fullmatch(r"(.+)-([^-]+)\.dist-info", n)
        if m:
            out[_norm(m.group(1))] = (m.group(2), n, m.group(1))
    return out


def _parse_requirements(ctx: Ctx, path: str, seen: set | None = None) -> list[str]:
    seen = seen or set()
    if path in seen:
        return []
    seen.add(path)
    try:
        text = ctx.read_text(ctx.abspath(path))
    except FS_ERRORS:
        raise CommandFailed(f"ERROR: Could not open requirements file: [Errno 2] No such file or directory: "
                            f"'{path}'", 1)
    out = []
    for line in text.splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")):
            out += _parse_requirements(ctx, line.split(None, 1)[1], seen)
            continue
        if line.startswith("-"):
            continue
        out.append(line.split(";")[0].strip())
    return out


def _spec_name(spec: str) -> str:
    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
    return m.group(1) if m else spec


@command("pip", "pip3")
def pip(ctx: Ctx) -> int:
    return _pip(ctx, ctx.argv[1:], ctx.name)


def _venv_of(ctx: Ctx) -> tuple[str, str, bool, str] | None:
    """(python version, site-packages, False, bin dir) when the program ran from a venv's bin/."""
    if not ctx.path:
        return None
    root = paths.parent(paths.parent(ctx.path))
    cfg = _read(ctx, paths.join(root, "pyvenv.cfg"))
    if not cfg:
        return None
    m = re.search(r"^version(?:_info)?\s*=\s*(\d+\.\d+)", cfg, re.M)
    ver = m.group(1) if m else "3"
    return ver, f"{root}/lib/python{ver}/site-packages", False, f"{root}/bin"


def _pip(ctx: Ctx, args: list[str], prog: str) -> int:
    venv = _venv_of(ctx)
    found = venv[:3] if venv else _find_python(ctx)
    if not args or args[0] in ("-h", "--help"):
        ctx.out("\nUsage:   \n  pip <command> [options]\n")
        return 0
    if args[0] in ("-V", "--version"):
        if found is None:
            raise CommandFailed("layerlab: no python3 site-packages in this tree", 1)
        ctx.out(f"pip {PIP_VERSION} from {found[1]}/pip (python {found[0]})\n")
        return 0
    action = args[0]
    rest = args[1:]
    if found is None:
        raise CommandFailed("layerlab: pip found no python3 in this tree (no /usr/local/lib/python3.X/site-packages "
                            "or /usr/lib/python3.X)", 1)
    pyver, site, managed = found
    env = ctx.env
    if action == "install":
        return _pip_install(ctx, rest, pyver, site, managed, env, bin_dir=venv[3] if venv else "/usr/local/bin",
                            in_venv=venv is not None)
    if action == "uninstall":
        return _pip_uninstall(ctx, rest, site)
    if action in ("list", "freeze"):
        inst = _pip_installed(ctx, site)
        if action == "freeze":
            for n, (v, d, shown) in sorted(inst.items()):
                if n not in ("pip", "setuptools", "wheel"):
                    ctx.out(f"{shown}=={v}\n")
        else:
            rows = sorted((shown.replace("_", "-"), v) for n, (v, d, shown) in inst.items())
            w = max([len("Package")] + [len(r[0]) for r in rows])
            vw = max([len("Version")] + [len(r[1]) for r in rows])
            ctx.out(f"{'Package':<{w}} Version\n{'-' * w} {'-' * vw}\n")
            for n, v in rows:
                ctx.out(f"{n:<{w}} {v}\n")
        return 0
    if action == "cache" and rest[:1] == ["purge"]:
        home = env.get("HOME", "/root")
        if ctx.fs.lexists(f"{home}/.cache/pip"):
            ctx.fs.rmtree(f"{home}/.cache/pip")
        ctx.out("Files removed: 1\n")
        return 0
    raise CommandFailed(f"ERROR: layerlab: 'pip {action}' is not simulated", 1)


def _truthy(v: str | None) -> bool:
    return v is not None and v.lower() not in ("", "0", "false", "no", "off")


def _pip_install(ctx: Ctx, args: list[str], pyver: str, site: str, managed: bool, env: dict,
                 bin_dir: str = "/usr/local/bin", in_venv: bool = False) -> int:
    specs: list[str] = []
    no_cache = _truthy(env.get("PIP_NO_CACHE_DIR")) or env.get("PIP_NO_CACHE_DIR", "").lower() in ("off", "false")
    user = False
    upgrade = False
    breaks = _truthy(env.get("PIP_BREAK_SYSTEM_PACKAGES"))
    compile_ = True
    quiet = 0
    target = None
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-r", "--requirement"):
            i += 1
            specs += _parse_requirements(ctx, args[i] if i < len(args) else "")
        elif a.startswith("-r") and len(a) > 2:
            specs += _parse_requirements(ctx, a[2:])
        elif a.startswith("--requirement="):
            specs += _parse_requirements(ctx, a.split("=", 1)[1])
        elif a == "--no-cache-dir":
            no_cache = True
        elif a == "--user":
            user = True
        elif a in ("-U", "--upgrade"):
            upgrade = True
        elif a == "--break-system-packages":
            breaks = True
        elif a == "--no-compile":
            compile_ = False
        elif a in ("-q", "--quiet"):
            quiet += 1
        elif a == "-qq":
            quiet += 2
        elif a in ("-t", "--target", "--prefix", "--root", "-i", "--index-url", "--extra-index-url", "-c",
                   "--constraint", "--trusted-host", "-f", "--find-links", "--cache-dir", "--progress-bar"):
            if a in ("-t", "--target"):
                target = args[i + 1] if i + 1 < len(args) else None
            i += 1
        elif a.startswith("-"):
            pass
        else:
            specs.append(a)
        i += 1
    del upgrade
    if not specs:
        raise CommandFailed("ERROR: You must give at least one requirement to install (see \"pip help install\")", 1)
    if managed and not breaks and not user and target is None:
        ctx.err("error: externally-managed-environment\n\n× This environment is externally managed\n╰─> To install "
                "Python packages system-wide, try apt install\n    python3-xyz, where xyz is the package you are "
                "trying to\n    install.\n\n    If you wish to install a non-Debian-packaged Python package,\n    "
                "create a virtual environment using python3 -m venv path/to/venv.\n    Then use path/to/venv/bin/"
                "python3 and path/to/venv/bin/pip. Make\n    sure you have python3-full installed.\n\n    If you "
                "wish to install a non-Debian packaged Python application,\n    it may be easiest to use pipx "
                "install xyz, which will manage a\n    virtual environment for you. Make sure you have pipx "
                "installed.\n\n    See /usr/share/doc/python3.11/README.venv for more information.\n\nnote: If you "
                "believe this is a mistake, please contact your Python installation or OS distribution provider. "
                "You can override this, at the risk of breaking your Python installation or OS, by passing "
                "--break-system-packages.\nhint: See PEP 668 for the detailed specification.\n")
        return 1
    home = env.get("HOME", "/root")
    if user:
        site = f"{home}/.local/lib/python{pyver}/site-packages"
        bin_dir = f"{home}/.local/bin"
    elif target:
        site = ctx.abspath(target)
    fs = ctx.fs
    cat = get_catalog()
    installed = _pip_installed(ctx, site)
    out: list[str] = []
    fresh = []
    for spec in specs:
        n = _norm(_spec_name(spec))
        if n in installed:
            out.append(f"Requirement already satisfied: {_spec_name(spec)} in {site} ({installed[n][0]})\n")
        else:
            fresh.append(spec)
    try:
        todo = cat.resolve("pypi", fresh, installed=list(installed)) if fresh else []
    except NotFoundError as exc:
        if quiet < 2:
            ctx.out("".join(out))
        ctx.err(str(exc) + "\n")
        return 1
    catalog = cat.catalog("pypi")
    requested = {_norm(_spec_name(s)) for s in fresh}
    parents: dict[str, str] = {}
    for p in todo:
        for d in p.depends:
            parents.setdefault(d, p.name)
    for p in reversed(todo):
        label = p.name if p.name in requested else f"{p.name} (from {parents.get(p.name, '')})"
        wheel = f"{p.name.replace('-', '_')}-{p.version}-py3-none-any.whl"
        out.append(f"Collecting {label}\n  Downloading {wheel} ({_kb(max(1000, p.installed_size // 3))})\n")
    if not todo:
        if quiet == 0:
            ctx.out("".join(out))
        return 0
    site_missing = not fs.is_dir(site)
    try:
        if site_missing:
            ctx.mkdir(site, parents=True)
        ctx.check_write(site)
        if fs.is_dir(bin_dir):
            ctx.check_write(bin_dir)
    except FS_ERRORS:
        if quiet < 2:
            ctx.out("".join(out) + f"Installing collected packages: {', '.join(p.name for p in todo)}\n")
        ctx.err(f"ERROR: Could not install packages due to an OSError: [Errno 13] Permission denied: "
                f"'{site}/{todo[0].name.replace('-', '_')}'\nConsider using the `--user` option or check the "
                "permissions.\n\n")
        return 1
    out.append(f"Installing collected packages: {', '.join(p.name for p in todo)}\n")
    for p in todo:
        files = cat.pip_files(p, site_packages=site, bin_dir=bin_dir, python=pyver, compile=compile_)
        seed = f"pypi/{p.name}/{p.version}:"
        for f in files:
            if f.kind == "dir":
                if not fs.is_dir(f.path):
                    _ensure_dir(ctx, f.path, 0o755, ctx.uid, ctx.gid)
                continue
            parent = paths.parent(f.path)
            if not fs.is_dir(parent):
                _ensure_dir(ctx, parent, 0o755, ctx.uid, ctx.gid)
            if fs.lexists(f.path):
                fs.unlink(f.path)
            if f.kind == "symlink":
                fs.symlink(f.target, f.path, uid=ctx.uid, gid=ctx.gid)
            else:
                fs.write(f.path, _content(seed + f.path, f.size), mode=f.mode, uid=ctx.uid, gid=ctx.gid)
        if not no_cache:
            digest = hashlib.sha224(f"{p.name}-{p.version}".encode()).hexdigest()
            cache = f"{home}/.cache/pip/http-v2/{digest[0]}/{digest[1]}/{digest[2]}/{digest[3]}/{digest[4]}"
            _ensure_dir(ctx, cache, 0o700, ctx.uid, ctx.gid)
            fs.write(f"{cache}/{digest[5:]}.body", Synthetic(max(1000, p.installed_size // 3), seed + "wheel"),
                     mode=0o600, uid=ctx.uid, gid=ctx.gid)
            fs.write(f"{cache}/{digest[5:]}", Synthetic(1200, seed + "meta"), mode=0o600, uid=ctx.uid, gid=ctx.gid)
    out.append("Successfully installed " + " ".join(f"{p.name}-{p.version}" for p in
                                                     sorted(todo, key=lambda p: p.name)) + "\n")
    if quiet == 0:
        ctx.out("".join(out))
    if ctx.uid == 0 and not user and not in_venv:
        ctx.err("WARNING: Running pip as the 'root' user can result in broken permissions and conflicting behaviour "
                "with the system package manager. It is recommended to use a virtual environment instead: "
                "https://pip.pypa.io/warnings/venv\n")
    del catalog
    return 0


def _pip_uninstall(ctx: Ctx, args: list[str], site: str) -> int:
    yes = False
    names = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-y", "--yes"):
            yes = True
        elif a in ("-r", "--requirement"):
            i += 1
            names += [_spec_name(s) for s in _parse_requirements(ctx, args[i])]
        elif not a.startswith("-"):
            names.append(a)
        i += 1
    if not names:
        raise CommandFailed("ERROR: You must give at least one requirement to uninstall (see \"pip help "
                            "uninstall\")", 1)
    installed = _pip_installed(ctx, site)
    fs = ctx.fs
    cat = get_catalog()
    catalog = cat.catalog("pypi")
    for name in names:
        n = _norm(_spec_name(name))
        if n not in installed:
            ctx.err(f"WARNING: Skipping {name} as it is not installed.\n")
            continue
        version, dist, shown = installed[n]
        ctx.out(f"Found existing installation: {shown} {version}\n")
        if not yes:
            ctx.out(f"Uninstalling {shown}-{version}:\n  Would remove:\n    {site}/{dist}\n"
                    "Proceed (Y/n)? ")
            answer = ctx.stdin.readline().strip().lower()
            if answer not in ("y", "yes"):
                ctx.out("\nERROR: Operation cancelled by user\n")
                return 1
        else:
            ctx.out(f"Uninstalling {shown}-{version}:\n")
        record = _read(ctx, f"{site}/{dist}/RECORD")
        victims = [paths.normalize(site + "/" + line.split(",")[0]) for line in record.splitlines() if line]
        pkg = catalog.get(n)
        if pkg is not None:
            victims += [f.path for f in cat.pip_files(pkg, site_packages=site)]
        _remove_paths(ctx, victims)
        if fs.lexists(f"{site}/{dist}"):
            fs.rmtree(f"{site}/{dist}")
        for top in {v[len(site) + 1:].split("/")[0] for v in victims if v.startswith(site + "/")}:
            p = f"{site}/{top}"
            if top and fs.is_dir(p):
                fs.rmtree(p)
        ctx.out(f"  Successfully uninstalled {shown}-{version}\n")
    if ctx.uid == 0:
        ctx.err("WARNING: Running pip as the 'root' user can result in broken permissions and conflicting behaviour "
                "with the system package manager. It is recommended to use a virtual environment instead: "
                "https://pip.pypa.io/warnings/venv\n")
    return 0


@command("python", "python3")
def python(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    found = _find_python(ctx)
    if args and args[0] in ("-V", "--version"):
        ver = found[0] if found else "3"
        full = ctx.env.get("PYTHON_VERSION") or {"3.11": "3.11.2", "3.4": "3.4.3"}.get(ver, ver + ".0")
        ctx.out(f"Python {full}\n")
        return 0
    while args and args[0] in ("-u", "-B", "-E", "-s", "-I", "-q"):
        args = args[1:]
    if len(args) >= 2 and args[0] == "-m" and args[1] in ("pip", "pip3"):
        return _pip(ctx, args[2:], "pip")
    if len(args) >= 2 and args[0] == "-m" and args[1] == "venv":
        return _venv(ctx, args[2:], found)
    if len(args) >= 1 and args[0].startswith("-mpip"):
        return _pip(ctx, args[1:], "pip")
    ctx.sh._shared.not_found.append(ctx.name)
    what = " ".join(args[:2]) if args else "(interactive)"
    ctx.err(f"layerlab: '{ctx.name} {what}' is not simulated: only '{ctx.name} -m pip' and '{ctx.name} --version' "
            "are\n")
    return 127


ACTIVATE = """# This file must be used with "source bin/activate" *from bash*
# You cannot run it directly

deactivate () {
    # reset old environment variables
    if [ -n "${_OLD_VIRTUAL_PATH:-}" ] ; then
        PATH="${_OLD_VIRTUAL_PATH:-}"
        export PATH
        unset _OLD_VIRTUAL_PATH
    fi
    unset VIRTUAL_ENV
    unset VIRTUAL_ENV_PROMPT
}

VIRTUAL_ENV="@ROOT@"
export VIRTUAL_ENV

_OLD_VIRTUAL_PATH="$PATH"
PATH="$VIRTUAL_ENV/bin:$PATH"
export PATH
"""


def _venv(ctx: Ctx, args: list[str], found) -> int:
    """python -m venv DIR: bin/ with python symlinks and pip scripts, pyvenv.cfg, and pip copied in (ensurepip)."""
    without_pip = "--without-pip" in args
    system_site = "--system-site-packages" in args
    dirs = []
    skip = False
    for i, a in enumerate(args):
        if skip:
            skip = False
            continue
        if a == "--prompt":
            skip = True
        elif not a.startswith("-"):
            dirs.append(a)
    if not dirs:
        raise CommandFailed("usage: venv [-h] [--system-site-packages] [--symlinks | --copies] [--clear] "
                            "[--upgrade] [--without-pip] [--prompt PROMPT] [--upgrade-deps]\n"
                            "                        ENV_DIR [ENV_DIR ...]\n"
                            "venv: error: the following arguments are required: ENV_DIR", 2)
    if found is None:
        raise CommandFailed("layerlab: no python3 lib directory in this tree", 1)
    ver, site, managed = found
    fs = ctx.fs
    exe = ctx.path or "/usr/local/bin/python3"
    full = ctx.env.get("PYTHON_VERSION") or {"3.11": "3.11.2"}.get(ver, ver + ".0")
    for d in dirs:
        root = ctx.abspath(d)
        try:
            for sub_dir in ("", "/bin", "/include", f"/lib/python{ver}/site-packages"):
                if not fs.is_dir(root + sub_dir):
                    ctx.mkdir(root + sub_dir, parents=True)
            if not fs.lexists(root + "/lib64"):
                fs.symlink("lib", root + "/lib64", uid=ctx.uid, gid=ctx.gid)
            cfg = (f"home = {paths.parent(exe)}\ninclude-system-site-packages = {'true' if system_site else 'false'}\n"
                   f"version = {full}\nexecutable = {fs.resolve(exe)}\ncommand = {exe} -m venv {root}\n")
            ctx.write_file(root + "/pyvenv.cfg", encode(cfg))
            for name, target in (("python", exe), ("python3", "python"), (f"python{ver}", "python")):
                if not fs.lexists(f"{root}/bin/{name}"):
                    fs.symlink(target, f"{root}/bin/{name}", uid=ctx.uid, gid=ctx.gid)
            ctx.write_file(root + "/bin/activate", encode(ACTIVATE.replace("@ROOT@", root)))
            for name, size in (("activate.csh", 936), ("activate.fish", 2215), ("Activate.ps1", 9033)):
                ctx.write_file(f"{root}/bin/{name}", Synthetic(size, f"venv:{name}"))
            if without_pip:
                continue
            debian_python = site.startswith("/usr/local/lib/") and "/dist-packages" in site
            if debian_python and not fs.is_dir(f"/usr/lib/python{ver}/ensurepip"):
                ctx.out("The virtual environment was not created successfully because ensurepip is not\n"
                        "available.  On Debian/Ubuntu systems, you need to install the python3-venv\n"
                        "package using the following command.\n\n"
                        f"    apt install python{ver}-venv\n\n"
                        "You may need to use sudo with that command.  After installing the python3-venv\n"
                        "package, recreate your virtual environment.\n\n"
                        f"Failing command: {root}/bin/python{ver[0]}\n")
                return 1
            source = site if not debian_python else "/usr/lib/python3/dist-packages"
            dest = f"{root}/lib/python{ver}/site-packages"
            for name in (fs.listdir(source) if fs.is_dir(source) else []):
                if name == "pip" or (name.startswith("pip-") and name.endswith(".dist-info")):
                    top = paths.join(fs.resolve(source), name)
                    ctx.mkdir(paths.join(dest, name))
                    for p, entry in list(fs.walk(top)):
                        target = dest + "/" + name + p[len(top):]
                        if entry.kind in ("dir", "opaque"):
                            ctx.mkdir(target)
                        elif entry.kind in ("file", "hardlink"):
                            fs.write(target, fs.content(p), mode=fs.stat(p).mode, uid=ctx.uid, gid=ctx.gid)
            for name in ("pip", "pip3", f"pip{ver}"):
                script = (f"#!{root}/bin/python{ver[0]}\n# -*- coding: utf-8 -*-\nimport re\nimport sys\n"
                          "from pip._internal.cli.main import main\nif __name__ == '__main__':\n"
                          "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
                          "    sys.exit(main())\n")
                ctx.write_file(f"{root}/bin/{name}", encode(script), mode=0o777)
        except FS_ERRORS as exc:
            ctx.err(f"Error: [Errno 13] {exc}\n" if getattr(exc, "code", "") == "EACCES" else f"Error: {exc}\n")
            return 1
    return 0
