"""The dashboard's charts: SVG made on the server by matplotlib, identical on screen, on paper and
in a PDF. Text stays text (`svg.fonttype: none`), so the chart is searchable and scales; ids are
stable (`svg.hashsalt`), so the same data gives the same bytes. Every chart is shown with its
data as a table next to it (the SVG is `role="img"` with a label; the table is what a screen
reader reads)."""

from __future__ import annotations

import hashlib
import io
import json
import re

import matplotlib

matplotlib.use("Agg")

from django.core.cache import cache  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402  (after choosing the backend)

# Drawing is most of a dashboard's time (matplotlib lays the figure out twice); the same data
# gives the same bytes, so a chart is kept in the cache by a hash of what it shows.
CACHE_SECONDS = 24 * 60 * 60
CHART_VERSION = "1"

# Status colours with a contrast of at least 3:1 against white between neighbours' labels;
# the table carries the numbers, the chart the proportions.
STATUS_COLOURS = {
    "foreslaatt": "#b0b7c3",
    "planlagt": "#6d8fc7",
    "paagaar": "#1e6bb8",
    "gjennomfoert": "#1b7f3b",
    "utsatt": "#c0392b",
    "avsluttet": "#5b5b5b",
}
RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "partnerskapsportalen",
    "font.family": ["Noto Sans", "DejaVu Sans", "sans-serif"],
    "font.size": 9,
}


STYLE_ATTRIBUTE = re.compile(r'style="([^"]*)"')


def _presentation_attributes(match: re.Match) -> str:
    """`style="fill: #fff; stroke: #000"` → `fill="#fff" stroke="#000"`: the same look
    through SVG presentation attributes, which a strict Content-Security-Policy (no inline
    styles) allows."""
    attributes = []
    for declaration in match.group(1).split(";"):
        name, _sep, value = declaration.partition(":")
        if name.strip() and value.strip():
            attributes.append(f'{name.strip()}="{value.strip()}"')
    return " ".join(attributes)


def _svg(fig: Figure, label: str) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    # No inline styles (CSP): the global <style> becomes attributes on the root (they are
    # inherited), every style attribute becomes presentation attributes; no metadata block.
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = STYLE_ATTRIBUTE.sub(_presentation_attributes, svg)
    svg = svg.replace("<svg", '<svg stroke-linejoin="round" stroke-linecap="butt"', 1)
    # Scales with its container (the width and height attributes would fix it in points).
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg, count=1)
    escaped = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace("<svg", f'<svg role="img" aria-label="{escaped}" class="portal-chart"', 1)


def status_bars(rows: list[tuple[str, dict[str, int]]], statuses, *, label: str) -> str:
    """Horizontal stacked bars: one per row (a tema), one segment per status.

    `rows` is [(row label, {status value: count})], `statuses` the (value, label) choices in
    the order the segments are drawn; `label` names the chart for assistive technology."""
    statuses = [(value, str(text)) for value, text in statuses]
    key = hashlib.sha256(
        json.dumps([CHART_VERSION, rows, statuses, str(label)], sort_keys=True).encode()
    ).hexdigest()
    return cache.get_or_set(
        f"chart:status_bars:{key}",
        lambda: _draw_status_bars(rows, statuses, label=str(label)),
        CACHE_SECONDS,
    )


def _draw_status_bars(rows, statuses, *, label: str) -> str:
    with matplotlib.rc_context(RC):
        height = 0.6 + 0.42 * max(len(rows), 1)
        fig = Figure(figsize=(7.5, height))
        ax = fig.add_subplot()
        names = [name for name, _ in rows][::-1]
        lefts = [0] * len(rows)
        for value, status_label in statuses:
            widths = [counts.get(value, 0) for _, counts in rows][::-1]
            ax.barh(
                names,
                widths,
                left=lefts,
                color=STATUS_COLOURS.get(value, "#888888"),
                label=str(status_label),
                height=0.6,
            )
            lefts = [a + b for a, b in zip(lefts, widths, strict=True)]
        ax.set_xlabel("")
        ax.spines[["top", "right"]].set_visible(False)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12 if len(rows) > 2 else -0.3),
            ncol=3,
            frameon=False,
        )
        return _svg(fig, label)
