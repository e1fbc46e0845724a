"""The builder: a Dockerfile becomes an image one instruction at a time, as each real builder does it.

A `Build` runs step by step (for the stepper widget) or all at once. Each step
records whether it made a layer or only changed the config, whether the cache
served it and why not, what a RUN printed and what it copied up. The profile
decides the facts that differ between builders (see profiles.py).

>>> from layerlab.image.model import SCRATCH
>>> from layerlab.fs.entries import File, Symlink
>>> from layerlab.fs.layer import Layer
>>> base = SCRATCH.replace(layers=(Layer.from_spec({"/bin/sh": File("", mode=0o755)}),))
>>> build = Build("FROM base\\nCOPY run.sh /\\nCMD [\\"./run.sh\\"]\\n", {"run.sh": "echo hi"},
...               resolve_image=lambda ref: base)
>>> image = build.run()
>>> [(s.instruction.keyword, s.kind) for s in build.steps]
[('FROM', 'from'), ('COPY', 'layer'), ('CMD', 'config')]
>>> [h.created_by for h in image.history]
['COPY run.sh / # buildkit', 'CMD ["./run.sh"]']
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Callable, Mapping

from ..errors import BuildError, DockerfileError, FilesystemError, LayerlabError, NotFoundError
from ..fs import paths
from ..fs.entries import Dir, File, Symlink
from ..fs.layer import Layer
from ..fs.snapshot import Snapshot
from ..fs.union import merge
from ..fs.worktree import CopyUp, WorkTree
from . import profiles
from .cache import BuildCache
from .context import BuildContext
from .copying import copy_into, owner, parse_chmod
from .dockerfile import Dockerfile, Heredoc, Instruction, expand, parse_dockerfile
from .model import SCRATCH, HistoryEntry, Image, ImageConfig

DEFAULT_SHELL = ("/bin/sh", "-c")
PREDEFINED_ARGS = {"TARGETPLATFORM": "linux/amd64", "TARGETOS": "linux", "TARGETARCH": "amd64",
                   "TARGETVARIANT": "", "BUILDPLATFORM": "linux/amd64", "BUILDOS": "linux",
                   "BUILDARCH": "amd64", "BUILDVARIANT": ""}
START = 1_767_225_600  # 2026-01-01T00:00:00Z, the simulated clock's default start


def timestamp(seconds: int) -> str:
    """RFC 3339 UTC, as image configs write it.

    >>> timestamp(START)
    '2026-01-01T00:00:00Z'
    """
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def counter(start: int = START) -> Callable[[], int]:
    """A simulated clock: every call is one second later."""
    it = itertools.count(start)
    return lambda: next(it)


def with_rootfs(image: Image, snap: Snapshot) -> Image:
    """Attach an already merged rootfs to an image so it is not merged again."""
    image.__dict__["rootfs"] = snap
    return image


@dataclass(frozen=True)
class Step:
    """One executed instruction and what it did."""

    number: int
    stage: int
    stage_name: str | None
    instruction: Instruction
    kind: str                      # "from", "layer" or "config"
    cached: bool | None            # True: cache hit; False: built; None: nothing to cache (BuildKit config)
    reason: str                    # why it was not a cache hit
    layer: Layer | None
    history: HistoryEntry | None
    image: Image
    output: str = ""
    copy_ups: tuple[CopyUp, ...] = ()
    written: tuple[str, ...] = ()
    trigger: bool = False          # an ONBUILD trigger of the base image

    @property
    def line(self) -> int:
        return self.instruction.line

    @property
    def snapshot(self) -> Snapshot:
        return self.image.rootfs


@dataclass(frozen=True)
class StageState:
    """Where a stage stands after some steps."""

    index: int
    name: str | None
    image: Image
    key: str
    rebuilt: bool = False
    args: tuple[tuple[str, str | None], ...] = ()
    cmd_set: bool = False

    @property
    def snap(self) -> Snapshot:
        return self.image.rootfs

    def arg_values(self) -> dict[str, str]:
        return {k: v for k, v in self.args if v is not None}

    def env(self) -> dict[str, str]:
        """What variable substitution sees: ARG values, overridden by ENV (ENV always wins)."""
        out = self.arg_values()
        out.update(self.image.config.env_dict())
        return out


@dataclass
class _Result:
    """What a cacheable step produced (stored in the cache)."""

    image: Image
    layer: Layer | None
    history: HistoryEntry | None
    output: str = ""
    copy_ups: tuple = ()
    written: tuple = ()


class Build:
    """A build in progress; `step()` runs one instruction, `run()` runs them all and returns the image."""

    def __init__(self, dockerfile: str, context=None, *, resolve_image: Callable[[str], Image],
                 cache: BuildCache | None = None, clock: Callable[[], int] | None = None,
                 profile: str = "buildkit", target: str | None = None, build_args: Mapping[str, str] | None = None,
                 driver: str = "overlay2", filename: str = "Dockerfile"):
        self.profile = profiles.check_profile(profile)
        self.text = dockerfile
        self.filename = filename
        self.dockerfile: Dockerfile = parse_dockerfile(dockerfile, filename=filename)
        self.context = BuildContext.of(context)
        self.resolve_image = resolve_image
        self.cache = cache if cache is not None else BuildCache()
        self.clock = clock or counter()
        self.driver = driver
        self.build_args = dict(build_args or {})
        self.used_args: set[str] = set()
        self.meta_args = self._meta_args()
        self.target = self._target_stage(target)
        self.plan: list[tuple[int, Instruction]] = self._plan()
        self.steps: list[Step] = []
        self.intermediates: list[Image] = []
        self._states: dict[int, StageState] = {}
        self._history: list[tuple[int, dict[int, StageState], list]] = []
        self._pending: list[tuple[int, Instruction]] = []
        self._pos = 0

    # -- planning --------------------------------------------------------------------------------
    def _meta_args(self) -> dict[str, str | None]:
        out: dict[str, str | None] = dict(PREDEFINED_ARGS)
        for ins in self.dockerfile.instructions:
            if ins.stage != -1:
                break
            if ins.keyword == "ARG":
                env = {k: v for k, v in out.items() if v is not None}
                for name, default in ins.pairs(env):
                    out[name] = self.build_args.get(name, default)
                    if name in self.build_args:
                        self.used_args.add(name)
        return out

    def _target_stage(self, target: str | None) -> int:
        if target is None:
            return len(self.dockerfile.stages) - 1
        try:
            return self.dockerfile.stage(target).index
        except (NotFoundError, DockerfileError, LookupError):
            names = [s.name for s in self.dockerfile.stages if s.name]
            raise BuildError(f'target stage "{target}" could not be found (stages: {", ".join(names) or "none named"})'
                             ) from None

    def _stage_ref(self, ref: str) -> int | None:
        ref = ref.lower()
        for stage in self.dockerfile.stages:
            if stage.name == ref:
                return stage.index
        if ref.isdigit() and int(ref) < len(self.dockerfile.stages):
            return int(ref)
        return None

    def _deps(self, index: int) -> set[int]:
        stage = self.dockerfile.stages[index]
        deps = set()
        base = self._stage_ref(self._expand_meta(stage.base))
        if base is not None and base < index:
            deps.add(base)
        for ins in stage.instructions:
            src = ins.flag("from") if ins.keyword in ("COPY", "ADD") else None
            if src is not None:
                ref = self._stage_ref(src)
                if ref is not None:
                    deps.add(ref)
        return deps

    def _plan(self) -> list[tuple[int, Instruction]]:
        if self.profile == "buildkit":
            needed, todo = set(), [self.target]
            while todo:
                i = todo.pop()
                if i not in needed:
                    needed.add(i)
                    todo.extend(self._deps(i))
        else:
            needed = set(range(self.target + 1))
        plan = []
        for stage in self.dockerfile.stages:
            if stage.index in needed:
                plan.append((stage.index, stage.from_instruction))
                plan.extend((stage.index, ins) for ins in stage.instructions)
        return plan

    def _expand_meta(self, word: str) -> str:
        env = {k: v for k, v in self.meta_args.items() if v is not None}
        return expand(word, env, escape=self.dockerfile.escape)

    # -- driving ------------------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self._pos >= len(self.plan) and not self._pending

    @property
    def next_instruction(self) -> Instruction | None:
        if self._pending:
            return self._pending[0][1]
        return self.plan[self._pos][1] if self._pos < len(self.plan) else None

    def step(self) -> Step | None:
        """Run the next instruction; None when the build is finished."""
        if self.done:
            return None
        self._history.append((self._pos, dict(self._states), list(self._pending)))
        if self._pending:
            stage, ins = self._pending.pop(0)
            trigger = True
        else:
            stage, ins = self.plan[self._pos]
            self._pos += 1
            trigger = False
        try:
            step = self._dispatch(stage, ins, trigger)
        except LayerlabError as exc:
            self._pos, self._states, self._pending = self._history.pop()
            raise self._located(exc, ins) from None
        self.steps.append(step)
        return step

    def back(self) -> Step | None:
        """Undo the last step (the cache keeps what it learned); returns the step undone."""
        if not self.steps:
            return None
        self._pos, self._states, self._pending = self._history.pop()
        return self.steps.pop()

    def run(self) -> Image:
        """Run every remaining step and return the final image."""
        while not self.done:
            self.step()
        return self.image

    @property
    def image(self) -> Image:
        """The image of the target stage as it stands now."""
        state = self._states.get(self.target)
        if state is None:
            raise BuildError("the build has not reached its target stage yet: call step() or run()")
        return state.image

    def stage_state(self, index: int) -> StageState | None:
        return self._states.get(index)

    @property
    def unused_args(self) -> list[str]:
        """Build args given but never declared by an ARG (Docker warns about them)."""
        return sorted(set(self.build_args) - self.used_args)

    def _located(self, exc: LayerlabError, ins: Instruction) -> BuildError:
        lines = self.text.splitlines()
        lo, hi = max(1, ins.line - 2), min(len(lines), ins.end_line + 2)
        snippet = "\n".join(f"{n:>4} | {'>>> ' if ins.line <= n <= ins.end_line else '    '}{lines[n - 1]}"
                            for n in range(lo, hi + 1))
        message = str(exc)
        if self.profile == "buildkit":
            text = (f"{self.filename}:{ins.line}\n--------------------\n{snippet}\n--------------------\n"
                    f"ERROR: failed to solve: {message}")
        else:
            text = f"{message}\n(at {self.filename}:{ins.line}: {ins.original.strip()})"
        err = BuildError(text)
        err.line = ins.line
        err.instruction = ins
        err.reason = message
        return err

    # -- dispatch -------------------------------------------------------------------------------------
    def _dispatch(self, stage: int, ins: Instruction, trigger: bool) -> Step:
        if ins.keyword == "FROM":
            return self._from(stage, ins)
        state = self._states[stage]
        handler = getattr(self, "_" + ins.keyword.lower(), None)
        if handler is None:
            raise BuildError(f"{ins.keyword} is not supported by the simulator")
        return handler(state, ins, trigger)

    def _finish(self, state: StageState, ins: Instruction, result: _Result, *, kind: str, cached: bool | None,
                reason: str, key: str, rebuilt: bool, trigger: bool, **changes) -> Step:
        new_state = replace(state, image=result.image, key=key, rebuilt=rebuilt, **changes)
        self._states[state.index] = new_state
        if self.profile != "buildkit" and kind != "from":
            self.intermediates.append(result.image)
        return Step(len(self.steps) + 1, state.index, state.name, ins, kind, cached, reason, result.layer,
                    result.history, result.image, result.output, tuple(result.copy_ups), tuple(result.written),
                    trigger)

    def _from(self, stage: int, ins: Instruction) -> Step:
        ref = self._expand_meta(ins.image)
        local = self._stage_ref(ref)
        if local is not None and local < stage:
            if local not in self._states:
                raise BuildError(f"stage {ref!r} was not built before stage {stage}")
            base_state = self._states[local]
            image, key, args = base_state.image, base_state.key, base_state.args
        else:
            image = SCRATCH if ref == "scratch" else self.resolve_image(ref)
            key = "image:" + image.id
            args = ()
        if not image.layers:
            with_rootfs(image, merge([]))
        name = self.dockerfile.stages[stage].name
        state = StageState(stage, name, image, key, args=args)
        self._states[stage] = state
        triggers = list(image.config.onbuild)
        if triggers:
            parsed = []
            for text in triggers:
                try:
                    df = parse_dockerfile(f"FROM scratch\n{text}\n", filename=f"ONBUILD trigger of {ref}")
                except DockerfileError as exc:
                    raise BuildError(f"the base image {ref} has an ONBUILD trigger that does not parse: {exc}") from None
                t = df.instructions[1]
                parsed.append((stage, replace(t, line=ins.line, end_line=ins.end_line, stage=stage)))
            self._pending = parsed + self._pending
            cleared = image.replace(config=image.config.replace(onbuild=()))
            state = replace(state, image=with_rootfs(cleared, image.rootfs))
            self._states[stage] = state
        return Step(len(self.steps) + 1, stage, name, ins, "from", None, "", None, None, state.image)

    # -- cache plumbing ---------------------------------------------------------------------------------
    def _cached_or_build(self, state: StageState, ins: Instruction, text: str, inputs: dict,
                         build: Callable[[], _Result], *, kind_of: Callable[[_Result], str], trigger: bool,
                         **changes) -> Step:
        parent = state.image.id if self.profile != "buildkit" else state.key
        key = self.cache.key(parent, text, inputs)
        hit = self.cache.get(key)
        if hit is not None:
            result = hit.result
            return self._finish(state, ins, result, kind=kind_of(result), cached=True, reason="", key=key,
                                rebuilt=state.rebuilt, trigger=trigger, **changes)
        reason = self.cache.explain(parent, text, inputs, parent_rebuilt=state.rebuilt)
        result = build()
        self.cache.put(parent, text, inputs, result)
        return self._finish(state, ins, result, kind=kind_of(result), cached=False, reason=reason, key=key,
                            rebuilt=True, trigger=trigger, **changes)

    def _commit(self, state: StageState, keyword: str, message: str, layer: Layer | None, config: ImageConfig,
                *, changed: bool, workdir: str = "/", author: str | None = None) -> tuple[Image, Layer | None,
                                                                                          HistoryEntry | None]:
        """The image after a step: a layer or an empty_layer history entry, per profile."""
        now = timestamp(self.clock())
        image = state.image
        history = None
        new_layer = None
        if profiles.records_history(self.profile, keyword):
            with_layer = profiles.makes_layer(self.profile, keyword, changed, workdir)
            history = HistoryEntry(profiles.created_by(self.profile, keyword, message), empty_layer=not with_layer,
                                   comment=profiles.comment(self.profile), created=now)
            if with_layer:
                new_layer = (layer if layer is not None else Layer({})).with_history(history.created_by,
                                                                                      history.comment)
        layers = image.layers + ((new_layer,) if new_layer is not None else ())
        hist = image.history + ((history,) if history is not None else ())
        new = image.replace(layers=layers, history=hist, config=config, created=now,
                            author=author if author is not None else image.author)
        snap = image.rootfs.apply(new_layer) if new_layer is not None and not new_layer.is_empty else image.rootfs
        return with_rootfs(new, snap), new_layer, history

    # -- instructions that only change the config -------------------------------------------------------
    def _config_step(self, state: StageState, ins: Instruction, message: str, config: ImageConfig,
                     trigger: bool, author: str | None = None, **changes) -> Step:
        def build() -> _Result:
            image, layer, history = self._commit(state, ins.keyword, message, None, config, changed=False,
                                                 author=author)
            return _Result(image, layer, history)

        kind_of = (lambda r: "layer") if self.profile == "docker-2015" else (lambda r: "config")
        if self.profile == "buildkit":
            result = build()
            return self._finish(state, ins, result, kind="config", cached=None, reason="", key=state.key,
                                rebuilt=state.rebuilt, trigger=trigger, **changes)
        return self._cached_or_build(state, ins, profiles.created_by(self.profile, ins.keyword, message), {},
                                     build, kind_of=kind_of, trigger=trigger, **changes)

    def _env(self, state, ins, trigger):
        config = state.image.config
        env = state.env()
        parts = []
        for key, value in ins.pairs(env):
            config = config.with_env(key, value)
            env[key] = value
            parts.append(f"{key}={value}")
        return self._config_step(state, ins, "ENV " + " ".join(parts), config, trigger)

    def _label(self, state, ins, trigger):
        labels = dict(state.image.config.labels)
        parts = []
        for key, value in ins.pairs(state.env()):
            labels[key] = value
            parts.append(f"{key}={value}")
        return self._config_step(state, ins, "LABEL " + " ".join(parts),
                                 state.image.config.replace(labels=labels), trigger)

    def _maintainer(self, state, ins, trigger):
        who = ins.args_text.strip()
        return self._config_step(state, ins, f"MAINTAINER {who}", state.image.config, trigger, author=who)

    def _arg(self, state, ins, trigger):
        args = dict(state.args)
        env = state.env()
        shown = []
        raw = []
        for name, default in ins.pairs():
            if name in self.build_args:
                self.used_args.add(name)
                value = self.build_args[name]
            elif default is not None:
                value = expand(default, env, escape=self.dockerfile.escape)
            else:
                value = self.meta_args.get(name)
            args[name] = value
            if value is not None:
                env.setdefault(name, value)
            shown.append(name if value is None else f"{name}={value}")
            raw.append(name if default is None else f"{name}={default}")
        message = "ARG " + " ".join(shown if self.profile == "buildkit" else raw)
        return self._config_step(state, ins, message, state.image.config, trigger, args=tuple(args.items()))

    def _cmd_args(self, state, ins) -> tuple[str, ...]:
        if ins.json:
            return tuple(ins.args)
        shell = state.image.config.shell or DEFAULT_SHELL
        return tuple(shell) + (ins.args_text if not ins.args else ins.args[0],)

    def _cmd(self, state, ins, trigger):
        cmd = self._cmd_args(state, ins)
        config = state.image.config.replace(cmd=cmd, args_escaped=self.profile == "buildkit" or
                                            state.image.config.args_escaped)
        return self._config_step(state, ins, f"CMD {profiles.go_quote_list(cmd)}", config, trigger, cmd_set=True)

    def _entrypoint(self, state, ins, trigger):
        entry = self._cmd_args(state, ins) if (ins.args or not ins.json) else ()
        config = state.image.config.replace(entrypoint=entry or None)
        if not state.cmd_set:
            config = config.replace(cmd=None)
        return self._config_step(state, ins, f"ENTRYPOINT {profiles.go_quote_list(entry)}", config, trigger)

    def _expose(self, state, ins, trigger):
        env = state.env()
        ports = set(state.image.config.exposed_ports)
        new = []
        for word in ins.args:
            for port in expand(word, env, escape=self.dockerfile.escape).split():
                spec = port if "/" in port else port + "/tcp"
                new.append(spec)
                ports.add(spec)
        new = sorted(set(new))
        if self.profile == "buildkit":
            message = "EXPOSE map[" + " ".join(f"{p}:{{}}" for p in new) + "]"
        else:
            message = "EXPOSE " + " ".join(new)
        return self._config_step(state, ins, message, state.image.config.replace(exposed_ports=tuple(sorted(ports))),
                                 trigger)

    def _user(self, state, ins, trigger):
        user = expand(ins.user, state.env(), escape=self.dockerfile.escape)
        return self._config_step(state, ins, f"USER {user}", state.image.config.replace(user=user), trigger)

    def _volume(self, state, ins, trigger):
        env = state.env()
        vols = [expand(v, env, escape=self.dockerfile.escape) for v in ins.volumes]
        if any(not v.strip() for v in vols):
            raise BuildError("VOLUME specified can not be an empty string")
        config = state.image.config.replace(volumes=tuple(sorted(set(state.image.config.volumes) | set(vols))))
        return self._config_step(state, ins, f"VOLUME {profiles.go_list(vols)}", config, trigger)

    def _stopsignal(self, state, ins, trigger):
        sig = expand(ins.args[0], state.env(), escape=self.dockerfile.escape)
        return self._config_step(state, ins, f"STOPSIGNAL {sig}", state.image.config.replace(stop_signal=sig),
                                 trigger)

    def _shell(self, state, ins, trigger):
        if not ins.json:
            raise BuildError(f"SHELL requires the arguments to be in JSON form, e.g. SHELL [\"/bin/bash\", \"-c\"]")
        return self._config_step(state, ins, f"SHELL {profiles.go_list(ins.args)}",
                                 state.image.config.replace(shell=tuple(ins.args)), trigger)

    def _healthcheck(self, state, ins, trigger):
        hc = ins.healthcheck
        check = {"Test": list(hc.test)}
        for key, value in (("Interval", hc.interval), ("Timeout", hc.timeout), ("StartPeriod", hc.start_period),
                           ("StartInterval", hc.start_interval), ("Retries", hc.retries)):
            if value:
                check[key] = value
        durations = " ".join(f'"{_go_duration(v)}"' for v in (hc.interval, hc.timeout, hc.start_period,
                                                              hc.start_interval))
        message = f"HEALTHCHECK &{{{profiles.go_quote_list(hc.test)} {durations} '\\x{hc.retries:02x}'}}"
        return self._config_step(state, ins, message, state.image.config.replace(healthcheck=check), trigger)

    def _onbuild(self, state, ins, trigger):
        text = ins.original.strip()
        text = text[len("ONBUILD"):].strip() if text.upper().startswith("ONBUILD") else ins.args_text
        config = state.image.config.replace(onbuild=state.image.config.onbuild + (text,))
        return self._config_step(state, ins, f"ONBUILD {text}", config, trigger)

    # -- instructions that change files ----------------------------------------------------------------------
    def _layer_from(self, tree: WorkTree) -> Layer:
        return tree.naive_layer() if self.driver == "vfs" else tree.upper_layer()

    def _workdir(self, state, ins, trigger):
        path = expand(ins.workdir, state.env(), escape=self.dockerfile.escape)
        wd = paths.normalize(paths.join(state.image.config.working_dir or "/", path) if not path.startswith("/")
                             else path)
        config = state.image.config.replace(working_dir=wd)
        message = f"WORKDIR {wd}"
        if self.profile == "buildkit" and wd == "/":
            return self._config_step(state, ins, message, config, trigger)

        def build() -> _Result:
            tree = WorkTree(state.snap, clock=self.clock)
            tree.command = message
            if not tree.lexists(wd):
                uid_gid = owner(state.snap, state.image.config.user) if self.profile == "buildkit" else None
                uid, gid = uid_gid or (0, 0)
                try:
                    tree.mkdir(wd, 0o755, parents=True, uid=uid, gid=gid)
                except FilesystemError as exc:
                    raise BuildError(f"mkdir {wd}: {exc}") from None
            elif not tree.is_dir(wd):
                raise BuildError(f"mkdir {wd}: not a directory (a file of that name is in the image)")
            layer = self._layer_from(tree)
            image, new_layer, history = self._commit(state, "WORKDIR", message, layer, config,
                                                     changed=not layer.is_empty, workdir=wd)
            return _Result(image, new_layer, history)

        inputs = {"user": state.image.config.user} if self.profile == "buildkit" else {}
        return self._cached_or_build(state, ins, profiles.created_by(self.profile, "WORKDIR", message), inputs,
                                     build, kind_of=lambda r: "layer" if r.layer is not None else "config",
                                     trigger=trigger)

    def _run(self, state, ins, trigger):
        config = state.image.config
        if ins.json:
            argv = list(ins.args)
        else:
            command = ins.args[0] if ins.args else ins.args_text
            if ins.heredocs:
                command = _heredoc_command(command, ins.heredocs)
            argv = list(config.shell or DEFAULT_SHELL) + [command]
        env_config = config.env_dict()
        build_env = [(k, v) for k, v in state.args if v is not None]
        if self.profile == "buildkit":
            shown = [(k, env_config.get(k, v)) for k, v in build_env]
        else:
            shown = sorted((k, v) for k, v in build_env if k not in env_config)
        prefix = [f"|{len(shown)}"] + [f"{k}={v}" for k, v in shown] if shown else []
        message = " ".join(prefix + argv)
        inputs = {f"arg:{k}": v for k, v in shown}
        if self.profile == "buildkit":
            inputs.update({f"env:{k}": v for k, v in env_config.items()})
            inputs.update(workdir=config.working_dir or "/", user=config.user or "root")
        text = profiles.created_by(self.profile, "RUN", " ".join(argv)) if self.profile != "buildkit" \
            else "RUN " + " ".join(argv)

        def build() -> _Result:
            from ..shell import Shell

            tree = WorkTree(state.snap, clock=self.clock)
            run_env = dict(env_config)
            for k, v in build_env:
                run_env.setdefault(k, v)
            run_env.setdefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
            run_env.setdefault("HOSTNAME", "buildkitsandbox" if self.profile == "buildkit" else "4f3c1e0a9b2d")
            run_env.setdefault("HOME", "/root")
            try:
                sh = Shell(tree, env=run_env, cwd=config.working_dir or "/", user=config.user or "root",
                           hostname=run_env["HOSTNAME"])
            except LayerlabError as exc:
                raise BuildError(f"RUN cannot start as user {config.user!r}: {exc}") from None
            if self.profile != "buildkit":
                # the classic builder runs RUN in a container with the image's VOLUMEs mounted: the daemon makes
                # the mount points in its layer, and writes below them go to a volume that is thrown away
                for volume in config.volumes:
                    if not tree.lexists(volume):
                        tree.mkdir(volume, 0o755, parents=True)
            if not ins.json and tuple(argv[:2]) == DEFAULT_SHELL:
                result = sh.run(argv[2])
            else:
                result = sh.run_argv(argv)
            output = result.stdout + result.stderr
            if result.exit_code != 0:
                raise BuildError(self._run_failure(argv, result))
            layer = self._layer_from(tree)
            if self.profile == "classic" and config.volumes:
                layer = _drop_under(layer, config.volumes)
            image, new_layer, history = self._commit(state, "RUN", message, layer, config,
                                                     changed=not layer.is_empty)
            return _Result(image, new_layer, history, output, tuple(tree.copy_ups))

        return self._cached_or_build(state, ins, text, inputs, build,
                                     kind_of=lambda r: "layer" if r.layer is not None else "config",
                                     trigger=trigger)

    def _run_failure(self, argv, result) -> str:
        shown = " ".join(argv)
        if result.not_found:
            from ..shell import SUPPORTED
            missing = result.not_found[0]
            if missing == "/bin/sh":
                return (f'process "{shown}" did not complete successfully: runc run failed: unable to start '
                        'container process: exec: "/bin/sh": stat /bin/sh: no such file or directory (this image '
                        "has no shell: use the exec form RUN [\"...\"] or a base image with /bin/sh)")
            detail = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
            return (f'process "{shown}" did not complete successfully: exit code: {result.exit_code}: {detail}\n'
                    f"'{missing}' is not a command in this image or is not simulated by layerlab "
                    f"(simulated: {', '.join(SUPPORTED)})")
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        if self.profile == "buildkit":
            text = f'process "{shown}" did not complete successfully: exit code: {result.exit_code}'
        else:
            text = f"The command '{shown}' returned a non-zero code: {result.exit_code}"
        return text + (f"\n{tail}" if tail else "")

    def _copy(self, state, ins, trigger):
        return self._copy_or_add(state, ins, trigger, add=False)

    def _add(self, state, ins, trigger):
        return self._copy_or_add(state, ins, trigger, add=True)

    def _copy_or_add(self, state, ins, trigger, *, add: bool):
        keyword = "ADD" if add else "COPY"
        env = state.env()
        esc = self.dockerfile.escape
        config = state.image.config
        workdir = config.working_dir or "/"
        dest_raw = expand(ins.dest, env, escape=esc)
        dest = dest_raw if dest_raw.startswith("/") else paths.join(workdir, dest_raw or ".") + (
            "/" if dest_raw.endswith("/") or dest_raw in ("", ".") else "")
        sources, docs = [], []
        for src in ins.sources:
            if isinstance(src, Heredoc):
                docs.append(src)
            else:
                sources.append(expand(src, env, escape=esc))
        from_ref = ins.flag("from")
        link = ins.flag("link") not in (None, "false") and self.profile == "buildkit"
        if ins.flag("link") is not None and self.profile != "buildkit":
            raise BuildError("the --link option requires BuildKit: the classic builder does not support it")
        chmod = parse_chmod(ins.flag("chmod"), self.profile)
        chown_spec = ins.flag("chown")
        chown = owner(state.snap, expand(chown_spec, env, escape=esc)) if chown_spec else None
        if from_ref is not None:
            source_tree, ignored, urls = self._from_tree(from_ref), (), {}
        else:
            source_tree, ignored, urls = self.context.tree, self.context.ignored, dict(self.context.urls)
        if docs:
            extra = {"/" + d.name: (expand(d.content, env, escape=esc) if d.expand else d.content) for d in docs}
            source_tree = merge([*source_tree.layers, Layer.from_spec(extra)])
            sources += [d.name for d in docs]
        checksum = _checksum(source_tree, sources, urls)
        flags = "".join(f" --{n}={v}" for n, v in (("chown", chown_spec), ("chmod", ins.flag("chmod"))) if v)
        if self.profile == "buildkit":
            shown = [s if not any(s == d.name for d in docs) else "<<" + s for s in sources]
            message = f"{keyword}{flags} {' '.join(shown)} {dest_raw}"
        else:
            message = f"{keyword} {_classic_source_hash(source_tree, sources, checksum)} in {dest} "
        text = profiles.created_by(self.profile, keyword, message)
        inputs = {"files": checksum}
        if self.profile == "buildkit":
            inputs.update(dest=dest, workdir=workdir, link=str(link))

        def build() -> _Result:
            tree = WorkTree(merge([]) if link else state.snap, clock=self.clock)
            written = copy_into(tree, source_tree, sources, dest, command=ins.original.strip(), chown=chown,
                                chmod=chmod, add=add, profile=self.profile, ignored=ignored, urls=urls)
            layer = tree.upper_layer() if link else self._layer_from(tree)
            image, new_layer, history = self._commit(state, keyword, message, layer, config, changed=True)
            return _Result(image, new_layer, history, written=tuple(written))

        return self._cached_or_build(state, ins, text, inputs, build, kind_of=lambda r: "layer", trigger=trigger)

    def _from_tree(self, ref: str) -> Snapshot:
        local = self._stage_ref(ref)
        if local is not None:
            if local not in self._states:
                raise BuildError(f"COPY --from={ref}: that stage has not been built yet (stages are built in order)")
            return self._states[local].snap
        image = self.resolve_image(ref)
        return image.rootfs

    # -- the log ---------------------------------------------------------------------------------------------
    def log(self) -> str:
        """What `docker build` would print for the steps so far, in this profile's style."""
        return render_log(self)


