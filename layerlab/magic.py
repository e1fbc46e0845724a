"""`%docker` and `%%dockerfile`: real docker CLI syntax against the notebook's simulated Engine.

    %load_ext layerlab
    %%dockerfile -t seed ctx            <- the cell is the Dockerfile; ctx a dict (or a directory) in the notebook
    %docker run -v vol1:/data seed
    %docker ps -a
    %docker --engine other              <- switch to another engine (a variable holding an Engine, or a new one)

Output is what the docker CLI prints: tables, `C /etc` diff lines, IDs.
Usage errors use docker's own words on stderr (`unknown flag: --foo`,
`See 'docker run --help'.`); daemon refusals print as `Error response from
daemon: ...`; nothing prints a traceback. Only this module imports IPython,
and only when the extension loads.

The commands also run without IPython (this is what the magics call):

>>> import io, sys
>>> s = DockerSession()
>>> s.dockerfile("-t hello", 'FROM busybox\\nRUN echo hi > /greeting\\nCMD ["cat", "/greeting"]\\n', io.StringIO())
0
>>> s.docker("run --rm hello")
hi
0
>>> s.docker("frobnicate", err=sys.stdout)      # errors go to stderr; shown here for the doctest
docker: 'frobnicate' is not a docker command.
See 'docker --help'
125
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
import weakref
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence, TextIO

from .engine import Engine, normalize_ref, split_ref
from .errors import LayerlabError, NotFoundError
from .runtime.mounts import Mount
from .tables import Table, ago, human_size

__all__ = ["DockerSession", "engine", "load_ipython_extension", "session", "unload_ipython_extension",
           "use_engine"]


# -- flags, parsed the way docker's CLI (cobra + pflag) parses them ------------------------------------------
@dataclass(frozen=True)
class Flag:
    """One option: its spellings ('-v', '--volume'), where it goes, and whether it is a switch, a value or a list."""

    names: tuple[str, ...]
    dest: str
    kind: str = "bool"     # bool | value | list
    default: object = None


def _flags(*specs: tuple) -> tuple[Flag, ...]:
    out = []
    for spec in specs:
        names, kind = spec[0].split(), spec[1] if len(spec) > 1 else "bool"
        dest = next(n for n in names if n.startswith("--"))[2:].replace("-", "_")
        default = spec[2] if len(spec) > 2 else ([] if kind == "list" else (False if kind == "bool" else None))
        out.append(Flag(tuple(names), dest, kind, default))
    return tuple(out)


@dataclass(frozen=True)
class Command:
    """A docker subcommand: usage line, one-line description, flags and how many arguments it takes."""

    path: str
    usage: str
    short: str
    flags: tuple[Flag, ...] = ()
    min_args: int = 0
    max_args: int | None = None
    interspersed: bool = True


class CLIError(Exception):
    """A usage error, already worded as the docker CLI words it; status is the exit code docker uses."""

    def __init__(self, text: str, status: int = 125):
        super().__init__(text)
        self.text, self.status = text, status


def _plural(n: int) -> str:
    return "argument" if n == 1 else "arguments"


def parse_args(cmd: Command, args: Sequence[str]) -> tuple[dict, list[str]]:
    """(options, positionals) for a command's arguments, or a CLIError with docker's wording.

    >>> opts, rest = parse_args(COMMANDS["run"], ["-it", "--rm", "-v", "vol1:/data", "-e=A=1", "seed", "ls", "-l"])
    >>> opts["interactive"], opts["tty"], opts["rm"], opts["volume"], opts["env"], rest
    (True, True, True, ['vol1:/data'], ['A=1'], ['seed', 'ls', '-l'])
    >>> parse_args(COMMANDS["run"], ["--foo", "seed"])
    Traceback (most recent call last):
    ...
    layerlab.magic.CLIError: unknown flag: --foo
    See 'docker run --help'.
    """
    by_long = {n: f for f in cmd.flags for n in f.names if n.startswith("--")}
    by_short = {n[1:]: f for f in cmd.flags for n in f.names if len(n) == 2}
    opts: dict = {f.dest: (list(f.default) if isinstance(f.default, list) else f.default) for f in cmd.flags}
    opts["help"] = False
    rest: list[str] = []
    see = f"\nSee '{cmd.path} --help'."

    def store(flag: Flag, value) -> None:
        if flag.kind == "list":
            opts[flag.dest].append(value)
        else:
            opts[flag.dest] = value

    i = 0
    args = list(args)
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            rest += args[i:]
            break
        if not arg.startswith("-") or arg == "-":
            rest.append(arg)
            if not cmd.interspersed:
                rest += args[i:]
                break
            continue
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            if name == "--help":
                opts["help"] = True
                continue
            flag = by_long.get(name)
            if flag is None:
                raise CLIError(f"unknown flag: {name}{see}")
            if flag.kind == "bool":
                if eq and value.lower() not in ("true", "false", "1", "0", "t", "f"):
                    raise CLIError(f'invalid argument "{value}" for "{name}" flag: strconv.ParseBool: parsing '
                                   f'"{value}": invalid syntax{see}')
                store(flag, not eq or value.lower() in ("true", "1", "t"))
                continue
            if not eq:
                if i >= len(args):
                    raise CLIError(f"flag needs an argument: {name}{see}")
                value = args[i]
                i += 1
            store(flag, value)
            continue
        shorts = arg[1:]
        j = 0
        while j < len(shorts):
            c = shorts[j]
            flag = by_short.get(c)
            if flag is None:
                raise CLIError(f"unknown shorthand flag: '{c}' in {arg}{see}")
            j += 1
            if flag.kind == "bool":
                store(flag, True)
                continue
            value = shorts[j:]
            if value.startswith("="):
                value = value[1:]
            elif not value:
                if i >= len(args):
                    raise CLIError(f"flag needs an argument: '{c}' in -{c}{see}")
                value = args[i]
                i += 1
            store(flag, value)
            break
    if opts["help"]:
        return opts, rest
    n = len(rest)
    tail = f"{see}\n\nUsage:  {cmd.usage}\n\n{cmd.short}"
    if cmd.max_args == 0 and n:
        raise CLIError(f'"{cmd.path}" accepts no arguments.{tail}')
    if cmd.min_args == cmd.max_args and n != cmd.min_args:
        raise CLIError(f'"{cmd.path}" requires exactly {cmd.min_args} {_plural(cmd.min_args)}.{tail}')
    if n < cmd.min_args:
        if cmd.max_args is not None and cmd.max_args != cmd.min_args:
            raise CLIError(f'"{cmd.path}" requires at least {cmd.min_args} and at most {cmd.max_args} '
                           f"{_plural(cmd.max_args)}.{tail}")
        raise CLIError(f'"{cmd.path}" requires at least {cmd.min_args} {_plural(cmd.min_args)}.{tail}')
    if cmd.max_args is not None and n > cmd.max_args:
        if cmd.min_args:
            raise CLIError(f'"{cmd.path}" requires at least {cmd.min_args} and at most {cmd.max_args} '
                           f"{_plural(cmd.max_args)}.{tail}")
        raise CLIError(f'"{cmd.path}" requires at most {cmd.max_args} {_plural(cmd.max_args)}.{tail}')
    return opts, rest


_RUN_FLAGS = _flags(
    ("-d --detach",), ("--rm",), ("-v --volume", "list"), ("--mount", "list"), ("-e --env", "list"),
    ("-w --workdir", "value"), ("-u --user", "value"), ("--name", "value"), ("--entrypoint", "value"),
    ("-i --interactive",), ("-t --tty",), ("-h --hostname", "value"), ("-p --publish", "list"),
    ("--network", "value"), ("--init",), ("--privileged",))

COMMANDS: dict[str, Command] = {c.path.split(" ", 1)[1]: c for c in [
    Command("docker run", "docker run [OPTIONS] IMAGE [COMMAND] [ARG...]",
            "Create and run a new container from an image", _RUN_FLAGS, 1, None, False),
    Command("docker create", "docker create [OPTIONS] IMAGE [COMMAND] [ARG...]", "Create a new container",
            tuple(f for f in _RUN_FLAGS if f.dest not in ("detach", "rm")) + _flags(("--rm",)), 1, None, False),
    Command("docker start", "docker start [OPTIONS] CONTAINER [CONTAINER...]",
            "Start one or more stopped containers", _flags(("-a --attach",), ("-i --interactive",)), 1),
    Command("docker stop", "docker stop [OPTIONS] CONTAINER [CONTAINER...]", "Stop one or more running containers",
            _flags(("-t --time", "value"), ("-s --signal", "value")), 1),
    Command("docker restart", "docker restart [OPTIONS] CONTAINER [CONTAINER...]", "Restart one or more containers",
            _flags(("-t --time", "value"), ("-s --signal", "value")), 1),
    Command("docker rm", "docker rm [OPTIONS] CONTAINER [CONTAINER...]", "Remove one or more containers",
            _flags(("-f --force",), ("-v --volumes",)), 1),
    Command("docker exec", "docker exec [OPTIONS] CONTAINER COMMAND [ARG...]",
            "Execute a command in a running container",
            _flags(("-d --detach",), ("-e --env", "list"), ("-i --interactive",), ("-t --tty",),
                   ("-u --user", "value"), ("-w --workdir", "value"), ("--privileged",)), 2, None, False),
    Command("docker diff", "docker diff CONTAINER",
            "Inspect changes to files or directories on a container's filesystem", (), 1, 1),
    Command("docker commit", "docker commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
            "Create a new image from a container's changes",
            _flags(("-a --author", "value"), ("-c --change", "list"), ("-m --message", "value"),
                   ("-p --pause", "bool", True)), 1, 2),
    Command("docker export", "docker export [OPTIONS] CONTAINER", "Export a container's filesystem as a tar archive",
            _flags(("-o --output", "value")), 1, 1),
    Command("docker save", "docker save [OPTIONS] IMAGE [IMAGE...]",
            "Save one or more images to a tar archive (streamed to STDOUT by default)",
            _flags(("-o --output", "value"), ("--format", "value")), 1),
    Command("docker load", "docker load [OPTIONS]", "Load an image from a tar archive or STDIN",
            _flags(("-i --input", "value"), ("-q --quiet",)), 0, 0),
    Command("docker images", "docker images [OPTIONS] [REPOSITORY[:TAG]]", "List images",
            _flags(("-a --all",), ("-q --quiet",), ("--no-trunc",)), 0, 1),
    Command("docker history", "docker history [OPTIONS] IMAGE", "Show the history of an image",
            _flags(("--no-trunc",), ("-q --quiet",), ("-H --human", "bool", True)), 1, 1),
    Command("docker inspect", "docker inspect [OPTIONS] NAME|ID [NAME|ID...]",
            "Return low-level information on Docker objects",
            _flags(("-f --format", "value"), ("-s --size",), ("--type", "value")), 1),
    Command("docker tag", "docker tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
            "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", (), 2, 2),
    Command("docker rmi", "docker rmi [OPTIONS] IMAGE [IMAGE...]", "Remove one or more images",
            _flags(("-f --force",), ("--no-prune",)), 1),
    Command("docker ps", "docker ps [OPTIONS]", "List containers",
            _flags(("-a --all",), ("-s --size",), ("-q --quiet",), ("-l --latest",), ("-n --last", "value"),
                   ("--no-trunc",)), 0, 0),
    Command("docker logs", "docker logs [OPTIONS] CONTAINER", "Fetch the logs of a container",
            _flags(("-f --follow",), ("-t --timestamps",), ("-n --tail", "value")), 1, 1),
    Command("docker build", "docker build [OPTIONS] PATH | URL | -", "Build an image from a Dockerfile",
            _flags(("-t --tag", "list"), ("-f --file", "value"), ("--target", "value"), ("--build-arg", "list"),
                   ("-q --quiet",), ("--no-cache",), ("--pull",), ("--profile", "value"), ("--progress", "value")),
            1, 1),
    Command("docker pull", "docker pull [OPTIONS] NAME[:TAG|@DIGEST]", "Download an image from a registry",
            _flags(("-q --quiet",)), 1, 1),
    Command("docker volume create", "docker volume create [OPTIONS] [VOLUME]", "Create a volume",
            _flags(("-d --driver", "value"), ("--label", "list"), ("-o --opt", "list"), ("--name", "value")), 0, 1),
    Command("docker volume ls", "docker volume ls [OPTIONS]", "List volumes", _flags(("-q --quiet",)), 0, 0),
    Command("docker volume inspect", "docker volume inspect [OPTIONS] VOLUME [VOLUME...]",
            "Display detailed information on one or more volumes", _flags(("-f --format", "value")), 1),
    Command("docker volume rm", "docker volume rm [OPTIONS] VOLUME [VOLUME...]", "Remove one or more volumes",
            _flags(("-f --force",)), 1),
    Command("docker system df", "docker system df [OPTIONS]", "Show docker disk usage",
            _flags(("-v --verbose",)), 0, 0),
]}

# `docker image ls`, `docker container rm`, ...: the management commands and what they stand for
ALIASES = {
    "image ls": "images", "image list": "images", "image inspect": "inspect", "image history": "history",
    "image rm": "rmi", "image remove": "rmi", "image tag": "tag", "image save": "save", "image load": "load",
    "image build": "build", "image pull": "pull", "container ls": "ps", "container list": "ps",
    "container ps": "ps", "container run": "run", "container create": "create", "container start": "start",
    "container stop": "stop", "container restart": "restart", "container rm": "rm", "container remove": "rm",
    "container exec": "exec", "container diff": "diff", "container commit": "commit",
    "container export": "export", "container inspect": "inspect", "container logs": "logs",
    "builder build": "build", "buildx build": "build", "volume list": "volume ls", "volume remove": "volume rm",
}
GROUPS = ("volume", "system", "image", "container", "builder", "buildx")
NOT_SIMULATED = {"cp", "attach", "kill", "pause", "unpause", "port", "rename", "stats", "top", "update", "wait",
                 "push", "login", "logout", "search", "import", "network", "events", "info", "version", "compose",
                 "context", "plugin", "swarm", "node", "service", "stack", "secret", "config", "trust",
                 "manifest", "checkpoint", "scout", "init", "debug"}


# -- Go templates (the subset `docker inspect -f` needs) ------------------------------------------------------
_NIL_AS = {"Cmd": [], "Entrypoint": [], "Env": [], "OnBuild": [], "Shell": [], "Volumes": {}, "ExposedPorts": {},
           "Labels": {}, "User": "", "WorkingDir": "", "StopSignal": "", "RepoTags": [], "RepoDigests": [],
           "Mounts": []}
_MISSING = object()


def go_format(value) -> str:
    """A value as Go's fmt prints it with %v: lists as [a b], maps as map[k:v], nil as <nil>.

    >>> go_format(["./run.sh"]), go_format({"/data": {}}), go_format(True), go_format(None)
    ('[./run.sh]', 'map[/data:map[]]', 'true', '<nil>')
    """
    if value is _MISSING:
        return "<no value>"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(go_format(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "map[" + " ".join(f"{k}:{go_format(value[k])}" for k in sorted(value)) + "]"
    return str(value)


def _lookup(data, dotted: str):
    if dotted in (".", ""):
        return data
    value = data
    for part in dotted.strip(".").split("."):
        if isinstance(value, Mapping):
            if part in value:
                value = value[part]
            elif part in _NIL_AS:
                value = _NIL_AS[part]
            else:
                return _MISSING
        else:
            raise CLIError(f"template: :1:{len(dotted)}: executing \"\" at <{dotted}>: can't evaluate field "
                           f"{part} in type {type(value).__name__}", 1)
    return value


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\S+')


def _eval(words: list[str], data):
    if not words:
        return ""
    head, args = words[0], words[1:]

    def arg(word):
        if word.startswith('"'):
            return json.loads(word)
        if word.startswith("."):
            return _lookup(data, word)
        if re.fullmatch(r"-?\d+", word):
            return int(word)
        raise CLIError(f'template parsing error: template: :1: function "{word}" not defined', 1)

    if head.startswith(".") or head.startswith('"'):
        if args:
            raise CLIError(f"template parsing error: template: :1: can't give argument to non-function {head}", 1)
        return arg(head)
    values = [arg(w) for w in args]
    if head == "json":
        return json.dumps(None if values[0] is _MISSING else values[0], separators=(",", ":"), ensure_ascii=False)
    if head == "join":
        return values[1].join(str(v) for v in (values[0] or []))
    if head in ("upper", "lower", "title"):
        return getattr(go_format(values[0]), head)()
    if head == "len":
        return len(values[0])
    if head == "index":
        value = values[0]
        for key in values[1:]:
            try:
                value = value[key]
            except (KeyError, IndexError, TypeError):
                return _MISSING
        return value
    raise CLIError(f'template parsing error: template: :1: function "{head}" not defined', 1)


def render_template(template: str, data) -> str:
    """Execute a Go template of simple `.A.B` paths and json/join/index/len/upper/lower on data.

    >>> render_template("{{.Config.Cmd}} {{json .Config.Cmd}}", {"Config": {"Cmd": ["./run.sh"]}})
    '[./run.sh] ["./run.sh"]'
    >>> render_template("{{.Config.Entrypoint}}", {"Config": {}})
    '[]'
    """
    out, pos = [], 0
    for m in re.finditer(r"\{\{-?\s*(.*?)\s*-?\}\}", template):
        out.append(template[pos:m.start()])
        pos = m.end()
        words = _TOKEN.findall(m.group(1))
        if words and words[0] in ("range", "if", "with", "end", "else", "define", "template", "block"):
            raise CLIError(f"template: {words[0]} is not supported by layerlab's inspect -f (use simple .A.B paths "
                           "and json, join, index, len, upper, lower)", 1)
        try:
            value = _eval(words, data)
        except (IndexError, TypeError, AttributeError, ValueError) as exc:
            raise CLIError(f"template: :1: executing \"\" at <{m.group(1)}>: error calling {words[0]}: {exc}",
                           1) from None
        out.append(value if words and words[0] == "json" else go_format(value))
    out.append(template[pos:])
    return "".join(out)


def go_indent_json(value) -> str:
    """JSON as `docker inspect` prints it: 4-space indent, '<', '>' and '&' escaped as Go escapes them."""
    text = json.dumps(value, indent=4, ensure_ascii=False)
    for char, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, esc)
    return text


# -- the session: one Engine and what the CLI remembers ------------------------------------------------------
def _daemon(message: str) -> str:
    text = str(message)
    if text.startswith(("Error", "error", "docker:")):
        return text
    return "Error response from daemon: " + text


class DockerSession:
    """The state behind the magics: the current Engine, named engines, stored Dockerfiles, container logs."""

    def __init__(self, engine: Engine | None = None, namespace: dict | None = None):
        self.engine = engine if engine is not None else Engine()
        self.engines: dict[str, Engine] = {"default": self.engine}
        self.namespace = namespace if namespace is not None else {}
        self.dockerfiles: dict[str, str] = {}
        self.logs: dict[str, list] = {}
        self.autoremove: set[str] = set()

    # -- entry points -------------------------------------------------------------------------------------------
    def docker(self, line: str | Sequence[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
        """Run one `docker ...` command line (without the word docker); returns docker's exit status."""
        out = out or sys.stdout
        err = err or sys.stderr
        try:
            argv = shlex.split(line) if isinstance(line, str) else list(line)
        except ValueError as exc:
            err.write(f"docker: invalid command line: {exc}\n")
            return 125
        if argv and argv[0] == "docker":
            argv = argv[1:]
        try:
            return self._dispatch(argv, out, err)
        except CLIError as exc:
            err.write(exc.text + "\n")
            return exc.status

    def dockerfile(self, line: str, cell: str, out: TextIO | None = None, err: TextIO | None = None) -> int:
        """`%%dockerfile [-t TAG] [-f NAME] [--profile P] [--target T] [--build-arg K=V] [CONTEXT]`: build the cell."""
        out = out or sys.stdout
        err = err or sys.stderr
        cmd = Command("%%dockerfile", "%%dockerfile [OPTIONS] [CONTEXT]",
                      "Build the cell as a Dockerfile (CONTEXT: a dict variable or a directory)",
                      _flags(("-t --tag", "list"), ("-f --file", "value"), ("--target", "value"),
                             ("--build-arg", "list"), ("--profile", "value"), ("-q --quiet",), ("--no-cache",)),
                      0, 1)
        try:
            opts, rest = parse_args(cmd, shlex.split(line))
            if opts["help"]:
                out.write(_help(cmd))
                return 0
            name = opts["file"] or "Dockerfile"
            self.dockerfiles[name] = cell
            context = self._context(rest[0]) if rest else None
            return self._build_text(cell, context, opts, out, err, filename=name, quiet=opts["quiet"])
        except CLIError as exc:
            err.write(exc.text + "\n")
            return exc.status

    # -- dispatch ---------------------------------------------------------------------------------------------
    def _dispatch(self, argv: list[str], out: TextIO, err: TextIO) -> int:
        while argv and argv[0].startswith("--engine"):
            name, eq, value = argv[0].partition("=")
            if name != "--engine":
                break
            if not eq:
                if len(argv) < 2:
                    raise CLIError("flag needs an argument: --engine\nSee 'docker --help'.")
                value, argv = argv[1], argv[2:]
            else:
                argv = argv[1:]
            self.switch(value)
            if not argv:
                out.write(f'Current engine is now "{value}"\n')
                return 0
        if not argv or argv[0] in ("--help", "help"):
            out.write("Usage:  docker [OPTIONS] COMMAND\n\nA simulated container engine (layerlab)\n\nCommands:\n"
                      + "".join(f"  {k:<16}{c.short}\n" for k, c in sorted(COMMANDS.items())))
            return 0
        if argv[0].startswith("-"):
            raise CLIError(f"unknown flag: {argv[0].partition('=')[0]}\nSee 'docker --help'.")
        name, args = argv[0], argv[1:]
        if name in GROUPS:
            if not args or args[0].startswith("-"):
                raise CLIError(f"\"docker {name}\" requires a subcommand.\nSee 'docker {name} --help'.")
            name, args = f"{name} {args[0]}", args[1:]
        name = ALIASES.get(name, name)
        cmd = COMMANDS.get(name)
        if cmd is None:
            if name in NOT_SIMULATED:
                raise CLIError(f"docker {name}: not simulated by layerlab (try: "
                               + ", ".join(sorted(k for k in COMMANDS if " " not in k)) + ")", 1)
            raise CLIError(f"docker: '{name}' is not a docker command.\nSee 'docker --help'")
        opts, rest = parse_args(cmd, args)
        if opts["help"]:
            out.write(_help(cmd))
            return 0
        handler = getattr(self, "_" + name.replace(" ", "_"))
        try:
            return handler(opts, rest, out, err)
        except LayerlabError as exc:
            text = _daemon(exc)
            if name in ("run", "create"):
                text = f"docker: {text}\nSee '{cmd.path} --help'."
            err.write(text + "\n")
            return 125 if name in ("run", "create") else 1
        except OSError as exc:
            where = f"open {exc.filename}: " if exc.filename else ""
            err.write(f"Error: {where}{(exc.strerror or str(exc)).lower()}\n")
            return 1

    def switch(self, name: str) -> Engine:
        """Use the Engine bound to `name` in the notebook, or the engine of that name (made on first use)."""
        value = self.namespace.get(name)
        if isinstance(value, Engine):
            self.engine = value
        else:
            self.engine = self.engines.setdefault(name, Engine())
        return self.engine

    # -- helpers ---------------------------------------------------------------------------------------------
    def _image(self, ref: str, err: TextIO):
        """The image for run/create, pulled from the built-in catalog (with docker's messages) when missing."""
        eng = self.engine
        try:
            return eng.resolve_image(ref, pull=False)
        except NotFoundError:
            pass
        name = normalize_ref(ref)
        err.write(f"Unable to find image '{name}' locally\n")
        img = eng.pull(ref)
        repo, tag = split_ref(name)
        err.write(f"{tag}: Pulling from {repo if '/' in repo else 'library/' + repo}\n")
        err.write(f"Digest: {img.id}\nStatus: Downloaded newer image for {name}\n")
        return img

    def _context(self, arg: str):
        if arg.isidentifier() and arg in self.namespace:
            value = self.namespace[arg]
            if isinstance(value, (Mapping, str, os.PathLike)) or value is None:
                return value
            raise CLIError(f"ERROR: {arg} is a {type(value).__name__}: the build context must be a dict of "
                           "files or a directory path", 1)
        if os.path.isdir(arg):
            return arg
        raise CLIError(f'ERROR: unable to prepare context: path "{arg}" not found', 1)

    def _build_text(self, text: str, context, opts: dict, out: TextIO, err: TextIO, *,
                    filename: str = "Dockerfile", quiet: bool = False) -> int:
        eng = self.engine
        tags = opts.get("tag") or []
        build_args = {}
        for item in opts.get("build_arg") or []:
            key, eq, value = item.partition("=")
            if eq:
                build_args[key] = value
        before = eng.last_build
        try:
            image = eng.build(text, context, tag=tags[0] if tags else None, profile=opts.get("profile"),
                              target=opts.get("target"), build_args=build_args, filename=filename)
        except LayerlabError as exc:
            if eng.last_build is not before and not quiet:
                log = eng.last_build.log()
                if log:
                    out.write(log + "\n")
            message = str(exc)
            buildkit = (opts.get("profile") or eng.profile) == "buildkit"
            err.write((message if "ERROR" in message or not buildkit else "ERROR: " + message) + "\n")
            return 1
        for extra in tags[1:]:
            eng.tag(image.id, extra)
        if quiet:
            out.write(image.id + "\n")
            return 0
        out.write(eng.last_build.log() + "\n")
        return 0

    def _record_start(self, c, start: Callable[[], object]) -> list:
        before = len(c.execs)
        start()
        records = list(c.execs[before:])
        self.logs.setdefault(c.id, []).extend(records)
        return records

    @staticmethod
    def _write_record(record, out: TextIO, err: TextIO) -> None:
        if record.stdout:
            out.write(record.stdout)
        if record.stderr:
            err.write(record.stderr)

    def _create_options(self, opts: dict, err: TextIO) -> dict:
        mounts = []
        for spec in opts["mount"]:
            mounts.append(self._mount(spec))
        env = [e for e in opts["env"] if "=" in e]  # `-e NAME` copies the host's variable: the simulator has none
        entrypoint = None if opts["entrypoint"] is None else ([opts["entrypoint"]] if opts["entrypoint"] else [])
        volumes = []
        for spec in opts["volume"]:
            if ":" in spec:
                volumes.append(spec)
            elif spec.startswith("/"):   # `-v /data`: an anonymous volume
                mounts.append(Mount("volume", self.engine.volume_create().name, spec, "", anonymous=True))
            else:
                raise LayerlabError(f"invalid volume specification: '{spec}': write NAME:/path, /host/path:/path "
                                    "or /path")
        return dict(name=opts["name"], volumes=volumes, mounts=mounts, env=env,
                    workdir=opts["workdir"], user=opts["user"], hostname=opts["hostname"], entrypoint=entrypoint)

    def _mount(self, spec: str) -> Mount:
        fields: dict[str, str] = {}
        for part in spec.split(","):
            key, eq, value = part.partition("=")
            fields[key.strip().lower()] = value if eq else "true"
        kind = fields.get("type", "volume")
        if kind not in ("volume", "bind"):
            raise LayerlabError(f"invalid argument \"{spec}\" for \"--mount\" flag: type {kind!r} is not simulated "
                                "(use type=volume or type=bind)")
        source = fields.get("source") or fields.get("src") or ""
        target = fields.get("target") or fields.get("destination") or fields.get("dst") or ""
        if not target:
            raise LayerlabError("invalid argument \"" + spec + "\" for \"--mount\" flag: target is required")
        ro = any(fields.get(k, "false").lower() in ("true", "1") for k in ("readonly", "ro"))
        anonymous = False
        if kind == "volume" and not source:
            source, anonymous = self.engine.volume_create().name, True
        if kind == "bind" and not source:
            raise LayerlabError("invalid mount config for type \"bind\": field Source must not be empty")
        return Mount(kind, source, target, "", ro, anonymous)

    # -- containers --------------------------------------------------------------------------------------------
    def _run(self, opts, rest, out, err) -> int:
        eng = self.engine
        options = self._create_options(opts, err)
        self._image(rest[0], err)
        c = eng.create(rest[0], rest[1:] or None, **options)
        records = self._record_start(c, lambda: eng.start(c))
        if opts["detach"]:
            if opts["rm"]:
                self.autoremove.add(c.id)
            out.write(c.id + "\n")
            return 0
        for record in records:
            self._write_record(record, out, err)
        c.state = "exited"
        c.finished_at = eng.tick()
        if opts["rm"]:
            eng.rm(c, volumes=True)
        return c.exit_code

    def _create(self, opts, rest, out, err) -> int:
        eng = self.engine
        options = self._create_options(opts, err)
        self._image(rest[0], err)
        c = eng.create(rest[0], rest[1:] or None, **options)
        if opts["rm"]:
            self.autoremove.add(c.id)
        out.write(c.id + "\n")
        return 0

    def _start(self, opts, rest, out, err) -> int:
        status = 0
        for ref in rest:
            c = self.engine.container(ref)
            records = self._record_start(c, lambda: self.engine.start(c))
            if opts["attach"]:   # attached: the container ends with its command, as after an attached run
                for record in records:
                    self._write_record(record, out, err)
                c.state, c.finished_at = "exited", self.engine.tick()
                status = c.exit_code
            else:
                out.write(ref + "\n")
        return status

    def _stop(self, opts, rest, out, err) -> int:
        for ref in rest:
            c = self.engine.stop(ref)
            if c.id in self.autoremove:
                self.engine.rm(c, volumes=True)
                self.autoremove.discard(c.id)
            out.write(ref + "\n")
        return 0

    def _restart(self, opts, rest, out, err) -> int:
        for ref in rest:
            c = self.engine.container(ref)
            self._record_start(c, lambda: self.engine.restart(c))
            out.write(ref + "\n")
        return 0

    def _rm(self, opts, rest, out, err) -> int:
        status = 0
        for ref in rest:
            try:
                self.engine.rm(ref, force=opts["force"], volumes=opts["volumes"])
            except LayerlabError as exc:
                err.write(_daemon(exc) + "\n")
                status = 1
                continue
            out.write(ref + "\n")
        return status

    def _exec(self, opts, rest, out, err) -> int:
        c = self.engine.container(rest[0])
        env = dict(e.partition("=")[::2] for e in opts["env"] if "=" in e)
        record = c.exec(rest[1:], user=opts["user"], workdir=opts["workdir"], env=env or None)
        if not opts["detach"]:
            self._write_record(record, out, err)
        return record.exit_code

    def _diff(self, opts, rest, out, err) -> int:
        for kind, path in self.engine.diff(rest[0]):
            out.write(f"{kind} {path}\n")
        return 0

    def _commit(self, opts, rest, out, err) -> int:
        img = self.engine.commit(rest[0], rest[1] if len(rest) > 1 else None, message=opts["message"] or "",
                                 author=opts["author"] or "", changes=opts["change"], pause=opts["pause"])
        out.write(img.id + "\n")
        return 0

    def _export(self, opts, rest, out, err) -> int:
        if not opts["output"]:
            err.write("cowardly refusing to save to a terminal. Use the -o flag or redirect\n")
            return 1
        _output_path(opts["output"], "export container")
        self.engine.export(rest[0], opts["output"])
        return 0

    def _logs(self, opts, rest, out, err) -> int:
        c = self.engine.container(rest[0])
        records = self.logs.get(c.id, [])
        if opts["tail"] not in (None, "all"):
            try:
                n = int(opts["tail"])
            except ValueError:
                raise CLIError(f'invalid value for "tail": "{opts["tail"]}"', 1) from None
            lines = "".join(r.stdout for r in records).splitlines(keepends=True)
            out.write("".join(lines[-n:] if n else []))
            return 0
        for record in records:
            self._write_record(record, out, err)
        return 0

    def _ps(self, opts, rest, out, err) -> int:
        eng = self.engine
        show_all = opts["all"] or opts["latest"] or opts["last"] is not None
        table = eng.ps(all=show_all, size=opts["size"])
        rows = list(table)
        limit = 1 if opts["latest"] else (int(opts["last"]) if opts["last"] not in (None, "-1") else None)
        if limit is not None:
            rows = rows[:limit]
        if opts["quiet"]:
            for row in rows:
                cid = row["container_id"]
                out.write((eng.container(cid).id if opts["no_trunc"] else cid) + "\n")
            return 0
        out.write(str(Table(table.columns, [[row[k] for k in table.keys] for row in rows])) + "\n")
        return 0

    # -- images ----------------------------------------------------------------------------------------------------
    def _build(self, opts, rest, out, err) -> int:
        context = self._context(rest[0])
        name = opts["file"]
        text = None
        if name is not None:
            if name in self.dockerfiles:
                text = self.dockerfiles[name]
            elif isinstance(context, Mapping) and name in context:
                text = context[name]
            elif os.path.isfile(name):
                with open(name, encoding="utf-8") as f:
                    text = f.read()
        else:
            name = "Dockerfile"
            if isinstance(context, Mapping) and "Dockerfile" in context:
                text = context["Dockerfile"]
            elif isinstance(context, (str, os.PathLike)) and os.path.isfile(os.path.join(context, "Dockerfile")):
                with open(os.path.join(context, "Dockerfile"), encoding="utf-8") as f:
                    text = f.read()
            elif "Dockerfile" in self.dockerfiles:
                text = self.dockerfiles["Dockerfile"]
        if text is None:
            known = ", ".join(sorted(self.dockerfiles)) or "none yet: define one with a %%dockerfile cell"
            raise CLIError(f"ERROR: failed to solve: failed to read dockerfile: open {name}: no such file or "
                           f"directory (Dockerfiles defined in this notebook: {known})", 1)
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return self._build_text(str(text), context, opts, out, err, filename=os.path.basename(name),
                                quiet=opts["quiet"])

    def _pull(self, opts, rest, out, err) -> int:
        name = normalize_ref(rest[0])
        img = self.engine.pull(rest[0])
        if opts["quiet"]:
            out.write(f"docker.io/library/{name}\n" if "/" not in split_ref(name)[0] else f"docker.io/{name}\n")
            return 0
        repo, tag = split_ref(name)
        out.write(f"{tag}: Pulling from {repo if '/' in repo else 'library/' + repo}\nDigest: {img.id}\n"
                  f"Status: Downloaded newer image for {name}\n"
                  f"docker.io/{'library/' if '/' not in repo else ''}{name}\n")
        return 0

    def _save(self, opts, rest, out, err) -> int:
        if not opts["output"]:
            err.write("cowardly refusing to save to a terminal. Use the -o flag or redirect\n")
            return 1
        fmt = opts["format"] or "docker-archive"
        layouts = {"docker-archive": ("docker-archive", "oci"), "legacy": ("docker-archive", "legacy"),
                   "docker-archive-legacy": ("docker-archive", "legacy"), "oci-dir": ("oci-dir", "oci"),
                   "oci-archive": ("oci-archive", "oci")}
        if fmt not in layouts:
            raise CLIError(f'invalid argument "{fmt}" for "--format" flag: choose docker-archive, legacy, oci-dir '
                           "or oci-archive\nSee 'docker save --help'.")
        kind, layout = layouts[fmt]
        _output_path(opts["output"], "save image")
        self.engine.save(rest, opts["output"], format=kind, layout=layout)
        return 0

    def _load(self, opts, rest, out, err) -> int:
        from . import formats

        if not opts["input"]:
            err.write("requested load from stdin, but stdin is empty\n")
            return 1
        if not os.path.exists(opts["input"]):
            err.write(f"open {opts['input']}: no such file or directory\n")
            return 1
        eng = self.engine
        for tags, img in formats.load_images(opts["input"]):
            eng._store(img, tags)
            if opts["quiet"]:
                continue
            for tag in tags:
                out.write(f"Loaded image: {tag}\n")
            if not tags:
                out.write(f"Loaded image ID: {img.id}\n")
        return 0

    def _images(self, opts, rest, out, err) -> int:
        table = self.engine.images_table(all=opts["all"])
        rows = list(table)
        if rest:
            want = rest[0]
            repo, _, tag = want.rpartition(":") if ":" in want.rsplit("/", 1)[-1] else (want, "", "")
            rows = [r for r in rows if r["repository"] == repo and (not tag or r["tag"] == tag)]
        if opts["quiet"]:
            seen = []
            for row in rows:
                if row["image_id"] not in seen:
                    seen.append(row["image_id"])
            for image_id in seen:
                full = self.engine.resolve_image(image_id, pull=False).id if opts["no_trunc"] else image_id
                out.write(full + "\n")
            return 0
        out.write(str(Table(table.columns, [[r[k] for k in table.keys] for r in rows])) + "\n")
        return 0

    def _history(self, opts, rest, out, err) -> int:
        table = self.engine.history(rest[0], no_trunc=opts["no_trunc"])
        if opts["quiet"]:
            for row in table:
                out.write(row["image"] + "\n")
            return 0
        out.write(str(table) + "\n")
        return 0

    def _inspect(self, opts, rest, out, err) -> int:
        eng = self.engine
        found, status = [], 0
        for ref in rest:
            data = None
            kinds = [opts["type"]] if opts["type"] else ["container", "image", "volume"]
            for kind in kinds:
                try:
                    if kind == "container":
                        data = eng.inspect(eng.container(ref))
                    elif kind == "image":
                        data = eng.inspect(eng.resolve_image(ref, pull=False).id)
                    elif kind == "volume":
                        data = eng.volume_inspect(ref)
                    else:
                        raise CLIError(f'"{kind}" is not a valid value for --type', 1)
                    break
                except NotFoundError:
                    continue
            if data is None:
                err.write(f"Error: No such object: {ref}\n")
                status = 1
                continue
            found.append(data)
        if opts["format"] is not None:
            for data in found:
                out.write(render_template(opts["format"], data) + "\n")
        elif found or not status:
            out.write(go_indent_json(found) + "\n")
        return status

    def _tag(self, opts, rest, out, err) -> int:
        self.engine.tag(rest[0], rest[1])
        return 0

    def _rmi(self, opts, rest, out, err) -> int:
        status = 0
        for ref in rest:
            try:
                lines = self.engine.rmi(ref, force=opts["force"])
            except LayerlabError as exc:
                err.write(_daemon(exc) + "\n")
                status = 1
                continue
            for line in lines:
                out.write(line + "\n")
        return status

    # -- volumes and disk usage ---------------------------------------------------------------------------------------
    def _volume_create(self, opts, rest, out, err) -> int:
        labels = dict(item.partition("=")[::2] for item in opts["label"])
        name = rest[0] if rest else opts["name"]
        vol = self.engine.volume_create(name, labels=labels) if name else self.engine.volume_create(labels=labels)
        out.write(vol.name + "\n")
        return 0

    def _volume_ls(self, opts, rest, out, err) -> int:
        table = self.engine.volume_ls()
        if opts["quiet"]:
            for row in table:
                out.write(row["volume_name"] + "\n")
            return 0
        out.write(str(table) + "\n")
        return 0

    def _volume_inspect(self, opts, rest, out, err) -> int:
        found = [self.engine.volume_inspect(name) for name in rest]
        if opts["format"] is not None:
            for data in found:
                out.write(render_template(opts["format"], data) + "\n")
            return 0
        out.write(go_indent_json(found) + "\n")
        return 0

    def _volume_rm(self, opts, rest, out, err) -> int:
        status = 0
        for name in rest:
            try:
                self.engine.volume_rm(name, force=opts["force"])
            except LayerlabError as exc:
                err.write(_daemon(exc) + "\n")
                status = 1
                continue
            out.write(name + "\n")
        return status

    def _system_df(self, opts, rest, out, err) -> int:
        eng = self.engine
        if not opts["verbose"]:
            out.write(str(eng.system_df()) + "\n")
            return 0
        ps = {row["container_id"]: row for row in eng.ps(all=True)}
        crow = []
        for c in sorted(eng.containers.values(), key=lambda c: -c.created):
            row = ps.get(c.short_id, {})
            local = sum(1 for m in c.mounts if m.type == "volume")
            crow.append([c.short_id, c.image_ref, row.get("command", ""), local, human_size(c.size),
                         ago(c.created, eng.now), row.get("status", ""), c.name])
        vrow = []
        for name, vol in sorted(eng.volumes.items()):
            links = sum(1 for c in eng.containers.values() for m in c.mounts if m.type == "volume" and m.source == name)
            size = sum(e.size for _, e in eng.host.walk(vol.mountpoint) if e.kind == "file")
            vrow.append([name, links, human_size(size)])
        parts = ["Images space usage:", "", str(eng.system_df_verbose()), "",
                 "Containers space usage:", "",
                 str(Table(["CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED", "STATUS",
                            "NAMES"], crow)), "",
                 "Local Volumes space usage:", "", str(Table(["VOLUME NAME", "LINKS", "SIZE"], vrow)), "",
                 "Build cache usage: 0B", "",
                 str(Table(["CACHE ID", "CACHE TYPE", "SIZE", "CREATED", "LAST USED", "USAGE", "SHARED"], []))]
        out.write("\n".join(parts) + "\n")
        return 0


