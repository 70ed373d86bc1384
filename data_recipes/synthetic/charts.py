"""Bar, line and pie charts with questions about the data, drawn with PIL (default) or matplotlib.

=====  ==================  ==================================================  ==============================
level  charts              data shown                                          questions
=====  ==================  ==================================================  ==============================
1      bar                 3-5 categories, integers 1-50, value on each bar    read a value; max/min category
2      bar, line           4-6 categories, multiples of 5, values written      difference; sum of two; max/min
3      bar, line, pie      bars/lines without values on a 10-grid; pie counts  read off the grid; average;
                                                                               percentage share (pie)
=====  ==================  ==================================================  ==============================

Answers: integers, categories (``text``), floats with one decimal (``precision`` 1) for averages and shares
(``unit`` "%"). At level 3 half the items are multiple choice (``multiple_choice=`` sets the share).
Every number asked about is printed on the chart or sits exactly on a labelled grid line, so the answer is
determined by the image. Images are 320x240 RGB. ``renderer="pil"`` (default) draws in about 1 ms with
Pillow's bundled font; ``renderer="matplotlib"`` looks closer to real charts but costs ~40 ms per chart
(1,000 charts would take most of a minute on one core).
"""

from __future__ import annotations

import random
from typing import Any

from data_recipes.schema import format_float
from data_recipes.synthetic._common import font, row
from data_recipes.synthetic._common import multiple_choice as make_choices

LEVELS = (1, 2, 3)
LEVEL_CHARTS: dict[int, tuple[str, ...]] = {1: ("bar",), 2: ("bar", "line"), 3: ("bar", "line", "pie")}
CATEGORY_SETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Sales by day", ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")),
    ("Rainfall by month (mm)", ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul")),
    ("Fruit sold", ("Apple", "Banana", "Cherry", "Grape", "Mango", "Pear", "Plum")),
    # no numeric category names (years): under relaxed accuracy "2020" would match a gold "2021"
    ("Visitors by region (thousands)", ("North", "South", "East", "West", "Central", "Coast", "Hills")),
    ("Students by club", ("Art", "Chess", "Drama", "Music", "Robotics", "Science", "Sport")),
    ("Cars by colour", ("Red", "Blue", "Black", "White", "Silver", "Green", "Gray")),
)
COLOURS = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3")
WIDTH, HEIGHT, DPI = 3.2, 2.4, 100


def _axis_step(top: int) -> int:
    return 10 if top > 50 else 5


