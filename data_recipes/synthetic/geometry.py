"""Geometry figures with exact answers: angles, parallel lines, circles with π, right triangles, similarity.

Problems by level (``problems=`` picks any of them whatever the level):

=====  ======================  =========================================================  ===============
level  problem                 what is asked                                              answer
=====  ======================  =========================================================  ===============
1      ``triangle_angle``      third angle of a triangle given two                        integer (deg)
1      ``parallel_angle``      an angle on two parallel lines cut by a transversal        integer (deg)
2      ``exterior_angle``      exterior angle of a triangle = sum of the remote interior  integer (deg)
2      ``isosceles_angle``     base angle of an isosceles triangle from its apex angle    integer (deg)
2      ``circle``              area or circumference from the radius, exact or rounded    ``25\\pi`` / float
3      ``parallel_algebra``    x in an angle ``(2x + 10)°`` on parallel lines             integer
3      ``circle_diameter``     area or circumference from the diameter                    ``25\\pi`` / float
3      ``right_triangle``      a side by Pythagoras, simplified root                      ``5\\sqrt{2}``
3      ``similar_triangles``   a side of the larger of two similar triangles              integer / float
=====  ======================  =========================================================  ===============

At level 3 half the items are multiple choice (``multiple_choice=`` sets the probability at any level): the
problem ends with ``Choices: (A) ... (D) ...`` and ``answer`` is the correct option's text.

Figures are 256x256 RGB, black lines on white, numbers in Pillow's bundled font (no π or √ glyphs in images).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

from data_recipes.schema import format_float
from data_recipes.synthetic._common import font, row
from data_recipes.synthetic._common import multiple_choice as make_choices

LEVELS = (1, 2, 3)
SIZE = 256
MARGIN = 36
LEVEL_PROBLEMS: dict[int, tuple[str, ...]] = {
    1: ("triangle_angle", "parallel_angle"),
    2: ("exterior_angle", "isosceles_angle", "circle"),
    3: ("parallel_algebra", "circle_diameter", "right_triangle", "similar_triangles"),
}
Point = tuple[float, float]


# ---------------------------------------------------------------- drawing helpers


class Canvas:
    """A 256x256 white image with a mapping from figure coordinates (y up) to pixels (y down)."""

    def __init__(self, points: list[Point], size: int = SIZE, margin: int = MARGIN):
        from PIL import Image, ImageDraw

        self.image = Image.new("RGB", (size, size), "white")
        self.draw = ImageDraw.Draw(self.image)
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
        self.scale = (size - 2 * margin) / span
        # centre the figure
        self.dx = (size - (max(xs) - min(xs)) * self.scale) / 2 - min(xs) * self.scale
        self.dy = (size - (max(ys) - min(ys)) * self.scale) / 2 + max(ys) * self.scale

    def px(self, p: Point) -> Point:
        return (p[0] * self.scale + self.dx, self.dy - p[1] * self.scale)

    def line(self, a: Point, b: Point, width: int = 2) -> None:
        self.draw.line([self.px(a), self.px(b)], fill="black", width=width)

    def polygon(self, points: list[Point]) -> None:
        pixels = [self.px(p) for p in points]
        self.draw.line([*pixels, pixels[0]], fill="black", width=2, joint="curve")

    def text(self, at_pixel: Point, text: str, size: int = 16) -> None:
        self.draw.text(at_pixel, text, fill="black", font=font(size), anchor="mm")

    def label_side(self, a: Point, b: Point, inside: Point, text: str) -> None:
        """Write ``text`` beside segment ab, on the side away from the point ``inside``."""
        (ax, ay), (bx, by), (ix, iy) = self.px(a), self.px(b), self.px(inside)
        mx, my = (ax + bx) / 2, (ay + by) / 2
        nx, ny = by - ay, ax - bx
        norm = math.hypot(nx, ny) or 1.0
        nx, ny = nx / norm, ny / norm
        if (ix - mx) * nx + (iy - my) * ny > 0:
            nx, ny = -nx, -ny
        self.text((mx + 15 * nx, my + 15 * ny), text)

    def label_angle(self, vertex: Point, p: Point, q: Point, text: str) -> None:
        """Write ``text`` inside the angle at ``vertex`` between the rays to ``p`` and ``q``, on its bisector,
        farther out when the angle is narrow."""
        (vx, vy), (px_, py), (qx, qy) = self.px(vertex), self.px(p), self.px(q)
        u = _unit(px_ - vx, py - vy)
        w = _unit(qx - vx, qy - vy)
        bx, by = _unit(u[0] + w[0], u[1] + w[1])
        half = math.acos(max(-1.0, min(1.0, u[0] * w[0] + u[1] * w[1]))) / 2
        distance = min(48.0, 16.0 / max(math.sin(half), 0.2))
        self.text((vx + distance * bx, vy + distance * by), text)

    def tick(self, a: Point, b: Point, count: int = 1) -> None:
        """Equal-length tick marks across the middle of segment ab."""
        (ax, ay), (bx, by) = self.px(a), self.px(b)
        mx, my = (ax + bx) / 2, (ay + by) / 2
        ux, uy = _unit(bx - ax, by - ay)
        for k in range(count):
            offset = (k - (count - 1) / 2) * 5
            cx, cy = mx + ux * offset, my + uy * offset
            self.draw.line([(cx - uy * 6, cy + ux * 6), (cx + uy * 6, cy - ux * 6)], fill="black", width=2)


def _unit(x: float, y: float) -> Point:
    norm = math.hypot(x, y) or 1.0
    return (x / norm, y / norm)


def _triangle(angle_a: float, angle_b: float) -> tuple[Point, Point, Point]:
    """Vertices of a triangle with base (0,0)-(1,0), angle ``angle_a`` (deg) at (0,0) and ``angle_b`` at (1,0)."""
    a, b = math.radians(angle_a), math.radians(angle_b)
    side = math.sin(b) / math.sin(a + b)  # law of sines: |P0 P2| over the base
    return (0.0, 0.0), (1.0, 0.0), (side * math.cos(a), side * math.sin(a))


def _deg(value: int | str) -> str:
    return f"{value}°"


def _angle_distractors(answer: int) -> list[str]:
    return [str(v) for v in (180 - answer, 90 - answer, answer + 10, answer - 10, answer + 20, 2 * answer)
            if 0 < v < 360 and v != answer]


# ---------------------------------------------------------------- problems
# Each returns (image, question, answer, answer_type, precision, unit, distractors for multiple choice).

Problem = tuple[Any, str, str, str, int | None, str | None, list[str]]


def triangle_angle(rng: random.Random) -> Problem:
    while True:
        a, b = rng.randint(25, 110), rng.randint(25, 110)
        if 180 - a - b >= 20:
            break
    c = 180 - a - b
    p0, p1, p2 = _triangle(a, b)
    canvas = Canvas([p0, p1, p2])
    canvas.polygon([p0, p1, p2])
    labels = [_deg(a), _deg(b), _deg("x")]
    canvas.label_angle(p0, p1, p2, labels[0])
    canvas.label_angle(p1, p0, p2, labels[1])
    canvas.label_angle(p2, p0, p1, labels[2])
    return canvas.image, "Find x.", str(c), "integer", None, "degrees", _angle_distractors(c)


def _parallel_figure(rng: random.Random, phi: int) -> tuple[Canvas, list[Point], list[int]]:
    """Two horizontal parallel lines l (top) and m cut by a transversal at ``phi`` degrees.

    Returns the canvas, the two crossing points and the 4 angle sectors' bisector directions (deg): sector
    0 lies between the line's right ray and the transversal's upper ray and measures phi; sectors go
    anticlockwise, so even sectors measure phi and odd ones 180 - phi.
    """
    gap = 1.0
    run = math.cos(math.radians(phi)) / math.sin(math.radians(phi)) * gap
    top, bottom = (run / 2, gap / 2), (-run / 2, -gap / 2)
    reach = 1.1
    canvas = Canvas([(-reach, -1.0), (reach, 1.0)])
    for y in (gap / 2, -gap / 2):
        canvas.line((-reach, y), (reach, y))
    direction = _unit(math.cos(math.radians(phi)), math.sin(math.radians(phi)))
    extend = 0.55
    canvas.line((top[0] + direction[0] * extend, top[1] + direction[1] * extend),
                (bottom[0] - direction[0] * extend, bottom[1] - direction[1] * extend))
    for name, y in (("l", gap / 2), ("m", -gap / 2)):
        x, yy = canvas.px((reach, y))
        canvas.text((x + 2, yy - 12), name)
    bisectors = [phi // 2, (phi + 180) // 2, 180 + phi // 2, 270 + phi // 2]
    return canvas, [top, bottom], bisectors


def _put_angle_label(canvas: Canvas, crossing: Point, bisector_deg: float, measure: int, text: str,
                     base_distance: float = 16.0) -> None:
    """Write ``text`` on the bisector of a sector of ``measure`` degrees, far enough out to sit clearly inside
    it (narrow sectors push the label away from the crossing)."""
    x, y = canvas.px(crossing)
    t = math.radians(bisector_deg)
    distance = min(64.0, max(26.0, base_distance / math.sin(math.radians(measure / 2))))
    canvas.text((x + distance * math.cos(t), y - distance * math.sin(t)), text)


def _parallel_setup(rng: random.Random) -> tuple[int, int, int, list[int]]:
    phi = rng.choice([v for v in range(35, 146) if not 80 <= v <= 100])
    given_sector, asked_sector = rng.randrange(4), rng.randrange(4)
    values = [phi, 180 - phi, phi, 180 - phi]
    return phi, given_sector, asked_sector, values


def parallel_angle(rng: random.Random) -> Problem:
    phi, given, asked, values = _parallel_setup(rng)
    canvas, (top, bottom), bisectors = _parallel_figure(rng, phi)
    _put_angle_label(canvas, top, bisectors[given], values[given], _deg(values[given]))
    _put_angle_label(canvas, bottom, bisectors[asked], values[asked], _deg("x"))
    answer = values[asked]
    question = "Lines l and m are parallel. Find x."
    return canvas.image, question, str(answer), "integer", None, "degrees", _angle_distractors(answer)


def parallel_algebra(rng: random.Random) -> Problem:
    phi, given, asked, values = _parallel_setup(rng)
    canvas, (top, bottom), bisectors = _parallel_figure(rng, phi)
    target = values[asked]
    while True:
        slope = rng.choice([2, 3, 4, 5])
        x = rng.randint(5, 40)
        offset = target - slope * x
        if -40 <= offset <= 60 and offset != 0:
            break
    expression = f"({slope}x {'+' if offset > 0 else '-'} {abs(offset)})°"
    _put_angle_label(canvas, top, bisectors[given], values[given], _deg(values[given]))
    # the expression is wide: push it farther from the crossing
    _put_angle_label(canvas, bottom, bisectors[asked], values[asked], expression, base_distance=30.0)
    question = "Lines l and m are parallel. Find x."
    distractors = [str(v) for v in (x + 1, x - 1, x + 5, x - 5, x + 10, (180 - target - offset) // slope)
                   if v > 0 and v != x]
    return canvas.image, question, str(x), "integer", None, None, distractors


def exterior_angle(rng: random.Random) -> Problem:
    while True:
        a, c = rng.randint(25, 100), rng.randint(25, 100)
        if 180 - a - c >= 25:
            break
    b = 180 - a - c
    p0, p1, p2 = _triangle(a, b)
    extension = (1.45, 0.0)
    canvas = Canvas([p0, p1, p2, extension])
    canvas.polygon([p0, p1, p2])
    canvas.line(p1, extension)
    canvas.label_angle(p0, p1, p2, _deg(a))
    canvas.label_angle(p2, p0, p1, _deg(c))
    canvas.label_angle(p1, extension, p2, _deg("x"))
    answer = a + c
    return canvas.image, "Find x.", str(answer), "integer", None, "degrees", _angle_distractors(answer)


def isosceles_angle(rng: random.Random) -> Problem:
    apex = rng.randrange(30, 121, 2)
    base = (180 - apex) // 2
    p0, p1, p2 = _triangle(base, base)
    canvas = Canvas([p0, p1, p2])
    canvas.polygon([p0, p1, p2])
    canvas.tick(p0, p2)
    canvas.tick(p1, p2)
    canvas.label_angle(p2, p0, p1, _deg(apex))
    canvas.label_angle(p0, p1, p2, _deg("x"))
    return canvas.image, "Find x.", str(base), "integer", None, "degrees", _angle_distractors(base)


def _circle_problem(rng: random.Random, from_diameter: bool) -> Problem:
    radius = rng.randint(2, 12)
    canvas = Canvas([(-1.0, -1.0), (1.0, 1.0)])
    (cx, cy), (ex, _ey) = canvas.px((0.0, 0.0)), canvas.px((1.0, 0.0))
    r_px = ex - cx
    canvas.draw.ellipse([cx - r_px, cy - r_px, cx + r_px, cy + r_px], outline="black", width=2)
    canvas.draw.ellipse([cx - 3, cy - 3, cx + 3, cy + 3], fill="black")
    t = math.radians(rng.choice([0, 20, 35, 160, 200, 330]))
    if from_diameter:
        canvas.draw.line([(cx - r_px * math.cos(t), cy + r_px * math.sin(t)),
                          (cx + r_px * math.cos(t), cy - r_px * math.sin(t))], fill="black", width=2)
        canvas.text((cx + 0.5 * r_px * math.cos(t) - 14 * math.sin(t),
                     cy - 0.5 * r_px * math.sin(t) - 14 * math.cos(t)), f"{2 * radius} cm")
    else:
        canvas.draw.line([(cx, cy), (cx + r_px * math.cos(t), cy - r_px * math.sin(t))], fill="black", width=2)
        canvas.text((cx + 0.5 * r_px * math.cos(t) - 14 * math.sin(t),
                     cy - 0.5 * r_px * math.sin(t) - 14 * math.cos(t)), f"{radius} cm")
    quantity = rng.choice(["area", "circumference"])
    coefficient = radius * radius if quantity == "area" else 2 * radius
    unit = "cm^2" if quantity == "area" else "cm"
    question = f"Find the {quantity} of the circle."
    if rng.random() < 0.5:
        answer = f"{coefficient}\\pi"
        question += " Give the exact value in terms of π."
        near = [coefficient * 2, coefficient // 2 if quantity == "area" else radius, coefficient + 1,
                coefficient - 1, 2 * radius if quantity == "area" else radius * radius]
        distractors = [f"{k}\\pi" for k in near if k > 0 and k != coefficient]
        return canvas.image, question, answer, "expression", None, unit, distractors
    value = coefficient * math.pi
    question += " Round to two decimal places."
    answer = format_float(value, 2)
    distractors = [format_float(v, 2) for v in (value * 2, value / 2, coefficient * 3.14 + 1,
                                                 (2 * radius if quantity == "area" else radius * radius) * math.pi)]
    return canvas.image, question, answer, "float", 2, unit, distractors


def circle(rng: random.Random) -> Problem:
    return _circle_problem(rng, from_diameter=False)


def circle_diameter(rng: random.Random) -> Problem:
    return _circle_problem(rng, from_diameter=True)


def simplify_root(n: int) -> str:
    """LaTeX of √n in simplest form: ``simplify_root(50) == "5\\\\sqrt{2}"``, ``simplify_root(49) == "7"``."""
    outside, inside = 1, n
    k = 2
    while k * k <= inside:
        while inside % (k * k) == 0:
            inside //= k * k
            outside *= k
        k += 1
    if inside == 1:
        return str(outside)
    return f"\\sqrt{{{inside}}}" if outside == 1 else f"{outside}\\sqrt{{{inside}}}"


def right_triangle(rng: random.Random) -> Problem:
    find_hypotenuse = rng.random() < 0.5
    if find_hypotenuse:
        a, b = rng.randint(2, 12), rng.randint(2, 12)
        square = a * a + b * b
    else:
        a = rng.randint(2, 12)
        c = rng.randint(a + 1, a + 8)
        square = c * c - a * a
        b = math.sqrt(square)
    answer = simplify_root(square)
    p0, p1, p2 = (0.0, 0.0), (float(a), 0.0), (0.0, float(b))
    canvas = Canvas([p0, p1, p2])
    canvas.polygon([p0, p1, p2])
    (x0, y0) = canvas.px(p0)
    canvas.draw.line([(x0 + 10, y0), (x0 + 10, y0 - 10), (x0, y0 - 10)], fill="black", width=1)
    centroid = ((a + 0) / 3, b / 3)
    canvas.label_side(p0, p1, centroid, str(a))
    if find_hypotenuse:
        canvas.label_side(p0, p2, centroid, str(b))
        canvas.label_side(p1, p2, centroid, "x")
    else:
        canvas.label_side(p0, p2, centroid, "x")
        canvas.label_side(p1, p2, centroid, str(c))
    answer_type = "integer" if answer.isdigit() else "expression"
    distractors = [simplify_root(v) for v in (square + 1, square + 4, square * 2, abs(square - 2 * a * a) or 3)]
    distractors += [str(int(math.sqrt(square)) + d) for d in (1, 2)]
    return canvas.image, "Find x.", answer, answer_type, None, None, distractors


def similar_triangles(rng: random.Random) -> Problem:
    scale = rng.choice([1.5, 2.0, 2.5, 3.0])
    base = rng.randrange(2, 10, 2) if scale % 1 else rng.randint(2, 9)
    side = rng.randint(2, 9)
    # drawn to scale: sides `base` and `side` with a random angle between them
    between = math.radians(rng.randint(45, 100))
    unit = 0.8 / max(base, side)
    small = [(0.0, 0.0), (base * unit, 0.0), (side * unit * math.cos(between), side * unit * math.sin(between))]
    # the small triangle on the left, the large one on the right, both with their base on y = 0
    small_pts = [(p[0], p[1]) for p in small]
    shift = max(p[0] for p in small) + 0.3 - min(p[0] for p in small) * scale
    large_pts = [(shift + p[0] * scale, p[1] * scale) for p in small]
    canvas = Canvas(small_pts + large_pts, margin=24)
    for pts in (small_pts, large_pts):
        canvas.polygon(pts)
    inside_small = tuple(sum(c) / 3 for c in zip(*small_pts, strict=True))
    inside_large = tuple(sum(c) / 3 for c in zip(*large_pts, strict=True))
    canvas.label_side(small_pts[0], small_pts[1], inside_small, str(base))
    canvas.label_side(small_pts[0], small_pts[2], inside_small, str(side))
    canvas.label_side(large_pts[0], large_pts[1], inside_large, format_float(base * scale, 0)
                      if (base * scale) % 1 == 0 else format_float(base * scale, 1))
    canvas.label_side(large_pts[0], large_pts[2], inside_large, "x")
    value = side * scale
    if value % 1 == 0:
        answer, answer_type, precision = str(int(value)), "integer", None
        distractors = [str(int(v)) for v in (value + 1, value - 1, value + 2, side + base, value * 2)]
    else:
        answer, answer_type, precision = format_float(value, 1), "float", 1
        distractors = [format_float(v, 1) for v in (value + 1, value - 1, value + 2, value * 2, side + base)]
    question = "The two triangles are similar. Find x."
    return canvas.image, question, answer, answer_type, precision, None, distractors


PROBLEMS: dict[str, Callable[[random.Random], Problem]] = {
    "triangle_angle": triangle_angle,
    "parallel_angle": parallel_angle,
    "exterior_angle": exterior_angle,
    "isosceles_angle": isosceles_angle,
    "circle": circle,
    "parallel_algebra": parallel_algebra,
    "circle_diameter": circle_diameter,
    "right_triangle": right_triangle,
    "similar_triangles": similar_triangles,
}


def make_row(
    rng: random.Random,
    difficulty: int,
    *,
    problems: tuple[str, ...] | list[str] | None = None,
    multiple_choice: float | None = None,
) -> dict[str, Any]:
    """One geometry item at ``difficulty`` 1-3 (or from ``problems``); a share ``multiple_choice`` of items
    (default 0.5 at level 3, else 0) is multiple choice.

    >>> import random
    >>> item = make_row(random.Random(1), 1, problems=["triangle_angle"])
    >>> item["problem"], item["answer_type"], item["unit"]
    ('<image>Find x.', 'integer', 'degrees')
    """
    if difficulty not in LEVELS:
        raise ValueError(f"geometry difficulty must be one of {LEVELS}, got {difficulty!r}")
    names = tuple(problems) if problems else LEVEL_PROBLEMS[difficulty]
    unknown = [n for n in names if n not in PROBLEMS]
    if unknown:
        raise ValueError(f"unknown geometry problems {unknown} (allowed: {', '.join(PROBLEMS)})")
    name = rng.choice(names)
    image, question, answer, answer_type, precision, unit, distractors = PROBLEMS[name](rng)
    share = multiple_choice if multiple_choice is not None else (0.5 if difficulty == 3 else 0.0)
    if rng.random() < share:
        choices, line = make_choices(rng, answer, distractors)
        return row(f"<image>{question} {line}", [image], answer, answer_type="multiple_choice",
                   choices=choices, unit=unit, task="geometry")
    return row(f"<image>{question}", [image], answer, answer_type=answer_type, precision=precision,
               unit=unit, task="geometry")

