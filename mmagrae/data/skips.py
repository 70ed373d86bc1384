"""Counting what the data pipeline drops, and saying so once."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

logger = logging.getLogger("mmagrae.data")


@dataclass
class SkipReport:
    """Rows seen, kept and skipped (by reason, with a few example ids) in one pipeline stage.

    >>> r = SkipReport("rows")
    >>> r.keep(); r.skip("empty answer", "q7"); r.skip("missing image", "q9")
    >>> r.summary()
    'rows: kept 1 of 3, skipped 2 (empty answer: 1, missing image: 1)'
    """

    what: str = "rows"
    seen: int = 0
    kept: int = 0
    reasons: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    max_examples: int = 5

    @property
    def skipped(self) -> int:
        return sum(self.reasons.values())

    def keep(self) -> None:
        self.seen += 1
        self.kept += 1

    def skip(self, reason: str, row_id: object = None) -> None:
        self.seen += 1
        self.reasons[reason] += 1
        ids = self.examples.setdefault(reason, [])
        if row_id is not None and len(ids) < self.max_examples:
            ids.append(str(row_id))

    def summary(self) -> str:
        text = f"{self.what}: kept {self.kept} of {self.seen}"
        if self.skipped:
            detail = ", ".join(f"{reason}: {count}" for reason, count in sorted(self.reasons.items()))
            text += f", skipped {self.skipped} ({detail})"
        return text

    def warn(self) -> None:
        """Log one warning with the counts and example ids when anything was skipped."""
        if self.skipped:
            examples = "; ".join(f"{r}: {', '.join(ids)}" for r, ids in sorted(self.examples.items()) if ids)
            logger.warning("%s%s", self.summary(), f" [e.g. {examples}]" if examples else "")

    def as_dict(self) -> dict[str, object]:
        return {"seen": self.seen, "kept": self.kept, "skipped": self.skipped, "reasons": dict(self.reasons),
                "examples": {k: list(v) for k, v in self.examples.items()}}
