"""Loading a large image: layerlab's load_image + merge against `tar -tf` and Python's tarfile listing.

Generates an OCI image layout (uncompressed layers, deterministic content) of
--files files totalling about --size bytes in a temporary directory, then runs
each contender in its own process several times and prints the median wall
time and peak RSS, and the ratios. Small for CI:

    python benchmarks/bench_load.py --files 2000 --size 20M --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def parse_size(text: str) -> int:
    """'1G', '20M', '512K' or a number of bytes."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = text.strip().upper().rstrip("B")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def generate(directory: str, files: int, size: int, layers: int) -> list[str]:
    """Write the image; returns the paths of its layer blobs."""
    sys.path.insert(0, ROOT)
    from layerlab import File, Layer, Synthetic
    from layerlab.formats import save_oci_layout
    from layerlab.image import HistoryEntry, Image

    per_file = max(1, size // max(1, files))
    built = []
    for n in range(layers):
        spec = {}
        for i in range(n, files, layers):
            spec[f"/data/d{i % 997:03d}/f{i:07d}"] = File(Synthetic(per_file + (i % 7), f"file-{i}"))
        built.append(Layer(spec.items(), created_by=f"COPY part{n} /data/"))
    image = Image(layers=tuple(built), history=tuple(HistoryEntry(l.created_by) for l in built))
    save_oci_layout([(("big",), image)], directory)
    manifest = json.loads(open(os.path.join(directory, "index.json")).read())["manifests"][0]["digest"]
    blob = lambda d: os.path.join(directory, "blobs", "sha256", d.split(":", 1)[1])  # noqa: E731
    return [blob(l["digest"]) for l in json.loads(open(blob(manifest)).read())["layers"]]


LAYERLAB = """
import sys; sys.path.insert(0, {root!r})
from layerlab.formats import load_image
img = load_image({layout!r})
print(len(img.rootfs))
"""

TARFILE = """
import sys, tarfile
n = 0
for path in sys.argv[1:]:
    with tarfile.open(path) as tf:
        n += len(tf.getnames())
print(n)
"""


def measure(argv: list[str], scratch: str) -> tuple[float, int]:
    """(wall seconds, peak RSS in bytes) of one process run to completion.

    Linux keeps a process's peak RSS across fork and exec, so a child forked
    from this (large) Python would report at least our own peak. GNU time, a
    small C program, forks the contender from its own tiny address space and
    reports the contender's true peak; without it we fall back to wait4.
    """
    gnu_time = shutil.which("time")
    report = os.path.join(scratch, "rusage")
    cmd = [gnu_time, "-f", "%M", "-o", report, *argv] if gnu_time else argv
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[:3]} failed with status {status}")
    if gnu_time:
        return wall, int(open(report).read().split()[-1]) * 1024
    return wall, usage.ru_maxrss * 1024


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=100_000, help="number of files (default 100000)")
    ap.add_argument("--size", default="1G", help="total content size, e.g. 1G, 20M (default 1G)")
    ap.add_argument("--layers", type=int, default=4, help="number of layers (default 4)")
    ap.add_argument("--runs", type=int, default=3, help="runs per contender; medians are printed (default 3)")
    args = ap.parse_args(argv)

    work = tempfile.mkdtemp(prefix="layerlab-bench-")
    try:
        layout = os.path.join(work, "oci")
        t0 = time.perf_counter()
        blobs = generate(layout, args.files, parse_size(args.size), args.layers)
        total = sum(os.path.getsize(b) for b in blobs)
        print(f"image: {args.files} files in {args.layers} layers, {total / 2**20:.0f} MiB of layer tars "
              f"(generated in {time.perf_counter() - t0:.1f} s)")
        contenders = {
            "layerlab load_image+merge": [sys.executable, "-c", LAYERLAB.format(root=ROOT, layout=layout)],
            "tar -tf (GNU tar)": ["sh", "-c", 'for b in "$@"; do tar -tf "$b" >/dev/null; done', "sh", *blobs],
            "python tarfile listing": [sys.executable, "-c", TARFILE, *blobs],
        }
        results = {}
        for name, cmd in contenders.items():
            runs = [measure(cmd, work) for _ in range(args.runs)]
            results[name] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
        ours = results["layerlab load_image+merge"]
        print(f"{'contender':28} {'wall s':>8} {'peak RSS MiB':>13} {'x time':>7} {'x RSS':>6}")
        for name, (wall, rss) in results.items():
            print(f"{name:28} {wall:8.2f} {rss / 2**20:13.1f} {ours[0] / wall:7.2f} {ours[1] / rss:6.2f}")
        print(f"(x = layerlab divided by the contender; medians of {args.runs} runs; "
              f"layerlab's peak RSS is {100 * ours[1] / total:.1f}% of the image size)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
