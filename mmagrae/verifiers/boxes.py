r"""``\\boxed{…}`` and ``\\fbox{…}`` groups: where they are and what they hold, nested and doubled boxes
unwrapped. Linear scans (brace matching that resumes after each box); re-exported by ``extraction``."""

from __future__ import annotations

import re

from mmagrae.verifiers.verdict import MAX_ANSWER_CHARS

__all__ = ["boxed_spans", "find_boxed"]


def _match_brace(text: str, open_index: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``open_index``, or -1. Escaped braces ``\\{`` are skipped."""
    depth = 0
    i = open_index
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


_BOX_RE = re.compile(r"\\(?:boxed|fbox)\b")


def find_boxed(text: str) -> list[str]:
    r"""Contents of the top-level ``\boxed{…}`` / ``\fbox{…}`` groups, in order, each with inner boxes unwrapped.

    Linear time: scanning resumes after each closed box and stops at an unclosed one.

    >>> find_boxed(r"a \boxed{1} b \fbox{\boxed{2}} \boxed 3")
    ['1', '2', '3']
    """
    return [content for _, _, content in boxed_spans(text)]


def boxed_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, content)`` of each top-level box (see ``find_boxed``)."""
    found: list[tuple[int, int, str]] = []
    pos = 0
    while True:
        m = _BOX_RE.search(text, pos)
        if m is None:
            break
        j = m.end()
        while j < len(text) and text[j] == " ":
            j += 1
        if j < len(text) and text[j] == "{":
            end = _match_brace(text, j)
            if end == -1:
                break
            content = text[j + 1 : end]
            pos = end + 1
        else:  # \boxed 5 : one token
            m2 = re.compile(r"[^\s$]+").match(text, j)
            if m2 is None:
                pos = j
                continue
            content = m2.group(0)
            pos = m2.end()
        found.append((m.start(), pos, _unwrap_boxes(content)))
    return found


def _unwrap_boxes(content: str) -> str:
    if len(content) > MAX_ANSWER_CHARS:  # too long to be judged anyway; keep the scan linear
        return content
    for _ in range(64):
        stripped = content.strip()
        m = _BOX_RE.match(stripped)
        if not m:
            break
        j = m.end()
        while j < len(stripped) and stripped[j] == " ":
            j += 1
        if j < len(stripped) and stripped[j] == "{" and _match_brace(stripped, j) == len(stripped) - 1:
            content = stripped[j + 1 : -1]
        else:
            break
    return content
