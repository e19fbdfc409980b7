"""Front-end rules that hold for every template: the strict Content-Security-Policy
(partnerskap/settings.py) allows no inline style or script, and every page has the favicon."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_inline_style_or_script(path):
    source = path.read_text()
    assert not re.search(r"\sstyle\s*=", source), "inline style attribute (blocked by the CSP)"
    assert "<style" not in source, "<style> element (blocked by the CSP)"
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", source, re.S):
        assert "src=" in attrs and not body.strip(), "inline script (blocked by the CSP)"
    assert not re.search(r"\son[a-z]+\s*=\s*\"", source), "inline event handler"


@pytest.mark.django_db
def test_every_page_links_the_favicon_svg_with_an_ico_fallback():
    page = Client().get("/").content.decode()
    icons = re.findall(r'<link rel="icon" href="/static/([^"]+)"([^>]*)>', page)
    assert [path for path, _ in icons] == ["favicon/favicon.ico", "favicon/favicon.svg"]
    assert 'type="image/svg+xml"' in icons[1][1]
    for path, _ in icons:
        assert finders.find(path), f"static file not found: {path}"
    svg = Path(finders.find("favicon/favicon.svg")).read_text()
    assert svg.startswith("<svg") and 'viewBox="0 0 32 32"' in svg
    assert Path(finders.find("favicon/favicon.ico")).read_bytes()[:4] == b"\x00\x00\x01\x00"
