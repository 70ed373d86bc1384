"""Data pipeline: load_rows from every source form, bad rows skipped and counted, prompts built and filtered."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
from PIL import Image

from mmagrae.data import SkipReport, build_prompts, load_rows, render_user_text

pytestmark = pytest.mark.usefixtures("single_thread_torch")


def _png(w: int = 60, h: int = 40, color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (w, h), color).save(buffer, format="PNG")
    return buffer.getvalue()


def _rows(tmp_path: Path) -> list[dict]:
    """Rows with every image form, plus four bad ones."""
    (tmp_path / "imgs").mkdir(exist_ok=True)
    Image.new("RGB", (50, 50), "blue").save(tmp_path / "imgs" / "a.png")
    (tmp_path / "imgs" / "broken.png").write_bytes(b"not an image")
    return [
        {"id": "pil", "problem": "<image>How many circles?", "images": [Image.new("RGB", (30, 30))], "answer": "2"},
        {"id": "bytes", "problem": "How many squares?", "images": [_png()], "answer": 3},
        {"id": "dict", "problem": "<image> and <image>: which is larger?",
         "images": [{"bytes": _png(), "path": None}, {"bytes": None, "path": "imgs/a.png"}], "answer": "B",
         "choices": ["first", "second"], "answer_type": "multiple_choice"},
        {"id": "path", "problem": "Find x.", "images": "imgs/a.png", "answer": "30", "unit": "degrees"},
        {"id": "text", "problem": "What is 6 times 7?", "answer": "42", "answer_type": "integer"},
        {"id": "missing", "problem": "<image>?", "images": ["imgs/nope.png"], "answer": "1"},
        {"id": "broken", "problem": "<image>?", "images": ["imgs/broken.png"], "answer": "1"},
        {"id": "noanswer", "problem": "What?", "answer": "  "},
        {"id": "markers", "problem": "<image><image>Two?", "images": [_png()], "answer": "1"},
    ]


def test_load_rows_normalises_every_image_form_and_counts_bad_rows(tmp_path: Path, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="mmagrae.data"):
        rows, report = load_rows(_rows(tmp_path), image_dir=tmp_path)
    assert [r["id"] for r in rows] == ["pil", "bytes", "dict", "path", "text"]
    assert report.kept == 5 and report.skipped == 4
    assert dict(report.reasons) == {"missing image": 1, "unreadable image": 1, "empty answer": 1,
                                    "image marker mismatch": 1}
    assert "skipped 4" in caplog.text and "missing" in caplog.text
    by_id = {r["id"]: r for r in rows}
    assert by_id["bytes"]["problem"] == "<image>How many squares?"  # marker prepended
    assert by_id["bytes"]["answer"] == "3"
    assert [im.size for im in by_id["dict"]["images"]] == [(60, 40), (50, 50)]
    assert all(im.mode == "RGB" for r in rows for im in r["images"])
    assert by_id["text"]["images"] == []
    assert by_id["path"]["unit"] == "degrees" and by_id["dict"]["choices"] == ["first", "second"]
    assert set(rows[0]) == {"problem", "images", "videos", "answer", "choices", "answer_type", "precision", "unit",
                            "task", "id"}


def test_jsonl_json_and_column_map(tmp_path: Path) -> None:
    Image.new("RGB", (40, 40)).save(tmp_path / "q.png")
    records = [{"question": "<image>Count?", "label": 4, "image": "q.png", "pid": "7"},
               {"question": "Sum 1+1?", "label": 2}]
    (tmp_path / "d.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    rows, report = load_rows(tmp_path / "d.jsonl", column_map={"question": "problem", "label": "answer"})
    assert report.kept == 2 and rows[0]["id"] == "7" and rows[0]["answer"] == "4" and len(rows[0]["images"]) == 1
    # MathVista-style {pid: item} JSON, aliases without a column map, limit
    (tmp_path / "mv.json").write_text(json.dumps({"1": {"query": "A?", "answer": "x"}, "2": {"query": "B?",
                                                                                             "answer": "y"}}))
    rows, _ = load_rows(tmp_path / "mv.json", limit=1)
    assert rows == [{"problem": "A?", "images": [], "videos": [], "answer": "x", "choices": None,
                     "answer_type": None, "precision": None, "unit": None, "task": None, "id": "1"}]


def test_parquet_folder_with_splits_and_save_to_disk(tmp_path: Path) -> None:
    import datasets

    features = datasets.Features({"problem": datasets.Value("string"), "images": datasets.List(datasets.Image()),
                                  "answer": datasets.Value("string"), "id": datasets.Value("string")})
    train = datasets.Dataset.from_dict({"problem": ["<image>How many?", "<image>Bad image"],
                                        "images": [[{"bytes": _png(), "path": None}],
                                                   [{"bytes": b"garbage", "path": None}]],
                                        "answer": ["1", "2"], "id": ["a", "b"]}, features=features)
    test = datasets.Dataset.from_dict({"problem": ["Text only"], "images": [[]], "answer": ["5"], "id": ["c"]},
                                      features=features)
    folder = tmp_path / "pq"
    folder.mkdir()
    train.to_parquet(str(folder / "train-00000-of-00001.parquet"))
    test.to_parquet(str(folder / "test-00000-of-00001.parquet"))
    rows, report = load_rows(folder, split="train")
    assert [r["id"] for r in rows] == ["a"] and report.reasons == {"unreadable image": 1}
    assert isinstance(rows[0]["images"][0], Image.Image)
    rows, _ = load_rows(folder, split="test")
    assert [r["id"] for r in rows] == ["c"]
    with pytest.raises(FileNotFoundError, match="validation"):
        load_rows(folder, split="validation")
    # a save_to_disk DatasetDict, and an in-memory dataset
    datasets.DatasetDict({"train": train, "test": test}).save_to_disk(str(tmp_path / "disk"))
    rows, _ = load_rows(tmp_path / "disk", split="test")
    assert [r["id"] for r in rows] == ["c"]
    rows, report = load_rows(train)
    assert report.kept == 1


def test_reads_what_data_recipes_writes(tmp_path: Path) -> None:
    import data_recipes.synthetic as recipes
    from data_recipes.io import save_dataset

    out = save_dataset({"train": recipes.make_dataset("counting", 6, seed=0),
                        "test": recipes.make_dataset("counting", 2, seed=1)}, tmp_path / "counting")
    rows, report = load_rows(out, split="train")
    assert report.kept == 6 and report.skipped == 0
    assert rows[0]["problem"].count("<image>") == len(rows[0]["images"]) >= 1
    assert rows[0]["task"] == "counting" and rows[0]["answer"].isdigit()
    rows, _ = load_rows(out, split="test")
    assert len(rows) == 2


def test_build_prompts_vl_interleaves_resizes_and_filters(tiny_qwen2_vl: Path, tmp_path: Path) -> None:
    from transformers import AutoProcessor

    processor = AutoProcessor.from_pretrained(tiny_qwen2_vl)
    rows, _ = load_rows(_rows(tmp_path), image_dir=tmp_path)
    prompts, report = build_prompts(rows, processor, answer_format="think_answer", max_prompt_length=4096,
                                    min_pixels=28 * 28, max_pixels=112 * 112)
    assert report.kept == 5 and report.skipped == 0
    two = next(p for p in prompts if p.row["id"] == "dict")
    assert "<|vision_start|><|image_pad|><|vision_end|> and <|vision_start|><|image_pad|><|vision_end|>: which" in two.text
    assert "<think>" in two.text and two.text.endswith("<|im_start|>assistant\n")
    assert all(im.width % 28 == 0 and im.height % 28 == 0 for p in prompts for im in p.images)
    text_prompt = next(p for p in prompts if p.row["id"] == "text")
    assert text_prompt.images == [] and "<|vision_start|>" not in text_prompt.text
    # num_tokens is the processor's own count after image-token expansion
    for p in prompts:
        enc = processor(text=[p.text], images=p.images or None, return_tensors="pt")
        assert p.num_tokens == enc["input_ids"].shape[1], p.row["id"]
    # the length filter counts image tokens
    limit = two.num_tokens - 1
    kept, report = build_prompts(rows, processor, max_prompt_length=limit, answer_format="think_answer",
                                 min_pixels=28 * 28, max_pixels=112 * 112)
    assert report.reasons["prompt too long"] >= 1 and all(p.num_tokens <= limit for p in kept)
    assert "dict" not in {p.row["id"] for p in kept}


def test_prompt_template_is_sandboxed_and_system_prompt_used(tiny_qwen2: Path) -> None:
    from jinja2.exceptions import SecurityError
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_qwen2)
    rows = [{"problem": "2+2?", "images": [], "answer": "4", "choices": ["3", "4"], "answer_type": None,
             "precision": None, "unit": None, "task": "math", "id": "t"},
            {"problem": "<image>Count", "images": [Image.new("RGB", (28, 28))], "answer": "1", "choices": None,
             "answer_type": None, "precision": None, "unit": None, "task": None, "id": "img"}]
    template = "Task {{ task }}: {{ problem }} {{ choices_text }}\n{{ format_instruction }}"
    prompts, report = build_prompts(rows, tokenizer, template=template, system_prompt="Be brief.",
                                    answer_format="boxed")
    assert report.reasons == {"images on a text-only model": 1}
    assert "<|im_start|>system\nBe brief.<|im_end|>" in prompts[0].text
    assert "Task math: 2+2? (A) 3 (B) 4\nPut the final answer in \\boxed{}." in prompts[0].text
    with pytest.raises(SecurityError):
        render_user_text(rows[0], template="{{ problem.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(ValueError, match="think_answer"):
        render_user_text(rows[0], answer_format="xml")


def test_skip_report_summary() -> None:
    report = SkipReport("rows")
    assert report.summary() == "rows: kept 0 of 0"
    report.skip("empty answer", 1)
    assert report.as_dict()["examples"] == {"empty answer": ["1"]}
