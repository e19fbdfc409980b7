"""Comparing two versions of a programme: after rolling the Buskerud demo programme and editing
the new version, the comparison shows exactly the edits; unrelated programmes match nothing;
bad parameters get a message; the page's query count is the same for a programme ten times
larger."""

import statistics
import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from partnerskap.models import BrukerRolle, Organisasjon
from tests.budgets import assert_same_queries, count_queries
from tests.factories import BrukerFactory, OrganisasjonFactory
from tiltak.models import (
    Ansvar,
    Delmaal,
    Handlingsprogram,
    Rolle,
    Satsingsomraade,
    Tema,
    Tiltak,
    TiltakStatus,
    TiltakType,
    Utfall,
)
from tiltak.selectors.comparison import programme_compare
from tiltak.services.rolling import programme_roll, tiltak_set_utfall
from tiltak.synthetic import build_large_programme

pytestmark = pytest.mark.django_db

# Queries of the comparison page for a logged-in user: session, user (and the organisation in the
# page header), the two programmes (form), the programme list of the form, and the comparison's
# eight (version chain, tiltak of each programme, tema, delmål, satsingsområde, ansvar and the
# organisations in changed responsibilities).
COMPARE_PAGE_BUDGET = 14


@pytest.fixture
def admin(db):
    return BrukerFactory(email="admin-sammenlign@example.no", rolle=BrukerRolle.ADMINISTRATOR)


@pytest.fixture
def buskerud(demo_data):
    return Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)


def successor(programme, old: Tiltak) -> Tiltak:
    return Tiltak.alle.get(program=programme, forgjenger=old)


def by_number(programme, nummer: str) -> Tiltak:
    tema, nr = (int(x) for x in nummer.split("."))
    return Tiltak.objects.select_related("tema").get(
        program=programme, tema__nummer=tema, nummer=nr
    )


@pytest.fixture
def edited(buskerud, admin):
    """Buskerud rolled to 2021–2022, then edited in known ways. Returns what was done."""
    new = programme_roll(actor=admin, programme=buskerud, start_aar=2021, slutt_aar=2022)
    old = {n: by_number(buskerud, n) for n in ("3.1", "3.7", "3.8", "3.9", "3.10", "4.1")}
    old.update({n: by_number(buskerud, n) for n in ("3.11", "3.12", "3.13")})

    # Title changed.
    t = successor(new, old["3.1"])
    t.tittel = "Attraktive lokalsamfunn for talenter"
    t.save()
    # One word of the long description changed: a word-level diff.
    t = successor(new, old["3.7"])
    t.beskrivelse = t.beskrivelse.replace("tverrsektoriell", "sektorovergripende", 1)
    assert t.beskrivelse != old["3.7"].beskrivelse
    t.save()
    # Status, type and funding.
    t = successor(new, old["3.8"])
    t.status = TiltakStatus.PAAGAAR
    t.type = TiltakType.PROSJEKT
    t.finansiering = "Regionale utviklingsmidler"
    t.save()
    # Moved to tema 4 without delmål and satsingsområde, as number 4.99.
    t = successor(new, old["3.9"])
    t.tema = Tema.objects.get(program=new, nummer=4)
    t.delmaal = None
    t.satsingsomraade = None
    t.nummer = 99
    t.save()
    # Years no longer the programme's period.
    t = successor(new, old["3.10"])
    t.slutt_aar = 2025
    t.save()
    # Responsibilities: one organisation added, one removed, one with another role.
    t = successor(new, old["4.1"])
    rows = list(t.ansvar.order_by("rolle", "rekkefoelge", "id"))
    assert len(rows) >= 2, "4.1 needs two parties for this test"
    added_org = OrganisasjonFactory(navn="Ny partner AS", slug="ny-partner")
    Ansvar.objects.create(tiltak=t, organisasjon=added_org, rolle=Rolle.SAMARBEIDSPART)
    removed = rows[0]
    removed.delete()
    role_changed = rows[1]
    new_role = (
        Rolle.SAMARBEIDSPART if role_changed.rolle == Rolle.HOVEDANSVAR else Rolle.HOVEDANSVAR
    )
    assert not t.ansvar.filter(organisasjon=role_changed.organisasjon, rolle=new_role).exists()
    role_changed.rolle = new_role
    role_changed.save()
    # Concluded when rolling (taken out of the new version by its outcome).
    tiltak_set_utfall(actor=admin, tiltak=successor(new, old["3.11"]), utfall=Utfall.AVSLUTTET)
    # Merged into 3.13.
    tiltak_set_utfall(
        actor=admin,
        tiltak=successor(new, old["3.12"]),
        utfall=Utfall.SLAATT_SAMMEN,
        slaatt_sammen_med=successor(new, old["3.13"]),
    )
    # Continued: an outcome alone is not a change of the tiltak.
    tiltak_set_utfall(actor=admin, tiltak=successor(new, old["3.13"]), utfall=Utfall.VIDEREFOERT)
    # The tema renamed: its tiltak have not moved.
    Tema.objects.filter(program=new, nummer=3).update(navn="Vertskapsattraktivitet og talent")
    # A new tiltak.
    tema5 = Tema.objects.get(program=new, nummer=5)
    added = Tiltak.objects.create(program=new, tema=tema5, nummer=90, tittel="Nytt tiltak 2021")
    return {
        "new": new,
        "old": old,
        "added": added,
        "added_org": added_org,
        "removed_ansvar": removed,
        "role_changed": role_changed,
        "new_role": new_role,
    }


