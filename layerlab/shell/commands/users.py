"""Accounts: useradd, groupadd, usermod, userdel (shadow-utils), Debian's adduser/addgroup/deluser and
busybox's adduser/addgroup/deluser. They edit /etc/passwd, /etc/group, /etc/shadow and /etc/gshadow in the
tree, and make home directories from /etc/skel.
"""

from __future__ import annotations

import re

from ...errors import LayerlabError
from ...fs import paths
from ..base import FS_ERRORS, CommandFailed, Ctx, command, decode, encode, getopt, number

NAME_RE = re.compile(r"[a-z_][a-z0-9_.-]*\$?")


class _Db:
    """The four account files, edited in memory and written back once."""

    FILES = {"passwd": "/etc/passwd", "group": "/etc/group", "shadow": "/etc/shadow", "gshadow": "/etc/gshadow"}

    def __init__(self, ctx: Ctx):
        self.ctx = ctx
        self.rows: dict[str, list[list[str]] | None] = {}
        self.dirty: set[str] = set()
        for key, path in self.FILES.items():
            try:
                text = decode(ctx.fs.read(path))
                self.rows[key] = [line.split(":") for line in text.splitlines() if line.strip()]
            except (LayerlabError, OSError):
                self.rows[key] = None if key in ("shadow", "gshadow") else []

    def user(self, name_or_uid) -> list[str] | None:
        for r in self.rows["passwd"]:
            if r[0] == name_or_uid or (isinstance(name_or_uid, int) and len(r) > 2 and r[2] == str(name_or_uid)):
                return r
        return None

    def group(self, name_or_gid) -> list[str] | None:
        for r in self.rows["group"]:
            if r[0] == name_or_gid or (isinstance(name_or_gid, int) and len(r) > 2 and r[2] == str(name_or_gid)):
                return r
        return None

    def group_arg(self, spec: str) -> list[str] | None:
        return self.group(int(spec)) if spec.isdigit() else self.group(spec)

    def uids(self) -> set[int]:
        return {int(r[2]) for r in self.rows["passwd"] if len(r) > 2 and r[2].isdigit()}

    def gids(self) -> set[int]:
        return {int(r[2]) for r in self.rows["group"] if len(r) > 2 and r[2].isdigit()}

    def add(self, key: str, row: list[str]) -> None:
        if self.rows.get(key) is None:
            return
        self.rows[key].append(row)
        self.dirty.add(key)

    def touch(self, key: str) -> None:
        self.dirty.add(key)

    def save(self) -> None:
        ctx = self.ctx
        if ctx.uid != 0:
            raise CommandFailed("Permission denied.", 1)
        for key in sorted(self.dirty):
            rows = self.rows.get(key)
            if rows is None:
                continue
            path = self.FILES[key]
            text = "".join(":".join(r) + "\n" for r in rows)
            if ctx.fs.exists(path):
                ctx.fs.write(path, encode(text))
            else:
                mode = 0o644 if key in ("passwd", "group") else 0o640
                ctx.fs.write(path, encode(text), mode=mode)


def _free_id(used: set[int], lo: int, hi: int, descending: bool = False) -> int:
    rng = range(hi, lo - 1, -1) if descending else range(lo, hi + 1)
    for i in rng:
        if i not in used:
            return i
    raise CommandFailed("can't get unique ID (no more available IDs)", 4)


def _next_normal(used: set[int], lo: int = 1000, hi: int = 60000) -> int:
    inrange = [u for u in used if lo <= u <= hi]
    candidate = max(inrange) + 1 if inrange else lo
    return candidate if candidate <= hi and candidate not in used else _free_id(used, lo, hi)


