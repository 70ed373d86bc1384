"""Rewards for RL from verifiable answers: accuracy, format, weighted combination, user reward functions.

The paper (A-GRAE, arXiv 2602.05548, §5) trains with ``0.9 · accuracy + 0.1 · format``. ``compute_rewards``
returns one ``RewardBreakdown`` per response: the weighted ``total`` (the scalar the advantage estimator gets),
each component, and ``correct`` (the accuracy verdict, which A-GRAE's group success rate p and training state ω
are computed from — not the mixed reward).

A row whose gold answer cannot be read is an error in the data: its breakdown has ``data_error`` set and
``total = 0.0`` (every component 0), never a reward of 1. The trainer should count and skip such rows
(``reward_metrics`` reports ``reward/data_errors``), or pass ``on_bad_gold="raise"`` to stop.

Worked example (weights 0.9 / 0.1)::

    >>> rows = [{"answer": "12"}, {"answer": "12"}, {"answer": "twelve?!", "answer_type": "integer"}]
    >>> out = compute_rewards(
    ...     ["<think>4*3</think><answer>12</answer>", "The answer is 12.", "<think>x</think><answer>1</answer>"],
    ...     rows)
    >>> [(b.total, b.components["accuracy"], b.components["format"], b.correct, b.data_error is not None)
    ...  for b in out]
    [(1.0, 1.0, 1.0, True, False), (0.9, 1.0, 0.0, True, False), (0.0, 0.0, 0.0, False, True)]
"""

from __future__ import annotations

import importlib
import importlib.util
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mmagrae.verifiers.batch import verify_batch
from mmagrae.verifiers.dispatch import verify
from mmagrae.verifiers.extraction import find_boxed, strip_think
from mmagrae.verifiers.verdict import DEFAULT_TIME_BUDGET_S, GoldAnswerError, Verdict

__all__ = [
    "FormatStyle",
    "RewardFunction",
    "RewardBreakdown",
    "DEFAULT_WEIGHTS",
    "FORMAT_STYLES",
    "accuracy_reward",
    "format_reward",
    "verify_row",
    "compute_rewards",
    "reward_metrics",
    "load_reward_function",
]

FormatStyle = Literal["think_answer", "boxed", "answer"]
FORMAT_STYLES: tuple[str, ...] = ("think_answer", "boxed", "answer")
RewardFunction = Callable[[str, Mapping[str, Any]], float]
"""A user reward: ``fn(response, row) -> float`` (row as in the dataset: answer, choices, answer_type, ...)."""

DEFAULT_WEIGHTS: Mapping[str, float] = {"accuracy": 0.9, "format": 0.1}


@dataclass(frozen=True)
class RewardBreakdown:
    """The reward of one response.

    total: sum of weight × component (0.0 when ``data_error`` is set).
    components: unweighted component scores, e.g. {"accuracy": 1.0, "format": 0.0}.
    correct: the accuracy verdict (use it for success rates, pass@k, A-GRAE's p and ω).
    verdict: the full verifier verdict (extracted answer and reason).
    data_error: "bad gold: ..." when the row's gold answer cannot be read; the row should be skipped.
    """

    total: float
    components: dict[str, float]
    correct: bool
    verdict: Verdict
    data_error: str | None = None
    weights: dict[str, float] = field(default_factory=dict, repr=False)


def verify_row(
    response: str, row: Mapping[str, Any], *, time_budget_s: float | None = DEFAULT_TIME_BUDGET_S
) -> Verdict:
    """``verify`` with the fields of a dataset row (answer, choices, answer_type, precision, task)."""
    return verify(
        response,
        row.get("answer"),
        choices=row.get("choices"),
        answer_type=row.get("answer_type"),
        precision=row.get("precision"),
        task=row.get("task"),
        time_budget_s=time_budget_s,
    )


def accuracy_reward(response: str, row: Mapping[str, Any]) -> float:
    """1.0 when the response's final answer matches ``row["answer"]``, else 0.0 (also for bad gold).

    >>> accuracy_reward("\\\\boxed{\\\\frac{1}{2}}", {"answer": "0.5"})
    1.0
    """
    return verify_row(response, row).score


