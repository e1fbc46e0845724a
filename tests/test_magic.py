"""%docker and %%dockerfile through a real IPython shell: docker's syntax, docker's output, docker's errors."""

from __future__ import annotations

import json
import re
import tarfile

import pytest

pytest.importorskip("IPython")
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from layerlab import Engine  # noqa: E402
from layerlab.magic import COMMANDS, CLIError, engine, go_format, parse_args, render_template, use_engine  # noqa: E402

SEED = 'FROM ubuntu:14.04\nADD run.sh /\nVOLUME /data\nCMD ["./run.sh"]\n'
RUN_SH = "#!/bin/sh\necho 'hello from run.sh' > /data/out\n"
FULL_ID = re.compile(r"^[0-9a-f]{64}\n$")


@pytest.fixture(scope="module")
def ip():
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "layerlab")
    return shell


@pytest.fixture
def eng(ip):
    e = Engine()
    use_engine(e, ip)
    ip.user_ns["ctx"] = {"run.sh": RUN_SH}
    return e


@pytest.fixture
def docker(ip, capsys, eng):
    """docker("ps -a") -> (stdout, stderr) of `%docker ps -a`."""
    def run(line):
        capsys.readouterr()
        ip.run_line_magic("docker", line)
        return capsys.readouterr()
    return run


@pytest.fixture
def dockerfile(ip, capsys, eng):
    def run(line, cell):
        capsys.readouterr()
        ip.run_cell_magic("dockerfile", line, cell)
        return capsys.readouterr()
    return run


