"""The sh grammar: quoting, expansion, pipes, redirections, here-docs, control flow, errors (dash's wording)."""

import pytest

from layerlab.fs.entries import Dir
from layerlab.shell import Shell

from .helpers import run_row, rx

ROWS = [
    # (command line, exit code, stdout, stderr)  -- None: not checked
    # quoting and escapes
    ("echo hello world", 0, "hello world\n", ""),
    ("echo 'a  b' \"c  d\" e\\ \\ f", 0, "a  b c  d e  f\n", ""),
    ("echo 'it'\\''s'", 0, "it's\n", ""),
    ("echo \"a\\\"b\\$c\\\\d\"", 0, 'a"b$c\\d\n', ""),
    ("echo a\\\nb", 0, "ab\n", ""),
    ("echo '$HOME' \"$HOME\" $HOME", 0, "$HOME /root /root\n", ""),
    ("echo # a comment", 0, "\n", ""),
    ("echo a#b", 0, "a#b\n", ""),
    ("echo \"\" x ''", 0, " x \n", ""),
    # parameters
    ("X=1; echo $X ${X} \"${X}y\"", 0, "1 1 1y\n", ""),
    ("echo ${U:-default} ${U-unset} [${U:+alt}]", 0, "default unset []\n", ""),
    ("E=; echo [${E:-d}] [${E-d}] [${E:+a}] [${E+a}]", 0, "[d] [] [] [a]\n", ""),
    ("echo ${V:=assigned}; echo $V", 0, "assigned\nassigned\n", ""),
    ("echo ${#HOME}", 0, "5\n", ""),
    ("f=/srv/app/main.tar.gz; echo ${f##*/} ${f#*/} ${f%.*} ${f%%.*}", 0,
     "main.tar.gz srv/app/main.tar.gz /srv/app/main.tar /srv/app/main\n", ""),
    ("echo ${NOPE:?is required}", 2, "", "sh: 1: NOPE: is required\n"),
    ("echo ${NOPE?}", 2, "", "sh: 1: NOPE: parameter not set\n"),
    ("echo ${", 2, "", "sh: 1: Syntax error: Missing '}'\n"),
    ("echo ${a b}", 2, "", "sh: 1: Bad substitution\n"),
    ("set -u; echo $UNSET_VAR", 2, "", "sh: 1: UNSET_VAR: parameter not set\n"),
    ("false; echo $?; true; echo $?", 0, "1\n0\n", ""),
    ("echo $$ $0 $#", 0, "1 sh 0\n", ""),
    ("set -- a 'b c' d; echo $# $2; shift; echo $1", 0, "3 b c\nb c\n", ""),
    ("set -- 'x y' z; for a in \"$@\"; do echo [$a]; done; for a in $*; do echo ($a); done", 2, None, None),
    ("set -- 'x y' z; for a in \"$@\"; do echo [$a]; done; for a in $*; do echo \"<$a>\"; done", 0,
     "[x y]\n[z]\n<x>\n<y>\n<z>\n", ""),
    ("set -- 'x y' z; echo \"$*\"", 0, "x y z\n", ""),
    # field splitting
    ("X='a   b  c'; for w in $X; do echo $w; done", 0, "a\nb\nc\n", ""),
    ("X='a   b'; echo \"$X\"", 0, "a   b\n", ""),
    ("IFS=:; X=a:b::c; for w in $X; do echo \"[$w]\"; done", 0, "[a]\n[b]\n[]\n[c]\n", ""),
    ("E=''; for w in $E; do echo never; done; echo done", 0, "done\n", ""),
    # command substitution and arithmetic
    ("echo $(echo inner) `echo back`", 0, "inner back\n", ""),
    ("echo \"$(printf 'a\\nb\\n\\n')\"", 0, "a\nb\n", ""),
    ("X=$(false); echo $?", 0, "1\n", ""),
    ("echo $(echo $(echo deep))", 0, "deep\n", ""),
    ("echo $((1 + 2 * 3)) $((10 / 3)) $((10 % 3)) $((-7 / 2)) $((2 << 3)) $((0x10)) $((010))", 0,
     "7 3 1 -3 16 16 8\n", ""),
    ("i=5; echo $((i * 2)) $(($i + 1)) $((i > 3 ? 1 : 0))", 0, "10 6 1\n", ""),
    ("i=1; : $((i += 4)); echo $i", 0, "5\n", ""),
    ("echo $((1 / 0))", 2, "", 'sh: 1: arithmetic expression: division by zero: "1 / 0"\n'),
    ("echo $((1 +))", 2, "", rx("arithmetic expression")),
    # globbing (the tree has /etc/passwd, /etc/shadow, /etc/skel ...)
    ("echo /etc/pass*", 0, "/etc/passwd\n", ""),
    ("echo /etc/s*", 0, "/etc/shadow /etc/skel\n", ""),
    ("echo /etc/?roup", 0, "/etc/group\n", ""),
    ("echo /etc/[gp]*wd /etc/[!p]asswd", 0, "/etc/passwd /etc/[!p]asswd\n", ""),
    ("echo /nothing/*.txt", 0, "/nothing/*.txt\n", ""),
    ("echo '/etc/pass*' \"/etc/pass*\"", 0, "/etc/pass* /etc/pass*\n", ""),
    ("cd /etc/skel && echo * .*", 0, "* . .. .bashrc .profile\n", None),
    ("cd /etc && echo sk*/.b*", 0, "skel/.bashrc\n", ""),
    ("set -f; echo /etc/pass*", 0, "/etc/pass*\n", ""),
    # tilde
    ("echo ~ ~/x ~root ~nobody ~nouser '~'", 0, "/root /root/x /root /nonexistent ~nouser ~\n", ""),
    ("P=~/bin; echo $P", 0, "/root/bin\n", ""),
    # lists and short-circuit
    ("true && echo yes || echo no", 0, "yes\n", ""),
    ("false && echo yes || echo no", 0, "no\n", ""),
    ("false || false && echo never", 1, "", ""),
    ("echo a; false; echo b", 0, "a\nb\n", ""),
    ("! false && echo negated", 0, "negated\n", ""),
    ("! true; echo $?", 0, "1\n", ""),
    ("true &\necho after", 0, "after\n", ""),
    # pipelines
    ("printf 'b\\na\\nc\\n' | sort | head -n 2", 0, "a\nb\n", ""),
    ("echo one two | { read a b; echo \"$b-$a\"; }", 0, "two-one\n", ""),
    ("false | true", 0, "", ""),
    ("true | false", 1, "", ""),
    ("set -o pipefail; false | true", 1, "", ""),
    ("ls /nope | wc -l", 0, "0\n", "ls: cannot access '/nope': No such file or directory\n"),
    ("ls /nope 2>&1 | wc -l", 0, "1\n", ""),
    ("X=1; echo 2 | read X; echo $X", 0, "1\n", ""),
    # redirections
    ("echo hi > /tmp/f; cat /tmp/f", 0, "hi\n", ""),
    ("echo a > /tmp/f; echo b >> /tmp/f; cat < /tmp/f", 0, "a\nb\n", ""),
    ("echo out; echo err >&2", 0, "out\n", "err\n"),
    ("ls /nope 2>/dev/null; echo $?", 0, "2\n", ""),
    ("ls /nope > /tmp/both 2>&1; cat /tmp/both", 0, "ls: cannot access '/nope': No such file or directory\n", ""),
    ("ls /nope 2>&1 > /tmp/o; echo [$(cat /tmp/o)]", 0, "ls: cannot access '/nope': No such file or directory\n[]\n",
     ""),
    ("ls /etc/passwd /nope &> /tmp/all; cat /tmp/all", 0,
     "ls: cannot access '/nope': No such file or directory\n/etc/passwd\n", ""),
    ("echo x > /nodir/f", 2, "", "sh: 1: cannot create /nodir/f: Directory nonexistent\n"),
    ("echo x > /etc", 2, "", "sh: 1: cannot create /etc: Is a directory\n"),
    ("cat < /nope", 2, "", "sh: 1: cannot open /nope: No such file\n"),
    ("> /tmp/empty; wc -c < /tmp/empty", 0, "0\n", ""),
    ("echo x > /dev/null; cat /dev/null", 0, "", ""),
    ("echo to-stderr > /dev/stderr", 0, "", "to-stderr\n"),
    ("exec > /tmp/log; echo logged; exec >&2; cat /tmp/log", 0, "", "logged\n"),
    ("{ echo a; echo b; } > /tmp/g; cat /tmp/g", 0, "a\nb\n", ""),
    ("cat <<< 'here string'", 0, "here string\n", ""),
    ("echo 3>&-; echo ok", 0, "\nok\n", ""),
    # here-documents
    ("cat <<EOF\nhome=$HOME\n$(echo sub)\nEOF", 0, "home=/root\nsub\n", ""),
    ("cat <<'EOF'\nhome=$HOME\nEOF", 0, "home=$HOME\n", ""),
    ("cat <<\"EOF\"\n$HOME\nEOF", 0, "$HOME\n", ""),
    ("cat <<-EOF\n\t\tindented\n\tEOF\necho after", 0, "indented\nafter\n", ""),
    ("cat <<A; cat <<B\none\nA\ntwo\nB", 0, "one\ntwo\n", ""),
    ("cat <<EOF > /tmp/h\nx\nEOF\ncat /tmp/h", 0, "x\n", ""),
    # subshells and groups
    ("cd /tmp; (cd /etc; pwd); pwd", 0, "/etc\n/tmp\n", ""),
    ("X=1; (X=2; export Y=3); echo $X [$Y]", 0, "1 []\n", ""),
    ("X=1; { X=2; }; echo $X", 0, "2\n", ""),
    ("(exit 7); echo $?", 0, "7\n", ""),
    ("(echo a; exit 3; echo b)", 3, "a\n", ""),
    # control flow
    ("if true; then echo T; else echo F; fi", 0, "T\n", ""),
    ("if false; then echo T; elif true; then echo E; else echo F; fi", 0, "E\n", ""),
    ("if false; then echo T; fi; echo $?", 0, "0\n", ""),
    ("if [ -d /etc ] && [ ! -f /etc ]; then echo dir; fi", 0, "dir\n", ""),
    ("for i in 1 2 3; do echo $i; done", 0, "1\n2\n3\n", ""),
    ("for i in a b\ndo\n  echo $i\ndone", 0, "a\nb\n", ""),
    ("for f in /etc/g* /etc/h*; do echo $f; done", 0, "/etc/group\n/etc/gshadow\n/etc/hostname\n", ""),
    ("set -- x y; for a; do echo $a; done", 0, "x\ny\n", ""),
    ("i=0; while [ $i -lt 3 ]; do i=$((i+1)); echo $i; done", 0, "1\n2\n3\n", ""),
    ("i=0; until [ $i -ge 2 ]; do i=$((i+1)); done; echo $i", 0, "2\n", ""),
    ("for i in 1 2 3 4; do [ $i = 2 ] && continue; [ $i = 4 ] && break; echo $i; done", 0, "1\n3\n", ""),
    ("for i in 1 2; do for j in a b; do [ $j = b ] && continue 2; echo $i$j; done; done", 0, "1a\n2a\n", ""),
    ("for i in 1 2; do for j in a b; do break 2; done; done; echo out $i$j", 0, "out 1a\n", ""),
    ("for i in 1 2; do false; [ $i = 2 ] && break; done; echo $?", 0, "0\n", ""),      # break exits 0
    ("for i in 1; do false; continue; done; echo $?", 0, "0\n", ""),
    ("for i in 1 2; do [ $i = 1 ]; done; echo $?", 0, "1\n", ""),                    # the last pass's status
    ("case hello.py in *.sh) echo sh;; *.py|*.pyw) echo py;; *) echo other;; esac", 0, "py\n", ""),
    ("case x in (x) echo paren;; esac", 0, "paren\n", ""),
    ("v=abc; case $v in a*) echo A ;; esac; case '*' in \\*) echo star;; esac", 0, "A\nstar\n", ""),
    ("case nomatch in a) echo a;; esac; echo $?", 0, "0\n", ""),
    ("f() { echo \"f:$1:$#\"; return 3; }; f a b; echo $?", 0, "f:a:2\n3\n", ""),
    ("g() { local v=inner; echo $v; }; v=outer; g; echo $v", 0, "inner\nouter\n", ""),
    ("countdown() { [ $1 -le 0 ] && return 0; echo $1; countdown $(($1 - 1)); }; countdown 3", 0,
     "3\n2\n1\n", ""),
    ("X=before; X=inline sh -c 'true'; echo $X", 0, "before\n", ""),
    ("FOO=bar env | grep ^FOO=", 0, "FOO=bar\n", ""),
    ("FOO=bar; env | grep -c ^FOO=", 1, "0\n", ""),
    ("export FOO=bar; env | grep ^FOO=", 0, "FOO=bar\n", ""),
    ("A=1 B=2; echo $A$B", 0, "12\n", ""),
    ("eval 'X=evaluated; echo $X'", 0, "evaluated\n", ""),
    ("readonly R=1; R=2", 2, "", "sh: 1: R: is read only\n"),
    ("unset HOME; echo [$HOME]", 0, "[]\n", ""),
    ("trap 'echo bye' EXIT; echo hi", 0, "hi\nbye\n", ""),
    ("trap 'echo bye' EXIT; exit 4", 4, "bye\n", ""),
    # set -e and set -x
    ("set -e; false; echo not reached", 1, "", ""),
    ("set -e; false || true; echo reached", 0, "reached\n", ""),
    ("set -e; if false; then :; fi; echo reached", 0, "reached\n", ""),
    ("set -e; false && true; echo reached", 0, "reached\n", ""),
    ("set -e; ! true; echo reached", 0, "reached\n", ""),
    ("set -e; (false); echo not reached", 1, "", ""),
    ("set -e; x=$(false); echo not reached", 1, "", ""),
    ("set -e; { false; echo not reached; }", 1, "", ""),
    ("set -ex; echo a 'b c'", 0, "a b c\n", "+ echo a 'b c'\n"),
    ("set -x; X=1 true", 0, "", "+ X=1 true\n"),
    ("set +e; false; echo ok", 0, "ok\n", ""),
    ("set -o nonsense", 2, "", "sh: 1: set: Illegal option -o nonsense\n"),
    # exit
    ("exit 3", 3, "", ""),
    ("exit 300", 44, "", ""),
    ("echo a; exit; echo b", 0, "a\n", ""),
    ("false; exit", 1, "", ""),
    ("exit foo", 2, "", "sh: 1: exit: Illegal number: foo\n"),
    # builtins around commands
    ("command -v ls cd nope; echo $?", 0, "/usr/bin/ls\ncd\n1\n", ""),
    ("type ls cd if", 0, "ls is /usr/bin/ls\ncd is a shell builtin\nif is a shell keyword\n", ""),
    ("type nope", 127, "nope: not found\n", ""),
    ("which ls sh", 0, "/usr/bin/ls\n/usr/bin/sh\n", ""),
    ("which nope", 1, "", ""),
    ("hash; wait; :", 0, "", ""),
    ("cd /nope", 2, "", "sh: 1: cd: can't cd to /nope\n"),
    ("cd /etc/passwd", 2, "", "sh: 1: cd: can't cd to /etc/passwd\n"),
    ("cd /etc && cd - && pwd", 0, "/\n/\n", ""),
    ("cd; pwd", 0, "/root\n", ""),
    ("cd /tmp; cd ..; echo $PWD $OLDPWD", 0, "/ /tmp\n", ""),
    ("umask; umask 077; umask; umask -S", 0, "0022\n0077\nu=rwx,g=,o=\n", ""),
    ("echo -n no-newline; echo", 0, "no-newline\n", ""),
    ("echo -e 'a\\tb'", 0, "-e a\tb\n", ""),
    ("echo 'a\\nb\\c' tail", 0, "a\nb", ""),
    ("/bin/echo -e 'a\\tb'", 0, "a\tb\n", ""),
    ("/bin/echo 'a\\nb'", 0, "a\\nb\n", ""),
    ("printf '%s=%d\\n' a 1 b 2", 0, "a=1\nb=2\n", ""),
    ("printf '%5s|%-5s|%05d|%x|%o|%c|%%\\n' ab cd 42 255 8 xyz", 0, "   ab|cd   |00042|ff|10|x|%\n", ""),
    ("printf '%.2f %e\\n' 3.14159 1000", 0, "3.14 1.000000e+03\n", ""),
    ("printf '%b' 'a\\nb\\n'", 0, "a\nb\n", ""),
    ("printf '%d\\n' abc", 1, "0\n", "sh: 1: printf: abc: expected numeric value\n"),
    ("printf 'no newline'", 0, "no newline", ""),
    ("read -r line <<'EOF'\na\\b c\nEOF\nprintf '%s\\n' \"$line\"", 0, "a\\b c\n", ""),
    ("read line <<'EOF'\na\\b c\nEOF\nprintf '%s\\n' \"$line\"", 0, "ab c\n", ""),
    ("printf 'x y z\\n' | { read a rest; echo \"$a|$rest\"; }", 0, "x|y z\n", ""),
    ("read v < /dev/null; echo $?", 0, "1\n", ""),
    ("printf '1\\n2\\n' | while read n; do echo got $n; done", 0, "got 1\ngot 2\n", ""),
    ("test 1 -lt 2 && [ abc = abc ] && [ -n x ] && [ -z '' ] && echo ok", 0, "ok\n", ""),
    ("[ 2 -gt 10 ]; echo $?; [ b \\> a ]; echo $?", 0, "1\n0\n", ""),
    ("[ -e /etc/passwd -a -r /etc/passwd ]; echo $?; [ -x /etc/passwd ]; echo $?", 0, "0\n1\n", ""),
    ("[ -L /bin ] && [ -d /bin ] && [ -h /bin ] && echo link", 0, "link\n", ""),
    ("[ ! -e /nope ] && [ -s /etc/passwd ] && [ ! -s /var/log/lastlog ] && echo ok", 0, "ok\n", ""),
    ("[ \\( 1 -eq 1 \\) -o 1 -eq 2 ] && echo or", 0, "or\n", ""),
    ("[ 1 -eq a ]", 2, "", "sh: 1: [: Illegal number: a\n"),
    ("[ 1 = 1", 2, "", "sh: 1: [: missing ]\n"),
    ("[ -e /dev/null ] && [ -c /dev/null ] && echo dev", 0, "dev\n", ""),
    ("source /etc/os-release", 127, "", "sh: 1: source: not found\n"),
    ("echo 'X=from-dot' > /tmp/env.sh; . /tmp/env.sh; echo $X", 0, "from-dot\n", ""),
    (". /nope.sh", 2, "", "sh: 1: .: cannot open /nope.sh: No such file\n"),
    ("exec echo replaced; echo never", 0, "replaced\n", ""),
    ("exec nope", 127, "", "sh: 1: exec: nope: not found\n"),
    # syntax errors: exit 2 and dash's message
    ("echo \"unterminated", 2, "", "sh: 1: Syntax error: Unterminated quoted string\n"),
    ("echo 'unterminated", 2, "", "sh: 1: Syntax error: Unterminated quoted string\n"),
    ("if true; then echo", 2, "", 'sh: 1: Syntax error: end of file unexpected (expecting "fi")\n'),
    ("if true; echo x; fi", 2, "", 'sh: 1: Syntax error: "fi" unexpected (expecting "then")\n'),
    ("echo a &&", 2, "", "sh: 1: Syntax error: end of file unexpected\n"),
    ("&& echo a", 2, "", 'sh: 1: Syntax error: "&&" unexpected\n'),
    ("; echo", 2, "", 'sh: 1: Syntax error: ";" unexpected\n'),
    ("echo a )", 2, "", 'sh: 1: Syntax error: ")" unexpected\n'),
    ("( echo a", 2, "", 'sh: 1: Syntax error: end of file unexpected (expecting ")")\n'),
    ("echo $(echo a", 2, "", 'sh: 1: Syntax error: end of file unexpected (expecting ")")\n'),
    ("for i in 1 2; echo $i; done", 2, "", 'sh: 1: Syntax error: "echo" unexpected (expecting "do")\n'),
    ("while true; do", 2, "", 'sh: 1: Syntax error: end of file unexpected (expecting "done")\n'),
    ("echo ok\nfi", 2, "ok\n", 'sh: 2: Syntax error: "fi" unexpected\n'),
    ("echo ok; fi", 2, "", 'sh: 1: Syntax error: "fi" unexpected\n'),
    ("{ echo a", 2, "", 'sh: 1: Syntax error: end of file unexpected (expecting "}")\n'),
    ("case x in", 2, "", rx("Syntax error: end of file unexpected")),
    ("echo `echo a", 2, "", "sh: 1: Syntax error: EOF in backquote substitution\n"),
    # commands that do not exist or are not simulated
    ("nope arg", 127, "", "sh: 1: nope: not found\n"),
    ("echo before; nope; echo $?", 0, "before\n127\n", "sh: 1: nope: not found\n"),
    ("./missing.sh", 127, "", "sh: 1: ./missing.sh: not found\n"),
    ("echo one\nnope", 127, "one\n", "sh: 2: nope: not found\n"),
    ("strace -f ls", 127, "", rx(r"^layerlab: 'strace' is not simulated \(supported: .*\bls\b.*\)\n$")),
    ("PATH=/nowhere; ls", 127, "", "sh: 1: ls: not found\n"),
    ("/etc", 126, "", "sh: 1: /etc: Permission denied\n"),
    ("/etc/passwd", 126, "", "sh: 1: /etc/passwd: Permission denied\n"),
    # the step budget ends endless loops
    ("while true; do :; done", 124, "", rx(r"^layerlab: stopped after \d+ steps: .*endless loop.*124")),
    ("f() { f; }; f", 2, "", rx("nesting")),
]


