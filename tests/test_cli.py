"""The one entry point: every subcommand registers and answers --help, as a user would run it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mmagrae.cli import COMMANDS, build_parser


def test_every_command_registers():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(COMMANDS) <= set(sub.choices), f"missing: {set(COMMANDS) - set(sub.choices)}"


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)], ids=lambda c: " ".join(c) or "top")
def test_help(command):
    out = subprocess.run([sys.executable, "-m", "mmagrae", *command, "--help"], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert "usage: mmagrae" in out.stdout


def test_train_rejects_bad_config_before_loading_a_model():
    out = subprocess.run([sys.executable, "-m", "mmagrae", "train", "algorithm.estimator=nope"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 2
    assert "config key 'algorithm.estimator' = 'nope' is not allowed; allowed values:" in out.stderr
