"""The case papers as PDF and Word, opened again and read: the whole Buskerud demo programme,
the PDF/UA identification, tags, bookmarks, language, «Side X av Y», landscape pages for the
table; made once and served from storage until the content changes; made in the background
(«Dokumentet lages …») when the task queue is not immediate."""

import datetime
import io
import re

import docx
import pikepdf
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from partnerskap.models import BrukerRolle
from rapportering.models import Saksframlegg
from rapportering.saksframlegg import cache, document, services
from tests.factories import BrukerFactory, HandlingsprogramFactory, TemaFactory, TiltakFactory
from tiltak.models import Handlingsprogram, Tema, Tiltak
from tiltak.services import tiltak as tiltak_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def render_count(monkeypatch):
    """Counts the real renders (a spy: the real function runs)."""
    calls = []
    real = document.render_pdf

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(document, "render_pdf", spy)
    return calls


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _struct_tags(pdf) -> set[str]:
    tags: set[str] = set()
    stack = [pdf.Root.StructTreeRoot]
    while stack:
        element = stack.pop()
        if not isinstance(element, pikepdf.Dictionary):
            continue
        if "/S" in element:
            tags.add(str(element.S))
        kids = element.get("/K")
        if isinstance(kids, pikepdf.Array):
            stack.extend(kids)
        elif isinstance(kids, pikepdf.Dictionary):
            stack.append(kids)
    return tags


def _outline_titles(outline) -> list[str]:
    titles = []
    for item in outline:
        if isinstance(item, list):
            titles.extend(_outline_titles(item))
        else:
            titles.append(item.title)
    return titles


