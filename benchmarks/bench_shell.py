"""RUN in the simulated shell, and base images from the stored trees: is a build step instant?

Prints medians of several runs, each beside a floor measured in the same run:
- `apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*` on debian:bookworm-slim
  with the real catalog, against `true` on the same tree (what a RUN costs before it does anything);
- loading python:3.12-slim's layers from the stored tree (cold) against the cached second call.

    python benchmarks/bench_shell.py [--runs 5]
"""

from __future__ import annotations

import argparse

from bench_merge import median_time
from layerlab.fs.union import merge
from layerlab.fs.worktree import WorkTree
from layerlab.image import bases
from layerlab.shell import Shell

RUN_LINE = "apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*"


def run_line(snap, line: str) -> None:
    result = Shell(WorkTree(snap, clock=lambda: 1_764_424_800)).run(line)
    assert result.exit_code == 0, result


def cold_base() -> None:
    bases._layer_entries.cache_clear()
    bases._build.cache_clear()
    bases.base_image.cache_clear()
    bases.base_image("python:3.12-slim")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    snap = merge(bases.base_image("debian:bookworm-slim").layers)
    run_line(snap, RUN_LINE)                                    # warm the catalog
    apt = median_time(lambda: run_line(snap, RUN_LINE), args.runs)
    floor = median_time(lambda: run_line(snap, "true"), args.runs)
    cold = median_time(cold_base, args.runs)
    warm = median_time(lambda: bases.base_image("python:3.12-slim"), args.runs)
    print(f"shell and bases, {args.runs} runs (medians)")
    print(f"{'what':<64}{'median ms':>10}{'ratio':>9}")
    print(f"{'RUN apt-get update && install curl && rm lists (' + str(len(snap)) + ' entries)':<64}"
          f"{apt * 1e3:>10.1f}{apt / floor:>8.1f}x  (of RUN true)")
    print(f"{'RUN true on the same tree':<64}{floor * 1e3:>10.2f}")
    print(f"{'python:3.12-slim layers from the stored tree, cold':<64}{cold * 1e3:>10.1f}"
          f"{cold / max(warm, 1e-9):>8.0f}x  (of cached)")
    print(f"{'python:3.12-slim again (cached)':<64}{warm * 1e3:>10.4f}")


if __name__ == "__main__":
    main()
