"""Real model outputs: MathVista testmini responses of Bard and GPT-4 (fixtures, read in place)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmagrae.verifiers import verify, verify_batch


def _load(fixtures_dir: Path, model: str) -> dict:
    return json.loads((fixtures_dir / "mathvista" / f"output_{model}.json").read_text())


def _requests(items: dict) -> list[dict]:
    return [
        {
            "response": it["response"],
            "gold": it["answer"],
            "choices": it["choices"],
            "answer_type": None if it["choices"] else it["answer_type"],
            "precision": it.get("precision"),
        }
        for it in items.values()
    ]


@pytest.mark.parametrize(("model", "min_agreement"), [("bard", 0.95), ("gpt4", 0.85)])
def test_agrees_with_official_scores_where_expected(
    fixtures_dir: Path, model: str, min_agreement: float
) -> None:
    """The official labels come from GPT extraction plus nearest-option mapping; we agree on most items and
    differ where the official pipeline maps refusals to the nearest option (which we refuse to do)."""
    items = _load(fixtures_dir, model)
    verdicts = verify_batch(_requests(items), processes=1)
    assert not [v for v in verdicts if v.reason.startswith(("bad gold", "internal error", "timeout"))]
    agree = sum(v.correct == bool(it["true_false"]) for v, it in zip(verdicts, items.values(), strict=True))
    assert agree / len(items) >= min_agreement


def test_official_nearest_option_mapping_of_refusals_is_not_ours(fixtures_dir: Path) -> None:
    items = _load(fixtures_dir, "gpt4")
    refused_but_official_true = [
        it for it in items.values()
        if it["choices"] and it["true_false"] and "not provide" in it["response"] and len(it["response"]) < 200
    ]  # fmt: skip
    assert refused_but_official_true, "the fixture has refusals that the official scorer counted as correct"
    for it in refused_but_official_true:
        assert not verify(it["response"], it["answer"], choices=it["choices"]).correct


@pytest.mark.parametrize(
    ("pid", "expected"),
    [("3", True), ("6", False)],  # bard: "the answer is 145°"-style, and a wrong letter
)
def test_specific_bard_items(fixtures_dir: Path, pid: str, expected: bool) -> None:
    it = _load(fixtures_dir, "bard")[pid]
    verdict = verify(it["response"], it["answer"], choices=it["choices"], precision=it.get("precision"))
    assert verdict.correct is bool(it["true_false"]) is expected, verdict