def fields_of(comparison, old_tiltak) -> dict[str, tuple[str, str]]:
    [change] = [c for c in comparison.changed if c.fra.pk == old_tiltak.pk]
    return {f.field: (f.old, f.new) for f in change.fields}


def test_comparison_after_rolling_and_editing_shows_exactly_the_edits(buskerud, edited):
    new, old = edited["new"], edited["old"]
    c = programme_compare(fra=buskerud, til=new)
    assert c.related and not c.same and not c.fra_is_newer and c.generations == 1

    assert [t.pk for t in c.added] == [edited["added"].pk]
    assert {r.tiltak.pk for r in c.removed} == {old["3.11"].pk, old["3.12"].pk}
    reasons = {r.tiltak.pk: [s.utfall for s in r.deleted_successors] for r in c.removed}
    assert reasons == {old["3.11"].pk: ["avsluttet"], old["3.12"].pk: ["slaatt_sammen"]}
    assert {ch.fra.pk for ch in c.changed} == {
        old[n].pk for n in ("3.1", "3.7", "3.8", "3.9", "3.10", "4.1")
    }
    assert c.unchanged == 164 - 2 - 6

    assert fields_of(c, old["3.1"]) == {
        "tittel": (old["3.1"].tittel, "Attraktive lokalsamfunn for talenter")
    }
    [desc] = [f for ch in c.changed if ch.fra.pk == old["3.7"].pk for f in ch.fields]
    assert desc.field == "beskrivelse"
    assert [(s.kind, s.text) for s in desc.segments if s.kind != "equal"] == [
        ("delete", "tverrsektoriell"),
        ("insert", "sektorovergripende"),
    ]
    assert fields_of(c, old["3.8"]) == {
        "type": ("", "Prosjekt"),
        "status": ("Foreslått", "Pågår"),
        "finansiering": ("", "Regionale utviklingsmidler"),
    }
    moved = fields_of(c, old["3.9"])
    assert moved["nummer"] == ("3.9", "4.99")
    assert set(moved) == {"nummer", "tema", "delmaal", "satsingsomraade"}
    assert moved["tema"][1].startswith("4 ")
    assert moved["delmaal"][1] == "" and moved["satsingsomraade"][1] == ""
    assert fields_of(c, old["3.10"]) == {"aar": ("2019–2020", "2021–2025")}

    [ansvar_change] = [ch for ch in c.changed if ch.fra.pk == old["4.1"].pk]
    assert ansvar_change.fields == []
    kinds = {(a.kind, a.organisasjon.pk) for a in ansvar_change.ansvar}
    assert kinds == {
        ("added", edited["added_org"].pk),
        ("removed", edited["removed_ansvar"].organisasjon_id),
        ("changed", edited["role_changed"].organisasjon_id),
    }
    assert c.changed_fields_count == 5 and c.changed_ansvar_count == 1


