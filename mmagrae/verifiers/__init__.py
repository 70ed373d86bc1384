"""Answer verifiers: text in, ``Verdict`` out. Pure Python (no torch, no sympy on the fast paths).

>>> from mmagrae.verifiers import verify
>>> verify("<think>…</think><answer>\\\\frac{9}{4}</answer>", "2.25")
Verdict(correct=True, score=1.0, extracted='\\\\frac{9}{4}', reason='numeric: 2.25 == 2.25', bad_gold=False)

See docs/VERIFIERS.md for what each answer kind accepts and rejects.
"""

from mmagrae.verifiers.batch import verify_batch
from mmagrae.verifiers.dispatch import ANSWER_TYPES, normalize_answer_type, validate_gold, verify
from mmagrae.verifiers.extraction import extract, extract_answer
from mmagrae.verifiers.verdict import GoldAnswerError, Verdict

__all__ = [
    "verify",
    "verify_batch",
    "extract_answer",
    "extract",
    "validate_gold",
    "normalize_answer_type",
    "ANSWER_TYPES",
    "Verdict",
    "GoldAnswerError",
]
