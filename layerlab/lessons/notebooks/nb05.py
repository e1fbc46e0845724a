"""Exercises of notebook 05 (volumes: what the container sees versus where the bytes live).

The checkers replay the question in a fresh Engine, so the feedback quotes the model.

>>> from layerlab import lessons
>>> lessons.check("05.1", "1").ok
True
>>> lessons.check("05.2", []).ok
True
>>> lessons.check("05.3", {"/tmp/b.txt"}).ok
True
"""

from __future__ import annotations

from functools import lru_cache

from ...engine import Engine
from ...errors import LayerlabError
from ...fs.entries import Dir, Whiteout
from ..answers import words
from ..core import Feedback, exercise

# -- 05.3: what docker commit captures -------------------------------------------------------------------------------
JOB_DOCKERFILE = 'FROM busybox\nRUN mkdir /data\nCMD ["sh"]\n'
JOB_COMMAND = "echo a > /data/a.txt && echo b > /tmp/b.txt && mkdir /data/sub && echo c > /data/sub/c.txt"


@lru_cache(maxsize=None)
def job_model() -> dict:
    """The committed layer's files and directories, and the volume's files, after JOB_COMMAND."""
    eng = Engine()
    eng.build(JOB_DOCKERFILE, tag="job")
    c = eng.run("job", name="job", volumes={"results": "/data"})
    eng.exec(c, JOB_COMMAND)
    img = eng.commit(c, "job:v2")
    layer = img.layers[-1]
    files = {p for p, e in layer.entries.items() if not isinstance(e, (Dir, Whiteout))}
    dirs = {p for p, e in layer.entries.items() if isinstance(e, Dir)}
    volume = {"/data" + p for p in eng.volume_files("results")}
    return {"files": frozenset(files), "dirs": frozenset(dirs), "volume": frozenset(volume)}


def _paths(answer) -> set[str]:
    """Paths from a set, list or tuple of strings, or one string with paths separated by spaces or commas."""
    items = words(answer)
    if items is None:
        raise LayerlabError(f"answer with a set of path strings such as {{'/etc/motd'}} (you gave {answer!r})")
    return {"/" + item.strip("/") for item in items}


@exercise("05.3", hints=[
    "docker commit turns the container's read-write layer into a layer. Which writes land there?",
    "/data is a mount point: everything written below it goes to the volume, on the host.",
    "Directories that hold a new file are in the layer too; list the files, the directories are optional."])
def _committed(answer):
    m = job_model()
    got = _paths(answer)
    files, dirs, volume = set(m["files"]), set(m["dirs"]), set(m["volume"])
    if got - dirs == files:
        return Feedback.right(
            f"Yes: the committed layer holds {', '.join(sorted(files))} (and its directory "
            f"{', '.join(sorted(dirs))}/).",
            f"Everything under /data ({', '.join(sorted(volume))}) went to the volume on the host: commit, diff and "
            "export never see it.")
    details = []
    in_volume = sorted(got & (volume | {"/data"}))
    if in_volume:
        details.append(f"{', '.join(in_volume)}: written under the mount point /data, so the bytes went to the "
                       "volume `results` on the host, not into the read-write layer. commit takes the read-write "
                       "layer only.")
    missing = sorted(files - got)
    if missing:
        details.append(f"{', '.join(missing)}: /tmp is not a mount point, so this write lands in the read-write "
                       "layer, and commit keeps it.")
    other = sorted(got - files - dirs - volume - {"/data"})
    if other:
        details.append(f"{', '.join(other)}: the command did not write this path.")
    return Feedback.wrong("Not quite.", *details)


# -- 05.1 and 05.2: populate-on-create and bind mounts ---------------------------------------------------------------
APP1 = 'FROM busybox\nRUN mkdir -p /etc/app && echo 1 > /etc/app/version\nCMD ["sh"]\n'
APP2 = ('FROM busybox\nRUN mkdir -p /etc/app && echo 2 > /etc/app/version && echo on > /etc/app/feature\n'
        'CMD ["sh"]\n')


