"""Complex numbers (``i`` as the imaginary unit) and times of day in the verifiers (round 11).

Cases worked by hand; the first two groups come from forms in MARIO_EVAL's and Math-Verify's test suites
(``i(2-i)`` for ``1+2i``; ``20:34:00`` and ``08:34 P.M.`` for ``20:34``), the rest probe what must stay wrong.
"""

import pytest

from mmagrae.verifiers import verify
from mmagrae.verifiers.numeric import times_match
from mmagrae.verifiers.symbolic import expressions_equal


@pytest.mark.parametrize(
    ("pred", "gold"),
    [
        ("i(2-i)", "1+2i"),  # 2i - i^2 = 1 + 2i
        ("i^2", "-1"),
        ("i^4", "1"),
        ("(1+i)^2", "2i"),
        ("(1+i)(1-i)", "2"),
        ("\\frac{1}{i}", "-i"),
        ("\\sqrt{-4}", "2i"),  # the principal root, +2i
        ("1+\\sqrt{-3}", "1+i\\sqrt{3}"),
        ("\\frac{3+4i}{5}", "\\frac{3}{5}+\\frac{4}{5}i"),
        ("|3+4i|", "5"),
        ("\\mathrm{i}", "i"),
        ("-i+1", "1-i"),
    ],
)
def test_i_alone_is_the_imaginary_unit(pred, gold):
    assert verify(f"The answer is ${pred}$.", gold).correct
    assert expressions_equal(pred, gold)[0]


@pytest.mark.parametrize(
    ("pred", "gold"),
    [
        ("3-4i", "3+4i"),  # the conjugate
        ("-2i", "\\sqrt{-4}"),
        ("1-i", "1+i"),
        ("i", "1"),
        ("i^3", "i"),  # -i
        ("(1+i)^2", "2"),
        ("2i", "2"),
        ("x - 2i", "x + 2i"),  # with another name, i is still a name: compared at random points
        ("i^2", "x"),  # i^2 = -1 is only used when i is the only name
    ],
)
def test_complex_values_that_differ_stay_wrong(pred, gold):
    assert not verify(f"The answer is ${pred}$.", gold).correct


def test_with_another_name_i_is_compared_as_a_name():
    assert verify("The answer is $2i+x$.", "x+2i").correct  # an identity in i and x
    assert not verify("The answer is $x-1$.", "x+i^2").correct  # i^2 = -1 is not assumed next to x


@pytest.mark.parametrize(
    ("response", "gold"),
    [
        ("20:34:00", "20:34"),
        ("08:34 \\text{P.M.}", "20:34"),
        ("The meeting ends at 8:34 pm.", "20:34"),
        ("00:05", "12:05 AM"),
        ("12:05", "12:05 PM"),  # the half of the day unknown: either
        ("3 o'clock", "3:00"),
        ("It is $\\boxed{3:45}$ PM", "3:45 PM"),
        ("The clock shows 10:30.", "10:30"),  # the whole time, not its last number "30"
        ("The clock shows 10:30 PM.", "22:30"),
        ("The clock reads 10:30:15", "10:30:15"),
        ("So the ratio of boys to girls is 3:4", "3:4"),
    ],
)
def test_times_of_day(response, gold):
    assert verify(response, gold).correct


@pytest.mark.parametrize(
    ("response", "gold"),
    [
        ("8:34 a.m.", "20:34"),
        ("20:35:00", "20:34"),
        ("20:34:05", "20:34:00"),
        ("4 o'clock", "3:00"),
        ("13:20", "1:20"),  # unmarked: "1:20" may be a ratio, so no time reading
        ("The clock shows 10:30.", "30"),
        ("The volume ratio is roughly 1:16, or maybe 1:64.", "1:64"),  # two ratios offered
        ("It could be 3:4 or 4:3", "3:4"),
    ],
)
def test_times_and_ratios_that_differ_stay_wrong(response, gold):
    assert not verify(response, gold).correct


def test_times_match_needs_a_time_mark():
    assert times_match("13:20", "1:20") is None  # may be ratios
    assert times_match("13:20:00", "1:20 pm") is True
    assert times_match("12", "12:00 pm") is None  # a bare number is not a time
    assert times_match("25:00:00", "1:00 am") is None  # no 25th hour
    assert times_match("13 o'clock", "1:00 pm") is None
