"""Server-rendered SVG charts: no JavaScript, no build step, and they print. All text is escaped, with invisible
characters shown as code points like everywhere else on the desk."""

from __future__ import annotations

from markupsafe import Markup

from mentiondesk.platforms import PLATFORMS
from mentiondesk.web.filters import visible_escape as escape  # labels come from customers' posts

PALETTE = {
    "complaint": "#d64545",
    "question": "#3b82c4",
    "praise": "#2f9e6e",
    "other": "#9aa5b1",
    "spam": "#c9a227",
    "negative": "#d64545",
    "neutral": "#9aa5b1",
    "positive": "#2f9e6e",
    "mixed": "#c9a227",
    **{platform.name: platform.color for platform in PLATFORMS},
}
FALLBACK = ("#3b82c4", "#e8590c", "#7c5cc4", "#2f9e6e", "#c9a227", "#d64545", "#52606d")


def color(key: str, index: int = 0) -> str:
    return PALETTE.get(key, FALLBACK[index % len(FALLBACK)])


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(value)


def _fmt(value: float) -> str:
    if value >= 1000:
        return f"{value / 1000:.0f}k" if value % 1000 == 0 else f"{value / 1000:.1f}k"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def stacked_bars(
    days: list[str],
    values: dict[str, list[float]],
    *,
    title: str,
    width: int = 720,
    height: int = 220,
    percent: bool = False,
) -> Markup:
    """One bar per day, stacked by key. With `percent`, values are shares (0-1) and the axis reads 0-100%."""
    left, right, top, bottom = 44, 8, 10, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(1, len(days))
    totals = [sum(v[i] for v in values.values()) for i in range(len(days))]
    peak = 1.0 if percent else _nice_max(max(totals, default=0))
    slot = plot_w / n
    bar = max(1.0, slot * (0.72 if n < 60 else 0.9))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for frac in (0, 0.5, 1):
        y = top + plot_h * (1 - frac)
        label = f"{frac * 100:.0f}%" if percent else _fmt(peak * frac)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" class="axis" text-anchor="end">{label}</text>')
    # Each key's colour and escaped name once, not once per bar: a year is hundreds of bars per key.
    stacks = [(escape(key), color(key, k), series) for k, (key, series) in enumerate(values.items())]
    for i, day in enumerate(days):
        x = left + i * slot + (slot - bar) / 2
        y = top + plot_h
        shown_day = escape(day)
        for shown_key, fill, series in stacks:
            value = series[i]
            if value <= 0:
                continue
            h = plot_h * value / peak
            y -= h
            shown = f"{value * 100:.0f}%" if percent else f"{value:,.0f}"
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{fill}">'
                f"<title>{shown_day} {shown_key}: {shown}</title></rect>"
            )
    for i in sorted({0, len(days) // 2, len(days) - 1}) if days else []:
        x = left + i * slot + slot / 2
        anchor = "start" if i == 0 and len(days) > 1 else ("end" if i == len(days) - 1 and len(days) > 1 else "middle")
        parts.append(
            f'<text x="{x:.1f}" y="{height - 6}" class="axis" text-anchor="{anchor}">{escape(days[i][5:])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def hbars(
    items: list[tuple[str, float]], *, title: str, width: int = 480, unit: str = "", fill: str | None = None
) -> Markup:
    """Horizontal bars with their labels and values, for rankings (themes, share of voice)."""
    row, label_w, value_w = 24, 170, 56
    height = max(row, row * len(items)) + 4
    peak = max((v for _, v in items), default=0) or 1
    plot_w = width - label_w - value_w
    parts = [
        f'<svg class="chart hbars" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(items):
        y = i * row + 4
        w = max(1.0, plot_w * value / peak)
        short = label if len(label) <= 24 else label[:23] + "…"
        parts.append(f'<text x="{label_w - 8}" y="{y + 15}" class="label" text-anchor="end">{escape(short)}</text>')
        shade = fill or color(label, i)
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" rx="2" fill="{shade}">'
            f"<title>{escape(label)}: {value:,.0f}{escape(unit)}</title></rect>"
        )
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 15}" class="value">{value:,.0f}{escape(unit)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
