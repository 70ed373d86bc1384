"""Benchmark-independent scoring: per-sample verdicts -> accuracy, per-category tables and pass@k.

Shapes: R rows, n samples each; ``correct[R][n]`` bools. Accuracy is the mean over all R·n samples (pass@1
estimated from n samples); pass@k uses the unbiased estimator ``mmagrae.metrics.pass_at_k`` for every
k in 1, 2, 4, ... up to n (and n itself).

Category tables use MathVista's layout (``{"accuracy": "48.70", "correct": 263, "total": 540}``, sorted by
accuracy, highest first, ties in first-seen order); with n > 1, ``correct`` and ``total`` count samples.

Example::

    >>> s = summarize([{"id": "1"}, {"id": "2"}], [[True, False], [False, False]], lambda r: {"all": "x"})
    >>> s["accuracy"], s["pass@k"]["2"]
    (25.0, 50.0)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any


def ks_for(n: int) -> list[int]:
    """1, 2, 4, ... below n, and n."""
    ks, k = [], 1
    while k < n:
        ks.append(k)
        k *= 2
    ks.append(n)
    return ks


def pass_at_k_table(correct: Sequence[Sequence[bool]]) -> dict[str, float]:
    """Mean unbiased pass@k (percent, 2 decimals) over rows, for k in :func:`ks_for` of the smallest n."""
    from mmagrae.metrics import pass_at_k

    if not correct:
        return {}
    n_min = min(len(c) for c in correct)
    table = {}
    for k in ks_for(n_min):
        vals = [pass_at_k(len(c), sum(map(bool, c)), k) for c in correct]
        table[str(k)] = round(100.0 * sum(vals) / len(vals), 2)
    return table


def category_tables(
    rows: Sequence[Mapping[str, Any]],
    correct: Sequence[Sequence[bool]],
    categories: Callable[[Mapping[str, Any]], dict[str, Any]],
) -> dict[str, dict[str, dict[str, Any]]]:
    """``{key: {value: {"accuracy": "xx.xx", "correct": c, "total": t}}}``; list values count under each value."""
    counts: dict[str, dict[Any, list[int]]] = {}
    for row, samples in zip(rows, correct, strict=True):
        for key, raw in categories(row).items():
            values = raw if isinstance(raw, (list, tuple)) else [raw]
            for value in values:
                c = counts.setdefault(key, {}).setdefault(value, [0, 0])
                c[0] += sum(map(bool, samples))
                c[1] += len(samples)
    tables = {}
    for key, by_value in counts.items():
        table = {str(v): {"accuracy": f"{c / t * 100:.2f}", "correct": c, "total": t} for v, (c, t) in by_value.items()}
        tables[key] = dict(sorted(table.items(), key=lambda kv: float(kv[1]["accuracy"]), reverse=True))
    return tables


def summarize(
    rows: Sequence[Mapping[str, Any]],
    correct: Sequence[Sequence[bool]],
    categories: Callable[[Mapping[str, Any]], dict[str, Any]],
) -> dict[str, Any]:
    """Accuracy (percent over all samples), counts, pass@k and the category tables."""
    total = sum(len(c) for c in correct)
    right = sum(sum(map(bool, c)) for c in correct)
    return {
        "accuracy": round(100.0 * right / total, 2) if total else 0.0,
        "correct": right,
        "total": total,
        "problems": len(rows),
        "n": min((len(c) for c in correct), default=0),
        "pass@k": pass_at_k_table(correct),
        "categories": category_tables(rows, correct, categories),
    }