def _format_think_answer(text: str) -> bool:
    s = text.strip()
    if not s.startswith("<think>") or not s.endswith("</answer>"):
        return False
    for tag in ("<think>", "</think>", "<answer>", "</answer>"):
        if s.count(tag) != 1:
            return False
    think_end = s.find("</think>")
    answer_start = s.find("<answer>")
    if answer_start < think_end or s[think_end + len("</think>") : answer_start].strip():
        return False
    return bool(s[answer_start + len("<answer>") : -len("</answer>")].strip())


def _format_boxed(text: str) -> bool:
    if text.count("<think>") > text.count("</think>"):
        return False
    boxes = find_boxed(strip_think(text))
    return len(boxes) >= 1 and all(b.strip() for b in boxes)


def _format_answer(text: str) -> bool:
    s = text.rstrip()
    if s.count("<answer>") != 1 or s.count("</answer>") != 1 or not s.endswith("</answer>"):
        return False
    start = s.find("<answer>")
    return bool(s[start + len("<answer>") : -len("</answer>")].strip())


_FORMAT_CHECKS: dict[str, Callable[[str], bool]] = {
    "think_answer": _format_think_answer,
    "boxed": _format_boxed,
    "answer": _format_answer,
}


def format_reward(response: str, style: FormatStyle = "think_answer") -> float:
    """1.0 when the response follows the output format, else 0.0.

    - ``think_answer``: exactly ``<think>…</think>`` then ``<answer>…</answer>`` (non-empty), nothing around them
      but whitespace (the R1/EasyR1 format);
    - ``boxed``: at least one non-empty ``\\boxed{}`` outside ``<think>``, and no unclosed ``<think>``;
    - ``answer``: exactly one non-empty ``<answer>…</answer>`` at the end.

    >>> format_reward("<think>2+2</think> <answer>4</answer>"), format_reward("<answer>4</answer>")
    (1.0, 0.0)
    >>> format_reward("so \\\\boxed{4}", "boxed")
    1.0
    """
    if style not in _FORMAT_CHECKS:
        raise ValueError(f"unknown format_style {style!r}; allowed: {list(FORMAT_STYLES)}")
    if not isinstance(response, str):
        return 0.0
    return 1.0 if _FORMAT_CHECKS[style](response) else 0.0


def load_reward_function(spec: str) -> RewardFunction:
    """Load a user reward ``fn(response, row) -> float`` from ``"package.module:function"`` or ``"path.py:function"``.

    >>> load_reward_function("mmagrae.verifiers.rewards:accuracy_reward") is accuracy_reward
    True
    """
    module_name, sep, attr = spec.rpartition(":")
    if not sep or not module_name or not attr:
        raise ValueError(
            f"reward function {spec!r} must look like 'module:function' or 'path/to/file.py:function'"
        )
    if module_name.endswith(".py"):
        path = Path(module_name)
        if not path.is_file():
            raise ValueError(f"reward function file {path} not found")
        module_spec = importlib.util.spec_from_file_location(f"mmagrae_user_reward_{path.stem}", path)
        if module_spec is None or module_spec.loader is None:
            raise ValueError(f"cannot load {path}")
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
    else:
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise ValueError(f"reward function module {module_name!r} cannot be imported: {exc}") from exc
    fn = getattr(module, attr, None)
    if not callable(fn):
        raise ValueError(f"{module_name!r} has no callable {attr!r}")
    return fn


def _check_weights(weights: Mapping[str, float], extra: Mapping[str, RewardFunction]) -> dict[str, float]:
    allowed = ["accuracy", "format", *extra]
    out = {}
    for name, w in weights.items():
        if name not in allowed:
            raise ValueError(f"unknown reward component {name!r} in weights; allowed: {allowed}")
        if not isinstance(w, (int, float)) or not math.isfinite(w):
            raise ValueError(f"weight of {name!r} must be a finite number, got {w!r}")
        out[name] = float(w)
    missing = [name for name in extra if name not in out]
    if missing:
        raise ValueError(f"extra reward(s) {missing} have no weight; add them to weights")
    if not out:
        raise ValueError(f"weights is empty; give at least one of {allowed}")
    return out


