"""One row schema and one prompt builder for training and ``eval run``: the schema is defined once
(``mmagrae.data.schema``) and the prompt eval sends to the engine is the one training builds for the same row
(same token ids, same image tensors), on tiny random Qwen2-VL (28-pixel resize factor) and Qwen3-VL (32)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from PIL import Image

import data_recipes.schema as recipe_schema
import eval.loaders as eval_loaders
import mmagrae.data as data
from mmagrae.data import schema
from mmagrae.data.prompts import encode_prompts


def test_the_row_schema_is_defined_once() -> None:
    from mmagrae.data import prompts
    from mmagrae.data.loading import load_rows
    from mmagrae.verifiers import normalize_answer_type

    assert recipe_schema.COLUMNS is schema.STORED_COLUMNS and data.ROW_COLUMNS is schema.ROW_COLUMNS
    assert schema.STORED_COLUMNS == tuple(c for c in schema.ROW_COLUMNS if c != "videos")
    for name in ("ANSWER_TYPES", "CHOICE_LETTERS", "IMAGE_MARKER", "VIDEO_MARKER", "features"):
        assert getattr(recipe_schema, name) is getattr(schema, name), name
    assert prompts.IMAGE_MARKER is schema.IMAGE_MARKER and prompts.VIDEO_MARKER is schema.VIDEO_MARKER
    assert eval_loaders.IMAGE_MARKER is schema.IMAGE_MARKER
    assert list(schema.features()) == list(schema.STORED_COLUMNS)
    assert list(schema.features(with_videos=True)) == [*schema.STORED_COLUMNS, "videos"]
    for answer_type in schema.ANSWER_TYPES:  # every schema type is one the verifier knows
        normalize_answer_type(answer_type)
    rows, _ = load_rows([{"problem": "1+1?", "answer": "2"}])
    assert set(rows[0]) == set(schema.ROW_COLUMNS)
    assert recipe_schema.choices_text(["25", "30"]) == "Choices: (A) 25 (B) 30"
    assert prompts.render_user_text({"problem": "p", "choices": ["25", "30"]},
                                    template="{{ choices_text }}") == "(A) 25 (B) 30"


class _Capture:
    """A rollout engine that records the prompts it is given and answers "0"."""

    def __init__(self):
        self.prompts = []

    def generate(self, prompts, n, sampling):
        from types import SimpleNamespace

        self.prompts += prompts
        return [[SimpleNamespace(text="0")] * n for _ in prompts]


def _geometry_rows(tmp_path: Path) -> Path:
    """A JSONL of schema rows: a 200×150 image with a question, and a question after its image marker."""
    Image.new("RGB", (200, 150), (200, 40, 10)).save(tmp_path / "a.png")
    Image.new("RGB", (90, 300), (10, 40, 200)).save(tmp_path / "b.png")
    rows = [{"id": "g1", "problem": "<image>Find x.", "images": ["a.png"], "answer": "3", "choices": None,
             "answer_type": "integer", "precision": None, "unit": None, "task": "geometry"},
            {"id": "g2", "problem": "Find the area of the triangle.", "images": ["b.png"], "answer": "12",
             "choices": None, "answer_type": "integer", "precision": None, "unit": "cm^2", "task": "geometry"}]
    (tmp_path / "test.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return tmp_path / "test.jsonl"


@pytest.mark.parametrize(("model", "system_prompt"), [("tiny_qwen2_vl", None), ("tiny_qwen3_vl", "Be brief.")])
def test_eval_builds_the_prompt_training_builds(model: str, system_prompt: str | None, tmp_path: Path,
                                                request: pytest.FixtureRequest) -> None:
    from transformers import AutoProcessor

    from eval.runner import RunConfig, chat_formatter, generate
    from mmagrae.config import load_config
    from mmagrae.data.loading import load_rows
    from mmagrae.trainer.builders import load_prompts

    path = request.getfixturevalue(model)
    source = _geometry_rows(tmp_path)
    overrides = ["data.min_pixels=784", "data.max_pixels=12544", "data.prompt_template='{{ problem }}'"]
    if system_prompt:
        overrides.append(f"data.system_prompt={system_prompt}")
    cfg = load_config(None, overrides)
    processor = AutoProcessor.from_pretrained(path)  # what load_policy gives the trainer for a VL model
    trained = load_prompts(cfg, processor, str(source), "test", tmp_path / "cache", limit=None, log=lambda s: None)

    rows, _ = load_rows(str(source), split="test")  # the same rows, scored as geometry3k (question text as is)
    engine = _Capture()
    run_cfg = RunConfig(benchmark="geometry3k", model=str(path), out=str(tmp_path / "ev"), n=1, batch_size=2,
                        min_pixels=784, max_pixels=12544, system_prompt=system_prompt)
    generate(run_cfg, rows, engine, chat_formatter(str(path), system_prompt), tmp_path / "responses.jsonl",
             log=lambda s: None)
    evaluated = engine.prompts
    assert [p.row["id"] for p in evaluated] == [p.row["id"] for p in trained] == ["g1", "g2"]
    for ours, theirs in zip(evaluated, trained, strict=True):
        assert ours.text == theirs.text
        assert [im.size for im in ours.images] == [im.size for im in theirs.images]
        a, b = encode_prompts(processor, [ours]), encode_prompts(processor, [theirs])
        assert set(a) == set(b)
        for key in a:
            assert torch.equal(a[key], b[key]), key  # token ids, attention mask, pixel values, image grid
    if system_prompt:
        assert system_prompt in evaluated[0].text
    patch = 2 * int(processor.image_processor.patch_size)  # 28 (Qwen2-VL) or 32 (Qwen3-VL)
    assert all(w % patch == 0 and h % patch == 0 and w * h <= 12544 for p in evaluated for w, h in
               (im.size for im in p.images))


def test_eval_counts_rows_the_prompt_builder_drops(tiny_qwen2_vl: Path, tmp_path: Path) -> None:
    """A row whose video cannot be read is left out and named in the one warning; the others are generated."""
    from eval.runner import RunConfig, chat_formatter, generate

    Image.new("RGB", (40, 40)).save(tmp_path / "a.png")
    (tmp_path / "broken.mp4").write_bytes(b"junk")
    rows = [{"id": "ok", "problem": "Find x.", "images": [str(tmp_path / "a.png")], "answer": "1"},
            {"id": "bad", "problem": "How many?", "images": [], "videos": [str(tmp_path / "broken.mp4")],
             "answer": "1"}]
    engine, logs = _Capture(), []
    cfg = RunConfig(benchmark="geometry3k", model=str(tiny_qwen2_vl), out=str(tmp_path / "ev"), n=1,
                    max_pixels=12544)
    out = generate(cfg, rows, engine, chat_formatter(str(tiny_qwen2_vl)), tmp_path / "responses.jsonl",
                   log=logs.append)
    assert list(out) == ["ok"] and [p.row for p in engine.prompts] == [rows[0]]  # the benchmark row, untouched
    warning = [line for line in logs if "warning" in line]
    assert len(warning) == 1 and "skipped 1 of 2 rows" in warning[0] and "unreadable video: 1 (e.g. bad)" in warning[0]