def _go_duration(ns: int) -> str:
    seconds = ns // 1_000_000_000
    if seconds == 0:
        return "0s"
    m, s = divmod(seconds, 60)
    h, m = divmod(m, 60)
    return (f"{h}h" if h else "") + (f"{m}m" if h or m else "") + f"{s}s"


def _heredoc_command(command: str, docs) -> str:
    """BuildKit's heredoc RUN: a lone heredoc runs its body; otherwise the here-documents are rejoined."""
    if command.strip() in (f"<<{docs[0].name}", f"<<-{docs[0].name}", f"<<'{docs[0].name}'",
                           f'<<"{docs[0].name}"') and len(docs) == 1:
        return docs[0].content
    full = command
    for doc in docs:
        full += "\n" + doc.content + doc.name
    return full


def _drop_under(layer: Layer, volumes) -> Layer:
    """The classic builder runs RUN with the image's VOLUMEs mounted: writes below them never reach the layer."""
    vols = [paths.normalize(v) for v in volumes]
    kept = {p: e for p, e in layer.entries.items() if not any(p != v and paths.is_under(p, v) for v in vols)}
    if len(kept) == len(layer.entries):
        return layer
    return Layer(kept.items(), layer.created_by, layer.comment)


def _checksum(tree: Snapshot, sources: list[str], urls: dict) -> str:
    """The checksum of everything a COPY/ADD reads: content and metadata, mtime ignored (rule 26)."""
    h = hashlib.sha256()
    for source in sources:
        h.update(f"source {source}\n".encode())
        if source in urls:
            h.update(hashlib.sha256(urls[source]).digest())
            continue
        from .copying import match_sources
        for top in match_sources(tree, source):
            entries = [(top, tree.get(top))]
            if isinstance(tree.get(top), Dir):
                entries += list(tree.walk(top))
            for path, entry in entries:
                if entry is None:
                    continue
                rel = path[len(top):] or "."
                detail = entry.content.sha256 if isinstance(entry, File) else getattr(entry, "target", "")
                h.update(f"{rel}\0{entry.kind}\0{entry.mode:o}\0{entry.uid}\0{entry.gid}\0{detail}\n".encode())
    return "sha256:" + h.hexdigest()


