"""useradd/groupadd/usermod/userdel, Debian's adduser/addgroup and busybox's: the account files they write."""

import pytest

from layerlab.shell import Shell

from .trees import tree

DEBIAN_ROWS = [
    # (command, exit code, stdout, stderr)
    ("useradd -m -s /bin/bash app && grep app /etc/passwd /etc/group /etc/shadow /etc/gshadow", 0,
     "/etc/passwd:app:x:1000:1000::/home/app:/bin/bash\n/etc/group:app:x:1000:\n"
     "/etc/shadow:app:!:20421:0:99999:7:::\n/etc/gshadow:app:!::\n", ""),
    ("useradd -m app && ls -lA /home/app", 0, "total 8\n-rw-r--r-- 1 app app 12 Nov 29 14:00 .bashrc\n"
                                              "-rw-r--r-- 1 app app 13 Nov 29 14:00 .profile\n", ""),
    ("useradd app && ls /home; getent=$(grep ^app: /etc/passwd); echo $getent", 0, "app:x:1000:1000::/home/app:/bin/sh\n", ""),
    ("useradd app; useradd app", 9, "", "useradd: user 'app' already exists\n"),
    ("useradd -u 33 dup", 4, "", "useradd: UID 33 is not unique\n"),
    ("useradd -g ghost x", 6, "", "useradd: group 'ghost' does not exist\n"),
    ("useradd -G staff,ghost x", 6, "", "useradd: group 'ghost' does not exist\n"),
    ("useradd Bad!Name", 3, "", "useradd: invalid user name 'Bad!Name': use --badname to ignore\n"),
    ("useradd", 2, "", "Usage: useradd [options] LOGIN\n       useradd -D\n       useradd -D [options]\n"),
    ("groupadd www-data", 9, "", "groupadd: group 'www-data' already exists\n"),
    ("groupadd www-data; groupadd -f www-data; echo $?", 0, "0\n", None),
    ("useradd -r svc && id svc", 0, "uid=999(svc) gid=999(svc) groups=999(svc)\n", ""),
    ("groupadd -r sysg && groupadd -g 5000 g5 && groupadd g2 && tail -n 3 /etc/group", 0,
     "sysg:x:999:\ng5:x:5000:\ng2:x:5001:\n", ""),
    ("groupadd -g 50 dupe", 4, "", "groupadd: GID '50' already exists\n"),
    ("useradd -u 1500 -g staff -G www-data -d /srv/u -c 'The User' u && id u && grep ^u: /etc/passwd", 0,
     "uid=1500(u) gid=50(staff) groups=50(staff),33(www-data)\nu:x:1500:50:The User:/srv/u:/bin/sh\n", ""),
    ("useradd -m -u 12345 big && stat -c %s /var/log/lastlog", 0, "3605032\n", ""),
    ("useradd -l -m -u 12345 big && stat -c %s /var/log/lastlog", 0, "0\n", ""),
    ("useradd app && usermod -aG staff app && usermod -s /bin/bash app && id app && grep ^app /etc/passwd", 0,
     "uid=1000(app) gid=1000(app) groups=1000(app),50(staff)\napp:x:1000:1000::/home/app:/bin/bash\n", ""),
    ("usermod -aG staff ghost", 6, "", "usermod: user 'ghost' does not exist\n"),
    ("useradd -m app && userdel -r app && ls /home; grep -c app /etc/passwd /etc/group", 1,
     "/etc/passwd:0\n/etc/group:0\n", ""),
    ("adduser --disabled-password --gecos '' web", 0,
     "Adding user `web' ...\nAdding new group `web' (1000) ...\nAdding new user `web' (1000) with group `web (1000)' "
     "...\nCreating home directory `/home/web' ...\nCopying files from `/etc/skel' ...\n", ""),
    ("adduser --disabled-password --gecos '' web >/dev/null && grep web /etc/passwd && ls -A /home/web", 0,
     "web:x:1000:1000:,,,:/home/web:/bin/bash\n.bashrc\n.profile\n", ""),
    ("adduser --system --no-create-home --group svc >/dev/null && grep svc /etc/passwd && ls /home", 0,
     "svc:x:100:101::/home/svc:/usr/sbin/nologin\n", ""),
    ("adduser --disabled-password --gecos '' web >/dev/null; adduser web staff && id -Gn web", 0,
     "Adding user `web' to group `staff' ...\nDone.\nweb staff\n", ""),
    ("adduser --disabled-password root", 1, "", "adduser: The user `root' already exists.\n"),
    ("addgroup devs && grep devs /etc/group", 0, "Adding group `devs' (GID 1000) ...\nDone.\ndevs:x:1000:\n", ""),
    ("addgroup --system sys && grep sys: /etc/group", 0, "Adding group `sys' (GID 101) ...\nDone.\nsys:x:101:\n", ""),
    ("addgroup staff", 1, "", "addgroup: The group `staff' already exists.\n"),
    ("adduser nopass", 1, None, "New password: Retype new password: No password has been supplied.\n"
     "passwd: Authentication token manipulation error\npasswd: password unchanged\n"
     "adduser: `/usr/bin/passwd nopass' returned error code 10. Exiting.\n"),
]


