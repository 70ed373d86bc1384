"""Rules-mode verdicts for MathVerse's free-form golds in structured forms: labelled parts ("domain: [-4, 0) and
range: (-3, 1]") and piecewise functions ("When x<=3 $f(x)=-x+1$, when x>3, $f(x)=x-5$"). A judge compares
every part; so do these. Pure functions on the response text and the gold."""

from __future__ import annotations

import re
from typing import Any

# --------------------------------------------------------------------------- answers in labelled parts
# MathVerse's function questions have golds in named parts ("domain: [-4, 0) and range: (-3, 1]", "increasing
# on (-\infty, 1) \cup (3,4), decreasing on (1,3)"); a judge compares every part, so rules mode does too.
_PART_LABEL = re.compile(r"(?i)\b(domain|range|increasing|decreasing|constant|local\s+(?:minimum|maximum))\b")
_INTERVALS = re.compile(
    r"[\[(][^\[\]()]{0,80}?[\])](?:\s*(?:\\cup|∪|\bU\b|\bor\b|\band\b)\s*[\[(][^\[\]()]{0,80}?[\])])*"
)

_NAMED_AFTER = re.compile(  # intervals named after they are stated: "so (−∞, 1] is the domain"
    r"(?:" + _INTERVALS.pattern + r")(?=\s+(?:is|are|gives|forms?|makes?)\s+(?:(?:the|its|our|their)\s+)?$)"
)


def _plain(text: str) -> str:
    r"""``\text { increasing on }(1,3)`` -> ``increasing on (1,3)``: text wrappers, sizing and spacing commands
    and math delimiters removed, so labels and intervals can be read."""
    text = re.sub(r"\\(?:text|mathrm|textbf|operatorname)\s*\{([^{}]*)\}", r" \1 ", text)
    text = re.sub(r"\\(?:left|right|big|Big|bigg|Bigg)(?![A-Za-z])", "", text)
    text = re.sub(r"\\[,;:! ]|\\q?quad|\\\(|\\\)|\\\[|\\\]|\$", " ", text)
    return text.replace("−", "-")


def labelled_parts(text: str) -> list[tuple[str, str]]:
    r"""``[(label, intervals)]`` of a text that names two or more parts, else ``[]``.

    >>> labelled_parts("domain: [-4, 0) and range: (-3, 1]")
    [('domain', '[-4, 0)'), ('range', '(-3, 1]')]
    >>> labelled_parts("\\text { increasing } \\quad(-3,1) ; \\quad \\text { constant }(-\\infty,-3) \\cup(1, \\infty)")
    [('increasing', '(-3,1)'), ('constant', '(-\\infty,-3) \\cup(1, \\infty)')]
    >>> labelled_parts("the range is [0, 2]")
    []
    """
    plain = _plain(text)
    labels = list(_PART_LABEL.finditer(plain))
    parts = []
    for i, m in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(plain)
        found = _INTERVALS.search(plain, m.end(), end)
        if found is None:
            return []
        parts.append((re.sub(r"\s+", " ", m.group(1).lower()), found.group(0).strip()))
    return parts if len({label for label, _ in parts}) >= 2 else []


def parts_verdict(response: str, gold: str):
    r"""Rules-mode verdict for a gold in labelled parts (:func:`labelled_parts`), or None for any other gold.

    Each part is looked up in the response at the last mention of its label (the final statement wins): the
    intervals that follow it, or that it names ("so (−∞, 1] is the domain"), must equal the gold's, by value. The extraction reports every part found.

    >>> parts_verdict("So the domain is $[-4,0)$ and the range is $(-3,1]$.", "domain: [-4, 0) and range: (-3, 1]").correct
    True
    >>> parts_verdict("Domain: [-4, 0). Range: (-3, 1).", "domain: [-4, 0) and range: (-3, 1]").correct
    False
    """
    from eval.registry import SampleVerdict
    from mmagrae.verifiers import symbolic
    from mmagrae.verifiers.extraction import strip_think

    parts = labelled_parts(gold)
    if not parts:
        return None
    plain = _plain(strip_think(response)[-4000:])
    stated = []
    for label, value in parts:
        mentions = [m for m in _PART_LABEL.finditer(plain) if re.sub(r"\s+", " ", m.group(1).lower()) == label]
        if not mentions:
            return SampleVerdict("; ".join(stated) or None, False)
        before = _NAMED_AFTER.search(plain, max(0, mentions[-1].start() - 200), mentions[-1].start())
        found = before or _INTERVALS.search(plain, mentions[-1].end(), mentions[-1].end() + 200)  # "(−∞, 1] is the domain"
        if found is None:
            return SampleVerdict("; ".join(stated) or None, False)
        answer = re.sub(r"\s*(?:\bU\b|\bor\b|\band\b)\s*", " ∪ ", found.group(0))
        stated.append(f"{label}: {answer.strip()}")
        try:
            same = symbolic.expressions_equal(answer, value)[0]
        except symbolic.ParseError:
            same = symbolic.canonical_text(answer) == symbolic.canonical_text(value)
        if not same:
            return SampleVerdict("; ".join(stated), False)
    return SampleVerdict("; ".join(stated), True)


