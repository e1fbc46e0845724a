"""The package itself: the dependency rule, the public API, and environment.yml in step with pyproject."""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys
import tomllib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
HEAVY = ("matplotlib", "networkx", "ipywidgets")


def test_import_layerlab_does_not_import_views_libraries():
    code = ("import sys, layerlab, layerlab.fs.worktree; heavy = %r; "
            "print(','.join(m for m in heavy if m in sys.modules))" % (HEAVY,))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == ""


def test_the_model_never_imports_views_libraries():
    offenders = []
    for sub in ("fs", "image", "runtime", "formats", "shell", "catalog"):
        for py in (ROOT / "layerlab" / sub).rglob("*.py"):
            text = py.read_text()
            for lib in HEAVY + ("IPython",):
                if re.search(rf"^\s*(import|from)\s+{lib}\b", text, re.M):
                    offenders.append(f"{py.relative_to(ROOT)} imports {lib}")
    assert offenders == []


def _pyproject_deps():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    deps = data["project"]["dependencies"] + data["project"]["optional-dependencies"]["test"]
    return {re.split(r"[<>=!~ \[]", d)[0].lower() for d in deps}


def _environment_deps():
    names = set()
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        m = re.match(r"\s+-\s+([A-Za-z][A-Za-z0-9_.\-]*)", line)
        if m and m.group(1) not in ("pip", "python"):
            names.add(m.group(1).lower())
    return names


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    assert _environment_deps() == _pyproject_deps()


def test_public_api_is_exported():
    import layerlab
    for name in layerlab.__all__:
        assert hasattr(layerlab, name), name


def test_make_lab_opens_the_course_and_starts_even_as_root():
    """`make lab` as root (a container, a Binder-like machine) passes --allow-root, which JupyterLab demands."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    plan = subprocess.run(["make", "-n", "-W", ".venv/.installed-stamp", "lab"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout
    command = [line for line in plan.splitlines() if "jupyter lab" in line]
    assert command and command[-1].endswith("notebooks/")
    assert ("--allow-root" in command[-1]) == (os.geteuid() == 0)


def test_every_rule_the_course_cites_is_in_the_shipped_semantics():
    """"SEMANTICS rule 13" in a notebook or a message must lead somewhere: docs/SEMANTICS.md has rule 13."""
    rules = set(re.findall(r"^ ?(\d+)\. ", (ROOT / "docs" / "SEMANTICS.md").read_text(), re.M))
    cited = set()
    for path in [*(ROOT / "notebooks").glob("*.ipynb"), *(ROOT / "layerlab").rglob("*.py")]:
        cited |= set(re.findall(r"\brules? (\d+)\b", path.read_text()))
    assert cited and cited <= rules, sorted(cited - rules, key=int)


def test_committed_notebooks_are_executed_and_carry_no_timestamps():
    """nbval compares the committed outputs; timestamps would only make every re-run a diff."""
    import json

    for path in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
        assert all(c["execution_count"] is not None for c in cells), f"{path.name} has cells that never ran"
        assert not any("execution" in c["metadata"] for c in cells), f"{path.name} records execution times"