def test_comparison_page_shows_counts_sections_and_diffs(buskerud, edited, admin, client):
    client.force_login(admin)
    new, old = edited["new"], edited["old"]
    response = client.get(reverse("tiltak:programme_compare") + f"?fra={buskerud.pk}&til={new.pk}")
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        '<dd data-count="added">\n                    1' in page or 'data-count="added">1' in page
    )
    for kind, count in (("added", 1), ("removed", 2), ("changed", 6), ("unchanged", 156)):
        assert f'data-count="{kind}">' in page
        snippet = page.split(f'data-count="{kind}">', 1)[1].split("</dd>", 1)[0]
        assert snippet.strip() == str(count), (kind, snippet)
    assert "Attraktive lokalsamfunn for talenter" in page
    assert "tverrsektoriell</del>" in page and "sektorovergripende</ins>" in page
    assert "Nytt tiltak 2021" in page
    assert "Ny partner AS" in page
    assert edited["added"].get_absolute_url() in page
    assert old["3.11"].get_absolute_url() in page
    # The merged one says into what.
    assert successor(new, old["3.13"]).get_absolute_url() in page


def test_non_adjacent_versions_match_through_several_rolls(buskerud, edited, admin):
    new, old = edited["new"], edited["old"]
    newer = programme_roll(actor=admin, programme=new, start_aar=2023, slutt_aar=2024)
    t = successor(newer, successor(new, old["3.1"]))
    t.tittel = "Attraktive lokalsamfunn, tredje versjon"
    t.save()
    extra = Tiltak.objects.create(
        program=newer, tema=Tema.objects.get(program=newer, nummer=6), nummer=77, tittel="Helt nytt"
    )

    c = programme_compare(fra=buskerud, til=newer)
    assert c.related and c.generations == 2
    assert {t.pk for t in c.added} == {successor(newer, edited["added"]).pk, extra.pk}
    assert {r.tiltak.pk for r in c.removed} == {old["3.11"].pk, old["3.12"].pk}
    assert fields_of(c, old["3.1"]) == {
        "tittel": (old["3.1"].tittel, "Attraktive lokalsamfunn, tredje versjon")
    }
    # Moved in the middle version: still one change of placement, no renamed-tema noise.
    assert set(fields_of(c, old["3.9"])) == {"nummer", "tema", "delmaal", "satsingsomraade"}
    # Years: 2019–2020 → 2023–2024 follows the programme; 3.10 ran to 2025 and kept it.
    assert fields_of(c, old["3.10"]) == {"aar": ("2019–2020", "2021–2025")}
    assert c.unchanged == 164 - 2 - 6


def test_the_direction_may_be_reversed(buskerud, edited):
    new, old = edited["new"], edited["old"]
    c = programme_compare(fra=new, til=buskerud)
    assert c.related and c.fra_is_newer
    assert {t.pk for t in c.added} == {old["3.11"].pk, old["3.12"].pk}
    assert [r.tiltak.pk for r in c.removed] == [edited["added"].pk]
    assert fields_of(c, successor(new, old["3.1"]))["tittel"] == (
        "Attraktive lokalsamfunn for talenter",
        old["3.1"].tittel,
    )
    assert len(c.changed) == 6 and c.unchanged == 156


