r"""Lists: order-sensitive, element-wise comparison of answers such as ``[1, 2, 3]`` or ``2014, 2016``.

Outer brackets (``[]``, ``()``, ``\{\}``) are optional; elements are split at top-level commas and semicolons
(a comma followed directly by three digits after a digit, as in ``1,000``, is a thousands separator). Each
element is compared with the scalar rules (numbers, expressions, text); lengths must agree.

>>> split_list("[1, (2, 3), 1,000]")
['1', '(2, 3)', '1,000']
>>> lists_match("[2014, 2016]", [2014, 2016], lambda p, g: (p == g, ""))
(True, 'list: 2 elements equal')
>>> lists_match("2016, 2014", "2014, 2016", lambda p, g: (p == g, ""))[0]
False
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

__all__ = ["split_list", "lists_match"]

_MAX_ELEMENTS = 1000


def split_list(text: str) -> list[str]:
    s = text.strip()
    for left, right in (("[", "]"), ("(", ")"), ("\\{", "\\}"), ("\\left[", "\\right]"), ("{", "}")):
        if s.startswith(left) and s.endswith(right):
            s = s[len(left) : len(s) - len(right)].strip()
            break
    items: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(s):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch in ",;" and depth == 0:
            if ch == "," and i > 0 and s[i - 1].isdigit() and re.match(r"\d{3}(?!\d)", s[i + 1 : i + 5]):
                continue
            items.append(s[start:i].strip())
            start = i + 1
            if len(items) > _MAX_ELEMENTS:
                break
    items.append(s[start:].strip())
    return [x for x in items if x != ""]


def lists_match(
    pred: str, gold: str | Sequence, element_match: Callable[[str, str], tuple[bool, str]]
) -> tuple[bool, str]:
    """Element-wise comparison in order; ``gold`` may be a string or a Python list."""
    gold_items = [str(x) for x in gold] if isinstance(gold, (list, tuple)) else split_list(str(gold))
    pred_items = split_list(pred)
    if len(pred_items) != len(gold_items):
        return False, f"list: {len(pred_items)} elements, gold has {len(gold_items)}"
    for i, (p, g) in enumerate(zip(pred_items, gold_items, strict=True)):
        ok, why = element_match(p, g)
        if not ok:
            return False, f"list: element {i} differs ({why})"
    return True, f"list: {len(gold_items)} elements equal"
