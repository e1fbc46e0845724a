"""Levels in the style of learnGitBranching: a start state, a goal, your moves, undo, and a step count.

A level is data: a story, a start (a Dockerfile to improve, or a running
container to act on), goals that are checked structurally (digests and times
do not matter), hints, and a reference solution kept in a file. You play it
with moves - a whole Dockerfile for a build level, one command for a
container level - and see the goal beside where you are.

>>> game = level("one-layer").play()
>>> game.solved
False
>>> game.submit(reference("one-layer"))
✔ Level solved in 1 instruction after FROM (par 1).
"""

from __future__ import annotations

import shlex
import textwrap
from dataclasses import dataclass, field
from typing import Callable

from ..analysis import short_command
from ..engine import Engine
from ..errors import LayerlabError
from ..image.dockerfile import parse_dockerfile
from .core import SOLUTIONS, Columns, Feedback


@dataclass(frozen=True)
class Goal:
    """One condition of a level: what it asks, and a check returning None when met or what is missing."""

    text: str
    unmet: Callable[["State"], str | None]


@dataclass
class State:
    """Where a game stands: the engine, the built image (build levels) or the container (container levels)."""

    engine: Engine
    image: object = None
    container: object = None
    build: object = None
    error: str = ""
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Level:
    """A level: a story, a start, goals, allowed moves, hints and a par (the reference solution's steps)."""

    id: str
    title: str
    notebook: str
    kind: str                                  # "build" or "container"
    story: str
    goals: tuple[Goal, ...]
    setup: Callable[[Engine], State]
    start: str = ""                            # the Dockerfile to improve (build levels)
    context: dict = field(default_factory=dict)
    allowed: tuple[str, ...] = ()              # instructions (build) or programs/docker verbs (container)
    hints: tuple[str, ...] = ()
    par: int = 1

    def play(self) -> "Game":
        """A fresh game of this level."""
        return Game(self)

    def tell(self, width: int = 88) -> str:
        """The story, wrapped at `width` columns (so no window breaks a word)."""
        return "\n".join(textwrap.fill(part, width) for part in self.story.split("\n"))


