"""Alpine 3.19 packages for the simulated `apk add`, written out from knowledge of the x86_64 packages.

No Alpine mirror is reachable from here, so names, versions and dependencies are those of Alpine
3.19 (the main and community repositories in early 2025) and each package lists its principal files
with plausible sizes, not its complete file list. python3 and py3-pip list real trees: CPython 3.11's
standard library (this machine's 3.11 install, Alpine 3.19 ships 3.11) and the pip 23.3.1 wheel.
"""

from __future__ import annotations

import os
import sys
import zipfile

# each package: (name, version, description, depends, provides, files)
# files is a text block, one line per file: "path size [mode] [-> target]"; directories are implied
SPECS = r"""
== bash 5.2.21-r0 | The GNU Bourne Again shell | /bin/sh so:libc.musl-x86_64.so.1 so:libreadline.so.8 | cmd:bash
/bin/bash 1193456 755
/etc/bash/bashrc 1007
/usr/share/doc/bash/README 3956
== readline 8.2.1-r2 | GNU readline library | so:libc.musl-x86_64.so.1 so:libncursesw.so.6 | so:libreadline.so.8
/etc/inputrc 1753
/usr/lib/libreadline.so.8 0 -> libreadline.so.8.2
/usr/lib/libreadline.so.8.2 276992 755
== ncurses-terminfo-base 6.4_p20231125-r0 | Descriptions of common terminals | |
/etc/terminfo/a/ansi 1481
/etc/terminfo/d/dumb 308
/etc/terminfo/l/linux 1774
/etc/terminfo/s/screen 1637
/etc/terminfo/s/screen-256color 2173
/etc/terminfo/v/vt100 1190
/etc/terminfo/v/vt102 1184
/etc/terminfo/v/vt220 1649
/etc/terminfo/x/xterm 3811
/etc/terminfo/x/xterm-256color 3713
/etc/terminfo/x/xterm-color 1551
== ncurses-libs 6.4_p20231125-r0 | Ncurses libraries | ncurses-terminfo-base so:libc.musl-x86_64.so.1 | so:libncursesw.so.6 so:libpanelw.so.6 so:libformw.so.6 so:libmenuw.so.6
/usr/lib/libformw.so.6 0 -> libformw.so.6.4
/usr/lib/libformw.so.6.4 67856 755
/usr/lib/libmenuw.so.6 0 -> libmenuw.so.6.4
/usr/lib/libmenuw.so.6.4 34976 755
/usr/lib/libncursesw.so.6 0 -> libncursesw.so.6.4
/usr/lib/libncursesw.so.6.4 366424 755
/usr/lib/libpanelw.so.6 0 -> libpanelw.so.6.4
/usr/lib/libpanelw.so.6.4 14064 755
== brotli-libs 1.1.0-r1 | Generic lossless compressor (libraries) | so:libc.musl-x86_64.so.1 | so:libbrotlicommon.so.1 so:libbrotlidec.so.1 so:libbrotlienc.so.1
/usr/lib/libbrotlicommon.so.1 0 -> libbrotlicommon.so.1.1.0
/usr/lib/libbrotlicommon.so.1.1.0 137544 755
/usr/lib/libbrotlidec.so.1 0 -> libbrotlidec.so.1.1.0
/usr/lib/libbrotlidec.so.1.1.0 50400 755
/usr/lib/libbrotlienc.so.1 0 -> libbrotlienc.so.1.1.0
/usr/lib/libbrotlienc.so.1.1.0 709344 755
== c-ares 1.27.0-r0 | Asynchronous DNS/names resolver library | so:libc.musl-x86_64.so.1 | so:libcares.so.2
/usr/lib/libcares.so.2 0 -> libcares.so.2.7.4
/usr/lib/libcares.so.2.7.4 178552 755
== nghttp2-libs 1.58.0-r0 | Experimental HTTP/2 client, server and proxy (libraries) | so:libc.musl-x86_64.so.1 | so:libnghttp2.so.14
/usr/lib/libnghttp2.so.14 0 -> libnghttp2.so.14.25.1
/usr/lib/libnghttp2.so.14.25.1 169680 755
== libunistring 1.1-r2 | Library for manipulating Unicode strings and C strings | so:libc.musl-x86_64.so.1 | so:libunistring.so.5
/usr/lib/libunistring.so.5 0 -> libunistring.so.5.0.0
/usr/lib/libunistring.so.5.0.0 1823576 755
== libidn2 2.3.4-r4 | Encode/Decode library for internationalized domain names | so:libc.musl-x86_64.so.1 so:libunistring.so.5 | so:libidn2.so.0
/usr/lib/libidn2.so.0 0 -> libidn2.so.0.3.8
/usr/lib/libidn2.so.0.3.8 133304 755
== libpsl 0.21.5-r0 | C library for the Publix Suffix List | so:libc.musl-x86_64.so.1 so:libidn2.so.0 so:libunistring.so.5 | so:libpsl.so.5
/usr/lib/libpsl.so.5 0 -> libpsl.so.5.3.4
/usr/lib/libpsl.so.5.3.4 71912 755
== zstd-libs 1.5.5-r8 | Zstandard - Fast real-time compression algorithm (libraries) | so:libc.musl-x86_64.so.1 | so:libzstd.so.1
/usr/lib/libzstd.so.1 0 -> libzstd.so.1.5.5
/usr/lib/libzstd.so.1.5.5 722232 755
== libcurl 8.12.1-r0 | The multiprotocol file transfer library | so:libbrotlidec.so.1 so:libc.musl-x86_64.so.1 so:libcares.so.2 so:libcrypto.so.3 so:libidn2.so.0 so:libnghttp2.so.14 so:libpsl.so.5 so:libssl.so.3 so:libz.so.1 so:libzstd.so.1 | so:libcurl.so.4
/usr/lib/libcurl.so.4 0 -> libcurl.so.4.8.0
/usr/lib/libcurl.so.4.8.0 657312 755
== curl 8.12.1-r0 | URL retrival utility and library | ca-certificates so:libc.musl-x86_64.so.1 so:libcurl.so.4 so:libz.so.1 | cmd:curl
/usr/bin/curl 255024 755
== ca-certificates 20241121-r1 | Common CA certificates PEM files from Mozilla | busybox so:libc.musl-x86_64.so.1 so:libcrypto.so.3 |
/etc/ca-certificates.conf 6003
/etc/ca-certificates/update.d 0 d
/usr/sbin/update-ca-certificates 34144 755
/usr/share/ca-certificates/mozilla/ACCVRAIZ1.crt 2772
/usr/share/ca-certificates/mozilla/Amazon_Root_CA_1.crt 1188
/usr/share/ca-certificates/mozilla/Baltimore_CyberTrust_Root.crt 1261
/usr/share/ca-certificates/mozilla/DigiCert_Global_Root_CA.crt 1338
/usr/share/ca-certificates/mozilla/DigiCert_Global_Root_G2.crt 1294
/usr/share/ca-certificates/mozilla/GlobalSign_Root_CA.crt 1258
/usr/share/ca-certificates/mozilla/ISRG_Root_X1.crt 1939
/usr/share/ca-certificates/mozilla/ISRG_Root_X2.crt 790
/usr/share/ca-certificates/mozilla/USERTrust_RSA_Certification_Authority.crt 2094
/usr/share/ca-certificates/mozilla/Go_Daddy_Root_Certificate_Authority_-_G2.crt 1367
== expat 2.6.4-r0 | XML Parser library written in C | so:libc.musl-x86_64.so.1 | so:libexpat.so.1
/usr/lib/libexpat.so.1 0 -> libexpat.so.1.9.3
/usr/lib/libexpat.so.1.9.3 166688 755
== pcre2 10.42-r2 | Perl-compatible regular expression library | so:libc.musl-x86_64.so.1 | so:libpcre2-8.so.0
/usr/lib/libpcre2-8.so.0 0 -> libpcre2-8.so.0.11.2
/usr/lib/libpcre2-8.so.0.11.2 596280 755
/usr/lib/libpcre2-posix.so.3 0 -> libpcre2-posix.so.3.0.4
/usr/lib/libpcre2-posix.so.3.0.4 14072 755
== git 2.43.6-r0 | Distributed version control system | ca-certificates-bundle so:libc.musl-x86_64.so.1 so:libcurl.so.4 so:libexpat.so.1 so:libpcre2-8.so.0 so:libz.so.1 | cmd:git
/usr/bin/git 3633312 755
/usr/bin/git-receive-pack 0 -> git
/usr/bin/git-shell 1054112 755
/usr/bin/git-upload-archive 0 -> git
/usr/bin/git-upload-pack 0 -> git
/usr/libexec/git-core/git 0 -> ../../bin/git
/usr/libexec/git-core/git-remote-http 1688320 755
/usr/libexec/git-core/git-remote-https 0 -> git-remote-http
/usr/libexec/git-core/git-remote-ftp 0 -> git-remote-http
/usr/libexec/git-core/git-sh-setup 9120 755
/usr/libexec/git-core/git-sh-i18n 2622 755
/usr/libexec/git-core/git-mergetool--lib 10712 755
/usr/libexec/git-core/git-submodule 10577 755
/usr/libexec/git-core/git-web--browse 4411 755
/usr/libexec/git-core/git-daemon 1054128 755
/usr/libexec/git-core/git-http-backend 1058208 755
/usr/libexec/git-core/git-http-fetch 1066432 755
/usr/libexec/git-core/git-http-push 1079744 755
/usr/libexec/git-core/git-imap-send 1083360 755
/usr/share/git-core/templates/description 73
/usr/share/git-core/templates/hooks/pre-commit.sample 1643 755
/usr/share/git-core/templates/hooks/pre-push.sample 1374 755
/usr/share/git-core/templates/hooks/commit-msg.sample 896 755
/usr/share/git-core/templates/info/exclude 240
== libffi 3.4.4-r3 | portable, high level programming interface to various calling conventions. | so:libc.musl-x86_64.so.1 | so:libffi.so.8
/usr/lib/libffi.so.8 0 -> libffi.so.8.1.2
/usr/lib/libffi.so.8.1.2 43376 755
== gdbm 1.23-r1 | GNU dbm is a set of database routines that use extensible hashing | so:libc.musl-x86_64.so.1 so:libreadline.so.8 | so:libgdbm.so.6 so:libgdbm_compat.so.4
/usr/bin/gdbmtool 111408 755
/usr/lib/libgdbm.so.6 0 -> libgdbm.so.6.0.0
/usr/lib/libgdbm.so.6.0.0 88064 755
/usr/lib/libgdbm_compat.so.4 0 -> libgdbm_compat.so.4.0.0
/usr/lib/libgdbm_compat.so.4.0.0 14064 755
== mpdecimal 2.5.1-r2 | complete implementation of the General Decimal Arithmetic Specification | so:libc.musl-x86_64.so.1 | so:libmpdec.so.3
/usr/lib/libmpdec.so.3 0 -> libmpdec.so.2.5.1
/usr/lib/libmpdec.so.2.5.1 202648 755
== sqlite-libs 3.44.2-r0 | Sqlite3 library | so:libc.musl-x86_64.so.1 so:libz.so.1 | so:libsqlite3.so.0
/usr/lib/libsqlite3.so.0 0 -> libsqlite3.so.0.8.6
/usr/lib/libsqlite3.so.0.8.6 1402096 755
== xz-libs 5.4.5-r1 | Library and CLI tools for XZ and LZMA compressed files (libraries) | so:libc.musl-x86_64.so.1 | so:liblzma.so.5
/usr/lib/liblzma.so.5 0 -> liblzma.so.5.4.5
/usr/lib/liblzma.so.5.4.5 165656 755
== libbz2 1.0.8-r6 | Shared library for bz2 | so:libc.musl-x86_64.so.1 | so:libbz2.so.1
/usr/lib/libbz2.so.1 0 -> libbz2.so.1.0.8
/usr/lib/libbz2.so.1.0.8 67968 755
== python3 3.11.12-r1 | A high-level scripting language | so:libbz2.so.1 so:libc.musl-x86_64.so.1 so:libcrypto.so.3 so:libexpat.so.1 so:libffi.so.8 so:libgdbm.so.6 so:libgdbm_compat.so.4 so:liblzma.so.5 so:libmpdec.so.3 so:libncursesw.so.6 so:libpanelw.so.6 so:libreadline.so.8 so:libsqlite3.so.0 so:libssl.so.3 so:libz.so.1 | cmd:python3 cmd:python3.11 so:libpython3.11.so.1.0
/usr/bin/python3 0 -> python3.11
/usr/bin/python3.11 14008 755
/usr/bin/pydoc3 0 -> pydoc3.11
/usr/bin/pydoc3.11 79 755
/usr/lib/libpython3.11.so.1.0 5611944 755
/usr/lib/libpython3.so 14096 755
@stdlib /usr/lib/python3.11
== py3-pip 23.3.1-r0 | Tool for installing and managing python packages | python3 py3-setuptools |
/usr/bin/pip 0 -> pip3
/usr/bin/pip3 210 755
/usr/bin/pip3.11 210 755
@wheel pip-23.3.1 /usr/lib/python3.11/site-packages
== py3-setuptools 68.2.2-r0 | Collection of enhancements to the Python3 distutils | python3 |
/usr/lib/python3.11/site-packages/setuptools/__init__.py 9214
/usr/lib/python3.11/site-packages/setuptools/dist.py 45648
/usr/lib/python3.11/site-packages/setuptools/build_meta.py 19497
/usr/lib/python3.11/site-packages/pkg_resources/__init__.py 108287
/usr/lib/python3.11/site-packages/_distutils_hack/__init__.py 6128
/usr/lib/python3.11/site-packages/setuptools-68.2.2-py3.11.egg-info/PKG-INFO 6234
== libgcc 13.2.1_git20231014-r0 | GNU C compiler runtime libraries | so:libc.musl-x86_64.so.1 | so:libgcc_s.so.1
/usr/lib/libgcc_s.so.1 96720 644
== libstdc++ 13.2.1_git20231014-r0 | GNU C++ standard runtime library | so:libc.musl-x86_64.so.1 so:libgcc_s.so.1 | so:libstdc++.so.6
/usr/lib/libstdc++.so.6 0 -> libstdc++.so.6.0.32
/usr/lib/libstdc++.so.6.0.32 2608152 755
== libgomp 13.2.1_git20231014-r0 | GCC shared-memory parallel programming API library | so:libc.musl-x86_64.so.1 | so:libgomp.so.1
/usr/lib/libgomp.so.1 0 -> libgomp.so.1.0.0
/usr/lib/libgomp.so.1.0.0 301152 755
== libatomic 13.2.1_git20231014-r0 | GCC Atomic library | so:libc.musl-x86_64.so.1 | so:libatomic.so.1
/usr/lib/libatomic.so.1 0 -> libatomic.so.1.2.0
/usr/lib/libatomic.so.1.2.0 26344 755
== gmp 6.3.0-r0 | free library for arbitrary precision arithmetic | so:libc.musl-x86_64.so.1 | so:libgmp.so.10
/usr/lib/libgmp.so.10 0 -> libgmp.so.10.5.0
/usr/lib/libgmp.so.10.5.0 461064 755
== mpfr4 4.2.1-r0 | multiple-precision floating-point library | so:libc.musl-x86_64.so.1 so:libgmp.so.10 | so:libmpfr.so.6
/usr/lib/libmpfr.so.6 0 -> libmpfr.so.6.2.1
/usr/lib/libmpfr.so.6.2.1 578384 755
== mpc1 1.3.1-r1 | Multiprecision C library | so:libc.musl-x86_64.so.1 so:libgmp.so.10 so:libmpfr.so.6 | so:libmpc.so.3
/usr/lib/libmpc.so.3 0 -> libmpc.so.3.3.1
/usr/lib/libmpc.so.3.3.1 116928 755
== isl26 0.26-r1 | An Integer Set Library for the Polyhedral Model | so:libc.musl-x86_64.so.1 so:libgmp.so.10 | so:libisl.so.23
/usr/lib/libisl.so.23 0 -> libisl.so.23.3.0
/usr/lib/libisl.so.23.3.0 2155376 755
== jansson 2.14-r4 | JSON library | so:libc.musl-x86_64.so.1 | so:libjansson.so.4
/usr/lib/libjansson.so.4 0 -> libjansson.so.4.14.0
/usr/lib/libjansson.so.4.14.0 47984 755
== binutils 2.41-r1 | Tools necessary to build programs | so:libc.musl-x86_64.so.1 so:libjansson.so.4 so:libz.so.1 so:libzstd.so.1 | cmd:ld cmd:as cmd:ar
/usr/bin/addr2line 35112 755
/usr/bin/ar 63816 755
/usr/bin/as 723616 755
/usr/bin/c++filt 34632 755
/usr/bin/gprof 104840 755
/usr/bin/ld 0 -> ld.bfd
/usr/bin/ld.bfd 1732544 755
/usr/bin/nm 55456 755
/usr/bin/objcopy 198472 755
/usr/bin/objdump 432728 755
/usr/bin/ranlib 63816 755
/usr/bin/readelf 777008 755
/usr/bin/size 34840 755
/usr/bin/strings 35016 755
/usr/bin/strip 198472 755
/usr/lib/libbfd-2.41.so 1851904 755
/usr/lib/libctf.so.0 0 -> libctf.so.0.0.0
/usr/lib/libctf.so.0.0.0 223312 755
/usr/lib/libopcodes-2.41.so 2141056 755
/usr/lib/libsframe.so.1 0 -> libsframe.so.1.0.0
/usr/lib/libsframe.so.1.0.0 26112 755
== gcc 13.2.1_git20231014-r0 | The GNU Compiler Collection | binutils libatomic libgcc libgomp libstdc++ so:libc.musl-x86_64.so.1 so:libgmp.so.10 so:libisl.so.23 so:libmpc.so.3 so:libmpfr.so.6 so:libz.so.1 so:libzstd.so.1 | cmd:gcc cmd:cc cmd:cpp
/usr/bin/cc 0 -> gcc
/usr/bin/cpp 1185216 755
/usr/bin/gcc 1180864 755
/usr/bin/gcc-ar 34728 755
/usr/bin/gcc-nm 34728 755
/usr/bin/gcc-ranlib 34728 755
/usr/bin/gcov 588896 755
/usr/bin/x86_64-alpine-linux-musl-gcc 0 -> gcc
/usr/bin/x86_64-alpine-linux-musl-gcc-13.2.1 0 -> gcc
/usr/libexec/gcc/x86_64-alpine-linux-musl/13.2.1/cc1 33612832 755
/usr/libexec/gcc/x86_64-alpine-linux-musl/13.2.1/collect2 616296 755
/usr/libexec/gcc/x86_64-alpine-linux-musl/13.2.1/lto-wrapper 1038304 755
/usr/libexec/gcc/x86_64-alpine-linux-musl/13.2.1/lto1 31553600 755
/usr/libexec/gcc/x86_64-alpine-linux-musl/13.2.1/liblto_plugin.so 80152 755
/usr/lib/gcc/x86_64-alpine-linux-musl/13.2.1/crtbegin.o 2864
/usr/lib/gcc/x86_64-alpine-linux-musl/13.2.1/crtbeginS.o 3224
/usr/lib/gcc/x86_64-alpine-linux-musl/13.2.1/crtend.o 1192
/usr/lib/gcc/x86_64-alpine-linux-musl/13.2.1/crtendS.o 1192
/usr/lib/gcc/x86_64-alpine-linux-musl/13.2.1/libgcc.a 4883262
/usr/lib/gcc/x86_64-alpine-linux-musl/13.2.1/libgcc_eh.a 71518
/usr/lib/gcc/x86_64-alpine-linux-musl/13.2.1/libgcov.a 207958
/usr/lib/gcc/x86_64-alpine-linux-musl/13.2.1/include/stddef.h 15449
/usr/lib/gcc/x86_64-alpine-linux-musl/13.2.1/include/stdarg.h 4353
/usr/lib/gcc/x86_64-alpine-linux-musl/13.2.1/include/immintrin.h 4938
/usr/lib/libgomp.a 603158
/usr/lib/libstdc++.a 6842530
== musl-dev 1.2.4_git20230717-r5 | the musl c library (libc) implementation (development files) | musl | so:libc.musl-x86_64.so.1
/usr/include/stdio.h 6102
/usr/include/stdlib.h 5679
/usr/include/string.h 3553
/usr/include/unistd.h 16046
/usr/include/errno.h 336
/usr/include/fcntl.h 4803
/usr/include/pthread.h 7910
/usr/include/math.h 11223
/usr/include/time.h 3909
/usr/include/sys/types.h 2092
/usr/include/sys/stat.h 3570
/usr/include/sys/socket.h 10359
/usr/lib/Scrt1.o 1400
/usr/lib/crt1.o 1400
/usr/lib/crti.o 1024
/usr/lib/crtn.o 968
/usr/lib/rcrt1.o 1400
/usr/lib/libc.a 2536810
/usr/lib/libc.so 0 -> ../../lib/ld-musl-x86_64.so.1
/usr/lib/libcrypt.a 8
/usr/lib/libdl.a 8
/usr/lib/libm.a 8
/usr/lib/libpthread.a 8
/usr/lib/libresolv.a 8
/usr/lib/librt.a 8
/usr/lib/libutil.a 8
/usr/lib/libxnet.a 8
== libc-dev 0.7.2-r5 | Meta package to pull in correct libc | musl-dev |
== fortify-headers 1.1-r3 | libc-agnostic implementation of FORTIFY_SOURCE | |
/usr/include/fortify/fcntl.h 1762
/usr/include/fortify/poll.h 1429
/usr/include/fortify/stdio.h 3776
/usr/include/fortify/stdlib.h 1699
/usr/include/fortify/string.h 6126
/usr/include/fortify/unistd.h 4770
== make 4.4.1-r2 | GNU make utility to maintain groups of programs | so:libc.musl-x86_64.so.1 | cmd:make
/usr/bin/make 253776 755
== patch 2.7.6-r10 | Utility to apply diffs to files | so:libc.musl-x86_64.so.1 | cmd:patch
/usr/bin/patch 121728 755
== libmagic 5.45-r1 | File type identification library | so:libc.musl-x86_64.so.1 so:libz.so.1 | so:libmagic.so.1
/usr/lib/libmagic.so.1 0 -> libmagic.so.1.0.0
/usr/lib/libmagic.so.1.0.0 158160 755
/usr/share/misc/magic.mgc 8099360
== file 5.45-r1 | File type identification utility | so:libc.musl-x86_64.so.1 so:libmagic.so.1 | cmd:file
/usr/bin/file 18856 755
== g++ 13.2.1_git20231014-r0 | GNU C++ standard library and compiler | gcc libstdc++ musl-dev so:libc.musl-x86_64.so.1 so:libgmp.so.10 so:libisl.so.23 so:libmpc.so.3 so:libmpfr.so.6 so:libz.so.1 so:libzstd.so.1 | cmd:g++ cmd:c++
/usr/bin/c++ 0 -> g++
/usr/bin/g++ 1185184 755
/usr/bin/x86_64-alpine-linux-musl-c++ 0 -> g++
/usr/bin/x86_64-alpine-linux-musl-g++ 0 -> g++
/usr/libexec/gcc/x86_64-alpine-linux-musl/13.2.1/cc1plus 36217408 755
/usr/include/c++/13.2.1/iostream 3070
/usr/include/c++/13.2.1/vector 5467
/usr/include/c++/13.2.1/string 4874
/usr/include/c++/13.2.1/map 4213
/usr/include/c++/13.2.1/bits/stl_vector.h 72880
/usr/include/c++/13.2.1/bits/basic_string.h 155848
/usr/lib/libstdc++.so 0 -> libstdc++.so.6.0.32
== build-base 0.5-r3 | Meta package for build base | binutils file fortify-headers g++ gcc libc-dev make patch |
== openssl 3.1.8-r0 | Toolkit for Transport Layer Security (TLS) | so:libc.musl-x86_64.so.1 so:libcrypto.so.3 so:libssl.so.3 | cmd:openssl
/usr/bin/openssl 790520 755
/etc/ssl/misc/CA.pl 7605 755
/etc/ssl/misc/tsget.pl 6743 755
== nginx 1.24.0-r16 | HTTP and reverse proxy server (stable version) | so:libc.musl-x86_64.so.1 so:libcrypto.so.3 so:libpcre2-8.so.0 so:libssl.so.3 so:libz.so.1 | cmd:nginx
/etc/init.d/nginx 2147 755
/etc/logrotate.d/nginx 213
/etc/nginx/fastcgi.conf 1077
/etc/nginx/fastcgi_params 1007
/etc/nginx/http.d/default.conf 415
/etc/nginx/mime.types 5349
/etc/nginx/nginx.conf 3184
/etc/nginx/scgi_params 636
/etc/nginx/uwsgi_params 664
/etc/nginx/modules 0 -> ../../usr/lib/nginx/modules
/usr/sbin/nginx 1353152 755
/usr/share/nginx/http-default_server.conf 339
/var/lib/nginx/html/50x.html 494
/var/lib/nginx/html/index.html 615
/var/lib/nginx/logs 0 -> ../../../var/log/nginx
/var/lib/nginx/modules 0 -> ../../../usr/lib/nginx/modules
/var/lib/nginx/run 0 -> ../../../run/nginx
/var/lib/nginx/tmp 0 -> ../../../var/tmp/nginx
/var/log/nginx 0 d
/usr/lib/nginx/modules 0 d
== oniguruma 6.9.9-r0 | a regular expressions library | so:libc.musl-x86_64.so.1 | so:libonig.so.5
/usr/lib/libonig.so.5 0 -> libonig.so.5.4.0
/usr/lib/libonig.so.5.4.0 502568 755
== jq 1.7.1-r0 | A lightweight and flexible command-line JSON processor | so:libc.musl-x86_64.so.1 so:libonig.so.5 | cmd:jq
/usr/bin/jq 378616 755
/usr/lib/libjq.so.1 0 -> libjq.so.1.0.4
== wget 1.21.4-r0 | Network utility to retrieve files from the Web | so:libc.musl-x86_64.so.1 so:libcrypto.so.3 so:libidn2.so.0 so:libpcre2-8.so.0 so:libssl.so.3 so:libz.so.1 | cmd:wget
/etc/wgetrc 4940
/usr/bin/wget 470736 755
== less 643-r2 | File pager | so:libc.musl-x86_64.so.1 so:libncursesw.so.6 | cmd:less
/usr/bin/less 178512 755
/usr/bin/lessecho 14280 755
/usr/bin/lesskey 26760 755
== tzdata 2025a-r0 | Timezone data | |
/usr/share/zoneinfo/UTC 114
/usr/share/zoneinfo/Etc/UTC 0 -> ../UTC
/usr/share/zoneinfo/Europe/Berlin 705
/usr/share/zoneinfo/Europe/London 1599
/usr/share/zoneinfo/America/New_York 1744
/usr/share/zoneinfo/Asia/Tokyo 213
/usr/share/zoneinfo/tzdata.zi 103712
/usr/share/zoneinfo/zone1970.tab 17869
/usr/bin/zdump 22664 755
/usr/sbin/zic 47336 755
== sudo 1.9.15_p5-r0 | Give certain users the ability to run some commands as root | so:libc.musl-x86_64.so.1 | cmd:sudo
/etc/sudoers 3181 440
/etc/sudoers.d 0 d
/usr/bin/sudo 241880 4111
/usr/libexec/sudo/libsudo_util.so.0 0 -> libsudo_util.so.0.0.0
/usr/libexec/sudo/libsudo_util.so.0.0.0 117952 755
/usr/libexec/sudo/sudoers.so 461136 755
== vim 9.0.2127-r0 | Improved vi-style text editor | xxd so:libc.musl-x86_64.so.1 so:libncursesw.so.6 | cmd:vim cmd:vimdiff
/usr/bin/vim 3205624 755
/usr/bin/vimdiff 0 -> vim
/usr/share/vim/vim90/defaults.vim 5111
/usr/share/vim/vim90/syntax/syntax.vim 1443
/usr/share/vim/vim90/filetype.vim 80567
/etc/vim/vimrc 2092
== xxd 9.0.2127-r0 | Make a hexdump or do the reverse | so:libc.musl-x86_64.so.1 | cmd:xxd
/usr/bin/xxd 18792 755
== nano 7.2-r1 | Enhanced clone of the Pico text editor | so:libc.musl-x86_64.so.1 so:libmagic.so.1 so:libncursesw.so.6 | cmd:nano
/usr/bin/nano 253832 755
/usr/bin/rnano 0 -> nano
/etc/nanorc 11174
== htop 3.2.2-r1 | Interactive process viewer | so:libc.musl-x86_64.so.1 so:libncursesw.so.6 | cmd:htop
/usr/bin/htop 291424 755
"""

