"""Draw the map of a fictional housing estate, for the English worked example.

A drawing, not a survey: five housing blocks around a park, a school, a
community centre, the high street, a tram line with its stop and a stream.
It holds no text, so the picture says the same in every language and its
alt text says it all. Drawn with Pillow alone (no fonts), so the same Pillow
gives the same file everywhere:

    python examples/pictures-source/estate_map.py [OUTPUT.png]

The default output is ``estate-map.png`` beside this script.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 960, 600
ALT = ("Map of the estate: five housing blocks around a central park with a "
       "playground, the school to the north-west, the community centre to the east, "
       "the high street along the south edge with the tram stop, and a stream "
       "crossing the north-east corner.")
CREDIT = "Drawing: civicrecord example, not a survey map"
LICENCE = "CC0 1.0"

_GROUND = (244, 241, 232)
_STREET = (255, 255, 255)
_STREET_EDGE = (190, 186, 176)
_PARK = (170, 212, 150)
_TREE = (96, 158, 84)
_WATER = (120, 176, 220)
_BLOCK = (196, 120, 96)
_SCHOOL = (232, 190, 90)
_CENTRE = (120, 110, 180)
_TRAM = (200, 40, 60)
_PLAY = (236, 222, 160)


def draw_estate_map() -> Image.Image:
    """The map as a palette image (few colours: a small PNG)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), _GROUND)
    draw = ImageDraw.Draw(image)
    # The stream, from the top edge to the right edge.
    draw.line([(640, 0), (700, 60), (760, 90), (860, 150), (960, 170)], fill=_WATER, width=26,
              joint="curve")
    # Streets: the high street along the bottom, two cross streets, a ring round the park.
    for box in ((0, 500, 960, 560), (120, 0, 160, 500), (800, 180, 840, 500)):
        draw.rectangle(box, fill=_STREET, outline=_STREET_EDGE, width=2)
    draw.rounded_rectangle((250, 150, 710, 440), radius=40, outline=_STREET_EDGE,
                           fill=_STREET, width=2)
    # The park, its trees and the playground.
    draw.rounded_rectangle((330, 220, 630, 370), radius=30, fill=_PARK)
    for x, y in ((360, 245), (420, 330), (500, 240), (590, 340), (610, 250), (370, 345)):
        draw.ellipse((x - 14, y - 14, x + 14, y + 14), fill=_TREE)
    draw.rectangle((455, 280, 535, 330), fill=_PLAY, outline=_TREE, width=3)
    # Five housing blocks round the ring.
    for box in ((250, 60, 470, 120), (500, 60, 700, 120), (250, 460, 480, 492),
                (180, 180, 230, 420)):
        draw.rectangle(box, fill=_BLOCK, outline=(120, 70, 56), width=3)
    draw.rectangle((730, 200, 790, 420), fill=_BLOCK, outline=(120, 70, 56), width=3)
    # The school (north-west) and the community centre (east).
    draw.rectangle((10, 40, 110, 160), fill=_SCHOOL, outline=(150, 110, 30), width=3)
    draw.rectangle((860, 240, 950, 380), fill=_CENTRE, outline=(70, 60, 120), width=3)
    # The tram line along the high street, and its stop.
    draw.line([(0, 580), (960, 580)], fill=_TRAM, width=6)
    draw.ellipse((520, 566, 548, 594), fill=_STREET, outline=_TRAM, width=6)
    return image.quantize(colors=16, dither=Image.Dither.NONE)


def main(argv: list[str]) -> int:
    output = Path(argv[0]) if argv else Path(__file__).with_name("estate-map.png")
    buffer = io.BytesIO()
    draw_estate_map().save(buffer, "PNG", optimize=True)
    output.write_bytes(buffer.getvalue())
    print(f"{output}: {len(buffer.getvalue())} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
