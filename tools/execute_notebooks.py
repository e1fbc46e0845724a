"""Execute notebooks in place: the committed outputs are what `pytest --nbval` compares.

Cells tagged `raises-exception` may end in an error; any other error stops the run.

    python tools/execute_notebooks.py notebooks/*.ipynb
"""

from __future__ import annotations

import pathlib
import sys

import nbformat
from nbclient import NotebookClient


def execute(path: pathlib.Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    nbformat.write(nb, path)
    print(f"executed {path}")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        execute(pathlib.Path(arg))
