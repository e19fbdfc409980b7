"""Issue 8 item 7, fast pages: the cheaper queries and templates give the same answers as the
plain ones, the shared cache of rendered pages never serves stale or another viewer's HTML, and
long lists stay bounded."""

import pytest
from django.utils import timezone
from django.urls import reverse

from tests.factories import HandlingsprogramFactory, TemaFactory, TiltakFactory
from tiltak.models import Handlingsprogram, Tema, Tiltak
from tiltak.selectors.programmes import programme_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def buskerud(demo_data):
    return Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)


# --- The programme list counts with correlated subqueries --------------------------------------


def test_programme_list_counts_equal_direct_counts(buskerud):
    from tiltak.synthetic import build_large_programme

    build_large_programme(factor=2)
    empty = HandlingsprogramFactory(navn="Tomt program")
    only_tema = HandlingsprogramFactory(navn="Bare tema")
    TemaFactory(program=only_tema, nummer=1)
    deleted = Tiltak.objects.filter(program=buskerud).first()
    Tiltak.alle.filter(pk=deleted.pk).update(slettet=timezone.now(), slettet_grunn="Test")

    listed = list(programme_list(programmes=Handlingsprogram.objects.all()))
    assert len(listed) == Handlingsprogram.objects.count() >= 5
    for p in listed:
        assert p.antall_tiltak == Tiltak.objects.filter(program=p).count(), p
        assert p.antall_temaer == Tema.objects.filter(program=p).count(), p
    by_pk = {p.pk: p for p in listed}
    assert (by_pk[empty.pk].antall_tiltak, by_pk[empty.pk].antall_temaer) == (0, 0)
    assert (by_pk[only_tema.pk].antall_tiltak, by_pk[only_tema.pk].antall_temaer) == (0, 1)
    # The deleted tiltak is not counted, though it is still in the table.
    assert by_pk[buskerud.pk].antall_tiltak == Tiltak.alle.filter(program=buskerud).count() - 1


def test_programme_list_page_and_api_show_the_counts(client, buskerud):
    page = client.get(reverse("tiltak:programme_list")).content.decode()
    n = Tiltak.objects.filter(program=buskerud).count()
    assert f"{n}" in page
    data = client.get("/api/programmer/").json()
    rows = data["results"] if isinstance(data, dict) else data
    by_id = {row["id"]: row for row in rows}
    assert by_id[buskerud.pk]["antall_tiltak"] == n


# --- Cheaper rows on the programme page ----------------------------------------------------------


def _same_html(text: str) -> str:
    """HTML compared without the whitespace between tags (which templates lay out freely)."""
    import re

    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", text)).strip()


@pytest.mark.parametrize("language", ["nb", "en"])
def test_programme_table_equals_the_generic_component(buskerud, language):
    """The programme page's inlined table (links from prefixes reversed once) renders the same
    HTML as components/tiltak_table.html (a reverse() per link, includes per row) for every
    table of every demo programme: titles, missing titles, numbers, parties, empty roles."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from tiltak.selectors.tree import programme_tree
    from tiltak.views.browse import url_parts

    tables = 0
    with translation.override(language):
        for programme in Handlingsprogram.objects.all():
            for node in programme_tree(programme=programme):
                for dnode in node.delmaal:
                    for snode in dnode.satsingsomraader:
                        if not snode.tiltak:
                            continue
                        context = {"rows": snode.tiltak, "labelledby": "x-1"}
                        generic = render_to_string("components/tiltak_table.html", context)
                        inlined = render_to_string(
                            "tiltak/partials/programme_tiltak_table.html",
                            {
                                **context,
                                "tiltak_url": url_parts("tiltak:tiltak_detail", "pk"),
                                "organisasjon_url": url_parts(
                                    "tiltak:organisasjon_detail", "slug", "x"
                                ),
                            },
                        )
                        assert _same_html(inlined) == _same_html(generic)
                        tables += 1
    assert tables > 20


def test_programme_table_edge_cases_equal_the_generic_component(db):
    """No title (description or number instead), no parties in a role."""
    from django.template.loader import render_to_string

    from tiltak.views.browse import url_parts

    programme = HandlingsprogramFactory()
    tema = TemaFactory(program=programme, nummer=4)
    rows = [
        TiltakFactory(program=programme, tema=tema, nummer=1, tittel="", beskrivelse="ord " * 30),
        TiltakFactory(program=programme, tema=tema, nummer=None, tittel="", beskrivelse=""),
        TiltakFactory(program=programme, tema=tema, nummer=3, tittel="<b>Tittel</b> & co"),
    ]
    context = {"rows": rows, "labelledby": "tema-4"}
    generic = render_to_string("components/tiltak_table.html", context)
    inlined = render_to_string(
        "tiltak/partials/programme_tiltak_table.html",
        {
            **context,
            "tiltak_url": url_parts("tiltak:tiltak_detail", "pk"),
            "organisasjon_url": url_parts("tiltak:organisasjon_detail", "slug", "x"),
        },
    )
    assert "&lt;b&gt;Tittel" in inlined
    assert _same_html(inlined) == _same_html(generic)
