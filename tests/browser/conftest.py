"""JupyterLab in headless Chromium: a server on 127.0.0.1, a browser page, and helpers to run a notebook.

Skipped with a clear reason where Chromium or Playwright is missing, unless
LAYERLAB_REQUIRE_TOOLS=1 (CI), which turns the skip into a failure.
Screenshots go to the git-ignored folder `screenshots/`.
"""

from __future__ import annotations

import json
import os
import pathlib
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHOTS = ROOT / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def _unavailable(reason: str):
    if os.environ.get("LAYERLAB_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{reason} (LAYERLAB_REQUIRE_TOOLS=1 turns this skip into a failure)")
    pytest.skip(reason)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A running JupyterLab server rooted at a copy of the notebooks."""

    def __init__(self, root: pathlib.Path, port: int, token: str, proc: subprocess.Popen):
        self.root, self.port, self.token, self.proc = root, port, token, proc
        self.url = f"http://127.0.0.1:{port}"

    def api(self, path: str):
        with urllib.request.urlopen(f"{self.url}{path}?token={self.token}", timeout=5) as r:
            return json.loads(r.read())


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A JupyterLab server over a scratch copy of notebooks/ (so runs never modify the committed notebooks)."""
    if shutil.which("jupyter", path=os.path.dirname(sys.executable)) is None and shutil.which("jupyter") is None:
        _unavailable("jupyter is not installed")
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    settings = root / "settings"
    settings.mkdir()
    (settings / "overrides.json").write_text((ROOT / "tools" / "jupyterlab-overrides.json").read_text())
    port, token = _free_port(), secrets.token_hex(16)
    jupyter = os.path.join(os.path.dirname(sys.executable), "jupyter")
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(root / "user-settings"),
               JUPYTER_CONFIG_DIR=str(root / "config"), PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [jupyter if os.path.exists(jupyter) else "jupyter", "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
         f"--port={port}", f"--ServerApp.token={token}", f"--ServerApp.root_dir={root / 'notebooks'}",
         f"--LabApp.app_settings_dir={settings}", "--ServerApp.open_browser=False"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    server = Lab(root / "notebooks", port, token, proc)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            server.api("/api/status")
            break
        except OSError:
            time.sleep(0.5)
    else:
        os.killpg(proc.pid, signal.SIGTERM)
        _unavailable("JupyterLab did not start within 60 s")
    yield server
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """A headless Debian Chromium driven by Playwright (never `playwright install`)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright (the Python package) is not installed")
    if not os.path.exists(CHROMIUM):
        _unavailable("Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(str(tmp_path_factory.mktemp("chromium")),
                                                       executable_path=CHROMIUM, headless=True, args=ARGS,
                                                       viewport={"width": 1400, "height": 1000})
        yield context
        context.close()


def _session(lab: Lab, name: str) -> dict | None:
    for session in lab.api("/api/sessions"):
        if session.get("path", "").endswith(name):
            return session
    return None


def wait_for_kernel(lab: Lab, name: str | None = None, timeout: float = 90) -> None:
    """Wait until the notebook's kernel (or every kernel) is connected and idle (the toolbar says 'idle' too early)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if name is None:
            kernels = lab.api("/api/kernels")
        else:
            kernels = [((_session(lab, name) or {}).get("kernel") or {})]
        if kernels and all(k.get("connections", 0) >= 1 and k.get("execution_state") == "idle" for k in kernels):
            return
        time.sleep(0.5)
    raise AssertionError(f"the kernel of {name or 'the notebook'} did not connect")


def close_notebook(lab: Lab, page, name: str) -> None:
    """Close the page and shut its kernel down, so the next notebook starts on a quiet server."""
    page.close()
    session = _session(lab, name)
    if session is not None:
        request = urllib.request.Request(f"{lab.url}/api/sessions/{session['id']}?token={lab.token}",
                                         method="DELETE")
        urllib.request.urlopen(request, timeout=10).close()


def open_notebook(lab: Lab, context, name: str):
    """Open a notebook in JupyterLab (in a fresh workspace) and wait for its kernel."""
    page = context.new_page()
    page.goto(f"{lab.url}/lab/tree/{name}?reset&token={lab.token}")
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook", timeout=90_000)
    wait_for_kernel(lab, name)
    return page


def run_all(page, timeout: float = 300, idle: float = 15) -> None:
    """Clear the stored outputs, run every cell through the Run menu, and wait until every code cell ran.

    Fails at once, with the traceback, when a cell raises (Run All stops there), and when the
    kernel stays idle for `idle` seconds with cells left unrun.
    """
    page.click(".lm-MenuBar-itemLabel:text-is('Edit')", timeout=30_000)
    page.click("[data-command='editmenu:clear-all']", timeout=30_000)
    page.click(".lm-MenuBar-itemLabel:text-is('Run')", timeout=30_000)
    page.click("[data-command='runmenu:run-all']", timeout=30_000)
    deadline = time.time() + timeout
    idle_since = None
    while time.time() < deadline:
        state = page.evaluate("""() => {
            const prompts = [...document.querySelectorAll(
                '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')].map(p => p.textContent);
            return {busy: prompts.some(t => t.includes('*')), done: prompts.every(t => /\\[\\d+\\]/.test(t)),
                    ran: prompts.filter(t => /\\[\\d+\\]/.test(t)).length, cells: prompts.length};
        }""")
        if state["done"] and not state["busy"]:
            return
        if not state["busy"]:
            errors = errors_on_page(page)
            if errors:
                raise AssertionError(f"a cell raised, so Run All stopped after {state['ran']} of "
                                     f"{state['cells']} code cells:\n{errors[0][-3000:]}")
            idle_since = idle_since or time.time()
            if state["ran"] and time.time() - idle_since > idle:
                raise AssertionError(f"Run All stopped after {state['ran']} of {state['cells']} code cells "
                                     "without a traceback on the page")
        else:
            idle_since = None
        time.sleep(0.5)
    raise AssertionError(f"the notebook did not finish running in {timeout:.0f} s")


def screenshot(page, name: str, whole_notebook: bool = True) -> pathlib.Path:
    """Save a screenshot under screenshots/ (git-ignored); the window grows to show the whole notebook."""
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    size = page.viewport_size
    if whole_notebook:
        height = page.evaluate("""() => {
            const visible = '.jp-NotebookPanel:not(.lm-mod-hidden)';
            const panel = document.querySelector(visible + ' .jp-WindowedPanel-outer')
                       || document.querySelector(visible + ' .jp-Notebook');
            return panel ? panel.scrollHeight + 200 : 1000; }""")
        page.set_viewport_size({"width": size["width"], "height": min(max(int(height), 1000), 30000)})
        page.evaluate("""() => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer')
                                       .forEach(e => e.scrollTop = 0)""")
        page.wait_for_timeout(800)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    return path


def errors_on_page(page) -> list[str]:
    """Python tracebacks shown in output areas (cells tagged raises-exception excluded)."""
    return page.evaluate("""() => [...document.querySelectorAll('.jp-Cell')]
        .filter(c => !(c.className.includes('raises-exception')))
        .flatMap(c => [...c.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')])
        .map(e => e.textContent).filter(t => t.includes('Traceback'))""")
