"""Execute notebooks in place: the committed outputs are what `pytest --nbval` compares.

Cells tagged `raises-exception` may end in an error; any other error stops the run.
No execution timestamps are recorded, so a re-run changes only what the outputs say.

    python tools/execute_notebooks.py notebooks/*.ipynb
"""

from __future__ import annotations

import pathlib
import sys

import nbformat
from nbclient import NotebookClient


def execute(path: pathlib.Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    for cell in nb.cells:                  # no timestamps in the committed notebooks
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
    print(f"executed {path}")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        execute(pathlib.Path(arg))
