"""The package itself: the dependency rule, the public API, and environment.yml in step with pyproject."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys
import tomllib

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
