"""A static SVG coverage heatmap (themes x articles), no script, no external resource.

Each cell's strength is printed as a number as well as shown as a shade, so
colour is never the only carrier of meaning. Titles are escaped for XML.
"""

from __future__ import annotations

from .escape import html_escape
from .matrix import Briefing

# Articles shown as columns; beyond this the picture would be unreadable and
# the per-theme tables on the matrix page carry the data.
MAX_COLUMNS = 40
CELL_W, CELL_H = 56, 26
LABEL_W = 230
HEADER_H = 150
TITLE_CHARS = 28


def _short(text: str, limit: int = TITLE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def heatmap_svg(briefing: Briefing) -> str:
    articles = briefing.articles[:MAX_COLUMNS]
    themes = briefing.codebook.themes
    # Rotated column labels reach up to HEADER_H to the right of the last column.
    width = LABEL_W + CELL_W * max(1, len(articles)) + HEADER_H
    height = HEADER_H + CELL_H * max(1, len(themes)) + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="12">',
        "<title>Theme coverage by article</title>",
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ]
    for j, article in enumerate(articles):
        x = LABEL_W + CELL_W * j + CELL_W // 2
        out.append(
            f'<text transform="translate({x},{HEADER_H - 6}) rotate(-45)" fill="#222">'
            f"{html_escape(_short(article.meta.title))}</text>"
        )
    for i, theme in enumerate(themes):
        y = HEADER_H + CELL_H * i
        out.append(f'<text x="{LABEL_W - 8}" y="{y + 17}" text-anchor="end" fill="#222">'
                   f"{html_escape(_short(theme.title, 34))}</text>")
        for j, article in enumerate(articles):
            cell = briefing.cell(article.slug, theme.id)
            x = LABEL_W + CELL_W * j
            # Blue ramp from white (0) to dark blue (1); text flips to white on dark cells.
            level = cell.strength if cell.addressed else 0.0
            shade = round(255 - 200 * level)
            fill = f"rgb({shade},{shade + (255 - shade) // 3},255)" if cell.addressed else "#f2f2f2"
            ink = "#ffffff" if level > 0.6 else "#111111"
            label = f"{round(level * 100)}" if cell.addressed else "–"
            if cell.position:
                label += "*"
            out.append(f'<rect x="{x}" y="{y}" width="{CELL_W - 2}" height="{CELL_H - 2}" fill="{fill}"/>')
            out.append(f'<text x="{x + CELL_W // 2 - 1}" y="{y + 17}" text-anchor="middle" '
                       f'fill="{ink}">{label}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
