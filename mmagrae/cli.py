"""The ``mmagrae`` command line: one entry point, one subcommand per capability.

Each subcommand lives next to the code it drives and exposes ``register(subparsers)``, which adds its
parser and sets ``func`` (called with the parsed namespace, returning an exit code). Modules are imported
when the parser is built, so command modules keep heavy imports (torch, transformers, vllm) inside functions.

Example::

    $ mmagrae verify --response "<answer>12</answer>" --gold 12
    $ mmagrae train configs/tiny_cpu_geometry.yaml trainer.max_steps=20
"""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> module exposing register(subparsers)
COMMANDS: dict[str, str] = {
    "config": "mmagrae.config",
    "tiny-model": "mmagrae.models.tiny",
    "verify": "mmagrae.verifiers.cli",
    "data": "data_recipes.cli",
    "train": "mmagrae.trainer.cli",
    "plot": "mmagrae.trainer.plot",
    "eval": "eval.cli",
    "experiment": "mmagrae.experiments.cli",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mmagrae",
        description="RL fine-tuning of VLMs and LMs with verifiable rewards and A-GRAE (arXiv 2602.05548).",
    )
    from mmagrae import __version__

    parser.add_argument("--version", action="version", version=f"mmagrae {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the Python traceback of a user error (same as MMAGRAE_DEBUG=1)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMANDS.values():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:  # an optional part not installed; its command is left out
            if not err.name or not module_name.startswith(err.name):
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command. A user error (a wrong path, a malformed file: :class:`mmagrae.preflight.UserError`, a
    missing file) prints one ``error: ...`` line and returns 2; ``--debug`` or ``MMAGRAE_DEBUG=1`` re-raises it
    so the traceback shows."""
    import os

    from mmagrae.preflight import EXIT_USER_ERROR, UserError, debug_enabled

    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--debug" in argv:  # accepted anywhere on the line: `mmagrae train --debug ...` works too
        argv = [a for a in argv if a != "--debug"]
        os.environ["MMAGRAE_DEBUG"] = "1"
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:  # Ctrl-C in a command that has no handler of its own (train has one)
        if debug_enabled():
            raise
        print("interrupted", file=sys.stderr)
        return 130
    except (UserError, FileNotFoundError, FileExistsError, NotADirectoryError, IsADirectoryError, PermissionError,
            ConnectionError) as err:
        if debug_enabled():
            raise
        print(f"error: {_one_line(err)}", file=sys.stderr)
        return EXIT_USER_ERROR


def _one_line(err: BaseException) -> str:
    """An exception's message on one line (an OSError as 'PATH: reason')."""
    if isinstance(err, OSError) and err.filename is not None and err.strerror:
        text = f"{err.filename}: {err.strerror.lower()}"
    else:
        text = str(err) or type(err).__name__
    return " ".join(text.split())


if __name__ == "__main__":
    sys.exit(main())
