"""Exercises: predict, check, get a hint, reveal the solution.

An exercise is registered by id ("03.1" = notebook 03, exercise 1) with a checker
that turns the learner's answer into specific Feedback. Hints come one at a
time; solutions live in files next to this module and show only when asked.

>>> check("00.1", ["issue", "motd"]).ok
True
>>> check("00.1", ...)
… Replace the ... with your answer, then run the cell again.
>>> hint("00.1", 1)
Hint 1 of 3: Take the names one at a time and look each up from the highest layer (layer 2) down.
"""

from __future__ import annotations

import html
import pathlib
from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import LayerlabError

SOLUTIONS = pathlib.Path(__file__).with_name("solutions")


@dataclass(frozen=True)
class Feedback:
    """The answer to a check: a verdict and a specific message (plain text for nbval, HTML in JupyterLab)."""

    verdict: str          # "right", "wrong" or "pending"
    message: str
    details: tuple[str, ...] = ()

    @classmethod
    def right(cls, message: str, *details: str) -> "Feedback":
        return cls("right", message, details)

    @classmethod
    def wrong(cls, message: str, *details: str) -> "Feedback":
        return cls("wrong", message, details)

    @classmethod
    def pending(cls, message: str = "Replace the ... with your answer, then run the cell again.") -> "Feedback":
        return cls("pending", message)

    @property
    def ok(self) -> bool:
        return self.verdict == "right"

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        mark = {"right": "✔", "wrong": "✘", "pending": "…"}[self.verdict]
        lines = [f"{mark} {self.message}"] + [f"  - {d}" for d in self.details]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour = {"right": "#009E73", "wrong": "#D55E00", "pending": "#999999"}[self.verdict]
        items = "".join(f"<li>{html.escape(d)}</li>" for d in self.details)
        return (f'<div style="border-left:4px solid {colour};padding:4px 10px;margin:4px 0">'
                f"<b>{html.escape(str(self).splitlines()[0])}</b>{'<ul>' + items + '</ul>' if items else ''}</div>")


@dataclass(frozen=True)
class Text:
    """Markdown-ish text that prints plainly and renders in JupyterLab (hints and solutions)."""

    text: str

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:
        return self.text


@dataclass(frozen=True)
class Columns(Text):
    """Two columns (goal beside current): aligned plain text, and a two-column table in JupyterLab.

    >>> print(Columns.of(["GOAL", "[ ] one layer"], ["YOU", "3 layers"]))
    GOAL             YOU
    [ ] one layer    3 layers
    """

    left: tuple[str, ...] = ()
    right: tuple[str, ...] = ()

    @classmethod
    def of(cls, left, right) -> "Columns":
        left, right = tuple(left), tuple(right)
        width = max((len(s) for s in left), default=0) + 4
        n = max(len(left), len(right))
        rows = [(left[i] if i < len(left) else "", right[i] if i < len(right) else "") for i in range(n)]
        return cls("\n".join(f"{a:<{width}}{b}".rstrip() for a, b in rows), left, right)

    def _repr_markdown_(self) -> str:
        return "```text\n" + self.text + "\n```"

    def _repr_html_(self) -> str:
        """Each column a block of its own, so a narrow window wraps a column inside itself, never into the other."""
        def block(lines, head_colour):
            if not lines:
                return ""
            head, rest = html.escape(lines[0]), html.escape("\n".join(lines[1:]))
            return (f'<div style="font-weight:600;color:{head_colour};margin-bottom:2px">{head}</div>'
                    f'<pre style="margin:0;white-space:pre-wrap;overflow-wrap:break-word;font-size:12px">{rest}</pre>')
        cell = 'style="vertical-align:top;padding:4px 18px 4px 0;text-align:left;width:50%"'
        return (f'<table style="border-collapse:collapse;width:100%;font-family:var(--jp-code-font-family,'
                f'monospace)"><tr><td {cell}>{block(self.left, "#0072B2")}</td>'
                f'<td {cell}>{block(self.right, "#444")}</td></tr></table>')


@dataclass
class Exercise:
    """A registered exercise: its checker, its hints and how many hints were shown."""

    id: str
    checker: Callable[[Any], Feedback]
    hints: tuple[str, ...] = ()
    shown: int = field(default=0, compare=False)


_REGISTRY: dict[str, Exercise] = {}


def exercise(id: str, hints: list[str] | tuple[str, ...] = ()) -> Callable:
    """Register a checker function as exercise `id` (a decorator)."""
    def register(fn: Callable[[Any], Feedback]) -> Callable[[Any], Feedback]:
        _REGISTRY[id] = Exercise(id, fn, tuple(hints))
        return fn
    return register


def get(id: str) -> Exercise:
    """The exercise registered under id (loading the notebook modules on first use)."""
    _load_all()
    try:
        return _REGISTRY[id]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise LayerlabError(f"no exercise {id!r}: check the id in the notebook (known: {known})") from None


def check(id: str, answer: Any = ...) -> Feedback:
    """Check an answer; `...` (the placeholder in the notebook) asks the learner to answer first."""
    ex = get(id)
    if answer is ...:
        return Feedback.pending()
    try:
        return ex.checker(answer)
    except LayerlabError as exc:
        return Feedback.wrong(f"That did not work: {exc}")


def hint(id: str, n: int | None = None) -> Text:
    """The next hint (or hint n, counting from 1)."""
    ex = get(id)
    if not ex.hints:
        return Text("No hints for this one: re-read the section above, then try.")
    if n is None:
        ex.shown = min(ex.shown + 1, len(ex.hints))
        n = ex.shown
    n = max(1, min(n, len(ex.hints)))
    return Text(f"Hint {n} of {len(ex.hints)}: {ex.hints[n - 1]}")


def solution(id: str) -> Text:
    """The worked solution, read from its file (they are kept out of the notebooks on purpose)."""
    get(id)
    path = SOLUTIONS / f"{id}.md"
    if not path.exists():
        raise LayerlabError(f"exercise {id!r} has no solution file; ask your teacher")
    return Text(path.read_text(encoding="utf-8").strip())


def exercises() -> list[str]:
    """Every registered exercise id, sorted."""
    _load_all()
    return sorted(_REGISTRY)


_LOADED = False


def _load_all() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    import importlib
    import pkgutil

    from . import notebooks
    for info in pkgutil.iter_modules(notebooks.__path__):
        importlib.import_module(f"{notebooks.__name__}.{info.name}")
