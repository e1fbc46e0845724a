"""The course's levels: each is data - a story, a start, goals checked on structure - plus a reference
solution in `solutions/level-<id>.txt`."""

from __future__ import annotations

from functools import lru_cache

from ..engine import Engine
from ..fs.content import Synthetic
from ..fs.entries import File, Opaque
from .levels import Goal, Level, State, register

def _added_layers(state: State, base: str) -> int:
    return len(state.image.layers) - len(state.engine.resolve_image(base).layers)


def _file_is(path: str, text: str) -> Goal:
    def unmet(state: State):
        snap = state.image.rootfs
        if not snap.exists(path):
            return f"{path} is missing from the image"
        if snap.read(path).decode() != text:
            return f"{path} holds {snap.read(path).decode()!r}, not {text!r}"
        return None
    return Goal(f"{path} holds {text!r}", unmet)


def _exists(path: str, present: bool = True) -> Goal:
    def unmet(state: State):
        there = state.image.rootfs.exists(path)
        if there == present:
            return None
        return f"{path} is {'missing' if present else 'still in the image'}"
    return Goal(f"{path} {'is in' if present else 'is not in'} the image", unmet)


def _layers_at_most(base: str, n: int) -> Goal:
    def unmet(state: State):
        added = _added_layers(state, base)
        return None if added <= n else f"the image adds {added} layers to {base}; the goal is at most {n}"
    return Goal(f"at most {n} new layer{'s' if n != 1 else ''} on top of {base}", unmet)


def _no_waste(base: str) -> Goal:
    def unmet(state: State):
        first = len(state.engine.resolve_image(base).layers)
        hidden = [s for s in state.image.rootfs.shadowed() if s.how == "deleted" and s.layer >= first]
        if not hidden:
            return None
        total = sum(s.size for s in hidden)
        worst = max(hidden, key=lambda s: s.size)
        return (f"{total:,} bytes are shipped yet deleted by a later layer (largest: {worst.path}, "
                f"{worst.size:,} bytes in layer {worst.layer}); deleting in a later layer never shrinks an image")
    return Goal("no bytes shipped that a later layer deletes", unmet)


def _setup_build(base: str):
    def setup(engine: Engine) -> State:
        engine.resolve_image(base)
        return State(engine)
    return setup


# -- 01 -------------------------------------------------------------------------------------------
register(Level(
    id="one-layer", title="One file, one layer", notebook="01", kind="build",
    story="This Dockerfile writes one small config file in three RUN steps, so the image gets three layers. "
          "Write a Dockerfile that produces the same /app/config.txt with a single new layer.",
    start='FROM busybox\nRUN mkdir /app\nRUN echo "name=demo" > /app/config.txt\n'
          'RUN echo "port=8080" >> /app/config.txt\n',
    goals=(_file_is("/app/config.txt", "name=demo\nport=8080\n"), _layers_at_most("busybox", 1)),
    setup=_setup_build("busybox"),
    hints=("Every RUN makes a layer: how many RUN instructions may you use?",
           "The shell joins commands with &&."),
    par=1))

# -- 03 -------------------------------------------------------------------------------------------
register(Level(
    id="ghost-bytes", title="The bytes that never left", notebook="03", kind="build",
    story="The download is deleted in the last step, yet the image still ships its 30 MB. Keep /opt/tool/run, "
          "get rid of the download, and ship no wasted bytes.",
    start="FROM busybox\nRUN dd if=/dev/zero of=/tmp/tool.tar bs=1M count=30\n"
          "RUN mkdir -p /opt/tool && echo '#!/bin/sh' > /opt/tool/run\nRUN rm /tmp/tool.tar\n",
    goals=(_exists("/opt/tool/run"), _exists("/tmp/tool.tar", False), _no_waste("busybox")),
    setup=_setup_build("busybox"),
    hints=("A whiteout hides a file; it does not remove the bytes from the layer below.",
           "Download, use and delete the file in the same RUN."),
    par=1))


def _www_container(engine: Engine) -> State:
    engine.build("FROM busybox\nRUN mkdir -p /srv/www && for p in a b c d; do echo $p > /srv/www/$p.html; done\n",
                 tag="site")
    c = engine.run("site", "true", name="web")
    return State(engine, container=c)


