"""Charts of the statistics page, drawn on the server as SVG (no script, no CDN).

Each chart scales to the width of its container (viewBox), so it reads on a phone; the page puts
the same figures in a table next to it for screen readers (the SVG is `aria-hidden`).
"""

from django.utils.html import format_html

# Colours readable on white and told apart by people with the common colour blindnesses.
PALETTE = ["#0063cb", "#e4794a", "#18753c", "#a94645", "#6e445a"]
WIDTH = 400
HEIGHT = 160
TOP = 10
BOTTOM = 24
LEFT = 28


def grouped_columns(rows: list[dict], *, label: str, series: list[tuple[str, str]]) -> str:
    """Columns per row (`label` key names the x label), one colour per series `(key, title)`,
    with a legend. Returns safe SVG markup; an empty string when there is no row."""
    if not rows:
        return ""
    top = max((row[key] for row in rows for key, _title in series), default=0) or 1
    # A fixed drawing width (a phone's), the columns sharing it: text stays legible when the
    # chart shrinks to a phone's screen, whatever the number of weeks.
    width = WIDTH
    group_width = (width - LEFT - 8) / len(rows)
    bar = round(group_width * 0.8 / len(series), 2)
    plot = HEIGHT - TOP - BOTTOM
    parts = [
        format_html(
            '<svg class="chart" viewBox="0 0 {} {}" width="100%" '
            'preserveAspectRatio="xMinYMin meet" aria-hidden="true" focusable="false" '
            'xmlns="http://www.w3.org/2000/svg">',
            width,
            HEIGHT + 16 * ((len(series) + 2) // 3),
        ),
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#929292" stroke-width="1"/>',
            LEFT,
            HEIGHT - BOTTOM,
            width,
            HEIGHT - BOTTOM,
        ),
        format_html('<text x="0" y="{}" font-size="9">{}</text>', TOP + 8, top),
        format_html('<text x="0" y="{}" font-size="9">0</text>', HEIGHT - BOTTOM),
    ]
    every = max(1, -(-len(rows) // 6))  # at most six x labels
    for i, row in enumerate(rows):
        x0 = round(LEFT + i * group_width + group_width * 0.1, 2)
        for j, (key, _title) in enumerate(series):
            h = round(plot * row[key] / top, 1)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                    round(x0 + bar * j, 2),
                    HEIGHT - BOTTOM - h,
                    bar,
                    h,
                    PALETTE[j % len(PALETTE)],
                )
            )
        if i % every == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="9">{}</text>',
                    x0,
                    HEIGHT - BOTTOM + 12,
                    _short(str(row[label])),
                )
            )
    for j, (_key, title) in enumerate(series):
        x, y = (j % 3) * 125 + LEFT, HEIGHT + 4 + 16 * (j // 3)
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="10" height="10" fill="{}"/>'
                '<text x="{}" y="{}" font-size="10">{}</text>',
                x,
                y,
                PALETTE[j % len(PALETTE)],
                x + 14,
                y + 9,
                title,
            )
        )
    return format_html("{}" * len(parts) + "</svg>", *parts)


def _short(text: str) -> str:
    """An x label that fits under its group: "2026-W48" → "S48", long names cut."""
    if len(text) == 8 and text[4:6] == "-W":
        return "S" + text[6:]
    return text[:10]
