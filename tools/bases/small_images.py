"""The file trees of busybox (1.36.1, glibc variant) and alpine:3.19 (alpine-minirootfs 3.19.7).

Neither image can be fetched here (no Docker Hub, no Alpine mirror), so their trees are written out
from what the images are made of:

* busybox: the official builder (docker-library/busybox, glibc variant, Debian 12 builder) copies
  /bin/busybox, hard-links one name per applet into /bin (`busybox --install /bin`), copies
  /bin/getconf and the glibc libraries busybox and libnss need into /lib (/lib64 -> lib), buildroot's
  skeleton /etc/passwd, /etc/group, /etc/shadow (root:*), buildroot's device_table directories, the
  home directories of /etc/passwd (chowned to their users), /usr/bin/env -> ../../bin/env and
  /etc/localtime (UTC). The glibc libraries' sizes are those of this machine's Debian 12 glibc (the
  builder's own); the applet list is upstream's defconfig (plus ar and inotifyd, which the builder
  switches on), cross-checked against `busybox --list` of Debian's busybox-static; the busybox
  binary's size is estimated so that the image totals the real ~4.26 MB.
* alpine: the packages of alpine-minirootfs 3.19.7 with their files, from knowledge of the Alpine
  packages; binary sizes are estimates that add up to the real image's ~7.4 MB.
"""

from __future__ import annotations

import hashlib

BUSYBOX_EPOCH = 1684449257  # 2023-05-18T22:34:17Z: busybox 1.36.1's tarball, the image's SOURCE_DATE_EPOCH
ALPINE_EPOCH = 1739500116  # 2025-02-14T02:28:36Z

UPSTREAM_APPLETS = """
[ [[ acpid add-shell addgroup adduser adjtimex ar arch arp arping ascii ash awk base32 base64 basename bc beep
blkdiscard blkid blockdev bootchartd brctl bunzip2 bzcat bzip2 cal cat chat chattr chgrp chmod chown chpasswd
chpst chroot chrt chvt cksum clear cmp comm conspy cp cpio crc32 crond crontab cryptpw cttyhack cut date dc dd
deallocvt delgroup deluser depmod devmem df dhcprelay diff dirname dmesg dnsd dnsdomainname dos2unix dpkg
dpkg-deb du dumpkmap dumpleases echo ed egrep eject env envdir envuidgid ether-wake expand expr factor
fakeidentd fallocate false fatattr fbset fbsplash fdflush fdformat fdisk fgconsole fgrep find findfs flock fold
free freeramdisk fsck fsck.minix fsfreeze fstrim fsync ftpd ftpget ftpput fuser getfattr getopt getty grep
groups gunzip gzip halt hd hdparm head hexdump hexedit hostid hostname httpd hush hwclock i2cdetect i2cdump
i2cget i2cset i2ctransfer id ifconfig ifdown ifenslave ifplugd ifup inetd init inotifyd insmod install ionice
iostat ip ipaddr ipcalc ipcrm ipcs iplink ipneigh iproute iprule iptunnel kbd_mode kill killall killall5 klogd
last less link linux32 linux64 linuxrc ln loadfont loadkmap logger login logname logread losetup lpd lpq lpr
ls lsattr lsmod lsof lspci lsscsi lsusb lzcat lzma lzop lzopcat makedevs makemime man md5sum mdev mesg
microcom mim mkdir mkdosfs mke2fs mkfifo mkfs.ext2 mkfs.minix mkfs.vfat mknod mkpasswd mkswap mktemp modinfo
modprobe more mount mountpoint mpstat mt mv nameif nanddump nandwrite nbd-client nc netcat netstat nice nl
nmeter nohup nologin nproc nsenter nslookup ntpd nuke od openvt partprobe passwd paste patch pgrep pidof ping
ping6 pipe_progress pivot_root pkill pmap popmaildir poweroff powertop printenv printf ps pscan pstree pwd pwdx
raidautorun rdate rdev readahead readlink readprofile realpath reboot reformime remove-shell renice reset
resize resume rev rm rmdir rmmod route rpm rpm2cpio rtcwake run-init run-parts runlevel runsv runsvdir rx
script scriptreplay sed seedrng sendmail seq setarch setconsole setfattr setfont setkeycodes setlogcons setpriv
setserial setsid setuidgid sh sha1sum sha256sum sha3sum sha512sum showkey shred shuf slattach sleep smemcap
softlimit sort split ssl_client start-stop-daemon stat strings stty su sulogin sum sv svc svlogd svok swapoff
swapon switch_root sync sysctl syslogd tac tail tar taskset tc tcpsvd tee telnet telnetd test tftp tftpd time
timeout top touch tr traceroute traceroute6 tree true truncate ts tty ttysize tunctl ubiattach ubidetach
ubimkvol ubirename ubirmvol ubirsvol ubiupdatevol udhcpc udhcpc6 udhcpd udpsvd uevent umount uname unexpand
uniq unix2dos unlink unlzma unlzop unshare unxz unzip uptime users usleep uudecode uuencode vconfig vi vlock
volname w wall watch watchdog wc wget which who whoami whois xargs xxd xz xzcat yes zcat zcip
""".split()