class Game:
    """One attempt at a level: make moves, undo them, see goal versus current."""

    def __init__(self, lv: Level):
        self.level = lv
        self.moves: list[str] = []
        self.state = self._replay([])

    # -- moves ------------------------------------------------------------------------------------
    def _replay(self, moves: list[str]) -> State:
        state = self.level.setup(Engine())
        if self.level.kind == "build" and self.level.start:
            state = self._apply(state, self.level.start)  # the starting point, not a move
        for move in moves:
            state = self._apply(state, move)
        return state

    def _apply(self, state: State, move: str) -> State:
        if self.level.kind == "build":
            self._check_instructions(move)
            try:
                build = state.engine.builder(move, self.level.context, tag="answer")
                image = build.run()
                state.engine.finish(build)
            except LayerlabError as exc:
                return State(state.engine, None, None, None, str(exc).splitlines()[-1], state.extra)
            return State(state.engine, image, None, build, "", state.extra)
        if move.startswith("docker "):
            return self._docker(state, move)
        self._check_program(move)
        record = state.engine.exec(state.container, move)
        state.extra.setdefault("output", []).append(record.stdout + record.stderr)
        return state

    def _docker(self, state: State, move: str) -> State:
        words = shlex.split(move)[1:]
        verb = words[0] if words else ""
        if verb not in self.level.allowed:
            raise LayerlabError(f"`docker {verb}` is not a move in this level (allowed: "
                                f"{', '.join(self.level.allowed)})")
        eng, c = state.engine, state.container
        if verb == "commit":
            tag = words[-1] if len(words) > 1 and not words[-1].startswith("-") else "committed"
            state.image = eng.commit(c, tag)
        elif verb == "stop":
            eng.stop(c)
        elif verb == "start":
            eng.start(c)
        elif verb == "restart":
            eng.restart(c)
        else:
            raise LayerlabError(f"`docker {verb}` is not supported in levels")
        return state

    def _check_instructions(self, text: str) -> None:
        if not self.level.allowed:
            return
        df = parse_dockerfile(text)
        for ins in df.instructions:
            if ins.keyword not in self.level.allowed and ins.keyword != "FROM":
                raise LayerlabError(f"{ins.keyword} (line {ins.line}) is not allowed in this level: use "
                                    f"{', '.join(self.level.allowed)}")

    def _check_program(self, command: str) -> None:
        if not self.level.allowed:
            return
        import re
        for part in re.split(r"&&|\|\||;|\|", command):
            words = part.split()
            if words and words[0] not in self.level.allowed:
                raise LayerlabError(f"`{words[0]}` is not a move in this level (allowed: "
                                    f"{', '.join(self.level.allowed)})")

    def submit(self, dockerfile: str) -> Feedback:
        """Build levels: try a whole Dockerfile (one move)."""
        if self.level.kind != "build":
            raise LayerlabError("this is a container level: use game.run('command')")
        self.moves.append(dockerfile)
        self.state = self._apply(self.state, dockerfile)
        return self.feedback()

    def run(self, command: str) -> Feedback:
        """Container levels: run one command in the container, or a `docker ...` move the level allows."""
        if self.level.kind != "container":
            raise LayerlabError("this is a build level: use game.submit(dockerfile_text)")
        self.state = self._apply(self.state, command)
        self.moves.append(command)
        return self.feedback()

    def undo(self) -> Feedback:
        """Take back the last move (the level is replayed from its start)."""
        if self.moves:
            self.moves.pop()
            self.state = self._replay(self.moves)
        return self.feedback()

    def reset(self) -> Feedback:
        """Back to the start."""
        self.moves.clear()
        self.state = self._replay([])
        return self.feedback()

    # -- judging ----------------------------------------------------------------------------------
    def unmet(self) -> list[str]:
        """What is still missing, one line per unmet goal."""
        if self.state.error:
            return [f"the last move failed: {self.state.error}"]
        if self.level.kind == "build" and self.state.image is None:
            return ["nothing built yet: game.submit(dockerfile_text)"]
        out = []
        for goal in self.level.goals:
            try:
                why = goal.unmet(self.state)
            except LayerlabError as exc:
                why = str(exc)
            if why:
                out.append(why)
        return out

    @property
    def solved(self) -> bool:
        return not self.unmet()

    @property
    def steps(self) -> int:
        """Your step count: instructions after FROM in the last Dockerfile, or commands run."""
        if self.level.kind == "build":
            text = self.moves[-1] if self.moves else self.level.start
            try:
                return sum(1 for i in parse_dockerfile(text).instructions if i.keyword != "FROM")
            except LayerlabError:
                return 0
        return len(self.moves)

    def feedback(self) -> Feedback:
        missing = self.unmet()
        if not missing:
            n = self.steps
            unit = ("instruction" if n == 1 else "instructions") + " after FROM" if self.level.kind == "build" \
                else ("command" if n == 1 else "commands")
            par = "" if n <= self.level.par else " - can you do it in fewer?"
            return Feedback.right(f"Level solved in {n} {unit} (par {self.level.par}){par}.")
        return Feedback.wrong("Not there yet:", *missing)

    def status(self) -> Columns:
        """Goal versus current, side by side."""
        left = [f"GOAL: {self.level.title}"] + [f"[{'x' if not g.unmet(self.state) else ' '}] {g.text}"
                                                for g in self.level.goals if not self.state.error]
        right = ["YOU"] + _current(self.state, self.level)
        return Columns.of(left, right)

    def __repr__(self) -> str:
        return str(self.status())

    def _repr_html_(self) -> str:
        return self.status()._repr_html_()


def _current(state: State, lv: Level) -> list[str]:
    if state.error:
        return [f"error: {state.error}"]
    if lv.kind == "build":
        if state.image is None:
            return ["(nothing built yet: game.submit(dockerfile))"]
        img = state.image
        lines = [f"{len(img.layers)} layers, {img.size:,} B"]
        for h in img.history[-6:]:
            shown = short_command(h.created_by, width=10_000)   # the Dockerfile line, spaces collapsed
            shown = shown if len(shown) <= 64 else shown[:63] + "…"
            lines.append(("  config " if h.empty_layer else "  layer  ") + shown)
        return lines
    changes = state.container.changes()
    return [f"docker diff: {len(changes)} change(s)"] + [f"  {c}" for c in changes[:8]]


# -- the registry -------------------------------------------------------------------------------
_LEVELS: dict[str, Level] = {}


def register(lv: Level) -> Level:
    """Add a level to the course."""
    _LEVELS[lv.id] = lv
    return lv


def level(id: str) -> Level:
    """A level by id."""
    from . import levels_data  # noqa: F401  (registers the course's levels)

    try:
        return _LEVELS[id]
    except KeyError:
        raise LayerlabError(f"no level {id!r} (levels: {', '.join(sorted(_LEVELS))})") from None


def levels(notebook: str | None = None) -> list[Level]:
    """All levels, or those of one notebook ('03')."""
    from . import levels_data  # noqa: F401

    return [lv for lv in _LEVELS.values() if notebook is None or lv.notebook == notebook]


def reference(id: str) -> str:
    """The reference solution of a level (a Dockerfile, or one command per line)."""
    level(id)
    return (SOLUTIONS / f"level-{id}.txt").read_text(encoding="utf-8")


def reference_moves(id: str) -> list[str]:
    """The reference solution as a list of moves."""
    lv = level(id)
    text = reference(id)
    if lv.kind == "build":
        return [text]
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
