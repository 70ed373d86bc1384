"""transformers rollout engine and the trainer's re-forward helpers, on the tiny models (CPU, fp32)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from PIL import Image, ImageDraw

from mmagrae.models import load_policy, pad_token_id, vision_token_ids
from mmagrae.rollout import Completion, Engine, Prompt, SamplingConfig, build_engine
from mmagrae.rollout.forward import build_policy_batch, compute_token_logprobs, encode_prompts

pytestmark = pytest.mark.usefixtures("single_thread_torch")


def _image(w: int, h: int, n_circles: int = 2) -> Image.Image:
    img = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(img)
    for k in range(n_circles):
        draw.ellipse((5 + 20 * k, 5, 20 + 20 * k, 20), fill="black")
    return img


def make_prompts(processor, vision: bool) -> list[Prompt]:
    """Three prompts: one image, two images, no image (VL); or two text prompts."""
    def chat(n_images: int, question: str) -> str:
        if not vision:
            messages = [{"role": "user", "content": question}]
        else:
            messages = [{"role": "user", "content": [{"type": "image"}] * n_images + [{"type": "text", "text": question}]}]
        return processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    if not vision:
        return [Prompt(chat(0, "What is 2+3?")), Prompt(chat(0, "Find the area of a circle with radius 4."))]
    return [
        Prompt(chat(1, "How many circles are there?"), [_image(100, 80)]),
        Prompt(chat(2, "Which picture has more circles?"), [_image(60, 90, 1), _image(112, 112, 3)]),
        Prompt(chat(0, "What is 7 times 6?"), []),
    ]


ARCHS = ["tiny_qwen2_vl", "tiny_qwen2_5_vl", "tiny_qwen3_vl", "tiny_idefics3", "tiny_qwen2"]


@pytest.fixture(scope="module", params=ARCHS)
def policy(request: pytest.FixtureRequest):
    path: Path = request.getfixturevalue(request.param)
    model, processor = load_policy(str(path), dtype="float32")
    return path, model, processor, request.param != "tiny_qwen2"


def _flat_logprobs(groups: list[list[Completion]], like: torch.Tensor) -> torch.Tensor:
    ref = torch.zeros_like(like)
    for i, c in enumerate(c for g in groups for c in g):
        ref[i, : len(c.logprobs)] = torch.tensor(c.logprobs)
    return ref


def max_logprob_gap(model, processor, prompts, groups: list[list[Completion]]) -> float:
    """Largest |engine log-prob - the trainer's re-forward log-prob| over the response tokens of ``groups``."""
    batch = build_policy_batch(processor, prompts, groups, pad_token_id=pad_token_id(processor))
    with torch.no_grad():
        logp, _ = compute_token_logprobs(model, batch)  # [N, T]
    logp = logp.float()
    return ((logp - _flat_logprobs(groups, logp)).abs() * batch["response_mask"]).max().item()


def test_generate_gives_valid_completions_and_reforward_matches(policy) -> None:
    path, model, processor, vision = policy
    engine = build_engine("hf", path, model=model, processor=processor)
    assert isinstance(engine, Engine)
    prompts = make_prompts(processor, vision)
    groups = engine.generate(prompts, 3, SamplingConfig(max_new_tokens=10, seed=0))
    assert len(groups) == len(prompts) and all(len(g) == 3 for g in groups)
    banned = set(vision_token_ids(processor))
    for c in (c for g in groups for c in g):
        assert 1 <= len(c.token_ids) <= 10
        assert len(c.logprobs) == len(c.token_ids)
        assert all(lp <= 0.0 for lp in c.logprobs)
        assert c.finish_reason in ("stop", "length")
        assert c.finish_reason == "stop" or len(c.token_ids) == 10
        assert not banned & set(c.token_ids)
        assert isinstance(c.text, str)

    batch = build_policy_batch(processor, prompts, groups, pad_token_id=engine.pad_id)
    n_seq = 3 * len(prompts)
    T = max(len(c.token_ids) for g in groups for c in g)
    assert batch["input_ids"].shape == (n_seq, batch["prompt_length"] + T)
    assert batch["response_mask"].shape == (n_seq, T)
    with torch.no_grad():
        logp, entropy = compute_token_logprobs(model, batch, with_entropy=True)  # [N, T]
    mask = batch["response_mask"]
    ref = _flat_logprobs(groups, logp)
    assert ((logp - ref).abs() * mask).max().item() < 1e-5
    assert entropy is not None and (entropy[mask.bool()] > 0).all()


