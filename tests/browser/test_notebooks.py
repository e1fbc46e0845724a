"""Every notebook opened, run, used and looked at in JupyterLab in a real (headless) browser.

After Run All, two things a learner does in each notebook: answer the first exercise (the feedback
replaces the placeholder at once) and use the first widget (a step, a command, another layer, another
driver), checking that what the widget shows changed.
"""

from __future__ import annotations

import pathlib

import pytest

from .conftest import close_notebook, errors_on_page, open_notebook, run_all, screenshot

NOTEBOOKS = sorted(p.name for p in (pathlib.Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9]*.ipynb"))
PENDING = "Replace the ... with your answer"
TIMEOUT = 60_000


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab(lab, browser, name):
    page = open_notebook(lab, browser, name)
    try:
        run_all(page)
        assert errors_on_page(page) == []
        assert page.locator(".jp-OutputArea-output").count() > 0
        screenshot(page, name.removesuffix(".ipynb"))
        answer_the_first_exercise(page)
        use_the_first_widget(page)
        assert errors_on_page(page) == []
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


def visible(selector: str) -> str:
    return f".jp-NotebookPanel:not(.lm-mod-hidden) {selector}"


def answer_the_first_exercise(page) -> None:
    """Type a (wrong) answer over the first exercise's `...` and run the cell: specific feedback replaces the
    placeholder."""
    cell = page.locator(visible(".jp-CodeCell"), has=page.locator(".jp-OutputArea-output", has_text=PENDING))
    handle = cell.first.element_handle()          # the locator stops matching once the feedback is there
    editor = handle.query_selector(".cm-content")
    source = editor.inner_text()
    assert "answer = ..." in source, source
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source.replace("answer = ...", "answer = 0", 1))
    page.keyboard.press("Shift+Enter")
    page.wait_for_function("""cell => { const t = cell.querySelector('.jp-OutputArea')?.innerText || '';
                                        return t.trim() !== '' && !t.includes('Replace the ...'); }""",
                           arg=handle, timeout=TIMEOUT)
    feedback = handle.query_selector(".jp-OutputArea").inner_text()
    assert "Traceback" not in feedback and len(feedback.strip()) > 20, feedback


def _changes(page, selector: str, action) -> None:
    """Do something to the first widget and wait until the text under `selector` is different."""
    target = page.locator(visible(selector)).first
    target.scroll_into_view_if_needed()
    before = target.inner_text()
    action()
    page.wait_for_function("([el, old]) => el.innerText !== old", arg=[target.element_handle(), before],
                           timeout=TIMEOUT)


def use_the_first_widget(page) -> None:
    """Use the notebook's first layerlab widget the way a learner would; notebooks without one pass."""
    roots = page.locator(visible(".ll-root"))
    if roots.count() == 0:
        return
    root = roots.first
    classes = root.get_attribute("class") or ""
    if "ll-build-stepper" in classes:
        step = root.locator("button.ll-step")
        button = step if step.is_enabled() else root.locator("button.ll-back")     # at the end: one step back
        _changes(page, ".ll-build-stepper .ll-log", button.click)
    elif "ll-container-playground" in classes:
        box = root.locator(".ll-command input")

        def type_a_command():
            box.click()
            box.fill("echo hello > /from-the-browser")
            box.press("Enter")
        _changes(page, ".ll-container-playground .ll-diff", type_a_command)
        assert "A /from-the-browser" in root.locator(".ll-diff").inner_text()
    elif "ll-layer-inspector" in classes:
        select = root.locator(".ll-layer-dropdown select")
        options = select.locator("option").all_inner_texts()
        chosen = select.evaluate("s => s.options[s.selectedIndex].text")
        other = next(o for o in options if o != chosen)
        _changes(page, ".ll-layer-inspector .ll-digests", lambda: select.select_option(label=other))
    elif "ll-driver-view" in classes:
        buttons = root.locator(".ll-driver-toggle button")
        pressed = root.locator(".ll-driver-toggle button.mod-active").inner_text()
        other = next(b for b in buttons.all_inner_texts() if b.strip() != pressed.strip())
        _changes(page, ".ll-driver-view .ll-layout",
                 lambda: root.locator(".ll-driver-toggle button", has_text=other).click())
    else:
        raise AssertionError(f"a layerlab widget this test does not know how to use: {classes}")
