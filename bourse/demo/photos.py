"""The demo's listing photos: a coloured picture naming the category and the company.

French text needs a font with its letters (é, è, à, ç, œ, °, ², €): Pillow's own default font
draws boxes for them. The font comes from a Python package (`rendercv-fonts`, Source Sans 3,
SIL Open Font License), so `make run` draws it on a fresh machine without any system package;
if that package is missing, the text is folded to plain ASCII rather than drawn as boxes.
"""

from __future__ import annotations

import io
import random
import unicodedata
from functools import cache
from importlib import resources

from PIL import Image, ImageDraw, ImageFont

PALETTE = [
    (31, 78, 140),
    (29, 122, 70),
    (138, 90, 0),
    (179, 38, 30),
    (91, 100, 112),
    (70, 50, 130),
    (0, 110, 120),
]


@cache
def _font_file(weight: str) -> str | None:
    try:
        folder = resources.files("rendercv_fonts") / "Source Sans 3"
    except ModuleNotFoundError:
        return None
    path = folder / f"SourceSans3-{weight}.ttf"
    return str(path) if path.is_file() else None


def has_french_font() -> bool:
    return _font_file("Bold") is not None


def _font(size: int, weight: str = "Regular"):
    path = _font_file(weight)
    if path is not None:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _printable(text: str) -> str:
    """The text as the font can draw it: itself with the French font, else folded to ASCII
    ("Entrepôt" → "Entrepot", "œuvre" → "oeuvre")."""
    if has_french_font():
        return text
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("’", "'")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _fit(draw: ImageDraw.ImageDraw, text: str, size: int, width: int, weight: str):
    """The largest font not above `size` in which `text` fits in `width` pixels."""
    while size > 14:
        font = _font(size, weight)
        if draw.textlength(text, font=font) <= width:
            return font
        size -= 2
    return _font(size, weight)


def demo_image(seed: int, label: str, sublabel: str) -> bytes:
    """A simple picture: a coloured background, a shape, the category's name and the company's
    (a JPEG of 800 × 600 pixels, the same for the same seed)."""
    rng = random.Random(seed)  # noqa: S311 - pictures, not security
    background = rng.choice(PALETTE)
    image = Image.new("RGB", (800, 600), background)
    draw = ImageDraw.Draw(image)
    light = tuple(min(255, c + 90) for c in background)
    x, y = rng.randint(80, 360), rng.randint(60, 200)
    box = (x, y, x + rng.randint(260, 380), y + rng.randint(200, 300))
    if rng.random() < 0.5:
        draw.rounded_rectangle(box, radius=24, fill=light)
    else:
        draw.ellipse(box, fill=light)
    draw.rectangle((0, 470, 800, 600), fill=(255, 255, 255))
    label, sublabel = _printable(label), _printable(sublabel)
    draw.text((32, 482), label, fill=background, font=_fit(draw, label, 48, 736, "Bold"))
    draw.text((32, 546), sublabel, fill=(60, 60, 60), font=_fit(draw, sublabel, 28, 736, "Regular"))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
