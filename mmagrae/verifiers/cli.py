"""``mmagrae verify``: judge one response, or a JSONL file of them.

    $ mmagrae verify --response "<answer>12</answer>" --gold 12
    {"correct": true, "score": 1.0, "extracted": "12", "reason": "numeric: 12 == 12"}
    $ mmagrae verify --response "(b)" --gold "145°" --choices '["135°", "145°"]'
    $ mmagrae verify --jsonl responses.jsonl --out verdicts.jsonl [--processes 4]

JSONL input: one object per line with ``response`` and ``gold`` (or ``answer``), optionally ``choices``,
``answer_type``, ``precision``, ``task`` and ``id``. Output: one verdict per line, in input order, with ``id``
(or its 1-based line number in the input) and ``correct``, ``score``, ``extracted``, ``reason``; a line that is
not a JSON object (or not UTF-8) gets ``correct: false`` and a reason. Printed ``extracted`` and ``reason`` values
are capped at ``MAX_PRINTED_CHARS`` characters (the cut is marked with the full length). The summary (count, accuracy, data errors) goes to stderr. Exit status: 0 when
verdicts were written (whatever they say), 2 on usage or file errors.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["register", "run"]

MAX_PRINTED_CHARS = 1000


def cap(text: Any, limit: int = MAX_PRINTED_CHARS) -> Any:
    """``text`` cut to ``limit`` characters with a marker of the full length; non-strings unchanged.

    >>> cap("x" * 60000, 10)
    'xxxxxxxxxx… [60000 chars]'
    """
    if isinstance(text, str) and len(text) > limit:
        return f"{text[:limit]}… [{len(text)} chars]"
    return text


def _printable(verdict: dict[str, Any]) -> dict[str, Any]:
    return {**verdict, "extracted": cap(verdict.get("extracted")), "reason": cap(verdict.get("reason"))}


def _parse_choices(text: str | None) -> list[str] | None:
    if text is None:
        return None
    stripped = text.strip()
    if stripped.startswith("["):
        value = json.loads(stripped)
        if not isinstance(value, list):
            raise ValueError("--choices JSON must be a list")
        return [str(x) for x in value]
    return [c.strip() for c in stripped.split("|")]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="check model answers against gold answers (one pair, or a JSONL file)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--response", help="the model response (one pair mode)")
    parser.add_argument("--gold", help="the gold answer (one pair mode)")
    parser.add_argument("--choices", help='options as a JSON list \'["a", "b"]\' or "a|b|c"')
    parser.add_argument(
        "--answer-type", dest="answer_type", help="integer, float, text, list, choice, expression"
    )
    parser.add_argument("--precision", type=int, help="decimals for float answers (rounded half-up)")
    parser.add_argument("--task", choices=["chart"], help="chart: ChartQA relaxed accuracy")
    parser.add_argument("--jsonl", help="input JSONL file ('-' for stdin)")
    parser.add_argument("--out", help="output JSONL file ('-' or omitted: stdout); never the input, and an "
                        "existing file only with --overwrite")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    parser.add_argument(
        "--processes", type=int, default=None, help="worker processes for --jsonl (default: auto)"
    )
    parser.set_defaults(func=run)


def _from_line(line: str | bytes) -> dict[str, Any] | str:
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            return f"bad input line: not UTF-8 (byte 0x{line[exc.start]:02x} at column {exc.start + 1})"
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"bad input line: {exc.msg}"
    if not isinstance(item, dict):
        return "bad input line: not a JSON object"
    return item


def _out_problem(source: str, out: str, overwrite: bool) -> str | None:
    """Why ``--out`` must not be written (the input itself, a folder, an existing file without --overwrite)."""
    target = Path(out)
    if target.is_dir():
        return f"--out {out} is a folder; name a file"
    if source != "-" and target.exists() and Path(source).exists() and target.samefile(source):
        return f"--out {out} is the --jsonl input; name another file"
    if target.is_file() and not overwrite:  # a device or a pipe (/dev/null, >(gzip)) is written to, not replaced
        return f"--out {out} exists; name another file, or pass --overwrite to replace it"
    return None


def run(args: argparse.Namespace) -> int:
    from mmagrae.verifiers import verify, verify_batch

    if args.jsonl is None:
        if args.response is None or args.gold is None:
            print("mmagrae verify: give --response and --gold, or --jsonl FILE", file=sys.stderr)
            return 2
        try:
            choices = _parse_choices(args.choices)
        except (ValueError, json.JSONDecodeError) as exc:
            print(f"mmagrae verify: bad --choices: {exc}", file=sys.stderr)
            return 2
        verdict = verify(
            args.response,
            args.gold,
            choices=choices,
            answer_type=args.answer_type,
            precision=args.precision,
            task=args.task,
        )
        print(json.dumps(_printable(verdict.to_dict()), ensure_ascii=False))
        return 0

    if args.out not in (None, "-"):
        problem = _out_problem(args.jsonl, args.out, args.overwrite)
        if problem:
            print(f"mmagrae verify: {problem}", file=sys.stderr)
            return 2
    try:
        source = sys.stdin.buffer if args.jsonl == "-" else open(args.jsonl, "rb")  # noqa: SIM115
    except OSError as exc:
        print(f"mmagrae verify: cannot read {args.jsonl}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    with source:
        numbered = [(number, line) for number, line in enumerate(source, start=1) if line.strip()]
    if not numbered:
        print(f"mmagrae verify: {args.jsonl} has no lines to verify", file=sys.stderr)
        return 2
    line_numbers = [number for number, _ in numbered]  # 1-based, blank lines counted
    items = [_from_line(line) for _, line in numbered]
    requests = [item if isinstance(item, dict) else {} for item in items]
    verdicts = verify_batch(requests, processes=args.processes)
    # a file is written under a temporary name and renamed when complete; a device or pipe is written directly
    direct = args.out in (None, "-") or (Path(args.out).exists() and not Path(args.out).is_file())
    tmp = None if direct else Path(f"{args.out}.tmp-{os.getpid()}")
    try:
        if args.out in (None, "-"):
            sink = sys.stdout
        else:
            sink = open(tmp if tmp is not None else args.out, "w", encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        print(f"mmagrae verify: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        correct, errors = _write_verdicts(sink, line_numbers, items, verdicts)
    except BaseException:
        if tmp is not None:
            tmp.unlink(missing_ok=True)  # an interrupted write leaves no half file
        raise
    if tmp is not None:
        os.replace(tmp, args.out)
    total = len(items)
    summary = {
        "count": total,
        "correct": correct,
        "accuracy": correct / total if total else 0.0,
        "data_errors": errors,
    }
    print(json.dumps(summary), file=sys.stderr)
    return 0


def _write_verdicts(sink, line_numbers, items, verdicts) -> tuple[int, int]:
    """One JSON line per input line; returns (correct, data errors)."""
    correct = errors = 0
    with sink if sink is not sys.stdout else contextlib.nullcontext(sink) as out:
        for n, item, verdict in zip(line_numbers, items, verdicts, strict=True):
            record: dict[str, Any] = {"id": item.get("id", n) if isinstance(item, dict) else n}
            if isinstance(item, str):
                record.update(correct=False, score=0.0, extracted=None, reason=item)
                errors += 1
            else:
                record.update(_printable(verdict.to_dict()))
                correct += verdict.correct
                errors += verdict.bad_gold
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return correct, errors
