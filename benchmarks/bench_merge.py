"""Merge speed and memory: is merge linear in entries, and does a big image hold no file bytes?

Prints medians of several runs and ratios measured side by side in one run:
- 50 layers x 2,000 files merged, against a plain dict built from the same paths (the floor);
- 25 layers against 50 layers of the same shape (linear means a ratio near 2);
- a 100,000-entry image of 1 GB synthetic content: peak Python memory while merging.

    python benchmarks/bench_merge.py [--layers 50] [--files 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc

from layerlab import Layer, Synthetic, merge


def make_layers(n_layers: int, n_files: int, big: bool = False) -> list[Layer]:
    layers = []
    for i in range(n_layers):
        spec = {}
        for j in range(n_files):
            path = f"/usr/share/pkg{j % 97}/l{i}/f{j}"
            spec[path] = Synthetic(10_000, path) if big else f"{i}-{j}"
        if i:
            spec[f"/usr/share/pkg{i % 97}/l{i - 1}"] = __import__("layerlab").WHITEOUT
        layers.append(Layer.from_spec(spec))
    return layers


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--layers", type=int, default=50)
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    full = make_layers(args.layers, args.files)
    half = full[: args.layers // 2]
    entries = sum(len(layer) for layer in full)

    def floor():
        d = {}
        for layer in full:
            for path, entry in layer.items():
                d[path] = entry
        return d

    t_full = median_time(lambda: merge(full), args.runs)
    t_half = median_time(lambda: merge(half), args.runs)
    t_floor = median_time(floor, args.runs)
    print(f"merge {args.layers} layers x {args.files} files ({entries} entries): median {t_full * 1000:.0f} ms"
          f" = {t_full / entries * 1e6:.2f} us/entry")
    print(f"  plain dict of the same entries (floor):      median {t_floor * 1000:.0f} ms;"
          f" merge/floor = {t_full / t_floor:.1f}x")
    print(f"  {len(half)} layers: median {t_half * 1000:.0f} ms; time(50)/time(25) = {t_full / t_half:.2f}"
          " (linear is ~2)")

    big = make_layers(50, 2000, big=True)
    content = sum(layer.size for layer in big)
    tracemalloc.start()
    snap = merge(big)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"100,000-entry image, {content / 1e9:.1f} GB of file content: peak memory while merging "
          f"{peak / 1e6:.0f} MB = {peak / content * 100:.2f}% of its size ({len(snap)} visible paths)")


if __name__ == "__main__":
    main()