def render_pil(chart: str, title: str, labels: list[str], values: list[int], annotate: bool,
               rng: random.Random):
    """Draw the chart with PIL (about 1 ms; the default): axes, a labelled y grid, bars / a line / a pie with
    a legend, values written when ``annotate``."""
    from PIL import Image, ImageDraw

    width, height = int(WIDTH * DPI), int(HEIGHT * DPI)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((width / 2, 10), title, fill="black", font=font(12), anchor="mm")
    small = font(10)
    if chart == "pie":
        colours = rng.sample(COLOURS, len(values))
        total = sum(values)
        box = (20, 35, 190, 205)
        start = -90.0  # 12 o'clock, clockwise
        for value, colour in zip(values, colours, strict=True):
            end = start + 360.0 * value / total
            draw.pieslice(box, start, end, fill=colour, outline="white", width=1)
            start = end
        for k, (label, value, colour) in enumerate(zip(labels, values, colours, strict=True)):
            y = 60 + 22 * k
            draw.rectangle((205, y - 6, 217, y + 6), fill=colour)
            draw.text((223, y), f"{label}: {value}", fill="black", font=small, anchor="lm")
        return image
    left, right, top, bottom = 36, width - 8, 26, height - 24
    step = _axis_step(max(values))
    y_max = (max(values) // step + 2) * step

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * value / y_max

    for tick in range(0, y_max + 1, step):
        y = y_of(tick)
        draw.line((left, y, right, y), fill=(221, 221, 221))
        draw.text((left - 4, y), str(tick), fill="black", font=small, anchor="rm")
    draw.line((left, top, left, bottom), fill="black")
    draw.line((left, bottom, right, bottom), fill="black")
    slot = (right - left) / len(values)
    centres = [left + slot * (k + 0.5) for k in range(len(values))]
    colour = rng.choice(COLOURS)
    if chart == "bar":
        for x, value in zip(centres, values, strict=True):
            draw.rectangle((x - 0.3 * slot, y_of(value), x + 0.3 * slot, bottom), fill=colour)
    else:
        points = [(x, y_of(v)) for x, v in zip(centres, values, strict=True)]
        draw.line(points, fill=colour, width=2)
        for x, y in points:
            draw.ellipse((x - 3, y - 3, x + 3, y + 3), fill=colour)
    for x, label, value in zip(centres, labels, values, strict=True):
        draw.text((x, bottom + 4), label, fill="black", font=small, anchor="mt")
        if annotate:
            draw.text((x, y_of(value) - 5), str(value), fill="black", font=small, anchor="mb")
    return image


def render_matplotlib(chart: str, title: str, labels: list[str], values: list[int], annotate: bool,
                      rng: random.Random):
    """Draw the chart with matplotlib (Agg, DejaVu Sans): closer to real charts, about 40 ms each."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_title(title, fontsize=9)
    if chart == "pie":
        colours = rng.sample(COLOURS, len(values))
        axes.pie(values, labels=[f"{label}: {value}" for label, value in zip(labels, values, strict=True)],
                 colors=colours, startangle=90, counterclock=False, textprops={"fontsize": 7},
                 wedgeprops={"linewidth": 1, "edgecolor": "white"})
        axes.set_aspect("equal")
    else:
        positions = list(range(len(values)))
        if chart == "bar":
            axes.bar(positions, values, color=rng.choice(COLOURS), width=0.6, zorder=2)
        else:
            axes.plot(positions, values, color=rng.choice(COLOURS), marker="o", markersize=4, zorder=2)
        axes.set_xticks(positions, labels, fontsize=7)
        top = max(values)
        step = _axis_step(top)
        axes.set_ylim(0, (top // step + 2) * step)
        axes.set_yticks(range(0, (top // step + 2) * step + 1, step))
        axes.tick_params(axis="y", labelsize=7)
        axes.grid(axis="y", color="#dddddd", zorder=0)
        axes.spines[["top", "right"]].set_visible(False)
        if annotate:
            for x, value in zip(positions, values, strict=True):
                axes.annotate(str(value), (x, value), xytext=(0, 3), textcoords="offset points",
                              ha="center", fontsize=7)
    # fixed margins: tight_layout would cost a third of the time per chart
    if chart == "pie":
        figure.subplots_adjust(left=0.02, right=0.98, top=0.9, bottom=0.02)
    else:
        figure.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.1)
    figure.canvas.draw()
    rgba = figure.canvas.buffer_rgba()
    width, height = figure.canvas.get_width_height()
    return Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1).convert("RGB")


RENDERERS = {"pil": render_pil, "matplotlib": render_matplotlib}


def _values(rng: random.Random, n: int, low: int, high: int, step: int, distinct_extremes: bool = True) -> list[int]:
    """``n`` values on a ``step`` grid in [low, high] whose max and min are unique (so max/min have one answer)."""
    while True:
        values = [rng.randrange(low, high + 1, step) for _ in range(n)]
        if not distinct_extremes or (values.count(max(values)) == 1 and values.count(min(values)) == 1):
            return values


def _distinct_under_relaxed_accuracy(answer: str, distractors: list[str]) -> list[str]:
    """Drop numeric distractors within 5% of the answer: ChartQA's relaxed accuracy (``task="chart"``) would
    count them correct, so the item would have two right options.

    >>> _distinct_under_relaxed_accuracy("30", ["29", "35", "Mon", "0"])
    ['35', 'Mon', '0']
    """
    try:
        gold = float(answer)
    except ValueError:
        return distractors
    kept = []
    for option in distractors:
        try:
            value = float(option)
        except ValueError:
            kept.append(option)
            continue
        if abs(value - gold) > 0.05 * abs(gold) + 1e-9:
            kept.append(option)
    return kept


def make_row(
    rng: random.Random,
    difficulty: int,
    *,
    charts: tuple[str, ...] | list[str] | None = None,
    multiple_choice: float | None = None,
    renderer: str = "pil",
) -> dict[str, Any]:
    """One chart item at ``difficulty`` 1-3; ``charts`` restricts the chart types (bar, line, pie);
    ``renderer`` is ``"pil"`` (fast, default) or ``"matplotlib"``.

    >>> import random
    >>> item = make_row(random.Random(0), 1)
    >>> item["task"], item["answer_type"] in ("integer", "text")
    ('chart', True)
    """
    if renderer not in RENDERERS:
        raise ValueError(f"unknown chart renderer {renderer!r} (allowed: {', '.join(RENDERERS)})")
    if difficulty not in LEVELS:
        raise ValueError(f"charts difficulty must be one of {LEVELS}, got {difficulty!r}")
    kinds = tuple(charts) if charts else LEVEL_CHARTS[difficulty]
    unknown = [k for k in kinds if k not in ("bar", "line", "pie")]
    if unknown:
        raise ValueError(f"unknown chart types {unknown} (allowed: bar, line, pie)")
    chart = rng.choice(kinds)
    title, pool = rng.choice(CATEGORY_SETS)
    n = rng.randint(3, 5) if difficulty == 1 else rng.randint(4, 6)
    labels = list(pool[:n]) if rng.random() < 0.5 else sorted(rng.sample(pool, n), key=pool.index)
    if chart == "pie":
        values = _values(rng, min(n, 5), 5, 60, 1)
        labels = labels[: len(values)]
    elif difficulty == 1:
        values = _values(rng, n, 1, 50, 1)
    elif difficulty == 2:
        values = _values(rng, n, 5, 100, 5)
    else:
        values = _values(rng, n, 10, 90, 10)
    annotate = difficulty < 3
    image = RENDERERS[renderer](chart, title, labels, values, annotate, rng)
    data = dict(zip(labels, values, strict=True))

    precision: int | None = None
    unit: str | None = None
    questions = ["value", "extreme"]
    if difficulty >= 2:
        questions = ["difference", "sum", "extreme"]
    if difficulty == 3:
        questions = ["share"] if chart == "pie" else ["value", "average", "extreme"]
    question_kind = rng.choice(questions)
    a, b = rng.sample(labels, 2)
    if question_kind == "value":
        question = f"What is the value for {a}?"
        answer, answer_type = str(data[a]), "integer"
        distractors = [str(v) for v in (data[a] + 1, data[a] - 1, data[a] + 5, data[a] - 5, data[a] + 10,
                                        data[a] * 2, *values)]
    elif question_kind == "difference":
        question = f"What is the difference between the values for {a} and {b}?"
        value = abs(data[a] - data[b])
        answer, answer_type = str(value), "integer"
        distractors = [str(v) for v in (value + 5, value + 10, data[a] + data[b], max(value - 5, 1), value * 2)]
    elif question_kind == "sum":
        question = f"What is the sum of the values for {a} and {b}?"
        value = data[a] + data[b]
        answer, answer_type = str(value), "integer"
        distractors = [str(v) for v in (value + 5, value - 5, value + 10, abs(data[a] - data[b]), value * 2)]
    elif question_kind == "average":
        question = "What is the average of all values? Round to one decimal place."
        value = sum(values) / len(values)
        answer, answer_type, precision = format_float(value, 1), "float", 1
        distractors = [format_float(v, 1) for v in (value + 5, value - 5, value + 10, sum(values) / (len(values) - 1))]
    elif question_kind == "share":
        question = f"What percentage of the total is {a}? Round to one decimal place."
        value = 100 * data[a] / sum(values)
        answer, answer_type, precision, unit = format_float(value, 1), "float", 1, "%"
        distractors = [format_float(v, 1) for v in (value + 5, value - 5, value * 2, value / 2, float(data[a]))]
    else:
        highest = rng.random() < 0.5
        target = max(values) if highest else min(values)
        question = f"Which category has the {'highest' if highest else 'lowest'} value?"
        answer = labels[values.index(target)]
        answer_type = "text"
        distractors = [label for label in labels if label != answer] + [p for p in pool if p not in labels]

    share = multiple_choice if multiple_choice is not None else (0.5 if difficulty == 3 else 0.0)
    if rng.random() < share:
        choices, line = make_choices(rng, answer, _distinct_under_relaxed_accuracy(answer, distractors))
        return row(f"<image>{question} {line}", [image], answer, answer_type="multiple_choice",
                   choices=choices, unit=unit, task="chart")
    return row(f"<image>{question}", [image], answer, answer_type=answer_type, precision=precision, unit=unit,
               task="chart")