ORIGINS = {"libcurl": "curl", "ncurses-libs": "ncurses", "ncurses-terminfo-base": "ncurses", "brotli-libs": "brotli",
           "nghttp2-libs": "nghttp2", "zstd-libs": "zstd", "sqlite-libs": "sqlite", "xz-libs": "xz",
           "libbz2": "bzip2", "libgcc": "gcc", "libstdc++": "gcc", "libgomp": "gcc", "libatomic": "gcc", "g++": "gcc",
           "musl-dev": "musl", "libc-dev": "libc-dev", "libmagic": "file", "xxd": "vim", "py3-pip": "py3-pip",
           "py3-setuptools": "py3-setuptools"}

# /var/cache/apk after `apk update`: one index per repository in /etc/apk/repositories
INDEXES = [("APKINDEX.da4bd4a2.tar.gz", 478210), ("APKINDEX.5b9d4c7f.tar.gz", 1468114)]


def _stdlib(prefix_dir: str) -> list[tuple]:
    import sysconfig
    libdir = sysconfig.get_paths()["stdlib"]
    out = []
    for top, dirs, files in os.walk(libdir):
        rel = os.path.relpath(top, libdir)
        dirs[:] = sorted(d for d in dirs if d not in {"test", "tests", "idle_test", "__pycache__", "site-packages",
                                                       "idlelib", "tkinter", "turtledemo"})
        for name in sorted(files):
            if name.endswith((".pyc", ".a")) or name.startswith(("_sysconfigdata", "Makefile")):
                continue
            size = os.path.getsize(os.path.join(top, name))
            path = prefix_dir + ("" if rel == "." else "/" + rel) + "/" + name
            path = path.replace("cpython-311-x86_64-linux-gnu", "cpython-311-x86_64-linux-musl")
            out.append((path, "f", 0o755 if name.endswith(".so") else 0o644, size, ""))
    return out