def test_unrelated_programmes_match_nothing_and_say_so(buskerud, admin, client):
    vt = Handlingsprogram.objects.get(start_aar=2021)
    c = programme_compare(fra=buskerud, til=vt)
    assert not c.related
    assert c.changed == [] and c.unchanged == 0
    assert len(c.added) == Tiltak.objects.filter(program=vt).count()
    assert len(c.removed) == 164
    page = client.get(
        reverse("tiltak:programme_compare") + f"?fra={buskerud.pk}&til={vt.pk}"
    ).content.decode()
    assert "not versions of each other" in page or "ikke versjoner av hverandre" in page


def test_a_rewritten_text_is_shown_as_before_and_after(buskerud, admin):
    new = programme_roll(actor=admin, programme=buskerud, start_aar=2021, slutt_aar=2022)
    old = by_number(buskerud, "3.7")
    t = successor(new, old)
    t.beskrivelse = (
        "Helt ny tekst som beskriver et annet opplegg med andre ord enn før, over flere linjer."
    )
    t.save()
    [change] = programme_compare(fra=buskerud, til=new).changed
    [f] = change.fields
    assert (f.field, f.old, f.new, f.segments) == (
        "beskrivelse",
        old.beskrivelse,
        t.beskrivelse,
        None,
    )


def test_compare_dropdowns_tell_every_version_apart(buskerud, admin, client):
    """Issue 7: «fra» and «til» list every programme the user may see, each as name, period
    and status, so two versions of the same programme can be told apart."""
    import html as html_lib
    import re

    programme_roll(actor=admin, programme=buskerud, start_aar=2021, slutt_aar=2022)
    client.force_login(admin)
    page = client.get(reverse("tiltak:programme_compare")).content.decode()
    expected = [
        f"{p.navn} {p.periode} ({p.get_status_display()})"
        for p in Handlingsprogram.objects.order_by("-start_aar", "navn")
    ]
    for field in ("fra", "til"):
        select = re.search(rf'<select[^>]*name="{field}".*?</select>', page, re.S).group(0)
        labels = [
            html_lib.unescape(" ".join(label.split()))
            for label in re.findall(r'<option value="\d+"[^>]*>(.*?)</option>', select, re.S)
        ]
        assert labels == expected
        assert len(set(labels)) == len(labels)
    assert "Smart samhandling i Buskerud 2019–2020 (På høring)" in expected
    assert "Smart samhandling i Buskerud 2021–2022 (Utkast)" in expected


def test_a_programme_compared_with_itself_is_unchanged(buskerud):
    c = programme_compare(fra=buskerud, til=buskerud)
    assert c.same and c.unchanged == 164 and not (c.added or c.removed or c.changed)


def test_siblings_rolled_from_the_same_programme_are_not_matched(buskerud, admin):
    a = programme_roll(actor=admin, programme=buskerud, start_aar=2021, slutt_aar=2022)
    b = programme_roll(
        actor=admin, programme=buskerud, start_aar=2021, slutt_aar=2022, navn="Alternativ"
    )
    c = programme_compare(fra=a, til=b)
    assert not c.related and c.changed == []


@pytest.mark.parametrize(
    "query, field",
    [
        ("?fra=abc&til={b}", "fra"),
        ("?fra={b}", "til"),
        ("?til={b}", "fra"),
        ("?fra=999999&til={b}", "fra"),
        ("?fra={b}&til=", "til"),
        ("?fra={b}&til=1e5", "til"),
        # A NUL is refused before any view (tests/partnerskap/test_bad_input.py).
    ],
)
def test_bad_parameters_get_a_message_not_an_error(buskerud, client, query, field):
    response = client.get(reverse("tiltak:programme_compare") + query.format(b=buskerud.pk))
    assert response.status_code == 400
    assert response.context["comparison"] is None
    assert response.context["form"].errors[field]
    assert 'class="ds-error-summary' in response.content.decode()


