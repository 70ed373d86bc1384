"""Eval cards and ``mmagrae eval compare`` on hostile inputs: non-finite or huge numbers in a scores file, a
card of another shape, gold data given to ``eval score --data``, folder names that are Markdown, and a folder
in the way of the card."""

from __future__ import annotations

import json

import pytest

from mmagrae.cli import main
from tests.eval_cli import error_line

CARD = {"card_version": 1, "command": "eval score", "benchmark": "mathvista", "outputs": {"scores": "scores.json"}}


def _scored(folder, scores: str, card=None):
    """An ``eval score`` folder with ``scores`` (JSON text, as is) and a card claiming it."""
    folder.mkdir(parents=True)
    (folder / "scores.json").write_text(scores)
    (folder / "eval_card.json").write_text(json.dumps(card or CARD))
    return folder


@pytest.mark.parametrize("scores, expected", [
    ('{"accuracy": 50, "correct": NaN, "total": 2}', "correct is NaN, not a number"),
    ('{"accuracy": 50, "correct": Infinity, "total": 2}', "correct is Infinity, not a number"),
    ('{"accuracy": 50, "correct": "inf", "total": 2}', "correct is inf, not a number"),
    ('{"accuracy": 50, "correct": 1, "total": 1e400}', "total is Infinity, not a number"),
    ('{"accuracy": 50, "correct": 1' + "0" * 400 + ', "total": 2}', "correct is 1000"),
    ('{"accuracy": 50, "correct": 1.5, "total": 2}', "correct is 1.5, not a whole number"),
    ('{"accuracy": "1e999", "correct": 1, "total": 2}', "accuracy is 1e999, not a number"),
    ('{"accuracy": 50, "correct": 1, "total": 2, "pass@k": {"2": NaN}}', "pass@k.2 is NaN, not a number"),
    ('{"accuracy": 50, "correct": 1e300, "total": 2}', "correct is 1e+300, not a count of items"),
    ('{"accuracy": 50, "correct": -1, "total": 2}', "correct is -1, not a count of items"),
])
def test_compare_refuses_non_finite_or_huge_numbers_with_one_line(tmp_path, capsys, scores, expected):
    a = _scored(tmp_path / "a", '{"accuracy": 50, "correct": 1, "total": 2}')
    b = _scored(tmp_path / "b", scores)
    assert main(["eval", "compare", str(a), str(b)]) == 2
    line = error_line(capsys)
    assert line.startswith(f"error: {b / 'scores.json'}: not a scores file (") and expected in line


def test_compare_never_prints_nan_or_inf(tmp_path, capsys):
    a = _scored(tmp_path / "a", '{"accuracy": -1.7e308, "correct": 1, "total": 2, "pass@k": {"2": 3.0}}')
    b = _scored(tmp_path / "b", '{"accuracy": 1.7e308, "correct": 1, "total": 2, "pass@k": {"2": "4"}}')
    assert main(["eval", "compare", str(a), str(b)]) == 0
    rows = capsys.readouterr().out.lower().splitlines()[2:]  # below the header, which names the folders
    assert "| pass@2 | 3.00 | 4.00 | +1.00 |" in rows
    assert rows[0].endswith("| — |")  # B − A beyond a float
    assert not any("nan" in row or "inf" in row for row in rows)


def _chartqa(path):
    rows = [{"id": str(i), "query": "q", "label": ["12"], "type": "human_test", "response": r}
            for i, r in enumerate(("12", "7"))]
    path.write_text(json.dumps(rows))
    return path


@pytest.mark.parametrize("section, value, kind", [("outputs", ["x"], "list"), ("outputs", "scores.json", "str"),
                                                   ("scorer", [1], "list")])
def test_a_card_of_another_shape_is_one_line_and_its_folder_is_never_written(tmp_path, capsys, section, value, kind):
    bad = _scored(tmp_path / "bad", '{"accuracy": 50, "correct": 1, "total": 2}', {**CARD, section: value})
    before = {p.name: p.read_bytes() for p in bad.iterdir()}
    a = _scored(tmp_path / "a", '{"accuracy": 50, "correct": 1, "total": 2}')
    expected = f"error: {bad / 'eval_card.json'}: not an eval card ({section!r} is a {kind}, not an object)"
    for other in (bad, bad / "scores.json"):
        assert main(["eval", "compare", str(a), str(other)]) == 2
        assert error_line(capsys) == expected
    src = _chartqa(tmp_path / "in.json")
    assert main(["eval", "score", "chartqa", "--input", str(src), "--out", str(bad / "s2.json")]) == 2
    assert error_line(capsys) == expected
    assert {p.name: p.read_bytes() for p in bad.iterdir()} == before


