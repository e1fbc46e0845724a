"""Docker-style text tables and the units Docker prints (sizes like 188MB, times like 2 minutes ago).

>>> t = Table(["REPOSITORY", "TAG", "SIZE"], [["app", "latest", human_size(187_654_321)]])
>>> print(t)
REPOSITORY   TAG       SIZE
app          latest    188MB
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence


def human_size(n: float, precision: int = 3) -> str:
    """Decimal units with 3 significant digits, as docker's go-units HumanSizeWithPrecision.

    >>> human_size(0), human_size(21), human_size(1234), human_size(74_800_000)
    ('0B', '21B', '1.23kB', '74.8MB')
    """
    units = ["B", "kB", "MB", "GB", "TB", "PB"]
    i = 0
    n = float(n)
    while n >= 1000.0 and i < len(units) - 1:
        n /= 1000.0
        i += 1
    return f"{n:.{precision}g}{units[i]}"


def human_duration(seconds: float) -> str:
    """docker's go-units HumanDuration.

    >>> human_duration(0), human_duration(30), human_duration(70), human_duration(3 * 3600), human_duration(86400 * 20)
    ('Less than a second', '30 seconds', 'About a minute', '3 hours', '2 weeks')
    """
    s = int(seconds)
    if s < 1:
        return "Less than a second"
    if s == 1:
        return "1 second"
    if s < 60:
        return f"{s} seconds"
    minutes = s // 60
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = round(s / 3600)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{hours // 24 // 365} years"


def cut(text: str, width: int, keep: str = "start") -> str:
    """Text cut to `width` characters with '…' where it was cut; a path keeps its end (keep="end").

    >>> cut("RUN apt-get update && apt-get install -y curl", 24), cut("/var/lib/apt/lists/x_Packages", 16, keep="end")
    ('RUN apt-get update && a…', '…/x_Packages')
    """
    if len(text) <= width:
        return text
    if keep == "end":
        tail = text[-(width - 1):]
        return "…" + (tail[tail.index("/"):] if "/" in tail[:width // 2] else tail)
    return text[:width - 1] + "…"


def ago(then: int, now: int) -> str:
    """'2 minutes ago', as docker images and docker history print CREATED."""
    return human_duration(max(0, now - then)) + " ago"


class Table(list):
    """Rows (dicts) that print as a docker CLI table: columns separated by at least three spaces."""

    def __init__(self, columns: Sequence[str], rows: Iterable[Sequence[Any]] = (), *, keys: Sequence[str] | None = None,
                 data: Iterable[dict] | None = None):
        self.columns = list(columns)
        self.keys = list(keys or [c.lower().replace(" ", "_") for c in columns])
        self.cells = [["" if v is None else str(v) for v in row] for row in rows]
        super().__init__(data if data is not None else [dict(zip(self.keys, r)) for r in self.cells])

    def __str__(self) -> str:
        widths = [len(c) for c in self.columns]
        for row in self.cells:
            for i, cell in enumerate(row):
                widths[i] = max(widths[i], len(cell))
        lines = []
        for row in [self.columns] + self.cells:
            parts = [cell.ljust(widths[i] + 3) if i < len(row) - 1 else cell for i, cell in enumerate(row)]
            lines.append("".join(parts).rstrip())
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))
