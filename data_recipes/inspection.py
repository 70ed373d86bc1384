"""Look at a saved dataset folder: summary statistics and a contact sheet of a few rows.

``mmagrae data inspect DIR`` prints :func:`summarize` and writes ``DIR/contact_sheet.png`` with each row's
image, problem text and answer, so a person can check at a glance that answers match pictures.
"""

from __future__ import annotations

import io
import statistics
import textwrap
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from data_recipes.schema import validate_row


def iter_saved_rows(path: str | Path, split: str = "train") -> Iterator[dict[str, Any]]:
    """Rows of one split of a folder written by ``save_dataset``, images as ``{"bytes", "path"}`` (not decoded).

    Reads the Parquet files with pyarrow directly: no ``datasets`` cache is written.
    """
    import pyarrow.parquet as pq

    files = sorted(Path(path).glob(f"{split}-*.parquet"))
    if not files:
        available = sorted({p.name.split("-")[0] for p in Path(path).glob("*.parquet")})
        raise FileNotFoundError(f"no split {split!r} in {path} (splits there: {available})")
    for file in files:
        for batch in pq.ParquetFile(file).iter_batches(batch_size=512):
            yield from batch.to_pylist()


def _image_size(image: dict[str, Any]) -> tuple[int, int] | None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(image["bytes"])) as opened:
            return opened.size
    except Exception:
        return None


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts by task, answer type, answer (top 10), unit and precision; image and problem-length ranges;
    duplicate ids and rows that break the schema."""
    sizes = [s for row in rows for s in (_image_size(i) for i in row["images"] or []) if s]
    lengths = [len(row["problem"]) for row in rows]
    images_per_row = [len(row["images"] or []) for row in rows]
    ids = Counter(row["id"] for row in rows)
    invalid = Counter(reason.split(" (")[0] for reason in (validate_row(row) for row in rows) if reason)
    return {
        "rows": len(rows),
        "task": dict(Counter(row["task"] for row in rows).most_common()),
        "answer_type": dict(Counter(row["answer_type"] for row in rows).most_common()),
        "top_answers": dict(Counter(row["answer"] for row in rows).most_common(10)),
        "distinct_answers": len({row["answer"] for row in rows}),
        "unit": dict(Counter(row["unit"] for row in rows if row["unit"]).most_common()),
        "precision": dict(Counter(str(row["precision"]) for row in rows if row["precision"] is not None)),
        "multiple_choice_share": round(sum(row["choices"] is not None for row in rows) / max(len(rows), 1), 4),
        "images_per_row": {"min": min(images_per_row, default=0), "max": max(images_per_row, default=0)},
        "image_width": {"min": min((s[0] for s in sizes), default=None), "max": max((s[0] for s in sizes), default=None)},
        "image_height": {"min": min((s[1] for s in sizes), default=None),
                         "max": max((s[1] for s in sizes), default=None)},
        "problem_chars": {"min": min(lengths, default=0), "mean": round(statistics.fmean(lengths), 1) if lengths else 0,
                          "max": max(lengths, default=0)},
        "duplicate_ids": sum(count - 1 for count in ids.values() if count > 1),
        "invalid_rows": dict(invalid),
    }


def _sheet_font(size: int):
    """matplotlib's DejaVu Sans when present (it has π, √, °), else Pillow's bundled font."""
    from PIL import ImageFont

    try:
        import matplotlib

        return ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts/ttf/DejaVuSans.ttf"), size)
    except (ImportError, OSError):
        return ImageFont.load_default(size=size)


def contact_sheet(rows: list[dict[str, Any]], out_path: str | Path, *, columns: int = 4, tile: int = 224) -> Path:
    """Draw ``rows`` as a grid: image (fit into ``tile`` px, first image only), problem and answer beneath."""
    from PIL import Image, ImageDraw

    text_font = _sheet_font(11)
    text_lines = 7
    line_height = 13
    cell_w, cell_h = tile + 8, tile + 8 + text_lines * line_height + 6
    n_rows = max(1, -(-len(rows) // columns))
    sheet = Image.new("RGB", (columns * cell_w, n_rows * cell_h), "white")
    draw = ImageDraw.Draw(sheet)
    chars = max(10, int(tile / 6.2))
    for k, row in enumerate(rows):
        x, y = (k % columns) * cell_w + 4, (k // columns) * cell_h + 4
        draw.rectangle([x - 2, y - 2, x + tile + 2, y + tile + 2], outline=(200, 200, 200))
        if row["images"]:
            try:
                image = Image.open(io.BytesIO(row["images"][0]["bytes"])).convert("RGB")
                image.thumbnail((tile, tile))
                sheet.paste(image, (x + (tile - image.width) // 2, y + (tile - image.height) // 2))
            except Exception:
                draw.text((x + 4, y + 4), "(unreadable image)", fill="red", font=text_font)
        problem = row["problem"].replace("<image>", "").strip()
        lines = textwrap.wrap(problem, chars)[: text_lines - 2]
        answer = f"answer: {row['answer']}  [{row['answer_type']}"
        answer += f", {row['precision']} dp]" if row["precision"] is not None else "]"
        lines += textwrap.wrap(answer, chars)[:1] + [str(row["id"])[: chars]]
        for i, line in enumerate(lines):
            colour = "black" if i < len(lines) - 2 else ("darkred" if i == len(lines) - 2 else "gray")
            draw.text((x, y + tile + 6 + i * line_height), line, fill=colour, font=text_font)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out)
    return out
