"""Every non-MathVista benchmark on a small fixture in its real layout (built here, with images), plus the
edge cases of each metric, pass@k and the reports."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from eval import chartqa, geometry3k, mathverse, mathvision, registry, scoring, wemath


def _png(path, color="white"):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (16, 16), color).save(path)
    return path


def _score(bench, rows, responses, mode="rules"):
    correct = [[bench.judge(row, r, mode).correct for r in responses[row["id"]]] for row in rows]
    return correct, scoring.summarize(rows, correct, bench.categories)


# ------------------------------------------------------------------------------------------------ registry
def test_registry_names_and_errors():
    assert set(registry.names()) == {"mathvista", "mathverse", "mathvision", "wemath", "geometry3k", "chartqa"}
    assert registry.get("MathVista").name == "mathvista"
    with pytest.raises(ValueError, match="unknown benchmark"):
        registry.get("mathvistaa")
    with pytest.raises(ValueError, match="unknown split"):
        registry.check_split(registry.get("chartqa"), "testmini")


# ------------------------------------------------------------------------------------------------- ChartQA
@pytest.mark.parametrize(
    ("pred", "gold", "ok"),
    [
        ("10.5", "10", True), ("10.51", "10", False), ("9.5", "10", True),  # 5% is inclusive
        ("-10.4", "-10", True), ("50%", "0.5", True), ("0.5", "50%", True),
        ("0", "0", True), ("0.0", "0", False), ("0.001", "0", False),  # gold 0: exact string match only
        ("Yes", "yes", True), (" Blue ", "blue", True), ("blue", "Blue line", False), (None, "1", False),
    ],
)
def test_chartqa_relaxed_accuracy_edges(pred, gold, ok):
    assert chartqa.relaxed_correct(pred, gold) is ok


def test_chartqa_original_layout_and_parquet(tmp_path):
    folder = tmp_path / "test"
    _png(folder / "png" / "a.png")
    _png(folder / "png" / "b.png", "black")
    (folder / "test_human.json").write_text(json.dumps([{"imgname": "a.png", "query": "Max value?", "label": "42"}]))
    (folder / "test_augmented.json").write_text(json.dumps([{"imgname": "b.png", "query": "Color?", "label": "Red"}]))
    rows = chartqa.load("test", source=tmp_path)
    assert [r["id"] for r in rows] == ["human_0", "augmented_0"] and all(len(r["images"]) == 1 for r in rows)
    assert chartqa.prompt(rows[0]).endswith("Answer the question using a single word or phrase.")
    responses = {"human_0": ["The answer is 43"], "augmented_0": ["The answer is red"]}
    _, summary = _score(chartqa.BENCHMARK, rows, responses)
    assert summary["accuracy"] == 100.0 and set(summary["categories"]["subset"]) == {"human", "augmented"}

    # the Hub layout as Parquet (image struct with bytes)
    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, format="PNG")
    table = pa.table({"image": [{"bytes": buf.getvalue(), "path": "x.png"}], "query": ["How many?"],
                      "label": [["7"]], "human_or_machine": [0]})
    pq.write_table(table, tmp_path / "test-00000.parquet")
    hub_rows = chartqa.load("test", source=tmp_path / "test-00000.parquet")
    assert isinstance(hub_rows[0]["images"][0], Image.Image) and chartqa.gold(hub_rows[0]) == "7"
    assert chartqa.judge(hub_rows[0], "", "official").correct is False
    assert chartqa.judge({**hub_rows[0], "prediction": "7.2"}, "", "official").correct is True


# -------------------------------------------------------------------------------------------------- WeMath
_WEMATH = {  # composite -> verdicts of sub-problems 1..k and the multi-step problem
    "2steps_1": ([True, True], True),  # CM strict and loose
    "2steps_2": ([True, False], True),  # CM loose, RM strict
    "2steps_3": ([False, False], True),  # RM strict and loose
    "2steps_4": ([True, True], False),  # IG
    "3steps_1": ([False, True, True], False),  # IK
    "3steps_2": ([True, True, True], True),  # CM strict and loose
}


def _wemath_fixture(tmp_path):
    items, responses = [], {}
    for cid, (subs, multi) in _WEMATH.items():
        steps = cid[0]
        keys = [f"{steps}steps_{i}" for i in range(1, len(subs) + 1)] + [f"{steps}steps_multi"]
        for key, ok in zip(keys, [*subs, multi], strict=True):
            image = f"{steps}steps/image/{cid}_{key}.png"
            _png(tmp_path / image)
            items.append({"ID": cid, "split": "testmini", "knowledge concept": f"concept {key[-1]}",
                          "question": "Length of AB?", "option": "A. 3;B. 4;C. 5;D. 6;E. No correct answer",
                          "answer": "B", "image_path": image, "key": key, "question number": 1})
            responses[f"{cid}|{key}"] = ["<Thought process>: ... <Answer>: <B>" if ok else "<Answer>: <C>"]
    (tmp_path / "testmini.json").write_text(json.dumps(items))
    return responses


def test_wemath_four_dimensional_metrics(tmp_path):
    responses = _wemath_fixture(tmp_path)
    rows = wemath.load("testmini", source=tmp_path)
    assert len(rows) == 20 and all(len(r["images"]) == 1 for r in rows)
    assert "<Thought process>: <<your thought process>> <Answer>: <<your option>>" in wemath.prompt(rows[0])
    for mode in ("official", "rules"):
        correct, _ = _score(wemath.BENCHMARK, rows, responses, mode)
        m = wemath.four_dimensional(rows, correct)
        assert m["composites"] == 6
        assert m["counts"] == {"IK": 1, "IG": 1, "CM_strict": 2, "CM_loose": 3, "RM_strict": 2, "RM_loose": 1}
        # score = (N - 0.5 IG - RM - IK) / N; officially N = 525 whatever the file holds
        assert m["strict"] == {"score": 99.33, "IK": 0.19, "IG": 0.19, "CM": 0.38, "RM": 50.0}
        assert m["official"]["Score (Strict)"] == "99.33%" and m["official"]["CompleteMastery (Loose)"] == "0.57% (3)"
        found = m["by_composites_found"]  # the same over the 6 composites found
        assert found["strict"] == {"score": 41.67, "IK": 16.67, "IG": 16.67, "CM": 33.33, "RM": 50.0}
        assert found["loose"] == {"score": 58.33, "IK": 16.67, "IG": 16.67, "CM": 50.0, "RM": 25.0}
        assert m["S2"] == 75.0 and m["S3"] == 50.0 and m["S1"] == pytest.approx(round(100 * 10 / 14, 2))
    assert len(wemath.load("testmini", source=tmp_path, limit=2)) == 6  # limit keeps whole composites


def test_wemath_missing_sub_problem_is_neither_right_nor_wrong():
    rows = [{"ID": "2steps_9", "key": "2steps_1"}, {"ID": "2steps_9", "key": "2steps_multi"}]
    m = wemath.four_dimensional(rows, [[True], [True]])  # sub-problem 2 missing
    assert m["counts"]["CM_loose"] == 1 and m["counts"]["CM_strict"] == 0 and m["counts"]["RM_strict"] == 0


@pytest.mark.parametrize(
    ("response", "letter"),
    [("<Answer>: <B>", "B"), ("Answer: C.", "C"), ("<Answer>: (B) 4", None), ("no answer here", None),
     ("Answer: A then Answer: D", "D"), ("answer: B", None)],  # case-sensitive marker, as official
)
def test_wemath_official_extraction(response, letter):
    assert wemath.official_extract(response) == letter


# ----------------------------------------------------------------------------------------------- MathVerse
def test_mathverse_versions_official_and_rules(tmp_path):
    _png(tmp_path / "images" / "image_1.png")
    base = {"problem_index": "1", "image": "images/image_1.png", "metadata": {"split": "testmini", "source": "x",
            "subject": "Plane Geometry", "subfield": "Angle"}}
    items = [
        {**base, "sample_index": "1", "problem_version": "Text Dominant", "question_type": "multi-choice",
         "question": "Find the angle.\nChoices:\nA:30°\nB:60°\nC:90°", "answer": "B",
         "query_cot": "Please first conduct reasoning ... Question: Find the angle.", "query_wo": "Q"},
        {**base, "sample_index": "2", "problem_version": "Vision Only", "question_type": "free-form",
         "question": "", "answer": "14", "query_cot": "Please first conduct reasoning ...", "query_wo": "Q"},
    ]
    (tmp_path / "testmini.json").write_text(json.dumps(items))
    rows = mathverse.load("testmini", source=tmp_path)
    assert mathverse.parse_choices(rows[0]["question"]) == ["30°", "60°", "90°"]
    assert mathverse.prompt(rows[0]).startswith("Please first conduct reasoning")
    correct, summary = _score(mathverse.BENCHMARK, rows, {"1": ["so the answer is \\boxed{60°}"],
                                                         "2": ["The answer is 15"]})
    assert correct == [[True], [False]]
    assert summary["categories"]["problem_version"]["Text Dominant"]["accuracy"] == "100.00"
    assert summary["categories"]["problem_version"]["Vision Only"]["accuracy"] == "0.00"
    # official: a given judgement wins; else the quick-match rule extraction == answer
    assert mathverse.judge({**rows[1], "judgement": 1}, "", "official").correct
    assert mathverse.judge({**rows[1], "extraction": "14"}, "", "official").correct
    assert not mathverse.judge({**rows[1], "extraction": "14.0"}, "", "official").correct


# ---------------------------------------------------------------------------------------------- MathVision
@pytest.mark.parametrize(
    ("a", "b", "ok"),
    [("6", "6", True), ("6.001", "6", True), ("6.01", "6", False), ("\\frac{1}{2}", "0.5", True),
     ("1/3", "0.33", True), ("(1,2)", "(1.0, 2)", True), ("[1,2]", "(1,2)", False), ("", "", False),
     ("\\sqrt{2}", "1.414", True), ("2\\pi", "6.28", True), ("50\\%", "0.5", True), ("Cat", "cat", True),
     ("2\\sqrt{3}+1", "4.46", True), ("1e999", "1e999", True), ("x+1", "1+x", False)],  # values, as officially
)
def test_mathvision_is_equal_edges(a, b, ok):
    assert mathvision.is_equal(a, b) is ok


def test_mathvision_jsonl_layout(tmp_path):
    _png(tmp_path / "images" / "4.jpg")
    _png(tmp_path / "images" / "6.jpg")
    lines = [{"id": "4", "question": "How many digits?\n<image1>", "options": [], "answer": "6", "solution": None,
              "level": 1, "subject": "counting", "image": "images/4.jpg"},
             {"id": "6", "question": "Which picture?\n<image1>", "options": ["1", "2", "3", "4", "5"], "answer": "D",
              "solution": None, "level": 3, "subject": "logic", "image": "images/6.jpg"}]
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "testmini.jsonl").write_text("\n".join(json.dumps(x) for x in lines))
    rows = mathvision.load("testmini", source=tmp_path)
    assert all(len(r["images"]) == 1 for r in rows)
    p = mathvision.prompt(rows[1])
    assert p.startswith('Please solve the problem and put your answer in one "\\boxed{}"') and "(D) 4\n" in p
    correct, summary = _score(mathvision.BENCHMARK, rows, {"4": ["\\boxed{6}", "\\boxed{5}"],
                                                          "6": ["\\boxed{D}", "\\boxed{D}"]})
    assert correct == [[True, False], [True, True]]
    assert summary["pass@k"] == {"1": 75.0, "2": 100.0}
    assert set(summary["categories"]["level"]) == {"level1", "level3"}
    assert mathvision.judge({**rows[1], "model_answer": "4"}, "", "official").correct  # the option's value
    assert mathvision.judge({**rows[1], "model_answer": "d"}, "", "official").correct  # lower-cased letter
    assert not mathvision.judge({**rows[1], "model_answer": "C"}, "", "official").correct


# ---------------------------------------------------------------------------------------------- Geometry3K
def test_geometry3k_intergps_layout(tmp_path):
    for i, (answer, choices) in enumerate([("B", ["3", "4", "5", "6"]), ("D", ["10", "12", "14", "16"])]):
        folder = tmp_path / "test" / str(2401 + i)
        _png(folder / "img_diagram.png")
        (folder / "data.json").write_text(json.dumps({"id": 2401 + i, "problem_text": "Find x.", "choices": choices,
                                                      "answer": answer, "problem_type_goal": ["Length"],
                                                      "problem_type_graph": ["Triangle"]}))
    rows = geometry3k.load("test", source=tmp_path)
    assert [r["id"] for r in rows] == ["2401", "2402"] and all(len(r["images"]) == 1 for r in rows)
    assert "(B) 4" in geometry3k.prompt(rows[0])
    correct, summary = _score(geometry3k.BENCHMARK, rows, {"2401": ["The answer is B."], "2402": ["\\boxed{14}"]})
    assert correct == [[True], [False]]
    assert summary["categories"]["goal"]["Length"]["accuracy"] == "50.00"


# ------------------------------------------------------------------------------------------ pass@k, report
def test_pass_at_k_table_and_ks():
    assert scoring.ks_for(1) == [1] and scoring.ks_for(6) == [1, 2, 4, 6]
    table = scoring.pass_at_k_table([[True, False, False, False], [False] * 4, [True] * 4])
    assert table["1"] == pytest.approx(round(100 * (0.25 + 0 + 1) / 3, 2))
    assert table["4"] == pytest.approx(round(100 * 2 / 3, 2))


def test_reports_markdown_and_charts(tmp_path):
    from eval.report import write_reports

    summary = scoring.summarize([{"id": "1", "c": "x"}, {"id": "2", "c": "y"}], [[True], [False]],
                                lambda r: {"kind": r["c"]})
    written = write_reports(summary, tmp_path, "demo")
    text = (tmp_path / "scores.md").read_text()
    assert "**Accuracy: 50.0%** (1/2)" in text and "| x | 100.00 | 1 | 1 |" in text
    assert [p.endswith("chart_kind.png") for p in written["charts"]] == [True]
    assert Image.open(written["charts"][0]).size[0] > 100


# ------------------------------------------------------------------------------ Hub layout, CLI, doctests
def test_mathvista_hub_parquet_layout(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from eval import mathvista

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buf, format="PNG")
    row = {"pid": "7", "question": "How many?", "image": "images/7.jpg",
           "decoded_image": {"bytes": buf.getvalue(), "path": "7.jpg"}, "choices": None, "unit": None,
           "precision": 1.0, "answer": "1.5", "question_type": "free_form", "answer_type": "float",
           "metadata": {"language": "english", "skills": ["arithmetic reasoning"]}, "query": "Hint: ...\nQuestion: How many?"}
    pq.write_table(pa.Table.from_pylist([row]), tmp_path / "testmini-00000-of-00001.parquet")
    rows = mathvista.load("testmini", source=tmp_path)
    assert rows[0]["id"] == "7" and isinstance(rows[0]["images"][0], Image.Image)
    assert mathvista.BENCHMARK.judge(rows[0], "so the answer is 1.54", "rules").correct  # rounded to precision 1


def test_cli_scores_other_benchmarks(tmp_path):
    from mmagrae.cli import main

    rows = [{"id": str(i), "query": "Value?", "label": [str(10 + i)], "human_or_machine": i % 2,
             "response": [f"The answer is {10 + i}", "The answer is 99"]} for i in range(4)]
    path = tmp_path / "chartqa.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    out = tmp_path / "scores.json"
    assert main(["eval", "score", "chartqa", "--input", str(path), "--mode", "rules", "--out", str(out),
                 "--report", str(tmp_path / "report")]) == 0
    scores = json.loads(out.read_text())
    assert scores["accuracy"] == 50.0 and scores["pass@k"] == {"1": 50.0, "2": 100.0}
    assert (tmp_path / "report" / "chart_subset.png").exists()


def test_doctests_of_eval_modules():
    import doctest

    from eval import judge, mathvista, report, runner

    for module in (chartqa, mathvision, mathverse, wemath, geometry3k, mathvista, scoring, registry, judge, report,
                   runner):
        failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert failures == 0, module.__name__
