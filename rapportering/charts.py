"""Charts as SVG, drawn by matplotlib on the server: the same SVG on the screen and in the PDF
(rapportering's annual report; the dashboard may reuse it). Each chart has an accessible name
and description (<title>, <desc>, role="img", aria-labelledby); the page shows its data as a
table beside it.

The portal's Content-Security-Policy allows no inline styles, so matplotlib's `style="…"`
attributes are rewritten as SVG presentation attributes (fill="…"), which CSP does not govern,
and its <style> element is dropped. Text stays text (svg.fonttype none), so it is selectable,
scales and takes the page's font."""

from __future__ import annotations

import functools
import io
import re
import threading
from collections.abc import Sequence
from xml.sax.saxutils import escape

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

# Colours with at least 3:1 contrast against white (WCAG 1.4.11 for graphics), told apart by
# lightness too.
PALETTE = ("#1e4e79", "#c05a00", "#2e7d32", "#7b1fa2", "#8a6d00", "#ad1457", "#455a64")
CACHE_SIZE = 64
FONT = "Inter, 'DejaVu Sans', Arial, sans-serif"
_lock = threading.Lock()  # pyplot's state is global; figures are built one at a time
_STYLE_RE = re.compile(r'\sstyle="([^"]*)"')
_ID_RE = re.compile(r'\bid="([^"]+)"')
_STYLE_ELEMENT_RE = re.compile(r"<style[^>]*>.*?</style>", re.S)
_PROPERTY_RE = re.compile(r"^[a-z-]+$")


def _attributes(style: str) -> str:
    parts = []
    for declaration in style.split(";"):
        if ":" not in declaration:
            continue
        name, value = (s.strip() for s in declaration.split(":", 1))
        if not _PROPERTY_RE.match(name) or '"' in value:
            continue
        if name == "font":
            # «font: 10px 'DejaVu Sans'» -> size and family
            m = re.match(r"^(?:(\w+)\s+)?([\d.]+)px\s+(.*)$", value)
            if m:
                parts.append(f'font-size="{m[2]}"')
                parts.append(f'font-family="{FONT}"')
                if m[1] and m[1] not in ("normal",):
                    parts.append(f'font-weight="{m[1]}"')
            continue
        if name == "font-family":
            value = FONT
        parts.append(f'{name}="{escape(value)}"')
    return (" " + " ".join(parts)) if parts else ""


def csp_safe(svg: str, prefix: str) -> str:
    """Inline styles as presentation attributes, no <style> element, ids made unique on the
    page by `prefix` (several charts share one page)."""
    svg = _STYLE_ELEMENT_RE.sub("", svg)
    svg = _STYLE_RE.sub(lambda m: _attributes(m[1]), svg)
    ids = set(_ID_RE.findall(svg))
    for old in sorted(ids, key=len, reverse=True):
        svg = svg.replace(f'id="{old}"', f'id="{prefix}-{old}"')
        svg = svg.replace(f"#{old})", f"#{prefix}-{old})").replace(
            f'"#{old}"', f'"#{prefix}-{old}"'
        )
    return svg


def _finish(fig: Figure, *, chart_id: str, title: str, description: str) -> str:
    out = io.StringIO()
    fig.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    svg = out.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = csp_safe(svg, chart_id)
    head = (
        f'<svg role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'class="portal-chart" focusable="false"'
    )
    svg = svg.replace("<svg", head, 1)
    # width/height in pt -> scale with the container (viewBox stays).
    svg = re.sub(r'(<svg[^>]*?)\swidth="[^"]*"\sheight="[^"]*"', r"\1", svg, count=1)
    insert = (
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )
    end_of_tag = svg.index(">") + 1
    return svg[:end_of_tag] + insert + svg[end_of_tag:]


def _figure(width: float, height: float) -> tuple[Figure, object]:
    plt.rcParams.update(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "portal",  # the same ids every time: stable output
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    fig, ax = plt.subplots(figsize=(width, height))
    return fig, ax


def _freeze(value):
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def cached(fn):
    """The same chart for the same data and texts is drawn once per process (matplotlib takes
    a few hundred milliseconds a chart); at most CACHE_SIZE charts are kept."""
    cached_fn = functools.lru_cache(maxsize=CACHE_SIZE)(fn)

    @functools.wraps(fn)
    def wrapper(**kwargs):
        return cached_fn(**{k: _freeze(v) for k, v in kwargs.items()})

    wrapper.cache_clear = cached_fn.cache_clear
    return wrapper


@cached
def stacked_bars(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    ylabel: str = "",
) -> str:
    """Vertical bars per category, stacked by series (e.g. types × top level)."""
    with _lock:
        fig, ax = _figure(6.4, 3.4)
        bottom = [0.0] * len(categories)
        for i, (label, values) in enumerate(series):
            ax.bar(
                list(categories),
                list(values),
                bottom=bottom,
                label=label,
                color=PALETTE[i % len(PALETTE)],
                edgecolor="white",
                linewidth=0.6,
            )
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_ylabel(ylabel)
        ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1, 1))
        ax.tick_params(axis="x", labelrotation=20)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
        return _finish(fig, chart_id=chart_id, title=title, description=description)


@cached
def horizontal_bars(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[float],
    xlabel: str = "",
    threshold: float | None = None,
) -> str:
    """One bar per label, top to bottom, each with its value written at its end; an optional
    dashed line at `threshold`."""
    with _lock:
        fig, ax = _figure(6.4, max(1.6, 0.26 * len(labels) + 0.8))
        positions = list(range(len(labels)))[::-1]
        ax.barh(positions, list(values), color=PALETTE[0], height=0.7)
        ax.set_yticks(positions, list(labels))
        for y, v in zip(positions, values, strict=True):
            ax.text(v, y, f" {v:g}", va="center", fontsize=8)
        if threshold is not None:
            ax.axvline(threshold, color=PALETTE[1], linestyle="--", linewidth=1)
        ax.set_xlabel(xlabel)
        return _finish(fig, chart_id=chart_id, title=title, description=description)