@pytest.mark.parametrize("cmd,code,out,err", ROWS, ids=[r[0][:40] for r in ROWS])
def test_grammar(deb, cmd, code, out, err):
    run_row(deb, cmd, code, out, err)


def test_not_found_is_reported(deb):
    r = Shell(deb).run("nope; strace ls; ls / > /dev/null")
    assert r.exit_code == 0 and r.not_found == ("nope", "strace")


def test_each_run_is_a_fresh_sh_c(deb):
    sh = Shell(deb, cwd="/tmp", env={"A": "1"})
    assert sh.run("cd /etc; A=2; set -e; export B=3").exit_code == 0
    assert sh.run("pwd; echo $A [$B]; false; echo still").stdout == "/tmp\n1 []\nstill\n"


def test_stdin_is_the_first_command_s_input(deb):
    assert Shell(deb, stdin="l1\nl2\n").run("read a; cat").stdout == "l2\n"


def test_no_sh_in_the_tree(deb):
    deb.unlink("/usr/bin/sh")
    r = Shell(deb).run("echo hi")
    assert (r.exit_code, r.stdout, r.not_found) == (127, "", ("/bin/sh",))
    assert "/bin/sh" in r.stderr
    assert Shell(deb).run_argv(["/bin/echo", "exec", "form"]).stdout == "exec form\n"


