"""Every notebook opened, run and looked at in JupyterLab in a real (headless) browser."""

from __future__ import annotations

import pathlib

import pytest

from .conftest import close_notebook, errors_on_page, open_notebook, run_all, screenshot

NOTEBOOKS = sorted(p.name for p in (pathlib.Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9]*.ipynb"))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab(lab, browser, name):
    page = open_notebook(lab, browser, name)
    try:
        run_all(page)
        assert errors_on_page(page) == []
        outputs = page.locator(".jp-OutputArea-output")
        assert outputs.count() > 0
        screenshot(page, name.removesuffix(".ipynb"))
    finally:
        close_notebook(lab, page, name)


def test_welcome_environment_check_says_ok(lab, browser):
    page = open_notebook(lab, browser, "00-welcome.ipynb")
    try:
        run_all(page)
        text = page.locator(".jp-OutputArea-output").all_inner_texts()
        assert any("Python 3.10 or newer" in t and t.count("ok") >= 5 for t in text)
    finally:
        close_notebook(lab, page, "00-welcome.ipynb")
