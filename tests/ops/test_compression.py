"""gzip for text responses (partnerskap/compression.py), not for what is compressed already."""

from __future__ import annotations

import gzip

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from partnerskap.compression import TextGZipMiddleware, is_text
from tests.factories import HandlingsprogramFactory, TemaFactory, TiltakFactory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def programme(db):
    programme = HandlingsprogramFactory(navn="Smart samhandling i Testfylket")
    tema = TemaFactory(program=programme, nummer=1)
    for nummer in range(1, 6):
        TiltakFactory(tema=tema, nummer=nummer)
    return programme


def test_html_is_gzipped_when_the_browser_accepts_it(client, programme):
    url = reverse("tiltak:programme_detail", args=[programme.pk])
    raw = client.get(url)
    compressed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in raw
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    html = gzip.decompress(compressed.content).decode()
    assert "Smart samhandling i Testfylket" in html
    assert len(compressed.content) < len(raw.content) / 3


def test_api_json_is_gzipped(client, programme):
    response = client.get("/api/programmer/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert b"Smart samhandling i Testfylket" in gzip.decompress(response.content)


def test_a_spreadsheet_is_sent_as_it_is(client, programme):
    response = client.get(
        reverse("tiltak:programme_export", args=[programme.pk]), HTTP_ACCEPT_ENCODING="gzip"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "Content-Encoding" not in response
    assert response.content[:2] == b"PK"  # the zip container itself


@pytest.mark.parametrize(
    ("content_type", "text"),
    [
        ("text/html; charset=utf-8", True),
        ("text/csv", True),
        ("application/json", True),
        ("application/problem+json", True),
        ("image/svg+xml", True),
        ("application/vnd.oai.openapi; charset=utf-8", True),
        (XLSX, False),
        ("application/pdf", False),
        ("image/png", False),
        ("", False),
    ],
)
def test_what_counts_as_text(content_type, text):
    assert is_text(content_type) is text


def test_middleware_leaves_binary_responses_alone():
    body = b"%PDF-1.7 " + b"0" * 5000
    middleware = TextGZipMiddleware(
        lambda request: HttpResponse(body, content_type="application/pdf")
    )
    response = middleware(RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip"))
    assert response.content == body
    assert not response.has_header("Content-Encoding")
