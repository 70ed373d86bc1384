"""Counting shapes: "How many circles are in the image?" -> ``"3"``.

Level 1 is exactly the task docs/DESIGN.md §4 records a ~1M-parameter random Qwen2-VL learning with RL on CPU:
112x112 white images with 1-4 black filled circles of one fixed radius (12 px), not overlapping, answer an
integer. Harder levels break the visual simplicity that made it learnable:

=====  ======  =======  ==========  ================  ==================================================
level  size    count    radius      colours           question
=====  ======  =======  ==========  ================  ==================================================
1      112     1-4      12          black             How many circles are in the image?
2      112     1-6      6-14        black             How many circles are in the image?
3      160     1-7      7-14        8-colour palette  How many squares? (one kind asked, 0-3 of the others)
4      160     0-6      7-14        8-colour palette  How many red squares? (distractors share one of the two)
=====  ======  =======  ==========  ================  ==================================================

Shapes never overlap (centres at least r1 + r2 + 3 px apart) and stay 2 px inside the border.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from data_recipes.synthetic._common import row

LEVELS = (1, 2, 3, 4)
SHAPES = ("circle", "square", "triangle")
PALETTE = {
    "black": (0, 0, 0),
    "red": (220, 40, 40),
    "blue": (40, 80, 220),
    "green": (40, 160, 60),
    "orange": (245, 140, 20),
    "purple": (140, 60, 180),
    "brown": (130, 80, 40),
    "gray": (128, 128, 128),
}
PLURAL = {"circle": "circles", "square": "squares", "triangle": "triangles"}


@dataclass(frozen=True)
class Shape:
    kind: str  # circle | square | triangle
    x: float  # centre, pixels
    y: float
    radius: float  # circumradius: the shape fits in a circle of this radius around (x, y)
    colour: str


def place_shapes(
    rng: random.Random, specs: list[tuple[str, float, str]], size: int, gap: float = 3.0, margin: float = 2.0
) -> list[Shape]:
    """Place shapes ``(kind, radius, colour)`` at random without overlap; restarts the layout when stuck."""
    for _attempt in range(200):
        placed: list[Shape] = []
        for kind, radius, colour in specs:
            for _try in range(200):
                x = rng.uniform(radius + margin, size - radius - margin)
                y = rng.uniform(radius + margin, size - radius - margin)
                if all(math.hypot(x - s.x, y - s.y) >= radius + s.radius + gap for s in placed):
                    placed.append(Shape(kind, x, y, radius, colour))
                    break
            else:
                break
        if len(placed) == len(specs):
            return placed
    raise RuntimeError(f"could not place {len(specs)} shapes in a {size}x{size} image")


def draw_shapes(shapes: list[Shape], size: int):
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    for s in shapes:
        fill = PALETTE[s.colour]
        if s.kind == "circle":
            draw.ellipse([s.x - s.radius, s.y - s.radius, s.x + s.radius, s.y + s.radius], fill=fill)
        elif s.kind == "square":
            half = s.radius / math.sqrt(2)
            draw.rectangle([s.x - half, s.y - half, s.x + half, s.y + half], fill=fill)
        else:  # equilateral triangle, apex up
            points = [
                (s.x + s.radius * math.cos(a), s.y - s.radius * math.sin(a))
                for a in (math.pi / 2, math.pi / 2 + 2 * math.pi / 3, math.pi / 2 + 4 * math.pi / 3)
            ]
            draw.polygon(points, fill=fill)
    return image


def make_row(
    rng: random.Random,
    difficulty: int,
    *,
    image_size: int | None = None,
    max_count: int | None = None,
    radius: float | None = None,
) -> dict[str, Any]:
    """One counting item at ``difficulty`` 1-4; ``image_size``, ``max_count``, ``radius`` override the level.

    >>> import random
    >>> item = make_row(random.Random(0), 1)
    >>> item["problem"], item["answer_type"], 1 <= int(item["answer"]) <= 4
    ('<image>How many circles are in the image?', 'integer', True)
    """
    if difficulty not in LEVELS:
        raise ValueError(f"counting difficulty must be one of {LEVELS}, got {difficulty!r}")
    size = image_size or (112 if difficulty <= 2 else 160)
    top = max_count or {1: 4, 2: 6, 3: 7, 4: 6}[difficulty]

    def pick_radius() -> float:
        if radius is not None:
            return radius
        return 12.0 if difficulty == 1 else float(rng.randint(6 if difficulty == 2 else 7, 14))

    if difficulty <= 2:
        count = rng.randint(1, top)
        specs = [("circle", pick_radius(), "black") for _ in range(count)]
        question = "How many circles are in the image?"
    elif difficulty == 3:
        target = rng.choice(SHAPES)
        count = rng.randint(1, top)
        others = [k for k in SHAPES if k != target]
        n_distractors = rng.randint(0, 3)
        specs = [(target, pick_radius(), rng.choice(list(PALETTE))) for _ in range(count)]
        specs += [(rng.choice(others), pick_radius(), rng.choice(list(PALETTE))) for _ in range(n_distractors)]
        question = f"How many {PLURAL[target]} are in the image?"
    else:
        target, colour = rng.choice(SHAPES), rng.choice([c for c in PALETTE if c != "black"])
        count = rng.randint(0, top)
        specs = [(target, pick_radius(), colour) for _ in range(count)]
        # distractors share the shape or the colour, never both
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.5:
                specs.append((target, pick_radius(), rng.choice([c for c in PALETTE if c != colour])))
            else:
                specs.append((rng.choice([k for k in SHAPES if k != target]), pick_radius(), colour))
        question = f"How many {colour} {PLURAL[target]} are in the image?"
    rng.shuffle(specs)
    image = draw_shapes(place_shapes(rng, specs, size), size)
    return row(f"<image>{question}", [image], str(count), answer_type="integer", task="counting")
