"""The demo workshops: seed 002 holds every question as written with its inputs unedited, per
question (counts written here from the seed, by hand — not computed by the code); seed 004's
workshop has the six questions and proposals whose trace can be followed."""

import pytest
from django.core.management import call_command

from hoering.models import Innspill, Verksted, Verkstedforslag
from tiltak.models import ProgramStatus, TiltakStatus

pytestmark = pytest.mark.django_db

# Seed 002, counted by reading it: Spørsmål 1 has 17 dashes, Spørsmål 2 has 12, Spørsmål 2 B one;
# day 2's «Hva og hvordan bør fylkeskommunene følge opp» has the opening paragraph and 11
# numbered proposals (their a., b., … kept inside), «Hva bør KMD jobbe videre med» 14.
SEED_002 = [
    ("Spørsmål 1", "Hva er grønn kompetanse – hvilken type kompetanse", 17, 1),
    ("Spørsmål 2", "Hvilke forventninger har fylkeskommunene til Direktoratet", 12, 1),
    ("Spørsmål 2 B", "Samarbeid NHO og LO", 1, 1),
    ("", "Hva og hvordan bør fylkeskommunene følge opp", 12, 2),
    ("", "Hva bør KMD jobbe videre med", 14, 2),
]


@pytest.fixture
def demo_verksted(demo_data):
    call_command("load_demo_verksted", verbosity=0)


def test_seed_002_every_question_with_its_inputs(demo_verksted):
    v = Verksted.objects.get(tittel="Verksted for regional utvikling 2021")
    assert [d.dato.isoformat() for d in v.dager.all()] == ["2021-12-01", "2021-12-02"]
    questions = list(v.spoersmaal.select_related("dag").order_by("rekkefoelge"))
    assert len(questions) == len(SEED_002)
    for q, (heading, start, count, day) in zip(questions, SEED_002, strict=True):
        assert q.overskrift == heading
        assert q.tekst.startswith(start)
        assert q.innspill.count() == count, q.tekst
        assert q.dag.dato.day == day
    assert Innspill.objects.filter(spoersmaal__verksted=v).count() == 56
    # Unedited: a sample of the seed's words, typos included.
    texts = set(Innspill.objects.filter(spoersmaal__verksted=v).values_list("tekst", flat=True))
    assert "Design for reperasjon, gjenbruk og resirkulering" in texts
    assert "Mer midler til fagbrev på jobb" in texts
    assert "5. Fortsette å arrangere verkstedet" in texts
    assert any(t.startswith("6. Følge opp S4/Smart spesialisering\na. Fasilitere") for t in texts)
    assert v.offentlig


def test_seed_004_six_questions_and_a_visible_trace(demo_verksted, client):
    v = Verksted.objects.get(tittel__startswith="Økt yrkesdeltagelse i Buskerud")
    assert v.spoersmaal.count() == 6
    assert v.spoersmaal.first().innspill.count() == 6
    forslag = list(Verkstedforslag.objects.filter(verksted=v))
    assert len(forslag) == 2
    for f in forslag:
        assert f.tiltak.status == TiltakStatus.FORESLAATT
        assert f.tiltak.program.status == ProgramStatus.UTKAST
        assert f.innspill.exists()
    from partnerskap.models import Bruker

    client.force_login(Bruker.objects.get(email="planlegger@demo.test"))
    page = client.get(forslag[0].tiltak.get_absolute_url()).content.decode()
    assert v.tittel in page


def test_idempotent(demo_verksted):
    before = (Verksted.objects.count(), Innspill.objects.count(), Verkstedforslag.objects.count())
    call_command("load_demo_verksted", verbosity=0)
    assert (
        Verksted.objects.count(),
        Innspill.objects.count(),
        Verkstedforslag.objects.count(),
    ) == before