def _wheel(spec: str, site: str, work: str) -> list[tuple]:
    import glob
    import subprocess
    name, version = spec.split("-", 1)
    wheels = os.path.join(work, "wheels-alpine")
    os.makedirs(wheels, exist_ok=True)
    found = glob.glob(os.path.join(wheels, f"{name}-{version}-*.whl"))
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", wheels,
                        f"{name}=={version}"], check=True)
        found = glob.glob(os.path.join(wheels, f"{name}-{version}-*.whl"))
    with zipfile.ZipFile(found[0]) as zf:
        return [(f"{site}/{i.filename}", "f", 0o644, i.file_size, "") for i in zf.infolist() if not i.is_dir()]


def packages(work: str) -> list[tuple]:
    out = []
    for block in SPECS.split("\n== ")[1:]:
        head, *lines = block.strip("\n").split("\n")
        title, desc, deps, provides = [part.strip() for part in head.split("|")]
        name, version = title.split()
        files = []
        for line in lines:
            if line.startswith("@stdlib "):
                files += _stdlib(line.split()[1])
                continue
            if line.startswith("@wheel "):
                _tag, spec, site = line.split()
                files += _wheel(spec, site, work)
                continue
            parts = line.split()
            path, size = parts[0], int(parts[1])
            if len(parts) >= 4 and parts[2] == "->":
                files.append((path, "l", 0o777, len(parts[3]), parts[3]))
            elif len(parts) >= 3 and parts[2] == "d":
                files.append((path, "d", 0o755, 0, ""))
            else:
                files.append((path, "f", int(parts[2], 8) if len(parts) >= 3 else 0o644, size, ""))
        out.append((name, version, desc, deps.split(), provides.split(), files))
    return out
