"""Tiny local models: build, save, reload, forward and generate with transformers (and vLLM elsewhere)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from PIL import Image, ImageDraw

from mmagrae.models.tiny import SPECIAL_TOKENS, TAG_TOKENS, build_tiny_model

pytestmark = pytest.mark.usefixtures("single_thread_torch")

REPO_ROOT = Path(__file__).resolve().parents[1]


def _circles_image(size: int = 100) -> Image.Image:
    img = Image.new("RGB", (size, size - 20), "white")
    draw = ImageDraw.Draw(img)
    draw.ellipse((10, 10, 40, 40), fill="black")
    draw.ellipse((50, 30, 80, 60), fill="black")
    return img


@pytest.mark.parametrize("arch", ["tiny_qwen2_vl", "tiny_qwen2_5_vl"])
def test_vl_model_reloads_runs_forward_and_generate(arch: str, request: pytest.FixtureRequest) -> None:
    from transformers import AutoModelForImageTextToText, AutoProcessor

    path: Path = request.getfixturevalue(arch)
    processor = AutoProcessor.from_pretrained(path)
    model = AutoModelForImageTextToText.from_pretrained(path, dtype=torch.float32).eval()
    n_params = sum(p.numel() for p in model.parameters())
    assert 0.5e6 < n_params < 2e6

    messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "How many circles?"}]}]
    text = processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    assert "<|vision_start|><|image_pad|><|vision_end|>How many circles?" in text
    assert text.endswith("<|im_start|>assistant\n")
    enc = processor(text=[text], images=[_circles_image()], return_tensors="pt")
    # 100x80 px -> 112x84 -> 8x6 patches of 14 px -> 12 image tokens after the 2x2 merge.
    assert enc["image_grid_thw"].tolist() == [[1, 6, 8]]
    assert (enc["input_ids"] == model.config.image_token_id).sum().item() == 12
    with torch.no_grad():
        logits = model(**enc).logits  # [1, L, V]
    assert logits.shape == (1, enc["input_ids"].shape[1], len(processor.tokenizer))
    assert torch.isfinite(logits).all()
    out = model.generate(**enc, max_new_tokens=6, do_sample=True)
    assert out.shape[1] > enc["input_ids"].shape[1]


def test_text_model_reloads_runs_forward_and_generate(tiny_qwen2: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_qwen2)
    model = AutoModelForCausalLM.from_pretrained(tiny_qwen2, dtype=torch.float32).eval()
    text = tokenizer.apply_chat_template([{"role": "user", "content": "What is 2+3?"}], tokenize=False,
                                         add_generation_prompt=True)
    enc = tokenizer([text], return_tensors="pt")
    with torch.no_grad():
        logits = model(**enc).logits  # [1, L, V]
    assert torch.isfinite(logits).all()
    out = model.generate(**enc, max_new_tokens=6, do_sample=False)
    assert out.shape[1] > enc["input_ids"].shape[1]


def test_tokenizer_is_compact_and_has_qwen_special_tokens(tiny_qwen2_vl: Path) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_qwen2_vl)
    ids = [tok.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS + TAG_TOKENS]
    assert len(set(ids)) == len(ids) and max(ids) < len(tok)
    # Each special / tag token is one id and round-trips through decode.
    for token in SPECIAL_TOKENS + TAG_TOKENS:
        assert len(tok.encode(token, add_special_tokens=False)) == 1
    text = "How many circles are there in the image? <think>1 + 2 = 3</think> <answer>3</answer>"
    encoded = tok.encode(text, add_special_tokens=False)
    assert tok.decode(encoded) == text
    assert len(encoded) <= 24  # words are whole tokens, digits one token each
    assert tok.pad_token == "<|endoftext|>"


def test_build_is_deterministic(tmp_path: Path) -> None:
    from safetensors.torch import load_file

    a = build_tiny_model("qwen2", tmp_path / "a", seed=3)
    b = build_tiny_model("qwen2", tmp_path / "b", seed=3)
    c = build_tiny_model("qwen2", tmp_path / "c", seed=4)
    wa, wb, wc = (load_file(p / "model.safetensors") for p in (a, b, c))
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    assert not all(torch.equal(wa[k], wc[k]) for k in wa)
    assert (a / "tokenizer.json").read_text() == (b / "tokenizer.json").read_text()


def test_cli_builds_a_model(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "mmagrae"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "mmagrae"]
    out = tmp_path / "tiny"
    proc = subprocess.run([*cmd, "tiny-model", "--arch", "qwen2_vl", "--out", str(out)], capture_output=True,
                          text=True, timeout=300, cwd=REPO_ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "parameters" in proc.stdout
    info = json.loads((out / "TINY_MODEL.json").read_text())
    assert info["arch"] == "qwen2_vl" and info["random_weights"]
    for name in ("config.json", "model.safetensors", "tokenizer.json", "processor_config.json",
                 "generation_config.json"):
        assert (out / name).exists(), name


def test_unknown_arch_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="qwen2_vl"):
        build_tiny_model("llama", tmp_path)  # type: ignore[arg-type]


@pytest.mark.slow
def test_vllm_loads_tiny_qwen2_vl_and_generates_with_an_image(tiny_vllm_engine, tiny_qwen2_vl: Path) -> None:
    from transformers import AutoProcessor

    from mmagrae.rollout import Prompt, SamplingConfig

    engine = tiny_vllm_engine("qwen2_vl")  # vllm.LLM(tiny_qwen2_vl, dtype="float32", ...)
    processor = AutoProcessor.from_pretrained(tiny_qwen2_vl)
    messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "How many circles?"}]}]
    text = processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    out = engine.llm.generate([{"prompt": text, "multi_modal_data": {"image": _circles_image()}}],
                              use_tqdm=False)
    assert len(out[0].prompt_token_ids) == len(processor(text=[text], images=[_circles_image()])["input_ids"][0])
    assert engine.llm.llm_engine.model_config.dtype == torch.float32
    groups = engine.generate([Prompt(text, [_circles_image()])], 2, SamplingConfig(max_new_tokens=5, seed=0))
    assert len(groups[0]) == 2 and all(c.token_ids for c in groups[0])
