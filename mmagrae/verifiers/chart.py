r"""Chart QA: ChartQA's relaxed accuracy (numbers within 5% relative error, text exact), with its defects fixed.

The reference implementation (``relaxed_correctness`` in the ChartQA/pix2struct evaluation) does
``float(text.rstrip('%'))`` and then ``abs(pred - gold) / abs(gold) <= 0.05``. Known defects, and what we do:

- gold ``0``: division by zero (or, in some copies, every prediction accepted): we require the prediction to be 0;
- ``1,234`` / ``$1,234`` / ``1 234`` fail ``float()`` and fall to an exact string match: we parse them as numbers;
- ``45%`` vs ``0.45``: only the ``%`` was stripped: we also accept the value divided by 100;
- years: ``2016`` is within 5% of ``2015``: a gold that is a 4-digit year (1900–2100, no unit, no decimal point) is compared exactly;
- text: compared after lower-casing and collapsing spaces and trailing punctuation (the reference lower-cases too).

>>> relaxed_match("1,020", "1000")[0], relaxed_match("2016", "2015")[0], relaxed_match("0.1", "0")[0]
(True, False, False)
>>> relaxed_match("Yes.", "yes")
(True, 'chart: text equal')
"""

from __future__ import annotations

from decimal import Decimal

from mmagrae.verifiers.choice import normalize_option
from mmagrae.verifiers.numeric import Number, parse_number

__all__ = ["relaxed_match", "is_year"]

RELATIVE_TOLERANCE = Decimal("0.05")


def is_year(n: Number) -> bool:
    return n.is_integer_literal and not n.percent and 1900 <= n.value <= 2100 and n.value == int(n.value)


def relaxed_match(pred: str, gold: str, *, tolerance: Decimal = RELATIVE_TOLERANCE) -> tuple[bool, str]:
    """ChartQA relaxed accuracy with the fixes listed in the module docstring; returns (correct, reason)."""
    g = parse_number(gold)
    p = parse_number(pred)
    if g is not None and p is not None:
        if is_year(g):
            ok = p.value == g.value
            return ok, f"chart: year {p.value} {'==' if ok else '!='} {g.value}"
        golds = [g.value, g.value / 100] if g.percent else [g.value]
        preds = [p.value, p.value / 100] if p.percent else [p.value]
        for gv in golds:
            for pv in preds:
                if gv == 0:
                    if pv == 0:
                        return True, "chart: both zero"
                    continue
                if abs(pv - gv) <= tolerance * abs(gv):
                    return True, f"chart: {pv} within {tolerance:%} of {gv}"
        return False, f"chart: {p.value} not within {tolerance:%} of {g.value}"
    if g is not None:
        return False, "chart: gold is a number, prediction is not"
    ok = normalize_option(pred) == normalize_option(gold)
    return ok, f"chart: text {'equal' if ok else 'differs'}"
