"""``<think>…</think>`` blocks: a reasoner's thinking is not its answer (re-exported by ``extraction``)."""

from __future__ import annotations

__all__ = ["strip_think"]


def strip_think(text: str) -> str:
    """Remove ``<think>…</think>`` blocks; text before a lone ``</think>`` and after a lone ``<think>`` too.

    >>> strip_think("<think>a</think>b<think>c")
    'b'
    >>> strip_think("reasoning</think>final")
    'final'
    """
    out: list[str] = []
    pos = 0
    while True:
        start = text.find("<think>", pos)
        end_tag = text.find("</think>", pos)
        if end_tag != -1 and (start == -1 or end_tag < start):
            # a closing tag without an opening one: the chat template opened it; drop what came before
            out.clear()
            pos = end_tag + len("</think>")
            continue
        if start == -1:
            out.append(text[pos:])
            break
        out.append(text[pos:start])
        end = text.find("</think>", start)
        if end == -1:  # unclosed: the rest is thinking
            break
        pos = end + len("</think>")
    return "".join(out)
