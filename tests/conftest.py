"""Shared pytest fixtures.

``fixtures_dir``: the project's read-only real-data fixtures (``../shared/fixtures`` beside the checkout), found
through ``MMAGRAE_FIXTURES`` which ``.ci/run`` and ``scripts/test.sh`` set. They are never copied into the repo.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def _fixtures_path() -> Path:
    env = os.environ.get("MMAGRAE_FIXTURES")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "fixtures"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    path = _fixtures_path()
    if not path.is_dir():
        raise FileNotFoundError(
            f"test fixtures not found at {path}; set MMAGRAE_FIXTURES to the shared/fixtures folder"
        )
    return path