def test_form_without_parameters(client, demo_data):
    response = client.get(reverse("tiltak:programme_compare"))
    assert response.status_code == 200
    assert response.context["comparison"] is None
    assert not response.context["form"].errors


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("anonymous", False),
        ("member", False),
        ("other_planner", False),
        ("other_member", False),
        ("board", True),
        ("administrator", True),
    ],
)
def test_drafts_can_only_be_compared_by_those_who_may_view_them(
    buskerud, admin, client_for, role, allowed
):
    draft = programme_roll(actor=admin, programme=buskerud, start_aar=2021, slutt_aar=2022)
    url = reverse("tiltak:programme_compare") + f"?fra={buskerud.pk}&til={draft.pk}"
    response = client_for(role).get(url)
    if allowed:
        assert response.status_code == 200 and response.context["comparison"] is not None
    else:
        # Not found among the programmes they may view: a message, nothing about the draft.
        assert response.status_code == 400
        assert response.context["comparison"] is None
        assert draft.navn + " 2021" not in response.content.decode()


def test_owning_planner_compares_own_draft(buskerud, admin, client):
    planner = BrukerFactory(
        email="planlegger@bfk.no", organisasjon=buskerud.eier, rolle=BrukerRolle.PLANLEGGER
    )
    draft = programme_roll(actor=planner, programme=buskerud, start_aar=2021, slutt_aar=2022)
    client.force_login(planner)
    response = client.get(
        reverse("tiltak:programme_compare") + f"?fra={buskerud.pk}&til={draft.pk}"
    )
    assert response.status_code == 200
    # The programme page links to the comparison with the previous version.
    page = client.get(draft.get_absolute_url()).content.decode()
    assert f"{reverse('tiltak:programme_compare')}?fra={buskerud.pk}&amp;til={draft.pk}" in page


def test_selector_query_count_is_fixed(buskerud, edited, admin, django_assert_num_queries):
    new = edited["new"]
    # chain, tiltak of each programme, tema, delmål, satsingsområde, ansvar, organisations
    with django_assert_num_queries(8):
        programme_compare(fra=buskerud, til=new)
    newer = programme_roll(actor=admin, programme=new, start_aar=2023, slutt_aar=2024)
    with django_assert_num_queries(12):  # and the links of the version in between (4 levels)
        programme_compare(fra=buskerud, til=newer)


def _edit_a_few(programme):
    tiltak = list(Tiltak.objects.filter(program=programme).order_by("id")[:3])
    tiltak[0].tittel += " (endret)"
    tiltak[0].save()
    tiltak[1].beskrivelse = "Ny beskrivelse av tiltaket, lang nok til at ordene sammenlignes."
    tiltak[1].save()
    tiltak[2].ansvar.all()[:1].get().delete()
    Tiltak.objects.create(
        program=programme, tema=tiltak[0].tema, nummer=999, tittel="Nytt i ny periode"
    )