def _classic_source_hash(tree: Snapshot, sources: list[str], checksum: str) -> str:
    """The classic builder's 'file:<hash>', 'dir:<hash>' or 'multi:<hash>' source label."""
    hexd = checksum.split(":", 1)[1]
    if len(sources) > 1:
        return f"multi:{hexd}"
    entry = tree.get(paths.normalize("/" + sources[0])) if sources else None
    return f"dir:{hexd}" if isinstance(entry, Dir) else f"file:{hexd}"


def render_log(build: Build) -> str:
    """Docker's build output for the steps so far: 'Step N/M : ...' (classic) or '#N [stage k/n] ...' (BuildKit)."""
    lines = []
    if build.profile == "buildkit":
        lines.append(f"#1 [internal] load build definition from {build.filename}")
        lines.append(f"#1 transferring dockerfile: {len(build.text.encode())}B done")
        lines.append("#1 DONE 0.0s")
        vertex = 1
        per_stage: dict[int, int] = {}
        totals: dict[int, int] = {}
        for stage, ins in build.plan:
            if ins.keyword in ("FROM", "RUN", "COPY", "ADD", "WORKDIR"):
                totals[stage] = totals.get(stage, 0) + 1
        for step in build.steps:
            if step.instruction.keyword not in ("FROM", "RUN", "COPY", "ADD", "WORKDIR") or (
                    step.instruction.keyword == "WORKDIR" and step.layer is None):
                continue
            vertex += 1
            per_stage[step.stage] = per_stage.get(step.stage, 0) + 1
            label = f"{step.stage_name} " if step.stage_name else ""
            text = " ".join(step.instruction.original.split())
            lines.append(f"#{vertex} [{label}{per_stage[step.stage]}/{totals.get(step.stage, 1)}] {text}")
            if step.cached:
                lines.append(f"#{vertex} CACHED")
                continue
            for out in step.output.splitlines():
                lines.append(f"#{vertex} 0.100 {out}")
            lines.append(f"#{vertex} DONE 0.1s")
        if build.done:
            vertex += 1
            lines.append(f"#{vertex} exporting to image")
            lines.append(f"#{vertex} exporting layers done")
            lines.append(f"#{vertex} writing image {build.image.id} done")
            lines.append(f"#{vertex} DONE 0.0s")
        return "\n".join(lines)
    total = len(build.plan)
    lines.append(f"Sending build context to Docker daemon  {_human(build.context.size)}")
    for step in build.steps:
        n = sum(1 for s in build.steps[: step.number] if not s.trigger)
        if step.trigger:
            lines.append(f"# Executing build trigger: {step.instruction.original.strip()}")
        else:
            lines.append(f"Step {n}/{total} : {' '.join(step.instruction.original.split())}")
        if step.kind == "from":
            lines.append(f" ---> {step.image.short_id}")
            continue
        if step.cached:
            lines.append(" ---> Using cache")
        else:
            container = hashlib.sha256(f"{step.image.id}{step.number}".encode()).hexdigest()[:12]
            lines.append(f" ---> Running in {container}")
            lines.extend(step.output.splitlines())
            lines.append(f"Removing intermediate container {container}")
        lines.append(f" ---> {step.image.short_id}")
    if build.done:
        lines.append(f"Successfully built {build.image.short_id}")
    return "\n".join(lines)


def _human(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.4g}{unit}" if unit != "B" else f"{n}B"
        n /= 1000
    return f"{n}B"