BUILDROOT_PASSWD = """root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
"""
BUILDROOT_GROUP = """root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
utmp:x:43:
plugdev:x:46:
staff:x:50:
lock:x:54:
netdev:x:82:
users:x:100:
nobody:x:65534:
"""
BUILDROOT_SHADOW = """root:*:::::::
daemon:*:::::::
bin:*:::::::
sys:*:::::::
sync:*:::::::
mail:*:::::::
www-data:*:::::::
operator:*:::::::
nobody:*:::::::
"""
DEBIAN_NSSWITCH = """# /etc/nsswitch.conf
#
# Example configuration of GNU Name Service Switch functionality.
# If you have the `glibc-doc-reference' and `info' packages installed, try:
# `info libc "Name Service Switch"' for information about this file.

passwd:         files
group:          files
shadow:         files
gshadow:        files

hosts:          files dns
networks:       files

protocols:      db files
services:       db files
ethers:         db files
rpc:            db files

netgroup:       nis
"""
# Debian 12 glibc 2.36 (the builder's): name -> (mode, size)
GLIBC_LIBS = {"ld-linux-x86-64.so.2": (0o755, 215000), "libc.so.6": (0o755, 1926232), "libm.so.6": (0o644, 911904),
              "libnss_compat.so.2": (0o644, 39896), "libnss_dns.so.2": (0o644, 14400),
              "libnss_files.so.2": (0o644, 14400), "libnss_hesiod.so.2": (0o644, 27136),
              "libpthread.so.0": (0o644, 14480), "libresolv.so.2": (0o644, 60328)}
BUSYBOX_BINARY_SIZE = 1006104  # estimated (dynamically linked against glibc, defconfig + ar + inotifyd)
GETCONF_SIZE = 27136


def row(path, type_, mode=0o755, uid=0, gid=0, size=0, target="", mtime=0, text=None):
    r = {"path": path, "type": type_, "mode": mode, "uid": uid, "gid": gid, "size": size, "target": target,
         "mtime": mtime, "hash": ""}
    if text is not None:
        r["text"] = text
        r["size"] = len(text.encode("utf-8"))
    return r


def busybox_rows(local_applets=()) -> list[dict]:
    t = BUSYBOX_EPOCH
    applets = sorted(set(UPSTREAM_APPLETS) | set(local_applets) - {"busybox"})
    rows = [row("/", "d", mtime=t), row("/bin", "d", mtime=t)]
    names = sorted(["busybox", *applets])
    primary = names[0]
    for name in names:
        path = "/bin/" + name
        if name == primary:
            rows.append(row(path, "f", 0o755, size=BUSYBOX_BINARY_SIZE, mtime=t))
        else:
            rows.append(row(path, "h", 0o755, target="/bin/" + primary, mtime=t))
    rows.append(row("/bin/getconf", "f", 0o755, size=GETCONF_SIZE, mtime=t))
    rows += [row("/dev", "d", mtime=t), row("/etc", "d", mtime=t),
             row("/etc/group", "f", 0o644, text=BUILDROOT_GROUP, mtime=t),
             row("/etc/localtime", "f", 0o644, size=114, mtime=t),
             row("/etc/network", "d", mtime=t)]
    for d in ("if-down.d", "if-post-down.d", "if-pre-up.d", "if-up.d"):
        rows.append(row("/etc/network/" + d, "d", mtime=t))
    rows += [row("/etc/nsswitch.conf", "f", 0o644, text=DEBIAN_NSSWITCH, mtime=t),
             row("/etc/passwd", "f", 0o644, text=BUILDROOT_PASSWD, mtime=t),
             row("/etc/shadow", "f", 0o600, text=BUILDROOT_SHADOW, mtime=t),
             row("/home", "d", 0o755, 65534, 65534, mtime=t),
             row("/lib", "d", mtime=t)]
    for name, (mode, size) in sorted(GLIBC_LIBS.items()):
        rows.append(row("/lib/" + name, "f", mode, size=size, mtime=t))
    rows += [row("/lib64", "l", 0o777, target="lib", size=3, mtime=t),
             row("/root", "d", 0o700, mtime=t), row("/tmp", "d", 0o1777, mtime=t),
             row("/usr", "d", mtime=t), row("/usr/bin", "d", mtime=t),
             row("/usr/bin/env", "l", 0o777, target="../../bin/env", size=13, mtime=t),
             row("/usr/sbin", "d", 0o755, 1, 1, mtime=t),
             row("/var", "d", mtime=t), row("/var/spool", "d", mtime=t),
             row("/var/spool/mail", "d", 0o755, 8, 8, mtime=t), row("/var/www", "d", mtime=t)]
    return rows


