"""apt-get, apt, dpkg, apk and pip over a small fake catalog (tests/shell/fake_catalog.py)."""

import pytest

from layerlab.fs.entries import Dir, File
from layerlab.fs.entries import Whiteout
from layerlab.shell import Shell

from .trees import tree

APT_INSTALL_OUT = """\
Reading package lists...
Building dependency tree...
Reading state information...
The following additional packages will be installed:
  libcurl4
The following NEW packages will be installed:
  curl libcurl4
0 upgraded, 2 newly installed, 0 to remove and 0 not upgraded.
Need to get 328 kB of archives.
After this operation, 983 kB of additional disk space will be used.
Get:1 http://deb.debian.org/debian bookworm/main amd64 libcurl4 amd64 7.88.1-10+deb12u5 [233 kB]
Get:2 http://deb.debian.org/debian bookworm/main amd64 curl amd64 7.88.1-10+deb12u5 [94 kB]
Fetched 328 kB in 0s (1310 kB/s)
Selecting previously unselected package libcurl4.
(Reading database ... 80 files and directories currently installed.)
Preparing to unpack .../libcurl4_7.88.1-10+deb12u5_amd64.deb ...
Unpacking libcurl4 (7.88.1-10+deb12u5) ...
Selecting previously unselected package curl.
Preparing to unpack .../curl_7.88.1-10+deb12u5_amd64.deb ...
Unpacking curl (7.88.1-10+deb12u5) ...
Setting up libcurl4 (7.88.1-10+deb12u5) ...
Setting up curl (7.88.1-10+deb12u5) ...
Processing triggers for libc-bin (2.36-9+deb12u4) ...
"""

UPDATE_OUT = """\
Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]
Get:2 http://deb.debian.org/debian bookworm/main amd64 Packages [8788 kB]
Get:3 http://deb.debian.org/debian bookworm-updates InRelease [55 kB]
Fetched 8994 kB in 1s (8994 kB/s)
Reading package lists...
"""

APT_ROWS = [
    # (command, exit code, stdout, stderr)
    ("apt-get install -y curl", 100, "Reading package lists...\nBuilding dependency tree...\n"
                                     "Reading state information...\n", "E: Unable to locate package curl\n"),
    ("apt-get update", 0, UPDATE_OUT, ""),
    ("apt-get update >/dev/null && apt-get install -y curl", 0, APT_INSTALL_OUT,
     "debconf: delaying package configuration, since apt-utils is not installed\n"),
    ("apt-get update >/dev/null && apt-get install -y nosuch", 100, None, "E: Unable to locate package nosuch\n"),
    ("apt-get update >/dev/null && apt-get install -y curl=1.0", 100, None,
     "E: Version '1.0' for 'curl' was not found\n"),
    ("apt-get update >/dev/null && apt-get install curl", 1, None, None),
    ("apt-get update >/dev/null && apt-get install -qq -y curl", 0, "", None),
    ("apt-get update -qq && apt-get install -y --no-install-recommends curl >/dev/null 2>&1 && "
     "apt-get install -y curl | tail -n 2", 0,
     "curl is already the newest version (7.88.1-10+deb12u5).\n"
     "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n", ""),
    ("apt-get install -y libc6 | tail -n 2", 0, "libc6 is already the newest version (2.36-9+deb12u4).\n"
                                               "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n", ""),
    ("apt update 2>&1 | head -n 3", 0, "\nWARNING: apt does not have a stable CLI interface. Use with caution in "
                                       "scripts.\n\n", ""),
    ("apt-get frobnicate", 100, "", "E: Invalid operation frobnicate\n"),
    ("apt-get update -qq && apt-get install -qq -y curl 2>/dev/null && apt-get remove -y curl | tail -n 1 && "
     "ls /usr/bin/curl", 2, "Removing curl (7.88.1-10+deb12u5) ...\n",
     "ls: cannot access '/usr/bin/curl': No such file or directory\n"),
    ("apt-get remove -y curl | grep Package", 0, "Package 'curl' is not installed, so not removed\n", ""),
    ("apt-get update -qq && apt-get install -qq -y curl 2>/dev/null && apt-get purge -y curl >/dev/null && "
     "apt-get autoremove -y | grep -A1 REMOVED", 0, "The following packages will be REMOVED:\n  libcurl4\n", ""),
    ("apt-get update -qq && apt-get install -qq -y curl 2>/dev/null && dpkg -l | tail -n 2", 0,
     "ii  libc6               2.36-9+deb12u4                 amd64        libc6\n"
     "ii  libcurl4            7.88.1-10+deb12u5              amd64        libcurl4\n", ""),
    ("apt-get update -qq && apt-get install -qq -y curl 2>/dev/null && dpkg -L curl | head -n 3", 0,
     "/.\n/usr\n/usr/bin\n", ""),
    ("dpkg -L curl", 1, "", "dpkg-query: package 'curl' is not installed\n"),
    ("dpkg --print-architecture", 0, "amd64\n", ""),
    ("apk add curl", 127, "", "sh: 1: apk: not found\n"),
]