def _median_time(client, url: str, runs: int = 5) -> float:
    """Median wall time of the page (a figure printed, not asserted)."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def test_compare_page_query_budget_is_the_same_for_a_programme_ten_times_larger(
    buskerud, admin, client
):
    client.force_login(admin)
    rolled = programme_roll(actor=admin, programme=buskerud, start_aar=2021, slutt_aar=2022)
    _edit_a_few(rolled)
    url = reverse("tiltak:programme_compare") + f"?fra={buskerud.pk}&til={rolled.pk}"
    small_queries = count_queries(client, url)
    assert client.get(url).context["comparison"].unchanged == 164 - 3
    small_time = _median_time(client, url)

    large = build_large_programme(factor=10)  # one programme 10× the size
    t0 = time.perf_counter()
    large_rolled = programme_roll(actor=admin, programme=large, start_aar=2021, slutt_aar=2022)
    roll_time = time.perf_counter() - t0
    _edit_a_few(large_rolled)
    url = reverse("tiltak:programme_compare") + f"?fra={large.pk}&til={large_rolled.pk}"
    large_queries = count_queries(client, url)
    c = client.get(url).context["comparison"]
    assert (len(c.added), len(c.removed), len(c.changed), c.unchanged) == (1, 0, 3, 1640 - 3)
    large_time = _median_time(client, url)
    assert_same_queries(
        small_queries,
        large_queries,
        ceiling=COMPARE_PAGE_BUDGET,
        sizes=(
            Tiltak.objects.filter(program=buskerud).count(),
            Tiltak.objects.filter(program=large).count(),
        ),
    )
    print(
        f"\n[{connection.vendor}] compare page: 164 tiltak {small_time * 1000:.0f} ms, "
        f"1,640 tiltak {large_time * 1000:.0f} ms, {large_queries} queries; "
        f"rolling 1,640 tiltak {roll_time:.2f} s"
    )


def test_organisations_in_diffs_are_shown_by_name(buskerud, edited, admin, client):
    client.force_login(admin)
    org = Organisasjon.objects.get(pk=edited["removed_ansvar"].organisasjon_id)
    page = client.get(
        reverse("tiltak:programme_compare") + f"?fra={buskerud.pk}&til={edited['new'].pk}"
    ).content.decode()
    assert org.navn in page


def test_deleted_tiltak_in_the_source_do_not_count(buskerud, admin):
    gone = by_number(buskerud, "5.1")
    Tiltak.alle.filter(pk=gone.pk).update(slettet=timezone.now(), slettet_grunn="Feilregistrert")
    new = programme_roll(actor=admin, programme=buskerud, start_aar=2021, slutt_aar=2022)
    c = programme_compare(fra=buskerud, til=new)
    assert (len(c.added), len(c.removed), len(c.changed), c.unchanged) == (0, 0, 0, 163)
    assert not Delmaal.objects.filter(tema__program=new, forgjenger=None).exists()
    assert not Satsingsomraade.objects.filter(tema__program=new, forgjenger=None).exists()


def test_a_very_long_text_is_compared_by_paragraph_with_the_unchanged_ones_kept():
    """Point 16 of the probing: the word diff grew with the square of the text. Beyond a
    bounded size the changed middle is compared by lines (paragraphs)."""
    from tiltak.selectors.comparison import WORD_DIFF_MAX_CELLS, _word_diff

    paragraphs = [" ".join(f"ord{p}x{i}" for i in range(100)) for p in range(200)]
    old = "\n".join(paragraphs)  # 20,000 words
    changed = list(paragraphs)
    changed[3] = "Et helt nytt avsnitt."
    changed[150] = changed[150] + " Og en tilføyelse."
    segments = _word_diff(old, "\n".join(changed))
    assert segments is not None
    words_in_middle = 2 * 20_000 - 2 * 300  # tokens (words and spaces) beyond the kept ends
    assert words_in_middle**2 > WORD_DIFF_MAX_CELLS  # so this took the bounded path
    kinds = [s.kind for s in segments]
    assert kinds.count("delete") == 2 and kinds.count("insert") == 2
    deleted = "".join(s.text for s in segments if s.kind == "delete")
    inserted = "".join(s.text for s in segments if s.kind == "insert")
    assert paragraphs[3] in deleted and "Et helt nytt avsnitt." in inserted
    assert "Og en tilføyelse." in inserted
    assert paragraphs[100] in "".join(s.text for s in segments if s.kind == "equal")
    # Reading the segments back gives both texts exactly.
    assert "".join(s.text for s in segments if s.kind != "insert") == old
    assert "".join(s.text for s in segments if s.kind != "delete") == "\n".join(changed)


def test_a_small_change_in_a_short_text_is_still_shown_word_by_word():
    from tiltak.selectors.comparison import _word_diff

    segments = _word_diff(
        "Kartlegge behovet for kompetanse i regionen og lage en plan for tiltak.",
        "Kartlegge behovet for kompetanse i Hallingdal og lage en plan for tiltak.",
    )
    assert [(s.kind, s.text) for s in segments if s.kind != "equal"] == [
        ("delete", "regionen"),
        ("insert", "Hallingdal"),
    ]