def test_run_argv_has_no_shell(deb):
    sh = Shell(deb)
    assert sh.run_argv(["echo", "$HOME", "*"]).stdout == "$HOME *\n"
    r = sh.run_argv(["cd", "/"])
    assert (r.exit_code, r.stderr) == (127, 'exec: "cd": executable file not found in $PATH\n')
    assert sh.run_argv(["sh", "-c", "echo $((1+1))"]).stdout == "2\n"
    assert sh.run_argv(["/bin/bash", "-o", "pipefail", "-c", "false | true"]).exit_code == 1


def test_busybox_ash_flavour(alpine):
    sh = Shell(alpine)
    assert sh.run("echo -e 'a\\tb'").stdout == "a\tb\n"
    assert sh.run("nope").stderr == "sh: nope: not found\n"
    assert sh.run("apt-get update").stderr == "sh: apt-get: not found\n"
    assert sh.run("ls / | head -n 1").stdout == "bin\n"


def test_shell_scripts(deb):
    deb.write("/usr/local/bin/greet", "#!/bin/sh\necho \"hello $1 from $0\"\nexit 5\n", mode=0o755)
    deb.write("/tmp/noexec.sh", "#!/bin/sh\necho hi\n", mode=0o644)
    deb.write("/tmp/bash.sh", "#!/usr/bin/env bash\necho bash-ok\n", mode=0o755)
    deb.write("/tmp/plain", "echo no shebang\n", mode=0o755)
    deb.write("/tmp/bad.sh", "echo a\nif true; then\n", mode=0o755)
    deb.write("/tmp/py.sh", "#!/usr/bin/python3\nprint(1)\n", mode=0o755)
    deb.write("/tmp/crlf.sh", "#!/bin/sh\r\necho hi\r\n", mode=0o755)
    rows = [
        ("greet world", 5, "hello world from greet\n", ""),
        ("/usr/local/bin/greet x; echo $?", 0, "hello x from /usr/local/bin/greet\n5\n", ""),
        ("/tmp/noexec.sh", 126, "", "sh: 1: /tmp/noexec.sh: Permission denied\n"),
        ("sh /tmp/noexec.sh", 0, "hi\n", ""),
        ("sh -c 'echo $0 $1 $#' name one", 0, "name one 1\n", ""),
        ("sh -c 'exit 3'; echo $?", 0, "3\n", ""),
        ("sh -ec 'false; echo no'", 1, "", ""),
        ("bash -o pipefail -c 'false | true'", 1, "", ""),
        ("echo 'echo from stdin' | sh", 0, "from stdin\n", ""),
        ("sh /tmp/nope.sh", 2, "", "sh: 0: cannot open /tmp/nope.sh: No such file\n"),
        ("sh -c", 2, "", "sh: 0: -c requires an argument\n"),
        ("/tmp/bash.sh", 0, "bash-ok\n", ""),
        ("cd /tmp && ./plain", 0, "no shebang\n", ""),
        ("/tmp/bad.sh", 2, "a\n", '/tmp/bad.sh: 3: Syntax error: end of file unexpected (expecting "fi")\n'),
        ("/tmp/py.sh", 127, "", "sh: 1: /tmp/py.sh: not found\n"),
        ("/tmp/crlf.sh", 127, "", "sh: 1: /tmp/crlf.sh: not found\n"),
        ("X=exported; export X; printf '#!/bin/sh\\necho [$X] [$Y]\\n' > /tmp/s; chmod +x /tmp/s; Y=local; /tmp/s",
         0, "[exported] []\n", ""),
    ]
    for cmd, code, out, err in rows:
        run_row(deb, cmd, code, out, err)