@pytest.mark.parametrize("cmd,code,out,err", DEBIAN_ROWS, ids=[r[0][:40] for r in DEBIAN_ROWS])
def test_debian_accounts(cmd, code, out, err):
    r = Shell(tree()).run(cmd)
    assert (r.exit_code, r.stdout if out is not None else None, r.stderr if err is not None else None) == \
        (code, out, err), r


ALPINE_ROWS = [
    ("adduser -D app && grep app /etc/passwd /etc/group && ls -ld /home/app", 0,
     "/etc/passwd:app:x:1000:1000:Linux User,,,:/home/app:/bin/sh\n/etc/group:app:x:1000:\n"
     "drwxr-xr-x 2 app app 4096 Nov 29 14:00 /home/app\n", ""),
    ("addgroup -S app && adduser -S -G app app && grep app /etc/passwd /etc/group", 0,
     "/etc/passwd:app:x:100:100:Linux User,,,:/home/app:/sbin/nologin\n/etc/group:app:x:100:\n", ""),
    ("adduser -S -D -H -h /app -s /bin/sh svc && grep svc /etc/passwd && ls /home", 0,
     "svc:x:100:65533:Linux User,,,:/app:/bin/sh\n", ""),
    ("adduser -D -u 2000 -g 'Web User' web && grep ^web /etc/passwd", 0,
     "web:x:2000:2000:Web User:/home/web:/bin/sh\n", ""),
    ("adduser -D app; adduser -D app", 1, "", "adduser: user 'app' in use\n"),
    ("adduser -D -G ghost app", 1, "", "adduser: unknown group ghost\n"),
    ("addgroup -g 3000 devs && adduser -D app && addgroup app devs && grep devs /etc/group", 0,
     "devs:x:3000:app\n", ""),
    ("addgroup nogroup", 1, "", "addgroup: group 'nogroup' in use\n"),
    ("adduser -D app && deluser app && grep -c app /etc/passwd", 1, "0\n", ""),
]


@pytest.mark.parametrize("cmd,code,out,err", ALPINE_ROWS, ids=[r[0][:40] for r in ALPINE_ROWS])
def test_busybox_accounts(cmd, code, out, err):
    r = Shell(tree(alpine=True)).run(cmd)
    assert (r.exit_code, r.stdout, r.stderr) == (code, out, err), r


def test_user_made_in_one_run_is_usable_by_the_next():
    fs = tree()
    assert Shell(fs).run("useradd -m -u 1001 app && chown -R app:app /home/app").exit_code == 0
    r = Shell(fs, user="app", cwd="/home/app").run("id && touch mine && ls -l mine && echo $HOME")
    assert r.stdout == ("uid=1001(app) gid=1001(app) groups=1001(app)\n"
                        "-rw-r--r-- 1 app app 0 Nov 29 14:00 mine\n/home/app\n")
