"""What commands leave in the tree, checked through the WorkTree: owners, modes, copy-ups, whiteouts, opaques."""

import pytest

from layerlab.errors import ShellError
from layerlab.fs.content import Synthetic
from layerlab.fs.entries import Dir, File, Opaque, Whiteout
from layerlab.shell import Shell

from .trees import CLOCK, tree


def big_tree():
    return tree(extra={"/big": Synthetic(100 * 1024 * 1024, "big"), "/d/a": "a", "/d/sub/b": "b",
                       "/lower/file": "x", "/lower/keep": "y"})


def upper(fs):
    return {p: e for p, e in fs.upper_layer().entries.items()}


def test_chmod_of_a_big_lower_file_copies_it_up_whole():
    fs = big_tree()
    assert Shell(fs).run("chmod 600 /big").exit_code == 0
    assert [(c.path, c.size, c.command, c.reason) for c in fs.copy_ups] == \
        [("/big", 100 * 1024 * 1024, "chmod 600 /big", "chmod")]
    assert fs.stat("/big").mode == 0o600


def test_rm_rf_then_mkdir_leaves_an_opaque_directory():
    fs = big_tree()
    assert Shell(fs).run("rm -rf /d && mkdir /d && touch /d/new").exit_code == 0
    up = upper(fs)
    assert isinstance(up["/d"], Opaque)
    assert "/d/new" in up and "/d/a" not in up
    assert fs.listdir("/d") == ["new"]


def test_rm_of_a_lower_file_leaves_a_whiteout():
    fs = big_tree()
    assert Shell(fs).run("rm /lower/file").exit_code == 0
    up = upper(fs)
    assert isinstance(up["/lower/file"], Whiteout) and "/lower/keep" not in up
    assert fs.upper_layer().whiteouts == ["/lower/file"]


def test_rm_rf_of_a_lower_directory_is_one_whiteout():
    fs = big_tree()
    Shell(fs).run("rm -rf /d")
    assert fs.upper_layer().whiteouts == ["/d"]


def test_reading_copies_nothing_but_writing_copies_up():
    fs = big_tree()
    Shell(fs).run("cat /lower/file; ls -l /big; head -c 10 /big > /dev/null; wc -c /big; sha256sum /big")
    assert fs.copy_ups == [] and upper(fs) == {}
    Shell(fs).run("echo more >> /lower/file")
    assert [(c.path, c.reason) for c in fs.copy_ups] == [("/lower/file", "append")]
    assert fs.read("/lower/file") == b"xmore\n"


def test_touch_and_sed_i_copy_up():
    fs = big_tree()
    Shell(fs).run("touch /lower/keep; sed -i s/x/z/ /lower/file")
    assert sorted((c.path, c.reason) for c in fs.copy_ups) == [("/lower/file", "write"), ("/lower/keep", "touch")]


def test_mv_of_a_lower_file_copies_up_and_whites_out():
    fs = big_tree()
    Shell(fs).run("mv /lower/file /lower/renamed")
    up = upper(fs)
    assert isinstance(up["/lower/file"], Whiteout) and isinstance(up["/lower/renamed"], File)
    assert [(c.path, c.reason) for c in fs.copy_ups] == [("/lower/file", "rename")]


def test_dd_makes_a_synthetic_file_that_costs_no_memory():
    fs = tree()
    r = Shell(fs).run("dd if=/dev/zero of=/tmp/blob bs=1M count=500 status=none")
    assert r.exit_code == 0
    content = fs.content("/tmp/blob")
    assert isinstance(content, Synthetic) and content.size == 500 * 1024 * 1024


def test_truncate_makes_a_sparse_big_file():
    fs = tree()
    Shell(fs).run("truncate -s 2G /tmp/sparse")
    assert fs.stat("/tmp/sparse").size == 2 * 1024 ** 3
    assert isinstance(fs.content("/tmp/sparse"), Synthetic)


def test_cp_shares_content_without_reading_it():
    fs = big_tree()
    Shell(fs).run("cp /big /tmp/big2")
    assert fs.content("/tmp/big2") == fs.content("/big") and fs.copy_ups == []


def test_new_files_get_the_user_umask_and_clock():
    fs = tree()
    Shell(fs, user="www-data").run("mkdir /tmp/d && echo x > /tmp/d/f && ln -s f /tmp/d/l")
    for path, kind, mode in (("/tmp/d", "dir", 0o755), ("/tmp/d/f", "file", 0o644), ("/tmp/d/l", "symlink", 0o777)):
        st = fs.lstat(path)
        assert (st.kind, st.mode, st.uid, st.gid, st.mtime) == (kind, mode, 33, 33, CLOCK), path


