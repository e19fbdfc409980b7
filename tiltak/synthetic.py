"""Synthetic data for query budgets and benchmarks: copies of the Buskerud programme, made with
bulk inserts so 10× (and 3,000-tiltak) data builds in seconds. Never used for the demo."""

from django.db import transaction
from django.db.models import F

from partnerskap.models import Organisasjon, OrganisasjonType

from .models import Ansvar, Delmaal, Handlingsprogram, Satsingsomraade, Tema, Tiltak

TEMPLATE_NAME = "Smart samhandling i Buskerud"


@transaction.atomic
def build_synthetic_copies(
    *, copies: int, template: Handlingsprogram | None = None
) -> list[Handlingsprogram]:
    """Clone the template programme `copies` times (public status kept), each copy with its
    own organisations as well, so lists of programmes, tiltak and organisations all grow."""
    template = template or Handlingsprogram.objects.get(navn=TEMPLATE_NAME, start_aar=2019)
    temaer = list(Tema.objects.filter(program=template))
    delmaal = list(Delmaal.objects.filter(tema__program=template))
    satsinger = list(Satsingsomraade.objects.filter(tema__program=template))
    tiltak = list(Tiltak.objects.filter(program=template))
    ansvar = list(Ansvar.objects.filter(tiltak__program=template))
    # Numbered by the synthetic organisations, which outlive merged or renamed copies.
    start = Organisasjon.objects.filter(slug__startswith="syntetisk-").count()
    made = []
    for n in range(start + 1, start + copies + 1):
        extra_org = Organisasjon.objects.create(
            navn=f"Syntetisk organisasjon {n}", slug=f"syntetisk-{n}", type=OrganisasjonType.ANNET
        )
        program = Handlingsprogram.objects.create(
            navn=f"Syntetisk program {n}",
            start_aar=template.start_aar,
            slutt_aar=template.slutt_aar,
            eier=template.eier,
            status=template.status,
            nivaa_betegnelse=template.nivaa_betegnelse,
        )
        program.planer.set(template.planer.all())
        tema_map = {}
        new_temaer = [
            Tema(
                program=program,
                nummer=t.nummer,
                navn=t.navn,
                etikett=t.etikett,
                overordnet_maal=t.overordnet_maal,
                ansvarlig_id=t.ansvarlig_id,
                ansvarlig_tekst=t.ansvarlig_tekst,
            )
            for t in temaer
        ]
        for old, new in zip(temaer, Tema.objects.bulk_create(new_temaer), strict=True):
            tema_map[old.id] = new.id
        delmaal_map = {}
        new_delmaal = [
            Delmaal(
                tema_id=tema_map[d.tema_id],
                nummer=d.nummer,
                navn=d.navn,
                smarte_maal=d.smarte_maal,
                rekkefoelge=d.rekkefoelge,
            )
            for d in delmaal
        ]
        for old, new in zip(delmaal, Delmaal.objects.bulk_create(new_delmaal), strict=True):
            delmaal_map[old.id] = new.id
        satsing_map = {}
        new_satsinger = [
            Satsingsomraade(
                tema_id=tema_map[s.tema_id],
                delmaal_id=delmaal_map.get(s.delmaal_id),
                navn=s.navn,
                prioritert_handling=s.prioritert_handling,
                rekkefoelge=s.rekkefoelge,
            )
            for s in satsinger
        ]
        for old, new in zip(
            satsinger, Satsingsomraade.objects.bulk_create(new_satsinger), strict=True
        ):
            satsing_map[old.id] = new.id
        tiltak_map = {}
        new_tiltak = []
        for t in tiltak:
            copy = Tiltak(
                **{
                    f.attname: getattr(t, f.attname)
                    for f in Tiltak._meta.concrete_fields
                    if not f.primary_key
                }
            )
            copy.program_id = program.id
            copy.tema_id = tema_map[t.tema_id]
            copy.delmaal_id = delmaal_map.get(t.delmaal_id)
            copy.satsingsomraade_id = satsing_map.get(t.satsingsomraade_id)
            new_tiltak.append(copy)
        for old, new in zip(tiltak, Tiltak.objects.bulk_create(new_tiltak), strict=True):
            tiltak_map[old.id] = new.id
        new_ansvar = [
            Ansvar(
                tiltak_id=tiltak_map[a.tiltak_id],
                organisasjon_id=a.organisasjon_id,
                rolle=a.rolle,
                rekkefoelge=a.rekkefoelge,
                tekst_som_skrevet=a.tekst_som_skrevet,
            )
            for a in ansvar
        ]
        # Every copied tiltak also gets the copy's own organisation as a collaborator.
        new_ansvar += [
            Ansvar(tiltak_id=new_id, organisasjon=extra_org, rolle="samarbeidspart", rekkefoelge=99)
            for new_id in tiltak_map.values()
        ]
        Ansvar.objects.bulk_create(new_ansvar)
        made.append(program)
    return made


@transaction.atomic
def build_large_programme(*, factor: int = 10) -> Handlingsprogram:
    """One programme `factor` times the size of the Buskerud demo programme (164 tiltak →
    1,640 at 10×): synthetic copies merged into the first one, temaer renumbered 3 → 13, 23, …"""
    copies = build_synthetic_copies(copies=factor)
    first, rest = copies[0], copies[1:]
    for k, copy in enumerate(rest, start=1):
        Tema.objects.filter(program=copy).update(program=first, nummer=F("nummer") + 10 * k)
        Tiltak.alle.filter(program=copy).update(program=first)
        copy.delete()
    first.navn = f"Stort syntetisk program ({factor}×)"
    first.save()
    return first