def _days(ctx: Ctx) -> str:
    return str(ctx.now() // 86400)


def _login_defs(ctx: Ctx) -> dict[str, str]:
    out = {}
    for path in ("/etc/login.defs", "/etc/default/useradd", "/etc/adduser.conf"):
        try:
            text = decode(ctx.fs.read(path))
        except (LayerlabError, OSError):
            continue
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            m = re.match(r"([A-Z_]+)\s*=?\s*\"?([^\"]*)\"?$", line)
            if m:
                out.setdefault(m.group(1), m.group(2).strip())
    return out


def _make_home(ctx: Ctx, home: str, uid: int, gid: int, skel: str | None, mode: int = 0o755) -> bool:
    fs = ctx.fs
    if fs.lexists(home):
        return False
    parent = paths.parent(home)
    if not fs.lexists(parent):
        fs.mkdir(parent, 0o755, parents=True)
    fs.mkdir(home, 0o700, uid=uid, gid=gid)
    fs.chmod(home, mode)
    if skel and fs.is_dir(skel):
        real = fs.resolve(skel)
        for p, entry in list(fs.walk(real)):
            dst = home + p[len(real):]
            st = fs.lstat(p)
            if st.kind == "dir":
                fs.mkdir(dst, 0o700, uid=uid, gid=gid)
                fs.chmod(dst, st.mode)
            elif st.kind == "symlink":
                fs.symlink(st.target, dst, uid=uid, gid=gid)
            else:
                fs.write(dst, fs.content(p), mode=0o600, uid=uid, gid=gid)
                fs.chmod(dst, st.mode)
    return True


def _lastlog(ctx: Ctx, uid: int) -> None:
    """shadow's useradd grows the sparse /var/log/lastlog to (uid+1) records: why huge UIDs bloat layers."""
    fs = ctx.fs
    path = "/var/log/lastlog"
    if not fs.is_file(path):
        return
    want = (uid + 1) * 292
    if fs.stat(path).size < want:
        fs.truncate(path, want)


def _check_root(ctx: Ctx) -> None:
    if ctx.uid != 0:
        raise CommandFailed("Permission denied.\n" + ctx.name + ": cannot lock /etc/passwd; try again later.", 1)


# -- shadow-utils ---------------------------------------------------------------------------------


@command("useradd")
def useradd(ctx: Ctx) -> int:
    opts, names = getopt(ctx, ctx.argv[1:], "mMd:s:u:g:G:rUNc:olp:e:f:k:K:D", [
        "create-home", "no-create-home", "home-dir=", "shell=", "uid=", "gid=", "groups=", "system",
        "user-group", "no-user-group", "comment=", "non-unique", "no-log-init", "password=", "expiredate=",
        "inactive=", "skel=", "key=", "badname", "base-dir="], status=2)
    o = {}
    for k, v in opts:
        o[k] = v
    _check_root(ctx)
    if len(names) != 1:
        raise CommandFailed("Usage: useradd [options] LOGIN\n       useradd -D\n       useradd -D [options]", 2)
    name = names[0]
    db = _Db(ctx)
    defs = _login_defs(ctx)
    if not NAME_RE.fullmatch(name) and "--badname" not in o or len(name) > 32:
        raise CommandFailed(f"invalid user name '{name}': use --badname to ignore", 3)
    if db.user(name):
        raise CommandFailed(f"user '{name}' already exists", 9)
    system = "-r" in o or "--system" in o
    uid_s = o.get("-u", o.get("--uid"))
    if uid_s is not None:
        if not uid_s.isdigit():
            raise CommandFailed(f"invalid user ID '{uid_s}'", 3)
        uid = int(uid_s)
        if uid in db.uids() and not ("-o" in o or "--non-unique" in o):
            raise CommandFailed(f"UID {uid} is not unique", 4)
    elif system:
        uid = _free_id(db.uids(), int(defs.get("SYS_UID_MIN", 100)), int(defs.get("SYS_UID_MAX", 999)), True)
    else:
        uid = _next_normal(db.uids(), int(defs.get("UID_MIN", 1000)), int(defs.get("UID_MAX", 60000)))
    gspec = o.get("-g", o.get("--gid"))
    make_group = False
    if gspec is not None:
        grow = db.group_arg(gspec)
        if grow is None:
            raise CommandFailed(f"group '{gspec}' does not exist", 6)
        gid = int(grow[2])
    elif ("-N" in o or "--no-user-group" in o) or defs.get("USERGROUPS_ENAB", "yes").lower() == "no":
        gid = int(defs.get("GROUP", 100)) if str(defs.get("GROUP", "100")).isdigit() else 100
    else:
        if db.group(name):
            raise CommandFailed(f"group {name} exists - if you want to add this user to that group, use -g.", 9)
        make_group = True
        gids = db.gids()
        if uid not in gids and (system or uid >= 1000):
            gid = uid
        elif system:
            gid = _free_id(gids, 100, 999, True)
        else:
            gid = _next_normal(gids)
    extra = []
    gs = o.get("-G", o.get("--groups"))
    if gs:
        for g in gs.split(","):
            grow = db.group_arg(g)
            if grow is None:
                raise CommandFailed(f"group '{g}' does not exist", 6)
            extra.append(grow)
    home = o.get("-d", o.get("--home-dir")) or paths.join(o.get("-b", o.get("--base-dir", defs.get("HOME", "/home"))),
                                                          name)
    shell = o.get("-s", o.get("--shell")) or defs.get("SHELL", "/bin/sh")
    comment = o.get("-c", o.get("--comment", ""))
    if make_group:
        db.add("group", [name, "x", str(gid), ""])
        db.add("gshadow", [name, "!", "", ""])
    for grow in extra:
        members = [m for m in grow[3].split(",") if m] if len(grow) > 3 else []
        if name not in members:
            members.append(name)
        while len(grow) < 4:
            grow.append("")
        grow[3] = ",".join(members)
        db.touch("group")
        if db.rows.get("gshadow"):
            for srow in db.rows["gshadow"]:
                if srow[0] == grow[0]:
                    while len(srow) < 4:
                        srow.append("")
                    mem = [m for m in srow[3].split(",") if m]
                    if name not in mem:
                        mem.append(name)
                    srow[3] = ",".join(mem)
                    db.touch("gshadow")
    db.add("passwd", [name, "x", str(uid), str(gid), comment, home, shell])
    db.add("shadow", [name, o.get("-p", o.get("--password", "!")), _days(ctx), "0", "99999", "7", "", "", ""])
    db.save()
    if "-l" not in o and "--no-log-init" not in o:
        _lastlog(ctx, uid)
    create_home = ("-m" in o or "--create-home" in o) or (
        defs.get("CREATE_HOME", "no").lower() == "yes" and not system)
    if "-M" in o or "--no-create-home" in o:
        create_home = False
    if create_home:
        skel = o.get("-k", o.get("--skel", "/etc/skel"))
        if not _make_home(ctx, home, uid, gid, skel, int(defs.get("HOME_MODE", "0755") or "0755", 8)):
            ctx.err(f"useradd: warning: the home directory {home} already exists.\n"
                    "useradd: Not copying any file from skel directory into it.\n")
    return 0


@command("groupadd")
def groupadd(ctx: Ctx) -> int:
    opts, names = getopt(ctx, ctx.argv[1:], "rg:fop:K:", ["system", "gid=", "force", "non-unique", "password="],
                         status=2)
    o = dict(opts)
    _check_root(ctx)
    if len(names) != 1:
        raise CommandFailed("Usage: groupadd [options] GROUP", 2)
    name = names[0]
    db = _Db(ctx)
    if not NAME_RE.fullmatch(name):
        raise CommandFailed(f"'{name}' is not a valid group name", 3)
    if db.group(name):
        if "-f" in o or "--force" in o:
            return 0
        raise CommandFailed(f"group '{name}' already exists", 9)
    gid_s = o.get("-g", o.get("--gid"))
    if gid_s is not None:
        if not gid_s.isdigit():
            raise CommandFailed(f"invalid group ID '{gid_s}'", 3)
        gid = int(gid_s)
        if gid in db.gids() and not ("-o" in o or "--non-unique" in o):
            if "-f" in o:
                gid = _next_normal(db.gids())
            else:
                raise CommandFailed(f"GID '{gid}' already exists", 4)
    elif "-r" in o or "--system" in o:
        gid = _free_id(db.gids(), 100, 999, True)
    else:
        gid = _next_normal(db.gids())
    db.add("group", [name, "x", str(gid), ""])
    db.add("gshadow", [name, "!", "", ""])
    db.save()
    return 0


@command("usermod")
def usermod(ctx: Ctx) -> int:
    opts, names = getopt(ctx, ctx.argv[1:], "aG:s:d:mu:g:l:LUc:e:p:", [
        "append", "groups=", "shell=", "home=", "move-home", "uid=", "gid=", "login=", "lock", "unlock",
        "comment=", "expiredate=", "password="], status=2)
    o = dict(opts)
    _check_root(ctx)
    if len(names) != 1:
        raise CommandFailed("Usage: usermod [options] LOGIN", 2)
    name = names[0]
    db = _Db(ctx)
    row = db.user(name)
    if row is None:
        raise CommandFailed(f"user '{name}' does not exist", 6)
    gs = o.get("-G", o.get("--groups"))
    if gs is not None:
        wanted = [g for g in gs.split(",") if g]
        for g in wanted:
            if db.group_arg(g) is None:
                raise CommandFailed(f"group '{g}' does not exist", 6)
        append = "-a" in o or "--append" in o
        for grow in db.rows["group"]:
            while len(grow) < 4:
                grow.append("")
            members = [m for m in grow[3].split(",") if m]
            listed = grow[0] in wanted or grow[2] in wanted
            if listed and name not in members:
                members.append(name)
            elif not listed and not append and name in members:
                members.remove(name)
            grow[3] = ",".join(members)
        db.touch("group")
    if "-s" in o or "--shell" in o:
        row[6] = o.get("-s", o.get("--shell"))
    if "-c" in o or "--comment" in o:
        row[4] = o.get("-c", o.get("--comment"))
    if "-u" in o or "--uid" in o:
        row[2] = o.get("-u", o.get("--uid"))
    if "-g" in o or "--gid" in o:
        grow = db.group_arg(o.get("-g", o.get("--gid")))
        if grow is None:
            raise CommandFailed(f"group '{o.get('-g', o.get('--gid'))}' does not exist", 6)
        row[3] = grow[2]
    if "-d" in o or "--home" in o:
        new_home = o.get("-d", o.get("--home"))
        if ("-m" in o or "--move-home" in o) and ctx.fs.is_dir(row[5]):
            ctx.fs.rename(row[5], new_home)
        row[5] = new_home
    if db.rows.get("shadow") is not None and ("-L" in o or "-U" in o or "--lock" in o or "--unlock" in o):
        for srow in db.rows["shadow"]:
            if srow[0] == name:
                if "-L" in o or "--lock" in o:
                    srow[1] = "!" + srow[1].lstrip("!") if not srow[1].startswith("!") else srow[1]
                else:
                    srow[1] = srow[1].lstrip("!") or "*"
        db.touch("shadow")
    db.touch("passwd")
    db.save()
    return 0


def _del_user(ctx: Ctx, name: str, remove_home: bool, db: _Db) -> None:
    row = db.user(name)
    db.rows["passwd"] = [r for r in db.rows["passwd"] if r[0] != name]
    db.touch("passwd")
    if db.rows.get("shadow") is not None:
        db.rows["shadow"] = [r for r in db.rows["shadow"] if r[0] != name]
        db.touch("shadow")
    for grow in db.rows["group"]:
        if len(grow) > 3 and name in grow[3].split(","):
            grow[3] = ",".join(m for m in grow[3].split(",") if m != name)
            db.touch("group")
    own = db.group(name)
    if own is not None and own[2] == row[3] and not any(r[3] == own[2] for r in db.rows["passwd"]):
        db.rows["group"] = [r for r in db.rows["group"] if r[0] != name]
        db.touch("group")
        if db.rows.get("gshadow") is not None:
            db.rows["gshadow"] = [r for r in db.rows["gshadow"] if r[0] != name]
            db.touch("gshadow")
    db.save()
    if remove_home and row[5] and row[5] != "/" and ctx.fs.lexists(row[5]):
        ctx.fs.rmtree(row[5])


@command("userdel")
def userdel(ctx: Ctx) -> int:
    opts, names = getopt(ctx, ctx.argv[1:], "rf", ["remove", "force"], status=2)
    _check_root(ctx)
    if len(names) != 1:
        raise CommandFailed("Usage: userdel [options] LOGIN", 2)
    db = _Db(ctx)
    if db.user(names[0]) is None:
        raise CommandFailed(f"user '{names[0]}' does not exist", 6)
    _del_user(ctx, names[0], any(k in ("-r", "--remove") for k, _ in opts), db)
    return 0


@command("groupdel")
def groupdel(ctx: Ctx) -> int:
    _check_root(ctx)
    names = [a for a in ctx.argv[1:] if not a.startswith("-")]
    if len(names) != 1:
        raise CommandFailed("Usage: groupdel [options] GROUP", 2)
    db = _Db(ctx)
    grow = db.group(names[0])
    if grow is None:
        raise CommandFailed(f"group '{names[0]}' does not exist", 6)
    for r in db.rows["passwd"]:
        if r[3] == grow[2]:
            raise CommandFailed(f"cannot remove the primary group of user '{r[0]}'", 8)
    db.rows["group"] = [r for r in db.rows["group"] if r[0] != names[0]]
    db.touch("group")
    if db.rows.get("gshadow") is not None:
        db.rows["gshadow"] = [r for r in db.rows["gshadow"] if r[0] != names[0]]
        db.touch("gshadow")
    db.save()
    return 0


# -- Debian adduser / addgroup / deluser, busybox flavours ---------------------------------------------


def _add_member(db: _Db, user: str, group: str) -> bool:
    grow = db.group(group)
    if grow is None:
        return False
    while len(grow) < 4:
        grow.append("")
    members = [m for m in grow[3].split(",") if m]
    if user not in members:
        members.append(user)
    grow[3] = ",".join(members)
    db.touch("group")
    return True


@command("adduser")
def adduser(ctx: Ctx) -> int:
    if ctx.flavor == "busybox":
        return _bb_adduser(ctx)
    args = ctx.argv[1:]
    o: dict[str, str | None] = {}
    names = []
    i = 0
    takes = {"--home", "--shell", "--uid", "--gid", "--ingroup", "--gecos", "--firstuid", "--lastuid",
             "--conf", "--add_extra_groups", "--comment"}
    while i < len(args):
        a = args[i]
        if a.startswith("--"):
            key, eq, value = a.partition("=")
            if key in takes and not eq:
                i += 1
                value = args[i] if i < len(args) else ""
            o[key] = value if key in takes else None
        elif a in ("-q", "-D"):
            o["--quiet"] = None
        else:
            names.append(a)
        i += 1
    _check_root(ctx)
    db = _Db(ctx)
    defs = _login_defs(ctx)
    quiet = "--quiet" in o
    out = [] if quiet else None

    def say(text: str) -> None:
        if out is None:
            ctx.out(text + "\n")

    if len(names) == 2:
        user, group = names
        if db.user(user) is None:
            raise CommandFailed(f"The user `{user}' does not exist.", 1)
        if db.group(group) is None:
            raise CommandFailed(f"The group `{group}' does not exist.", 1)
        say(f"Adding user `{user}' to group `{group}' ...")
        _add_member(db, user, group)
        db.save()
        say("Done.")
        return 0
    if len(names) != 1:
        raise CommandFailed("Only one or two names allowed.", 1)
    name = names[0]
    if "--group" in o and "--system" not in o:
        return _deb_addgroup(ctx, name, o, db, say)
    system = "--system" in o
    if db.user(name) is not None:
        if system:
            say(f"The system user `{name}' already exists. Exiting.")
            return 0
        raise CommandFailed(f"The user `{name}' already exists.", 1)
    if not NAME_RE.fullmatch(name):
        raise CommandFailed("To avoid problems, the username should consist only of letters, digits, "
                            "underscores, full stops, at signs and dashes, and not start with a dash (as "
                            "defined by IEEE Std 1003.1-2001). For compatibility with Samba machine accounts $ "
                            "is also supported at the end of the username.  (Use the `--allow-all-names' option "
                            "to bypass this restriction.)", 1)
    uids = db.uids()
    if o.get("--uid"):
        uid = number(o["--uid"], "user ID")
        if uid in uids:
            raise CommandFailed(f"The UID {uid} is already in use.", 1)
    elif system:
        uid = _free_id(uids, int(defs.get("FIRST_SYSTEM_UID", 100)), int(defs.get("LAST_SYSTEM_UID", 999)))
    else:
        uid = _free_id(uids, int(defs.get("FIRST_UID", 1000)), int(defs.get("LAST_UID", 59999)))
    new_group = None
    if o.get("--ingroup"):
        grow = db.group(o["--ingroup"])
        if grow is None:
            raise CommandFailed(f"The group `{o['--ingroup']}' does not exist.", 1)
        gid = int(grow[2])
        gname = grow[0]
    elif o.get("--gid"):
        grow = db.group(number(o["--gid"], "group ID"))
        if grow is None:
            raise CommandFailed(f"The GID `{o['--gid']}' does not exist.", 1)
        gid, gname = int(grow[2]), grow[0]
    elif system and "--group" not in o:
        grow = db.group("nogroup")
        gid, gname = (int(grow[2]), grow[0]) if grow else (65534, "nogroup")
    else:
        if db.group(name) is not None:
            raise CommandFailed(f"The group `{name}' already exists.", 1)
        gids = db.gids()
        if system:
            gid = _free_id(gids, int(defs.get("FIRST_SYSTEM_GID", 100)), int(defs.get("LAST_SYSTEM_GID", 999)))
        else:
            gid = uid if uid not in gids else _free_id(gids, int(defs.get("FIRST_GID", 1000)),
                                                       int(defs.get("LAST_GID", 59999)))
        gname = name
        new_group = gid
    home = o.get("--home") or f"{defs.get('DHOME', '/home')}/{name}"
    shell = o.get("--shell") or ("/usr/sbin/nologin" if system else defs.get("DSHELL", "/bin/bash"))
    gecos = o.get("--gecos", o.get("--comment"))
    if gecos is None:
        gecos = ""
    gecos = gecos if "," in gecos or not gecos else gecos + ",,,"
    if gecos == "" and not system:
        gecos = ",,,"
    if system:
        say(f"Adding system user `{name}' (UID {uid}) ...")
        if new_group is not None:
            say(f"Adding new group `{name}' (GID {gid}) ...")
        say(f"Adding new user `{name}' (UID {uid}) with group `{gname}' ...")
    else:
        say(f"Adding user `{name}' ...")
        if new_group is not None:
            say(f"Adding new group `{name}' ({gid}) ...")
        say(f"Adding new user `{name}' ({uid}) with group `{gname} ({gid})' ...")
    if new_group is not None:
        db.add("group", [name, "x", str(gid), ""])
        db.add("gshadow", [name, "!", "", ""])
    password = "!" if ("--disabled-password" in o or "--disabled-login" in o or system) else "!"
    db.add("passwd", [name, "x", str(uid), str(gid), gecos, home, shell])
    db.add("shadow", [name, password if not system else "*", _days(ctx), "0", "99999", "7", "", "", ""])
    if "--add_extra_groups" in o or "--add-extra-groups" in o:
        for g in defs.get("EXTRA_GROUPS", "users").split():
            _add_member(db, name, g)
    db.save()
    _lastlog(ctx, uid)
    if "--no-create-home" in o:
        say(f"Not creating home directory `{home}'.")
    elif ctx.fs.lexists(home):
        say(f"The home directory `{home}' already exists.  Not copying from `/etc/skel'.")
    else:
        say(f"Creating home directory `{home}' ...")
        skel = None if system else defs.get("SKEL", "/etc/skel")
        _make_home(ctx, home, uid, gid, skel, 0o755 if not system else 0o755)
        if skel:
            say(f"Copying files from `{skel}' ...")
    if not system and "--disabled-password" not in o and "--disabled-login" not in o:
        ctx.err("New password: Retype new password: No password has been supplied.\n"
                "passwd: Authentication token manipulation error\npasswd: password unchanged\n"
                "adduser: `/usr/bin/passwd app' returned error code 10. Exiting.\n".replace("app", name))
        return 1
    return 0


def _deb_addgroup(ctx: Ctx, name: str, o: dict, db: _Db, say) -> int:
    system = "--system" in o
    if db.group(name) is not None:
        if system:
            say(f"addgroup: The group `{name}' already exists as a system group. Exiting.")
            return 0
        raise CommandFailed(f"The group `{name}' already exists.", 1)
    gids = db.gids()
    if o.get("--gid"):
        gid = number(o["--gid"], "group ID")
        if gid in gids:
            raise CommandFailed(f"The GID `{gid}' is already in use.", 1)
    elif system:
        gid = _free_id(gids, 100, 999)
    else:
        gid = _free_id(gids, 1000, 59999)
    say(f"Adding group `{name}' (GID {gid}) ...")
    db.add("group", [name, "x", str(gid), ""])
    db.add("gshadow", [name, "!", "", ""])
    db.save()
    say("Done.")
    return 0


@command("addgroup")
def addgroup(ctx: Ctx) -> int:
    if ctx.flavor == "busybox":
        return _bb_addgroup(ctx)
    args = ctx.argv[1:]
    o: dict = {}
    names = []
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("--"):
            key, eq, value = a.partition("=")
            if key in ("--gid", "--conf") and not eq:
                i += 1
                value = args[i] if i < len(args) else ""
            o[key] = value or None
        elif a == "-q":
            o["--quiet"] = None
        else:
            names.append(a)
        i += 1
    _check_root(ctx)
    db = _Db(ctx)

    def say(text: str) -> None:
        if "--quiet" not in o:
            ctx.out(text + "\n")

    if len(names) == 2:
        user, group = names
        if db.user(user) is None:
            raise CommandFailed(f"The user `{user}' does not exist.", 1)
        if db.group(group) is None:
            raise CommandFailed(f"The group `{group}' does not exist.", 1)
        say(f"Adding user `{user}' to group `{group}' ...")
        _add_member(db, user, group)
        db.save()
        say("Done.")
        return 0
    if len(names) != 1:
        raise CommandFailed("Only one or two names allowed.", 1)
    return _deb_addgroup(ctx, names[0], o, db, say)


@command("deluser", "delgroup")
def deluser(ctx: Ctx) -> int:
    args = [a for a in ctx.argv[1:] if not a.startswith("-")]
    remove_home = "--remove-home" in ctx.argv
    _check_root(ctx)
    db = _Db(ctx)
    if ctx.name == "delgroup" or (len(args) == 2):
        if len(args) == 2:
            user, group = args
            grow = db.group(group)
            if grow is None or user not in grow[3].split(","):
                raise CommandFailed(f"The user `{user}' is not a member of group `{group}'.", 6)
            grow[3] = ",".join(m for m in grow[3].split(",") if m and m != user)
            db.touch("group")
            db.save()
            if ctx.flavor != "busybox":
                ctx.out(f"Removing user `{user}' from group `{group}' ...\nDone.\n")
            return 0
        if not args or db.group(args[0]) is None:
            raise CommandFailed(f"The group `{args[0] if args else ''}' does not exist.", 3)
        db.rows["group"] = [r for r in db.rows["group"] if r[0] != args[0]]
        db.touch("group")
        db.save()
        if ctx.flavor != "busybox":
            ctx.out(f"Removing group `{args[0]}' ...\nDone.\n")
        return 0
    if not args:
        raise CommandFailed("Only one or two names allowed.", 1)
    if db.user(args[0]) is None:
        if ctx.flavor == "busybox":
            raise CommandFailed(f"unknown user {args[0]}", 1)
        raise CommandFailed(f"The user `{args[0]}' does not exist.", 2)
    if ctx.flavor != "busybox":
        ctx.out(f"Removing user `{args[0]}' ...\nDone.\n")
    _del_user(ctx, args[0], remove_home, db)
    return 0


def _bb_add_user_to_group(db: "_Db", user: str, group: str) -> int:
    """busybox `adduser USER GROUP` and `addgroup USER GROUP`: add an existing user to an existing group."""
    if db.user(user) is None:
        raise CommandFailed(f"unknown user {user}", 1)
    if not _add_member(db, user, group):
        raise CommandFailed(f"unknown group {group}", 1)
    db.save()
    return 0


def _bb_adduser(ctx: Ctx) -> int:
    opts, names = getopt(ctx, ctx.argv[1:], "h:g:s:G:SDHu:k:", [], status=1)
    o = dict(opts)
    _check_root(ctx)
    db = _Db(ctx)
    if len(names) == 2:
        return _bb_add_user_to_group(db, *names)
    if len(names) != 1:
        raise CommandFailed("Usage: adduser [OPTIONS] USER [GROUP]", 1)
    name = names[0]
    if db.user(name) is not None:
        raise CommandFailed(f"user '{name}' in use", 1)
    system = "-S" in o
    uids = db.uids()
    if "-u" in o:
        uid = number(o["-u"], "user ID")
        if uid in uids:
            raise CommandFailed(f"uid '{uid}' in use", 1)
    else:
        uid = _free_id(uids, 100, 999) if system else _free_id(uids, 1000, 64999)
    if "-G" in o:
        grow = db.group(o["-G"])
        if grow is None:
            raise CommandFailed(f"unknown group {o['-G']}", 1)
        gid = int(grow[2])
    elif system:
        grow = db.group("nogroup")
        gid = int(grow[2]) if grow else 65533
    else:
        gids = db.gids()
        if db.group(name) is not None:
            raise CommandFailed(f"group '{name}' in use", 1)
        gid = uid if uid not in gids else _free_id(gids, 1000, 64999)
        db.add("group", [name, "x", str(gid), ""])
    home = o.get("-h", f"/home/{name}")
    shell = o.get("-s", "/sbin/nologin" if system else "/bin/sh")
    gecos = o.get("-g", "Linux User,,,")
    db.add("passwd", [name, "x", str(uid), str(gid), gecos, home, shell])
    db.add("shadow", [name, "!", _days(ctx), "0", "99999", "7", "", "", ""])
    db.save()
    if "-H" not in o:
        _make_home(ctx, home, uid, gid, o.get("-k", "/etc/skel") if not system else None, 0o755)
    if "-D" not in o and not system:
        ctx.err("Changing password for " + name + "\nNew password: \npasswd: password for " + name +
                " is unchanged\n")
        return 1
    return 0


def _bb_addgroup(ctx: Ctx) -> int:
    opts, names = getopt(ctx, ctx.argv[1:], "g:S", [], status=1)
    o = dict(opts)
    _check_root(ctx)
    db = _Db(ctx)
    if len(names) == 2:
        return _bb_add_user_to_group(db, *names)
    if len(names) != 1:
        raise CommandFailed("Usage: addgroup [-g GID] [-S] [USER] GROUP", 1)
    name = names[0]
    if db.group(name) is not None:
        raise CommandFailed(f"group '{name}' in use", 1)
    gids = db.gids()
    if "-g" in o:
        gid = number(o["-g"], "group ID")
        if gid in gids:
            raise CommandFailed(f"gid '{gid}' in use", 1)
    else:
        gid = _free_id(gids, 100, 999) if "-S" in o else _free_id(gids, 1000, 64999)
    db.add("group", [name, "x", str(gid), ""])
    db.save()
    return 0


del FS_ERRORS
