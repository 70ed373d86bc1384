"""The set-up as a user meets it: the CPU stack imports, torchvision works next to the CPU torch, a second
set-up run finds nothing to do."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_stack_imports_together():
    code = ("import torch, torchvision, qwen_vl_utils, vllm, transformers, deepspeed, peft, datasets;"
            "from torchvision.transforms.v2 import functional as F;"
            "x = F.resize(torch.rand(3, 56, 56), [28, 28]);"
            "print(torch.__version__, torchvision.__version__, transformers.__version__, tuple(x.shape))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "(3, 28, 28)" in out.stdout


def test_torchvision_fix_gives_a_working_nms_and_qwen_image_processor(tiny_qwen2_vl):
    code = f"""
import torch, torchvision
keep = torch.ops.torchvision.nms(torch.tensor([[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30.]]),
                                 torch.tensor([0.9, 0.8, 0.7]), 0.5)
assert keep.tolist() == [0, 2], keep
from PIL import Image
from transformers import AutoProcessor
proc = AutoProcessor.from_pretrained({str(tiny_qwen2_vl)!r})
out = proc.image_processor(images=[Image.new("RGB", (112, 112))], return_tensors="pt")
print(tuple(out["image_grid_thw"][0].tolist()))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("(1, 8, 8)")


def test_second_setup_run_installs_nothing():
    start = time.monotonic()
    out = subprocess.run(["bash", str(REPO / "scripts" / "setup.sh")], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "nothing to install" in out.stderr
    assert time.monotonic() - start < 60
