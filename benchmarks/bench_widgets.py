"""Widget latency: one BuildStepper step and one ContainerPlayground command, picture redraw included.

The widgets do all their work synchronously in the call (model step, text views, the matplotlib picture and its
PNG), so timing step() and run() is timing what a click or an Enter costs in the kernel; sending the new values to
the browser is not included. Two scenarios:

- seed: FROM ubuntu:14.04 / ADD run.sh / / VOLUME /data / CMD ["./run.sh"] (a 13,000-file base image);
- python: FROM python:3.12-slim / WORKDIR /app / COPY app.py . / RUN pip install flask / CMD.

Each run uses a fresh Engine (so steps are BUILT, not CACHED) after one warm-up run (imports, glyph cache).
Prints the median per step and per command, and its ratio to the 200 ms target (below 1.0 is within target).
Also, on the seed: LayerInspector selection, and DriverView switching with the layouts and pictures prepared
ahead (what a learner gets once the view has been idle a moment) and cold (prefetch=False).

    python benchmarks/bench_widgets.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import layerlab as ll
from layerlab.views.widgets import BuildStepper, ContainerPlayground, DriverView, LayerInspector

TARGET = 0.200
SEED = 'FROM ubuntu:14.04\nADD run.sh /\nVOLUME /data\nCMD ["./run.sh"]\n'
SEED_CONTEXT = {"run.sh": "#!/bin/sh\necho hi > /data/out\n"}
PY = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nRUN pip install flask\nCMD ["python", "app.py"]\n'
PY_CONTEXT = {"app.py": "from flask import Flask\napp = Flask(__name__)\n"}
SCENARIOS = {
    "seed": (SEED, SEED_CONTEXT, {"vol1": "/data"},
             ["echo x > /etc/conf", "rm /etc/motd", "echo more >> /etc/bash.bashrc", "cat /etc/conf",
              "echo hi >> /data/out", "mkdir -p /srv/app && echo 1 > /srv/app/v"]),
    "python": (PY, PY_CONTEXT, None,
               ["echo hi > /app/x", "cat /app/app.py", "echo '# v2' >> /app/app.py", "rm /app/x",
                "pip install requests", "rm -rf /root/.cache"]),
}


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def run_scenario(name: str) -> dict[str, list[float]]:
    """One pass: every step of the build, then every command in a container of the image."""
    text, context, volumes, commands = SCENARIOS[name]
    eng = ll.Engine()
    stepper = BuildStepper(text, context, engine=eng, tag=name)
    out: dict[str, list[float]] = {"step": [], "command": []}
    while not stepper.done:
        out["step"].append(timed(stepper.step))
    play = ContainerPlayground(name, engine=eng, volumes=volumes)
    for command in commands:
        out["command"].append(timed(lambda: play.run(command)))
    if name == "seed":
        inspector = LayerInspector(play.container, engine=eng)
        out["inspector select"] = [timed(lambda k=k: inspector.select(k)) for k in (0, 1, 2, 3, 4, "init", "rw")]
        view = DriverView(play.container, engine=eng, prefetch=False).wait()   # prepared, as in idle time
        out["driver switch"] = [timed(lambda d=d: view.show(d)) for d in ("aufs", "vfs", "overlay2")]
        cold = DriverView(play.container, engine=eng, prefetch=False)     # nothing prepared: computed on the click
        out["driver switch cold"] = [timed(lambda d=d: cold.show(d)) for d in ("aufs", "vfs")]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    for name in SCENARIOS:       # warm-up: imports, the base images, the glyph cache
        run_scenario(name)
    results: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.runs):
        for name in SCENARIOS:
            for what, times in run_scenario(name).items():
                results.setdefault((name, what), []).extend(times)

    print(f"widget latency, {args.runs} runs (medians; target {TARGET * 1000:.0f} ms per update)")
    print(f"{'scenario':<9} {'update':<20} {'n':>4} {'median ms':>10} {'max ms':>8} {'/ target':>9}")
    for (name, what), times in results.items():
        med = statistics.median(times)
        print(f"{name:<9} {what:<20} {len(times):>4} {med * 1000:>10.1f} {max(times) * 1000:>8.1f} "
              f"{med / TARGET:>9.2f}")


if __name__ == "__main__":
    main()