# --------------------------------------------------------------------------- piecewise answers
# Two MathVerse golds (ten rows of testmini) are piecewise functions: "When x<=3 $f(x)=-x+1$, when x>3,
# $f(x)=x-5$". A judge needs every piece, each with its own condition; reading the last expression alone
# accepted a changed bound.
_CMP = r"<=|>=|<|>"
_CONDITION = re.compile(rf"\b([a-z])\s*({_CMP})\s*(-?\d+(?:\.\d+)?)|(-?\d+(?:\.\d+)?)\s*({_CMP})\s*([a-z])\b")
_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}
_PIECE_END = r"(?=\s*(?:[,;&\n]|\\\\|\bwhen\b|\bfor\b|\bif\b|\band\b|\botherwise\b|\.(?:\s|$)|$))"
_DEFINED = re.compile(rf"(?:\b[a-zA-Z]\s*\(\s*[a-z]\s*\)|\by)\s*=\s*(?!\\begin)([^=,;&\n]+?){_PIECE_END}")
# rows of a brace written in plain text: "f(x) = { −x + 1, x ≤ 3; x − 5, x > 3 }" (value, then its condition)
_BRACE_OPEN_RE = re.compile(r"=\s*\\?\{")
_BRACE_ROW = re.compile(  # rows after "= {", ";" or a line break: "−x + 1, x ≤ 3", "x − 5 for x > 3"
    r"(?:=\s*\\?\{|;|\n)[ \t]*([^,;{}\n=\\]+?)\s*(?:,|\s(?:for|if|when)\b)\s*(?:if\s+)?"
    r"(?=[a-z]\s*(?:<=|>=|<|>)|-?\d+(?:\.\d+)?\s*(?:<=|>=|<|>))"
)
_CASE_ROW = re.compile(r"(?:\\begin\{cases\}|\n)[ \t]*([^&\s](?:[^&\n]*[^&\s])?)[ \t]*,?[ \t]*&")  # rows ("\\" is "\n")


def _comparisons(text: str) -> str:
    """``≤``, ``\\le``, ``\\leqslant`` ... as ``<=``; ``\\lt`` as ``<``."""
    text = re.sub(r"≤|\\leq?(?:slant)?(?![a-zA-Z])", "<=", text)
    text = re.sub(r"≥|\\geq?(?:slant)?(?![a-zA-Z])", ">=", text)
    return re.sub(r"\\lt(?![a-zA-Z])", "<", re.sub(r"\\gt(?![a-zA-Z])", ">", text))


def _pieces(text: str) -> list[tuple[int, str, Any]]:
    """Conditions ``("C", (var, op, number))`` and defined values ``("E", expression)`` by position."""
    items: list[tuple[int, str, Any]] = []
    for m in _CONDITION.finditer(text):
        if m.group(1):
            items.append((m.start(), "C", (m.group(1), m.group(2), float(m.group(3)))))
        else:
            items.append((m.start(), "C", (m.group(6), _FLIP[m.group(5)], float(m.group(4)))))
    for m in _DEFINED.finditer(text):
        items.append((m.start(1), "E", m.group(1).strip()))
    for m in _CASE_ROW.finditer(text):
        items.append((m.start(1), "E", m.group(1).strip()))
    return sorted(items, key=lambda item: item[0])