def _help(cmd: Command) -> str:
    lines = [f"Usage:  {cmd.usage}", "", cmd.short]
    if cmd.flags:
        lines += ["", "Options:"]
        for f in cmd.flags:
            spelled = ", ".join(f.names) if len(f.names) > 1 else "    " + f.names[0]
            kind = {"bool": "", "value": " string", "list": " list"}[f.kind]
            lines.append(f"  {spelled + kind}".rstrip())
    return "\n".join(lines) + "\n"


def _output_path(path: str, what: str) -> None:
    """docker's check of -o: the directory must exist (cli/command ValidateOutputPath)."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise CLIError(f'failed to {what}: invalid output path: directory "{os.path.dirname(path) or folder}" '
                       "does not exist", 1)


# -- IPython: one session per shell ---------------------------------------------------------------------------------
_SESSIONS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_DEFAULT: list[DockerSession] = []


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def session(shell=None) -> DockerSession:
    """The DockerSession of an IPython shell (the running one by default; a module-wide one without IPython)."""
    shell = shell if shell is not None else _shell()
    if shell is None:
        if not _DEFAULT:
            _DEFAULT.append(DockerSession())
        return _DEFAULT[0]
    found = _SESSIONS.get(shell)
    if found is None:
        found = DockerSession(namespace=shell.user_ns)
        _SESSIONS[shell] = found
    return found


def engine(shell=None) -> Engine:
    """The Engine the magics talk to."""
    return session(shell).engine


def use_engine(eng: Engine, shell=None) -> Engine:
    """Make the magics talk to this Engine from now on."""
    if not isinstance(eng, Engine):
        raise LayerlabError(f"use_engine needs a layerlab Engine, not {type(eng).__name__}")
    s = session(shell)
    s.engine = eng
    return eng


def load_ipython_extension(ipython) -> None:
    """`%load_ext layerlab`: register %docker and %%dockerfile on this shell."""
    from IPython.core.magic import MAGIC_NO_VAR_EXPAND_ATTR

    s = session(ipython)

    def docker(line):
        s.docker(line)

    def dockerfile(line, cell):
        s.dockerfile(line, cell)

    for fn in (docker, dockerfile):
        setattr(fn, MAGIC_NO_VAR_EXPAND_ATTR, True)   # keep {{.Config.Cmd}} and $VAR for docker, not IPython
    docker.__doc__ = "Run a docker command against layerlab's simulated engine: %docker ps -a"
    dockerfile.__doc__ = "Build the cell as a Dockerfile: %%dockerfile -t TAG [CONTEXT]"
    ipython.register_magic_function(docker, "line", "docker")
    ipython.register_magic_function(dockerfile, "cell", "dockerfile")


def unload_ipython_extension(ipython) -> None:
    """`%unload_ext layerlab`: remove the magics (the session and its engine stay for a later reload)."""
    magics = ipython.magics_manager.magics
    magics["line"].pop("docker", None)
    magics["cell"].pop("dockerfile", None)
