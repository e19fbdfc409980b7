"""Issue 8 item 7, fast pages: the cheaper queries and templates give the same answers as the
plain ones, the shared cache of rendered pages never serves stale or another viewer's HTML, and
long lists stay bounded."""

import pytest
from django.urls import reverse
from django.utils import timezone

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


# --- The shared cache of rendered fragments --------------------------------------------------------


@pytest.fixture
def two_programmes(users):
    """A public programme and a draft of the planner's organisation (the county), each with a
    tiltak where the municipality leads."""
    from tests.factories import AnsvarFactory
    from tiltak.models import ProgramStatus

    public = HandlingsprogramFactory(
        navn="Offentlig program", start_aar=2019, status=ProgramStatus.PAA_HOERING
    )
    draft = HandlingsprogramFactory(
        navn="Hemmelig utkast", start_aar=2025, slutt_aar=2026, eier=users["county"]
    )
    Handlingsprogram.objects.filter(pk=draft.pk).update(status=ProgramStatus.UTKAST)
    draft.refresh_from_db()
    rows = {}
    for programme, title in ((public, "Offentlig tiltak"), (draft, "Hemmelig tiltak")):
        tema = TemaFactory(program=programme, nummer=1)
        rows[programme.pk] = TiltakFactory(program=programme, tema=tema, nummer=1, tittel=title)
        AnsvarFactory(tiltak=rows[programme.pk], organisasjon=users["kommune"])
    return public, draft, rows


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_a_change_shows_at_once_on_cached_pages(client, users, two_programmes):
    public, _draft, rows = two_programmes
    tiltak = rows[public.pk]
    programme_url = public.get_absolute_url()
    ansvar_url = reverse("tiltak:organisasjon_detail", args=[users["kommune"].slug])
    assert "Offentlig tiltak" in _page(client, programme_url)
    assert "Offentlig tiltak" in _page(client, ansvar_url)
    # Served from the cache now: the same HTML again.
    assert "Offentlig tiltak" in _page(client, programme_url)

    # A change through the service (a save).
    from tiltak.services.tiltak import tiltak_update

    tiltak_update(
        actor=users["administrator"],
        tiltak=tiltak,
        expected_versjon=tiltak.versjon,
        tittel="Nytt navn på tiltaket",
    )
    for url in (programme_url, ansvar_url):
        page = _page(client, url)
        assert "Nytt navn på tiltaket" in page and "Offentlig tiltak" not in page

    # An organisation renamed: its name in every party link.
    kommune = users["kommune"]
    kommune.navn = "Omdøpt kommune"
    kommune.save()
    assert "Omdøpt kommune" in _page(client, programme_url)

    # A new party (another model) and a deleted one.
    from tests.factories import AnsvarFactory, OrganisasjonFactory

    new_party = AnsvarFactory(tiltak=tiltak, organisasjon=OrganisasjonFactory(navn="Ny partner"))
    assert "Ny partner" in _page(client, programme_url)
    new_party.delete()
    assert "Ny partner" not in _page(client, programme_url)


def test_the_cache_keys_language_and_viewer(client, users, two_programmes):
    from tiltak.selectors import render_cache

    public, _draft, _rows = two_programmes
    keys = set()
    for role in ("anonymous", "member", "planner", "other_planner", "administrator", "board"):
        from django.contrib.auth.models import AnonymousUser

        user = users[role] or AnonymousUser()
        for language in ("nb", "en"):
            from django.utils import translation

            with translation.override(language):
                keys.add(render_cache.fragment_key("programme-tree", (public.pk,), user))
    # public (anonymous, member) × 2 languages, each planner's organisation, all (admin, board).
    assert len(keys) == 4 * 2


def test_a_planners_view_never_reaches_anyone_else(client_for, users, two_programmes):
    public, draft, _rows = two_programmes
    ansvar_url = reverse("tiltak:organisasjon_detail", args=[users["kommune"].slug])
    planner = client_for("planner")
    # The planner fills the cache with the draft's rows (open_all: every programme in full).
    for url in (ansvar_url, ansvar_url + "?program=alle", draft.get_absolute_url()):
        assert "Hemmelig" in _page(planner, url)
    for role in ("anonymous", "member", "other_member", "other_planner"):
        client = client_for(role)
        for url in (ansvar_url, ansvar_url + "?program=alle"):
            page = _page(client, url)
            assert "Offentlig tiltak" in page and "Hemmelig" not in page, (role, url)
        assert client.get(draft.get_absolute_url()).status_code == 404
        assert client.get(ansvar_url + f"?program={draft.pk}").status_code == 404
    # And the other way round: the anonymous fragment is not what the planner gets.
    assert "Hemmelig" in _page(client_for("planner"), ansvar_url + "?program=alle")
    assert "Hemmelig" in _page(client_for("administrator"), ansvar_url + "?program=alle")


