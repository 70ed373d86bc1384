"""Reports: a Markdown table and one PNG bar chart per category key.

Input is a summary from :func:`eval.scoring.summarize` (``categories``: ``{key: {value: {accuracy, correct,
total}}}``) or MathVista's official score layout (categories at the top level); both are read the same way.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eval.outputs import Outputs, safe_text

_SCALARS = ("average", "accuracy", "correct", "total", "problems", "n", "pass@k", "categories", "benchmark",
            "split", "mode", "extra", "official", "rules_agreement", "skipped_rows", "judge_failures",
            "judge_last_error")


def md_cell(value: Any) -> str:
    """``value`` as the text of one Markdown table cell: ``|`` escaped as ``\\|``, and line breaks and other
    control characters (``\\n``, ``\\r``, U+2028, NEL, ...) replaced by spaces, so that no value can end its row
    or add one.

    >>> print(md_cell("a | 9 |\\n| b"))
    a \\| 9 \\| \\| b
    """
    text = str(value)
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)
    return text.replace("|", "\\|")


def category_tables(scores: Mapping[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    if "categories" in scores:
        return dict(scores["categories"])
    return {k: v for k, v in scores.items() if k not in _SCALARS and isinstance(v, Mapping)}


def overall(scores: Mapping[str, Any]) -> tuple[str, int, int]:
    if "average" in scores:
        a = scores["average"]
        return str(a["accuracy"]), int(a["correct"]), int(a["total"])
    return str(scores["accuracy"]), int(scores["correct"]), int(scores["total"])


def markdown(scores: Mapping[str, Any], title: str = "Scores") -> str:
    acc, correct, total = overall(scores)
    lines = [f"# {title}", "", f"**Accuracy: {acc}%** ({correct}/{total})", ""]
    if scores.get("judge_failures"):
        lines += [f"**Judge: {scores['judge_failures']} calls failed** (last error: {md_cell(scores.get('judge_last_error'))});"
                  " their responses extracted nothing and count as wrong.", ""]
    if scores.get("pass@k"):
        lines += ["| k | pass@k (%) |", "|---:|---:|"] + [f"| {k} | {v:.2f} |" for k, v in scores["pass@k"].items()] + [""]
    extra = scores.get("extra")
    if extra:
        lines += ["## Benchmark metrics", "", "```json", _json(extra), "```", ""]
    for key, table in category_tables(scores).items():
        lines += [f"## {md_cell(key)}", "", f"| {md_cell(key)} | accuracy (%) | correct | total |",
                  "|---|---:|---:|---:|"]
        lines += [f"| {md_cell(v)} | {md_cell(row['accuracy'])} | {md_cell(row['correct'])} | {md_cell(row['total'])} |"
                  for v, row in table.items()]
        lines.append("")
    return "\n".join(lines)


def _json(obj: Any) -> str:
    import json

    return json.dumps(obj, indent=2, ensure_ascii=False)


def chart_images(scores: Mapping[str, Any], title: str = "") -> dict[str, bytes]:
    """One horizontal bar chart per category key: ``{"chart_<key>.png": PNG bytes}``."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    images = {}
    for key, table in category_tables(scores).items():
        labels = [safe_text(str(v)) for v in table]
        values = [float(r["accuracy"]) for r in table.values()]
        fig, ax = plt.subplots(figsize=(7, 0.35 * len(labels) + 1.2))
        ax.barh(labels[::-1], values[::-1], color="#4c72b0")
        ax.set_xlim(0, 100)
        ax.set_xlabel("accuracy (%)")
        ax.set_title(safe_text(f"{title} — {key}" if title else key))
        for y, v in enumerate(values[::-1]):
            ax.text(min(v + 1, 92), y, f"{v:.1f}", va="center", fontsize=8)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80)
        plt.close(fig)
        images[f"chart_{''.join(c if c.isalnum() else '_' for c in key)}.png"] = buffer.getvalue()
    return images


def add_reports(outputs: Outputs, scores: Mapping[str, Any], out_dir: str | Path, title: str,
                card: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Stage ``scores.md`` (ending with the eval card's Markdown block when ``card`` is given) and the charts in
    ``outputs`` (written by its ``commit``); returns their paths."""
    out_dir = Path(out_dir)
    text = markdown(scores, title)
    if card is not None:
        from eval.card import markdown as card_markdown

        text = text.rstrip("\n") + "\n\n" + card_markdown(card)
    outputs.add_text(out_dir / "scores.md", text)
    charts = []
    for name, data in chart_images(scores, title).items():
        outputs.add_bytes(out_dir / name, data)
        charts.append(str(out_dir / name))
    return {"markdown": str(out_dir / "scores.md"), "charts": charts}


def write_reports(scores: Mapping[str, Any], out_dir: str | Path, title: str,
                  card: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``scores.md`` and the charts (:func:`add_reports`), written at once."""
    outputs = Outputs()
    written = add_reports(outputs, scores, out_dir, title, card)
    outputs.commit()
    return written
