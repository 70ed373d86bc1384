"""The result type of every verifier, the gold-answer error, and the per-call limits.

>>> Verdict(True, 1.0, "12", "numeric: equal").correct
True
>>> Verdict(False, 0.0, None, "bad gold: empty gold answer", bad_gold=True).bad_gold
True
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

# Hard limits applied to every call (text is never executed; these bound the work done on it).
MAX_RESPONSE_CHARS = 64_000  # longer responses are judged on their last 64k characters (answers come last)
MAX_ANSWER_CHARS = 2_000  # an extracted answer or gold longer than this is not parsed symbolically
MAX_NESTING = 64  # brace/paren depth beyond which an expression is rejected
DEFAULT_TIME_BUDGET_S = 0.25  # per-call wall-clock budget checked cooperatively (no SIGALRM)


@dataclass(frozen=True)
class Verdict:
    """Outcome of comparing one response with one gold answer.

    correct: the response's final answer matches the gold answer.
    score: 1.0 or 0.0 (kept as a float so that graded verifiers fit the same type).
    extracted: the final answer taken from the response, or None when none was found.
    reason: a short human-readable explanation ("numeric: 7.9 != 7", "bad gold: ...", "hedging: ...").
    bad_gold: the gold answer (or its choices/precision) cannot be read: a data error, never a reward. Test this
        flag, not the reason's text.
    """

    correct: bool
    score: float
    extracted: str | None
    reason: str
    bad_gold: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


class GoldAnswerError(ValueError):
    """The gold answer cannot be parsed for its declared answer type: an error in the data, not a reward."""


class VerifierTimeout(Exception):
    """Raised internally when a call runs past its budget; ``verify`` turns it into a wrong verdict."""


class Deadline:
    """A cooperative wall-clock deadline; parsers call ``check()`` in their loops.

    Works in any thread or process (unlike SIGALRM). Together with the size caps above it bounds every call.

    >>> d = Deadline(10.0); d.check(); d.expired()
    False
    """

    __slots__ = ("end",)

    def __init__(self, budget_s: float | None) -> None:
        self.end = None if budget_s is None else time.monotonic() + budget_s

    def expired(self) -> bool:
        return self.end is not None and time.monotonic() > self.end

    def check(self) -> None:
        if self.end is not None and time.monotonic() > self.end:
            raise VerifierTimeout("time budget exceeded")


NO_DEADLINE = Deadline(None)
