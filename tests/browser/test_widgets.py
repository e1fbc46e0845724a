"""Each widget in JupyterLab in a real (headless) browser: created by a scratch notebook, then clicked and typed into
the way a learner would, checking what changes on the page.

Scratch notebooks go into the server's root (a scratch copy of notebooks/). Screenshots of the whole notebook go to
screenshots/ (git-ignored); with LAYERLAB_UPDATE_DOCS=1 the widget's own screenshot also replaces
docs/images/widget-<name>.png.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import urllib.error
import urllib.request

import pytest

from .conftest import SHOTS, errors_on_page, open_notebook, run_all, screenshot

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "images"
SEED = 'FROM ubuntu:14.04\nADD run.sh /\nVOLUME /data\nCMD ["./run.sh"]\n'
RUN_SH = "#!/bin/sh\necho hi > /data/out\n"
TIMEOUT = 60_000

SETUP = f"""import layerlab as ll
from layerlab.views.widgets import BuildStepper, ContainerPlayground, DriverView, LayerInspector

SEED = {SEED!r}
context = {{"run.sh": {RUN_SH!r}}}
eng = ll.Engine()"""


def write_notebook(lab, name: str, *cells: str) -> str:
    """A notebook of code cells in the server's root; returns its name."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (lab.root / name).write_text(nbformat.writes(nb))
    return name


def _delete(lab, path: str) -> None:
    request = urllib.request.Request(f"{lab.url}{path}?token={lab.token}", method="DELETE")
    try:
        urllib.request.urlopen(request, timeout=10).close()
    except urllib.error.HTTPError as exc:        # already gone
        if exc.code != 404:
            raise


def shutdown_kernels(lab) -> None:
    """A clean slate: stop every kernel (closed pages leave theirs running, and open_notebook waits for all kernels
    to be connected) and forget the saved workspaces (JupyterLab would reopen every notebook opened before, each
    with its kernel)."""
    for session in lab.api("/api/sessions"):
        _delete(lab, f"/api/sessions/{session['id']}")
    for space in lab.api("/lab/api/workspaces").get("workspaces", {}).get("ids", []):
        _delete(lab, f"/lab/api/workspaces/{space}")


@pytest.fixture
def notebook_page(lab, browser):
    """Open a scratch notebook, run it, and hand the page over; the kernel is stopped afterwards."""
    pages = []

    def open_and_run(name: str):
        shutdown_kernels(lab)
        page = open_notebook(lab, browser, name)
        pages.append(page)
        run_all(page)
        assert errors_on_page(page) == []
        return page

    yield open_and_run
    for page in pages:
        page.close()
    shutdown_kernels(lab)


def text_of(page, selector: str) -> str:
    return page.locator(selector).first.inner_text()


def src_of(page, selector: str) -> str:
    return page.locator(selector).first.get_attribute("src") or ""


def wait_until(page, script: str, arg=None) -> None:
    page.wait_for_function(script, arg=arg, timeout=TIMEOUT)


def save_widget_shot(page, selector: str, name: str) -> pathlib.Path:
    """The widget alone, for docs/images (copied there with LAYERLAB_UPDATE_DOCS=1)."""
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    widget = page.locator(selector).first
    size = page.viewport_size
    height = widget.bounding_box()["height"]
    page.set_viewport_size({"width": size["width"], "height": int(min(max(size["height"], height + 300), 8000))})
    page.wait_for_timeout(500)
    widget.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    widget.screenshot(path=str(path))
    page.set_viewport_size(size)
    if os.environ.get("LAYERLAB_UPDATE_DOCS") == "1":
        shutil.copyfile(path, DOCS / f"{name}.png")
    return path


def test_build_stepper_steps_highlight_the_line_and_redraw_the_picture(lab, notebook_page):
    name = write_notebook(lab, "widget-build-stepper.ipynb", SETUP,
                          's = BuildStepper(SEED, context, engine=eng, tag="seed", path="Dockerfile.seed")\ns')
    page = notebook_page(name)
    page.wait_for_selector(".ll-build-stepper button.ll-step", timeout=TIMEOUT)
    assert page.locator(".ll-build-stepper .ll-current").count() == 0
    before = src_of(page, "img.ll-build-picture")
    for n in (1, 2):
        page.click(".ll-build-stepper button.ll-step")
        wait_until(page, "n => { const c = document.querySelector('.ll-build-stepper .ll-current');"
                         " return c && c.dataset.line === String(n); }", n)
    wait_until(page, "old => { const i = document.querySelector('img.ll-build-picture'); return i && i.src !== old; }",
               before)
    assert "ADD run.sh /" in text_of(page, ".ll-build-stepper .ll-status")
    assert "BUILT" in text_of(page, ".ll-build-stepper .ll-log")
    assert "run.sh" in text_of(page, ".ll-build-stepper .ll-tree")
    screenshot(page, "widget-build-stepper-notebook")
    save_widget_shot(page, ".ll-build-stepper", "widget-build-stepper")

    # a typo: the error appears next to its line, the learner's text stays, and the file on disk has it too
    editor = page.locator(".ll-build-stepper .ll-editor textarea")
    editor.fill(SEED.replace("VOLUME /data", "VOLUM /data"))
    page.locator(".ll-build-stepper .ll-listing").click()          # blur: the text goes to the kernel
    wait_until(page, "() => !!document.querySelector('.ll-build-stepper .ll-error-line[data-line=\"3\"]')")
    assert "unknown instruction: VOLUM" in text_of(page, ".ll-build-stepper .ll-listing")
    assert "VOLUM /data" in editor.input_value()
    assert (lab.root / "Dockerfile.seed").read_text() == SEED.replace("VOLUME /data", "VOLUM /data")
    screenshot(page, "widget-build-stepper-error")


