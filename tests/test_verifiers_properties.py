"""Property tests: a number or formula written any accepted way matches itself and not a different value."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmagrae.verifiers import verify

PROPS = settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

WRAPS = [
    "{}",
    "<think>compute</think><answer>{}</answer>",
    "So the result is $\\boxed{{{}}}$.",
    "The answer is {}.",
    "**Final Answer:** {}",
]


def _with_commas(n: int) -> str:
    return f"{n:,}"


def _latex_thousands(n: int) -> str:
    return f"{n:,}".replace(",", "{,}")


INT_FORMATS = [
    str,
    _with_commas,
    _latex_thousands,
    lambda n: f"{n}.0",
    lambda n: f"{n} cm",
    lambda n: f"{n}°",
]


@PROPS
@given(
    n=st.integers(-(10**12), 10**12),
    fmt=st.sampled_from(INT_FORMATS),
    wrap=st.sampled_from(WRAPS),
    delta=st.sampled_from([1, -1, 10, 1000]),
)
def test_integers_in_any_format(n: int, fmt, wrap: str, delta: int) -> None:
    assert verify(wrap.format(fmt(n)), str(n), answer_type="integer").correct
    assert not verify(wrap.format(fmt(n + delta)), str(n), answer_type="integer").correct


@PROPS
@given(cents=st.integers(-(10**8), 10**8), precision=st.integers(0, 3))
def test_decimals_with_precision_round_half_up(cents: int, precision: int) -> None:
    value = Fraction(cents, 1000)
    text = f"{float(value):.3f}"
    scale = 10**precision
    # half-up rounding of the exact decimal, computed independently with integers
    sign = -1 if value < 0 else 1
    rounded = sign * ((abs(value) * scale * 2 + 1) // 2) / scale
    gold = f"{float(rounded):.{precision}f}"
    assert verify(f"\\boxed{{{text}}}", gold, answer_type="float", precision=precision).correct
    other = f"{float(rounded) + 1 / scale:.{precision}f}"
    assert not verify(f"\\boxed{{{text}}}", other, answer_type="float", precision=precision).correct


@PROPS
@given(p=st.integers(-200, 200), q=st.integers(1, 200), style=st.integers(0, 3))
def test_fractions_equal_their_value(p: int, q: int, style: int) -> None:
    written = [
        f"\\frac{{{p}}}{{{q}}}",
        f"{p}/{q}",
        f"\\dfrac{{{p}}}{{{q}}}",
        f"\\frac{{{2 * p}}}{{{2 * q}}}",
    ][style]
    gold = f"\\frac{{{p}}}{{{q}}}"
    assert verify(f"<answer>{written}</answer>", gold).correct
    assert not verify(f"<answer>{written}</answer>", f"\\frac{{{p + 1}}}{{{q}}}").correct


@PROPS
@given(a=st.integers(-9, 9), b=st.integers(-9, 9), c=st.integers(1, 9))
def test_polynomial_identities(a: int, b: int, c: int) -> None:
    factored = f"{c}(x + {a})(x + {b})"
    expanded = f"{c}x^2 + {c * (a + b)}x + {c * a * b}"
    assert verify(f"\\boxed{{{expanded}}}", factored).correct
    assert not verify(f"\\boxed{{{expanded} + 1}}", factored).correct
    assert not verify(f"\\boxed{{{expanded}}}", f"{c}(x + {a})(x - {b + 1})").correct


@PROPS
@given(
    left=st.integers(-50, 50),
    width=st.integers(1, 50),
    lo=st.sampled_from("(["),
    hi=st.sampled_from(")]"),
)
def test_intervals_need_the_same_brackets(left: int, width: int, lo: str, hi: str) -> None:
    gold = f"{lo}{left}, {left + width}{hi}"
    assert verify(f"\\boxed{{{gold}}}", gold).correct
    flipped = f"{'[' if lo == '(' else '('}{left}, {left + width}{hi}"
    assert not verify(f"\\boxed{{{flipped}}}", gold).correct


@PROPS
@given(
    n_choices=st.integers(2, 8),
    gold_index=st.integers(0, 7),
    pick=st.integers(0, 7),
    spelling=st.integers(0, 5),
)
def test_choice_letters_in_any_spelling(n_choices: int, gold_index: int, pick: int, spelling: int) -> None:
    gold_index %= n_choices
    pick %= n_choices
    choices = [f"{10 * (i + 1)}°" for i in range(n_choices)]
    letter = "ABCDEFGH"[pick]
    written = [
        letter,
        f"({letter})",
        f"{letter.lower()}.",
        f"\\text{{({letter})}}",
        f"Option {letter}",
        choices[pick],
    ][spelling]
    verdict = verify(f"The answer is {written}", choices[gold_index], choices=choices)
    assert verdict.correct is (pick == gold_index)