@pytest.mark.parametrize("cmd,code,out,err", APT_ROWS, ids=[r[0][:50] for r in APT_ROWS])
def test_apt(cmd, code, out, err):
    r = Shell(tree()).run(cmd)
    assert (r.exit_code, r.stdout if out is not None else None, r.stderr if err is not None else None) == \
        (code, out, err), r


def test_apt_install_writes_files_and_databases():
    fs = tree()
    assert Shell(fs).run("apt-get update -qq && apt-get install -qq -y curl").exit_code == 0
    st = fs.stat("/usr/bin/curl")
    assert (st.size, st.mode, st.uid) == (280_800, 0o755, 0)
    assert fs.readlink("/usr/lib/x86_64-linux-gnu/libcurl.so.4") == "libcurl.so.4.8.0"
    assert "Package: curl\n" in fs.read("/var/lib/dpkg/status").decode()
    assert fs.read("/var/lib/dpkg/info/curl.list").decode().startswith("/.\n/usr\n/usr/bin\n")
    assert "Auto-Installed: 1" in fs.read("/var/lib/apt/extended_states").decode()
    assert b"install curl:amd64" in fs.read("/var/log/dpkg.log")
    # docker-clean deleted the downloaded .deb files and apt's binary caches
    assert fs.listdir("/var/cache/apt/archives") == ["partial"]
    assert not fs.lexists("/var/cache/apt/pkgcache.bin")


def test_without_docker_clean_debs_and_caches_stay_until_apt_get_clean():
    fs = tree()
    sh = Shell(fs)
    assert sh.run("rm /etc/apt/apt.conf.d/docker-clean && apt-get update -qq && apt-get install -qq -y curl").ok
    assert sorted(fs.listdir("/var/cache/apt/archives")) == [
        "curl_7.88.1-10+deb12u5_amd64.deb", "libcurl4_7.88.1-10+deb12u5_amd64.deb", "partial"]
    assert fs.stat("/var/cache/apt/pkgcache.bin").size > 20_000_000
    assert sh.run("apt-get clean").ok
    assert fs.listdir("/var/cache/apt/archives") == ["partial"] and not fs.lexists("/var/cache/apt/pkgcache.bin")


def test_cleaning_lists_in_the_same_run_leaves_them_out_of_the_layer():
    fs = tree()
    r = Shell(fs).run("apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*")
    assert r.exit_code == 0
    layer = fs.upper_layer()
    assert not [p for p in layer.entries if p.startswith("/var/lib/apt/lists/") and
                not isinstance(layer.entries[p], Whiteout)]
    assert isinstance(layer.entries["/var/lib/apt/lists/partial"], Whiteout)  # it was in the lower layer


def test_lists_left_behind_cost_megabytes():
    fs = tree()
    Shell(fs).run("apt-get update")
    sizes = {p: e.size for p, e in fs.upper_layer().entries.items() if p.startswith("/var/lib/apt/lists/")}
    assert sum(sizes.values()) == 151_000 + 8_788_000 + 55_400


APK_ROWS = [
    ("apk add curl", 0, "fetch https://dl-cdn.alpinelinux.org/alpine/v3.19/main/x86_64/APKINDEX.tar.gz\n"
                        "fetch https://dl-cdn.alpinelinux.org/alpine/v3.19/community/x86_64/APKINDEX.tar.gz\n"
                        "(1/3) Installing ca-certificates (20240226-r0)\n(2/3) Installing libcurl (8.5.0-r0)\n"
                        "(3/3) Installing curl (8.5.0-r0)\nExecuting busybox-1.36.1-r15.trigger\n"
                        "OK: 1 MiB in 5 packages\n", ""),
    ("apk add --no-cache curl >/dev/null && ls /var/cache/apk && ls -l /usr/bin/curl", 0,
     "-rwxr-xr-x 1 root root 250000 Nov 29 14:00 /usr/bin/curl\n", ""),
    ("apk add curl >/dev/null && ls /var/cache/apk", 0, "APKINDEX.2c4ac24e.tar.gz\nAPKINDEX.40a3604f.tar.gz\n", ""),
    ("apk add nosuch", 1, "fetch https://dl-cdn.alpinelinux.org/alpine/v3.19/main/x86_64/APKINDEX.tar.gz\n"
                          "fetch https://dl-cdn.alpinelinux.org/alpine/v3.19/community/x86_64/APKINDEX.tar.gz\n",
     "ERROR: unable to select packages:\n  nosuch (no such package)\n    required by: world[nosuch]\n"),
    ("apk add -q curl && cat /etc/apk/world", 0, "alpine-baselayout\nbusybox\ncurl\n", ""),
    ("apk add -q --no-cache --virtual .build-deps gcc && apk del .build-deps && ls /usr/bin/gcc", 1,
     "(1/2) Purging .build-deps (20251129.140000)\n(2/2) Purging gcc (13.2.1_git20231014-r0)\n"
     "OK: 1 KiB in 2 packages\n", "ls: /usr/bin/gcc: No such file or directory\n"),
    ("apk add -q curl && apk del curl | head -n 1 && ls /usr/bin/curl", 1, "(1/3) Purging curl (8.5.0-r0)\n",
     "ls: /usr/bin/curl: No such file or directory\n"),
    ("apk update | tail -n 1", 0, "OK: 23048 distinct packages available\n", ""),
    ("apk info", 0, "busybox\nmusl\n", ""),
]