# ---------------------------------------------------------------------------------------------
# alpine-minirootfs 3.19.7
ALPINE_VERSION = "3.19.7"
ALPINE_APPLETS = {
    "/bin": "arch ash base64 bbconfig cat chattr chgrp chmod chown cp date dd df dmesg dnsdomainname dumpkmap "
            "echo egrep false fatattr fdflush fgrep fsync getopt grep gunzip gzip hostname ionice iostat ipcalc "
            "kbd_mode kill link linux32 linux64 ln login ls lsattr lzop makemime mkdir mknod mktemp more mount "
            "mountpoint mpstat mv netstat nice pidof ping ping6 pipe_progress printenv ps pwd reformime rev rm "
            "rmdir run-parts sed setpriv setserial sleep stat stty su sync tar touch true umount uname usleep "
            "watch zcat",
    "/sbin": "acpid adjtimex arp blkid blockdev depmod fbsplash fdisk findfs fsck fstrim getty halt hwclock "
             "ifconfig ifdown ifenslave ifup init inotifyd insmod ip ipaddr iplink ipneigh iproute iprule "
             "iptunnel klogd loadkmap logread losetup lsmod mdev mkdosfs mkfs.vfat mkswap modinfo modprobe "
             "nameif nologin pivot_root poweroff raidautorun reboot rmmod route setconsole slattach swapoff "
             "swapon switch_root sysctl syslogd tunctl udhcpc vconfig watchdog",
    "/usr/bin": "[ [[ basename bc beep blkdiscard bunzip2 bzcat bzip2 cal chvt cksum clear cmp comm cpio "
                "crontab cryptpw cut dc deallocvt diff dirname dos2unix du eject env expand expr factor "
                "fallocate find flock fold free fuser groups hd head hexdump hostid id install ipcrm ipcs "
                "killall less logger lsof lsusb lzcat lzma lzopcat md5sum mesg microcom mkfifo mkpasswd nc nl "
                "nmeter nohup nproc nsenter nslookup od openvt paste pgrep pkill pmap printf pscan pstree pwdx "
                "readlink realpath renice reset resize seq setkeycodes setsid sha1sum sha256sum sha3sum "
                "sha512sum showkey shred shuf sort split strings sum tac tail tee test time timeout top tr "
                "traceroute traceroute6 tree truncate tty ttysize udhcpc6 unexpand uniq unix2dos unlink unlzma "
                "unlzop unshare unxz unzip uptime uudecode uuencode vi vlock volname wc wget which who whoami "
                "whois xargs xxd xzcat yes",
    "/usr/sbin": "add-shell addgroup adduser arping brctl chpasswd chroot crond delgroup deluser ether-wake "
                 "fbset killall5 loadfont nanddump nandwrite nbd-client ntpd partprobe rdate rdev readahead "
                 "remove-shell sendmail setfont setlogcons",
}
ALPINE_TEXT = {
    "/etc/alpine-release": f"{ALPINE_VERSION}\n",
    "/usr/lib/os-release": f'NAME="Alpine Linux"\nID=alpine\nVERSION_ID={ALPINE_VERSION}\n'
                           'PRETTY_NAME="Alpine Linux v3.19"\nHOME_URL="https://alpinelinux.org/"\n'
                           'BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"\n',
    "/etc/issue": "Welcome to Alpine Linux 3.19\nKernel \\r on an \\m (\\l)\n\n",
    "/etc/motd": "Welcome to Alpine!\n\nThe Alpine Wiki contains a large amount of how-to guides and general\n"
                 "information about administrating Alpine systems.\nSee <https://wiki.alpinelinux.org/>.\n\n"
                 "You can setup the system with the command: setup-alpine\n\n"
                 "You may change this message by editing /etc/motd.\n\n",
    "/etc/apk/repositories": "https://dl-cdn.alpinelinux.org/alpine/v3.19/main\n"
                             "https://dl-cdn.alpinelinux.org/alpine/v3.19/community\n",
    "/etc/apk/world": "alpine-baselayout\nalpine-keys\napk-tools\nbusybox\nca-certificates-bundle\nlibc-utils\n",
    "/etc/apk/arch": "x86_64\n",
    "/etc/hostname": "localhost\n",
    "/etc/hosts": "127.0.0.1\tlocalhost localhost.localdomain\n::1\t\tlocalhost localhost.localdomain\n",
    "/etc/passwd": "root:x:0:0:root:/root:/bin/sh\nbin:x:1:1:bin:/bin:/sbin/nologin\n"
                   "daemon:x:2:2:daemon:/sbin:/sbin/nologin\nadm:x:3:4:adm:/var/adm:/sbin/nologin\n"
                   "lp:x:4:7:lp:/var/spool/lpd:/sbin/nologin\nsync:x:5:0:sync:/sbin:/bin/sync\n"
                   "shutdown:x:6:0:shutdown:/sbin:/sbin/shutdown\nhalt:x:7:0:halt:/sbin:/sbin/halt\n"
                   "mail:x:8:12:mail:/var/mail:/sbin/nologin\nnews:x:9:13:news:/usr/lib/news:/sbin/nologin\n"
                   "uucp:x:10:14:uucp:/var/spool/uucppublic:/sbin/nologin\n"
                   "cron:x:16:16:cron:/var/spool/cron:/sbin/nologin\nftp:x:21:21::/var/lib/ftp:/sbin/nologin\n"
                   "sshd:x:22:22:sshd:/dev/null:/sbin/nologin\ngames:x:35:35:games:/usr/games:/sbin/nologin\n"
                   "ntp:x:123:123:NTP:/var/empty:/sbin/nologin\nguest:x:405:100:guest:/dev/null:/sbin/nologin\n"
                   "nobody:x:65534:65534:nobody:/:/sbin/nologin\n",
    "/etc/group": "root:x:0:root\nbin:x:1:root,bin,daemon\ndaemon:x:2:root,bin,daemon\nsys:x:3:root,bin\n"
                  "adm:x:4:root,daemon\ntty:x:5:\ndisk:x:6:root\nlp:x:7:lp\nkmem:x:9:\nwheel:x:10:root\n"
                  "floppy:x:11:root\nmail:x:12:mail\nnews:x:13:news\nuucp:x:14:uucp\ncron:x:16:cron\n"
                  "console:x:17:\naudio:x:18:\ncdrom:x:19:\ndialout:x:20:root\nftp:x:21:\nsshd:x:22:\n"
                  "input:x:23:\ntape:x:26:root\nvideo:x:27:root\nnetdev:x:28:\nkvm:x:34:kvm\ngames:x:35:\n"
                  "shadow:x:42:\nwww-data:x:82:\nusers:x:100:games\nntp:x:123:\nabuild:x:300:\nutmp:x:406:\n"
                  "ping:x:999:\nnogroup:x:65533:\nnobody:x:65534:\n",
    "/etc/shadow": "root:*::0:::::\nbin:!::0:::::\ndaemon:!::0:::::\nadm:!::0:::::\nlp:!::0:::::\n"
                   "sync:!::0:::::\nshutdown:!::0:::::\nhalt:!::0:::::\nmail:!::0:::::\nnews:!::0:::::\n"
                   "uucp:!::0:::::\ncron:!::0:::::\nftp:!::0:::::\nsshd:!::0:::::\ngames:!::0:::::\n"
                   "ntp:!::0:::::\nguest:!::0:::::\nnobody:!::0:::::\n",
    "/etc/shells": "# valid login shells\n/bin/sh\n/bin/ash\n",
    "/etc/profile": 'export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"\n\n'
                    "export PAGER=less\numask 022\n\n"
                    "# use nicer PS1 for bash and busybox ash\n"
                    'if [ -n "$BASH_VERSION" -o "$BB_ASH_VERSION" ]; then\n'
                    "\tPS1='\\h:\\w\\$ '\n# use nicer PS1 for zsh\n"
                    'elif [ -n "$ZSH_VERSION" ]; then\n'
                    "\tPS1='%m:%~%# '\n# set up fallback default PS1\nelse\n"
                    '\t: "${HOSTNAME:=$(hostname)}"\n'
                    "\tPS1='${HOSTNAME%%.*}:$PWD'\n"
                    '\t[ "$(id -u)" -eq 0 ] && PS1="${PS1}# " || PS1="${PS1}\\$ "\nfi\n\n'
                    "for script in /etc/profile.d/*.sh ; do\n"
                    '\tif [ -r "$script" ] ; then\n\t\t. "$script"\n\tfi\ndone\nunset script\n',
    "/etc/profile.d/20locale.sh": "# environment variables for locale\nexport CHARSET=${CHARSET:-UTF-8}\n"
                                  "export LANG=${LANG:-C.UTF-8}\nexport LC_COLLATE=${LC_COLLATE:-C}\n",
    "/etc/profile.d/README": "Shell script snippets in this directory are sourced by /etc/profile when their\n"
                             "file name ends with `.sh` and they are readable.\n",
    "/etc/profile.d/color_prompt.sh.disabled": "# Setup a red prompt for root and a green one for users.\n"
                                               "# rename this file to color_prompt.sh to actually apply it\n"
                                               "NORMAL=\"\\[\\e[0m\\]\"\nRED=\"\\[\\e[1;31m\\]\"\n"
                                               "GREEN=\"\\[\\e[1;32m\\]\"\nif [ \"$USER\" = root ]; then\n"
                                               "\tPS1=\"$RED\\h [$NORMAL\\w$RED]# $NORMAL\"\nelse\n"
                                               "\tPS1=\"$GREEN\\h [$NORMAL\\w$GREEN]\\$ $NORMAL\"\nfi\n",
    "/etc/fstab": "/dev/cdrom\t/media/cdrom\tiso9660\tnoauto,ro 0 0\n/dev/usbdisk\t/media/usb\tvfat\tnoauto,ro 0 0\n",
    "/etc/inittab": "# /etc/inittab\n\n::sysinit:/sbin/openrc sysinit\n::sysinit:/sbin/openrc boot\n"
                    "::wait:/sbin/openrc default\n\n# Set up a couple of getty's\n"
                    "tty1::respawn:/sbin/getty 38400 tty1\ntty2::respawn:/sbin/getty 38400 tty2\n"
                    "tty3::respawn:/sbin/getty 38400 tty3\ntty4::respawn:/sbin/getty 38400 tty4\n"
                    "tty5::respawn:/sbin/getty 38400 tty5\ntty6::respawn:/sbin/getty 38400 tty6\n\n"
                    "# Put a getty on the serial port\n#ttyS0::respawn:/sbin/getty -L 115200 ttyS0 vt100\n\n"
                    "# Stuff to do for the 3-finger salute\n::ctrlaltdel:/sbin/reboot\n\n"
                    "# Stuff to do before rebooting\n::shutdown:/sbin/openrc shutdown\n",
    "/etc/modules": "af_packet\nipv6\n",
    "/etc/securetty": "console\ntty1\ntty2\ntty3\ntty4\ntty5\ntty6\ntty7\ntty8\ntty9\ntty10\ntty11\n",
    "/etc/sysctl.conf": "# content of this file will override /etc/sysctl.d/*\n",
    "/etc/crontabs/root": "# do daily/weekly/monthly maintenance\n# min\thour\tday\tmonth\tweekday\tcommand\n"
                          "*/15\t*\t*\t*\t*\trun-parts /etc/periodic/15min\n0\t*\t*\t*\t*\trun-parts /etc/periodic/hourly\n"
                          "0\t2\t*\t*\t*\trun-parts /etc/periodic/daily\n0\t3\t*\t*\t6\trun-parts /etc/periodic/weekly\n"
                          "0\t5\t1\t*\t*\trun-parts /etc/periodic/monthly\n\n",
    "/sbin/ldconfig": "#!/bin/sh\nscan_dirs() {\n\tscanelf -qS \"$@\" | while read SONAME FILE; do\n"
                      "\t\tTARGET=\"${FILE##*/}\"\n\t\tLINK=\"${FILE%/*}/$SONAME\"\n\t\tcase \"$TARGET\" in\n"
                      "\t\t\"$SONAME\")\t;;\n\t\t*)\tln -sf \"$TARGET\" \"$LINK\" ;;\n\t\tesac\n\tdone\n}\n"
                      "line=\"$(grep -m 1 -- '-r' /proc/cmdline 2>/dev/null)\"\n"
                      "if [ -n \"$line\" ]; then\n\tscan_dirs \"$@\"\nfi\nexit 0\n",
}
# package -> (version, installed-size estimate, description, url, license, origin, depends, [rows])
ALPINE_KEYS = ["alpine-devel@lists.alpinelinux.org-4a6a0840.rsa.pub",
               "alpine-devel@lists.alpinelinux.org-5261cecb.rsa.pub",
               "alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub"]