def test_seed_walk_through(docker, dockerfile, eng, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out, err = dockerfile("-t seed ctx", SEED)
    assert "#3 [2/2] ADD run.sh /" in out and "writing image sha256:" in out and err == ""

    assert docker("run -v vol1:/data seed") == ("", "")            # run.sh writes into the volume, prints nothing
    assert "Exited (0)" in docker("ps -a").out

    out, _ = docker("run -d --name web -v vol1:/data seed")
    assert FULL_ID.match(out) and eng.container("web").id == out.strip()

    assert docker("exec web cat /data/out").out == "hello from run.sh\n"
    assert docker('exec web sh -c "echo hi > /tmp/x && rm /etc/issue"') == ("", "")
    assert docker("diff web").out.splitlines() == ["A /data", "C /etc", "D /etc/issue", "C /tmp", "A /tmp/x"]

    out, _ = docker('commit -m "add x" web seed:v2')
    assert out.startswith("sha256:") and out.strip() == eng.resolve_image("seed:v2").id

    assert docker("export -o web.tar web") == ("", "")
    with tarfile.open(tmp_path / "web.tar") as tf:
        names = set(tf.getnames())
    assert "tmp/x" in names and "data/out" not in names and "etc/issue" not in names

    lines = docker("history seed:v2").out.splitlines()
    assert lines[0].split() == ["IMAGE", "CREATED", "CREATED", "BY", "SIZE", "COMMENT"]
    assert lines[1].startswith(eng.resolve_image("seed:v2").short_id) and lines[1].endswith("add x")
    assert "hello from run.sh" not in docker("logs web").out      # run.sh printed nothing; its output went to a file


@pytest.mark.parametrize("line, message", [
    ("run --foo seed", "unknown flag: --foo\nSee 'docker run --help'.\n"),
    ("ps -z", "unknown shorthand flag: 'z' in -z\nSee 'docker ps --help'.\n"),
    ("ps -az", "unknown shorthand flag: 'z' in -az\nSee 'docker ps --help'.\n"),
    ("run --name", "flag needs an argument: --name\nSee 'docker run --help'.\n"),
    ("foo", "docker: 'foo' is not a docker command.\nSee 'docker --help'\n"),
    ("volume frob", "docker: 'volume frob' is not a docker command.\nSee 'docker --help'\n"),
    ("run", '"docker run" requires at least 1 argument.\nSee \'docker run --help\'.\n\nUsage:  docker run [OPTIONS] '
            "IMAGE [COMMAND] [ARG...]\n\nCreate and run a new container from an image\n"),
    ("diff", '"docker diff" requires exactly 1 argument.\nSee \'docker diff --help\'.'),
    ("tag onlyone", '"docker tag" requires exactly 2 arguments.'),
    ("ps extra", '"docker ps" accepts no arguments.'),
    ("exec nosuch ls", "Error response from daemon: No such container: nosuch\n"),
    ("rm nosuch", "Error response from daemon: No such container: nosuch\n"),
    ("inspect nosuch", "Error: No such object: nosuch\n"),
    ("volume rm nosuch", "Error response from daemon: get nosuch: no such volume\n"),
    ("rmi nosuch", "Error response from daemon: No such image: nosuch\n"),
    ("run --rm nosuchimage", "docker: Error response from daemon: pull access denied for nosuchimage"),
    ("export", '"docker export" requires exactly 1 argument.'),
    ("save busybox", "cowardly refusing to save to a terminal. Use the -o flag or redirect\n"),
    ("run --rm --mount type=tmpfs,target=/t busybox", "type 'tmpfs' is not simulated"),
    ("cp a b", "docker cp: not simulated by layerlab"),
    ("save -o nodir/x.tar busybox", 'failed to save image: invalid output path: directory "nodir" does not exist\n'),
    ("load -i nofile.tar", "open nofile.tar: no such file or directory\n"),
    ("run -d busybox 'unclosed", "docker: invalid command line"),
], ids=lambda v: v if " " not in str(v)[:12] else None)
def test_errors_use_dockers_words_on_stderr_without_a_traceback(docker, line, message):
    out, err = docker(line)
    assert out == ""
    assert err.startswith(message) if message.endswith("\n") else message in err
    assert "Traceback" not in err


def test_run_prints_output_and_detached_run_prints_the_id(docker, eng):
    assert docker("run --rm busybox echo hello") == ("hello\n", "Unable to find image 'busybox:latest' locally\n"
                                                     "latest: Pulling from library/busybox\n"
                                                     f"Digest: {eng.resolve_image('busybox').id}\n"
                                                     "Status: Downloaded newer image for busybox:latest\n")
    assert docker("run --rm busybox sh -c 'echo out; echo err >&2; exit 3'") == ("out\n", "err\n")
    out, err = docker("run -d --name sleeper busybox sleep 100")
    assert FULL_ID.match(out) and err == ""
    assert docker("ps -q").out == out[:12] + "\n"
    assert docker("ps -q --no-trunc").out == out


@pytest.mark.parametrize("flags, command, expected", [
    ("-e GREETING=hi -w /tmp", "sh -c 'echo $GREETING; pwd'", "hi\n/tmp\n"),
    ("--env=GREETING=hi", "sh -c 'echo $GREETING'", "hi\n"),
    ("-u nobody", "id -u", "65534\n"),
    ("--user=nobody --workdir=/var", "sh -c 'whoami; pwd'", "nobody\n/var\n"),
    ("--entrypoint echo", "hello world", "hello world\n"),
    ("-it -h myhost", "hostname", "myhost\n"),
    ("-v data:/data", "sh -c 'echo x > /data/f && ls /data'", "f\n"),
    ("-v /srv/site:/mnt", "sh -c 'echo x > /mnt/f && ls /mnt'", "f\n"),
    ("--mount type=volume,source=m,target=/m", "sh -c 'echo x > /m/f && cat /m/f'", "x\n"),
], ids=["env-workdir", "env-equals", "user", "long-equals", "entrypoint", "it-hostname", "named-volume",
        "bind-mount", "mount-volume"])
def test_run_options(docker, flags, command, expected):
    assert docker(f"run --rm {flags} busybox {command}").out == expected


@pytest.mark.parametrize("flags", ["-v ro:/data:ro", "--mount type=volume,source=ro,target=/data,readonly",
                                   "--mount type=volume,src=ro,dst=/data,ro=true"])
def test_read_only_volumes_refuse_writes(docker, flags):
    out, err = docker(f"run --rm {flags} busybox sh -c 'echo x > /data/f'")
    assert "Read-only file system" in err


def test_anonymous_volume_and_bind_mount_appear_in_inspect(docker):
    docker("run -d --name m -v /y -v /srv/host:/mnt busybox sleep 100")
    mounts = json.loads(docker("inspect -f '{{json .Mounts}}' m").out)
    assert [(m["Type"], m["Destination"]) for m in mounts] == [("bind", "/mnt"), ("volume", "/y")]


def test_container_lifecycle_prints_like_docker(docker, eng):
    out, _ = docker("create --name c busybox echo created")
    assert FULL_ID.match(out)
    assert docker("start -a c").out == "created\n"
    assert docker("start c") == ("c\n", "")
    assert docker("logs c").out == "created\ncreated\n"
    assert docker("logs --tail 1 c").out == "created\n"
    assert docker("restart c").out == "c\n"
    assert docker("stop c").out == "c\n"
    assert docker("rm c").out == "c\n"
    assert "c" not in [x.name for x in eng.containers.values()]


def test_run_rm_detached_is_removed_on_stop(docker, eng):
    docker("run -d --rm --name temp busybox sleep 100")
    docker("stop temp")
    assert all(c.name != "temp" for c in eng.containers.values())


def test_rm_refuses_a_running_container_unless_forced(docker):
    docker("run -d --name busy busybox sleep 100")
    out, err = docker("rm busy")
    assert out == "" and err.startswith('Error response from daemon: cannot remove container "/busy": container is '
                                        "running")
    assert docker("rm -f busy").out == "busy\n"


def test_exec_options_and_exit_status(docker):
    docker("run -d --name box busybox sleep 100")
    assert docker("exec -u nobody -w /tmp box sh -c 'pwd; id -un'").out == "/tmp\nnobody\n"
    assert docker("exec -it -e WHO=me box sh -c 'echo $WHO'").out == "me\n"
    assert docker("exec box sh -c 'echo oops >&2; exit 2'") == ("", "oops\n")
    docker("stop box")
    _, err = docker("exec box true")
    assert err.startswith("Error response from daemon: container") and "is not running" in err


@pytest.mark.parametrize("template, expected", [
    ("{{.Config.Cmd}}", "[./run.sh]"),
    ("{{json .Config.Cmd}}", '["./run.sh"]'),
    ("{{.Config.Entrypoint}}", "[]"),
    ("{{.Config.Volumes}}", "map[/data:map[]]"),
    ("{{json .Config.Volumes}}", '{"/data":{}}'),
    ("{{.Os}}/{{.Architecture}}", "linux/amd64"),
    ("{{len .RootFS.Layers}}", "5"),
    ("{{index .RepoTags 0}}", "seed:latest"),
    ("{{join .RepoTags \",\"}}", "seed:latest"),
    ("{{.Nope}}", "<no value>"),
], ids=lambda v: None)
def test_inspect_format_templates(docker, dockerfile, template, expected):
    dockerfile("-t seed ctx", SEED)
    assert docker(f"inspect -f '{template}' seed").out == expected + "\n"


def test_inspect_default_is_a_json_array_and_finds_containers_and_volumes(docker, dockerfile, eng):
    dockerfile("-t seed ctx", SEED)
    data = json.loads(docker("inspect seed").out)
    assert [d["Id"] for d in data] == [eng.resolve_image("seed").id] and data[0]["Config"]["Cmd"] == ["./run.sh"]
    docker("run -d --name s -v v9:/data seed")
    both = json.loads(docker("inspect s v9").out)
    assert both[0]["Name"] == "/s" and both[1]["Name"] == "v9"
    assert docker("inspect -f '{{.State.Status}}' s").out == "running\n"
    assert docker("inspect --type volume -f '{{.Mountpoint}}' v9").out == "/var/lib/docker/volumes/v9/_data\n"


def test_images_tag_rmi_and_history(docker, dockerfile, eng):
    dockerfile("-t seed ctx", SEED)
    assert docker("tag seed me/seed:1") == ("", "")
    lines = docker("images").out.splitlines()
    assert lines[0].split() == ["REPOSITORY", "TAG", "IMAGE", "ID", "CREATED", "SIZE"]
    assert {tuple(line.split()[:2]) for line in lines[1:]} == {("seed", "latest"), ("me/seed", "1"),
                                                             ("ubuntu", "14.04")}
    assert docker("images me/seed").out.count("\n") == 2
    assert docker("images -q").out.splitlines() == [eng.resolve_image("seed").short_id,
                                                    eng.resolve_image("ubuntu:14.04").short_id]
    assert docker("rmi me/seed:1").out == "Untagged: me/seed:1\n"
    no_trunc = docker("history --no-trunc seed").out.splitlines()
    assert no_trunc[1].startswith(eng.resolve_image("seed").id) and "CMD [\"./run.sh\"]" in no_trunc[1]


def test_commit_with_changes_and_author(docker, eng):
    docker("run -d --name w busybox sleep 100")
    docker("exec w sh -c 'echo hi > /greeting'")
    out, _ = docker("commit -a me -m note -c 'CMD [\"cat\", \"/greeting\"]' --change 'ENV A=b' w greet")
    img = eng.resolve_image("greet")
    assert out == img.id + "\n" and img.config.cmd == ("cat", "/greeting") and img.config.env_dict()["A"] == "b"
    assert (img.history[-1].author, img.history[-1].comment) == ("me", "note")
    assert docker("run --rm greet").out == "hi\n"


def test_save_and_load_round_trip(docker, dockerfile, ip, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    dockerfile("-t hello", 'FROM busybox\nRUN echo hi > /greeting\nCMD ["cat", "/greeting"]\n')
    assert docker("save -o hello.tar hello") == ("", "")
    assert docker("save --format oci-dir -o hello-oci hello") == ("", "")
    use_engine(Engine(), ip)
    assert docker("load -i hello.tar").out == "Loaded image: hello:latest\n"
    assert docker("run --rm hello").out == "hi\n"


def test_volumes_and_system_df(docker):
    assert docker("volume create v1").out == "v1\n"
    assert docker("volume ls").out.splitlines() == ["DRIVER   VOLUME NAME", "local    v1"]
    assert docker("volume ls -q").out == "v1\n"
    assert json.loads(docker("volume inspect v1").out)[0]["Mountpoint"] == "/var/lib/docker/volumes/v1/_data"
    assert docker("run --rm -v v1:/data busybox sh -c 'echo 12345 > /data/f'").out == ""
    assert docker("system df").out.splitlines()[0].split() == ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"]
    verbose = docker("system df -v").out
    for section in ("Images space usage:", "Containers space usage:", "Local Volumes space usage:",
                    "Build cache usage: 0B"):
        assert section in verbose
    assert re.search(r"v1\s+0\s+6B", verbose)
    assert docker("volume rm v1").out == "v1\n"


def test_management_commands_are_aliases(docker):
    docker("run -d --name a1 busybox sleep 100")
    assert docker("container ls -q").out == docker("ps -q").out
    assert docker("image ls").out == docker("images").out
    assert docker("container inspect -f '{{.Name}}' a1").out == "/a1\n"


def test_dockerfile_cell_options(ip, dockerfile, docker, eng, tmp_path):
    (tmp_path / "run.sh").write_text(RUN_SH)
    ip.user_ns["ctxdir"] = str(tmp_path)
    out, _ = dockerfile(f"-t seed --profile classic {tmp_path}", SEED)
    assert out.startswith("Sending build context to Docker daemon") and "Step 2/4 : ADD run.sh /" in out
    out, _ = dockerfile("-q -t seed2 ctxdir", SEED)
    assert out == eng.resolve_image("seed2").id + "\n"
    out, _ = dockerfile("-t a -t b:2 --build-arg WHO=me", "FROM busybox\nARG WHO\nRUN echo $WHO > /who\n")
    assert eng.resolve_image("a").id == eng.resolve_image("b:2").id
    assert docker("run --rm b:2 cat /who").out == "me\n"


def test_dockerfile_cell_errors_print_the_log_and_the_error(dockerfile):
    out, err = dockerfile("-t broken", "FROM busybox\nRUN echo before && false\n")
    assert "#2 [1/2] FROM busybox" in out
    assert "ERROR: failed to solve: process \"/bin/sh -c echo before && false\" did not complete" in err
    out, err = dockerfile("-t broken", "FROM busybox\nFOO bar\n")
    assert out == "" and "unknown instruction: FOO" in err and "Traceback" not in err
    out, err = dockerfile("-t x nosuchcontext", "FROM busybox\n")
    assert err == 'ERROR: unable to prepare context: path "nosuchcontext" not found\n'


def test_build_uses_a_dockerfile_defined_in_a_cell(dockerfile, docker, eng):
    dockerfile("-f Dockerfile.dev -t dev ctx", SEED)
    out, err = docker("build -f Dockerfile.dev -t dev2 ctx")
    assert "#3 CACHED" in out and eng.resolve_image("dev2").id
    out, err = docker("build -f Nope -t x ctx")
    assert "failed to read dockerfile: open Nope" in err and "Dockerfile.dev" in err


def test_engine_is_replaceable(ip, docker, eng):
    other = Engine()
    ip.user_ns["lab2"] = other
    docker("volume create only-in-eng")
    assert docker("--engine lab2").out == 'Current engine is now "lab2"\n'
    assert engine(ip) is other and docker("volume ls -q").out == ""
    assert docker("--engine fresh volume ls -q").out == ""
    use_engine(eng, ip)
    assert docker("volume ls -q").out == "only-in-eng\n"


def test_magics_do_not_expand_ipython_variables(ip, docker):
    ip.user_ns["NAME"] = "python-side"
    assert docker("run --rm -e NAME=container busybox sh -c 'echo $NAME'").out == "container\n"


def test_unload_and_reload(ip, capsys):
    ip.run_line_magic("unload_ext", "layerlab")
    assert "docker" not in ip.magics_manager.magics["line"]
    ip.run_line_magic("load_ext", "layerlab")
    assert "docker" in ip.magics_manager.magics["line"] and "dockerfile" in ip.magics_manager.magics["cell"]


# -- the parser on its own ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command, args, expected_opts, expected_rest", [
    ("run", ["-dit", "busybox"], {"detach": True, "interactive": True, "tty": True}, ["busybox"]),
    ("run", ["-vdata:/d", "-v=x:/y", "busybox"], {"volume": ["data:/d", "x:/y"]}, ["busybox"]),
    ("run", ["--rm=false", "busybox", "--rm"], {"rm": False}, ["busybox", "--rm"]),
    ("rm", ["c1", "-f", "c2"], {"force": True}, ["c1", "c2"]),
    ("exec", ["-u", "0", "c", "ls", "-la"], {"user": "0"}, ["c", "ls", "-la"]),
    ("ps", ["--", ], {}, []),
], ids=["combined-shorthands", "attached-values", "stops-at-image", "interspersed", "exec-stops-at-command",
        "double-dash"])