def _brace_pairs(text: str) -> dict[Any, str]:
    """condition -> value of the rows of the last plain-text brace ("{ −x + 1, x ≤ 3; x − 5, x > 3 }"), when it
    closes the response's statements (no condition after it); empty otherwise."""
    start = max((m.end() - 1 for m in _BRACE_OPEN_RE.finditer(text)), default=-1)  # the last "= {" (not "{x | …}")
    if start == -1 or "}" not in text[start:] or _CONDITION.search(text, text.find("}", start) + 1 if "}" in text[start:] else len(text)):
        return {}
    pairs: dict[Any, str] = {}
    for m in _BRACE_ROW.finditer(text, max(0, start - 4)):
        cond = _CONDITION.match(text, m.end())
        if cond is None:
            continue
        key = ((cond.group(1), cond.group(2), float(cond.group(3))) if cond.group(1)
               else (cond.group(6), _FLIP[cond.group(5)], float(cond.group(4))))
        pairs[key] = m.group(1).strip()
    return pairs if len(pairs) >= 2 else {}


def _pairs(items: list[tuple[int, str, Any]], forward: bool) -> dict[Any, str]:
    """condition -> the value defined beside it (after it when ``forward``, else before); the last wins."""
    pairs: dict[Any, str] = {}
    for i, (_, kind, condition) in enumerate(items):
        if kind != "C":
            continue
        step = 1 if forward else -1
        j = i + step
        while 0 <= j < len(items) and items[j][1] != "C":
            if items[j][1] == "E":
                pairs[condition] = items[j][2]
                break
            j += step
    return pairs


def _extra_pieces(items: list[tuple[int, str, Any]], gold_pairs: dict) -> bool:
    """Whether the response states a condition the gold has not, after its final statement of the gold's pieces
    began ("… and also x>=3: f(x)=x-5", "Or possibly when x<=2, …"): more pieces than the answer has."""
    last_seen = {c: pos for pos, kind, c in items if kind == "C" and c in gold_pairs}
    start = min(last_seen.values(), default=0)
    return any(kind == "C" and c not in gold_pairs for pos, kind, c in items if pos >= start)


def piecewise_verdict(response: str, gold: str):
    r"""Rules-mode verdict for a piecewise gold (two or more conditions, each with its ``f(x)=`` value), or
    None for any other gold. Every gold piece must be stated with its condition, read in the last part of the
    response (the value defined right after each condition, as in prose, or right before it, as in
    ``\begin{cases}`` rows).

    >>> piecewise_verdict("So $f(x)=-x+1$ for $x \\le 3$ and $f(x)=x-5$ for $x>3$.",
    ...                   "When x<=3 $f(x)=-x+1$, when x>3, $f(x)=x-5$").correct
    True
    >>> piecewise_verdict("When x<=2, f(x)=-x+1; when x>2, f(x)=x-5.", "When x<=3 $f(x)=-x+1$, when x>3, $f(x)=x-5$").correct
    False
    """
    from eval.registry import SampleVerdict
    from mmagrae.verifiers import symbolic
    from mmagrae.verifiers.extraction import strip_think

    gold_items = _pieces(_comparisons(_plain(gold.replace("\\\\", "\n"))))
    gold_conditions = [c for _, kind, c in gold_items if kind == "C"]
    gold_pairs = _pairs(gold_items, forward=True)
    if len(gold_conditions) < 2 or len(gold_pairs) != len(gold_conditions):
        return None
    plain = _comparisons(_plain(strip_think(response)[-1500:].replace("\\\\", "\n")))
    items = _pieces(plain)
    braced = _brace_pairs(plain)  # "f(x) = { −x + 1, x ≤ 3; x − 5, x > 3 }": each value with its own condition
    stated = None
    for forward in ((None,) if braced else (True, False)):
        pairs = braced or _pairs(items, forward)
        shown = "; ".join(f"{v}{op}{n:g}: {e}" for (v, op, n), e in pairs.items()) or None
        stated = stated or shown
        if all(c in pairs for c in gold_pairs) and not _extra_pieces(items, gold_pairs):
            stated = shown
            try:
                if all(symbolic.expressions_equal(pairs[c], e)[0] for c, e in gold_pairs.items()):
                    return SampleVerdict(shown, True)
            except symbolic.ParseError:
                pass
    return SampleVerdict(stated, False)
