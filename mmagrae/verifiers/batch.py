"""Batch verification across processes, for throughput (training rewards, evaluation of whole benchmarks).

Each request is a mapping with the keyword arguments of ``verify``: ``response``, ``gold`` (or ``answer``, as in
dataset rows), and optionally ``choices``, ``answer_type``, ``precision``, ``task``. Unknown keys are ignored, so
dataset rows can be passed with a ``response`` added.

>>> [v.correct for v in verify_batch([{"response": "4", "gold": "4"}, {"response": "5", "answer": "4"}])]
[True, False]
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from mmagrae.verifiers.dispatch import verify
from mmagrae.verifiers.verdict import DEFAULT_TIME_BUDGET_S, Verdict

__all__ = ["verify_batch"]

# Starting spawn workers costs ~0.5-1 s; verdicts take ~20-200 µs each, so only large batches gain from a pool.
_IN_PROCESS_BELOW = 5000


def _one(request: Mapping[str, Any], time_budget_s: float | None) -> Verdict:
    if not isinstance(request, Mapping):
        return Verdict(False, 0.0, None, "internal error: request is not a mapping")
    gold = request["gold"] if "gold" in request else request.get("answer")
    return verify(
        request.get("response", ""),
        gold,
        choices=request.get("choices"),
        answer_type=request.get("answer_type"),
        precision=request.get("precision"),
        task=request.get("task"),
        time_budget_s=time_budget_s,
    )


def _chunk(requests: list[Mapping[str, Any]], time_budget_s: float | None) -> list[Verdict]:
    return [_one(r, time_budget_s) for r in requests]


def verify_batch(
    requests: Sequence[Mapping[str, Any]],
    *,
    processes: int | None = None,
    chunksize: int = 256,
    time_budget_s: float | None = DEFAULT_TIME_BUDGET_S,
) -> list[Verdict]:
    """Verify many requests, in order.

    processes: None = all CPUs for batches of 5,000 or more, in-process below; 0 or 1 = in-process; N = N workers.

    Workers are started with ``spawn`` (safe next to threads, CUDA and vLLM), so a script that calls this with
    processes > 1 needs the usual ``if __name__ == "__main__":`` guard. Each call's deadline works in workers as
    well as in-process.
    """
    items = list(requests)
    if processes is None:
        processes = (os.cpu_count() or 1) if len(items) >= _IN_PROCESS_BELOW else 1
    processes = max(1, min(processes, (len(items) + chunksize - 1) // chunksize or 1))
    if processes <= 1:
        return _chunk(items, time_budget_s)
    chunks = [items[i : i + chunksize] for i in range(0, len(items), chunksize)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        results = pool.map(_chunk, chunks, [time_budget_s] * len(chunks))
        return [v for chunk in results for v in chunk]