def _opaque_at(path: str) -> Goal:
    def unmet(state: State):
        entry = state.container.rw_layer("overlay2").entries.get(path)
        if isinstance(entry, Opaque):
            return None
        if entry is None:
            return f"the read-write layer has nothing at {path}: the directory is still the image's"
        kind = "directory" if entry.kind == "dir" else entry.kind
        return (f"the read-write layer has no opaque marker at {path}: it holds a plain {kind} there, "
                "copied up and merged with the image's, so the image's files still show through unless "
                "each one gets a whiteout")
    return Goal(f"the read-write layer marks {path} opaque", unmet)


def _container_files(directory: str, expected: dict[str, str]) -> Goal:
    def unmet(state: State):
        fs = state.container.fs
        names = sorted(fs.listdir(directory)) if fs.is_dir(directory) else None
        if names != sorted(expected):
            return f"{directory} holds {names}, the goal is {sorted(expected)}"
        for name, text in expected.items():
            got = fs.read(f"{directory}/{name}").decode()
            if got != text:
                return f"{directory}/{name} holds {got!r}, not {text!r}"
        return None
    return Goal(f"{directory} holds exactly {', '.join(sorted(expected))}", unmet)


register(Level(
    id="opaque-dir", title="Hide a directory in one stroke", notebook="03", kind="container",
    story="In the running container `web`, replace everything in /srv/www with a single index.html holding "
          "'new', so that overlay2 records ONE opaque marker instead of a whiteout per old file.",
    goals=(_container_files("/srv/www", {"index.html": "new\n"}), _opaque_at("/srv/www")),
    setup=_www_container,
    allowed=("rm", "mkdir", "echo", "ls", "cat", "touch", "mv", "rmdir", "find"),
    hints=("Deleting the files one by one leaves one whiteout each.",
           "overlayfs marks a directory opaque when it is created where a lower one was deleted."),
    par=1))

# -- 04 -------------------------------------------------------------------------------------------
TOOL = File(Synthetic(20_000_000, "level:chmod-cost/tool"), mode=0o644)


def _mode(path: str, mode: int) -> Goal:
    def unmet(state: State):
        if not state.image.rootfs.exists(path):
            return f"{path} is missing"
        got = state.image.rootfs.stat(path).mode
        return None if got == mode else f"{path} has mode {got:o}, the goal is {mode:o}"
    return Goal(f"{path} has mode {mode:o}", unmet)


def _adds_at_most(base: str, limit: int) -> Goal:
    def unmet(state: State):
        added = state.image.size - state.engine.resolve_image(base).size
        return None if added <= limit else (f"the image adds {added:,} bytes to {base}; the tool is 20 MB, so "
                                            f"the goal is at most {limit:,}")
    return Goal(f"adds at most {limit / 1e6:.0f} MB to {base}", unmet)


register(Level(
    id="chmod-cost", title="chmod is not free", notebook="04", kind="build",
    story="The 20 MB tool is copied in, then made executable. The chmod step copies the whole file up, so the "
          "image holds it twice. Ship it executable, once.",
    start="FROM busybox\nCOPY tool /usr/local/bin/tool\nRUN chmod 755 /usr/local/bin/tool\n",
    context={"tool": TOOL},
    goals=(_mode("/usr/local/bin/tool", 0o755), _adds_at_most("busybox", 21_000_000)),
    setup=_setup_build("busybox"),
    hints=("A metadata change to a lower file copies the whole file into the new layer.",
           "COPY can set the mode while it copies (BuildKit): look at its flags."),
    par=1))

# -- 05 -------------------------------------------------------------------------------------------


def _vault(engine: Engine) -> State:
    engine.build("FROM busybox\nRUN mkdir /data\n", tag="box")
    c = engine.run("box", "sh -c 'echo precious > /tmp/keep.txt'", name="worker", volumes={"vault": "/data"})
    return State(engine, container=c)


def _volume_has(name: str, path: str, text: str) -> Goal:
    def unmet(state: State):
        mount = state.engine.volumes[name].mountpoint + path
        if not state.engine.host.exists(mount):
            return f"volume {name} has no {path}"
        got = state.engine.host.read(mount).decode()
        return None if got == text else f"volume {name}'s {path} holds {got!r}"
    return Goal(f"volume {name} holds {path} = {text!r}", unmet)


def _diff_is(expected: set) -> Goal:
    def unmet(state: State):
        got = set(state.engine.diff(state.container))
        if got == expected:
            return None
        extra = sorted(got - expected)
        missing = sorted(expected - got)
        parts = []
        if extra:
            parts.append("unexpected " + ", ".join(f"{k} {p}" for k, p in extra))
        if missing:
            parts.append("missing " + ", ".join(f"{k} {p}" for k, p in missing))
        return "docker diff: " + "; ".join(parts)
    shown = ", ".join(f"{k} {p}" for k, p in sorted(expected, key=lambda kp: kp[1])) or "nothing"
    return Goal(f"docker diff shows {shown}", unmet)


