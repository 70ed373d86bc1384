"""The benchmark registry: one :class:`Benchmark` per name, each with its loader, prompt and scorer.

A benchmark module declares its functions with explicit signatures; the runner and the CLI look them up here
by name, so a misspelt benchmark, split or mode raises an error that lists the allowed values. The readers the
loaders share (local JSON/Parquet, data_recipes datasets, the Hub) are in :mod:`eval.loaders`.

Shapes: R rows (problems), n samples per row. ``correct[R][n]`` holds one bool per sample.

Example::

    >>> get("mathvista").splits
    ('testmini', 'test')
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SampleVerdict:
    """One response judged: the extracted answer (None: nothing found) and whether it is correct."""

    extracted: str | None
    correct: bool
    score: float = -1.0  # a graded score where the benchmark has one; -1 means "same as correct"


@dataclass(frozen=True)
class Benchmark:
    """A benchmark adapter.

    name: registry key (``mmagrae eval run --benchmark NAME``).
    hf_id: the Hugging Face dataset id its loader reads by default.
    splits: the splits the loader knows; the first is the default.
    load: ``(split, *, source=None, limit=None) -> rows``; each row has ``id`` (str), ``images`` (list of paths
        or PIL images) and the benchmark's own fields.
    prompt: ``row -> str``, the official prompt text (without chat formatting).
    judge: ``(row, response, mode, extractor) -> SampleVerdict`` for modes ``rules`` and ``judge``.
    categories: ``row -> {key: value or list of values}``, the per-category table keys.
    extra_scores: ``(rows, correct[R][n]) -> dict`` benchmark-specific metrics (WeMath's four dimensions).
    given_verdict: ``row -> bool | None``, the verdict a results file already carries from its own scorer or
        judge (MathVerse's GPT ``judgement``, VLMEvalKit's We-Math ``hit``), read as the official code reads
        it; None when the row has none. ``eval score`` in rules/judge mode reports agreement with it.
    reads_recipes: whether ``--source`` may be a data_recipes folder (the training row schema).
    """

    name: str
    hf_id: str
    splits: tuple[str, ...]
    load: Callable[..., list[dict]]
    prompt: Callable[[Mapping[str, Any]], str]
    judge: Callable[..., SampleVerdict]
    categories: Callable[[Mapping[str, Any]], dict[str, Any]]
    extra_scores: Callable[[Sequence[Mapping[str, Any]], Sequence[Sequence[bool]]], dict] | None = None
    modes: tuple[str, ...] = field(default=("rules", "judge"))
    given_verdict: Callable[[Mapping[str, Any]], bool | None] | None = None
    reads_recipes: bool = False


_MODULES = {
    "mathvista": "eval.mathvista",
    "mathverse": "eval.mathverse",
    "mathvision": "eval.mathvision",
    "wemath": "eval.wemath",
    "geometry3k": "eval.geometry3k",
    "chartqa": "eval.chartqa",
}


def names() -> list[str]:
    return list(_MODULES)


def recipe_readers() -> list[str]:
    """The benchmarks that evaluate a data_recipes folder (``Benchmark.reads_recipes``)."""
    return [name for name in _MODULES if get(name).reads_recipes]


def get(name: str) -> Benchmark:
    """The benchmark called ``name`` (case-insensitive)."""
    key = name.lower().replace("-", "").replace("_", "")
    if key not in _MODULES:
        raise ValueError(f"unknown benchmark {name!r}; expected one of {', '.join(_MODULES)}")
    return importlib.import_module(_MODULES[key]).BENCHMARK


def check_split(benchmark: Benchmark, split: str | None) -> str:
    split = split or benchmark.splits[0]
    if split not in benchmark.splits:
        raise ValueError(f"unknown split {split!r} for {benchmark.name}; expected one of {benchmark.splits}")
    return split


def rules_verdict(response: str, gold: str, **kwargs: Any) -> SampleVerdict:
    """mmagrae's verifier on one response; unparseable gold counts as wrong (and says so in ``extracted``)."""
    from mmagrae.verifiers import verify

    v = verify(response, gold, **kwargs)  # never raises
    if v.bad_gold:  # an error in the data: the sample cannot be right
        return SampleVerdict(None, False, 0.0)
    return SampleVerdict(v.extracted, bool(v.correct), float(v.score))