ALPINE_ALL_KEYS = ALPINE_KEYS + [
    "alpine-devel@lists.alpinelinux.org-4d07755e.rsa.pub", "alpine-devel@lists.alpinelinux.org-524d27bb.rsa.pub",
    "alpine-devel@lists.alpinelinux.org-5243ef4b.rsa.pub", "alpine-devel@lists.alpinelinux.org-58199dcc.rsa.pub",
    "alpine-devel@lists.alpinelinux.org-58cbb476.rsa.pub", "alpine-devel@lists.alpinelinux.org-58e4f17d.rsa.pub",
    "alpine-devel@lists.alpinelinux.org-5e69ca50.rsa.pub", "alpine-devel@lists.alpinelinux.org-60ac2099.rsa.pub",
    "alpine-devel@lists.alpinelinux.org-616a9724.rsa.pub", "alpine-devel@lists.alpinelinux.org-616abc23.rsa.pub",
    "alpine-devel@lists.alpinelinux.org-616ac3bc.rsa.pub", "alpine-devel@lists.alpinelinux.org-616adfeb.rsa.pub",
    "alpine-devel@lists.alpinelinux.org-616ae350.rsa.pub", "alpine-devel@lists.alpinelinux.org-616db30d.rsa.pub"]


def _alpine_packages() -> list[tuple]:
    """(name, version, description, license, origin, depends, entries); entries are (path, type, mode, size, target)."""
    d, f, l = "d", "f", "l"
    bb = [("/bin/busybox", f, 0o755, 816176, ""), ("/etc/busybox-paths.d", d, 0o755, 0, ""),
          ("/etc/busybox-paths.d/busybox", f, 0o644, None, ""), ("/etc/logrotate.d/acpid", f, 0o644, 79, ""),
          ("/etc/network/if-up.d/dad", f, 0o775, 1193, ""), ("/etc/securetty", f, 0o644, None, ""),
          ("/etc/udhcpd.conf", f, 0o644, 5636, ""), ("/usr/share/udhcpc/default.script", f, 0o755, 3521, ""),
          ("/etc/crontabs/root", f, 0o600, None, "")]
    base = [("/etc/alpine-release", f, 0o644, None, ""), ("/etc/fstab", f, 0o644, None, ""),
            ("/etc/group", f, 0o644, None, ""), ("/etc/hostname", f, 0o644, None, ""),
            ("/etc/hosts", f, 0o644, None, ""), ("/etc/inittab", f, 0o644, None, ""),
            ("/etc/issue", f, 0o644, None, ""), ("/etc/modules", f, 0o644, None, ""),
            ("/etc/motd", f, 0o644, None, ""), ("/etc/os-release", l, 0o777, 0, "../usr/lib/os-release"),
            ("/etc/passwd", f, 0o644, None, ""), ("/etc/profile", f, 0o644, None, ""),
            ("/etc/profile.d/20locale.sh", f, 0o644, None, ""), ("/etc/profile.d/README", f, 0o644, None, ""),
            ("/etc/profile.d/color_prompt.sh.disabled", f, 0o644, None, ""),
            ("/etc/protocols", f, 0o644, 3144, ""), ("/etc/services", f, 0o644, 12813, ""),
            ("/etc/shadow", f, 0o640, None, ""), ("/etc/shells", f, 0o644, None, ""),
            ("/etc/sysctl.conf", f, 0o644, None, ""), ("/etc/modprobe.d/aliases.conf", f, 0o644, 1007, ""),
            ("/etc/modprobe.d/blacklist.conf", f, 0o644, 822, ""), ("/etc/modprobe.d/i386.conf", f, 0o644, 29, ""),
            ("/etc/modprobe.d/kms.conf", f, 0o644, 91, ""), ("/etc/secfixes.d/alpine", f, 0o644, 175, ""),
            ("/lib/sysctl.d/00-alpine.conf", f, 0o644, 1278, ""), ("/usr/lib/os-release", f, 0o644, None, ""),
            ("/var/run", l, 0o777, 0, "../run"), ("/var/lock", l, 0o777, 0, "../run/lock"),
            ("/var/spool/mail", l, 0o777, 0, "../mail"), ("/var/spool/cron/crontabs", l, 0o777, 0, "../../../etc/crontabs")]
    keys = [("/etc/apk/keys/" + k, f, 0o644, 451, "") for k in ALPINE_KEYS]
    keys += [("/usr/share/apk/keys/" + k, f, 0o644, 451 if i < 3 else 800, "") for i, k in enumerate(ALPINE_ALL_KEYS)]
    keys += [("/usr/share/apk/keys/x86_64/" + k, l, 0o777, 0, "../" + k) for k in ALPINE_KEYS]
    return [
        ("alpine-baselayout", "3.4.3-r2", "Alpine base dir structure and init scripts", "GPL-2.0-only",
         "alpine-baselayout", ["alpine-baselayout-data=3.4.3-r2", "/bin/sh"], base),
        ("alpine-baselayout-data", "3.4.3-r2", "Alpine base dir structure and init scripts", "GPL-2.0-only",
         "alpine-baselayout", [], []),
        ("alpine-keys", "2.4-r1", "Public keys for Alpine Linux packages", "MIT", "alpine-keys", [], keys),
        ("apk-tools", "2.14.4-r0", "Alpine Package Keeper - package manager for alpine", "GPL-2.0-only",
         "apk-tools", ["musl>=1.2.3_git20230424", "ca-certificates-bundle", "so:libc.musl-x86_64.so.1",
                       "so:libcrypto.so.3", "so:libssl.so.3", "so:libz.so.1"],
         [("/lib/libapk.so.2.14.0", f, 0o755, 233984, ""), ("/sbin/apk", f, 0o755, 68872, ""),
          ("/etc/apk/protected_paths.d", d, 0o755, 0, ""), ("/lib/apk/exec", d, 0o755, 0, ""),
          ("/var/cache/misc", d, 0o755, 0, "")]),
        ("busybox", "1.36.1-r20", "Size optimized toolbox of many common UNIX utilities", "GPL-2.0-only",
         "busybox", ["so:libc.musl-x86_64.so.1"], bb),
        ("busybox-binsh", "1.36.1-r20", "busybox ash /bin/sh", "GPL-2.0-only", "busybox", ["busybox=1.36.1-r20"],
         [("/bin/sh", l, 0o777, 0, "/bin/busybox")]),
        ("ca-certificates-bundle", "20241121-r1", "Pre generated bundle of Mozilla certificates", "MPL-2.0 AND MIT",
         "ca-certificates", [], [("/etc/ssl/cert.pem", l, 0o777, 0, "certs/ca-certificates.crt"),
                                 ("/etc/ssl/certs/ca-certificates.crt", f, 0o644, 219342, "")]),
        ("libc-utils", "0.7.2-r5", "Meta package to pull in correct libc", "BSD-2-Clause AND BSD-3-Clause",
         "libc-dev", ["musl-utils"], []),
        ("libcrypto3", "3.1.8-r0", "Crypto library from openssl", "Apache-2.0", "openssl",
         ["so:libc.musl-x86_64.so.1"],
         [("/etc/ssl/ct_log_list.cnf", f, 0o644, 412, ""), ("/etc/ssl/ct_log_list.cnf.dist", f, 0o644, 412, ""),
          ("/etc/ssl/openssl.cnf", f, 0o644, 12324, ""), ("/etc/ssl/openssl.cnf.dist", f, 0o644, 12324, ""),
          ("/etc/ssl/certs", d, 0o755, 0, ""), ("/etc/ssl/private", d, 0o700, 0, ""),
          ("/lib/libcrypto.so.3", f, 0o755, 4168848, ""), ("/usr/lib/engines-3/afalg.so", f, 0o755, 14240, ""),
          ("/usr/lib/engines-3/capi.so", f, 0o755, 14240, ""),
          ("/usr/lib/engines-3/loader_attic.so", f, 0o755, 38896, ""),
          ("/usr/lib/engines-3/padlock.so", f, 0o755, 14240, ""),
          ("/usr/lib/libcrypto.so.3", l, 0o777, 0, "../../lib/libcrypto.so.3"),
          ("/usr/lib/ossl-modules/legacy.so", f, 0o755, 133952, "")]),
        ("libssl3", "3.1.8-r0", "SSL shared libraries", "Apache-2.0", "openssl",
         ["so:libc.musl-x86_64.so.1", "so:libcrypto.so.3"],
         [("/lib/libssl.so.3", f, 0o755, 609384, ""), ("/usr/lib/libssl.so.3", l, 0o777, 0, "../../lib/libssl.so.3")]),
        ("musl", "1.2.4_git20230717-r5", "the musl c library (libc) implementation", "MIT", "musl", [],
         [("/lib/ld-musl-x86_64.so.1", f, 0o755, 649816, ""),
          ("/lib/libc.musl-x86_64.so.1", l, 0o777, 0, "ld-musl-x86_64.so.1")]),
        ("musl-utils", "1.2.4_git20230717-r5", "the musl c library (libc) implementation", "MIT AND BSD-2-Clause AND GPL-2.0-or-later",
         "musl", ["scanelf", "so:libc.musl-x86_64.so.1"],
         [("/sbin/ldconfig", f, 0o755, None, ""), ("/usr/bin/getconf", f, 0o755, 34416, ""),
          ("/usr/bin/getent", f, 0o755, 50312, ""), ("/usr/bin/iconv", f, 0o755, 21440, ""),
          ("/usr/bin/ldd", l, 0o777, 0, "/lib/ld-musl-x86_64.so.1")]),
        ("scanelf", "1.3.7-r2", "Scan ELF binaries for stuff", "GPL-2.0-only", "pax-utils",
         ["so:libc.musl-x86_64.so.1"], [("/usr/bin/scanelf", f, 0o755, 75056, "")]),
        ("ssl_client", "1.36.1-r20", "EXternal ssl_client for busybox wget", "GPL-2.0-only", "busybox",
         ["so:libc.musl-x86_64.so.1", "so:libcrypto.so.3", "so:libssl.so.3"],
         [("/usr/bin/ssl_client", f, 0o755, 14232, "")]),
        ("zlib", "1.3.1-r0", "A compression/decompression Library", "Zlib", "zlib", ["so:libc.musl-x86_64.so.1"],
         [("/lib/libz.so.1", l, 0o777, 0, "libz.so.1.3.1"), ("/lib/libz.so.1.3.1", f, 0o755, 100232, "")]),
    ]