def test_umask_builtin_applies_to_new_files():
    fs = tree()
    Shell(fs).run("umask 077; touch /tmp/private; mkdir /tmp/pdir")
    assert fs.stat("/tmp/private").mode == 0o600 and fs.stat("/tmp/pdir").mode == 0o700


def test_command_is_recorded_as_the_cause():
    fs = big_tree()
    Shell(fs).run("chown daemon /big")
    assert fs.copy_ups[0].command == "chown daemon /big" and fs.command == "chown daemon /big"


def test_dev_and_proc_are_not_written_into_the_tree():
    fs = tree()
    r = Shell(fs).run("echo x > /dev/null; cat /dev/null; head -n 1 /proc/cpuinfo; cat /proc/version | wc -l;"
                      " ls /dev/null; test -e /dev/zero && echo zero")
    assert r.stdout == "processor\t: 0\n1\n/dev/null\nzero\n"
    assert not fs.lexists("/dev/null") and upper(fs) == {}


def test_tar_round_trip_keeps_modes_links_and_times():
    fs = tree()
    sh = Shell(fs)
    r = sh.run("mkdir -p /src/d && echo hi > /src/d/f && chmod 751 /src/d/f && ln -s f /src/d/l && "
               "ln /src/d/f /src/d/h && touch -d @1000 /src/d/f && tar -czf /tmp/s.tgz -C / src && "
               "mkdir /dst && tar -xzf /tmp/s.tgz -C /dst")
    assert r.exit_code == 0, r
    st = fs.stat("/dst/src/d/f")
    assert (st.mode, st.mtime, fs.read("/dst/src/d/f")) == (0o751, 1000, b"hi\n")
    assert fs.readlink("/dst/src/d/l") == "f"
    assert fs.stat("/dst/src/d/h").nlink == 2
    import io
    import tarfile
    names = tarfile.open(fileobj=io.BytesIO(fs.read("/tmp/s.tgz")), mode="r:gz").getnames()
    assert names == ["src", "src/d", "src/d/f", "src/d/h", "src/d/l"]


def test_find_delete_and_exec_change_the_tree():
    fs = tree()
    r = Shell(fs).run("mkdir -p /x/y && touch /x/a.log /x/y/b.log /x/keep && find /x -name '*.log' -delete && "
                      "find /x -type f -exec chmod 700 {} +")
    assert r.exit_code == 0
    assert sorted(p for p, _ in fs.walk("/x")) == ["/x/keep", "/x/y"]
    assert fs.stat("/x/keep").mode == 0o700


# -- users and permissions ------------------------------------------------------------------------------

USER_ROWS = [
    # (user, command, exit code, stdout, stderr)
    ("www-data", "id", 0, "uid=33(www-data) gid=33(www-data) groups=33(www-data)\n", ""),
    ("www-data", "whoami; echo $HOME", 0, "www-data\n/var/www\n", ""),
    ("1000", "id; echo $HOME", 0, "uid=1000 gid=0(root) groups=0(root)\n/\n", ""),
    ("1000", "whoami", 1, "", "whoami: cannot find name for user ID 1000\n"),
    ("daemon:staff", "id -u; id -gn", 0, "1\nstaff\n", ""),
    ("33:50", "id", 0, "uid=33(www-data) gid=50(staff) groups=50(staff)\n", ""),
    ("www-data", "touch /etc/x", 1, "", "touch: cannot touch '/etc/x': Permission denied\n"),
    ("www-data", "echo x > /etc/x", 2, "", "sh: 1: cannot create /etc/x: Permission denied\n"),
    ("www-data", "mkdir /opt/app", 1, "", "mkdir: cannot create directory '/opt/app': No such file or directory\n"),
    ("www-data", "mkdir /usr/app", 1, "", "mkdir: cannot create directory '/usr/app': Permission denied\n"),
    ("www-data", "cat /etc/shadow", 1, "", "cat: /etc/shadow: Permission denied\n"),
    ("www-data", "ls /root", 2, "", "ls: cannot open directory '/root': Permission denied\n"),
    ("www-data", "cd /root", 2, "", "sh: 1: cd: can't cd to /root\n"),
    ("www-data", "rm /etc/passwd", 1, "", "rm: cannot remove '/etc/passwd': Permission denied\n"),
    ("www-data", "chmod 777 /etc/passwd", 1, "", "chmod: changing permissions of '/etc/passwd': Operation not permitted\n"),
    ("www-data", "chown www-data /tmp", 1, "", "chown: changing ownership of '/tmp': Operation not permitted\n"),
    ("www-data", "echo ok > /tmp/mine && chmod 600 /tmp/mine && cat /tmp/mine", 0, "ok\n", ""),
    ("www-data", "[ -w /etc/passwd ] || echo readonly; [ -r /etc/shadow ] || echo secret", 0, "readonly\nsecret\n", ""),
    ("www-data", "apt-get update", 100, "", "E: Could not open lock file /var/lib/apt/lists/lock - open (13: "
                                             "Permission denied)\nE: Unable to lock directory /var/lib/apt/lists/\n"),
    ("www-data", "apt-get install -y curl", 100, None,
     "E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)\n"
     "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), are you root?\n"),
    ("www-data", "useradd x", 1, "", "useradd: Permission denied.\nuseradd: cannot lock /etc/passwd; try again later.\n"),
]


