"""The third kind of extension (tiltak/extensions.py): sections — dashboard tiles, blocks under
«since the last meeting», and parts of the case papers — and tiltak signals for the colours.
The programme's own blocks use it; here a test registers its own, as hoering and rapportering
will, and it shows up on the dashboard, in the form's parts, the printable page, the PDF's
cache key and the Word file; a signal overrides a tiltak's colour."""

import datetime
import io

import docx
import pytest
from django.urls import reverse

from rapportering.dashboard import selectors
from rapportering.models import Saksframlegg
from rapportering.saksframlegg import document, services
from tests.rapportering.dashboard_helpers import small_programme
from tiltak import extensions
from tiltak.extensions import Section, register_section, unregister_section

pytestmark = pytest.mark.django_db

SUMMARY_HTML = "rapportering/testing/section.html"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def section_template(settings, tmp_path):
    folder = tmp_path / "templates" / "testing"
    folder.mkdir(parents=True)
    (folder / "tile.html").write_text("<p class='test-tile'>{{ text }} ({{ count }})</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path / "templates"]}
    ]
    return "testing/tile.html"


@pytest.fixture
def registered(section_template):
    """A hearing-like tile and summary part, registered for the test and removed after."""
    state = {"answered": 31, "calls": []}

    def tile(programme, **options):
        state["calls"].append(sorted(options))
        return {"text": "Svar på høringen", "count": state["answered"]}

    def summary(programme, **options):
        return {"text": "Høringsoppsummering", "count": state["answered"]}

    def summary_docx(document_, context):
        document_.add_paragraph(f"{context['text']} ({context['count']})")

    sections = [
        Section(
            slot="dashboard",
            name="test_hearing",
            title="Høringen",
            context=tile,
            template=section_template,
            order=20,
        ),
        Section(
            slot="dashboard_since",
            name="test_answers",
            title="Nye svar",
            context=tile,
            template=section_template,
        ),
        Section(
            slot="saksframlegg",
            name="test_summary",
            title="Oppsummering av høringen",
            context=summary,
            template=section_template,
            print_template=section_template,
            docx=summary_docx,
            fingerprint=lambda programme: str(state["answered"]),
        ),
    ]
    for s in sections:
        register_section(s)
    yield state
    for s in sections:
        unregister_section(s)


def test_slots_are_checked_and_a_name_is_registered_once():
    with pytest.raises(ValueError, match="unknown section slot"):
        register_section(Section(slot="sidebar", name="x", title="x", context=dict, template=""))
    first = Section(slot="dashboard", name="dup", title="1", context=dict, template="a.html")
    second = Section(slot="dashboard", name="dup", title="2", context=dict, template="b.html")
    register_section(first)
    register_section(second)
    try:
        assert [s.title for s in extensions.sections("dashboard") if s.name == "dup"] == ["2"]
    finally:
        unregister_section(second)
    assert extensions.section("dashboard", "dup") is None
    # The programme's own sections are registered by the rapportering app.
    names = {(s.slot, s.name) for s in extensions._SECTIONS}
    assert {
        ("dashboard", "progress"),
        ("dashboard", "responsibility"),
        ("dashboard_since", "tiltak_changes"),
        ("saksframlegg", "programme_table"),
    } <= names


def test_a_registered_tile_is_on_the_dashboard_in_its_order(users, client_for, registered):
    data = small_programme(users["county"])
    response = client_for("board").get(reverse("dashboard:dashboard", args=[data["programme"].pk]))
    body = response.content.decode()
    assert body.count("Svar på høringen (31)") == 2  # the tile and the since block
    # order: progress (10) < the test tile (20) < responsibility (50)
    assert body.index('id="tile-progress"') < body.index('id="tile-test_hearing"')
    assert body.index('id="tile-test_hearing"') < body.index('id="tile-responsibility"')
    assert ["since", "user"] in registered["calls"]


def test_a_section_that_returns_none_is_left_out(users, client_for, section_template):
    quiet = Section(
        slot="dashboard",
        name="quiet",
        title="Stille",
        context=lambda p, **o: None,
        template=section_template,
    )
    register_section(quiet)
    try:
        data = small_programme(users["county"])
        body = (
            client_for("board")
            .get(reverse("dashboard:dashboard", args=[data["programme"].pk]))
            .content.decode()
        )
        assert "Stille" not in body and 'id="tile-quiet"' not in body
    finally:
        unregister_section(quiet)


def test_a_registered_part_goes_into_the_case_papers(users, client_for, registered):
    data = small_programme(users["county"])
    programme = data["programme"]
    client = client_for("planner")
    form = client.get(reverse("dashboard:saksframlegg_create", args=[programme.pk]))
    assert 'value="test_summary"' in form.content.decode()
    sak = services.saksframlegg_create(
        actor=users["planner"],
        programme=programme,
        saksnummer="24/2",
        tittel="Med høring",
        moetedato=datetime.date(2024, 9, 1),
        deler=["programme_table", "test_summary"],
    )
    page = client.get(reverse("dashboard:saksframlegg_print", args=[sak.pk])).content.decode()
    assert "Oppsummering av høringen" in page and "Høringsoppsummering (31)" in page
    assert page.index("Høringsoppsummering (31)") > page.index(data["tiltak"][0].tittel)
    word = docx.Document(
        io.BytesIO(
            b"".join(
                client.get(reverse("dashboard:saksframlegg_docx", args=[sak.pk])).streaming_content
            )
        )
    )
    assert "Høringsoppsummering (31)" in [p.text for p in word.paragraphs]
    # The part's fingerprint is in the cache key: new answers, new document.
    key = document.content_key(sak)
    registered["answered"] = 32
    assert document.content_key(sak) != key
    # A part whose app is gone is left out, not an error.
    unregister_section(extensions.section("saksframlegg", "test_summary"))
    sak = Saksframlegg.objects.get(pk=sak.pk)
    assert [s.name for s in document.included_parts(sak)] == ["programme_table"]


def test_a_signal_overrides_the_colour_of_a_tiltak(users):
    data = small_programme(users["county"])
    programme, tiltak = data["programme"], data["tiltak"]
    before = selectors.status_per_tema(programme=programme).temaer[1]
    assert before.colour == "green"

    # «The latest report says delayed» for two tiltak of tema 2.
    def report_signal(p):
        return {tiltak[4].pk: "red", tiltak[5].pk: "red"} if p.pk == programme.pk else {}

    extensions.register_tiltak_signal(report_signal)
    try:
        after = selectors.status_per_tema(programme=programme).temaer[1]
        assert after.colours["red"] == 2 and after.colour == "red"
        red = selectors.tiltak_with_colour(programme=programme, colour="red", tema=after.tema)
        assert {t.pk for t in red} == {tiltak[4].pk, tiltak[5].pk}
    finally:
        extensions.unregister_tiltak_signal(report_signal)
    assert selectors.status_per_tema(programme=programme).temaer[1].colour == "green"
