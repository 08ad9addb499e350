#!/usr/bin/env python3
"""Copy a few of the accessibility tests' screenshots into docs/screenshots/, small.

The browser tests of tests/a11y/ save every main page at 1366 px and 360 px wide when
SCREENSHOTS_DIR is set. This script takes the pages the README shows, keeps the top of each
(a screen and a half), scales the desktop ones down and stores them as 256-colour PNGs:

    SCREENSHOTS_DIR=/tmp/shots DEBUG=true .venv/bin/python -m pytest tests/a11y/test_main_pages.py
    .venv/bin/python scripts/docs_screenshots.py /tmp/shots
"""

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
DESTINATION = ROOT / "docs" / "screenshots"

# (file written by the tests, name in docs/screenshots/): the README's order.
CHOSEN = [
    ("home-1366.png", "home.png"),
    ("member-home-1366.png", "member-home.png"),
    ("member-search-1366.png", "search.png"),
    ("member-map-360.png", "map-phone.png"),
    ("member-listing-detail-1366.png", "listing.png"),
    ("listing-form-360.png", "listing-form-phone.png"),
    ("conversation-360.png", "chat-phone.png"),
    ("moderation-stats-1366.png", "moderation-stats.png"),
]
DESKTOP_WIDTH = 1000  # px, scaled down from 1366
MAX_HEIGHT = {"desktop": 1300, "phone": 1200}  # px kept from the top, after scaling


def shrink(source: Path, target: Path) -> None:
    image = Image.open(source).convert("RGB")
    kind = "phone" if image.width <= 400 else "desktop"
    if kind == "desktop":
        height = round(image.height * DESKTOP_WIDTH / image.width)
        image = image.resize((DESKTOP_WIDTH, height), Image.Resampling.LANCZOS)
    image = image.crop((0, 0, image.width, min(image.height, MAX_HEIGHT[kind])))
    image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    image.save(target, optimize=True)


def main(folder: str) -> None:
    DESTINATION.mkdir(parents=True, exist_ok=True)
    for source, name in CHOSEN:
        path = Path(folder) / source
        if not path.exists():
            sys.exit(f"{path} is missing: run tests/a11y/test_main_pages.py with SCREENSHOTS_DIR")
        shrink(path, DESTINATION / name)
        print(f"{name}: {(DESTINATION / name).stat().st_size // 1024} KB")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