@pytest.mark.parametrize("cmd,code,out,err", APK_ROWS, ids=[r[0][:50] for r in APK_ROWS])
def test_apk(cmd, code, out, err):
    r = Shell(tree(alpine=True)).run(cmd)
    assert (r.exit_code, r.stdout, r.stderr) == (code, out, err), r


def test_apk_writes_its_database():
    fs = tree(alpine=True)
    assert Shell(fs).run("apk add --no-cache curl").exit_code == 0
    db = fs.read("/lib/apk/db/installed").decode()
    assert "P:curl\nV:8.5.0-r0\n" in db and "P:busybox\n" in db
    assert not [p for p in fs.upper_layer().entries if p.startswith("/var/cache/apk/")]


def test_apk_needs_root():
    r = Shell(tree(alpine=True), user="nobody").run("apk add curl")
    assert (r.exit_code, r.stderr) == (99, "ERROR: Unable to lock database: Permission denied\n"
                                           "ERROR: Failed to open apk database: Permission denied\n")


PY = {"/usr/local/bin/python3": File("\x7fELF", mode=0o755), "/usr/local/bin/python": File("\x7fELF", mode=0o755),
      "/usr/local/bin/pip": File("#!/usr/local/bin/python3\n", mode=0o755),
      "/usr/local/bin/pip3": File("#!/usr/local/bin/python3\n", mode=0o755),
      "/usr/local/lib/python3.12/site-packages/": Dir()}
SITE = "/usr/local/lib/python3.12/site-packages"

PIP_ROWS = [
    ("pip install requests", 0,
     "Collecting requests\n  Downloading requests-2.31.0-py3-none-any.whl (6 kB)\n"
     "Collecting idna (from requests)\n  Downloading idna-3.6-py3-none-any.whl (3 kB)\n"
     "Collecting urllib3 (from requests)\n  Downloading urllib3-2.2.1-py3-none-any.whl (3 kB)\n"
     "Installing collected packages: urllib3, idna, requests\n"
     "Successfully installed idna-3.6 requests-2.31.0 urllib3-2.2.1\n",
     "WARNING: Running pip as the 'root' user can result in broken permissions and conflicting behaviour with the "
     "system package manager. It is recommended to use a virtual environment instead: "
     "https://pip.pypa.io/warnings/venv\n"),
    ("pip install -q requests && pip freeze", 0, "idna==3.6\nrequests==2.31.0\nurllib3==2.2.1\n", None),
    ("pip install -q requests 2>/dev/null; pip install requests 2>/dev/null", 0,
     "Requirement already satisfied: requests in /usr/local/lib/python3.12/site-packages (2.31.0)\n", None),
    ("pip install nosuch", 1, None, "ERROR: Could not find a version that satisfies the requirement nosuch "
                                    "(from versions: none)\nERROR: No matching distribution found for nosuch\n"),
    ("pip install flask==9.9", 1, None, "ERROR: Could not find a version that satisfies the requirement flask==9.9 "
                                        "(from versions: 3.0.2)\nERROR: No matching distribution found for "
                                        "flask==9.9\n"),
    ("printf 'flask==3.0.2\\n# comment\\nidna\\n' > /tmp/req.txt && pip3 install -q --no-cache-dir -r /tmp/req.txt "
     "2>/dev/null && pip list", 0, "Package Version\n------- -------\nflask   3.0.2\nidna    3.6\n", ""),
    ("pip install -r /nope.txt", 1, "", "ERROR: Could not open requirements file: [Errno 2] No such file or "
                                       "directory: '/nope.txt'\n"),
    ("python -m pip install -q flask 2>/dev/null && ls /usr/local/bin/flask", 0, "/usr/local/bin/flask\n", ""),
    ("pip install -q idna 2>/dev/null && pip uninstall -y idna && pip freeze", 0,
     "Found existing installation: idna 3.6\nUninstalling idna-3.6:\n  Successfully uninstalled idna-3.6\n", None),
    ("pip uninstall -y idna", 0, "", "WARNING: Skipping idna as it is not installed.\n"
     "WARNING: Running pip as the 'root' user can result in broken permissions and conflicting behaviour with the "
     "system package manager. It is recommended to use a virtual environment instead: "
     "https://pip.pypa.io/warnings/venv\n"),
    ("pip --version", 0, "pip 24.0 from /usr/local/lib/python3.12/site-packages/pip (python 3.12)\n", ""),
    ("python3 --version", 0, "Python 3.12.0\n", ""),
    ("python3 -c 'print(1)'", 127, "", "layerlab: 'python3 -c print(1)' is not simulated: only 'python3 -m pip' "
                                       "and 'python3 --version' are\n"),
]