def test_parse_args(command, args, expected_opts, expected_rest):
    opts, rest = parse_args(COMMANDS[command], args)
    assert {k: opts[k] for k in expected_opts} == expected_opts and rest == expected_rest


def test_parse_args_refuses_a_bad_boolean():
    with pytest.raises(CLIError, match='invalid argument "maybe" for "--rm" flag'):
        parse_args(COMMANDS["run"], ["--rm=maybe", "busybox"])


@pytest.mark.parametrize("value, text", [([], "[]"), ({"a": 1, "b": [True]}, "map[a:1 b:[true]]"), ("s", "s"),
                                         (1.0, "1"), (None, "<nil>")])
def test_go_format(value, text):
    assert go_format(value) == text


@pytest.mark.parametrize("template, message", [
    ("{{range .Mounts}}{{.Source}}{{end}}", "range is not supported"),
    ("{{json}}", "error calling json"),
    ("{{len .Nope}}", "error calling len"),
    ("{{nosuch .A}}", 'function "nosuch" not defined'),
])
def test_bad_templates_are_explained(template, message):
    with pytest.raises(CLIError, match=message):
        render_template(template, {"A": 1})


def test_analysis_cli_and_magic_import_no_heavy_libraries():
    import subprocess
    import sys

    code = ("import sys, layerlab.analysis, layerlab.cli, layerlab.magic; "
            "print(','.join(m for m in ('matplotlib', 'networkx', 'ipywidgets', 'IPython') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
