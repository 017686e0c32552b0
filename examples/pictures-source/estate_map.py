"""Draw the map of Larkfield, the fictional estate of the English worked example.

A drawing, not a survey: The Green in the middle, the four blocks of Heron
Court around it, Brook Primary School, Larkfield Hub, and Larkfield Parade
with its shops and bus stop, the places ``examples/larkfield`` names. It holds
no text, so its alt text says it all. Drawn with Pillow alone (no fonts), so
the same Pillow gives the same file everywhere:

    python examples/pictures-source/estate_map.py [OUTPUT.png]

The default output is ``examples/larkfield/pictures/larkfield-map.png``.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 960, 600
ALT = ("Map of Larkfield: The Green, a park with trees and a playground, in the middle; "
       "the four blocks of Heron Court around it; Brook Primary School to the north-west; "
       "Larkfield Hub to the east; Larkfield Parade, with its row of shops and its bus "
       "stop, along the south edge; a brook crossing the north-east corner.")
CREDIT = "Drawing: Northbridge Borough Council (fictional), not a survey map"
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
_BUS = (200, 40, 60)
_SHOP = (90, 140, 170)
_PLAY = (236, 222, 160)


def draw_estate_map() -> Image.Image:
    """The map as a palette image (few colours: a small PNG)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), _GROUND)
    draw = ImageDraw.Draw(image)
    # The brook, from the top edge to the right edge.
    draw.line([(640, 0), (700, 60), (760, 90), (860, 150), (960, 170)], fill=_WATER, width=26,
              joint="curve")
    # Streets: Larkfield Parade along the bottom, two cross streets, a ring round The Green.
    for box in ((0, 500, 960, 560), (120, 0, 160, 500), (800, 180, 840, 500)):
        draw.rectangle(box, fill=_STREET, outline=_STREET_EDGE, width=2)
    draw.rounded_rectangle((250, 150, 710, 440), radius=40, outline=_STREET_EDGE,
                           fill=_STREET, width=2)
    # The Green, its trees and the playground.
    draw.rounded_rectangle((330, 220, 630, 370), radius=30, fill=_PARK)
    for x, y in ((360, 245), (420, 330), (500, 240), (590, 340), (610, 250), (370, 345)):
        draw.ellipse((x - 14, y - 14, x + 14, y + 14), fill=_TREE)
    draw.rectangle((455, 280, 535, 330), fill=_PLAY, outline=_TREE, width=3)
    # Heron Court: four blocks of flats round the ring.
    for box in ((250, 60, 470, 120), (500, 60, 700, 120), (180, 180, 230, 420),
                (730, 200, 790, 420)):
        draw.rectangle(box, fill=_BLOCK, outline=(120, 70, 56), width=3)
    # Brook Primary School (north-west) and Larkfield Hub (east).
    draw.rectangle((10, 40, 110, 160), fill=_SCHOOL, outline=(150, 110, 30), width=3)
    draw.rectangle((860, 240, 950, 380), fill=_CENTRE, outline=(70, 60, 120), width=3)
    # Larkfield Parade: a row of shops on the high street, and the bus stop.
    for x in range(250, 700, 60):
        draw.rectangle((x, 462, x + 50, 494), fill=_SHOP, outline=(50, 90, 120), width=2)
    draw.ellipse((520, 512, 548, 540), fill=_STREET, outline=_BUS, width=6)
    draw.rectangle((531, 540, 537, 556), fill=_BUS)
    return image.quantize(colors=16, dither=Image.Dither.NONE)


def main(argv: list[str]) -> int:
    output = Path(argv[0]) if argv else (Path(__file__).resolve().parent.parent / "larkfield"
                                         / "pictures" / "larkfield-map.png")
    output.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    draw_estate_map().save(buffer, "PNG", optimize=True)
    output.write_bytes(buffer.getvalue())
    print(f"{output}: {len(buffer.getvalue())} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