@lru_cache(maxsize=None)
def app_model() -> dict:
    """What v2 reads through the reused volume, and what v3 lists through an empty bind mount."""
    eng = Engine()
    eng.build(APP1, tag="app:1")
    eng.build(APP2, tag="app:2")
    first = eng.run("app:1", name="v1", volumes={"conf": "/etc/app"})
    eng.stop(first)
    eng.rm(first)
    second = eng.run("app:2", name="v2", volumes={"conf": "/etc/app"})
    third = eng.run("app:2", name="v3", volumes={"/home/learner/conf": "/etc/app"})
    return {"version": second.fs.read("/etc/app/version").decode().strip(),
            "listing": tuple(second.fs.listdir("/etc/app")),
            "bind": tuple(third.fs.listdir("/etc/app"))}


@exercise("05.1", hints=[
    "When is a volume filled from the image: every time a container starts, or only when the volume is empty?",
    "The volume `conf` was filled by the first container, from app:1. docker rm does not delete a named volume.",
    "The second container's image has version 2 at /etc/app, but /etc/app is a mount point: what lies under it "
    "is hidden."])
def _reused_volume(answer):
    m = app_model()
    if isinstance(answer, bool) or not isinstance(answer, (str, int)):
        raise LayerlabError(f"answer with what `cat /etc/app/version` prints, such as '7' (you gave {answer!r})")
    got = str(answer).strip()
    if got == m["version"]:
        return Feedback.right(
            f"Yes: {m['version']}. The volume was filled once, when it was empty, from app:1 (rule 25).",
            "It outlived the first container, and it is not empty now, so app:2's files are never copied in: the "
            f"second container sees {', '.join(m['listing'])} only, not app:2's feature file.")
    if got == "2":
        return Feedback.wrong(
            "2 is what app:2 holds at /etc/app, but /etc/app is a mount point: the container sees the volume, not "
            "the image directory underneath. A volume is filled from the image only while it is EMPTY (rule 25), "
            "and `conf` was filled by the first container from app:1.")
    if got.lower() in ("", "nothing", "none", "error"):
        return Feedback.wrong(
            "The file is there: docker rm removes the container, not the named volume it used.")
    return Feedback.wrong(f"{got!r} is not it: the file holds a single version number.")


def _names(answer) -> list[str]:
    if isinstance(answer, str):
        text = answer.strip()
        if text.lower() in ("", "nothing", "none", "empty"):
            return []
        return sorted(text.replace(",", " ").split())
    if isinstance(answer, (list, tuple, set, frozenset)):
        if not all(isinstance(x, str) for x in answer):
            raise LayerlabError("every name is a string such as 'version'")
        return sorted(x.strip().rsplit("/", 1)[-1] for x in answer)
    raise LayerlabError(f"answer with the names `ls` prints, as a list such as ['a', 'b'] (you gave {answer!r})")


@exercise("05.2", hints=[
    "A bind mount shows a host directory as it is. Is anything ever copied into it?",
    "Populate-on-create is for empty *volumes*; a bind mount is never filled from the image.",
    "The host directory did not exist: `-v /host/dir:/path` creates it, empty."])
def _bind(answer):
    m = app_model()
    got = _names(answer)
    expected = sorted(m["bind"])
    if got == expected:
        return Feedback.right(
            "Yes: nothing. docker created the missing host directory, empty, and mounted it over /etc/app.",
            "A bind mount is never filled from the image: app:2's version and feature files are hidden underneath.")
    if set(got) & {"version", "feature"}:
        return Feedback.wrong(
            f"{', '.join(got)} live in the image under /etc/app, but a bind mount covers that directory with the "
            "host directory, and nothing copies the image's files into a bind mount (only an empty volume is "
            "filled, rule 25).")
    return Feedback.wrong(f"{got} is not it: what is in a host directory that docker just created?")