def test_a_draft_published_shows_at_once(client, users, two_programmes):
    from tiltak.models import ProgramStatus

    _public, draft, _rows = two_programmes
    ansvar_url = reverse("tiltak:organisasjon_detail", args=[users["kommune"].slug])
    assert "Hemmelig" not in _page(client, ansvar_url + "?program=alle")
    draft.status = ProgramStatus.PAA_HOERING
    draft.save()
    assert "Hemmelig tiltak" in _page(client, ansvar_url + "?program=alle")
    assert "Hemmelig tiltak" in _page(client, draft.get_absolute_url())


def test_the_version_is_replaced_when_the_transaction_commits(users, two_programmes):
    """A page rendered by another request while a write is uncommitted (from the old data) is
    not kept under the version that follows the commit. (The test runs inside a transaction,
    whose commit callbacks are never run: they are read from the connection.)"""
    from django.db import connection, transaction

    from tiltak.selectors import render_cache

    public, _draft, rows = two_programmes
    before = render_cache.current_version()
    with transaction.atomic():
        for _ in range(3):
            rows[public.pk].save()
        during = render_cache.current_version()
    pending = [f for _sids, f, _robust in connection.run_on_commit]
    # Registered once for the transaction, however many writes.
    assert pending.count(render_cache._new_version) == 1
    render_cache._new_version()  # what the commit runs
    assert render_cache.current_version() not in (before, during)


def test_an_evicted_version_never_returns(users, two_programmes):
    from django.core.cache import cache

    from tiltak.selectors import render_cache

    first = render_cache.current_version()
    cache.delete(render_cache.VERSION_KEY)
    assert render_cache.current_version() != first


# --- The «Ansvar» page of a large organisation is bounded ------------------------------------------


def test_ansvar_page_shows_one_programme_in_full_and_the_others_by_counts(client, users):
    from tests.factories import AnsvarFactory

    kommune = users["kommune"]
    programmes = [
        HandlingsprogramFactory(navn=f"Program {year}", start_aar=year, slutt_aar=year + 1)
        for year in (2019, 2021, 2023)
    ]
    for programme in programmes:
        tema = TemaFactory(program=programme, nummer=1)
        for n in range(3):
            t = TiltakFactory(
                program=programme, tema=tema, nummer=n + 1, tittel=f"T{programme.start_aar}-{n}"
            )
            AnsvarFactory(tiltak=t, organisasjon=kommune)
    url = reverse("tiltak:organisasjon_detail", args=[kommune.slug])
    page = _page(client, url)
    # The newest in full, the others by their counts with a link that opens them.
    assert "T2023-0" in page and "T2021-0" not in page and "T2019-0" not in page
    assert f'href="?program={programmes[0].pk}#program-{programmes[0].pk}"' in page
    opened = _page(client, url + f"?program={programmes[0].pk}")
    assert "T2019-0" in opened and "T2023-0" not in opened
    every = _page(client, url + "?program=alle")
    assert all(f"T{y}-0" in every for y in (2019, 2021, 2023))
    # Counts for every programme stay on the page, and the downloads still cover all.
    assert page.count('class="portal-tema portal-print-section"') == 3
    response = client.get(url + "?format=csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert all(f"T{y}-0" in text for y in (2019, 2021, 2023))
    assert client.get(url + "?program=tull").status_code == 404


def test_ansvar_and_programme_pages_cost_the_same_cold_at_ten_times(client, demo_data):
    """Query budgets of a page rendered from scratch (the cache emptied before each request),
    for a programme and an organisation ten times larger."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partnerskap.models import Organisasjon
    from tests.budgets import assert_same_queries
    from tiltak.synthetic import build_large_programme

    def cold(url: str) -> int:
        client.get(url)
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    buskerud = Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)
    bfk = Organisasjon.objects.get(slug="bfk")
    ansvar_url = reverse("tiltak:organisasjon_detail", args=["bfk"])
    small = {
        "programme page": cold(buskerud.get_absolute_url()),
        "ansvar page": cold(ansvar_url + f"?program={buskerud.pk}"),
        "ansvar page (all)": cold(ansvar_url + "?program=alle"),
    }
    small_sizes = (Tiltak.objects.filter(program=buskerud).count(), bfk.ansvar.count())
    large_programme = build_large_programme(factor=10)
    large = {
        "programme page": cold(large_programme.get_absolute_url()),
        "ansvar page": cold(ansvar_url + f"?program={large_programme.pk}"),
        "ansvar page (all)": cold(ansvar_url + "?program=alle"),
    }
    assert_same_queries(
        small,
        large,
        # A miss in the database cache costs 4 of them (version, fragment, the write); the
        # panels of the apps that plug in (hearing, reporting, dashboard) one or two each.
        ceiling=24,
        sizes={
            "programme page": (
                small_sizes[0],
                Tiltak.objects.filter(program=large_programme).count(),
            ),
            "ansvar page": (small_sizes[1], bfk.ansvar.count() - small_sizes[1]),
        },
    )
    # Bounded: the default page shows one programme in full, not all eleven times the rows.
    default = client.get(ansvar_url).content
    every = client.get(ansvar_url + "?program=alle").content
    assert len(every) > 5 * len(default) or len(default) < 400_000