def _apk_checksum(seed: str) -> str:
    import base64
    return "Q1" + base64.b64encode(hashlib.sha1(seed.encode()).digest()).decode()


def apk_installed_text(packages) -> str:
    """/lib/apk/db/installed for (name, version, desc, license, origin, depends, entries) packages."""
    out = []
    for name, version, desc, lic, origin, deps, entries in packages:
        size = sum((e[3] or 0) for e in entries if e[1] == "f")
        out += [f"C:{_apk_checksum(name + version)}", f"P:{name}", f"V:{version}", "A:x86_64",
                f"S:{max(1, size // 3)}", f"I:{max(4096, size)}", f"T:{desc}", "U:https://alpinelinux.org",
                f"L:{lic}", f"o:{origin}", "m:Natanael Copa <ncopa@alpinelinux.org>", "t:1739500000",
                f"c:{hashlib.sha1(origin.encode()).hexdigest()[:40]}"]
        if deps:
            out.append("D:" + " ".join(deps))
        current = None
        for path, type_, mode, size_, target in sorted(entries, key=lambda e: e[0]):
            if type_ == "d":
                continue
            folder, base = path.rsplit("/", 1)
            folder = folder.lstrip("/")
            if folder != current:
                out.append(f"F:{folder}")
                current = folder
            out.append(f"R:{base}")
            if type_ == "f" and mode != 0o644:
                out.append(f"a:0:0:{mode:o}")
            out.append(f"Z:{_apk_checksum(path)}")
        out.append("")
    return "\n".join(out) + "\n"


