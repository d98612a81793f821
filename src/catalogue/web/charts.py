"""Accessible SVG bar charts: a title and a description for screen readers, the same figures
in a table beside the chart (the template puts it there)."""

from __future__ import annotations

from markupsafe import Markup, escape

from catalogue.money import euros

BAR_HEIGHT = 24
GAP = 8
LABEL_WIDTH = 220
BAR_WIDTH = 360
VALUE_WIDTH = 110
MAX_LABEL_CHARS = 32
BAR_COLOUR = "#000091"  # contrast 14:1 on white


def bar_chart(rows: list[tuple[str, int]], *, title: str, chart_id: str) -> Markup:
    """Horizontal bars of amounts in cents, largest first as given."""
    top = max((value for _, value in rows), default=0) or 1
    height = max(1, len(rows)) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    summary = "; ".join(f"{label} : {euros(value)}" for label, value in rows) or "aucune dépense"
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" '
            f'aria-labelledby="{chart_id}-titre {chart_id}-desc">'
        ),
        f'<title id="{chart_id}-titre">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>',
    ]
    for index, (label, value) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        bar = max(1, round(BAR_WIDTH * value / top)) if value > 0 else 0
        short = label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"
        middle = y + BAR_HEIGHT * 0.7
        parts += [
            (
                f'<text x="{LABEL_WIDTH - 6}" y="{middle:.0f}" text-anchor="end">'
                f"{escape(short)}</text>"
            ),
            (
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{bar}" height="{BAR_HEIGHT}" '
                f'fill="{BAR_COLOUR}"/>'
            ),
            f'<text x="{LABEL_WIDTH + bar + 6}" y="{middle:.0f}">{escape(euros(value))}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # every text above went through escape()