def compute_rewards(
    responses: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    *,
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
    format_style: FormatStyle = "think_answer",
    extra_rewards: Mapping[str, RewardFunction | str] | None = None,
    on_bad_gold: Literal["flag", "raise"] = "flag",
    processes: int | None = 1,
    time_budget_s: float | None = DEFAULT_TIME_BUDGET_S,
) -> list[RewardBreakdown]:
    """Score N responses (N = B·G, the row of each response repeated G times) into RewardBreakdowns.

    weights: component name -> weight; names are "accuracy", "format" and the keys of ``extra_rewards``. A
        component left out has weight 0 (``{"custom": 1.0}`` replaces the built-in reward; ``correct`` and
        ``components["accuracy"]`` still come from the verifier).
    format_style: see ``format_reward``.
    extra_rewards: name -> reward function or "module:function" spec, each ``fn(response, row) -> float``.
    on_bad_gold: "flag" sets ``data_error`` (total 0.0); "raise" raises GoldAnswerError naming the row.
    processes: verification processes. Default 1 (in-process): a training batch (512 × 5 responses) verifies in
        ~0.1-0.3 s, less than starting a process pool; see ``verify_batch`` for larger jobs.
    """
    if len(responses) != len(rows):
        raise ValueError(f"{len(responses)} responses but {len(rows)} rows; repeat each row once per sample")
    if format_style not in _FORMAT_CHECKS:
        raise ValueError(f"unknown format_style {format_style!r}; allowed: {list(FORMAT_STYLES)}")
    extra = {
        name: load_reward_function(fn) if isinstance(fn, str) else fn
        for name, fn in (extra_rewards or {}).items()
    }
    for name in extra:
        if name in ("accuracy", "format"):
            raise ValueError(f"extra reward name {name!r} is reserved")
    w = _check_weights(weights, extra)

    requests = [
        {
            "response": r,
            "gold": row.get("answer"),
            "choices": row.get("choices"),
            "answer_type": row.get("answer_type"),
            "precision": row.get("precision"),
            "task": row.get("task"),
        }
        for r, row in zip(responses, rows, strict=True)
    ]
    verdicts = verify_batch(requests, processes=processes, time_budget_s=time_budget_s)

    out: list[RewardBreakdown] = []
    for i, (response, row, verdict) in enumerate(zip(responses, rows, verdicts, strict=True)):
        if verdict.bad_gold:
            if on_bad_gold == "raise":
                raise GoldAnswerError(f"row {row.get('id', i)!r}: {verdict.reason}")
            zeros = dict.fromkeys(["accuracy", *w], 0.0)
            out.append(RewardBreakdown(0.0, zeros, False, verdict, data_error=verdict.reason, weights=w))
            continue
        components = {"accuracy": verdict.score}  # always reported; it enters total only if weighted
        if "format" in w:
            components["format"] = format_reward(response, format_style)
        for name, fn in extra.items():
            value = float(fn(response, row))
            if not math.isfinite(value):
                raise ValueError(f"reward {name!r} returned {value} for row {row.get('id', i)!r}")
            components[name] = value
        total = sum(weight * components[name] for name, weight in w.items())
        out.append(RewardBreakdown(total, components, verdict.correct, verdict, weights=w))
    return out


def reward_metrics(breakdowns: Sequence[RewardBreakdown]) -> dict[str, float]:
    """Batch metrics over valid rows: ``reward/mean``, ``reward/<component>_mean``, ``reward/correct_mean``,
    and ``reward/data_errors`` (count of rows skipped for bad gold).

    >>> reward_metrics(compute_rewards(["<answer>1</answer>"], [{"answer": "1"}]))["reward/mean"]
    0.9
    """
    valid = [b for b in breakdowns if b.data_error is None]
    metrics: dict[str, float] = {"reward/data_errors": float(len(breakdowns) - len(valid))}
    if not valid:
        return metrics
    n = len(valid)
    metrics["reward/mean"] = sum(b.total for b in valid) / n
    metrics["reward/correct_mean"] = sum(b.correct for b in valid) / n
    for name in valid[0].components:
        metrics[f"reward/{name}_mean"] = sum(b.components.get(name, 0.0) for b in valid) / n
    return metrics