def test_seed_makes_sampling_reproducible_and_greedy_is_deterministic(policy) -> None:
    path, model, processor, vision = policy
    engine = build_engine("hf", path, model=model, processor=processor)
    prompts = make_prompts(processor, vision)[:2]
    a = engine.generate(prompts, 2, SamplingConfig(max_new_tokens=6, seed=123))
    b = engine.generate(prompts, 2, SamplingConfig(max_new_tokens=6, seed=123))
    assert [[c.token_ids for c in g] for g in a] == [[c.token_ids for c in g] for g in b]
    greedy = engine.generate(prompts, 2, SamplingConfig(temperature=0.0, max_new_tokens=6))
    for g in greedy:
        assert g[0].token_ids == g[1].token_ids


def test_vision_tokens_are_suppressed_but_logprobs_stay_raw(tiny_qwen2_vl: Path) -> None:
    model, processor = load_policy(str(tiny_qwen2_vl))
    image_pad = processor.tokenizer.convert_tokens_to_ids("<|image_pad|>")

    def boost(module, inputs, output):  # make <|image_pad|> by far the most likely next token
        output = output.clone()
        output[..., image_pad] += 30.0
        return output

    handle = model.lm_head.register_forward_hook(boost)
    try:
        engine = build_engine("hf", tiny_qwen2_vl, model=model, processor=processor)
        prompts = make_prompts(processor, vision=True)[:1]
        groups = engine.generate(prompts, 4, SamplingConfig(max_new_tokens=5, seed=0))
        tokens = [t for c in groups[0] for t in c.token_ids]
        assert image_pad not in tokens
        # Raw log-probs: the (suppressed) image_pad holds almost all the mass, so sampled tokens score very low.
        assert max(lp for c in groups[0] for lp in c.logprobs) < -20
        batch = build_policy_batch(processor, prompts, groups, pad_token_id=engine.pad_id)
        with torch.no_grad():
            logp, _ = compute_token_logprobs(model, batch)
        ref = _flat_logprobs(groups, logp)
        assert ((logp - ref).abs() * batch["response_mask"]).max().item() < 1e-4
    finally:
        handle.remove()


def test_policy_batch_reuses_images_and_matches_plain_forward(tiny_qwen2_5_vl: Path) -> None:
    model, processor = load_policy(str(tiny_qwen2_5_vl))
    engine = build_engine("hf", tiny_qwen2_5_vl, model=model, processor=processor)
    prompts = make_prompts(processor, vision=True)
    groups = engine.generate(prompts, 2, SamplingConfig(max_new_tokens=6, seed=1))
    batch = build_policy_batch(processor, prompts, groups, pad_token_id=engine.pad_id)
    # Images once per prompt: 3 images for 6 sequences.
    assert batch["image_grid_thw"].shape[0] == 3
    # The plain transformers forward with every sequence's images repeated gives the same log-probs ...
    repeated = encode_prompts(processor, [prompts[int(b)] for b in batch["prompt_index"]])
    with torch.no_grad():
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                       mm_token_type_ids=batch["mm_token_type_ids"], pixel_values=repeated["pixel_values"],
                       image_grid_thw=repeated["image_grid_thw"]).logits  # [N, L, V]
        logp, _ = compute_token_logprobs(model, batch)  # [N, T]
    P, T = batch["prompt_length"], batch["responses"].shape[1]
    plain = torch.log_softmax(logits[:, P - 1: P - 1 + T], -1).gather(-1, batch["responses"][..., None])[..., 0]
    mask = batch["response_mask"]
    assert ((logp - plain).abs() * mask).max().item() < 1e-5
    # ... and our M-RoPE positions are transformers' own.
    positions, _ = model.model.get_rope_index(batch["input_ids"], mm_token_type_ids=batch["mm_token_type_ids"],
                                              image_grid_thw=repeated["image_grid_thw"],
                                              attention_mask=batch["attention_mask"])
    valid = batch["attention_mask"].bool()
    assert torch.equal(positions[:, valid], batch["position_ids"][:, valid])


