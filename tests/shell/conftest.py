import pytest

from layerlab.shell.commands import packages

from . import fake_catalog
from .trees import tree


@pytest.fixture(autouse=True)
def _fake_catalog(monkeypatch):
    """Package managers read the small catalog of fake_catalog.py, never the real one (see test_perf)."""
    monkeypatch.setattr(packages, "get_catalog", lambda: fake_catalog)


@pytest.fixture
def deb():
    return tree()


@pytest.fixture
def alpine():
    return tree(alpine=True)
