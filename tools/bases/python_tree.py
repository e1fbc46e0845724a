"""Lay out the /usr/local tree of python:3.12-slim, derived from this machine's CPython 3.11 install.

python.org's `make install` layout is the same for 3.11 and 3.12, so the 3.11 install tree of the
interpreter running this script (sys.base_prefix) is copied with every '3.11' renamed '3.12', then
the Dockerfile's clean-up is applied (no test/tests/idle_test dirs, no *.pyc, no libpython*.a,
binaries stripped by LDFLAGS=--strip-all) and the modules that 3.12 removed or added are adjusted.
pip comes from the real pip wheel that 3.12.10 bundles (pip 25.0.1), installed as ensurepip does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile

OLD, NEW = "3.11", "3.12"
PIP_VERSION = "25.0.1"
REMOVED_IN_312 = {"distutils", "asynchat.py", "asyncore.py", "imp.py", "smtpd.py"}
SKIP_DIRS = {"test", "tests", "idle_test", "__pycache__", "site-packages"}
# modules new in 3.12: (path under lib/python3.12, size in bytes of the 3.12.10 file)
ADDED_IN_312 = {"_pylong.py": 10211, "wsgiref/types.py": 1703, "sqlite3/__main__.py": 3885,
                "_pydatetime.py": 91983, "datetime.py": 268}
DYNLOAD_RENAMES = {"_sha256": "_sha2", "_sha512": None, "_xxsubinterpreters": "_xxsubinterpreters"}
DYNLOAD_ADDED = {"_xxinterpchannels": 52680, "_testsinglephase": 23368, "_dbm": 21696, "_gdbm": 30600}

SCRIPTS = {
    "pydoc3.12": "#!/usr/local/bin/python3.12\n\nimport pydoc\nif __name__ == '__main__':\n    pydoc.cli()\n",
    "idle3.12": "#!/usr/local/bin/python3.12\n\nfrom idlelib.pyshell import main\nif __name__ == '__main__':\n"
                "    main()\n",
    "2to3-3.12": "#!/usr/local/bin/python3.12\nimport sys\nfrom lib2to3.main import main\n\n"
                 "sys.exit(main(\"lib2to3.fixes\"))\n",
}
PIP_SCRIPT = ("#!/usr/local/bin/python3.12\n# -*- coding: utf-8 -*-\nimport re\nimport sys\n"
              "from pip._internal.cli.main import main\nif __name__ == '__main__':\n"
              "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    sys.exit(main())\n")


def _strip(path: str) -> None:
    subprocess.run(["strip", "--strip-all", path], check=False, stderr=subprocess.DEVNULL)


def _rename(text: str, prefix: str) -> str:
    return text.replace(prefix, "/usr/local").replace(OLD, NEW).replace("311", "312")


def install(dest: str, pip_wheel: str, prefix: str | None = None) -> None:
    """Populate dest (the image's /usr/local) from the CPython install at prefix."""
    prefix = prefix or sys.base_prefix
    libdir = os.path.join(prefix, "lib", f"python{OLD}")
    out_lib = os.path.join(dest, "lib", f"python{NEW}")
    for top, dirs, files in os.walk(libdir):
        rel = os.path.relpath(top, libdir)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not (rel == "." and d in REMOVED_IN_312))
        target_dir = os.path.join(out_lib, _rename(rel, prefix)) if rel != "." else out_lib
        os.makedirs(target_dir, exist_ok=True)
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")) or name.startswith("libpython") and name.endswith(".a"):
                continue
            if rel == "." and name in REMOVED_IN_312:
                continue
            if rel.startswith("ensurepip/_bundled"):
                continue
            src = os.path.join(top, name)
            new_name = name.replace(f"cpython-{OLD.replace('.', '')}", f"cpython-{NEW.replace('.', '')}")
            if rel == "lib-dynload":
                stem = new_name.split(".")[0]
                if stem in DYNLOAD_RENAMES:
                    if DYNLOAD_RENAMES[stem] is None:
                        continue
                    new_name = new_name.replace(stem, DYNLOAD_RENAMES[stem], 1)
            if name.startswith("_sysconfigdata") or name == "Makefile" or name.endswith(".pc"):
                with open(src, encoding="utf-8", errors="surrogateescape") as f:
                    text = _rename(f.read(), prefix)
                with open(os.path.join(target_dir, new_name), "w", encoding="utf-8", errors="surrogateescape") as f:
                    f.write(text)
                continue
            dst = os.path.join(target_dir, new_name)
            shutil.copy2(src, dst, follow_symlinks=False)
            if new_name.endswith(".so"):
                _strip(dst)
    for rel, size in ADDED_IN_312.items():
        path = os.path.join(out_lib, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(b"# " + rel.encode() + b" (3.12)\n" + b"#" * (size - len(rel) - 8) + b"\n")
    for stem, size in DYNLOAD_ADDED.items():
        with open(os.path.join(out_lib, "lib-dynload", f"{stem}.cpython-312-x86_64-linux-gnu.so"), "wb") as f:
            f.write(b"\x7fELF" + b"\x00" * (size - 4))
    os.makedirs(os.path.join(out_lib, "ensurepip", "_bundled"), exist_ok=True)
    shutil.copy2(pip_wheel, os.path.join(out_lib, "ensurepip", "_bundled", os.path.basename(pip_wheel)))
    # site-packages: README.txt plus pip, installed from the bundled wheel as ensurepip does
    site = os.path.join(out_lib, "site-packages")
    os.makedirs(site, exist_ok=True)
    shutil.copy2(os.path.join(libdir, "site-packages", "README.txt"), os.path.join(site, "README.txt"))
    with zipfile.ZipFile(pip_wheel) as zf:
        zf.extractall(site)
    info = os.path.join(site, f"pip-{PIP_VERSION}.dist-info")
    with open(os.path.join(info, "INSTALLER"), "w") as f:
        f.write("pip\n")
    with open(os.path.join(info, "REQUESTED"), "w") as f:
        f.write("")
    # bin
    bindir = os.path.join(dest, "bin")
    os.makedirs(bindir, exist_ok=True)
    shutil.copy2(os.path.join(prefix, "bin", f"python{OLD}"), os.path.join(bindir, f"python{NEW}"))
    _strip(os.path.join(bindir, f"python{NEW}"))
    with open(os.path.join(prefix, "bin", f"python{OLD}-config"), encoding="utf-8") as f:
        config = _rename(f.read(), prefix)
    for name, text in {**SCRIPTS, f"python{NEW}-config": config, "pip3": PIP_SCRIPT, "pip3.12": PIP_SCRIPT}.items():
        path = os.path.join(bindir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(path, 0o755)
    for link, target in {"python3": "python3.12", "python3-config": "python3.12-config", "pydoc3": "pydoc3.12",
                         "idle3": "idle3.12", "2to3": "2to3-3.12"}.items():
        os.symlink(target, os.path.join(bindir, link))
    # include, lib, pkgconfig, man
    shutil.copytree(os.path.join(prefix, "include", f"python{OLD}"), os.path.join(dest, "include", f"python{NEW}"),
                    symlinks=True, dirs_exist_ok=True)
    lib = os.path.join(dest, "lib")
    shutil.copy2(os.path.join(prefix, "lib", f"libpython{OLD}.so.1.0"), os.path.join(lib, f"libpython{NEW}.so.1.0"))
    shutil.copy2(os.path.join(prefix, "lib", "libpython3.so"), os.path.join(lib, "libpython3.so"))
    for name in (f"libpython{NEW}.so.1.0", "libpython3.so"):
        _strip(os.path.join(lib, name))
    os.symlink(f"libpython{NEW}.so.1.0", os.path.join(lib, f"libpython{NEW}.so"))
    pc = os.path.join(lib, "pkgconfig")
    os.makedirs(pc, exist_ok=True)
    for name in (f"python-{OLD}.pc", f"python-{OLD}-embed.pc"):
        with open(os.path.join(prefix, "lib", "pkgconfig", name), encoding="utf-8") as f:
            text = _rename(f.read(), prefix)
        with open(os.path.join(pc, name.replace(OLD, NEW)), "w", encoding="utf-8") as f:
            f.write(text)
    os.symlink(f"python-{NEW}.pc", os.path.join(pc, "python3.pc"))
    os.symlink(f"python-{NEW}-embed.pc", os.path.join(pc, "python3-embed.pc"))
    man = os.path.join(dest, "share", "man", "man1")
    os.makedirs(man, exist_ok=True)
    src_man = os.path.join(prefix, "share", "man", "man1", f"python{OLD}.1")
    if os.path.exists(src_man):
        with open(src_man, encoding="utf-8", errors="surrogateescape") as f:
            text = _rename(f.read(), prefix)
        with open(os.path.join(man, f"python{NEW}.1"), "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(text)
    os.symlink(f"python{NEW}.1", os.path.join(man, "python3.1"))


if __name__ == "__main__":
    install(sys.argv[1], sys.argv[2])