def test_logprobs_have_gradients_through_the_vision_tower(tiny_qwen2_vl: Path) -> None:
    model, processor = load_policy(str(tiny_qwen2_vl))
    prompts = make_prompts(processor, vision=True)[:1]
    completions = [Completion(token_ids=[5, 6, 7], text="", logprobs=[0.0] * 3, finish_reason="length"),
                   Completion(token_ids=[8], text="", logprobs=[0.0], finish_reason="stop")]
    batch = build_policy_batch(processor, prompts, completions, pad_token_id=0)
    assert batch["response_mask"].tolist() == [[1.0, 1.0, 1.0], [1.0, 0.0, 0.0]]
    logp, _ = compute_token_logprobs(model, batch, temperature=0.7)
    (logp * batch["response_mask"]).sum().backward()
    assert model.model.visual.patch_embed.proj.weight.grad.abs().sum() > 0
    assert model.lm_head.weight.grad.abs().sum() > 0


class _ForwardingWrapper(torch.nn.Module):
    """Like DeepSpeedEngine: holds ``module`` and forwards unknown attributes (``lm_head``, ``config``) to it."""

    def __init__(self, module: torch.nn.Module) -> None:
        super().__init__()
        self.module = module

    def __getattr__(self, name: str):
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self.module, name)


def test_wrapped_model_gives_the_same_logprobs_and_vision_gradients(tiny_qwen2_vl: Path) -> None:
    model, processor = load_policy(str(tiny_qwen2_vl))
    prompts = make_prompts(processor, vision=True)[:1]
    completions = [Completion(token_ids=[5, 6, 7], text="", logprobs=[0.0] * 3, finish_reason="length")]
    batch = build_policy_batch(processor, prompts, completions, pad_token_id=0)
    plain, _ = compute_token_logprobs(model, batch)
    wrapped, _ = compute_token_logprobs(_ForwardingWrapper(model), batch)
    assert torch.allclose(plain, wrapped)
    wrapped.sum().backward()
    assert model.model.visual.patch_embed.proj.weight.grad.abs().sum() > 0


def test_stop_strings_cut_the_text(tiny_qwen2: Path) -> None:
    model, processor = load_policy(str(tiny_qwen2))
    engine = build_engine("hf", tiny_qwen2, model=model, processor=processor)
    prompts = make_prompts(processor, vision=False)
    free = engine.generate(prompts, 1, SamplingConfig(max_new_tokens=8, seed=5))
    text = free[0][0].text
    assert len(text) >= 3, "seed 5 samples 8 tokens of text; pick another seed if the tokenizer changes"
    stop = text[1:3]
    cut = engine.generate(prompts, 1, SamplingConfig(max_new_tokens=8, seed=5, stop=[stop]))
    assert cut[0][0].finish_reason == "stop"
    assert stop not in cut[0][0].text and text.startswith(cut[0][0].text)
    assert len(cut[0][0].logprobs) == len(cut[0][0].token_ids)


def test_unknown_backend_is_an_error(tiny_qwen2: Path) -> None:
    with pytest.raises(ValueError, match="hf, vllm"):
        build_engine("sglang", tiny_qwen2)  # type: ignore[arg-type]


def test_build_engine_takes_either_backends_options_and_rejects_unknown(tiny_qwen2: Path) -> None:
    model, tokenizer = load_policy(str(tiny_qwen2))
    # a trainer passes one set of options for both backends; vLLM-only ones are ignored by hf
    engine = build_engine("hf", tiny_qwen2, model=model, processor=tokenizer, gpu_memory_utilization=0.5,
                          max_model_len=512, batch_size=1, seed=0)
    assert engine.max_batch_size == 1
    groups = engine.generate(make_prompts(tokenizer, vision=False), 2, SamplingConfig(max_new_tokens=3, seed=0))
    assert [len(g) for g in groups] == [2, 2]
    with pytest.raises(TypeError, match="max_batch_sise"):
        build_engine("hf", tiny_qwen2, model=model, processor=tokenizer, max_batch_sise=2)