@pytest.mark.parametrize("cmd,code,out,err", PIP_ROWS, ids=[r[0][:50] for r in PIP_ROWS])
def test_pip(cmd, code, out, err):
    r = Shell(tree(extra=PY)).run(cmd)
    assert (r.exit_code, r.stdout if out is not None else None, r.stderr if err is not None else None) == \
        (code, out, err), r


def test_pip_cache_unless_no_cache_dir():
    fs = tree(extra=PY)
    Shell(fs).run("pip install idna")
    cached = [p for p, e in fs.upper_layer().entries.items() if p.startswith("/root/.cache/pip/") and e.kind == "file"]
    assert len(cached) == 2 and any(p.endswith(".body") for p in cached)
    fs2 = tree(extra=PY)
    Shell(fs2, env={"PIP_NO_CACHE_DIR": "1"}).run("pip install idna")
    assert not fs2.lexists("/root/.cache/pip")
    fs3 = tree(extra=PY)
    Shell(fs3).run("pip install --no-cache-dir idna")
    assert not fs3.lexists("/root/.cache/pip")
    assert fs3.is_file(f"{SITE}/idna/__init__.py") and fs3.is_dir(f"{SITE}/idna-3.6.dist-info")


def test_pip_on_debian_python_is_externally_managed():
    extra = {"/usr/bin/python3": File("\x7fELF", mode=0o755), "/usr/bin/pip": File("#!/usr/bin/python3\n", mode=0o755),
             "/usr/lib/python3.11/EXTERNALLY-MANAGED": "[externally-managed]\n", "/usr/lib/python3/dist-packages/": Dir()}
    fs = tree(extra=extra)
    r = Shell(fs).run("pip install idna")
    assert r.exit_code == 1 and r.stderr.startswith("error: externally-managed-environment\n")
    r = Shell(fs).run("pip install --break-system-packages idna")
    assert r.exit_code == 0 and fs.is_file("/usr/local/lib/python3.11/dist-packages/idna/__init__.py")


def test_pip_as_a_user_without_write_access():
    r = Shell(tree(extra=PY), user="www-data").run("pip install idna")
    assert r.exit_code == 1 and "Permission denied" in r.stderr and "--user" in r.stderr


def test_python_venv_and_its_pip():
    extra = dict(PY)
    extra[f"{SITE}/pip/__init__.py"] = "# pip\n"
    extra[f"{SITE}/pip-24.0.dist-info/METADATA"] = "Name: pip\n"
    fs = tree(extra=extra)
    r = Shell(fs).run("python -m venv /venv && /venv/bin/pip install flask && ls /venv/bin && "
                      "PATH=/venv/bin:$PATH pip freeze && readlink /venv/bin/python")
    assert r.exit_code == 0, r
    assert r.stderr == ""  # no root warning inside a venv
    assert r.stdout.endswith("Successfully installed flask-3.0.2\nActivate.ps1\nactivate\nactivate.csh\n"
                             "activate.fish\nflask\npip\npip3\npip3.12\npython\npython3\npython3.12\n"
                             "flask==3.0.2\n/usr/local/bin/python\n")
    assert fs.is_file("/venv/lib/python3.12/site-packages/pip/__init__.py")
    assert "include-system-site-packages = false" in fs.read("/venv/pyvenv.cfg").decode()
    assert not fs.lexists(f"{SITE}/flask")


def test_debian_venv_needs_python3_venv():
    extra = {"/usr/bin/python3": File("\x7fELF", mode=0o755), "/usr/lib/python3.11/os.py": "",
             "/usr/lib/python3/dist-packages/": Dir()}
    r = Shell(tree(extra=extra)).run("python3 -m venv /venv")
    assert r.exit_code == 1 and "apt install python3.11-venv" in r.stdout