def test_busybox_shebang_interpreter_missing(alpine):
    alpine.write("/tmp/b.sh", "#!/bin/bash\necho hi\n", mode=0o755)
    r = Shell(alpine).run("/tmp/b.sh")
    assert (r.exit_code, r.stderr) == (127, "sh: /tmp/b.sh: not found\n")


BUSYBOX_ROWS = [
    ("ls /nope", 1, "", "ls: /nope: No such file or directory\n"),
    ("cat /nope", 1, "", "cat: can't open '/nope': No such file or directory\n"),
    ("rm /nope", 1, "", "rm: can't remove '/nope': No such file or directory\n"),
    ("mkdir /tmp/x /tmp/x", 1, "", "mkdir: can't create directory '/tmp/x': File exists\n"),
    ("uname -o", 0, "Linux\n", ""),
    ("busybox ls /nope", 1, "", "ls: /nope: No such file or directory\n"),
    ("busybox echo hi; busybox nosuch", 127, "hi\n", "nosuch: applet not found\n"),
]


@pytest.mark.parametrize("cmd,code,out,err", BUSYBOX_ROWS, ids=[r[0] for r in BUSYBOX_ROWS])
def test_busybox_wording(alpine, cmd, code, out, err):
    run_row(alpine, cmd, code, out, err)


def test_dot_dot_is_logical_for_cd_and_physical_for_programs(deb):
    assert Shell(deb).run("cd /bin && ls .. | head -n 2; cd ..; pwd").stdout == "bin\nlocal\n/\n"


def test_busybox_image_with_hard_linked_applets():
    from layerlab.fs.entries import File, HardLink
    from layerlab.fs.layer import Layer
    from layerlab.fs.union import merge
    from layerlab.fs.worktree import WorkTree
    spec = {"/bin/busybox": File("\x7fELF busybox", mode=0o755), "/tmp/": Dir(mode=0o1777),
            **{f"/bin/{n}": HardLink("/bin/busybox") for n in ("sh", "ls", "echo", "cat")}}
    sh = Shell(WorkTree(merge([Layer.from_spec(spec)])))
    r = sh.run("echo -e 'a\\tb'; ls /nope; cat /nope; mkdir /x")
    assert (r.exit_code, r.stdout) == (127, "a\tb\n")
    assert r.stderr == ("ls: /nope: No such file or directory\ncat: can't open '/nope': No such file or directory\n"
                        "sh: mkdir: not found\n")
