"""Counting frames of a video: a circle moves across a short clip and is hidden in some frames; "In how many
frames does the circle appear?" -> ``"3"``.

A small task for the video path (rows with ``videos``, each video a list of frames): it needs every frame, and
the answer is a count the verifier checks exactly.

=====  ======  ======  ======  =========================================
level  frames  size    radius  circle
=====  ======  ======  ======  =========================================
1      4       64      10      black, moves left to right
2      6       64      8       black, moves left to right
3      8       96      6-10    a random palette colour, moves on a random line
=====  ======  ======  ======  =========================================

The circle appears in 1 .. frames frames (uniformly), at the position its motion has reached in that frame;
the other frames are blank. Rows have no images: ``{"problem": "<video>In how many frames ...", "images": [],
"videos": [[frame, ...]], "answer": "3", ...}`` with frames as PNG structs.
"""

from __future__ import annotations

import random
from typing import Any

from data_recipes.synthetic._common import row

LEVELS = (1, 2, 3)
_SPEC = {1: (4, 64, (10, 10)), 2: (6, 64, (8, 8)), 3: (8, 96, (6, 10))}
_COLOURS = ((0, 0, 0), (220, 40, 40), (40, 80, 220), (40, 160, 60), (245, 140, 20), (140, 60, 180))
QUESTION = "<video>In how many frames of the video does the circle appear?"


def draw_frames(rng: random.Random, level: int) -> tuple[list[Any], int]:
    """The frames of one clip and the number of frames that show the circle."""
    from PIL import Image, ImageDraw

    n_frames, size, (r_lo, r_hi) = _SPEC[level]
    radius = rng.randint(r_lo, r_hi)
    colour = rng.choice(_COLOURS) if level >= 3 else (0, 0, 0)
    if level >= 3:
        start = (rng.uniform(radius, size - radius), rng.uniform(radius, size - radius))
        end = (rng.uniform(radius, size - radius), rng.uniform(radius, size - radius))
    else:
        y = rng.uniform(radius + 2, size - radius - 2)
        start, end = (radius + 2.0, y), (size - radius - 2.0, y)
    shown = rng.randint(1, n_frames)
    visible = set(rng.sample(range(n_frames), shown))
    frames = []
    for t in range(n_frames):
        image = Image.new("RGB", (size, size), "white")
        if t in visible:
            f = t / max(1, n_frames - 1)
            x, y = start[0] + f * (end[0] - start[0]), start[1] + f * (end[1] - start[1])
            ImageDraw.Draw(image).ellipse([x - radius, y - radius, x + radius, y + radius], fill=colour)
        frames.append(image)
    return frames, shown


def make_row(rng: random.Random, difficulty: int) -> dict[str, Any]:
    from data_recipes.schema import image_to_bytes

    frames, shown = draw_frames(rng, difficulty)
    item = row(QUESTION, [], str(shown), answer_type="integer", task="counting")
    item["videos"] = [[image_to_bytes(frame) for frame in frames]]
    return item