def _mathv(root, answer, split="test"):
    """A MATH-V copy (``data/<split>.jsonl``) whose one row has gold ``answer``."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    row = {"id": "1", "question": "q", "options": [], "answer": answer, "level": 1, "subject": "a"}
    (root / "data" / f"{split}.jsonl").write_text(json.dumps(row) + "\n")
    return root


def test_eval_score_records_the_gold_data_and_never_rescores_with_other_gold_in_place(tmp_path, capsys):
    """MATH-V outputs hold no gold: the --data rows joined to them are on the card (path, hash, split), are part
    of what makes two scorings the same, and show in eval compare."""
    src = tmp_path / "out.jsonl"
    src.write_text(json.dumps({"id": "1", "response": "3", "model_answer": "3"}) + "\n")
    first, other = _mathv(tmp_path / "MV", "3"), _mathv(tmp_path / "MV4", "4")
    _mathv(first, "3", split="testmini")

    def score(data, out, *extra):
        return main(["eval", "score", "mathvision", "--input", str(src), "--mode", "official", "--data", str(data),
                     "--out", str(out), *extra])

    p, q = tmp_path / "p" / "s.json", tmp_path / "q" / "s.json"
    assert score(first, p) == 0 and score(other, q) == 0
    card = json.loads((p.parent / "eval_card.json").read_text())
    assert card["split"] == "test" and card["gold"]["source"] == str(first.resolve())
    assert card["gold"]["hash"].startswith("sha256:") and card["gold"]["rows"] == 1
    capsys.readouterr()
    assert main(["eval", "compare", str(p.parent), str(q.parent)]) == 0
    out = capsys.readouterr().out
    assert "Settings that differ (2):" in out and "- gold.hash: sha256:" in out and "- gold.source: " in out

    kept = p.read_bytes()
    assert score(other, p) == 2  # other gold answers: another scoring, never written over this one
    line = error_line(capsys)
    assert line.startswith(f"error: {p} holds the outputs of another scoring (") and "gold.hash: " in line
    assert score(first, p, "--split", "testmini") == 2
    assert "split: test → testmini" in error_line(capsys)
    assert p.read_bytes() == kept
    assert score(first, p) == 0  # the same scoring again replaces its own files


def test_compare_escapes_folder_names_and_settings_in_the_markdown(tmp_path, capsys):
    from eval.card import markdown

    a = _scored(tmp_path / "x|y", '{"accuracy": 50, "correct": 1, "total": 2}',
                {**CARD, "data": {"source": "/a|b\n| forged | row |"}, "odd|key\n": 1})
    b = _scored(tmp_path / "n\nl", '{"accuracy": 50, "correct": 1, "total": 2}')
    assert main(["eval", "compare", str(a), str(b)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"| | A: {tmp_path}/x\\|y | B: {tmp_path}/n l | B − A |"
    assert lines[2] == "| accuracy | 50.00 (1/2) | 50.00 (1/2) | +0.00 |"
    assert "- data.source: /a\\|b \\| forged \\| row \\| → null" in lines
    assert "- odd\\|key : 1 → null" in lines
    assert "| odd\\|key  | 1 |" in markdown({"odd|key\n": 1}).splitlines()


@pytest.mark.parametrize("name", ["eval_card.json", "s.eval_card.json"])
def test_a_folder_in_the_way_of_the_card_says_to_move_it_and_nothing_is_written(tmp_path, capsys, name):
    out = tmp_path / "o"
    (out / name).mkdir(parents=True)
    if name != "eval_card.json":  # the folder's card is another scoring's: this one's card goes beside it
        (out / "eval_card.json").write_text(json.dumps({**CARD, "outputs": {"scores": "other.json"}}))
    src = _chartqa(tmp_path / "in.json")
    assert main(["eval", "score", "chartqa", "--input", str(src), "--out", str(out / "s.json")]) == 2
    line = error_line(capsys)
    assert line == f"error: {out / name} is a folder where an eval card belongs; it is in the way: remove or rename it"
    assert not (out / "s.json").exists() and (out / name).is_dir()


def test_outputs_refuse_a_folder_in_the_way_before_writing_anything(tmp_path):
    from eval.outputs import Outputs
    from mmagrae.preflight import UserError

    (tmp_path / "scores.md").mkdir()
    files = Outputs()
    files.add_text(tmp_path / "eval_card.json", "{}")
    files.add_text(tmp_path / "scores.md", "# scores")
    with pytest.raises(UserError, match="scores.md: a folder of that name is in the way; remove or rename it"):
        files.commit()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.md"]
