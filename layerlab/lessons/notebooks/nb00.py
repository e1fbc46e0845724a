"""Exercises of notebook 00 (welcome): one demo exercise that shows how predict, check, hint and solution work.

>>> _check_listing(["issue", "motd"]).ok, _check_listing(["motd"]).ok
(True, False)
"""

from __future__ import annotations

from functools import lru_cache

from ...fs.entries import WHITEOUT
from ...fs.layer import Layer
from ...fs.snapshot import Snapshot
from ...fs.union import merge
from ..answers import words
from ..core import Feedback, exercise


@lru_cache(maxsize=None)
def welcome_stack() -> tuple[Layer, Layer, Layer]:
    """The three layers of exercise 00.1: the welcome notebook's base and top, and a third layer on top."""
    base = Layer.from_spec({"/etc/motd": "Welcome!\n", "/etc/issue": "Debian GNU/Linux 12\n"})
    top = Layer.from_spec({"/etc/motd": "Hello from the top layer\n", "/etc/issue": WHITEOUT})
    again = Layer.from_spec({"/etc/issue": "Debian GNU/Linux 12 (again)\n"})
    return base, top, again


def _names(answer) -> list[str] | None:
    """A listing given as a list/set of names or paths, or one string of names; None when it is not one."""
    items = words(answer)
    if items is None:
        return None
    out = []
    for item in items:
        if not isinstance(item, str):
            return None
        name = item.strip().rstrip("/")
        if name.startswith("/etc/"):
            name = name[len("/etc/"):]
        out.append(name)
    return out


def _check_listing(answer) -> Feedback:
    base, top, again = welcome_stack()
    view: Snapshot = merge([base, top, again])
    model = sorted(view.listdir("/etc"))
    if isinstance(answer, bool):
        return Feedback.wrong("Answer with the names that `listdir('/etc')` returns, such as [\"motd\"].")
    if isinstance(answer, int):
        if answer == len(model):
            return Feedback.right(f"Yes, {len(model)} entries: {', '.join(model)}. Layer 2 puts issue back above "
                                  "the whiteout, and motd still comes from layer 1.")
        return Feedback.wrong(f"/etc lists {'fewer' if answer > len(model) else 'more'} than {answer} entries. "
                              "Look each name up on its own, starting at the highest layer.")
    names = _names(answer)
    if names is None:
        return Feedback.wrong(f"I expected a list of names such as [\"motd\"], not {type(answer).__name__} "
                              f"{answer!r}.")
    got = sorted(set(names))
    if got == model:
        return Feedback.right(
            f"Yes: {model}. Lookup starts at the highest layer: layer 2 holds issue, so the whiteout in layer 1 "
            "never comes into play for it; motd comes from layer 1.",
            "A whiteout hides only what lies BELOW it; a layer stacked above can bring the file back.")
    details = []
    for name in sorted(set(model) - set(got)):
        where = view.origin(f"/etc/{name}")
        if name == "issue":
            details.append("issue is missing: the whiteout in layer 1 hides layer 0's copy, but layer 2 sits ABOVE "
                           "the whiteout and writes issue again. Lookup starts at the top and stops at layer 2.")
        else:
            details.append(f"{name} is missing: layer {where} holds it and no layer above deletes it.")
    for name in sorted(set(got) - set(model)):
        details.append(f"there is no {name!r} in any of the three layers.")
    return Feedback.wrong(f"Not quite: you listed {got}.", *details)


exercise("00.1", hints=[
    "Take the names one at a time and look each up from the highest layer (layer 2) down.",
    "A whiteout deletes a path only in the layers BELOW the one that holds it.",
    "Layer 2 holds /etc/issue; layer 1 holds /etc/motd and the whiteout for issue.",
])(_check_listing)
