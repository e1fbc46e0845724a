"""A typical RUN line works on trees of thousands of entries (its speed: benchmarks/bench_shell.py)."""

import pytest

from layerlab.shell import Shell

from .trees import debian_spec, tree

RUN_LINE = "apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*"


def _run(fs, line: str):
    r = Shell(fs).run(line)
    assert r.exit_code == 0, r
    return fs


def test_run_line_on_5000_entries_with_the_test_catalog():
    spec = debian_spec({f"/usr/share/filler/d{i // 50}/f{i}": "x" * (i % 7) for i in range(4_900)})
    assert len(tree(spec).snapshot()) > 5_000
    fs = _run(tree(spec), RUN_LINE)
    assert fs.exists("/usr/bin/curl") and fs.listdir("/var/lib/apt/lists") in ([], ["partial"])


def test_run_line_on_the_real_debian_base_with_the_real_catalog(monkeypatch):
    try:
        from layerlab import catalog
        from layerlab.fs.union import merge
        from layerlab.fs.worktree import WorkTree
        from layerlab.image.bases import base_image
        snap = merge(base_image("debian:bookworm-slim").layers)
        catalog.resolve("debian-bookworm", ["curl"])
        catalog.apt_lists("debian-bookworm")
    except Exception as exc:  # the catalog or the base images are being written by another engineer
        pytest.skip(f"real catalog or base image not usable yet: {exc}")
    from layerlab.shell.commands import packages
    monkeypatch.setattr(packages, "get_catalog", lambda: catalog)
    fs = _run(WorkTree(snap, clock=lambda: 1_764_424_800), RUN_LINE)
    assert fs.exists("/usr/bin/curl") and fs.listdir("/var/lib/apt/lists") in ([], ["partial"])
