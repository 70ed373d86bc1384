"""Per-phase peak memory (perf/peak_mem_mib) and the two performance switches inside a real training run."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from test_trainer import run_train, tiny_overrides

from mmagrae.trainer.peak_memory import measure_peak
from mmagrae.trainer.tracking import read_metrics

pytestmark = pytest.mark.usefixtures("single_thread_torch")


def test_cpu_peak_is_reset_per_block() -> None:
    with measure_peak() as big:
        x = torch.ones(64 * 2**20 // 4)  # 64 MiB, touched
        del x
    with measure_peak() as small:
        y = torch.ones(16)
        del y
    assert big.mib > 0 and small.mib > 0
    assert big.mib - small.mib > 48  # the second block does not inherit the first one's peak


def test_train_records_peak_memory_per_phase_and_switches_change_nothing(tiny_qwen2_vl: Path, tmp_path: Path) -> None:
    """rollout.shared_prefix and algorithm.padding_free are exact: the same seed gives the same step."""
    runs = {}
    for shared, packed in ((True, True), (False, False)):
        out = tmp_path / f"run-{shared}-{packed}"
        run_train(tiny_overrides(tiny_qwen2_vl, out, f"rollout.shared_prefix={str(shared).lower()}",
                                 f"algorithm.padding_free={str(packed).lower()}", "trainer.max_steps=1",
                                 "rollout.max_new_tokens=8"))
        runs[(shared, packed)] = read_metrics(out / "metrics.jsonl")[-1]
    record = runs[(True, True)]
    phases = [k for k in record if k.startswith("perf/peak_mem_mib/")]
    assert {"perf/peak_mem_mib/rollout", "perf/peak_mem_mib/update"} <= set(phases)
    assert all(math.isfinite(record[k]) and record[k] > 0 for k in phases)
    assert record["perf/peak_mem_mib"] == max(record[k] for k in phases)
    other = runs[(False, False)]
    for key in ("reward/mean", "response/length_mean"):
        assert record[key] == other[key], key  # the same samples
    for key in ("loss/policy", "grad_norm", "loss/entropy"):
        assert abs(record[key] - other[key]) <= 1e-5 * max(1.0, abs(other[key])), key
