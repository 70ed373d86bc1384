"""scripts/bench_train.py (mmagrae's trainer vs TRL's GRPOTrainer) runs in a reduced quick mode and ends in JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_bench_train_quick(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    cmd = [
        sys.executable,
        "scripts/bench_train.py",
        "--quick",
        "--steps",
        "2",
        "--prompts",
        "4",
        "--n",
        "2",
        "--max-new-tokens",
        "8",
        "--rows",
        "16",
        "--out",
        str(out),
    ]
    proc = subprocess.run(
        cmd,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=230,
        env={**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"},
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    last = json.loads(proc.stdout.strip().splitlines()[-1])
    assert last["name"] == "train" and last["unit"] == "samples/s"
    assert last["ours"] > 0 and last["peer"] > 0
    assert abs(last["ratio"] - last["ours"] / last["peer"]) < 0.01
    assert {"rollout", "score", "update"} <= set(last["ours_phases_s"]) and "update" in last["peer_phases_s"]
    full = json.loads(out.read_text())
    assert len(full["runs"]["ours"][0]["step_s"]) == 2 and len(full["runs"]["peer"][0]["step_s"]) == 2
