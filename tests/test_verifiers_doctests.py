"""Every verifier module's doctest examples run as part of the suite."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "verdict", "extraction", "math_text", "numeric", "choice", "symbolic", "symbolic.lexer", "symbolic.parser",
    "symbolic.evaluate", "symbolic.compare", "symbolic.nodes", "chart", "lists", "dispatch", "batch", "rewards", "cli",
    "endings", "readings", "think", "opening", "layouts", "runoff", "phrases", "closings", "markup",
]  # fmt: skip


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(f"mmagrae.verifiers.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_package_doctest() -> None:
    import mmagrae.verifiers

    assert doctest.testmod(mmagrae.verifiers).failed == 0
