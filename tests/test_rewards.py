"""Rewards: accuracy, format styles, weighted combination (paper: 0.9/0.1), user functions, bad gold."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pytest

from mmagrae.verifiers import GoldAnswerError
from mmagrae.verifiers.rewards import (
    accuracy_reward,
    compute_rewards,
    format_reward,
    load_reward_function,
    reward_metrics,
)

GOOD = "<think>3 * 4 = 12</think><answer>12</answer>"


@pytest.mark.parametrize(
    ("response", "style", "expected"),
    [
        (GOOD, "think_answer", 1.0),
        ("  <think>a</think>\n<answer>12</answer>\n", "think_answer", 1.0),
        ("<answer>12</answer>", "think_answer", 0.0),
        ("<think>a</think>", "think_answer", 0.0),
        ("<think>a</think><answer> </answer>", "think_answer", 0.0),
        ("<think>a</think>extra<answer>12</answer>", "think_answer", 0.0),
        ("<think>a</think><answer>12</answer> trailing", "think_answer", 0.0),
        ("<think>a</think><think>b</think><answer>12</answer>", "think_answer", 0.0),
        ("<answer>1</answer><think>a</think>", "think_answer", 0.0),
        ("so \\boxed{12}", "boxed", 1.0),
        ("<think>x</think> \\boxed{12}", "boxed", 1.0),
        ("<think>\\boxed{12}</think> 12", "boxed", 0.0),
        ("<think> \\boxed{12}", "boxed", 0.0),
        ("\\boxed{}", "boxed", 0.0),
        ("12", "boxed", 0.0),
        ("<answer>12</answer>", "answer", 1.0),
        ("reasoning <answer>12</answer>", "answer", 1.0),
        ("<answer>12</answer> then more", "answer", 0.0),
        ("<answer></answer>", "answer", 0.0),
    ],
)
def test_format_reward(response: str, style: str, expected: float) -> None:
    assert format_reward(response, style) == expected  # type: ignore[arg-type]


def test_format_reward_rejects_unknown_style() -> None:
    with pytest.raises(ValueError, match="think_answer"):
        format_reward(GOOD, "xml")  # type: ignore[arg-type]


def test_accuracy_reward_uses_row_fields() -> None:
    row = {"answer": "145°", "choices": ["135°", "140°", "145°"], "answer_type": "text", "precision": None}
    assert accuracy_reward("<answer>C</answer>", row) == 1.0
    assert accuracy_reward("<answer>B</answer>", row) == 0.0
    assert accuracy_reward("<answer>1.26</answer>", {"answer": "1.3", "precision": 1}) == 1.0
    assert accuracy_reward("<answer>104</answer>", {"answer": "100", "task": "chart"}) == 1.0


def test_paper_weights_hand_computed() -> None:
    rows = [{"answer": "12"}] * 4
    responses = [GOOD, "The answer is 12.", "<think>a</think><answer>13</answer>", "no idea"]
    out = compute_rewards(responses, rows)
    assert [b.total for b in out] == pytest.approx([1.0, 0.9, 0.1, 0.0])
    assert [b.correct for b in out] == [True, True, False, False]
    assert out[0].components == {"accuracy": 1.0, "format": 1.0}
    assert out[1].verdict.extracted == "12"


def test_custom_weights_and_format_style() -> None:
    out = compute_rewards(["\\boxed{12}"], [{"answer": "12"}], weights={"accuracy": 0.5, "format": 0.5},
                          format_style="boxed")  # fmt: skip
    assert out[0].total == 1.0
    only_accuracy = compute_rewards(["\\boxed{12}"], [{"answer": "12"}], weights={"accuracy": 1.0})
    assert only_accuracy[0].components == {"accuracy": 1.0}


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ({"accuracy": 0.9, "fromat": 0.1}, "fromat"),
        ({}, "empty"),
        ({"accuracy": math.nan}, "finite"),
    ],
)
def test_bad_weights_name_the_key(weights: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        compute_rewards([GOOD], [{"answer": "12"}], weights=weights)


def test_length_mismatch_and_unknown_style() -> None:
    with pytest.raises(ValueError, match="rows"):
        compute_rewards([GOOD, GOOD], [{"answer": "12"}])
    with pytest.raises(ValueError, match="format_style"):
        compute_rewards([GOOD], [{"answer": "12"}], format_style="json")  # type: ignore[arg-type]


def test_bad_gold_is_a_data_error_not_a_reward() -> None:
    rows = [{"answer": "twelve?!", "answer_type": "integer", "id": "r7"}, {"answer": None}, {"answer": "12"}]
    out = compute_rewards([GOOD, GOOD, GOOD], rows)
    assert [b.data_error is not None for b in out] == [True, True, False]
    assert (
        out[0].total == 0.0 and not out[0].correct and out[0].components == {"accuracy": 0.0, "format": 0.0}
    )
    metrics = reward_metrics(out)
    assert metrics["reward/data_errors"] == 2.0 and metrics["reward/mean"] == 1.0
    with pytest.raises(GoldAnswerError, match="r7"):
        compute_rewards([GOOD], rows[:1], on_bad_gold="raise")


def test_user_reward_function_by_module_and_file(tmp_path: Path) -> None:
    path = tmp_path / "my_reward.py"
    path.write_text(
        textwrap.dedent("""
        def brevity(response, row):
            return 1.0 if len(response) < 50 else 0.0
    """)
    )
    fn = load_reward_function(f"{path}:brevity")
    assert fn("short", {}) == 1.0
    out = compute_rewards(
        [GOOD, GOOD + " " * 60],
        [{"answer": "12"}] * 2,
        weights={"accuracy": 0.8, "format": 0.1, "brevity": 0.1},
        extra_rewards={"brevity": f"{path}:brevity"},
    )
    assert [b.total for b in out] == pytest.approx([1.0, 0.9])
    assert out[0].components["brevity"] == 1.0
    assert load_reward_function("mmagrae.verifiers.rewards:accuracy_reward") is accuracy_reward


@pytest.mark.parametrize(
    "spec", ["nocolon", "no_such_module_xyz:fn", "mmagrae.verifiers.rewards:nope", "/x/y.py:f"]
)
def test_load_reward_function_errors(spec: str) -> None:
    with pytest.raises(ValueError):
        load_reward_function(spec)


def test_user_reward_replaces_the_built_in_one() -> None:
    """The trainer's ``reward.function``: weights {"custom": 1.0}; correctness still comes from the verifier."""
    out = compute_rewards(
        [GOOD, "<answer>13</answer>"],
        [{"answer": "12"}] * 2,
        weights={"custom": 1.0},
        extra_rewards={"custom": lambda response, row: 0.25},
    )
    assert [b.total for b in out] == [0.25, 0.25]
    assert [b.correct for b in out] == [True, False]
    assert out[0].components == {"accuracy": 1.0, "custom": 0.25}


def test_extra_reward_needs_a_weight() -> None:
    with pytest.raises(ValueError, match="no weight"):
        compute_rewards([GOOD], [{"answer": "12"}], extra_rewards={"b": lambda r, row: 1.0})


def test_extra_reward_must_be_finite() -> None:
    with pytest.raises(ValueError, match="nan"):
        compute_rewards([GOOD], [{"answer": "12"}], weights={"accuracy": 1.0, "b": 1.0},
                        extra_rewards={"b": lambda r, row: math.nan})  # fmt: skip


def test_large_batch_uses_processes_and_keeps_order() -> None:
    n = 600
    rows = [{"answer": str(i % 3)} for i in range(n)]
    responses = [f"<think>t</think><answer>{i % 2}</answer>" for i in range(n)]
    out = compute_rewards(responses, rows, processes=2)
    assert [b.correct for b in out] == [i % 2 == i % 3 for i in range(n)]
