"""Fixtures for the inference suites."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from inference.runtime import get_runtime


@pytest.fixture
def registry_dir(settings, tmp_path: Path) -> Iterator[Path]:
    """An empty generators directory that settings and the process runtime point at."""
    directory = tmp_path / "registry"
    directory.mkdir()
    settings.GENERATORS_DIR = directory
    get_runtime().reset()
    yield directory
    get_runtime().reset()
