"""Shared test helpers: small builders that keep test rows short (import from tests.helpers)."""

from __future__ import annotations

import os

import pytest

from layerlab import Layer, merge


def L(spec, created_by=""):
    """A layer from a spec dict (short name for table rows)."""
    return Layer.from_spec(spec, created_by=created_by)


def view(*specs):
    """The merged view of layers given as spec dicts."""
    return merge([L(s) for s in specs])


def require_tools() -> bool:
    """True when a missing tool must fail the test instead of skipping it (CI sets it)."""
    return os.environ.get("LAYERLAB_REQUIRE_TOOLS") == "1"


def skip_or_fail(reason: str):
    if require_tools():
        pytest.fail(f"{reason} (LAYERLAB_REQUIRE_TOOLS=1 turns this skip into a failure)")
    pytest.skip(reason)