@pytest.mark.parametrize("user,cmd,code,out,err", USER_ROWS, ids=[f"{r[0]}:{r[1][:30]}" for r in USER_ROWS])
def test_users(user, cmd, code, out, err):
    fs = tree()
    r = Shell(fs, user=user).run(cmd)
    assert (r.exit_code, r.stdout if out is not None else None, r.stderr) == (code, out, err), r


def test_sticky_tmp_protects_other_users_files():
    fs = tree()
    Shell(fs).run("touch /tmp/roots")
    r = Shell(fs, user="www-data").run("rm /tmp/roots")
    assert (r.exit_code, r.stderr) == (1, "rm: cannot remove '/tmp/roots': Operation not permitted\n")


def test_unknown_user_is_refused_like_docker():
    with pytest.raises(ShellError, match="unable to find user ghost: no matching entries in passwd file"):
        Shell(tree(), user="ghost")
    with pytest.raises(ShellError, match="unable to find group ghost: no matching entries in group file"):
        Shell(tree(), user="root:ghost")


def test_root_without_passwd_file_is_uid_0():
    fs = tree({"/bin/sh": File("", mode=0o755), "/tmp/": Dir()})
    assert Shell(fs).run("echo $HOME").stdout == "/root\n"


def test_a_wide_umask_gives_wide_modes():
    fs = tree()
    Shell(fs).run("umask 000; touch /tmp/open; mkdir /tmp/odir; echo x > /tmp/redir")
    assert [fs.stat(p).mode for p in ("/tmp/open", "/tmp/odir", "/tmp/redir")] == [0o666, 0o777, 0o666]


# -- hard links: every name reaches the same inode ------------------------------

def test_worktree_writes_through_a_second_hard_link_name():
    fs = tree()
    fs.write("/tmp/f", b"a")
    fs.link("/tmp/f", "/tmp/g")   # /tmp/g sorts after /tmp/f: it is the HardLink entry
    fs.write("/tmp/g", b"b")
    assert fs.read("/tmp/f") == b"b"


def test_the_shell_writes_hard_links_through_the_first_name():
    fs = big_tree()
    r = Shell(fs).run("echo a > /tmp/f; ln /tmp/f /tmp/g; echo b > /tmp/g; echo c >> /tmp/g; cat /tmp/f; "
                      "sed -i s/b/B/ /tmp/g; truncate -s 2 /tmp/g; cat /tmp/f; ln /lower/file /lower/h; "
                      "echo more >> /lower/h; cat /lower/file")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "b\nc\nB\nxmore\n", "")


def test_big_files_are_read_only_as_far_as_needed():
    fs = big_tree()
    r = Shell(fs).run("head -c 4 /big | wc -c; head -n 1 /big | wc -l; wc -c /big; cat /big > /dev/null")
    assert r.stdout == "4\n1\n104857600 /big\n"
    assert r.exit_code == 1 and "reading more than 64 MiB of one file into memory is not simulated" in r.stderr


def test_chmod_calls_chmod2_even_when_the_mode_is_unchanged_so_the_file_is_copied_up():
    fs = big_tree()
    mode = fs.stat("/lower/file").mode
    Shell(fs).run(f"chmod {mode:o} /lower/file")
    assert fs.in_upper("/lower/file") and fs.copied_bytes == fs.stat("/lower/file").size