LONG = ("FROM ubuntu:14.04\nRUN apt-get update && \\\n    apt-get install -y curl && \\\n    rm -rf /var/lib/apt/lists/*\n"
        "RUN echo " + "a-rather-long-word-" * 8 + "end > /long.txt\nCMD [\"sh\"]\n")


def test_build_stepper_keeps_long_and_continued_lines_readable(lab, notebook_page):
    name = write_notebook(lab, "widget-build-stepper-long.ipynb", SETUP,
                          f"LONG = {LONG!r}\n"
                          "BuildStepper(LONG, engine=eng).run_all()       # warm the cache: step 2 is CACHED below\n"
                          "s = BuildStepper(LONG, engine=eng)\ns.run_all()\ns")
    page = notebook_page(name)
    page.wait_for_selector(".ll-build-stepper .ll-listing .ll-badge", timeout=TIMEOUT)
    # every line's text and badge lie inside the listing box (nothing clipped), continuation lines line up
    boxes = page.evaluate("""() => {
        const root = document.querySelector('.ll-build-stepper .ll-listing');
        const box = root.getBoundingClientRect();
        return [...root.querySelectorAll('.ll-line')].map(l => {
            const t = l.querySelector('.ll-line-text').getBoundingClientRect();
            const b = l.lastElementChild.getBoundingClientRect();
            return {line: l.dataset.line, textLeft: t.left, right: Math.max(t.right, b.right), boxRight: box.right,
                    height: l.getBoundingClientRect().height, badge: l.lastElementChild.innerText};
        });
    }""")
    assert len(boxes) == 6
    assert all(b["right"] <= b["boxRight"] + 0.5 for b in boxes), boxes
    assert len({round(b["textLeft"]) for b in boxes}) == 1, boxes
    assert "CACHED" in boxes[1]["badge"] and boxes[4]["badge"] and "line 2" in boxes[2]["badge"]
    assert boxes[1]["height"] < 30 and boxes[2]["height"] < 30          # no gap between lines 2 and 3
    log = page.evaluate("""() => { const p = document.querySelector('.ll-build-stepper .ll-log pre');
        return [p.scrollWidth, p.clientWidth, p.innerText]; }""")
    assert log[0] <= log[1] + 1, log                                    # the log wraps: nothing hidden on the right
    assert "cache hit: not run" in log[2] and "Get:1" not in log[2]
    screenshot(page, "widget-build-stepper-long-notebook")
    save_widget_shot(page, ".ll-build-stepper", "widget-build-stepper-long")


