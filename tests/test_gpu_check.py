"""scripts/gpu_check.sh runs end to end on the CPU with the tiny model (``--cpu --tiny``), as it will on the GPU."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_gpu_check_cpu_tiny(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = subprocess.run(
        ["bash", "scripts/gpu_check.sh", "--cpu", "--tiny", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=170,
        env={**__import__("os").environ, "PYTHON": sys.executable},
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    last = json.loads(proc.stdout.strip().splitlines()[-1])
    assert last == json.loads(out.read_text())
    assert last["name"] == "gpu_check" and last["n_params"] > 0
    for side in ("ours", "peer"):
        row = last[side]
        assert row["step_s"] > 0 and row["samples_per_s"] > 0 and row["update_tokens"] > 0
        assert row["gen_tokens_per_s"] > 0 and row["mfu_update"] >= 0
    assert set(last["ours"]["phases_s"]) >= {
        "rollout",
        "score",
        "prepare",
        "forward",
        "backward",
        "optimizer",
        "update",
    }
    assert set(last["peer"]["phases_s"]) == {"rollout", "score", "prepare", "update"}
    assert last["ratio"] > 0


def test_gpu_check_builds_qwen2_vl_2b_shapes(tmp_path: Path) -> None:
    """The full-size config (built on the meta device, no memory): ~2.0B parameters, 2B-shaped layers."""
    import types

    import torch
    from transformers import Qwen2VLForConditionalGeneration

    sys.path.insert(0, str(REPO / "scripts"))
    import gpu_check

    args = types.SimpleNamespace(image_size=448, seed=0, tiny=False)
    _, config, processor = gpu_check.build_assets(args, tmp_path)
    with torch.device("meta"):
        model = Qwen2VLForConditionalGeneration._from_config(config, dtype=torch.bfloat16)
    n_params = sum(p.numel() for p in model.parameters())
    assert 1.9e9 < n_params < 2.2e9
    text, vision = config.text_config, config.vision_config
    assert (
        text.hidden_size,
        text.num_hidden_layers,
        text.num_attention_heads,
        text.num_key_value_heads,
        text.intermediate_size,
        text.vocab_size,
    ) == (1536, 28, 12, 2, 8960, 32000)
    assert (vision.depth, vision.embed_dim) == (32, 1280)
    prompts = gpu_check.make_prompts(types.SimpleNamespace(image_size=448, seed=0), processor, 2)
    assert prompts[0].num_tokens > 256  # a 448² image is 256 merged tokens