def test_the_whole_demo_programme_as_a_tagged_pdf_and_a_word_file(demo_data, client, render_count):
    programme = Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)
    planner = BrukerFactory(
        email="planlegger-sak@bfk.no", organisasjon=programme.eier, rolle=BrukerRolle.PLANLEGGER
    )
    client.force_login(planner)
    sak = services.saksframlegg_create(
        actor=planner,
        programme=programme,
        saksnummer="18/01234",
        tittel="Handlingsprogram for Smart samhandling i Buskerud 2019–2020",
        moetedato=datetime.date(2018, 11, 20),
        forslag_til_vedtak="1. Fylkesutvalget vedtar handlingsprogrammet.",
        saksopplysninger="Programmet har vært på høring.\n\n- 45 inviterte\n- 31 svar",
        vurdering="Fylkesrådmannen tilrår at programmet vedtas.",
        deler=["programme_table"],
    )
    url = reverse("dashboard:saksframlegg_pdf", args=[sak.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)

    reader = PdfReader(io.BytesIO(data))
    pages = len(reader.pages)
    assert 10 <= pages <= 60
    texts = [page.extract_text() for page in reader.pages]
    everything = _squash(" ".join(texts))
    titles = list(Tiltak.objects.filter(program=programme).values_list("tittel", flat=True))
    assert len(titles) == 164
    missing = [t for t in titles if _squash(t) not in everything]
    assert not missing, missing[:5]
    # «Side X av Y» on every page, and the running header with the case number after the cover.
    for number, text in enumerate(texts, start=1):
        assert f"Side {number} av {pages}" in text, number
        if number > 1:
            assert "18/01234" in text
    # The programme table is on landscape pages; the texts on portrait ones.
    boxes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    assert boxes[0][0] < boxes[0][1] and boxes[-1][0] > boxes[-1][1]
    # The table's column headings are repeated on every landscape page.
    landscape = [text for text, (w, h) in zip(texts, boxes, strict=True) if w > h]
    assert len(landscape) >= 5
    assert all("Hovedansvar" in text and "Samarbeidsparter" in text for text in landscape)
    # Bookmarks: the title, the text sections, the appendix and one per tema.
    outline = _outline_titles(reader.outline)
    tema_titles = [t for t in outline if t.startswith("Tema ")]
    assert len(tema_titles) == Tema.objects.filter(program=programme).count() == 6
    # title, contents, proposed decision, background, assessment, appendix, the temaer
    assert outline[0] == sak.tittel and len(outline) == 6 + len(tema_titles)

    pdf = pikepdf.open(io.BytesIO(data))
    assert str(pdf.Root.Lang) == "nb"
    assert bool(pdf.Root.MarkInfo.Marked)
    with pdf.open_metadata() as meta:
        assert meta["pdfuaid:part"] == "1"
        assert meta["dc:title"] == f"18/01234 {sak.tittel}"
    tags = _struct_tags(pdf)
    assert {"/Document", "/H1", "/H2", "/Table", "/TH", "/TR", "/TD", "/L", "/LI"} <= tags
    # The fonts are the ones the project installs, embedded.
    fonts = {
        str(font.BaseFont).split("+")[-1]
        for page in pdf.pages
        for font in page.Resources.Font.values()
    }
    assert fonts and all(
        f.replace("-", "").startswith(("NotoSans", "DejaVuSans")) for f in fonts
    ), fonts

    # Served again from storage, not rendered again.
    assert render_count == [1]
    again = client.get(url)
    assert again.status_code == 200 and b"".join(again.streaming_content) == data
    assert render_count == [1]

    # The Word file: the same texts, one table per tema with a repeated header row.
    response = client.get(reverse("dashboard:saksframlegg_docx", args=[sak.pk]))
    assert response.status_code == 200
    word = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    paragraphs = "\n".join(p.text for p in word.paragraphs)
    assert sak.tittel in paragraphs and "18/01234" in paragraphs
    assert "Fylkesutvalget vedtar handlingsprogrammet." in paragraphs
    assert "45 inviterte" in paragraphs
    rows = [row for table in word.tables for row in table.rows[1:]]
    assert len(rows) == 164
    assert sorted(row.cells[3].text for row in rows) == sorted(titles)
    assert all("tblHeader" in table.rows[0]._tr.xml for table in word.tables)
    assert word.core_properties.language == "nb"

    # A change in the programme is a new document; the old file is removed when it is made.
    old_key = document.content_key(sak)
    first = Tiltak.objects.filter(program=programme).order_by("id").first()
    tiltak_services.tiltak_update(
        actor=planner, tiltak=first, expected_versjon=first.versjon, tittel="Nytt tiltaksnavn"
    )
    sak = Saksframlegg.objects.get(pk=sak.pk)
    new_key = document.content_key(sak)
    assert new_key != old_key
    assert cache.pdf_state(sak, start=False) == (cache.PENDING, "")
    assert default_storage.exists(cache.path_for(sak.pk, old_key, "pdf"))


def test_nynorsk_and_the_background_queue(users, client_for, settings, render_count):
    programme = HandlingsprogramFactory(eier=users["county"])
    TiltakFactory(tema=TemaFactory(program=programme, nummer=1), nummer=1, tittel="Eit tiltak")
    sak = services.saksframlegg_create(
        actor=users["planner"],
        programme=programme,
        saksnummer="24/7",
        tittel="Saksframlegg på nynorsk",
        moetedato=datetime.date(2024, 6, 4),
        spraak="nn",
        deler=["programme_table"],
    )
    # With a queue that does not run at once (as the database queue in production), the
    # page says the document is being made and reloads; nothing is rendered in the request.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client = client_for("board")
    url = reverse("dashboard:saksframlegg_pdf", args=[sak.pk])
    response = client.get(url)
    assert response.status_code == 202
    assert response["Refresh"] == "3"
    assert 'role="status"' in response.content.decode()
    assert render_count == []
    # A second request does not queue it again.
    from django_tasks import default_task_backend

    assert len(default_task_backend.results) == 1
    client.get(url)
    assert len(default_task_backend.results) == 1
    # The worker runs the task; then the PDF is served.
    cache.build_pdf(sak.pk)
    response = client.get(url)
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    pdf = pikepdf.open(io.BytesIO(data))
    assert str(pdf.Root.Lang) == "nn"
    reader = PdfReader(io.BytesIO(data))
    assert "Side 1 av" in reader.pages[0].extract_text()
    assert "Eit tiltak" in "".join(p.extract_text() for p in reader.pages)
    # A changed text is a new document.
    key = document.content_key(sak)
    services.saksframlegg_update(
        actor=users["planner"], saksframlegg=sak, expected_versjon=1, vurdering="Ny vurdering"
    )
    assert document.content_key(Saksframlegg.objects.get(pk=sak.pk)) != key


def test_a_failed_render_says_so_and_is_not_a_server_error(users, client_for, monkeypatch):
    """Fault injection: the renderer raises (as WeasyPrint would on a broken font); the task
    fails, the page says so with 503 and Retry-After, and asks again only after a while."""
    programme = HandlingsprogramFactory(eier=users["county"])
    TiltakFactory(tema=TemaFactory(program=programme, nummer=1), nummer=1)
    sak = services.saksframlegg_create(
        actor=users["planner"],
        programme=programme,
        saksnummer="24/9",
        tittel="Feiler",
        moetedato=datetime.date(2024, 6, 4),
        deler=["programme_table"],
    )
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("font missing")

    monkeypatch.setattr(document, "render_pdf", broken)
    client = client_for("planner")
    url = reverse("dashboard:saksframlegg_pdf", args=[sak.pk])
    response = client.get(url)
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert 'role="alert"' in response.content.decode()
    assert client.get(url).status_code == 503
    assert calls == [1]  # not tried again at once
