"""The `layerlab` command: inspect an image file the way dive does, or build a Dockerfile with the simulator.

    layerlab inspect IMAGE.tar [--tree] [--json] [--lowest-efficiency 0.95] [--highest-wasted-bytes 20MB]
                               [--highest-user-wasted-percent 0.1] [--ref TAG] [--top N] [--progress]
    layerlab build -f Dockerfile DIR [-t TAG] [--profile buildkit|classic|docker-2015] [--target T]
                   [--build-arg K=V] [-o out.tar] [--format docker-archive|oci-dir|oci-archive]
    layerlab --version

Exit status: 0 when all is well, 1 when a CI threshold is crossed (or a build
step fails), 2 on bad input (a one-line error naming the path and the problem).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import Sequence, TextIO

from .errors import LayerlabError

OK, FAILED, BAD_INPUT = 0, 1, 2


class ProgressBar:
    """A plain-text progress bar redrawn in place with '\\r' (for stderr on a terminal)."""

    def __init__(self, stream: TextIO, width: int = 30, label: str = "Analyzing layers"):
        self.stream, self.width, self.label = stream, width, label
        self._shown = 0

    def _draw(self, text: str) -> None:
        pad = max(0, self._shown - len(text))
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()
        self._shown = len(text)

    def start(self, text: str) -> None:
        self._draw(text)

    def __call__(self, done: int, total: int, what: str = "") -> None:
        filled = self.width if not total else int(self.width * done / total)
        bar = "#" * filled + "." * (self.width - filled)
        self._draw(f"{self.label} [{bar}] {done}/{total} {what}".rstrip())

    def close(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = 0


def _ratio(text: str) -> float:
    """'0.95' or '95%' -> 0.95."""
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number: write a ratio such as 0.95 or a percentage "
                                         "such as 95%") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative")
    return value


def _size(text: str) -> int:
    from .analysis import parse_bytes
    try:
        return parse_bytes(text)
    except LayerlabError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _build_arg(text: str) -> tuple[str, str | None]:
    key, eq, value = text.partition("=")
    if not key:
        raise argparse.ArgumentTypeError(f"invalid build arg {text!r}: write NAME=VALUE")
    return key, value if eq else None


def parser() -> argparse.ArgumentParser:
    from . import __version__

    top = argparse.ArgumentParser(prog="layerlab", description="Container image layers, simulated faithfully.")
    top.add_argument("--version", action="version", version=f"layerlab {__version__}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")

    ins = sub.add_parser("inspect", help="analyse an image file: layers, wasted bytes, efficiency (like dive)",
                         description="Analyse a docker-save archive, an OCI layout (directory or tar) or an "
                                     "exported filesystem tar.")
    ins.add_argument("path", metavar="PATH", help="image file or OCI layout directory")
    ins.add_argument("--ref", help="which image, when the file holds several (a tag such as app:v2, or an ID)")
    ins.add_argument("--tree", action="store_true", help="also print the merged tree with sizes and layers")
    ins.add_argument("--json", action="store_true", help="print the report as JSON")
    ins.add_argument("--top", type=int, default=10, metavar="N", help="how many largest files to list (10)")
    ins.add_argument("--lowest-efficiency", type=_ratio, metavar="RATIO",
                     help="CI: fail when efficiency is below this (0.95 or 95%%)")
    ins.add_argument("--highest-wasted-bytes", type=_size, metavar="SIZE",
                     help="CI: fail when wasted bytes exceed this (20MB, 1GiB, 500000)")
    ins.add_argument("--highest-user-wasted-percent", type=_ratio, metavar="RATIO",
                     help="CI: fail when wasted/user bytes exceed this (0.1 or 10%%)")
    ins.add_argument("--progress", action="store_true", default=None,
                     help="show a progress bar on stderr even when it is not a terminal")
    ins.add_argument("--no-progress", action="store_false", dest="progress", help="never show the progress bar")

    bld = sub.add_parser("build", help="build a Dockerfile with the simulator and print the build log",
                         description="Build with layerlab's simulated builder (no Docker daemon).")
    bld.add_argument("context", metavar="DIR", help="the build context directory")
    bld.add_argument("-f", "--file", metavar="Dockerfile", help="the Dockerfile (default: DIR/Dockerfile)")
    bld.add_argument("-t", "--tag", help="name:tag for the image")
    bld.add_argument("--profile", default="buildkit", choices=("buildkit", "classic", "docker-2015"),
                     help="which builder to imitate (default buildkit)")
    bld.add_argument("--target", help="build up to this stage")
    bld.add_argument("--build-arg", type=_build_arg, action="append", default=[], metavar="K=V",
                     help="set a build-time variable (repeatable)")
    bld.add_argument("-o", "--output", metavar="FILE", help="save the image there (`docker save`)")
    bld.add_argument("--format", default="docker-archive", choices=("docker-archive", "oci-dir", "oci-archive"),
                     help="how -o writes the image (default docker-archive, the Docker 25+ layout)")
    return top


def _error(stream: TextIO, where: str, message: object) -> int:
    text = " ".join(str(message).split())
    if where and text.startswith(where + ":"):
        where = ""  # the message names the path already
    stream.write(f"layerlab: error: {where}: {text}\n" if where else f"layerlab: error: {text}\n")
    return BAD_INPUT


def _inspect(args, out: TextIO, err: TextIO) -> int:
    from .analysis import check_ci, inspect_image

    show = args.progress if args.progress is not None else err.isatty()
    bar = ProgressBar(err) if show else None
    if bar is not None:
        bar.start(f"Reading {os.path.basename(os.path.normpath(args.path)) or args.path} ...")
    try:
        report = inspect_image(args.path, ref=args.ref, top=args.top, progress=bar)
    except LayerlabError as exc:
        if bar is not None:
            bar.close()
        return _error(err, args.path, exc)
    except OSError as exc:
        if bar is not None:
            bar.close()
        return _error(err, args.path, exc.strerror or exc)
    if bar is not None:
        bar.close()
    ci = check_ci(report, lowest_efficiency=args.lowest_efficiency,
                  highest_wasted_bytes=args.highest_wasted_bytes,
                  highest_user_wasted_percent=args.highest_user_wasted_percent)
    if args.json:
        out.write(report.json(tree=args.tree, ci=ci) + "\n")
    else:
        out.write(report.render(tree=args.tree, ci=ci) + "\n")
    failed = [r for r in ci if not r.passed]
    for r in failed:
        err.write(f"layerlab: CI failed: {r.rule}: {r.message}\n")
    return FAILED if failed else OK


def _build(args, out: TextIO, err: TextIO) -> int:
    from .engine import Engine

    if not os.path.isdir(args.context):
        return _error(err, args.context, "no such directory: give the build context directory")
    dockerfile = args.file or os.path.join(args.context, "Dockerfile")
    try:
        with open(dockerfile, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        return _error(err, dockerfile, f"cannot read the Dockerfile: {exc.strerror or exc}")
    except UnicodeDecodeError:
        return _error(err, dockerfile, "the Dockerfile is not UTF-8 text")
    eng = Engine(profile=args.profile)
    build_args = {k: v for k, v in args.build_arg if v is not None}
    try:
        image = eng.build(text, args.context, tag=args.tag, profile=args.profile, target=args.target,
                          build_args=build_args, filename=os.path.basename(dockerfile))
    except LayerlabError as exc:
        if eng.last_build is not None:
            log = eng.last_build.log()
            if log:
                out.write(log + "\n")
        err.write(f"ERROR: {' '.join(str(exc).split())}\n")
        return FAILED
    out.write(eng.last_build.log() + "\n")
    if args.output:
        try:
            eng.save(args.tag or image.id, args.output, format=args.format)
        except LayerlabError as exc:
            return _error(err, args.output, exc)
        except OSError as exc:
            return _error(err, args.output, exc.strerror or exc)
        out.write(f"Saved {args.tag or image.short_id} to {args.output}\n")
    return OK


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the command line; returns the exit status."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    p = parser()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = p.parse_args(argv)
    except SystemExit as exc:   # --help, --version, or a usage error (argparse exits 2)
        return int(exc.code or 0)
    if args.command is None:
        p.print_usage(err)
        err.write("layerlab: error: give a command: inspect or build (see layerlab --help)\n")
        return BAD_INPUT
    try:
        if args.command == "inspect":
            return _inspect(args, out, err)
        return _build(args, out, err)
    except KeyboardInterrupt:
        err.write("\n")
        return 130
