"""The app icon, drawn by the project (no image files to keep in step): a white check mark
rising out of a calm wave on the brand blue. The same geometry gives the SVG favicon and the
PNG icons the manifest and iOS need; maskable icons keep the mark in the central safe zone.
"""

import io
from functools import lru_cache

from PIL import Image, ImageDraw

BRAND = (11, 79, 138)
WHITE = (255, 255, 255)
# The mark, in a 100 x 100 box: a check mark, and a wave under it.
CHECK = [(28, 45), (44, 61), (74, 27)]
WAVE = [(22, 80), (36, 75), (50, 80), (64, 85), (78, 80)]
STROKE = 9


def svg() -> str:
    points = " ".join(f"{x},{y}" for x, y in CHECK)
    wave = " ".join(f"{x},{y}" for x, y in WAVE)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
        f'<rect width="100" height="100" rx="22" fill="rgb{BRAND}"/>'
        f'<polyline points="{points}" fill="none" stroke="#fff" stroke-width="{STROKE}" '
        'stroke-linecap="round" stroke-linejoin="round"/>'
        f'<polyline points="{wave}" fill="none" stroke="#fff" stroke-width="5" '
        'stroke-linecap="round" stroke-linejoin="round" opacity="0.7"/></svg>'
    )


@lru_cache(maxsize=8)
def png(size: int, *, maskable: bool = False) -> bytes:
    """The icon at ``size`` pixels. Maskable: full-bleed, the mark inside the inner 60%."""
    scale = 4  # draw large, then shrink, for smooth edges
    canvas = size * scale
    image = Image.new("RGBA", (canvas, canvas), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle([0, 0, canvas, canvas], fill=BRAND)
        inset, box = canvas * 0.2, canvas * 0.6
    else:
        draw.rounded_rectangle([0, 0, canvas - 1, canvas - 1], radius=canvas * 0.22, fill=BRAND)
        inset, box = 0, canvas

    def place(points):
        return [(inset + x / 100 * box, inset + y / 100 * box) for x, y in points]

    draw.line(place(CHECK), fill=WHITE, width=round(STROKE / 100 * box), joint="curve")
    draw.line(place(WAVE), fill=(*WHITE, 180), width=round(5 / 100 * box), joint="curve")
    image = image.resize((size, size), Image.LANCZOS)
    # Two colours and their anti-aliased edges: a 32-colour palette looks the same, far lighter.
    image = image.quantize(colors=32, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
