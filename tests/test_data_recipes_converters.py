"""data_recipes.converters: each source on a small fixture in its real layout, built here; bad rows counted."""

from __future__ import annotations

import io
import json

import pytest

from data_recipes.converters import convert
from data_recipes.schema import validate_row


def _png(colour="white", size=(32, 24)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _hub_parquet(path, columns: dict, features: dict):
    """Write rows as the Hub stores them: Parquet with datasets' features (images as {bytes, path} structs)."""
    import datasets

    path.parent.mkdir(parents=True, exist_ok=True)
    datasets.Dataset.from_dict(columns, features=datasets.Features(features)).to_parquet(str(path))


def _image_struct(data: bytes) -> dict:
    return {"bytes": data, "path": None}


def _check_rows(ds):
    rows = list(ds.cast_column("images", __import__("datasets").List(__import__("datasets").Image(decode=False))))
    for row in rows:
        assert validate_row(row) is None, row
    return rows


def _verify_self(rows):
    import mmagrae.verifiers as verifiers
    for row in rows:
        verdict = verifiers.verify(f"<answer>{row['answer']}</answer>", row["answer"], choices=row["choices"],
                                   answer_type=row["answer_type"], precision=row["precision"], task=row["task"])
        assert verdict.correct, (row["id"], row["answer"], verdict)


# ---------------------------------------------------------------- Geometry3K


def _geometry3k_hub(folder):
    import datasets

    _hub_parquet(
        folder / "data" / "train-00000-of-00001.parquet",
        {
            "images": [[_image_struct(_png())], [_image_struct(_png("gray"))], [_image_struct(_png())],
                       [_image_struct(_png())]],
            "problem": ["<image>Find x.", "<image>Find the area of the circle.", "<image>Find y.", "<image>Find z."],
            "answer": ["3", "2\\sqrt{3}", "7.5", "9"],
            "id": [0, 1, 2, 3],
            "choices": [["1", "3", "5", "7"], ["2\\sqrt{3}", "3", "4", "6"], ["7.5", "8", "9", "10"],
                        ["1", "2", "3", "4"]],
            "ground_truth": ["B", "A", "A", "C"],  # row 3: answer 9 disagrees with C = "3"
        },
        {"images": datasets.List(datasets.Image()), "problem": datasets.Value("string"),
         "answer": datasets.Value("string"), "id": datasets.Value("int64"),
         "choices": datasets.List(datasets.Value("string")), "ground_truth": datasets.Value("string")},
    )


def test_geometry3k_hub_layout_free_form_and_multiple_choice(tmp_path):
    _geometry3k_hub(tmp_path / "geo3k")
    ds, report = convert("geometry3k", tmp_path / "geo3k", split="train")
    assert (report.rows_in, report.converted) == (4, 3)
    assert dict(report.skipped) == {"answer disagrees with the ground_truth letter": 1}
    assert report.examples[0]["id"] == "3"
    rows = _check_rows(ds)
    assert [(r["answer"], r["answer_type"], r["precision"]) for r in rows] == [
        ("3", "integer", None), ("2\\sqrt{3}", "expression", None), ("7.5", "float", 1)]
    assert [r["id"] for r in rows] == ["geometry3k-train-0", "geometry3k-train-1", "geometry3k-train-2"]
    assert all(r["task"] == "geometry" and r["choices"] is None for r in rows)
    _verify_self(rows)

    mc, _ = convert("geometry3k", tmp_path / "geo3k", split="train", multiple_choice=True)
    first = _check_rows(mc)[0]
    assert first["answer_type"] == "multiple_choice" and first["answer"] == "3"
    assert first["choices"] == ["1", "3", "5", "7"]
    assert first["problem"] == "<image>Find x. Choices: (A) 1 (B) 3 (C) 5 (D) 7"
    _verify_self([first])


def test_geometry3k_intergps_layout(tmp_path):
    root = tmp_path / "InterGPS" / "test"
    for name, answer, with_image in (("2401", "C", True), ("2402", "A", False), ("2403", "E", True)):
        (root / name).mkdir(parents=True)
        (root / name / "data.json").write_text(json.dumps({
            "id": int(name), "problem_text": "Find m \\angle 2.", "choices": ["30", "45", "60", "90"],
            "answer": answer, "problem_type_goal": ["Angle"]}))
        if with_image:
            (root / name / "img_diagram.png").write_bytes(_png())
    ds, report = convert("geometry3k", tmp_path / "InterGPS", split="test")
    assert (report.rows_in, report.converted) == (3, 1)
    assert dict(report.skipped) == {"missing image file": 1, "ground_truth letter not among the choices": 1}
    row = _check_rows(ds)[0]
    assert (row["problem"], row["answer"], row["answer_type"]) == ("<image>Find m \\angle 2.", "60", "integer")
    assert row["id"] == "geometry3k-test-2401"


def test_geometry3k_by_hub_id_uses_datasets_and_keeps_image_bytes(tmp_path, monkeypatch):
    """Loading by Hub id goes through datasets.load_dataset; images come back undecoded (bytes kept)."""
    import datasets

    _geometry3k_hub(tmp_path / "geo3k")
    local = datasets.load_dataset("parquet", data_dir=str(tmp_path / "geo3k" / "data"), split="train",
                                  cache_dir=str(tmp_path / "cache"))
    calls = []

    def fake_load_dataset(path, name=None, split=None, **kwargs):
        calls.append((path, name, split))
        return local

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    ds, report = convert("geometry3k", split="train", limit=2)
    assert calls == [("hiyouga/geometry3k", None, "train")]
    assert report.converted == 2 and report.src == "hiyouga/geometry3k"
    assert _check_rows(ds)[1]["images"][0]["bytes"] == _png("gray")


# ---------------------------------------------------------------- GeoQA (R1-V)


def test_geoqa_r1v_layout(tmp_path):
    import datasets

    _hub_parquet(
        tmp_path / "geoqa" / "data" / "train-00000-of-00001.parquet",
        {
            "image": [_image_struct(_png()), _image_struct(_png()), _image_struct(_png()), _image_struct(b"junk")],
            "problem": ["As shown in the figure, AB ∥ CD, ∠1 = 50°, then ∠2 is ()",
                        "As shown in the figure, the radius of ⊙O is 5, then AB is ()",
                        "Find the length.", "Find the angle."],
            "solution": ["<answer>130°</answer>", "<answer>5√{3}</answer>", "the answer is 4",
                         "<answer>40</answer>"],
        },
        {"image": datasets.Image(), "problem": datasets.Value("string"), "solution": datasets.Value("string")},
    )
    ds, report = convert("geoqa", tmp_path / "geoqa")
    assert (report.rows_in, report.converted) == (4, 2)
    assert dict(report.skipped) == {"no <answer> tag in solution": 1, "unreadable image": 1}
    rows = _check_rows(ds)
    assert rows[0]["problem"].startswith("<image>As shown") and rows[0]["task"] == "geometry"
    assert (rows[0]["answer"], rows[0]["answer_type"], rows[0]["unit"]) == ("130", "integer", "degrees")
    assert (rows[1]["answer"], rows[1]["answer_type"]) == ("5√{3}", "expression")
    _verify_self(rows[:1])


# ---------------------------------------------------------------- ChartQA


def test_chartqa_original_repository_layout(tmp_path):
    folder = tmp_path / "ChartQA Dataset" / "val"
    (folder / "png").mkdir(parents=True)
    (folder / "png" / "41699051005347.png").write_bytes(_png("white", (80, 60)))
    (folder / "png" / "multi_col_1.png").write_bytes(_png("white", (80, 60)))
    (folder / "val_human.json").write_text(json.dumps([
        {"imgname": "41699051005347.png", "query": "How many food item is shown in the bar graph?", "label": "14"},
        {"imgname": "missing.png", "query": "What is the value of Japan?", "label": "3.5"},
    ]))
    (folder / "val_augmented.json").write_text(json.dumps([
        {"imgname": "multi_col_1.png", "query": "Which country has the highest share?", "label": "Yes"},
        {"imgname": "multi_col_1.png", "query": "What is the share of Italy?", "label": "27.5"},
        {"imgname": "multi_col_1.png", "query": "What is the total?", "label": ""},
    ]))
    ds, report = convert("chartqa", tmp_path / "ChartQA Dataset", split="val")
    assert (report.rows_in, report.converted) == (5, 3)
    assert dict(report.skipped) == {"missing image file": 1, "no label": 1}
    rows = _check_rows(ds)
    assert [(r["answer"], r["answer_type"], r["precision"]) for r in rows] == [
        ("14", "integer", None), ("Yes", "text", None), ("27.5", "float", 1)]
    assert [r["id"] for r in rows] == ["chartqa-val-human-0", "chartqa-val-augmented-0", "chartqa-val-augmented-1"]
    assert all(r["task"] == "chart" and r["problem"].startswith("<image>") for r in rows)
    _verify_self(rows)


def test_chartqa_hub_layout(tmp_path):
    import datasets

    _hub_parquet(
        tmp_path / "chartqa" / "data" / "test-00000-of-00001.parquet",
        {"image": [_image_struct(_png())] * 2, "query": ["Is the value of Egypt 51?", "What is the peak value?"],
         "label": [["Yes"], ["5%"]], "human_or_machine": [0, 1]},
        {"image": datasets.Image(), "query": datasets.Value("string"),
         "label": datasets.List(datasets.Value("string")), "human_or_machine": datasets.Value("int64")},
    )
    _hub_parquet(  # another split in the same folder must not be read
        tmp_path / "chartqa" / "data" / "train-00000-of-00001.parquet",
        {"image": [_image_struct(_png())], "query": ["q"], "label": [["1"]], "human_or_machine": [0]},
        {"image": datasets.Image(), "query": datasets.Value("string"),
         "label": datasets.List(datasets.Value("string")), "human_or_machine": datasets.Value("int64")},
    )
    ds, report = convert("chartqa", tmp_path / "chartqa", split="test")
    rows = _check_rows(ds)
    assert report.converted == 2 and [r["answer"] for r in rows] == ["Yes", "5%"]
    assert rows[1]["answer_type"] == "text"  # kept as written for relaxed accuracy


# ---------------------------------------------------------------- MMK12, ThinkLite


def test_mmk12_layout_letter_answers_become_multiple_choice(tmp_path):
    import datasets

    _hub_parquet(
        tmp_path / "mmk12" / "data" / "train-00000-of-00001.parquet",
        {
            "id": ["m1", "m2", "m3", "m4"],
            "subject": ["Math", "Physics", "Chemistry", "Math"],
            "image": [_image_struct(_png())] * 4,
            "question": ["<image>What is x?\nA. 3\nB. 4\nC. 5\nD. 6", "What is the speed, in m/s?",
                         "<image>Which is the product?", "Compute the ratio."],
            "answer": ["B", "\\frac{1}{2}", "D", ""],
        },
        {"id": datasets.Value("string"), "subject": datasets.Value("string"), "image": datasets.Image(),
         "question": datasets.Value("string"), "answer": datasets.Value("string")},
    )
    ds, report = convert("mmk12", tmp_path / "mmk12")
    rows = _check_rows(ds)
    assert (report.rows_in, report.converted) == (4, 3) and dict(report.skipped) == {"no answer": 1}
    assert (rows[0]["answer"], rows[0]["answer_type"], rows[0]["choices"]) == ("4", "multiple_choice",
                                                                                 ["3", "4", "5", "6"])
    assert (rows[1]["answer"], rows[1]["answer_type"], rows[1]["task"]) == ("\\frac{1}{2}", "expression", "physics")
    assert rows[1]["problem"].startswith("<image>What is the speed")
    # a letter with no options in the text stays a text answer (checked by string equality)
    assert (rows[2]["answer"], rows[2]["answer_type"]) == ("D", "text")
    _verify_self(rows[:2])


def test_thinklite_style_mix(tmp_path):
    import datasets

    _hub_parquet(
        tmp_path / "thinklite" / "train-00000-of-00001.parquet",
        {
            "image": [_image_struct(_png())] * 3,
            "problem": ["<image>How many objects are left? Choices: (A) 2 (B) 3 (C) 4", "<image>Find x.",
                        "<image><image>Compare the two images."],
            "answer": ["C", "<answer>12.50</answer>", "A"],
        },
        {"image": datasets.Image(), "problem": datasets.Value("string"), "answer": datasets.Value("string")},
    )
    ds, report = convert("thinklite", tmp_path / "thinklite")
    rows = _check_rows(ds)
    assert report.converted == 2 and dict(report.skipped) == {"malformed row": 1}
    assert "2 <image> markers for 1 images" in report.examples[0]["detail"]
    assert (rows[0]["answer"], rows[0]["choices"]) == ("4", ["2", "3", "4"])
    assert (rows[1]["answer"], rows[1]["answer_type"], rows[1]["precision"]) == ("12.50", "float", 2)
    _verify_self(rows)


# ---------------------------------------------------------------- any local JSONL + image folder


def test_local_jsonl_with_column_mapping_and_image_folder(tmp_path):
    images = tmp_path / "imgs"
    images.mkdir()
    (images / "a.png").write_bytes(_png())
    (images / "bad.png").write_bytes(b"not a png")
    records = [
        {"qid": "q1", "question": "How many apples?", "gt": "7", "img": "a.png"},
        {"qid": "q2", "question": "Which colour?", "gt": "B", "img": "a.png", "opts": ["red", "blue"]},
        {"qid": "q3", "question": "Area?", "gt": "4", "img": "bad.png"},
        {"qid": "q4", "question": "Length?", "gt": "2", "img": "nowhere.png"},
        {"qid": "q5", "question": "", "gt": "2", "img": "a.png"},
        {"qid": "q1", "question": "How many pears?", "gt": "2", "img": "a.png"},  # a repeated source id
    ]
    src = tmp_path / "mine.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    mapping = {"problem": "question", "answer": "gt", "images": "img", "choices": "opts", "id": "qid"}
    ds, report = convert("local", src, image_root=images, mapping=mapping, task="counting")
    rows = _check_rows(ds)
    assert (report.rows_in, report.converted) == (6, 3)
    assert dict(report.skipped) == {"unreadable image": 1, "missing image file": 1, "no problem text": 1}
    assert [r["id"] for r in rows] == ["local-train-q1", "local-train-q2", "local-train-q1-5"]
    assert (rows[1]["answer"], rows[1]["answer_type"]) == ("blue", "multiple_choice")
    assert all(r["task"] == "counting" for r in rows)
    with pytest.raises(ValueError, match="unknown schema fields"):
        convert("local", src, mapping={"questoin": "question"})


def test_cli_convert_writes_folder_with_report(tmp_path, capsys):
    from mmagrae.cli import main

    _geometry3k_hub(tmp_path / "geo3k")
    out = tmp_path / "out"
    assert main(["data", "convert", "geometry3k", "--src", str(tmp_path / "geo3k"), "--out", str(out)]) == 0
    assert "4 rows in, 3 converted, 1 skipped" in capsys.readouterr().out
    manifest = json.loads((out / "mmagrae_data.json").read_text())
    assert manifest["rows"] == {"train": 3}
    assert manifest["conversion"][0]["skipped"] == {"answer disagrees with the ground_truth letter": 1}