register(Level(
    id="keep-it", title="Make it outlive the container", notebook="05", kind="container",
    story="The container `worker` wrote /tmp/keep.txt into its read-write layer, which `docker rm` throws away. "
          "Put the file in the volume mounted at /data instead, and leave the container's own layer unchanged.",
    goals=(_volume_has("vault", "/keep.txt", "precious\n"), _diff_is(set())),
    setup=_vault,
    allowed=("mv", "cp", "rm", "cat", "ls", "echo"),
    hints=("`docker diff` only sees the read-write layer, never a volume.",
           "Moving a file onto a volume copies it to the host and deletes the original."),
    par=1))

# -- 06 -------------------------------------------------------------------------------------------


def _etc_container(engine: Engine) -> State:
    engine.build("FROM busybox\nRUN echo 'Welcome' > /etc/motd && echo 'BusyBox' > /etc/issue\n", tag="etc")
    c = engine.run("etc", "true", name="etc")
    return State(engine, container=c)


register(Level(
    id="diff-target", title="Draw this diff", notebook="06", kind="container",
    story="Make `docker diff etc` print exactly: C /etc, C /etc/issue, D /etc/motd, A /etc/app.conf.",
    goals=(_diff_is({("C", "/etc"), ("C", "/etc/issue"), ("D", "/etc/motd"), ("A", "/etc/app.conf")}),),
    setup=_etc_container,
    allowed=("rm", "echo", "touch", "chmod", "chown", "cat", "ls", "mv", "cp"),
    hints=("Every ancestor of a change is reported as C.",
           "A change of mode is a C even when the content stays the same."),
    par=1))


def _junk_container(engine: Engine) -> State:
    engine.build("FROM busybox\n", tag="job")
    c = engine.run("job", "sh -c 'mkdir -p /app /tmp/cache && echo result > /app/out.txt && "
                          "dd if=/dev/zero of=/tmp/cache/blob.tmp bs=1k count=500 2>/dev/null'", name="job")
    return State(engine, container=c)


def _committed_layer(allowed_paths: set) -> Goal:
    def unmet(state: State):
        if state.image is None:
            return "no image committed yet: `docker commit job IMAGE`"
        files = {p for p, e in state.image.layers[-1].entries.items() if e.kind not in ("dir", "opaque")}
        extra = sorted(files - allowed_paths)
        missing = sorted(allowed_paths - files)
        if extra:
            return "the committed layer also holds " + ", ".join(extra)
        if missing:
            return "the committed layer lacks " + ", ".join(missing)
        return None
    return Goal("the committed image's top layer holds only /app/out.txt", unmet)


register(Level(
    id="clean-commit", title="Commit only what matters", notebook="06", kind="container",
    story="The job in container `job` left its result in /app/out.txt and 500 kB of cache in /tmp/cache. "
          "Commit an image whose new layer holds the result and no cache files.",
    goals=(_committed_layer({"/app/out.txt"}),),
    setup=_junk_container,
    allowed=("rm", "ls", "cat", "find", "commit"),
    hints=("`docker commit` takes the whole read-write layer.", "Clean up first, then commit."),
    par=2))

# -- 08 -------------------------------------------------------------------------------------------
APP = {"requirements.txt": "flask\n", "app.py": "print('hello v1')\n"}


@lru_cache(maxsize=64)
def _pip_cached_in_a_fresh_engine(dockerfile: str, context_key: tuple) -> str | None:
    """Build the Dockerfile, edit app.py, build again (a fresh engine, so no earlier attempt warms the cache)."""
    context = dict(context_key)
    engine = Engine()
    first = engine.builder(dockerfile, context)
    first.run()
    second = engine.builder(dockerfile, dict(context, **{"app.py": "print('hello v2')\n"}))
    second.run()
    pip = [s for s in second.steps if s.instruction.keyword == "RUN" and "pip" in s.instruction.original]
    if not pip:
        return "no RUN pip install step found"
    if not all(s.cached for s in pip):
        return f"after editing app.py the pip install step rebuilds ({pip[0].reason})"
    return None


def _pip_cached_after_edit(context: dict) -> Goal:
    key = tuple(sorted(context.items(), key=lambda kv: kv[0]))
    return Goal("editing app.py keeps `pip install` cached",
                lambda state: _pip_cached_in_a_fresh_engine(state.build.text, key))