def alpine_rows(netbase_texts: dict[str, str]) -> list[dict]:
    t = ALPINE_EPOCH
    texts = dict(ALPINE_TEXT)
    texts.update({k: v for k, v in netbase_texts.items() if k in ("/etc/protocols", "/etc/services")})
    dirs = {"/": 0o755, "/bin": 0o755, "/dev": 0o755, "/etc": 0o755, "/etc/apk": 0o755, "/etc/apk/keys": 0o755,
            "/etc/apk/protected_paths.d": 0o755, "/etc/conf.d": 0o755, "/etc/crontabs": 0o755,
            "/etc/init.d": 0o755, "/etc/logrotate.d": 0o755, "/etc/modprobe.d": 0o755,
            "/etc/modules-load.d": 0o755, "/etc/network": 0o755, "/etc/network/if-down.d": 0o755,
            "/etc/network/if-post-down.d": 0o755, "/etc/network/if-post-up.d": 0o755,
            "/etc/network/if-pre-down.d": 0o755, "/etc/network/if-pre-up.d": 0o755, "/etc/network/if-up.d": 0o755,
            "/etc/opt": 0o755, "/etc/periodic": 0o755, "/etc/periodic/15min": 0o755, "/etc/periodic/daily": 0o755,
            "/etc/periodic/hourly": 0o755, "/etc/periodic/monthly": 0o755, "/etc/periodic/weekly": 0o755,
            "/etc/profile.d": 0o755, "/etc/secfixes.d": 0o755, "/etc/ssl": 0o755, "/etc/ssl/misc": 0o755,
            "/etc/sysctl.d": 0o755, "/home": 0o755, "/lib": 0o755, "/lib/apk": 0o755, "/lib/apk/db": 0o755,
            "/lib/firmware": 0o755, "/lib/mdev": 0o755, "/lib/modules-load.d": 0o755, "/lib/sysctl.d": 0o755,
            "/media": 0o755, "/media/cdrom": 0o755, "/media/floppy": 0o755, "/media/usb": 0o755, "/mnt": 0o755,
            "/opt": 0o755, "/proc": 0o555, "/root": 0o700, "/run": 0o755, "/sbin": 0o755, "/srv": 0o755,
            "/sys": 0o555, "/tmp": 0o1777, "/usr": 0o755, "/usr/bin": 0o755, "/usr/lib": 0o755,
            "/usr/lib/engines-3": 0o755, "/usr/lib/modules-load.d": 0o755, "/usr/lib/ossl-modules": 0o755,
            "/usr/local": 0o755, "/usr/local/bin": 0o755, "/usr/local/lib": 0o755, "/usr/local/share": 0o755,
            "/usr/sbin": 0o755, "/usr/share": 0o755, "/usr/share/apk": 0o755, "/usr/share/apk/keys": 0o755,
            "/usr/share/apk/keys/x86_64": 0o755, "/usr/share/man": 0o755, "/usr/share/misc": 0o755,
            "/usr/share/udhcpc": 0o755, "/var": 0o755, "/var/cache": 0o755, "/var/cache/misc": 0o755,
            "/var/empty": 0o555, "/var/lib": 0o755, "/var/lib/misc": 0o755, "/var/lib/udhcpd": 0o755,
            "/var/local": 0o755, "/var/log": 0o755, "/var/mail": 0o755, "/var/opt": 0o755, "/var/spool": 0o755,
            "/var/spool/cron": 0o755, "/var/tmp": 0o1777}
    packages = _alpine_packages()
    applet_paths = []
    for folder, names in ALPINE_APPLETS.items():
        applet_paths += [f"{folder}/{n}" for n in names.split()]
    texts["/etc/busybox-paths.d/busybox"] = "\n".join(sorted(applet_paths)) + "\n"
    rows: dict[str, dict] = {p: row(p, "d", m, mtime=t) for p, m in dirs.items()}
    for _name, _v, _d, _l, _o, _deps, entries in packages:
        for path, type_, mode, size, target in entries:
            if type_ == "d":
                rows[path] = row(path, "d", mode, mtime=t)
            elif type_ == "l":
                rows[path] = row(path, "l", 0o777, target=target, size=len(target), mtime=t)
            elif path in texts:
                rows[path] = row(path, "f", mode, text=texts[path], mtime=t)
            else:
                rows[path] = row(path, "f", mode, size=size, mtime=t)
    for path in applet_paths:
        rows[path] = row(path, "l", 0o777, target="/bin/busybox", size=12, mtime=t)
    # files the minirootfs build writes that no package owns (apk's configuration)
    for path in ("/etc/apk/repositories", "/etc/apk/world", "/etc/apk/arch"):
        rows[path] = row(path, "f", 0o644, text=texts[path], mtime=t)
    # apk's database: what the shell's `apk add/del` reads and rewrites
    db = {"/lib/apk/db/installed": apk_installed_text(packages), "/lib/apk/db/lock": "",
          "/lib/apk/db/triggers": "busybox /bin /usr/bin /sbin /usr/sbin /lib/modules/*\n"}
    for path, text in db.items():
        rows[path] = row(path, "f", 0o644 if not path.endswith("lock") else 0o600, text=text, mtime=t)
    rows["/lib/apk/db/scripts.tar"] = row("/lib/apk/db/scripts.tar", "f", 0o644, size=10240, mtime=t)
    # parents for anything listed without its directory
    for path in list(rows):
        parent = path.rsplit("/", 1)[0] or "/"
        while parent not in rows:
            rows[parent] = row(parent, "d", 0o755, mtime=t)
            parent = parent.rsplit("/", 1)[0] or "/"
    return sorted(rows.values(), key=lambda r: tuple(r["path"].split("/")))


def alpine_packages():
    return _alpine_packages()