def test_container_playground_enter_runs_the_command_and_the_diff_changes(lab, notebook_page):
    name = write_notebook(lab, "widget-container-playground.ipynb", SETUP,
                          'eng.build(SEED, context, tag="seed")\n'
                          'p = ContainerPlayground("seed", engine=eng, volumes={"vol1": "/data"})\np')
    page = notebook_page(name)
    box = page.locator(".ll-container-playground .ll-command input")
    box.wait_for(timeout=TIMEOUT)
    before = text_of(page, ".ll-container-playground .ll-diff")
    picture = src_of(page, "img.ll-container-picture")
    for command, expected in (("echo x > /etc/conf", "A /etc/conf"), ("rm /etc/motd", "D /etc/motd"),
                              ("echo more >> /etc/bash.bashrc", "C /etc/bash.bashrc")):
        box.click()
        box.type(command)
        box.press("Enter")
        wait_until(page, "t => document.querySelector('.ll-container-playground .ll-diff').innerText.includes(t)",
                   expected)
    assert text_of(page, ".ll-container-playground .ll-diff") != before
    assert "1.99 kB copied up" in text_of(page, ".ll-container-playground .ll-counter")
    assert "echo more >> /etc/bash.bashrc" in text_of(page, ".ll-container-playground .ll-copyups")
    assert box.input_value() == ""
    wait_until(page, "old => document.querySelector('img.ll-container-picture').src !== old", picture)
    history = page.locator(".ll-container-playground .ll-history select option")
    assert history.count() == 3 and history.first.inner_text().replace("\xa0", " ") == "echo x > /etc/conf"      # oldest first
    # every box of the widget keeps its right border: nothing sticks out of the widget
    over = page.evaluate("""() => { const root = document.querySelector('.ll-container-playground');
        const right = root.getBoundingClientRect().right;
        return [...root.querySelectorAll('pre, .ll-counter-text, button')].filter(e =>
            e.getBoundingClientRect().right > right + 0.5).map(e => [e.className, e.parentElement.parentElement.className,
            e.getBoundingClientRect().right - right].join(" ")); }""")
    screenshot(page, "widget-container-playground-notebook")
    save_widget_shot(page, ".ll-container-playground", "widget-container-playground")
    assert over == []

    page.click(".ll-container-playground button.ll-export-button")
    wait_until(page, "() => document.querySelector('.ll-container-playground .ll-result').innerText"
                     ".includes('no whiteouts')")
    page.click(".ll-container-playground button.ll-volume")
    wait_until(page, "() => document.querySelector('.ll-container-playground .ll-result').innerText"
                     ".includes('3 commands replayed')")


def test_layer_inspector_dropdown_switches_the_layer(lab, notebook_page):
    name = write_notebook(lab, "widget-layer-inspector.ipynb", SETUP,
                          'img = eng.build(SEED, context, tag="seed")\ni = LayerInspector(img, engine=eng)\ni')
    page = notebook_page(name)
    select = page.locator(".ll-layer-inspector .ll-layer-dropdown select")
    select.wait_for(timeout=TIMEOUT)
    assert "run.sh" in text_of(page, ".ll-layer-inspector .ll-members")
    label = [o for o in select.locator("option").all_inner_texts() if o.startswith("L2")][0]
    select.select_option(label=label)
    wait_until(page, "() => document.querySelector('.ll-layer-inspector .ll-members').innerText"
                     ".includes('var/lib/apt/lists/.wh.lock')")
    assert "whiteout" in text_of(page, ".ll-layer-inspector .ll-changeset")
    assert "sha256:" in text_of(page, ".ll-layer-inspector .ll-digests")
    screenshot(page, "widget-layer-inspector-notebook")
    save_widget_shot(page, ".ll-layer-inspector", "widget-layer-inspector")


def test_driver_view_toggle_shows_each_driver(lab, notebook_page):
    name = write_notebook(lab, "widget-driver-view.ipynb", SETUP,
                          'eng.build(SEED, context, tag="seed")\n'
                          'c = eng.run("seed", volumes={"vol1": "/data"})\n'
                          '_ = eng.exec(c, "echo x > /etc/conf && rm /etc/motd")\n'
                          'd = DriverView(c, engine=eng)\nd')
    page = notebook_page(name)
    page.wait_for_selector(".ll-driver-view .ll-driver-toggle button", timeout=TIMEOUT)
    assert "/var/lib/docker/overlay2" in text_of(page, ".ll-driver-view .ll-layout")
    for driver, expected in (("aufs", "etc/.wh.motd"), ("vfs", "/var/lib/docker/vfs")):
        picture = src_of(page, "img.ll-driver-picture")
        page.locator(".ll-driver-view .ll-driver-toggle button", has_text=driver).click()
        wait_until(page, "t => document.querySelector('.ll-driver-view .ll-layout').innerText.includes(t)", expected)
        wait_until(page, "old => document.querySelector('img.ll-driver-picture').src !== old", picture)
    assert "vfs stores" in text_of(page, ".ll-driver-view .ll-usage")
    # the "On disk" pane shows whole lines: its scrolling box is a whole number of lines high (after the padding)
    pane = page.evaluate("""() => { const p = document.querySelector('.ll-driver-view .ll-layout pre');
        const s = getComputedStyle(p); return [p.clientHeight, parseFloat(s.paddingTop), parseFloat(s.lineHeight)];
    }""")
    assert ((pane[0] - pane[1]) / pane[2]) % 1 < 0.01, pane
    screenshot(page, "widget-driver-view-notebook")
    save_widget_shot(page, ".ll-driver-view", "widget-driver-view")


def test_scratch_notebooks_are_not_left_in_the_course(lab):
    """The scratch notebooks live in the server's scratch root, never in the committed notebooks/."""
    course = ROOT / "notebooks"
    assert lab.root.resolve() != course.resolve()
    assert not list(course.glob("widget-*.ipynb")) and not (course / "Dockerfile.seed").exists()