register(Level(
    id="cache-order", title="Keep the slow step cached", notebook="08", kind="build",
    story="Every edit to app.py reinstalls the Python packages, because the COPY of the whole folder comes before "
          "`pip install`. Reorder the Dockerfile so that an edit to app.py reuses the cached install.",
    start='FROM python:3.12-slim\nWORKDIR /app\nCOPY . /app\nRUN pip install -r requirements.txt\n'
          'CMD ["python", "app.py"]\n',
    context=APP,
    goals=(_exists("/app/app.py"), _exists("/usr/local/lib/python3.12/site-packages/flask"), _pip_cached_after_edit(APP)),
    setup=_setup_build("python:3.12-slim"),
    hints=("A COPY misses the cache when any copied file changed, and every step after it rebuilds.",
           "Copy requirements.txt alone first, install, then copy the rest."),
    par=5))

# -- 10 -------------------------------------------------------------------------------------------
BUILD_CTX = {"build.sh": "#!/bin/sh\nmkdir -p /out && printf '#!/bin/sh\\necho built\\n' > /out/app && "
                         "chmod 755 /out/app\n"}


def _no_tool(path: str) -> Goal:
    return Goal(f"{path} (a build tool) is not in the final image",
                lambda s: None if not s.image.rootfs.exists(path) else f"{path} is still in the final image")


register(Level(
    id="slim-apt", title="Clean up in the same layer", notebook="10", kind="build",
    story="Install curl, but ship neither the package lists that `apt-get update` downloads nor any wasted bytes.",
    start="FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y curl\n"
          "RUN rm -rf /var/lib/apt/lists/*\n",
    goals=(_exists("/usr/bin/curl"), _exists("/var/lib/apt/lists/lock", False), _no_waste("debian:bookworm-slim"),
           _layers_at_most("debian:bookworm-slim", 1)),
    setup=_setup_build("debian:bookworm-slim"),
    hints=("`rm` in a later RUN only adds whiteouts.", "Update, install and clean in one RUN."),
    par=1))

# -- 12: the capstone ----------------------------------------------------------------------------------
CAPSTONE = dict(APP, **{"notes/dataset.bin": Synthetic(5_000_000, "capstone/dataset"),
                        "notes/todo.md": "- ship it\n"})

register(Level(
    id="multi-stage", title="Leave the toolbox behind", notebook="10", kind="build",
    story="The build needs make and curl, but the final image only needs /usr/local/bin/app. Ship the app "
          "without the tools.",
    start="FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y make curl\n"
          "COPY build.sh /src/build.sh\nRUN /src/build.sh && cp /out/app /usr/local/bin/app\n",
    context=BUILD_CTX,
    goals=(_exists("/usr/local/bin/app"), _no_tool("/usr/bin/make"), _no_tool("/usr/bin/curl"),
           _exists("/var/lib/apt/lists/lock", False)),
    setup=_setup_build("debian:bookworm-slim"),
    hints=("A FROM starts a new stage from a clean base.", "COPY --from=<stage> takes one file from another stage."),
    par=4))

register(Level(
    id="capstone-ship", title="Ship it small", notebook="12", kind="build",
    story="Turn this Dockerfile into one you would ship: curl and flask installed, the app in /app, no package "
          "lists, no notes/ folder in the image, no wasted bytes, at most 4 new layers, and an edit to app.py "
          "must not reinstall the Python packages.",
    start="FROM python:3.12-slim\nRUN apt-get update\nRUN apt-get install -y curl\nCOPY . /app\n"
          "RUN pip install -r /app/requirements.txt\nRUN rm -rf /var/lib/apt/lists/*\n"
          'CMD ["python", "/app/app.py"]\n',
    context=CAPSTONE,
    goals=(_exists("/usr/bin/curl"), _exists("/app/app.py"), _exists("/app/notes", False),
           _exists("/usr/local/lib/python3.12/site-packages/flask"), _exists("/var/lib/apt/lists/lock", False),
           _no_waste("python:3.12-slim"), _layers_at_most("python:3.12-slim", 4), _pip_cached_after_edit(CAPSTONE)),
    setup=_setup_build("python:3.12-slim"),
    hints=("Clean the apt lists in the RUN that downloads them.",
           "Copy only what the image needs: requirements.txt first, then app.py.",
           "A .dockerignore is not the only way: COPY can name single files."),
    par=5))
