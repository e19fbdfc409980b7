"""The simple formatting of the case texts: paragraphs (separated by a blank line), bulleted
lists ("- " or "* "), numbered lists ("1. "), **bold** and *italic*. Nothing else: no HTML, no
links, no headings. Whatever is typed is shown as text (escaped), so no markup a user writes
reaches the page or the PDF; the same parse feeds the HTML and the Word file."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BULLET = re.compile(r"^\s*[-*•]\s+")
NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+")
INLINE = re.compile(r"\*\*(?P<bold>[^*\n]+?)\*\*|\*(?P<italic>[^*\n]+?)\*")


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Block:
    kind: str  # "p", "ul", "ol"
    items: tuple[tuple[Run, ...], ...]  # a paragraph has one item (its lines joined)


def runs(text: str) -> tuple[Run, ...]:
    found: list[Run] = []
    position = 0
    for match in INLINE.finditer(text):
        if match.start() > position:
            found.append(Run(text[position : match.start()]))
        if match.group("bold") is not None:
            found.append(Run(match.group("bold"), bold=True))
        else:
            found.append(Run(match.group("italic"), italic=True))
        position = match.end()
    if position < len(text):
        found.append(Run(text[position:]))
    return tuple(found)


def blocks(text: str) -> list[Block]:
    result: list[Block] = []
    for chunk in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip()):
        lines = [line.rstrip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if all(BULLET.match(line) for line in lines):
            result.append(Block("ul", tuple(runs(BULLET.sub("", line, 1)) for line in lines)))
        elif all(NUMBERED.match(line) for line in lines):
            result.append(Block("ol", tuple(runs(NUMBERED.sub("", line, 1)) for line in lines)))
        else:
            result.append(Block("p", (runs(" ".join(line.strip() for line in lines)),)))
    return result


def _runs_html(items: tuple[Run, ...]) -> str:
    parts = []
    for run in items:
        html = str(escape(run.text))
        if run.bold:
            html = f"<strong>{html}</strong>"
        if run.italic:
            html = f"<em>{html}</em>"
        parts.append(html)
    return "".join(parts)


def to_html(text: str) -> SafeString:
    """The text as HTML: only <p>, <ul>, <ol>, <li>, <strong>, <em>, everything typed escaped."""
    out = []
    for block in blocks(text):
        if block.kind == "p":
            out.append(f"<p>{_runs_html(block.items[0])}</p>")
        else:
            items = "".join(f"<li>{_runs_html(item)}</li>" for item in block.items)
            out.append(f"<{block.kind}>{items}</{block.kind}>")
    return mark_safe("\n".join(out))  # noqa: S308  (every text escaped above)


def to_docx(document, text: str) -> None:
    """Add the text to a python-docx Document with the built-in paragraph and list styles."""
    for block in blocks(text):
        style = {"p": None, "ul": "List Bullet", "ol": "List Number"}[block.kind]
        for item in block.items:
            paragraph = document.add_paragraph(style=style)
            for run in item:
                r = paragraph.add_run(run.text)
                r.bold = run.bold or None
                r.italic = run.italic or None
